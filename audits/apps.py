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
        from dscb import navigation, reference
        from dscb.access import Action
        from dscb.navigation import NavItem
        from dscb.reference import ReferenceKind

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
        reference.register(
            ReferenceKind(
                slug="themes",
                model=models.Theme,
                title="Themes",
                noun="theme",
                description="The areas every case is audited against and graded on, in the order reports show them.",
                fields=("name", "description", "position", "is_active"),
                columns=("position",),
            ),
            ReferenceKind(
                slug="grades",
                model=models.Grade,
                title="Grades",
                noun="grade",
                description="The grades of the grade scale, best first (rank 1), and whether each meets the threshold.",
                fields=("label", "rank", "meets_threshold", "colour", "text_colour", "description", "is_active"),
                columns=("rank", "meets_threshold", "colour"),
            ),
            ReferenceKind(
                slug="grade-scale",
                model=models.GradeScale,
                title="The grade scale's words",
                noun="grade scale's words",
                description="What pages, reports and workbooks call the grades as a whole, and no grade.",
                fields=("name", "plural", "threshold_phrase", "not_rated"),
                single_row=True,
            ),
            ReferenceKind(
                slug="checklist-questions",
                model=models.ChecklistQuestion,
                title="Checklist questions",
                noun="checklist question",
                description=(
                    "The questions each agency's records are checked against, under each theme, and which a new "
                    "round asks unless it leaves them out."
                ),
                fields=("text", "theme", "position", "in_default_set", "is_active"),
                columns=("theme", "position", "in_default_set"),
                related=("theme",),
                locked=lambda question: ("text", "theme") if question.answers.exists() else (),
                locked_hint=models.QUESTION_ANSWERED,
            ),
        )
        navigation.register(
            NavItem("Case audits", "audits:round_list", Action.VIEW_AUDITS, section="/audits/"),
        )
