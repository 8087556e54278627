"""Signing in with the organisation's identity provider (OpenID Connect), through
django-allauth's own openid_connect provider; configured in dscb.settings.

Two rules live here: which email addresses may come in through the provider, and when
the provider's own two-step verification counts for this service's (ASVS 6.3.3)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.stages import AuthenticateStage
from django.conf import settings
from django.http import HttpRequest

# The authentication record of a session whose provider did the second step.
PROVIDER_MFA = "provider"


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def email_allowed(email: str) -> bool:
    """Only addresses in OIDC_ALLOWED_DOMAINS may sign in through the provider."""
    return "@" in email and email_domain(email) in settings.OIDC_ALLOWED_DOMAINS


def provider_did_two_step_verification(claims: Mapping[str, Any]) -> bool:
    """The one rule: the ID token's ``amr`` holds a value in OIDC_MFA_AMR, or its ``acr``
    is one of OIDC_MFA_ACR. Anything else, including no amr and no acr, does not count."""
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    methods = {str(value) for value in amr} if isinstance(amr, list) else set()
    acr = claims.get("acr")
    return bool(methods & settings.OIDC_MFA_AMR) or (isinstance(acr, str) and acr in settings.OIDC_MFA_ACR)


def id_token_claims(sociallogin: Any) -> Mapping[str, Any]:
    """The decoded ID token of a sign-in through the provider (allauth keeps it beside
    the userinfo answer); empty for anything else."""
    if sociallogin is None or sociallogin.account.provider != settings.OIDC_PROVIDER_ID:
        return {}
    claims = (sociallogin.account.extra_data or {}).get("id_token")
    return claims if isinstance(claims, Mapping) else {}


def signed_in_through_provider(request: HttpRequest, user: Any) -> bool:
    return any(record.get("method") == "socialaccount" for record in get_authentication_records(request, user))


class ProviderAwareAuthenticateStage(AuthenticateStage):
    """allauth asks a person with an authenticator app for a code at every sign-in.
    When the provider did two-step verification (above), the session is recorded as
    having passed MFA instead (dscb.middleware.session_passed_mfa reads the record),
    and no code is asked for; otherwise allauth asks, exactly as for a password."""

    def handle(self) -> tuple:
        sociallogin = (self.login.signal_kwargs or {}).get("sociallogin")
        if self.login.user is not None and provider_did_two_step_verification(id_token_claims(sociallogin)):
            record_authentication(self.request, self.login.user, "mfa", type=PROVIDER_MFA)
            return None, True
        return super().handle()
