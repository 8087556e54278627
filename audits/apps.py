from __future__ import annotations

from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "Case audits"

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.db.models import Model

        from audits import context_processors, home_panel, models
        from dscb import context_processors as section_context
        from dscb import navigation
        from dscb.access import Action
        from dscb.navigation import NavItem

        not_history = ["version", "updated_at", "updated_by"]
        model: type[Model]
        for model in (models.Theme, models.GradeScale, models.Grade, models.ChecklistQuestion):
            auditlog.register(model, exclude_fields=not_history)
        auditlog.register(
            models.AuditRound, exclude_fields=not_history, m2m_fields={"agencies", "auditors", "questions"}
        )
        auditlog.register(models.AuditCase, exclude_fields=not_history, m2m_fields={"expected_agencies"})
        for model in (models.CaseRecord, models.Escalation, models.Feedback):
            auditlog.register(model, exclude_fields=not_history)
        for model in (
            models.CaseReopening,
            models.RoundReopening,
            models.ThemeRating,
            models.RecordGrade,
            models.ChecklistAnswer,
            models.InquiryParticipant,
            models.LegalHold,
        ):
            auditlog.register(model)
        home_panel.register()
        section_context.register(context_processors.case_search)
        navigation.register(
            NavItem("Case audits", "audits:round_list", Action.VIEW_AUDITS, section="/audits/"),
        )
