"""The security baseline every response carries (SECURITY.md rows 10, 15, 23, 24, 25)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import Client
from tests.factories import TEST_PASSWORD, UserFactory
from tests.permissions import MATRIX
from tests.test_permission_matrix import sample_kwargs


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.django_db
def test_the_content_security_policy_allows_only_our_own_origin_and_no_inline_code(client):
    directives = csp_directives(client.get(reverse("account_login")))
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    for values in directives.values():
        assert not any("unsafe" in value for value in values)
        assert not any(value.startswith(("http:", "https:", "*")) for value in values)


@pytest.mark.django_db
def test_every_page_forbids_framing_sniffing_and_leaking_the_referrer(admin_client):
    kwargs = sample_kwargs()
    for name in MATRIX:
        response = admin_client.get(reverse(name, kwargs=kwargs.get(name)))
        if response.streaming:  # a download: read it, so the test client closes its file
            b"".join(response.streaming_content)
        assert response["X-Frame-Options"] == "DENY", name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["Referrer-Policy"] == "same-origin", name
        assert "Content-Security-Policy" in response, name


@pytest.mark.django_db
def test_no_page_for_a_signed_in_user_may_be_stored_by_a_cache(admin_client):
    kwargs = sample_kwargs()
    for name in MATRIX:
        response = admin_client.get(reverse(name, kwargs=kwargs.get(name)))
        if response.streaming:  # a download: read it, so the test client closes its file
            b"".join(response.streaming_content)
        assert "no-store" in response["Cache-Control"], name


@pytest.mark.django_db
def test_https_responses_carry_hsts(client):
    response = client.get(reverse("account_login"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_in_production(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(reverse("account_login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_secure_httponly_and_same_site(client):
    user = UserFactory()
    client.get(reverse("account_login"))
    response = client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    session_cookie = response.cookies["sessionid"]
    assert session_cookie["secure"] is True
    assert session_cookie["httponly"] is True
    assert session_cookie["samesite"] == "Lax"
    csrf_cookie = client.cookies["csrftoken"]
    assert csrf_cookie["secure"] is True
    assert csrf_cookie["httponly"] is True


@pytest.mark.django_db
def test_a_form_posted_without_its_csrf_token_is_refused_with_a_styled_page():
    user = UserFactory()
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD}, csrf=False)
    assert response.status_code == 403
    assert b"Sorry, the form could not be sent" in response.content
    assert b"govuk-template" in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_signing_out_happens_only_by_post(admin_client):
    response = admin_client.get(reverse("account_logout"))
    assert response.status_code == 200
    assert admin_client.get(reverse("home")).status_code == 200
    admin_client.post(reverse("account_logout"))
    assert admin_client.get(reverse("home")).status_code == 302
