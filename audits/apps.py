from __future__ import annotations

from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "Case audits"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from audits.models import Grade, Theme

        auditlog.register(Theme)
        auditlog.register(Grade)
