"""Which cases the figures count: finalised cases only. A round with cases not finalised
yet says so beside its figures, on the dashboard, the report page, both PDFs and the
workbook; a round with nothing finalised reads sensibly; counts read "1 case", "2 cases"."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils.html import strip_tags
from openpyxl import load_workbook

from audits.models import AuditCase
from dscb.models import Role
from reports import document, renderers
from tests.conftest import make_user, sign_in
from tests.factories import (
    AuditCaseFactory,
    AuditRoundFactory,
    CaseRecordFactory,
    ReportFactory,
    grade,
    rate_every_theme,
)
from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2011, 3, 4)
NOT_COUNTED = "1 case in this round is not finalised yet and is not counted."


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def add_case(audit_round, label: str, *, finalised: bool) -> AuditCase:
    case = AuditCaseFactory(
        audit_round=audit_round,
        overall_grade=grade(label),
        state=AuditCase.State.FINALISED if finalised else AuditCase.State.DRAFT,
    )
    rate_every_theme(case, label)
    CaseRecordFactory(case=case)
    return case


@pytest.fixture
def report():
    """September 2010: one finalised case graded Good and one draft graded Inadequate.
    June 2010: one draft case, nothing finalised."""
    september = AuditRoundFactory(title="September 2010", held_on=datetime.date(2010, 9, 22))
    add_case(september, "Good", finalised=True)
    add_case(september, "Inadequate", finalised=False)
    add_case(AuditRoundFactory(title="June 2010", held_on=datetime.date(2010, 6, 16)), "Inadequate", finalised=False)
    return ReportFactory(title="Six-monthly report", period_start=datetime.date(2010, 1, 1), period_end=TODAY)


def test_only_finalised_cases_are_counted(report):
    audit = document.build(report, today=TODAY).audits
    assert audit.audit.cases == 1
    assert audit.audit.records == 1
    assert dict(audit.grade_counts(audit.audit.overall)) == {
        grade(label).pk: n for label, n in (("Outstanding", 0), ("Good", 1), ("Adequate", 0), ("Inadequate", 0))
    }
    assert all(share == 1.0 for _, _, share in audit.theme_rows)  # the draft's inadequate themes left out
    lines = {line.title: line for line in audit.round_lines}
    assert (lines["June 2010"].cases, lines["June 2010"].not_finalised) == (0, 1)
    assert (lines["September 2010"].cases, lines["September 2010"].not_finalised) == (1, 1)
    assert audit.not_counted == (
        "1 case in June 2010 and 1 case in September 2010 are not finalised yet and are not counted."
    )


def test_the_page_pdfs_and_workbook_say_what_is_not_counted(report, client):
    built = document.build(report, today=TODAY)
    sign_in(client, make_user(Role.EXECUTIVE))
    page = squeeze(strip_tags(client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()))
    pdf = squeeze(pdf_text(renderers.pdf(built)))
    for text in (page, pdf):
        assert "1 child audited in 2 rounds" in text
        assert f"June 2010: no grades agreed yet. {NOT_COUNTED}" in text
        assert f"September 2010: 1 case; overall 1 good. {NOT_COUNTED}" in text
        assert built.audits.not_counted in text
        assert "overall ." not in text
        assert "1 cases" not in text
    summary = squeeze(pdf_text(renderers.summary_pdf(built)))
    assert "1 child audited in 2 rounds" in summary
    assert built.audits.not_counted in summary
    workbook = load_workbook(io.BytesIO(renderers.xlsx(built)))
    figures = {row[0]: row[1] for row in workbook["Figures"].iter_rows(min_row=2, values_only=True)}
    assert figures["children_audited"] == 1
    assert figures["cases_not_finalised_not_counted"] == 2
    assert figures["not_counted"] == built.audits.not_counted
    assert figures["rounds 1 title"] == "June 2010"
    assert figures["rounds 1 cases_not_finalised_not_counted"] == 1
    assert figures["rounds 1 overall_grades"] == "no grades agreed yet"


def test_the_dashboard_counts_finalised_cases_and_says_what_it_leaves_out(report, client):
    sign_in(client, make_user(Role.BOARD_MEMBER))
    page = squeeze(strip_tags(client.get(reverse("reports:audit_dashboard")).content.decode()))
    assert "Only finalised cases are counted." in page
    assert "1 case in June 2010 and 1 case in September 2010 are not finalised yet and are not counted." in page
    assert "2 rounds 1 child audited 1 agency record" in page
    assert "Overall ratings of audit findings of 1 " in page


def test_a_period_with_every_case_finalised_says_nothing_about_drafts(report):
    AuditCase.objects.update(state=AuditCase.State.FINALISED)
    built = document.build(report, today=TODAY)
    assert built.audits.not_counted == ""
    assert [line.not_finalised for line in built.audits.round_lines] == [0, 0]
    assert [line.cases_words for line in built.audits.round_lines] == ["1 case", "2 cases"]
    assert built.figures()["cases_not_finalised_not_counted"] == 0
