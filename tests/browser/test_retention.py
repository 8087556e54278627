"""An administrator keeps case audit detail longer and holds a case in the browser: the
schedule from the home page, a period changed (a bad one refused beside the field), a
legal hold placed on a case by its board reference; axe-core clean throughout."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from audits.models import LegalHold
from dscb.models import RetentionRule, Role
from tests.browser.conftest import PageProblems, audit_page, make_role_user, sign_in_with_mfa
from tests.factories import AuditCaseFactory


def test_an_administrator_changes_a_period_and_places_a_hold(
    page: Page, live_server: Any, page_problems: PageProblems
) -> None:
    case = AuditCaseFactory(reference="MACA-2010-09-05")
    user, secret = make_role_user(Role.ADMINISTRATOR)
    sign_in_with_mfa(page, live_server, user, secret)
    page_problems.clear()

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Retention and legal holds").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Retention and legal holds")
    failures = audit_page(page, page_problems)

    page.get_by_role("link", name="Change how long to keep case audit detail").click()
    page.get_by_label("Years kept").fill("0")
    page.get_by_role("button", name="Save the period").click()
    expect(page.locator(".govuk-error-message")).to_contain_text("1 or more")
    expect(page.get_by_label("Years kept")).to_have_value("0")
    failures += audit_page(page, page_problems)
    page.get_by_label("Years kept").fill("8")
    page.get_by_role("button", name="Save the period").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Case audit detail: now kept 8 years")

    page.get_by_role("link", name="Place a legal hold").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Place a legal hold")
    failures += audit_page(page, page_problems)
    page.get_by_label("Or one case's board reference").fill("maca-2010-09-05")
    page.get_by_label("Why is the data held?").fill("A claim has been made.")
    page.get_by_role("button", name="Place the hold").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Retention and legal holds")
    expect(page.get_by_role("table", name="Holds in force")).to_contain_text("Case: MACA-2010-09-05")
    failures += audit_page(page, page_problems)
    assert not failures, "\n".join(failures)
    assert RetentionRule.objects.get(kind=RetentionRule.Kind.CASE_AUDIT_DETAIL).years == 8
    assert LegalHold.objects.active().get().case == case
    page_problems.assert_none()
