"""Signing in with the organisation's identity provider (OpenID Connect, dscb.oidc).

These go through allauth's real views, from the sign-in button to the callback, with
the network standing in: the provider's discovery document, its token answer and the
ID token's claims are given here. tests/browser/test_oidc_sign_in.py signs in through
a real provider."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount, SocialToken
from allauth.socialaccount.providers.oauth2.client import OAuth2Client
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.urls import reverse

from dscb.models import SecurityEvent, User
from dscb.oidc import provider_did_two_step_verification
from tests.conftest import Client, make_user, sign_in
from tests.factories import TEST_PASSWORD, UserFactory, activate_totp
from tests.oidc_provider import provider_settings

ISSUER = "https://login.example.org"
DISCOVERY = {
    "issuer": ISSUER,
    "authorization_endpoint": f"{ISSUER}/authorize",
    "token_endpoint": f"{ISSUER}/token",
    "userinfo_endpoint": f"{ISSUER}/userinfo",
    "jwks_uri": f"{ISSUER}/jwks",
    "token_endpoint_auth_methods_supported": ["client_secret_post"],
}
LOGIN_URL = reverse("openid_connect_login", kwargs={"provider_id": "organisation"})
CALLBACK_URL = reverse("openid_connect_callback", kwargs={"provider_id": "organisation"})


@pytest.fixture
def oidc(settings, monkeypatch):
    """The service pointed at a provider whose answers each test gives."""
    provider_settings(settings, None, MFA_REQUIRED=True)
    monkeypatch.setattr(OpenIDConnectOAuth2Adapter, "openid_config", property(lambda adapter: DISCOVERY))
    return settings


def provider_answers(monkeypatch: Any, given: dict[str, Any]) -> None:
    """The provider's token answer, and ``given`` as the ID token's claims (and the
    userinfo answer's, without amr and acr)."""
    claims = {"sub": "sub-1", "email_verified": True, **given}
    monkeypatch.setattr(
        OAuth2Client,
        "get_access_token",
        lambda self, code, pkce_code_verifier=None, extra_data=None: {
            "access_token": "access-token",
            "token_type": "Bearer",
            "id_token": "header.payload.signature",
        },
    )
    monkeypatch.setattr(OpenIDConnectOAuth2Adapter, "_decode_id_token", lambda self, app, token: dict(claims))
    userinfo = {key: value for key, value in claims.items() if key not in {"amr", "acr"}}
    monkeypatch.setattr(OpenIDConnectOAuth2Adapter, "_fetch_user_info", lambda self, token: dict(userinfo))


def sign_in_through_provider(client: Client, monkeypatch: Any, claims: dict[str, Any], process: str = "login") -> Any:
    """Press the provider's button and come back with ``claims``; returns the callback's response."""
    provider_answers(monkeypatch, claims)
    started = client.post(LOGIN_URL, {"process": process})
    assert started.status_code == 302
    location = urlsplit(started["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == DISCOVERY["authorization_endpoint"]
    query = parse_qs(location.query)
    assert query["code_challenge_method"] == ["S256"]
    return client.get(CALLBACK_URL, {"code": "the-code", "state": query["state"][0]})


# --- The rule: when the provider's two-step verification counts ----------------------------


@pytest.mark.parametrize(
    ("claims", "counts"),
    [
        ({"amr": ["pwd", "mfa"]}, True),
        ({"amr": ["otp"]}, True),
        ({"amr": "hwk"}, True),
        ({"amr": ["pwd"]}, False),
        ({"amr": []}, False),
        ({}, False),
        ({"acr": "urn:example:loa:2"}, False),
        ({"amr": None, "acr": None}, False),
        ({"amr": {"mfa": True}}, False),
    ],
)
def test_amr_counts_only_with_a_listed_method(settings, claims, counts):
    settings.OIDC_MFA_AMR = frozenset({"mfa", "otp", "hwk"})
    settings.OIDC_MFA_ACR = frozenset()
    assert provider_did_two_step_verification(claims) is counts


def test_acr_counts_only_when_listed(settings):
    settings.OIDC_MFA_AMR = frozenset({"mfa"})
    settings.OIDC_MFA_ACR = frozenset({"urn:example:loa:2"})
    assert provider_did_two_step_verification({"acr": "urn:example:loa:2", "amr": ["pwd"]})
    assert not provider_did_two_step_verification({"acr": "urn:example:loa:1", "amr": ["pwd"]})
    assert not provider_did_two_step_verification({"acr": ["urn:example:loa:2"]})


# --- Who may come in -------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_address_outside_the_allowed_domains_is_refused_and_recorded(oidc, client, monkeypatch):
    response = sign_in_through_provider(client, monkeypatch, {"email": "Someone@Gmail.com", "name": "Someone"})

    assert response.status_code == 403
    assert "You cannot sign in with this account" in response.content.decode()
    assert "@northshire.gov.uk" in response.content.decode()
    assert not User.objects.filter(email__iexact="someone@gmail.com").exists()
    assert not SocialAccount.objects.exists()
    event = SecurityEvent.objects.get()
    assert event.kind == SecurityEvent.Kind.SIGN_IN_REFUSED
    assert event.email == "someone@gmail.com"
    assert event.detail == {"domain": "gmail.com", "reason": "domain"}
    assert event.user is None
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_lookalike_domain_is_refused(oidc, client, monkeypatch):
    response = sign_in_through_provider(client, monkeypatch, {"email": "x@northshire.gov.uk.evil.org"})
    assert response.status_code == 403
    assert not User.objects.exists()


@pytest.mark.django_db
def test_a_provider_that_sends_no_address_is_refused(oidc, client, monkeypatch):
    response = sign_in_through_provider(client, monkeypatch, {"name": "No address"})
    assert response.status_code == 403
    assert SecurityEvent.objects.get().kind == SecurityEvent.Kind.SIGN_IN_REFUSED


@pytest.mark.django_db
def test_first_sign_in_creates_a_person_with_no_roles(oidc, client, monkeypatch):
    oidc.MFA_REQUIRED = False
    response = sign_in_through_provider(
        client, monkeypatch, {"email": "New.Person@Northshire.gov.uk", "name": "New Person", "amr": ["pwd"]}
    )

    assert response.status_code == 302
    assert response["Location"] == "/"
    person = User.objects.get()
    assert person.email == "new.person@northshire.gov.uk"
    assert person.full_name == "New Person"
    assert person.roles == frozenset()
    assert not person.has_usable_password()
    assert SocialAccount.objects.get().user == person
    assert not SocialToken.objects.exists()
    home = client.get("/")
    assert home.status_code == 200
    assert "You do not have a role yet" in home.content.decode()
    assert "You are signed in as New Person" in home.content.decode()
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SIGN_IN)
    assert event.user == person
    assert event.detail == {"method": "oidc"}


@pytest.mark.django_db
def test_an_existing_person_signs_in_to_their_own_account(oidc, client, monkeypatch):
    oidc.MFA_REQUIRED = False
    person = UserFactory(email="pat.lee@northshire.gov.uk", is_executive=True)

    response = sign_in_through_provider(client, monkeypatch, {"email": "Pat.Lee@northshire.gov.uk", "amr": ["pwd"]})

    assert response.status_code == 302
    assert User.objects.count() == 1
    assert int(client.session["_auth_user_id"]) == person.pk
    assert SocialAccount.objects.get().user == person
    person.refresh_from_db()
    assert person.is_executive
    assert person.has_usable_password()  # their address was verified: nothing to wipe

    # Next time the provider's account is already connected: the same person again.
    client.post(reverse("account_logout"))
    sign_in_through_provider(client, monkeypatch, {"email": "pat.lee@northshire.gov.uk", "amr": ["pwd"]})
    assert int(client.session["_auth_user_id"]) == person.pk
    assert SocialAccount.objects.count() == 1


@pytest.mark.django_db
def test_a_deactivated_person_stays_out(oidc, client, monkeypatch):
    UserFactory(email="gone@northshire.gov.uk", is_active=False)

    response = sign_in_through_provider(client, monkeypatch, {"email": "gone@northshire.gov.uk", "amr": ["mfa"]})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_inactive")
    assert "_auth_user_id" not in client.session
    event = SecurityEvent.objects.get()
    assert (event.kind, event.detail) == (SecurityEvent.Kind.SIGN_IN_REFUSED, {"reason": "deactivated"})


@pytest.mark.django_db
def test_opening_the_buttons_address_asks_before_leaving(oidc, client):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    assert "Sign in with Northshire County Council" in response.content.decode()


@pytest.mark.django_db
def test_the_sign_in_page_offers_the_provider_beside_passwords(oidc, client):
    page = client.get(reverse("account_login")).content.decode()
    assert f'action="{LOGIN_URL}"' in page
    assert "Sign in with Northshire County Council" in page
    assert 'name="password"' in page


@pytest.mark.django_db
def test_cancelling_at_the_provider_shows_a_page_not_an_error(oidc, client):
    started = client.post(LOGIN_URL, {"process": "login"})
    state = parse_qs(urlsplit(started["Location"]).query)["state"][0]
    response = client.get(CALLBACK_URL, {"error": "access_denied", "state": state})
    assert response.status_code == 400
    assert "You did not finish signing in" in response.content.decode()


@pytest.mark.django_db
def test_a_provider_that_cannot_be_reached_is_explained(oidc, client, monkeypatch):
    def unreachable(adapter: Any) -> dict[str, Any]:
        raise requests.ConnectionError("connection refused")

    monkeypatch.setattr(OpenIDConnectOAuth2Adapter, "openid_config", property(unreachable))
    response = client.post(LOGIN_URL, {"process": "login"})
    assert response.status_code == 503
    assert "your organisation's sign-in is not available" in response.content.decode()


@pytest.mark.django_db
def test_connecting_a_provider_to_a_signed_in_account_is_not_offered(oidc, client, monkeypatch):
    sign_in(client, make_user(None, email="a@northshire.gov.uk"))
    response = sign_in_through_provider(client, monkeypatch, {"email": "b@northshire.gov.uk"}, process="connect")
    assert response.status_code == 400
    assert not SocialAccount.objects.exists()


@pytest.mark.django_db
def test_without_an_issuer_the_provider_urls_are_not_found(client, settings):
    settings.OIDC_ISSUER = ""
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}}
    assert client.post(LOGIN_URL, {"process": "login"}).status_code == 404
    assert client.get(CALLBACK_URL, {"code": "x", "state": "y"}).status_code == 404
    page = client.get(reverse("account_login")).content.decode()
    assert reverse("openid_connect_login", kwargs={"provider_id": "organisation"}) not in page
    assert 'name="password"' in page


# --- Two-step verification -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_providers_second_factor_counts(oidc, client, monkeypatch):
    response = sign_in_through_provider(client, monkeypatch, {"email": "kim@northshire.gov.uk", "amr": ["pwd", "mfa"]})

    assert response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "You do not have a role yet" in home.content.decode()


@pytest.mark.django_db
def test_an_acr_the_board_lists_counts(oidc, client, monkeypatch):
    oidc.OIDC_MFA_ACR = frozenset({"urn:northshire:mfa"})
    sign_in_through_provider(client, monkeypatch, {"email": "kim@northshire.gov.uk", "acr": "urn:northshire:mfa"})
    assert client.get("/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("claims", [{}, {"amr": ["pwd"]}, {"acr": "urn:northshire:mfa"}])
def test_without_the_providers_second_factor_the_service_asks_for_set_up(oidc, client, monkeypatch, claims):
    sign_in_through_provider(client, monkeypatch, {"email": "kim@northshire.gov.uk", **claims})
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.django_db
def test_without_the_providers_second_factor_a_person_with_an_app_is_asked_for_a_code(oidc, client, monkeypatch):
    person = UserFactory(email="kim@northshire.gov.uk")
    activate_totp(person)

    response = sign_in_through_provider(client, monkeypatch, {"email": "kim@northshire.gov.uk", "amr": ["pwd"]})

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_with_the_providers_second_factor_a_person_with_an_app_is_not_asked_for_a_code(oidc, client, monkeypatch):
    person = UserFactory(email="kim@northshire.gov.uk")
    activate_totp(person)

    response = sign_in_through_provider(client, monkeypatch, {"email": "kim@northshire.gov.uk", "amr": ["otp"]})

    assert response["Location"] == "/"
    assert int(client.session["_auth_user_id"]) == person.pk
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_someone_without_a_password_or_app_confirms_who_they_are_with_the_provider(oidc, client, monkeypatch):
    sign_in_through_provider(client, monkeypatch, {"email": "kim@northshire.gov.uk", "amr": ["mfa"]})
    session = client.session
    session["account_authentication_methods"] = [
        {**record, "at": record["at"] - 3600} for record in session["account_authentication_methods"]
    ]
    session.save()

    # Setting up an authenticator app needs a recent sign-in: the provider's, again.
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == LOGIN_URL
    assert parse_qs(location.query)["next"] == [reverse("mfa_activate_totp")]
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Confirm it is you" in page.content.decode()

    started = client.post(response["Location"])
    state = parse_qs(urlsplit(started["Location"]).query)["state"][0]
    back = client.get(CALLBACK_URL, {"code": "the-code", "state": state})
    assert back["Location"] == reverse("mfa_activate_totp")
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    assert User.objects.count() == 1


# --- LOCAL_PASSWORDS=false --------------------------------------------------------------------


@pytest.fixture
def provider_only(oidc):
    oidc.LOCAL_PASSWORDS = False
    return oidc


@pytest.mark.django_db
def test_without_local_passwords_the_sign_in_page_offers_only_the_provider(provider_only, client):
    page = client.get(reverse("account_login")).content.decode()
    assert "Sign in with Northshire County Council" in page
    assert 'name="password"' not in page
    assert "forgotten my password" not in page


@pytest.mark.django_db
def test_without_local_passwords_a_password_is_not_accepted(provider_only, client):
    person = UserFactory(email="pat@northshire.gov.uk")
    response = client.post(reverse("account_login"), {"login": person.email, "password": TEST_PASSWORD})
    assert response.status_code == 404
    assert "This service does not use passwords" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        reverse("account_reset_password"),
        reverse("account_reset_password_done"),
        reverse("account_reset_password_from_key", kwargs={"uidb36": "1", "key": "abc-def"}),
        reverse("account_reset_password_from_key_done"),
    ],
)
def test_without_local_passwords_there_is_no_reset(provider_only, client, url, mailoutbox):
    assert client.get(url).status_code == 404
    UserFactory(email="pat@northshire.gov.uk")
    assert client.post(url, {"email": "pat@northshire.gov.uk"}).status_code == 404
    assert mailoutbox == []


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["account_change_password", "account_set_password"])
def test_without_local_passwords_no_password_is_changed_or_set(provider_only, client, name):
    person = make_user(None, email="pat@northshire.gov.uk")
    sign_in(client, person)
    before = User.objects.get().password
    response = client.post(
        reverse(name),
        {"oldpassword": TEST_PASSWORD, "password1": "a-new-long-password", "password2": "a-new-long-password"},
    )
    assert response.status_code == 404
    assert User.objects.get().password == before


@pytest.mark.django_db
def test_without_local_passwords_the_account_page_offers_no_password_change(provider_only, client):
    sign_in(client, make_user(None, email="pat@northshire.gov.uk"))
    page = client.get(reverse("account")).content.decode()
    assert reverse("account_change_password") not in page
    assert "Password" not in page


@pytest.mark.django_db
def test_with_local_passwords_someone_from_the_provider_may_set_one(oidc, client):
    person = make_user(None, email="pat@northshire.gov.uk")
    person.set_unusable_password()
    person.save()
    sign_in(client, person)
    page = client.get(reverse("account")).content.decode()
    assert "Not set: you sign in through your organisation" in page
    assert reverse("account_set_password") in page
