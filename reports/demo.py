"""The seed report itself, published under its own title, for the March 2011 update
(completed on 4 March 2011), over the seed's audit rounds, with its three sections of
evidence of impact in the seed's words. Made through the services, as the Executive
would, so a board member signing in to the demo has a report to download. The March
2009 round's learning summary is drafted (not published) for the audit team to edit.
Loaded only by `manage.py seed_demo`."""

from __future__ import annotations

import datetime

from django.db import transaction

from audits.models import AuditRound
from dscb.models import User
from recommendations.models import ReviewCycle
from reports import services
from reports.models import LearningSummary, Report

TITLE = "Analysis of multi-agency case audits between 2009 \N{EN DASH} 2010"
CYCLE = "March 2011 update"
# Every round the seed reports on: March 2009 to September 2010, and the Appreciative
# Inquiry of November 2010.
PERIOD = (datetime.date(2009, 1, 1), datetime.date(2010, 12, 31))
PUBLISHED_ON = datetime.date(2011, 3, 4)  # the update's completion
EVIDENCE_OF_IMPACT = (
    (
        "Multi-agency safeguarding hub (MASH)",
        "All agencies working together to share information at the earliest opportunity. Nationally "
        "recognised. Visited by Tim Loughton, Children's Minister and Professor Eileen Munro review team. "
        "Local Authorities, Health Trust and Police Trust making visits.",
    ),
    (
        "The Safeguarding Golden Rules",
        "Recognised by all children's workforce in Devon. Principal adopted nationally as guidance for "
        "Health Visitors.",
    ),
    (
        "Learning and Development",
        "Findings have influenced single and multi-agency training programmes. Review of supervision "
        "policies and procedures.",
    ),
)


LEARNING_ROUND = "March 2009"


def load() -> None:
    create_demo_report()
    draft_demo_learning_summary()


@transaction.atomic
def draft_demo_learning_summary() -> None:
    audit_round = AuditRound.objects.get(title=LEARNING_ROUND)
    if LearningSummary.objects.filter(audit_round=audit_round).exists():
        return  # Loaded before.
    services.summary_draft(audit_round=audit_round, by=User.objects.get(email="auditor@example.org"))


@transaction.atomic
def create_demo_report() -> None:
    if Report.objects.filter(title=TITLE).exists():
        return  # Loaded before: running the demo command again adds nothing.
    executive = User.objects.get(email="executive@example.org")
    report = services.report_create(
        by=executive,
        title=TITLE,
        cycle=ReviewCycle.objects.get(title=CYCLE),
        period_start=PERIOD[0],
        period_end=PERIOD[1],
    )
    for position, (heading, body) in enumerate(EVIDENCE_OF_IMPACT, start=1):
        services.section_create(report=report, by=executive, heading=heading, body=body, position=position)
    services.publish(report=report, by=executive, today=PUBLISHED_ON, expected_version=report.version)
