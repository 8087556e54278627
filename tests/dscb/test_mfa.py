"""Two-step verification (SECURITY.md rows 1, 2 and 6)."""

from __future__ import annotations

import importlib
import logging
import re
from urllib.parse import urljoin, urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.apps import apps as django_apps
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dscb.demo import create_demo_accounts
from dscb.models import User
from tests.conftest import Client, sign_in
from tests.factories import TEST_PASSWORD, UserFactory, activate_totp, totp_code
from tests.test_permission_matrix import sample_kwargs, url_names

pytestmark = pytest.mark.django_db


def start_sign_in(client: Client, user) -> None:
    response = client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")


def test_a_person_without_mfa_is_taken_to_set_it_up_before_anything_else(client):
    user = UserFactory(is_executive=True)
    response = client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("mfa_activate_totp")
    assert b"Set up two-step verification" in response.content
    for url in (reverse("home"), reverse("account"), reverse("account_change_password")):
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


def test_there_is_no_other_sign_in_form_to_get_round_mfa(client):
    # Django's admin site had its own; it is gone, and its address signs nobody in.
    user = UserFactory(is_administrator=True)
    activate_totp(user)
    response = client.post("/admin/login/", {"username": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 404
    assert "_auth_user_id" not in client.session


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


# --- The person's email address is trusted (no unverified address blocks set-up) ---------


def addresses_of(user) -> list[tuple[str, bool, bool]]:
    return list(EmailAddress.objects.filter(user=user).values_list("email", "verified", "primary"))


def test_every_way_of_making_a_person_gives_them_one_verified_address(admin_client, settings, monkeypatch):
    made = [
        User.objects.create_user("made.by.code@example.org", "a long enough passphrase"),
        UserFactory(),
    ]
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long enough passphrase")
    call_command("createsuperuser", email="first.admin@example.org", interactive=False, verbosity=0)
    made.append(User.objects.get(email="first.admin@example.org"))
    made.extend(create_demo_accounts())
    admin_client.post(
        reverse("person_invite"),
        {"email": "Invited.Person@Example.org", "full_name": "Invited Person", "roles": ["executive"]},
    )
    made.append(User.objects.get(email="invited.person@example.org"))
    for user in made:
        assert addresses_of(user) == [(user.email, True, True)], user.email


def test_changing_someones_address_replaces_their_verified_address(admin_client):
    user = UserFactory(email="old.address@example.org", is_executive=True)
    response = admin_client.post(
        reverse("person_change", args=[user.pk]),
        {
            "email": "new.address@example.org",
            "full_name": user.full_name,
            "roles": ["executive"],
            "version": user.version,
        },
    )
    assert response.status_code == 302
    assert addresses_of(user) == [("new.address@example.org", True, True)]


def test_a_save_that_leaves_the_address_alone_does_not_touch_the_address_book():
    user = UserFactory()
    with CaptureQueriesContext(connection) as captured:
        user.save(update_fields=["last_login"])  # as at every sign-in
    assert captured.captured_queries
    assert not [query for query in captured.captured_queries if "account_emailaddress" in query["sql"]]


def test_a_bogus_reset_link_or_reset_request_does_not_stop_someone_setting_up_mfa(client):
    user = UserFactory(is_executive=True)
    stranger = Client()
    stranger.get(
        reverse("account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": "abc-def"})
    )
    stranger.post(reverse("account_reset_password"), {"email": user.email})
    assert addresses_of(user) == [(user.email, True, True)]
    client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    assert b'data-testid="totp-secret"' in response.content


def test_an_old_unverified_address_does_not_stop_someone_setting_up_mfa(client):
    user = UserFactory(is_executive=True)
    EmailAddress.objects.filter(user=user).update(verified=False, primary=False)
    sign_in(client, user, mfa=False)
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    assert b'data-testid="totp-secret"' in response.content


def test_if_set_up_is_refused_the_person_is_told_what_to_do_not_sent_round_in_circles(client, settings, caplog):
    # What happened before MFA_ALLOW_UNVERIFIED_EMAIL: allauth refused the set-up and
    # sent the person to a page that sent them straight back to the set-up.
    settings.MFA_ALLOW_UNVERIFIED_EMAIL = False
    user = UserFactory(is_executive=True)
    EmailAddress.objects.filter(user=user).update(verified=False, primary=False)
    sign_in(client, user, mfa=False)
    with caplog.at_level(logging.WARNING, logger="dscb.security"):
        response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 403
    content = response.content.decode()
    assert "You cannot finish signing in at the moment" in content
    assert settings.BOARD_CONTACT_EMAIL in content
    assert f"user {user.pk}" in caplog.text
    # Still nothing else to reach: the page explains, it does not let the person in.
    assert client.get(reverse("mfa_index"))["Location"] == reverse("mfa_activate_totp")
    assert client.get(reverse("home"))["Location"] == reverse("mfa_activate_totp")


# --- No redirect loops for a session that has not passed MFA --------------------------------

MOST_REDIRECTS = 5


def redirect_chain(client: Client, url: str) -> tuple[list[str], str | None]:
    """Follow ``url``'s redirects by hand; returns the chain and what went wrong, if anything."""
    chain = [url]
    while True:
        response = client.get(chain[-1])
        if response.streaming:  # a download: read it, so the test client closes its file
            b"".join(response.streaming_content)
        if not 300 <= response.status_code < 400:
            return chain, None
        location = urlsplit(urljoin(chain[-1], response["Location"]))
        if location.netloc not in ("", "testserver"):
            return chain, None  # another site
        following = location.path + (f"?{location.query}" if location.query else "")
        if following in chain:
            return [*chain, following], "loop"
        chain.append(following)
        if len(chain) > MOST_REDIRECTS + 1:
            return chain, "too long"


@pytest.mark.parametrize(
    "situation",
    ["no authenticator", "an old unverified address", "allauth refusing set-up", "an authenticator"],
)
def test_no_page_sends_a_password_only_session_round_in_circles(client, settings, situation):
    user = UserFactory(is_audit_team=True)
    if situation in ("an old unverified address", "allauth refusing set-up"):
        EmailAddress.objects.filter(user=user).update(verified=False, primary=False)
        EmailAddress.objects.create(user=user, email="old.address@example.org")
    if situation == "allauth refusing set-up":
        settings.MFA_ALLOW_UNVERIFIED_EMAIL = False
    if situation == "an authenticator":
        activate_totp(user)
    kwargs = sample_kwargs()
    problems = []
    for name in sorted(url_names()):
        sign_in(client, user, mfa=False)  # afresh for each page: none may sign the person out
        chain, problem = redirect_chain(client, reverse(name, kwargs=kwargs.get(name)))
        if problem:
            problems.append(f"{name}: {problem}: {' -> '.join(chain)}")
    assert not problems, "\n".join(problems)


def test_the_migration_makes_everyones_address_verified_and_primary_and_removes_the_rest():
    migration = importlib.import_module("dscb.migrations.0004_email_addresses_verified")
    unverified, missing, extra, inheritor = UserFactory.create_batch(4)
    EmailAddress.objects.filter(user=unverified).update(verified=False, primary=False)
    EmailAddress.objects.filter(user=missing).delete()
    # An old primary address that another person now has, and their own unverified.
    EmailAddress.objects.filter(user=extra).update(verified=False, primary=False)
    EmailAddress.objects.filter(user=inheritor).delete()
    EmailAddress.objects.create(user=extra, email=inheritor.email, verified=True, primary=True)
    EmailAddress.objects.create(user=extra, email="another.old.one@example.org")

    migration.verify_email_addresses(django_apps, None)

    for user in (unverified, missing, extra, inheritor):
        assert addresses_of(user) == [(user.email, True, True)], user.email
    assert EmailAddress.objects.count() == 4


# An administrator resetting someone's authenticator: tests/dscb/test_people.py.
