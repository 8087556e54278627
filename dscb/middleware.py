from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
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
        request.error_reference = reference = secrets.token_hex(4).upper()  # type: ignore[attr-defined]
        logger.error("Unhandled error, reference %s", reference, exc_info=exception)


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


# Pages a signed-in person may reach before their session has passed MFA. The sections
# add theirs (a style sheet every page links to, say) with ``exempt_from_mfa``.
MFA_EXEMPT_URL_NAMES = {
    "account_login",
    "account_logout",
    "account_reauthenticate",
    "mfa_activate_totp",
    "mfa_reauthenticate",
    # Signing in again through the identity provider, to confirm who one is.
    "openid_connect_login",
    "openid_connect_callback",
    "accessibility",
    "privacy",
    "print_styles",
    # For load balancers and monitoring, which do not sign in; they reveal nothing.
    "health",
    "health_server",
}


def exempt_from_mfa(*url_names: str) -> None:
    MFA_EXEMPT_URL_NAMES.update(url_names)


def session_passed_mfa(request: HttpRequest) -> bool:
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


# The pages MFARequiredMiddleware sends a session that has not passed MFA to.
MFA_PAGES = frozenset({"mfa_activate_totp", "mfa_reauthenticate"})


def mfa_page_for(user: Any) -> str:
    """Where a session that has not passed MFA is sent: for a code, or to set one up."""
    has_authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    return "mfa_reauthenticate" if has_authenticator else "mfa_activate_totp"


def view_name_of(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


class MFARequiredMiddleware:
    """ASVS 6.3.3: with MFA_REQUIRED on, a session that has not passed MFA reaches only
    sign-in, MFA set-up and sign-out. A person without an authenticator is taken to
    set one up; one who has an authenticator but got in some other way is asked for
    a code.

    The page it sends people to is never the page they asked for (both are exempt). If
    that page in turn redirects to one this middleware would send straight back (allauth
    refusing the set-up, say), the person would bounce between the two for ever: they
    are shown what to do instead."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self._held_back(request):
            return self.get_response(request)
        view_name = view_name_of(request.path_info)
        if view_name not in MFA_EXEMPT_URL_NAMES:
            return redirect(mfa_page_for(request.user))
        response = self.get_response(request)
        if self._would_come_straight_back(request, view_name, response):
            logger.warning(
                "MFA page %s for user %s redirected to %s, which would send them back: explained instead",
                view_name,
                request.user.pk,
                response["Location"],
            )
            return render(request, "dscb/mfa_blocked.html", status=403)
        return response

    @staticmethod
    def _held_back(request: HttpRequest) -> bool:
        return settings.MFA_REQUIRED and request.user.is_authenticated and not session_passed_mfa(request)

    def _would_come_straight_back(self, request: HttpRequest, view_name: str | None, response: HttpResponse) -> bool:
        # Asked again after the view ran: setting up an authenticator or entering a
        # code passes MFA, and signing out ends the session.
        if view_name not in MFA_PAGES or not response.has_header("Location") or not self._held_back(request):
            return False
        location = urlsplit(response["Location"])
        if location.netloc and location.netloc != request.get_host():
            return False  # Another site: not ours to hold back.
        destination = view_name_of(location.path or request.path_info)
        return destination not in MFA_EXEMPT_URL_NAMES and view_name == mfa_page_for(request.user)
