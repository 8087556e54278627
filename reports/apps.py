from __future__ import annotations

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Dashboards and reports"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from dscb import navigation
        from dscb.access import Action
        from dscb.navigation import NavItem
        from reports import models

        not_history = ["version", "updated_at", "updated_by"]
        auditlog.register(models.Report, exclude_fields=not_history)
        auditlog.register(models.NarrativeSection, exclude_fields=not_history)
        auditlog.register(models.ReportProse, exclude_fields=not_history)
        auditlog.register(models.LearningSummary, exclude_fields=not_history)
        # The figures are stored with the documents; the history says who published what, when.
        auditlog.register(models.PublishedReport, exclude_fields=["figures"])
        navigation.register(
            NavItem("Dashboards", "reports:audit_dashboard", Action.VIEW_AUDIT_DASHBOARD, section="/dashboards/"),
            NavItem("Reports", "reports:report_list", Action.READ_PUBLISHED_REPORTS, section="/reports/"),
        )
