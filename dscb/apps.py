from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class DscbConfig(AppConfig):
    default = True
    name = "dscb"
    verbose_name = "The board"

    def ready(self) -> None:
        from allauth.mfa.models import Authenticator
        from auditlog.registry import auditlog

        from dscb import signals  # noqa: F401
        from dscb.models import Agency, User

        not_history = ["version", "updated_at", "updated_by"]
        auditlog.register(User, exclude_fields=["password", "last_login", *not_history])
        auditlog.register(Agency, exclude_fields=not_history)
        # Who set up or removed whose authenticator, and when; never its secret or codes.
        auditlog.register(Authenticator, include_fields=["user", "type", "created_at"])


class BoardAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "dscb.admin_site.BoardAdminSite"
