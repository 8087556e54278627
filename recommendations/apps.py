from __future__ import annotations

from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    verbose_name = "Recommendations and the action plan"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from recommendations.models import RagStatus

        auditlog.register(RagStatus)
