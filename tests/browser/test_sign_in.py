"""Signing in and out for real: password, then a code from the authenticator app."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from playwright.sync_api import Page, expect

from dscb.models import Role
from tests.browser.conftest import make_role_user, sign_in_with_mfa
from tests.factories import TEST_PASSWORD, totp_code

ACTIVE_ELEMENT = """() => {
  const e = document.activeElement;
  return {tag: e.tagName.toLowerCase(), id: e.id, text: (e.innerText || "").trim()};
}"""


def tab_to(page: Page, element_id: str, *, most: int = 5) -> int:
    """Press Tab until the element with ``element_id`` has focus; return the presses."""
    for presses in range(1, most + 1):
        page.keyboard.press("Tab")
        if page.evaluate(ACTIVE_ELEMENT)["id"] == element_id:
            return presses
    raise AssertionError(
        f"#{element_id} not reached in {most} presses of Tab; focus is on {page.evaluate(ACTIVE_ELEMENT)}"
    )


def test_sign_in_with_the_keyboard_only(page: Page, live_server: Any, page_problems: Any) -> None:
    user, secret = make_role_user(Role.AUDIT_TEAM)
    page.goto(f"{live_server.url}/accounts/login/")

    page.keyboard.press("Tab")
    assert page.evaluate(ACTIVE_ELEMENT) == {"tag": "a", "id": "", "text": "Skip to main content"}

    tab_to(page, "id_login")
    expect(page.get_by_label("Email address")).to_be_focused()
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    page.keyboard.press("Tab")
    assert page.evaluate(ACTIVE_ELEMENT)["text"] == "Skip to main content"
    tab_to(page, "id_code")
    expect(page.get_by_label("Security code")).to_be_focused()
    page.keyboard.type(totp_code(secret))
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(settings.BOARD_NAME)
    expect(page.get_by_role("main")).to_contain_text(
        f"You are signed in as {user.full_name}, with the role: Audit team member."
    )
    page_problems.assert_none()


def test_sign_out_ends_the_session(page: Page, live_server: Any, page_problems: Any) -> None:
    user, secret = make_role_user(Role.BOARD_MEMBER)
    sign_in_with_mfa(page, live_server, user, secret)
    old_session = next(cookie for cookie in page.context.cookies() if cookie["name"] == "sessionid")

    sign_out = page.get_by_role("navigation", name="Menu").get_by_role("button", name="Sign out")
    expect(sign_out).to_have_attribute("data-testid", "sign-out")
    sign_out.click()

    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_test_id("sign-out")).to_have_count(0)

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

    # The old session cookie is worth nothing now: the server has forgotten it.
    page.context.add_cookies([old_session])
    page.goto(f"{live_server.url}/account/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/account/")
    page_problems.assert_none()
