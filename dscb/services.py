"""Writes about the board's people that more than one path needs."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial

from allauth.account.models import EmailAddress
from allauth.core import context
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from dscb.concurrency import create_versioned, save_versioned
from dscb.emails import send_text_email
from dscb.forms import ResetPasswordForm
from dscb.models import Agency, RetentionRule, User
from dscb.roles import ROLE_FIELDS, Role
from dscb.security import Kind, record, record_person_changes

logger = logging.getLogger("dscb.security")


def user_email_address_sync(*, user: User) -> None:
    """Make ``user.email`` the person's one allauth address: verified and primary.

    The board creates every account and the invitation link proves the mailbox, so the
    address an administrator set is trusted. allauth keeps its own address book and, on
    finding the user's address missing from it (a reset link, a sign-in), adds it
    unverified; an unverified address then stops the person setting up two-step
    verification. With this row in place allauth finds the address and adds nothing.
    """
    current = list(EmailAddress.objects.filter(user=user).values_list("email", "verified", "primary"))
    if current == [(user.email, True, True)]:
        return  # The usual case, one query: nothing to change.
    with transaction.atomic():
        # Other rows first, so the unique-primary constraint never sees two primaries.
        EmailAddress.objects.filter(user=user).exclude(email=user.email).delete()
        if user.email:
            EmailAddress.objects.update_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )


# --- People and their roles, for administrators -------------------------------------------

DUPLICATE_EMAIL = "There is already a person with this email address"
AGENCY_NEEDED = "Select the agency of this agency auditor: the only agency whose records they enter"
NAME_NEEDED = "Enter the person's full name"
OWN_ADMINISTRATOR_ROLE = "You cannot remove your own administrator role: ask another administrator"
LAST_ADMINISTRATOR = "This is the only active administrator: give someone else the role first"
OWN_ACCOUNT = "You cannot deactivate your own account: ask another administrator"
LAST_ADMINISTRATOR_ACCOUNT = "This is the only active administrator: give someone else the role before deactivating"
NO_AUTHENTICATOR = "This person has not set up two-step verification: there is nothing to reset"
STATE_FIELDS = [*ROLE_FIELDS.values(), "is_active"]


@dataclass(frozen=True)
class PersonDetails:
    """What an administrator says about a person: who they are and what they do."""

    email: str
    full_name: str
    job_title: str = ""
    agency: Agency | None = None
    roles: frozenset[Role] = frozenset()


def _check_details(*, details: PersonDetails, person: User | None) -> str:
    """The rules any person's details obey; the address as it is kept (lower case)."""
    errors: dict[str, str] = {}
    email = User.objects.normalize_email(details.email.strip()).lower()
    holders = User.objects.filter(email__iexact=email)
    if person is not None:
        holders = holders.exclude(pk=person.pk)
    if holders.exists():
        errors["email"] = DUPLICATE_EMAIL
    if not details.full_name.strip():
        errors["full_name"] = NAME_NEEDED
    if Role.AGENCY_AUDITOR in details.roles and details.agency is None:
        errors["agency"] = AGENCY_NEEDED
    if errors:
        raise ValidationError(errors)
    return email


def _administrators_left(*, without: User) -> int:
    """Active administrators other than ``without``. Every active administrator's row is
    locked until the caller's transaction ends, ``without``'s too: two administrators
    removing each other cannot both succeed (PostgreSQL reads the rows again after the
    wait, and finds the one already removed)."""
    administrators = User.objects.select_for_update().filter(is_active=True, **{ROLE_FIELDS[Role.ADMINISTRATOR]: True})
    administrators = administrators.order_by("pk")
    return sum(1 for pk in administrators.values_list("pk", flat=True) if pk != without.pk)


def _apply(person: User, details: PersonDetails, email: str) -> None:
    person.email = email
    person.full_name = details.full_name.strip()
    person.job_title = details.job_title.strip()
    person.agency = details.agency
    for role, field in ROLE_FIELDS.items():
        setattr(person, field, role in details.roles)


def _states(person: User) -> dict[str, bool]:
    return {name: bool(getattr(person, name)) for name in STATE_FIELDS}


@transaction.atomic
def person_invite(*, by: User, details: PersonDetails, request: HttpRequest) -> User:
    """Add a person with the roles given, and email them a link to choose their password
    (the link points at the address the administrator used: ``request``). They have no
    password until then. An invitation is a security event, as are the roles given."""
    email = _check_details(details=details, person=None)
    person = User()
    _apply(person, details, email)
    person.set_unusable_password()
    create_versioned(person, by=by)
    record(Kind.PERSON_INVITED, request=request, user=by, email=person.email)
    record_person_changes(request=request, by=by, person=person, before={})
    transaction.on_commit(partial(_send_invitation, request, person.email))
    return person


def _send_invitation(request: HttpRequest, email: str) -> None:
    if not settings.LOCAL_PASSWORDS:
        # No password to choose: people sign in through the organisation's identity provider.
        person = User.objects.get(email=email)
        invitation_context = {
            "person": person,
            "board_name": settings.BOARD_NAME,
            "contact_email": settings.BOARD_CONTACT_EMAIL,
            "provider_name": settings.OIDC_PROVIDER_NAME,
            "link": settings.SITE_URL.rstrip("/") + reverse("account_login"),
        }
        send_text_email(template="dscb/email/invitation", context=invitation_context, to=[email])
        return
    # allauth's own reset link, as for a forgotten password: one way to choose a password.
    # allauth reads the request from its context, which has ended if this runs after the view.
    with context.request_context(request):
        invitation = ResetPasswordForm(data={"email": email})
        if invitation.is_valid():
            invitation.save(request)


@transaction.atomic
def person_update(
    *, person: User, by: User, expected_version: int, details: PersonDetails, request: HttpRequest | None = None
) -> User:
    """Change a person's details and roles. Nobody removes their own administrator role,
    and the last active administrator keeps it, so someone can always administer."""
    email = _check_details(details=details, person=person)
    if Role.ADMINISTRATOR in person.roles and Role.ADMINISTRATOR not in details.roles:
        if person.pk == by.pk:
            raise ValidationError({"roles": OWN_ADMINISTRATOR_ROLE})
        if person.is_active and not _administrators_left(without=person):
            raise ValidationError({"roles": LAST_ADMINISTRATOR})
    before = _states(person)
    _apply(person, details, email)
    save_versioned(
        person,
        expected_version=expected_version,
        by=by,
        fields=["email", "full_name", "job_title", "agency", *ROLE_FIELDS.values()],
        clean=lambda: person.full_clean(exclude=["password"]),
    )
    record_person_changes(request=request, by=by, person=person, before=before)
    return person


@transaction.atomic
def person_deactivate(*, person: User, by: User, expected_version: int, request: HttpRequest | None = None) -> User:
    """Stop a person signing in; their sessions end at their next request (the
    authentication backend signs nobody inactive in). Their records keep their name."""
    if person.pk == by.pk:
        raise ValidationError({"is_active": OWN_ACCOUNT})
    if Role.ADMINISTRATOR in person.roles and person.is_active and not _administrators_left(without=person):
        raise ValidationError({"is_active": LAST_ADMINISTRATOR_ACCOUNT})
    return _set_active(person=person, by=by, expected_version=expected_version, active=False, request=request)


@transaction.atomic
def person_reactivate(*, person: User, by: User, expected_version: int, request: HttpRequest | None = None) -> User:
    """Let a deactivated person sign in again, with the roles they had."""
    return _set_active(person=person, by=by, expected_version=expected_version, active=True, request=request)


def _set_active(*, person: User, by: User, expected_version: int, active: bool, request: HttpRequest | None) -> User:
    before = _states(person)
    person.is_active = active
    save_versioned(person, expected_version=expected_version, by=by, fields=["is_active"], clean=lambda: None)
    record_person_changes(request=request, by=by, person=person, before=before)
    return person


@transaction.atomic
def person_authenticator_reset(*, person: User, by: User, request: HttpRequest | None = None) -> list[str]:
    """Remove all of a person's authenticators, recovery codes included (a lost phone,
    say): they set up a new one at their next sign-in. It is a security event (ASVS
    16.3), and the person is emailed after the change is saved, in case they did not ask
    for it (ASVS 6.3.7). Returns the kinds removed."""
    held = Authenticator.objects.select_for_update().filter(user=person)
    types = sorted({authenticator.type for authenticator in held})
    if not types:
        raise ValidationError({"person": NO_AUTHENTICATOR})
    held.delete()
    logger.info("MFA authenticators reset by administrator %s: user %s, types %s", by.pk, person.pk, types)
    record(Kind.AUTHENTICATOR_RESET, request=request, user=by, email=person.email, removed=types)
    app_removed = Authenticator.Type.TOTP in types
    transaction.on_commit(partial(_tell_authenticator_removed, person, app_removed=app_removed))
    return types


def _tell_authenticator_removed(person: User, *, app_removed: bool) -> None:
    context = {
        "person": person,
        "app_removed": app_removed,
        "removed_at": timezone.now(),
        "board_name": settings.BOARD_NAME,
        "contact_email": settings.BOARD_CONTACT_EMAIL,
        "link": settings.SITE_URL.rstrip("/") + reverse("account_login"),
    }
    send_text_email(template="dscb/email/authenticator_removed", context=context, to=[person.email])


@transaction.atomic
def retention_rule_update(*, rule: RetentionRule, years: int | None, by: User, expected_version: int) -> RetentionRule:
    """Change how long one kind of record is kept (None: indefinitely). A security event,
    with the period before and after: a shorter period removes data at the next run."""
    before = rule.years
    if years is not None and years < 1:
        raise ValidationError({"years": ValidationError("Enter a whole number of years, 1 or more", code="min")})
    rule.years = years
    save_versioned(rule, expected_version=expected_version, by=by, fields=["years"])
    if before != years:
        record(Kind.RETENTION_CHANGED, user=by, rule=rule.kind, before=before, after=years)
    return rule
