"""A form that creates something, sent twice (a double click, the back button, a browser
sending it again), creates one thing. Every such form carries a one-time key
(dscb.forms.once_only); the table below holds a valid submission for each, and a test
fails when a create form appears without its row."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import models
from django.urls import reverse

from audits import selectors as audit_selectors
from audits.models import AuditCase, AuditRound, CaseRecord, Escalation, InquiryParticipant, LegalHold
from dscb.forms import SUBMISSION_KEY
from dscb.models import Agency, Role, User
from recommendations.models import ActionPlan, Evidence, PlanSection, Recommendation, ReviewCycle
from reports.models import DocumentJob, NarrativeSection, Report
from tests.conftest import sign_in
from tests.factories import (
    AuditCaseFactory,
    AuditRoundFactory,
    RecommendationFactory,
    ReportFactory,
    ReviewCycleFactory,
    police,
)
from tests.test_page_walk import html_pages


def day(name: str, value: datetime.date) -> dict[str, str]:
    return {f"{name}_0": str(value.day), f"{name}_1": str(value.month), f"{name}_2": str(value.year)}


@dataclass(frozen=True)
class Create:
    role: Role
    model: type[models.Model]
    # Makes what the form needs; returns the URL's arguments and the submission.
    setup: Callable[[], tuple[list[int], dict[str, object]]]


def round_create():
    return [], {"title": "March 2011", **day("held_on", datetime.date(2011, 3, 16)), "kind": "case_audit"} | {
        "agencies": [police().pk],
        "questions": [question.pk for question in audit_selectors.default_questions()],
    }


def case_create():
    audit_round = AuditRoundFactory()
    return [audit_round.pk], {
        "reference": "MACA-2011-03-01",
        "categories": ["neglect"],
        **day("plan_started_on", datetime.date(2010, 6, 1)),
        "sibling_records_read": "0",
        "parent_records_read": "1",
    }


def record_create():
    case = AuditCaseFactory()
    return [case.pk], {"agency": police().pk, "subject": "child", "records_read": "2"}


def escalation_create():
    case = AuditCaseFactory()
    return [case.pk], {
        **day("raised_on", datetime.date(2010, 9, 23)),
        "to_agency": police().pk,
        "to_role": "Team manager",
        "reason": "The plan needs reviewing now.",
        **day("due_by", datetime.date(2010, 9, 30)),
    }


def participant_add():
    case = AuditCaseFactory(audit_round=AuditRoundFactory(kind=AuditRound.Kind.APPRECIATIVE_INQUIRY))
    return [case.pk], {"agency": Agency.objects.get(short_name="GP").pk, "role": "Health visitor"}


def plan_create():
    return [], {"title": "Learning from the Child T practice review", "review_frequency": "Six monthly"}


def section_create():
    plan = RecommendationFactory().plan
    return [plan.pk], {
        "number": "7",
        "title": "Child T",
        "source_kind": "practice_review",
        "source_name": "Local child safeguarding practice review: Child T",
        "item_heading": "Recommendations",
    }


def recommendation_create():
    section = RecommendationFactory().section
    return [section.plan_id], {
        "section": section.pk,
        "number": f"{section.number}.9",
        "kind": "task",
        "text": "A task",
        "state": "open",
    }


def cycle_create():
    plan = RecommendationFactory().plan
    return [plan.pk], {"title": "September 2011 update", **day("due_on", datetime.date(2011, 9, 30))}


def evidence_add():
    recommendation = RecommendationFactory()
    ReviewCycleFactory(plan=recommendation.plan)
    return [recommendation.pk], {"text": "Policy updated and shared."}


def report_create():
    cycle = ReviewCycleFactory()
    return [], {
        "title": "Six-monthly report",
        "cycle": cycle.pk,
        **day("period_start", datetime.date(2009, 1, 1)),
        **day("period_end", datetime.date(2011, 3, 4)),
    }


def section_add():
    report = ReportFactory()
    return [report.pk], {"heading": "Golden Rules", "body": "Recognised by the children's workforce.", "position": "1"}


def legal_hold_place():
    return [], {"audit_round": AuditRoundFactory().pk, "reference": "", "reason": "Inquiry asked for these files."}


def report_publish():
    report = ReportFactory()
    return [report.pk], {"version": str(report.version)}


def draft_make():
    return [ReportFactory().pk, "pdf"], {}


def subject_access():
    return [], {"reference": AuditCaseFactory().reference}


def person_invite():
    return [], {"email": "invited.once@example.org", "full_name": "Invited Once", "roles": ["executive"]}


def agency_add():
    return ["agencies"], {"name": "Fire and Rescue Service", "short_name": "Fire", "position": "20", "is_active": "on"}


CREATES: dict[str, Create] = {
    "audits:round_create": Create(Role.AUDIT_TEAM, AuditRound, round_create),
    "audits:case_create": Create(Role.AUDIT_TEAM, AuditCase, case_create),
    "audits:record_create": Create(Role.AUDIT_TEAM, CaseRecord, record_create),
    "audits:escalation_create": Create(Role.AUDIT_TEAM, Escalation, escalation_create),
    "audits:participant_add": Create(Role.AUDIT_TEAM, InquiryParticipant, participant_add),
    "recommendations:plan_create": Create(Role.EXECUTIVE, ActionPlan, plan_create),
    "recommendations:section_create": Create(Role.EXECUTIVE, PlanSection, section_create),
    "recommendations:recommendation_create": Create(Role.EXECUTIVE, Recommendation, recommendation_create),
    "recommendations:cycle_create": Create(Role.EXECUTIVE, ReviewCycle, cycle_create),
    "recommendations:evidence_add": Create(Role.EXECUTIVE, Evidence, evidence_add),
    "reports:report_create": Create(Role.EXECUTIVE, Report, report_create),
    "reports:section_add": Create(Role.EXECUTIVE, NarrativeSection, section_add),
    # Publishing, a draft document and a subject access export ask the worker for a document: one job each.
    "reports:report_publish": Create(Role.EXECUTIVE, DocumentJob, report_publish),
    "reports:draft_make": Create(Role.EXECUTIVE, DocumentJob, draft_make),
    "reports:subject_access": Create(Role.ADMINISTRATOR, DocumentJob, subject_access),
    "person_invite": Create(Role.ADMINISTRATOR, User, person_invite),
    "reference_data_add": Create(Role.ADMINISTRATOR, Agency, agency_add),
    "reports:legal_hold_place": Create(Role.ADMINISTRATOR, LegalHold, legal_hold_place),
}


@pytest.mark.parametrize("name", sorted(CREATES))
def test_a_create_form_sent_three_times_creates_one_thing(name, client, user_with_role):
    create = CREATES[name]
    sign_in(client, user_with_role(create.role))
    args, submission = create.setup()
    url = reverse(name, args=args)
    key = client.get(url).context["form"][SUBMISSION_KEY].value()
    before = create.model.objects.count()
    first, second, third = (client.post(url, {**submission, SUBMISSION_KEY: str(key)}) for _ in range(3))
    assert first.status_code == 302, first.context["form"].errors if first.context else first
    assert create.model.objects.count() == before + 1
    assert second.status_code == third.status_code == 302
    assert second["Location"] == third["Location"] == first["Location"]


# Rounds, cases, agency records, recommendations, updates, reports and agencies are unique by title,
# reference, agency and whose records, or number: a second one is refused on its own terms.
# A second publication of a report needs a reason to replace the first, and a fresh version.
# A person's email address is theirs alone.
MAY_BE_ADDED_TWICE = sorted(
    name
    for name, create in CREATES.items()
    # A section's number is unique in its plan, as a round's title is.
    if create.model
    not in (
        AuditRound,
        AuditCase,
        CaseRecord,
        PlanSection,
        Recommendation,
        ReviewCycle,
        Report,
        DocumentJob,  # one publication, and one of each draft a person asks for, being made at a time
        User,
        Agency,
        LegalHold,  # one hold in force on a round at a time
    )
)


@pytest.mark.parametrize("name", MAY_BE_ADDED_TWICE)
def test_a_fresh_form_creates_again(name, client, user_with_role):
    """The key stops a form being sent twice, not a person adding two things on purpose."""
    create = CREATES[name]
    sign_in(client, user_with_role(create.role))
    args, submission = create.setup()
    url = reverse(name, args=args)
    before = create.model.objects.count()
    for _ in range(2):
        key = client.get(url).context["form"][SUBMISSION_KEY].value()
        assert client.post(url, {**submission, SUBMISSION_KEY: str(key)}).status_code == 302
    assert create.model.objects.count() == before + 2


@pytest.mark.parametrize("persona", ["audit_team", "executive", "administrator"])
def test_every_create_form_has_a_row_here(persona, persona_client):
    creating = {
        name
        for name, _url, _response, page in html_pages(persona, persona_client)
        if any(SUBMISSION_KEY in form.fields for form in page.post_forms)
    }
    assert creating - set(CREATES) == set(), "Create forms without a row in CREATES"


def test_a_key_sent_to_another_form_is_refused(client, user_with_role):
    sign_in(client, user_with_role(Role.AUDIT_TEAM))
    args, submission = case_create()
    url = reverse("audits:case_create", args=args)
    key = client.get(url).context["form"][SUBMISSION_KEY].value()
    assert client.post(url, {**submission, SUBMISSION_KEY: str(key)}).status_code == 302
    other_args, other_submission = escalation_create()
    response = client.post(
        reverse("audits:escalation_create", args=other_args), {**other_submission, SUBMISSION_KEY: str(key)}
    )
    assert response.status_code == 200
    assert "already been sent" in response.content.decode()
    assert not Escalation.objects.exists()
