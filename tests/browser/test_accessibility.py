"""axe-core finds no violations, and the browser reports no CSP violation or script
error, on every page this service renders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from dscb.models import Role
from tests.browser.conftest import PageProblems, audit_page, make_role_user, sign_in_with_mfa, sign_in_with_password
from tests.factories import UserFactory


def _submit_empty_sign_in(page: Page) -> None:
    page.get_by_role("button", name="Sign in").click()
    # GOV.UK's error summary script focuses the summary so screen readers announce it.
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.get_by_role("alert")).to_contain_text("Enter your email address")


def _ask_for_a_reset_link(page: Page) -> None:
    page.get_by_label("Email address").fill("nobody@example.org")
    page.get_by_role("button", name="Send the link").click()


AnonymousPage = tuple[str, int, Callable[[Page], None] | None, str]

ANONYMOUS_PAGES: dict[str, AnonymousPage] = {
    # id: (path, status, what to do there, the h1 we should then be looking at)
    "sign-in": ("/accounts/login/", 200, None, "Sign in"),
    "sign-in-with-errors": ("/accounts/login/", 200, _submit_empty_sign_in, "Sign in"),
    "password-reset": ("/accounts/password/reset/", 200, None, "Reset your password"),
    "password-reset-done": ("/accounts/password/reset/", 200, _ask_for_a_reset_link, "Check your email"),
    "accessibility-statement": ("/accessibility/", 200, None, "Accessibility statement"),
    "privacy-notice": ("/privacy/", 200, None, "Privacy notice"),
    "not-found": ("/no-such-page/", 404, None, "Page not found"),
}


@pytest.mark.parametrize("name", ANONYMOUS_PAGES)
def test_page_before_sign_in_is_accessible(
    page: Page, live_server: Any, page_problems: PageProblems, name: str
) -> None:
    path, status, action, heading = ANONYMOUS_PAGES[name]
    response = page.goto(f"{live_server.url}{path}")
    assert response is not None
    assert response.status == status
    if action is not None:
        action(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    failures = audit_page(page, page_problems)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("path", ["/accessibility/", "/privacy/"])
def test_contact_link_gives_the_board_address(page: Page, live_server: Any, path: str) -> None:
    page.goto(f"{live_server.url}{path}")
    link = page.locator("main a[href^='mailto:']")
    expect(link).to_have_count(1)
    assert link.get_attribute("href") == f"mailto:{settings.BOARD_CONTACT_EMAIL}"
    assert link.inner_text() == settings.BOARD_CONTACT_EMAIL


# path, status, h1: visited in this order by one signed-in person without a role
# that allows administration.
SIGNED_IN_PAGES: list[tuple[str, int, str]] = [
    ("/", 200, settings.BOARD_NAME),
    ("/account/", 200, "Your account"),
    ("/accounts/mfa/", 200, "Two-step verification"),
    ("/accounts/mfa/recovery-codes/", 200, "Your recovery codes"),
    ("/accounts/password/change/", 200, "Change your password"),
    ("/administration/", 403, "You do not have permission to see this page"),
    ("/admin/", 404, "Page not found"),
    ("/accounts/logout/", 200, "Sign out"),
]


def test_pages_after_sign_in_are_accessible(page: Page, live_server: Any, page_problems: PageProblems) -> None:
    user, secret = make_role_user(Role.AUDIT_TEAM)
    sign_in_with_mfa(page, live_server, user, secret)
    page_problems.clear()  # the sign-in pages are checked on their own

    failures: list[str] = []
    for path, status, heading in SIGNED_IN_PAGES:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None
        assert response.status == status, path
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        failures += audit_page(page, page_problems)
    assert not failures, "\n".join(failures)


def test_security_code_page_is_accessible(page: Page, live_server: Any, page_problems: PageProblems) -> None:
    user, _secret = make_role_user(Role.PROFESSIONAL_LEAD)
    sign_in_with_password(page, live_server, user)
    expect(page).to_have_url(f"{live_server.url}/accounts/mfa/authenticate/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    failures = audit_page(page, page_problems)
    assert not failures, "\n".join(failures)


def test_mfa_set_up_page_is_accessible(page: Page, live_server: Any, page_problems: PageProblems) -> None:
    sign_in_with_password(page, live_server, UserFactory(is_board_member=True))
    expect(page).to_have_url(f"{live_server.url}/accounts/mfa/totp/activate/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step verification")
    failures = audit_page(page, page_problems)
    assert not failures, "\n".join(failures)
