from __future__ import annotations

from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    verbose_name = "Recommendations and the action plan"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from dscb import context_processors, middleware, navigation
        from dscb.access import Action
        from dscb.navigation import NavItem
        from recommendations import context_processors as plan_context
        from recommendations import home_panel, models

        context_processors.register(plan_context.plan_scale)
        not_history = ["version", "updated_at", "updated_by"]
        auditlog.register(models.PlanScale, exclude_fields=not_history)
        auditlog.register(models.RagStatus, exclude_fields=not_history)
        auditlog.register(models.ActionPlan, exclude_fields=not_history, m2m_fields={"audit_rounds"})
        auditlog.register(models.PlanSection)
        auditlog.register(
            models.Recommendation,
            exclude_fields=[*not_history, "number_major", "number_minor"],
            m2m_fields={"agencies"},
        )
        # Who leads it: a lead added, removed or moved is history of the recommendation.
        auditlog.register(models.RecommendationLead)
        auditlog.register(models.ReviewCycle, exclude_fields=[*not_history, "scale"])
        auditlog.register(models.CycleReopening)
        auditlog.register(models.ProgressUpdate)
        auditlog.register(models.ImportMapping)
        auditlog.register(models.Evidence)
        auditlog.register(models.Reminder)
        home_panel.register()
        navigation.register(
            NavItem(
                "My recommendations", "recommendations:mine", Action.LEAD_RECOMMENDATIONS, section="/action-plan/mine/"
            ),
            NavItem("Action plan", "recommendations:plan_list", Action.VIEW_ACTION_PLAN, section="/action-plan/"),
        )
        # A style sheet every page links to, the MFA set-up page included.
        middleware.exempt_from_mfa("recommendations:scale_styles")
