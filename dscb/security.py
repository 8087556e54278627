"""Security events kept as rows (ASVS 16.3; SECURITY.md rows 29 and 30): who, what,
when and from where. The signal handlers in ``dscb.signals``, the services that change
a person and every download of a list holding case data call ``record``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from allauth.account.adapter import get_adapter
from allauth.core.exceptions import ReauthenticationRequired
from django.http import HttpRequest

from dscb.adapters import client_address
from dscb.models import SecurityEvent, User
from dscb.roles import ROLE_FIELDS, Role

Kind = SecurityEvent.Kind


def record(
    kind: Kind,
    *,
    request: HttpRequest | None = None,
    user: Any = None,
    email: str = "",
    details: Mapping[str, object] | None = None,
    **detail: object,
) -> SecurityEvent:
    """Keep one event. ``user`` is who did it (none for a failed sign-in); ``email`` the
    address it concerns (the person's own when not given); ``detail`` (and ``details``,
    for context built as a mapping) a little context, never a password, a code or case
    text. The address is counted as throttling counts it."""
    person = user if isinstance(user, User) else None
    return SecurityEvent.objects.create(
        kind=kind,
        user=person,
        email=(email or (person.email if person is not None else ""))[:254],
        ip=client_address(request) if request is not None else None,
        detail={**(details or {}), **detail},
    )


def record_person_changes(*, request: HttpRequest | None, by: User, person: User, before: dict[str, bool]) -> None:
    """Keep the changes to ``person``'s roles and whether their account is active that
    ``by`` has just saved. ``before``: the role columns and ``is_active`` as they were
    (empty for a new person, who had no roles and was active)."""
    was = {role for role, field in ROLE_FIELDS.items() if before.get(field)}
    if was != person.roles:
        record(
            Kind.ROLE_CHANGED,
            request=request,
            user=by,
            email=person.email,
            before=[role.label for role in Role if role in was],
            after=[role.label for role in Role if role in person.roles],
        )
    was_active = before.get("is_active", True)
    if was_active != person.is_active:
        kind = Kind.ACCOUNT_REACTIVATED if person.is_active else Kind.ACCOUNT_DEACTIVATED
        record(kind, request=request, user=by, email=person.email)


def require_recent_authentication(request: HttpRequest) -> None:
    """ASVS 7.5.3 (SECURITY.md row 36): before case data leaves the service in bulk, the
    person must have signed in, or entered their password or code again, in the last
    ``ACCOUNT_REAUTHENTICATION_TIMEOUT`` seconds (five minutes). Otherwise allauth's
    middleware asks them again and then resumes the request, a POST included."""
    if get_adapter(request).is_reauthentication_required(app=""):
        raise ReauthenticationRequired
