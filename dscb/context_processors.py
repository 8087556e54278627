from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from dscb import navigation
from dscb.middleware import session_passed_mfa


def service(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    # Until the session has passed MFA there is nowhere to go but set-up or sign-out.
    show_navigation = signed_in and (not settings.MFA_REQUIRED or session_passed_mfa(request))
    return {
        "BOARD_NAME": settings.BOARD_NAME,
        "BOARD_CONTACT_EMAIL": settings.BOARD_CONTACT_EMAIL,
        "DEMO_MODE": settings.DEMO_MODE,
        "MFA_REQUIRED": settings.MFA_REQUIRED,
        "navigation": navigation.items_for(user, request.path) if show_navigation else [],
    }
