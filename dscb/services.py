"""Writes about the board's people that more than one path needs."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial

from allauth.account.models import EmailAddress
from allauth.mfa.base.internal.flows import delete_dangling_recovery_codes
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dscb.concurrency import save_versioned
from dscb.emails import send_text_email
from dscb.models import RetentionRule, User
from dscb.security import Kind, record

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


@transaction.atomic
def authenticators_remove(*, authenticators: Iterable[Authenticator], by: User) -> None:
    """An administrator removes people's authenticators (a lost phone, say); each person
    sets up a new one at their next sign-in. It is a security event (ASVS 16.3), and the
    person is emailed once, after the change is saved, in case they did not ask for it
    (ASVS 6.3.7)."""
    removed: dict[User, set[str]] = {}
    for authenticator in authenticators:
        person = authenticator.user
        authenticator.delete()
        removed.setdefault(person, set()).add(authenticator.type)
    for person, types in removed.items():
        # As when people remove their own app: its recovery codes go with it, and the
        # new app comes with new ones.
        if delete_dangling_recovery_codes(person):
            types.add(Authenticator.Type.RECOVERY_CODES)
        for kind in sorted(types):
            logger.info("MFA authenticator removed by administrator %s: user %s, type %s", by.pk, person.pk, kind)
            record(Kind.MFA_REMOVED, user=by, email=person.email, type=kind, by_administrator=True)
        app_removed = Authenticator.Type.TOTP in types
        transaction.on_commit(partial(_tell_authenticator_removed, person, app_removed=app_removed))


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
