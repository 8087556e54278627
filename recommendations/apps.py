from __future__ import annotations

from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    verbose_name = "Recommendations and the action plan"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from dscb import context_processors, middleware, navigation, reference
        from dscb.access import Action
        from dscb.navigation import NavItem
        from dscb.reference import ReferenceKind
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
        reference.register(
            ReferenceKind(
                slug="rag-statuses",
                model=models.RagStatus,
                title="RAG statuses",
                noun="RAG status",
                description=(
                    "The ratings of the action plan's progress, best first (rank 1), with what each means: "
                    "counts as done, or needs attention."
                ),
                fields=(
                    "label",
                    "rank",
                    "counts_as_done",
                    "needs_attention",
                    "colour",
                    "text_colour",
                    "description",
                    "is_active",
                ),
                columns=("rank", "counts_as_done", "needs_attention", "colour"),
            ),
            ReferenceKind(
                slug="plan-scale",
                model=models.PlanScale,
                title="The plan scale's words",
                noun="plan scale's words",
                description=(
                    "What pages, reports and workbooks call the ratings as a whole, no rating, "
                    "and the list of recommendations needing attention."
                ),
                fields=("name", "short_name", "plural", "not_rated", "attention_heading"),
                single_row=True,
            ),
        )
        navigation.register(
            NavItem(
                "My recommendations", "recommendations:mine", Action.LEAD_RECOMMENDATIONS, section="/action-plan/mine/"
            ),
            NavItem("Action plan", "recommendations:plan_list", Action.VIEW_ACTION_PLAN, section="/action-plan/"),
        )
        # A style sheet every page links to, the MFA set-up page included.
        middleware.exempt_from_mfa("recommendations:scale_styles")
