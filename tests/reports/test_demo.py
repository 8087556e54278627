"""The demo holds the seed report itself, published, so a board member signing in has a
report to download, and the March 2009 round's learning summary, drafted."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from audits.models import AuditCase
from dscb.models import Role
from reports import renderers
from reports.demo import EVIDENCE_OF_IMPACT, TITLE
from reports.models import LearningSummary, NarrativeSection, PublishedReport, Report
from tests.conftest import make_user, sign_in
from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.django_db


def test_the_demo_publishes_the_march_2011_report_with_the_seeds_evidence_of_impact(full_demo):
    published = PublishedReport.objects.select_related("report__cycle").get()
    report = published.report
    assert published.title == report.title == TITLE
    assert TITLE == "Analysis of multi-agency case audits between 2009 \N{EN DASH} 2010"
    assert published.cycle_title == "March 2011 update"
    assert report.cycle.completed_on == datetime.date(2011, 3, 4)
    assert (report.period_start, report.period_end) == (datetime.date(2009, 1, 1), datetime.date(2010, 12, 31))
    assert [(section.heading, section.body) for section in report.sections.all()] == list(EVIDENCE_OF_IMPACT)
    assert [section.heading for section in report.sections.all()] == [
        "Multi-agency safeguarding hub (MASH)",
        "The Safeguarding Golden Rules",
        "Learning and Development",
    ]
    figures = published.figures
    assert (figures["children_audited"], figures["audit_rounds"], figures["requests_for_immediate_intervention"]) == (
        36,
        4,
        2,
    )
    assert figures["appreciative_inquiry"]["families"] == 2
    assert figures["rag"] == {"Green": 10, "Amber": 2, "Orange": 4, "Red": 1, "Not yet rated": 15}
    with published.pdf.open("rb") as stored:
        text = re.sub(r"\s+", " ", pdf_text(stored.read()))
    assert "36 children audited in 4 rounds" in text
    for heading, body in EVIDENCE_OF_IMPACT:
        assert heading in text
        assert body in text


def test_a_board_member_signing_in_to_the_demo_can_download_it(full_demo, client):
    published = PublishedReport.objects.get()
    sign_in(client, make_user(Role.BOARD_MEMBER))
    listing = client.get(reverse("reports:report_list")).content.decode()
    assert TITLE in listing
    assert reverse("reports:published_download", args=[published.pk, "pdf"]) in listing
    response = client.get(reverse("reports:published_download", args=[published.pk, "pdf"]))
    assert response["Content-Disposition"] == (
        'attachment; filename="analysis-of-multi-agency-case-audits-between-2009-2010.pdf"'
    )
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_loading_the_demo_twice_publishes_it_once(full_demo, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    assert (Report.objects.count(), PublishedReport.objects.count(), NarrativeSection.objects.count()) == (1, 1, 3)


def test_the_demo_drafts_the_march_2009_rounds_learning_summary_whose_pdf_names_no_case(full_demo):
    summary = LearningSummary.objects.select_related("audit_round").get()
    assert summary.audit_round.title == "March 2009"
    assert not summary.is_published
    assert "3 of 8 cases (38%) were graded adequate or better." in summary.findings
    pdf = renderers.learning_pdf(summary)
    text = " ".join(pdf_text(pdf, layout=False).split())
    for heading in (summary.title, "Headline findings", "What worked well", "Areas for development"):
        assert heading in text
    references = AuditCase.objects.values_list("reference", flat=True)
    assert not [reference for reference in references if reference in text]
    assert renderers.learning_page_count(summary) <= 2
