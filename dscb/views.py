from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from requests import RequestException

from dscb import access, home_panels, lists, security, selectors
from dscb.access import Action, AuthenticatedRequest
from dscb.roles import ROLE_DUTIES, Role
from dscb.security_lists import SecurityEvents

logger = logging.getLogger("dscb.security")


def local_passwords(view: Callable[..., HttpResponse], *, get_allowed: bool = False) -> Callable[..., HttpResponse]:
    """A password page, served while LOCAL_PASSWORDS is on. With it off, people sign in
    only through the identity provider: the page (or, for sign-in, the form's POST)
    says so instead, with a 404, so that no password is checked, reset or changed."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if settings.LOCAL_PASSWORDS or (get_allowed and request.method in ("GET", "HEAD")):
            return view(request, *args, **kwargs)
        return render(request, "account/passwords_not_used.html", status=404)

    return wrapped


def provider_unreachable_answered(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """allauth's provider pages answer a server error when the identity provider cannot
    be reached (its discovery document, its token or JWKS addresses): say so instead."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except RequestException as error:
            logger.warning("The identity provider could not be reached: %s", type(error).__name__)
            return render(request, "socialaccount/authentication_error.html", {"unreachable": True}, status=503)

    return wrapped


@require_safe
@access.permission_required(Action.USE_SERVICE)
def home(request: AuthenticatedRequest) -> HttpResponse:
    roles = [role for role in Role if role in request.user.roles]
    return render(
        request,
        "dscb/home.html",
        {
            "roles": [role.label for role in roles],
            "duties": [ROLE_DUTIES[role] for role in roles],
            "panels": home_panels.panels_for(request),
            "administers": access.can(request.user, Action.ADMINISTER),
        },
    )


@require_safe
@access.permission_required(Action.USE_SERVICE)
def account(request: AuthenticatedRequest) -> HttpResponse:
    has_totp = Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists()
    return render(
        request,
        "dscb/account.html",
        {
            "has_totp": has_totp,
            "emails": selectors.emails_sent_to(request.user),
            "emails_shown": selectors.EMAILS_SHOWN,
        },
    )


@require_safe
@access.permission_required(Action.VIEW_SECURITY_EVENTS)
def security_events(request: AuthenticatedRequest) -> HttpResponse:
    source = SecurityEvents(filters=request.GET)
    paging = source.paging(request.GET.get("page"))
    return render(
        request,
        "dscb/security_events.html",
        {"source": source, "form": source.form, "paging": paging, "table": source.page_table(paging)},
    )


@require_safe
@access.permission_required(Action.VIEW_SECURITY_EVENTS)
def security_events_download(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    return lists.download(request, SecurityEvents(filters=request.GET), kind)


def css_string(text: str) -> str:
    """``text`` as a CSS string that nothing in it can end: every character but letters,
    digits and spaces written as its code point."""
    return '"' + "".join(char if char.isalnum() or char == " " else f"\\{ord(char):06x}" for char in text) + '"'


@require_safe
def print_styles(request: HttpRequest) -> HttpResponse:
    """The protective marking at the top and foot of every printed page, as a style sheet:
    the CSP allows no inline styles, and the marking is a setting, not code."""
    marking = css_string(settings.PROTECTIVE_MARKING)
    boxes = "".join(
        f"  @{box} {{ content: {marking}; font: bold 10pt Arial, sans-serif; }}\n"
        for box in ("top-center", "bottom-center")
    )
    return HttpResponse(f"@page {{\n{boxes}}}\n", content_type="text/css")


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "dscb/accessibility.html")


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "dscb/privacy.html")


def form_page(request: HttpRequest, form: object, **context: object) -> HttpResponse:
    """The one page around every one of the service's own forms: caption, heading, the
    form, a back link (templates/form_page.html)."""
    return render(request, "form_page.html", {"form": form, **context})


def record_refusal(request: HttpRequest, status: int, **detail: object) -> None:
    """ASVS 16.3.2: a refused request is a security event. A 404 counts only for someone
    signed in: the access policy answers 404 for what is outside their scope, and an
    anonymous visitor is sent to sign in, never refused (their 404s are typos and robots).
    The path, never the query string, which may hold what someone typed."""
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    if status == 404 and not signed_in:
        return
    security.record(
        security.Kind.ACCESS_REFUSED,
        request=request,
        user=user if signed_in else None,
        status=status,
        method=request.method,
        path=request.path[:500],
        details=detail,
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    record_refusal(request, 403, reason="csrf")
    return render(request, "403_csrf.html", status=403)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    record_refusal(request, 403)
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    record_refusal(request, 404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without context processors or the database: the fault may be there.
    reference = getattr(request, "error_reference", "")
    from django.template import loader

    template = loader.get_template("500.html")
    return HttpResponse(template.render({"reference": reference}), status=500)
