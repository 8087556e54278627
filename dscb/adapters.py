from __future__ import annotations

import logging
import time
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.core import context
from allauth.core.internal.httpkit import clean_client_ip, get_client_ip
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.http import HttpRequest

logger = logging.getLogger("dscb.security")


def client_address(request: HttpRequest) -> str | None:
    """The client's network address as allauth's throttling counts it: behind
    TRUSTED_PROXY_COUNT proxies, from X-Forwarded-For; otherwise the connecting address."""
    try:
        return get_client_ip(request)
    except ImproperlyConfigured:
        # Fewer X-Forwarded-For entries than trusted proxies: the request bypassed them,
        # or the count is wrong. The connecting address cannot be forged; an entry can.
        remote_addr = request.META.get("REMOTE_ADDR", "")
        logger.warning("X-Forwarded-For has fewer entries than TRUSTED_PROXY_COUNT; counting %s", remote_addr)
        return clean_client_ip(remote_addr) if remote_addr else None


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts are created by an administrator, never by the person themselves.
        return False

    def add_message(
        self, request: HttpRequest, level: int, message_template: str | None = None, *args: Any, **kwargs: Any
    ) -> None:
        # "Successfully signed in" would greet people on the MFA set-up page: say nothing.
        if message_template == "account/messages/logged_in.txt":
            return
        super().add_message(request, level, message_template, *args, **kwargs)

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        # ASVS 7.5: sensitive changes (MFA, recovery codes) need a recent authentication.
        # A sign-in in the last few minutes counts, so that someone made to set up MFA
        # straight after signing in is not asked for their password a second time.
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        request = context.request
        records = get_authentication_records(request, request.user)
        return not records or time.time() - records[-1]["at"] >= account_settings.REAUTHENTICATION_TIMEOUT

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's own answers a server error when X-Forwarded-For is shorter than expected.
        address = client_address(request)
        if not address:
            raise PermissionDenied("Unable to determine client IP address")
        return address

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            # Here, not at the top: dscb.security finds addresses with client_address.
            from dscb.security import Kind, record

            logger.warning("Sign-in refused: too many failed attempts from %s", client_address(request))
            typed = credentials.get("email") or credentials.get("username") or ""
            record(Kind.LOCKED_OUT, request=request, email=str(typed).strip().lower())
            raise


class MFAAdapter(DefaultMFAAdapter):
    def get_totp_issuer(self) -> str:
        return settings.BOARD_NAME

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        # Where MFA is required, removing the authenticator would lock the person out.
        return not settings.MFA_REQUIRED
