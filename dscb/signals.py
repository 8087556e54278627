"""Security events (ASVS 16.3): sign-in, sign-out, failures, lockouts and MFA changes
are logged, with the user's id and never a password or a code, and kept as rows
(dscb.security). Also the one hook that keeps a person's allauth email address in step
with their account."""

from __future__ import annotations

import logging
import sqlite3
import time
from typing import Any

from allauth.account.internal.flows.login import record_authentication
from allauth.account.signals import authentication_step_completed, password_changed, password_reset, password_set
from allauth.mfa.signals import authentication_failed, authenticator_added, authenticator_removed, authenticator_reset
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.backends.signals import connection_created
from django.db.models.signals import post_save
from django.dispatch import receiver

from dscb.adapters import client_address
from dscb.middleware import SESSION_LAST_SEEN_AT, SESSION_STARTED_AT
from dscb.models import User
from dscb.oidc import signed_in_through_provider
from dscb.security import Kind, record
from dscb.services import user_email_address_sync

logger = logging.getLogger("dscb.security")


@receiver(user_logged_in)
def start_session_clock(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SESSION_STARTED_AT] = now
        request.session[SESSION_LAST_SEEN_AT] = now
    logger.info("Signed in: user %s", user.pk)
    through_provider = request is not None and hasattr(request, "session") and signed_in_through_provider(request, user)
    record(Kind.SIGN_IN, request=request, user=user, details={"method": "oidc"} if through_provider else None)


@receiver(user_logged_out)
def log_sign_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    logger.info("Signed out: user %s", getattr(user, "pk", None))
    # ``user`` is None when the session had already ended (signing out twice).
    if user is not None:
        record(Kind.SIGN_OUT, request=request, user=user)


@receiver(authentication_step_completed)
def log_reauthentication(sender: Any, request: Any, user: Any, method: str, **kwargs: Any) -> None:
    # Signing in completes steps too: only a password or code entered again is kept here.
    if kwargs.get("reauthenticated"):
        record(Kind.REAUTHENTICATED, request=request, user=user, method=method)


@receiver(user_login_failed)
def log_failed_sign_in(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    address = client_address(request) if request is not None else None
    logger.warning("Failed sign-in from %s", address)
    # Django hides the password in ``credentials``; only the address typed is kept.
    record(Kind.SIGN_IN_FAILED, request=request, email=attempted_email(credentials))


def attempted_email(credentials: dict) -> str:
    typed = credentials.get("email") or credentials.get("username") or ""
    return typed.strip().lower() if isinstance(typed, str) else ""


@receiver(authentication_failed)
def log_wrong_code(sender: Any, request: Any, user: Any, authenticator: Any = None, **kwargs: Any) -> None:
    # Never the code typed: only that it was wrong, for whom, and with what.
    logger.warning("Wrong MFA code: user %s", getattr(user, "pk", None))
    record(Kind.MFA_FAILED, request=request, user=user, type=getattr(authenticator, "type", ""))


@receiver(authenticator_added)
def mark_session_as_mfa(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    # Setting up an authenticator proves possession of it: the session has passed MFA.
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
    logger.info("MFA authenticator added: user %s, type %s", user.pk, authenticator.type)
    record(Kind.MFA_ADDED, request=request, user=user, type=authenticator.type)


@receiver(authenticator_removed)
def log_authenticator_removed(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    logger.info("MFA authenticator removed: user %s, type %s", user.pk, authenticator.type)
    record(Kind.MFA_REMOVED, request=request, user=user, type=authenticator.type)


@receiver(authenticator_reset)
def log_authenticator_reset(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    logger.info("MFA authenticator reset: user %s, type %s", user.pk, authenticator.type)
    record(Kind.MFA_RESET, request=request, user=user, type=authenticator.type)


@receiver(password_changed)
@receiver(password_set)
def log_password_changed(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    logger.info("Password changed: user %s", user.pk)
    record(Kind.PASSWORD_CHANGED, request=request, user=user)


@receiver(password_reset)
def log_password_reset(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    logger.info("Password reset: user %s", user.pk)
    record(Kind.PASSWORD_RESET, request=request, user=user)


@receiver(post_save, sender=User)
def trust_the_email_address(sender: Any, instance: User, raw: bool, update_fields: Any = None, **kwargs: Any) -> None:
    # A signal rather than a call in each place that makes or edits a person: the
    # administration pages' services, createsuperuser, the demo loader and the tests' factories all
    # save a User, and a path that forgot the call would leave allauth to add the address
    # unverified, which locks the person out of two-step verification.
    if raw or (update_fields is not None and "email" not in update_fields):
        return  # Loading fixtures, or a save that leaves the address alone (last sign-in).
    user_email_address_sync(user=instance)


@receiver(connection_created)
def use_sqlites_own_parameter_limit(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Django 5.2 assumes SQLite allows 999 parameters a query, so it splits a bulk write
    into a query per few hundred rows; the SQLite in use allows far more (32,766 by
    default since 3.32). Bulk saves then cost one query per table, as on PostgreSQL."""
    if connection.vendor == "sqlite":
        connection.features.max_query_params = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
