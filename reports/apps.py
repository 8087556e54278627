from __future__ import annotations

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Dashboards and reports"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from reports import models

        not_history = ["version", "updated_at", "updated_by"]
        auditlog.register(models.Report, exclude_fields=not_history)
        auditlog.register(models.NarrativeSection, exclude_fields=not_history)
        # The figures are stored with the documents; the history says who published what, when.
        auditlog.register(models.PublishedReport, exclude_fields=["figures"])
