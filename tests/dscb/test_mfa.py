"""Two-step verification (SECURITY.md rows 1, 2 and 6)."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.core import mail
from django.urls import reverse

from tests.conftest import Client, sign_in
from tests.factories import TEST_PASSWORD, UserFactory, activate_totp, totp_code

pytestmark = pytest.mark.django_db


def start_sign_in(client: Client, user) -> None:
    response = client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")


def test_a_person_without_mfa_is_taken_to_set_it_up_before_anything_else(client):
    user = UserFactory(is_executive=True)
    response = client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("mfa_activate_totp")
    assert b"Set up two-step verification" in response.content
    for url in (reverse("home"), reverse("account"), reverse("account_change_password"), "/admin/"):
        assert client.get(url)["Location"] == reverse("mfa_activate_totp"), url


def test_posts_are_held_back_too_until_mfa_is_set_up(client):
    user = UserFactory(is_executive=True)
    sign_in(client, user, mfa=False)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": TEST_PASSWORD, "password1": "a new long passphrase", "password2": "a new long passphrase"},
    )
    assert response["Location"] == reverse("mfa_activate_totp")
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


# A real transaction, so allauth's on-commit steps run inside the request as in production;
# the serialized rollback restores the reference data the flush afterwards removes.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_setting_up_an_authenticator_app_lets_the_person_in_and_tells_them(client):
    user = UserFactory(is_executive=True)
    client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    secret = re.search(rb'data-testid="totp-secret">([A-Z2-7]+)<', page.content).group(1).decode()
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists()
    assert client.get(reverse("home")).status_code == 200
    assert any("authenticator" in message.subject.lower() for message in mail.outbox)


def test_a_wrong_code_at_set_up_is_refused_next_to_the_field(client):
    user = UserFactory(is_executive=True)
    client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    client.get(reverse("mfa_activate_totp"))
    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content
    assert b"Incorrect code" in response.content
    assert not Authenticator.objects.filter(user=user).exists()


def test_a_person_with_mfa_needs_their_code_to_finish_signing_in(client):
    user = UserFactory(is_executive=True)
    secret = activate_totp(user)
    start_sign_in(client, user)
    assert client.get(reverse("home"))["Location"].startswith(reverse("account_login"))
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_a_code_cannot_be_used_twice(client):
    user = UserFactory(is_executive=True)
    secret = activate_totp(user)
    code = totp_code(secret)
    start_sign_in(client, user)
    client.post(reverse("mfa_authenticate"), {"code": code})
    replay = Client()
    start_sign_in(replay, user)
    response = replay.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 200
    assert b"Incorrect code" in response.content
    assert replay.get(reverse("home")).status_code == 302


def test_repeated_wrong_codes_are_throttled(client, settings):
    user = UserFactory(is_executive=True)
    secret = activate_totp(user)
    start_sign_in(client, user)
    for _ in range(settings.LOGIN_ATTEMPTS_LIMIT):
        client.post(reverse("mfa_authenticate"), {"code": "000000"})
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert b"Too many failed login attempts" in response.content
    assert client.get(reverse("home")).status_code == 302


def test_a_recovery_code_works_once(client):
    user = UserFactory(is_executive=True)
    activate_totp(user)
    code = RecoveryCodes(
        Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()[0]
    start_sign_in(client, user)
    assert client.post(reverse("mfa_authenticate"), {"code": code})["Location"] == reverse("home")
    again = Client()
    start_sign_in(again, user)
    assert again.post(reverse("mfa_authenticate"), {"code": code}).status_code == 200
    assert again.get(reverse("home")).status_code == 302


def test_a_password_only_session_of_someone_with_mfa_is_asked_for_a_code(client):
    user = UserFactory(is_executive=True)
    secret = activate_totp(user)
    sign_in(client, user, mfa=False)
    assert client.get(reverse("home"))["Location"] == reverse("mfa_reauthenticate")
    client.post(reverse("mfa_reauthenticate"), {"code": totp_code(secret)})
    assert client.get(reverse("home")).status_code == 200


def test_the_admin_sign_in_form_is_no_way_around_mfa(client):
    user = UserFactory(is_administrator=True)
    activate_totp(user)
    response = client.post("/admin/login/", {"username": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/")["Location"].startswith(reverse("account_login"))


def test_mfa_cannot_be_turned_off_where_it_is_required(client):
    user = UserFactory(is_executive=True)
    activate_totp(user)
    sign_in(client, user)
    page = client.get(reverse("mfa_deactivate_totp"))
    assert b"cannot be turned off" in page.content
    client.post(reverse("mfa_deactivate_totp"))
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_with_mfa_not_required_a_password_is_enough(client, settings):
    settings.MFA_REQUIRED = False
    user = UserFactory(is_executive=True)
    client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    assert client.get(reverse("home")).status_code == 200


def test_reloading_the_set_up_page_keeps_the_same_key(client):
    sign_in(client, UserFactory(is_executive=True), mfa=False)
    pattern = rb'data-testid="totp-secret">([A-Z2-7]+)<'
    first = re.search(pattern, client.get(reverse("mfa_activate_totp")).content).group(1)
    second = re.search(pattern, client.get(reverse("mfa_activate_totp")).content).group(1)
    assert first == second


def test_the_security_code_field_is_labelled_and_numeric(client):
    user = UserFactory(is_executive=True)
    activate_totp(user)
    start_sign_in(client, user)
    content = client.get(reverse("mfa_authenticate")).content.decode()
    assert "Security code" in content
    assert 'inputmode="numeric"' in content
    assert "placeholder" not in content


def test_signing_in_shows_no_success_banner_on_the_set_up_page(client):
    user = UserFactory(is_executive=True)
    response = client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD}, follow=True)
    assert b"Successfully signed in" not in response.content
