from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest

from dscb import navigation
from dscb.middleware import session_passed_mfa

# What each section adds to every page's context, registered when the section is ready,
# so that the board's settings name no section.
SECTION_CONTEXT: list[Callable[[HttpRequest], dict[str, object]]] = []


def register(context: Callable[[HttpRequest], dict[str, object]]) -> None:
    if context not in SECTION_CONTEXT:
        SECTION_CONTEXT.append(context)


def service(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    # Until the session has passed MFA there is nowhere to go but set-up or sign-out.
    show_navigation = signed_in and (not settings.MFA_REQUIRED or session_passed_mfa(request))
    shared: dict[str, object] = {
        "BOARD_NAME": settings.BOARD_NAME,
        "BOARD_CONTACT_EMAIL": settings.BOARD_CONTACT_EMAIL,
        "DEMO_MODE": settings.DEMO_MODE,
        "MFA_REQUIRED": settings.MFA_REQUIRED,
        "LOCAL_PASSWORDS": settings.LOCAL_PASSWORDS,
        # The identity provider's button, when there is a provider.
        "OIDC_PROVIDER_NAME": settings.OIDC_PROVIDER_NAME if settings.OIDC_ISSUER else "",
        "OIDC_PROVIDER_ID": settings.OIDC_PROVIDER_ID,
        "navigation": navigation.items_for(user, request.path) if show_navigation else [],
    }
    for context in SECTION_CONTEXT:
        shared |= context(request)
    return shared
