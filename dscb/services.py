"""Writes about the board's people that more than one path needs."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import transaction

from dscb.models import User


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
