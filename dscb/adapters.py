from __future__ import annotations

import logging
import time
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.internal.httpkit import clean_client_ip, get_client_ip
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base.constants import AuthError, AuthProcess
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import redirect, render
from django.urls import reverse

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

    def get_reauthentication_methods(self, user: Any) -> list[dict[str, str]]:
        # Someone who signs in only through the identity provider has no password or
        # code to confirm who they are: they sign in with the provider again instead.
        methods = super().get_reauthentication_methods(user)
        if not methods and user.is_authenticated and settings.OIDC_ISSUER and user.socialaccount_set.exists():
            url = reverse("openid_connect_login", kwargs={"provider_id": settings.OIDC_PROVIDER_ID})
            methods.append({"id": "provider", "description": settings.OIDC_PROVIDER_NAME, "url": url})
        return methods

    def get_login_stages(self) -> list[str]:
        # A code is not asked for when the identity provider has done the second step.
        return [
            "dscb.oidc.ProviderAwareAuthenticateStage" if stage == "allauth.mfa.stages.AuthenticateStage" else stage
            for stage in super().get_login_stages()
        ]

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


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Signing in with the organisation's identity provider (dscb.oidc). Only addresses
    in OIDC_ALLOWED_DOMAINS come in; someone new is given an account with no roles, and
    someone whose address matches an account signs in to it."""

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        from dscb.models import User
        from dscb.oidc import email_allowed, email_domain
        from dscb.security import Kind, record

        if sociallogin.state.get("process", AuthProcess.LOGIN) != AuthProcess.LOGIN:
            # Connecting a provider's account to a signed-in person: not offered here.
            raise ImmediateHttpResponse(
                render(request, "socialaccount/authentication_error.html", {"cancelled": False}, status=400)
            )
        email = next((address.email for address in sociallogin.email_addresses if address.email), "").strip().lower()
        if not email_allowed(email):
            logger.warning("Sign-in through the identity provider refused: domain %r", email_domain(email))
            record(Kind.SIGN_IN_REFUSED, request=request, email=email, domain=email_domain(email), reason="domain")
            context = {"email": email, "allowed_domains": settings.OIDC_ALLOWED_DOMAINS}
            raise ImmediateHttpResponse(render(request, "socialaccount/refused.html", context, status=403))
        person = sociallogin.user if sociallogin.is_existing else User.objects.filter(email__iexact=email).first()
        if person is not None and not person.is_active:
            logger.warning("Sign-in through the identity provider refused: user %s is deactivated", person.pk)
            record(Kind.SIGN_IN_REFUSED, request=request, email=email, reason="deactivated")
            raise ImmediateHttpResponse(redirect("account_inactive"))

    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        # Only people from the allowed domains get this far (pre_social_login).
        return True

    def save_user(self, request: HttpRequest, sociallogin: Any, form: Any = None) -> Any:
        # A new person, with no roles and no password. Their allauth address is made by
        # dscb.signals when the User is saved, so allauth's own (connect=False) is skipped.
        user = sociallogin.user
        user.set_unusable_password()
        with transaction.atomic():
            sociallogin.save(request, connect=True)
        return user

    def populate_user(self, request: HttpRequest, sociallogin: Any, data: dict[str, Any]) -> Any:
        user = super().populate_user(request, sociallogin, data)
        user.email = (user.email or "").lower()
        name = data.get("name") or " ".join(part for part in (data.get("first_name"), data.get("last_name")) if part)
        user.full_name = (name or "")[: user._meta.get_field("full_name").max_length]
        return user

    def on_authentication_error(
        self, request: HttpRequest, provider: Any, error: Any = None, exception: Any = None, extra_context: Any = None
    ) -> None:
        # Cancelled at the provider, a state that does not match, a provider that is down:
        # one page says so (allauth's own would redirect to pages not served here); the
        # cause goes to the log, never to the page.
        logger.warning("Sign-in through the identity provider failed: %s %r", error, exception)
        cancelled = error == AuthError.CANCELLED
        raise ImmediateHttpResponse(
            render(request, "socialaccount/authentication_error.html", {"cancelled": cancelled}, status=400)
        )


class MFAAdapter(DefaultMFAAdapter):
    def get_totp_issuer(self) -> str:
        return settings.BOARD_NAME

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        # Where MFA is required, removing the authenticator would lock the person out.
        return not settings.MFA_REQUIRED
