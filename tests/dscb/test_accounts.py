"""Signing in and out, passwords, sessions and throttling (SECURITY.md rows 3 to 9)."""

from __future__ import annotations

import logging
import time

import pytest
from django.contrib.auth.hashers import check_password
from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse

from dscb import settings as production_settings
from dscb.middleware import SESSION_LAST_SEEN_AT, SESSION_STARTED_AT
from dscb.models import User
from tests.conftest import Client, sign_in
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def post_sign_in(client: Client, email: str, password: str):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_a_person_signs_in_with_their_email_address_and_password(client, settings):
    settings.MFA_REQUIRED = False
    user = UserFactory(email="jo.bloggs@example.org", is_board_member=True)
    response = post_sign_in(client, "Jo.Bloggs@Example.org", TEST_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_wrong_password_is_refused_with_a_message_and_the_email_kept(client):
    UserFactory(email="jo.bloggs@example.org")
    response = post_sign_in(client, "jo.bloggs@example.org", "not-the-password")
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert b'value="jo.bloggs@example.org"' in response.content
    assert "_auth_user_id" not in client.session


def test_sign_in_does_not_reveal_whether_an_account_exists(client):
    UserFactory(email="jo.bloggs@example.org")
    known = post_sign_in(client, "jo.bloggs@example.org", "not-the-password")
    unknown = post_sign_in(Client(), "nobody@example.org", "not-the-password")
    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].errors == unknown.context["form"].errors


def test_there_is_no_self_sign_up(client):
    assert client.get("/accounts/signup/").status_code == 404


def test_repeated_failed_sign_ins_are_refused_even_with_the_right_password_and_logged(client, settings, caplog):
    user = UserFactory()
    for _ in range(settings.LOGIN_ATTEMPTS_LIMIT):
        post_sign_in(client, user.email, "not-the-password")
    with caplog.at_level(logging.WARNING, logger="dscb.security"):
        response = post_sign_in(client, user.email, TEST_PASSWORD)
    assert response.status_code == 200
    assert b"Too many failed login attempts" in response.content
    assert "_auth_user_id" not in client.session
    assert "too many failed attempts" in caplog.text


# Behind the HTTPS proxy every request comes from the proxy's address. The throttling
# counters live in the database cache, which each test's transaction rolls back.
PROXY = "10.0.0.2"
IP_LIMIT = 10  # "10/m/ip" in ACCOUNT_RATE_LIMITS


def behind_the_proxy(client_address: str) -> Client:
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address)


def fail_from_one_address(client: Client, times: int) -> None:
    # A made-up address each time, so only the limit by network address comes into play.
    for attempt in range(times):
        post_sign_in(client, f"made.up.{attempt}@example.org", "a guess")


def test_behind_a_trusted_proxy_one_clients_failures_do_not_lock_others_out(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    user = UserFactory()
    attacker = behind_the_proxy("203.0.113.7")
    fail_from_one_address(attacker, IP_LIMIT)
    assert b"Too many failed login attempts" in post_sign_in(attacker, user.email, TEST_PASSWORD).content
    colleague = behind_the_proxy("198.51.100.4")
    response = post_sign_in(colleague, user.email, TEST_PASSWORD)
    assert response.status_code == 302
    assert colleague.session["_auth_user_id"] == str(user.pk)


def test_without_a_trusted_proxy_a_forged_forwarded_for_header_does_not_dodge_the_limit(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    user = UserFactory()
    for attempt in range(IP_LIMIT):
        post_sign_in(behind_the_proxy(f"203.0.113.{attempt}"), f"made.up.{attempt}@example.org", "a guess")
    other_header = behind_the_proxy("198.51.100.4")
    response = post_sign_in(other_header, user.email, TEST_PASSWORD)
    assert b"Too many failed login attempts" in response.content
    assert "_auth_user_id" not in other_header.session


def test_the_security_log_names_the_client_address_the_throttling_counts(settings, caplog):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    attacker = behind_the_proxy("203.0.113.7")
    with caplog.at_level(logging.WARNING, logger="dscb.security"):
        fail_from_one_address(attacker, IP_LIMIT + 1)
    assert "Failed sign-in from 203.0.113.7" in caplog.text
    assert "too many failed attempts from 203.0.113.7" in caplog.text
    assert PROXY not in caplog.text


def test_a_shorter_forwarded_for_header_than_expected_counts_the_connecting_address(settings, caplog):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    with caplog.at_level(logging.WARNING, logger="dscb.security"):
        response = post_sign_in(behind_the_proxy("203.0.113.7"), "made.up@example.org", "a guess")
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert f"Failed sign-in from {PROXY}" in caplog.text


def test_failed_sign_ins_are_logged_without_the_password(client, caplog):
    user = UserFactory()
    with caplog.at_level(logging.INFO, logger="dscb.security"):
        post_sign_in(client, user.email, "a-secret-that-must-not-be-logged")
    assert "Failed sign-in" in caplog.text
    assert "a-secret-that-must-not-be-logged" not in caplog.text


def test_signing_in_gives_a_new_session_key(client):
    user = UserFactory()
    client.get(reverse("account_login"))
    session = client.session
    session["before"] = True
    session.save()
    before = session.session_key
    post_sign_in(client, user.email, TEST_PASSWORD)
    assert client.session.session_key != before


def test_signing_out_ends_the_session_on_the_server(client):
    user = UserFactory(is_board_member=True)
    sign_in(client, user)
    old_key = client.session.session_key
    client.post(reverse("account_logout"))
    assert not Session.objects.filter(session_key=old_key).exists()
    replay = Client()
    replay.cookies["sessionid"] = old_key
    response = replay.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def age_session(client: Client, *, idle_seconds: float = 0, lifetime_seconds: float = 0) -> None:
    session = client.session
    now = time.time()
    session[SESSION_LAST_SEEN_AT] = now - idle_seconds
    session[SESSION_STARTED_AT] = now - max(lifetime_seconds, idle_seconds)
    session.save()


def test_a_session_ends_after_thirty_minutes_idle(client):
    sign_in(client, UserFactory(is_board_member=True))
    age_session(client, idle_seconds=29 * 60)
    assert client.get(reverse("home")).status_code == 200
    age_session(client, idle_seconds=31 * 60)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    assert "_auth_user_id" not in client.session


def test_the_idle_timeout_is_configurable(client, settings):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 5
    sign_in(client, UserFactory(is_board_member=True))
    age_session(client, idle_seconds=6 * 60)
    assert client.get(reverse("home")).status_code == 302


def test_a_session_ends_after_its_absolute_lifetime_however_busy(client, settings):
    sign_in(client, UserFactory(is_board_member=True))
    age_session(client, lifetime_seconds=settings.SESSION_ABSOLUTE_TIMEOUT_HOURS * 3600 + 1)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_activity_keeps_a_session_alive(client):
    sign_in(client, UserFactory(is_board_member=True))
    age_session(client, idle_seconds=20 * 60)
    client.get(reverse("home"))
    assert time.time() - client.session[SESSION_LAST_SEEN_AT] < 5


def test_deactivating_a_person_ends_their_sessions(client):
    user = UserFactory(is_board_member=True)
    sign_in(client, user)
    user.is_active = False
    user.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_deactivated_person_cannot_sign_in(client):
    user = UserFactory(is_active=False)
    post_sign_in(client, user.email, TEST_PASSWORD)
    assert "_auth_user_id" not in client.session


def test_changing_the_password_ends_other_sessions_and_tells_the_person(client):
    user = UserFactory(is_board_member=True)
    elsewhere = sign_in(Client(), user)
    sign_in(client, user)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": TEST_PASSWORD, "password1": "a new long passphrase", "password2": "a new long passphrase"},
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert elsewhere.get(reverse("home")).status_code == 302
    assert [message.to for message in mail.outbox] == [[user.email]]
    assert "password" in mail.outbox[0].subject.lower()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("elevenchars", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
        ("x" * 129, "Your password must be 128 characters or fewer."),
    ],
)
def test_passwords_must_be_long_and_not_common(client, password, message):
    sign_in(client, user := UserFactory(is_board_member=True))
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": TEST_PASSWORD, "password1": password, "password2": password},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    user.refresh_from_db()
    assert check_password(TEST_PASSWORD, user.password)


def test_there_are_no_composition_rules(client):
    sign_in(client, user := UserFactory(is_board_member=True))
    passphrase = "lowercase words only here"
    client.post(
        reverse("account_change_password"),
        {"oldpassword": TEST_PASSWORD, "password1": passphrase, "password2": passphrase},
    )
    user.refresh_from_db()
    assert check_password(passphrase, user.password)


def test_stored_passwords_are_argon2_hashes(settings):
    settings.PASSWORD_HASHERS = production_settings.PASSWORD_HASHERS
    user = User.objects.create_user("hash.check@example.org", "a long enough passphrase")
    assert user.password.startswith("argon2")


def test_password_reset_answers_the_same_whether_or_not_the_account_exists(client):
    UserFactory(email="jo.bloggs@example.org")
    known = client.post(reverse("account_reset_password"), {"email": "jo.bloggs@example.org"})
    unknown = Client().post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("account_reset_password_done")
    assert [message.to for message in mail.outbox] == [["jo.bloggs@example.org"]]


def test_a_reset_link_lets_the_person_choose_a_new_password(client):
    user = UserFactory(email="jo.bloggs@example.org")
    client.post(reverse("account_reset_password"), {"email": user.email})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/password/reset/key/" in line)
    path = link[link.index("/accounts/") :].strip()
    form_page = client.get(path, follow=True)
    assert b"Choose a new password" in form_page.content
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
        {"password1": "a brand new passphrase", "password2": "a brand new passphrase"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert check_password("a brand new passphrase", user.password)


def test_the_sign_in_form_shows_errors_next_to_the_fields_and_in_a_summary(client):
    response = client.post(reverse("account_login"), {"login": "", "password": ""})
    content = response.content.decode()
    assert "<title>Error: Sign in" in content
    assert 'class="govuk-error-summary"' in content
    assert '<a href="#id_login">Enter your email address</a>' in content
    assert 'id="id_login_error"' in content or "govuk-error-message" in content
