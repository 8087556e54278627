"""People in the browser: an administrator invites someone, changes their roles, resets
their authenticator, deactivates and reactivates them, from Administration → People. axe-core finds
no violation, and the browser no CSP problem or script error, on each page."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.core import mail
from playwright.sync_api import Page, expect

from dscb.models import Role, SecurityEvent, User
from tests.browser.conftest import PageProblems, audit_page, make_role_user, sign_in_with_mfa
from tests.factories import activate_totp, police


def heading(page: Page) -> Any:
    return page.get_by_role("heading", level=1)


def test_an_administrator_invites_someone_changes_their_roles_resets_and_deactivates(
    page: Page, live_server: Any, page_problems: PageProblems
) -> None:
    administrator, secret = make_role_user(Role.ADMINISTRATOR)
    failures: list[str] = []
    sign_in_with_mfa(page, live_server, administrator, secret)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Administration").click()
    expect(heading(page)).to_have_text("Administration")
    failures += audit_page(page, page_problems)
    page.get_by_role("link", name="People", exact=True).click()
    expect(heading(page)).to_have_text("People")
    failures += audit_page(page, page_problems)

    # Inviting: an agency auditor without an agency is refused beside the field, keeping what was typed.
    page.get_by_role("link", name="Invite a person").click()
    expect(heading(page)).to_have_text("Invite a person")
    failures += audit_page(page, page_problems)
    page.get_by_label("Email address").fill("Dana.Nurse@Example.org")
    page.get_by_label("Full name").fill("Dana Nurse")
    page.get_by_label("Job title (optional)").fill("Designated nurse")
    page.get_by_label("Agency auditor").check()
    page.get_by_role("button", name="Invite person").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the agency of this agency auditor")
    expect(page.get_by_label("Full name")).to_have_value("Dana Nurse")
    expect(page.get_by_label("Agency auditor")).to_be_checked()
    failures += audit_page(page, page_problems)
    page.get_by_label("Agency", exact=True).select_option(label=police().name)
    page.get_by_role("button", name="Invite person").click()
    expect(heading(page)).to_have_text("Dana Nurse")
    expect(page.get_by_text("an email has been sent to dana.nurse@example.org")).to_be_visible()
    failures += audit_page(page, page_problems)
    dana = User.objects.get(email="dana.nurse@example.org")
    assert [message.to for message in mail.outbox] == [[dana.email]]

    # Changing roles.
    page.get_by_role("link", name="Change details and roles").click()
    expect(heading(page)).to_have_text("Change details and roles")
    failures += audit_page(page, page_problems)
    page.get_by_label("Professional lead").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("definition").filter(has_text="Professional lead")).to_be_visible()
    dana.refresh_from_db()
    assert dana.roles == {Role.AGENCY_AUDITOR, Role.PROFESSIONAL_LEAD}

    # Resetting a lost authenticator (as if Dana had set one up).
    activate_totp(dana)
    page.reload()
    page.get_by_role("link", name="Reset authenticator").click()
    expect(heading(page)).to_have_text("Reset the authenticator of Dana Nurse")
    failures += audit_page(page, page_problems)
    page.get_by_role("button", name="Reset authenticator").click()
    expect(page.get_by_text("has been reset")).to_be_visible()
    assert not Authenticator.objects.filter(user=dana).exists()

    # Deactivating, after a confirmation.
    page.get_by_role("link", name="Deactivate account").click()
    expect(heading(page)).to_have_text("Deactivate the account of Dana Nurse")
    failures += audit_page(page, page_problems)
    page.get_by_role("button", name="Deactivate account").click()
    expect(page.get_by_text("has been deactivated")).to_be_visible()
    expect(page.get_by_role("link", name="Reactivate account")).to_be_visible()
    dana.refresh_from_db()
    assert not dana.is_active

    # The list, filtered to deactivated accounts.
    page.get_by_role("navigation", name="Back").get_by_role("link", name="People").click()
    page.get_by_label("Account").select_option(label="Deactivated")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("table").get_by_role("row").filter(has_text="Dana Nurse")).to_contain_text("Deactivated")
    failures += audit_page(page, page_problems)

    # Reactivating, after a confirmation.
    page.get_by_role("link", name="Dana Nurse").click()
    page.get_by_role("link", name="Reactivate account").click()
    expect(heading(page)).to_have_text("Reactivate the account of Dana Nurse")
    failures += audit_page(page, page_problems)
    page.get_by_role("button", name="Reactivate account").click()
    expect(page.get_by_text("has been reactivated")).to_be_visible()
    dana.refresh_from_db()
    assert dana.is_active

    kinds = set(SecurityEvent.objects.filter(email=dana.email).values_list("kind", flat=True))
    assert kinds >= {
        "person_invited",
        "role_changed",
        "authenticator_reset",
        "account_deactivated",
        "account_reactivated",
    }
    assert not failures, "\n".join(failures)
    page_problems.assert_none()
