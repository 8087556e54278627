"""The service navigation each role sees, and the skip link."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from dscb.models import Role
from tests.browser.conftest import make_role_user, sign_in_with_mfa

# What each role finds in the service navigation, in order.
NAVIGATION = {
    Role.ADMINISTRATOR: ["Home", "Administration", "Your account"],
    Role.AUDIT_TEAM: ["Home", "Case audits", "Action plan", "Dashboards", "Reports", "Your account"],
    Role.AGENCY_AUDITOR: ["Home", "Case audits", "Your account"],
    Role.PROFESSIONAL_LEAD: ["Home", "My recommendations", "Action plan", "Your account"],
    Role.EXECUTIVE: ["Home", "Action plan", "Dashboards", "Reports", "Your account"],
    Role.BOARD_MEMBER: ["Home", "Action plan", "Dashboards", "Reports", "Your account"],
}


@pytest.mark.parametrize("role", list(Role), ids=[role.value for role in Role])
def test_navigation_shows_what_the_role_may_use(page: Page, live_server: Any, page_problems: Any, role: Role) -> None:
    user, secret = make_role_user(role)
    sign_in_with_mfa(page, live_server, user, secret)

    navigation = page.get_by_role("navigation", name="Menu")
    assert [text.strip() for text in navigation.get_by_role("link").all_inner_texts()] == NAVIGATION[role]
    expect(navigation.get_by_role("link", name="Home")).to_have_attribute("aria-current", "page")
    expect(navigation.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(f"with the role: {role.label}")
    page_problems.assert_none()


def test_skip_link_moves_focus_to_the_main_content(page: Page, live_server: Any, page_problems: Any) -> None:
    user, secret = make_role_user(Role.EXECUTIVE)
    sign_in_with_mfa(page, live_server, user, secret)
    # Load Home afresh: just after signing in, GOV.UK's script has moved focus to the
    # "Successfully signed in" banner, as it does for every success banner.
    page.goto(f"{live_server.url}/")
    expect(page.locator(".govuk-notification-banner")).to_have_count(0)

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()  # GOV.UK's skip link appears when it has focus
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server.url}/#main-content")
    # GOV.UK Frontend's skip-link script (loaded under the CSP) moves focus to <main>.
    expect(page.locator("#main-content")).to_be_focused()
    page_problems.assert_none()
