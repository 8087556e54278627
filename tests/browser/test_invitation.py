"""From an administrator's invitation to the home page, with two-step verification
required: nothing a stranger does beforehand may stop the person setting it up."""

from __future__ import annotations

import re
from typing import Any

from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core import mail
from playwright.sync_api import Page, expect

from dscb.models import Role, User
from tests.browser.conftest import PageProblems, audit_page, make_role_user, sign_in_with_mfa, sign_in_with_password
from tests.factories import UserFactory, totp_code

NEW_PASSWORD = "a long passphrase of my own"
SET_UP = "Set up two-step verification"


def heading(page: Page) -> Any:
    return page.get_by_role("heading", level=1)


def invite(page: Page, live_server: Any, email: str, full_name: str) -> None:
    """Administration → People → Invite a person, as a signed-in administrator."""
    page.goto(f"{live_server.url}/")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="People", exact=True).click()
    page.get_by_role("link", name="Invite a person").click()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Full name").fill(full_name)
    page.get_by_label("Executive member").check()
    page.get_by_role("button", name="Invite person").click()
    expect(page.get_by_text(f"an email has been sent to {email} to choose a password.")).to_be_visible()


def invitation_link(live_server: Any, email: str) -> str:
    """The link in the first email to ``email``: the administrator's invitation."""
    body = next(message.body for message in mail.outbox if message.to == [email])
    link = re.search(r"\S+/accounts/password/reset/key/\S+", body).group(0)
    assert link.startswith(f"{live_server.url}/"), link  # the host the administrator used
    return link


def accept_invitation(page: Page, live_server: Any, user: User, page_problems: PageProblems) -> None:
    """Choose a password from the emailed link, sign in, set up an authenticator app."""
    page.goto(invitation_link(live_server, user.email))
    expect(heading(page)).to_have_text("Choose a new password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save password").click()
    expect(heading(page)).to_have_text("Your password has been changed")

    page.get_by_role("main").get_by_role("link", name="Sign in").click()
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(f"{live_server.url}/accounts/mfa/totp/activate/")
    expect(heading(page)).to_have_text(SET_UP)
    failures = audit_page(page, page_problems)
    assert not failures, "\n".join(failures)
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    page.get_by_label("Security code").fill(totp_code(secret))
    page.get_by_role("button", name="Turn on two-step verification").click()

    expect(heading(page)).to_have_text("Your recovery codes")
    page.get_by_role("link", name="Continue to the service").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(heading(page)).to_have_text(settings.BOARD_NAME)
    page.wait_for_load_state("load")


def sign_out(page: Page, live_server: Any) -> None:
    page.goto(f"{live_server.url}/")
    page.get_by_role("navigation", name="Menu").get_by_role("button", name="Sign out").click()
    expect(heading(page)).to_have_text("Sign in")


def test_invited_people_set_up_two_step_verification_whatever_a_stranger_did_first(
    page: Page, live_server: Any, page_problems: PageProblems
) -> None:
    administrator, secret = make_role_user(Role.ADMINISTRATOR)
    sign_in_with_mfa(page, live_server, administrator, secret)
    invite(page, live_server, "first.invitee@example.org", "First Invitee")
    invite(page, live_server, "second.invitee@example.org", "Second Invitee")
    sign_out(page, live_server)
    first = User.objects.get(email="first.invitee@example.org")
    second = User.objects.get(email="second.invitee@example.org")

    accept_invitation(page, live_server, first, page_problems)
    sign_out(page, live_server)

    # A stranger asks for a reset link for the second person and tries a made-up one.
    page.goto(f"{live_server.url}/accounts/password/reset/")
    page.get_by_label("Email address").fill(second.email)
    page.get_by_role("button", name="Send the link").click()
    expect(heading(page)).to_have_text("Check your email")
    page.goto(f"{live_server.url}/accounts/password/reset/key/{user_pk_to_url_str(second)}-abc-def/")
    expect(heading(page)).to_have_text("This link has expired")
    assert list(EmailAddress.objects.filter(user=second).values_list("email", "verified")) == [(second.email, True)]

    accept_invitation(page, live_server, second, page_problems)
    page_problems.assert_none()


def test_a_refused_set_up_explains_what_to_do_and_is_accessible(
    page: Page, live_server: Any, page_problems: PageProblems, settings: Any
) -> None:
    # allauth's own refusal, as before MFA_ALLOW_UNVERIFIED_EMAIL: the person is told
    # what to do rather than sent between two pages for ever.
    settings.MFA_ALLOW_UNVERIFIED_EMAIL = False
    user = UserFactory(is_board_member=True)
    EmailAddress.objects.filter(user=user).update(verified=False)
    sign_in_with_password(page, live_server, user)
    expect(page).to_have_url(f"{live_server.url}/accounts/mfa/totp/activate/")
    expect(heading(page)).to_have_text("You cannot finish signing in at the moment")
    failures = audit_page(page, page_problems)
    assert not failures, "\n".join(failures)
    page.get_by_role("main").get_by_role("button", name="Sign out").click()
    expect(heading(page)).to_have_text("Sign in")
    page_problems.assert_none()
