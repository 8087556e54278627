from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger("dscb.security")

Handler = Callable[[HttpRequest], HttpResponse]


class NoStoreMiddleware:
    """ASVS 14.3.2: no page this service renders may be kept by a browser or proxy
    cache. Static files are served before this runs and keep their long cache."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response


EXPECTED_EXCEPTIONS = (Http404, PermissionDenied, BadRequest, SuspiciousOperation)


class ErrorReferenceMiddleware:
    """Gives every unhandled error a short reference, logged with the traceback and
    shown on the error page, so support can find it without the user seeing it."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, EXPECTED_EXCEPTIONS):
            return  # Django answers these with a 4xx page; they are not faults.
        request.error_reference = secrets.token_hex(4).upper()  # type: ignore[attr-defined]
        logger.error("Unhandled error, reference %s", request.error_reference, exc_info=exception)


SESSION_STARTED_AT = "dscb_started_at"
SESSION_LAST_SEEN_AT = "dscb_last_seen_at"
# Writing the session on every request would cost a query a page; a minute's
# imprecision in a thirty-minute idle timeout does not matter.
LAST_SEEN_RESOLUTION_SECONDS = 60


class SessionTimeoutMiddleware:
    """ASVS 7.3.1 and 7.3.2: sign people out after a spell of inactivity and after a
    fixed lifetime, whichever comes first."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            started = session.setdefault(SESSION_STARTED_AT, now)
            last_seen = session.get(SESSION_LAST_SEEN_AT, now)
            idle_limit = settings.SESSION_IDLE_TIMEOUT_MINUTES * 60
            absolute_limit = settings.SESSION_ABSOLUTE_TIMEOUT_HOURS * 3600
            if now - last_seen > idle_limit or now - started > absolute_limit:
                logger.info("Session timed out for user %s", request.user.pk)
                logout(request)
                messages.info(request, "You were signed out because your session timed out.")
                return redirect(settings.LOGIN_URL)
            if SESSION_LAST_SEEN_AT not in session or now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS:
                session[SESSION_LAST_SEEN_AT] = now
        return self.get_response(request)


# Pages a signed-in person may reach before their session has passed MFA.
MFA_EXEMPT_URL_NAMES = frozenset(
    {
        "account_login",
        "account_logout",
        "account_reauthenticate",
        "mfa_activate_totp",
        "mfa_reauthenticate",
        "accessibility",
        "privacy",
        # A style sheet every page links to, the MFA set-up page included.
        "recommendations:scale_styles",
    }
)


def session_passed_mfa(request: HttpRequest) -> bool:
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


class MFARequiredMiddleware:
    """ASVS 6.3.3: with MFA_REQUIRED on, a session that has not passed MFA reaches only
    sign-in, MFA set-up and sign-out. A person without an authenticator is taken to
    set one up; one who has an authenticator but got in some other way (the admin's
    own form, say) is asked for a code."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.MFA_REQUIRED and request.user.is_authenticated and not session_passed_mfa(request):
            try:
                view_name = resolve(request.path_info).view_name
            except Resolver404:
                view_name = None
            if view_name not in MFA_EXEMPT_URL_NAMES:
                has_authenticator = Authenticator.objects.filter(
                    user=request.user, type=Authenticator.Type.TOTP
                ).exists()
                return redirect("mfa_reauthenticate" if has_authenticator else "mfa_activate_totp")
        return self.get_response(request)
