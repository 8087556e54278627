"""The security events page in the browser: an administrator finds it under Administration, sees
their own sign-in and someone's failed one, filters by kind and is told beside the field
of a date that is not one, with what they typed kept. axe-core finds no violation, and
the browser no CSP problem or script error, on each page."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from dscb.models import Role, SecurityEvent
from tests.browser.conftest import PageProblems, audit_page, make_role_user, sign_in_with_mfa


def test_an_administrator_reads_and_filters_the_security_events(
    page: Page, live_server: Any, page_problems: PageProblems
) -> None:
    administrator, secret = make_role_user(Role.ADMINISTRATOR)
    SecurityEvent.objects.create(kind=SecurityEvent.Kind.SIGN_IN_FAILED, email="guess@example.org", ip="203.0.113.7")
    failures: list[str] = []

    sign_in_with_mfa(page, live_server, administrator, secret)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Security events").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Security events")
    table = page.get_by_role("table")
    expect(table.get_by_role("row").filter(has_text="guess@example.org")).to_contain_text("Sign-in failed")
    expect(table.get_by_role("row").filter(has_text="Signed in")).to_contain_text(administrator.email)
    failures += audit_page(page, page_problems)

    page.get_by_label("Event", exact=True).select_option(label="Sign-in failed")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#found")).to_have_text("Showing 1 event matching these filters.")
    expect(page.get_by_role("table").get_by_role("row").filter(has_text="Signed in")).to_have_count(0)
    failures += audit_page(page, page_problems)

    page.get_by_role("group", name="From").get_by_label("Day").fill("31")
    page.get_by_role("group", name="From").get_by_label("Month").fill("2")
    page.get_by_role("group", name="From").get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("From must be a real date")
    expect(page.get_by_role("group", name="From")).to_contain_text("From must be a real date")
    expect(page.get_by_role("group", name="From").get_by_label("Day")).to_have_value("31")
    failures += audit_page(page, page_problems)

    assert not failures, "\n".join(failures)
