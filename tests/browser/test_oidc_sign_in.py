"""Signing in with the organisation's identity provider, for real: a real OpenID Connect
provider (tests/oidc, started on 127.0.0.1) and Chromium walking from the service's
sign-in page to the provider's pages and back. Without Node.js or the provider's
packages these skip, except under CI=true, where they fail (tests/oidc_provider.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from dscb.models import SecurityEvent, User
from tests.browser.conftest import audit_page
from tests.oidc_provider import IdentityProvider, provider_settings, running_provider

PROVIDER_BUTTON = "Sign in with Northshire County Council"


@pytest.fixture(scope="module")
def test_provider(live_server: Any) -> Iterator[IdentityProvider]:
    callback = reverse("openid_connect_callback", kwargs={"provider_id": "organisation"})
    with running_provider(redirect_uri=f"{live_server.url}{callback}") as provider:
        yield provider


@pytest.fixture
def oidc_service(settings: Any, test_provider: IdentityProvider) -> IdentityProvider:
    provider_settings(settings, test_provider, name=PROVIDER_BUTTON, MFA_REQUIRED=True)
    return test_provider


def sign_in_at_the_provider(page: Page, *, email: str, name: str = "", second_factor: bool) -> None:
    """On the provider's own pages: sign in, and allow the service to know who you are."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Test identity provider: sign in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Full name").fill(name)
    if second_factor:
        page.get_by_label("I used a second factor").check()
    page.get_by_role("button", name="Sign in to the provider").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Test identity provider: allow access")
    page.get_by_role("button", name="Allow").click()


def press_the_provider_button(page: Page, live_server: Any, page_problems: Any) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert audit_page(page, page_problems) == []
    page.get_by_role("button", name=PROVIDER_BUTTON).click()


def test_first_sign_in_gets_no_role_and_a_role_given_shows_next_time(
    page: Page, live_server: Any, page_problems: Any, oidc_service: IdentityProvider
) -> None:
    press_the_provider_button(page, live_server, page_problems)
    sign_in_at_the_provider(page, email="Robin.Ash@northshire.gov.uk", name="Robin Ash", second_factor=True)

    # The provider's second factor counts: Home, with no detour to set up a code.
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(settings.BOARD_NAME)
    main = page.get_by_role("main")
    expect(main).to_contain_text("You are signed in as Robin Ash.")
    expect(main).to_contain_text("You do not have a role yet. Ask an administrator to give you the roles you need.")
    page.wait_for_load_state("load")
    assert audit_page(page, page_problems) == []
    person = User.objects.get(email="robin.ash@northshire.gov.uk")
    assert person.roles == frozenset()
    signed_in = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SIGN_IN, user=person)
    assert signed_in.detail == {"method": "oidc"}

    page.get_by_role("navigation", name="Menu").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

    # An administrator gives them a role (the people pages are another issue's).
    person.is_board_member = True
    person.save()

    # The provider remembers them: straight back, to Home with the role.
    press_the_provider_button(page, live_server, page_problems)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("main")).to_contain_text("You are signed in as Robin Ash, with the role: Board member.")
    assert User.objects.filter(email__iexact="robin.ash@northshire.gov.uk").count() == 1
    page.wait_for_load_state("load")
    page_problems.assert_none()


def test_without_the_providers_second_factor_the_service_asks_for_its_own(
    page: Page, live_server: Any, page_problems: Any, oidc_service: IdentityProvider
) -> None:
    press_the_provider_button(page, live_server, page_problems)
    sign_in_at_the_provider(page, email="sam.oak@northshire.gov.uk", name="Sam Oak", second_factor=False)

    expect(page).to_have_url(f"{live_server.url}{reverse('mfa_activate_totp')}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step verification")
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}{reverse('mfa_activate_totp')}")
    page.wait_for_load_state("load")
    page_problems.assert_none()


def test_an_address_from_another_domain_is_refused(
    page: Page, live_server: Any, page_problems: Any, oidc_service: IdentityProvider
) -> None:
    press_the_provider_button(page, live_server, page_problems)
    sign_in_at_the_provider(page, email="someone@example.com", second_factor=True)

    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot sign in with this account")
    expect(page.get_by_role("main")).to_contain_text("Only email addresses ending in @northshire.gov.uk")
    assert audit_page(page, page_problems) == []
    assert not User.objects.filter(email="someone@example.com").exists()
    assert SecurityEvent.objects.get(kind=SecurityEvent.Kind.SIGN_IN_REFUSED).email == "someone@example.com"


def test_without_local_passwords_the_sign_in_page_is_the_button_alone(
    page: Page, live_server: Any, page_problems: Any, oidc_service: IdentityProvider, settings: Any
) -> None:
    settings.LOCAL_PASSWORDS = False
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("button", name=PROVIDER_BUTTON)).to_be_visible()
    expect(page.get_by_label("Password", exact=True)).to_have_count(0)
    assert audit_page(page, page_problems) == []
    page.goto(f"{live_server.url}{reverse('account_reset_password')}")
    expect(page.get_by_role("heading", level=1)).to_have_text("This service does not use passwords")
    assert audit_page(page, page_problems) == []


def test_the_providers_other_pages_of_ours_are_accessible(
    page: Page, live_server: Any, page_problems: Any, oidc_service: IdentityProvider
) -> None:
    # Opening the button's address directly asks before leaving for the provider.
    page.goto(f"{live_server.url}{reverse('openid_connect_login', kwargs={'provider_id': 'organisation'})}")
    expect(page.get_by_role("button", name=PROVIDER_BUTTON)).to_be_visible()
    assert audit_page(page, page_problems) == []
    # Coming back with an answer the service did not ask for.
    callback = reverse("openid_connect_callback", kwargs={"provider_id": "organisation"})
    page.goto(f"{live_server.url}{callback}?error=access_denied&state=not-ours")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sorry, signing in did not work")
    assert audit_page(page, page_problems) == []
