"""Someone with a role but no authenticator app must set one up before anything else."""

from __future__ import annotations

import time
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in_with_password
from tests.factories import UserFactory

SET_UP = "Set up two-step verification"


def test_set_up_an_authenticator_app_at_first_sign_in(page: Page, live_server: Any, page_problems: Any) -> None:
    user = UserFactory(is_audit_team=True)
    sign_in_with_password(page, live_server, user)

    set_up_url = f"{live_server.url}/accounts/mfa/totp/activate/"
    expect(page).to_have_url(set_up_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(SET_UP)
    # Nowhere to go until it is done: the navigation offers only "Sign out", and
    # other pages send you back here.
    navigation = page.get_by_role("navigation", name="Menu")
    expect(navigation.get_by_role("link")).to_have_count(0)
    expect(navigation.get_by_role("button", name="Sign out")).to_be_visible()
    for path in ("/account/", "/", "/accounts/mfa/recovery-codes/"):
        page.goto(f"{live_server.url}{path}")
        expect(page).to_have_url(set_up_url)
        expect(page.get_by_role("heading", level=1)).to_have_text(SET_UP)

    # The key shown is the one the form expects (each visit makes a new one).
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    assert len(secret) >= 16, secret
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    page.get_by_label("Security code").fill(code)
    page.get_by_role("button", name="Turn on two-step verification").click()

    expect(page).to_have_url(f"{live_server.url}/accounts/mfa/recovery-codes/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    codes = page.get_by_test_id("recovery-codes").locator("li")
    expect(codes).to_have_count(10)
    texts = [text.strip() for text in codes.all_inner_texts()]
    assert all(texts), texts
    assert len(set(texts)) == 10, texts
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    page.get_by_role("link", name="Continue to the service").click()
    expect(page).to_have_url(f"{live_server.url}/")
    navigation = page.get_by_role("navigation", name="Menu")
    expect(navigation).to_be_visible()
    expect(navigation.get_by_role("link")).to_have_text(
        ["Home", "Case audits", "Action plan", "Dashboards", "Reports", "Your account"]
    )
    expect(navigation.get_by_role("button", name="Sign out")).to_be_visible()
    page_problems.assert_none()
