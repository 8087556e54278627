from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse

from dscb import access
from dscb.access import Action

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


class BoardAdminSite(admin.AdminSite):
    site_title = "Administration"
    index_title = "Users, agencies and reference data"

    @property
    def site_header(self) -> str:  # type: ignore[override]
        return f"{settings.BOARD_NAME}: administration"

    def has_permission(self, request: HttpRequest) -> bool:
        return access.can(request.user, Action.ADMINISTER)

    def admin_view(self, view: View, cacheable: bool = False) -> View:
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            # Straight to the one sign-in page (with MFA); signed-in non-administrators
            # are refused rather than sent round a sign-in loop.
            if not self.has_permission(request):
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return cast(View, guarded)

    def password_change(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:  # type: ignore[override]
        # One password-change page, which applies the password rules and notifies the person.
        return redirect("account_change_password")

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        # The admin's own sign-in form would skip MFA: everyone signs in through allauth.
        # Someone already signed in but not an administrator is refused, not looped.
        if request.user.is_authenticated:
            if self.has_permission(request):
                return redirect("admin:index")
            raise PermissionDenied
        next_url = request.GET.get("next") or reverse("admin:index")
        return redirect_to_login(next_url)
