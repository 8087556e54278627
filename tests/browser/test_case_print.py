"""The printable case summary in the browser: axe-core finds no violation on it, and
printed by Chromium it carries the protective marking at the top and foot of every page,
the case's grades and findings, and no navigation or history."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from playwright.sync_api import Page, expect

from audits.models import RecordGrade, Theme
from dscb.models import Agency, Role
from tests.browser.conftest import PageProblems, audit_page, make_role_user, sign_in_with_mfa
from tests.factories import AuditCaseFactory, CaseRecordFactory, grade, rate_every_theme
from tests.reports.conftest import pdf_text

LONG_FINDINGS = "The plan was reviewed on time and the core group met as agreed. " * 12


def test_a_case_prints_with_the_marking_on_every_page_and_no_navigation(
    page: Page, live_server: Any, page_problems: PageProblems
) -> None:
    user, secret = make_role_user(Role.AUDIT_TEAM)
    case = AuditCaseFactory(reference="MACA-2010-09-77", overall_grade=grade("Good"), findings="Agreed: good.")
    rate_every_theme(case, "Good")
    for agency in Agency.objects.all()[:8]:
        record = CaseRecordFactory(case=case, agency=agency, findings=LONG_FINDINGS)
        for theme in Theme.objects.active():
            RecordGrade.objects.create(record=record, theme=theme, grade=grade("Adequate"))
    sign_in_with_mfa(page, live_server, user, secret)
    page_problems.clear()

    page.goto(f"{live_server.url}/audits/cases/{case.pk}/")
    page.get_by_role("link", name="Print a summary of the case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case MACA-2010-09-77 (draft)")
    failures = audit_page(page, page_problems)
    assert not failures, "\n".join(failures)

    pages = pdf_text(page.pdf(format="A4")).split("\f")[:-1]
    assert len(pages) >= 2, "the summary should run over several pages for this test"
    for number, text in enumerate(pages, start=1):
        lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
        assert lines[0] == settings.PROTECTIVE_MARKING, f"page {number} starts {lines[0]!r}"
        assert lines[-1] == settings.PROTECTIVE_MARKING, f"page {number} ends {lines[-1]!r}"
    printed = "\n".join(pages)
    assert "Agreed: good." in printed
    assert printed.count("Adequate") >= 8 * 5
    for absent in ("Case audits", "Sign out", "History", "Back to the case", "Skip to main content"):
        assert absent not in printed, absent
    page_problems.assert_none()
