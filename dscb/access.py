"""The one access policy: what each role may do.

Views never test roles. They name the action they perform and ask this module, which
either lets them through, raises ``PermissionDenied`` (the person may know the page
exists but may not use it) or, for objects outside a person's scope, ``Http404``.
The table below is data: the permission-matrix test imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from dscb.models import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest, HttpResponse

    from dscb.models import User


class Action(StrEnum):
    USE_SERVICE = "use_service"
    ADMINISTER = "administer"


# ``None``: anyone the board has given an active account, whatever their roles.
POLICY: dict[Action, frozenset[Role] | None] = {
    # Home, account and MFA pages.
    Action.USE_SERVICE: None,
    # Users, roles, agencies and the reference scales, through the admin site.
    Action.ADMINISTER: frozenset({Role.ADMINISTRATOR}),
}


def can(user: User | AnonymousUser, action: Action) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    allowed = POLICY[action]
    return allowed is None or not allowed.isdisjoint(user.roles)


def require(user: User | AnonymousUser, action: Action) -> None:
    if not can(user, action):
        raise PermissionDenied


def permission_required(action: Action) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a view: anonymous visitors go to sign-in, others need ``action``."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            require(request.user, action)
            return view(request, *args, **kwargs)

        wrapped.access_action = action  # type: ignore[attr-defined]
        return wrapped

    return decorator
