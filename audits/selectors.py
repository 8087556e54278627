"""Reads for the case audit pages. Each page's queries live here, with their joins and
counts, so a page costs the same number of queries however much data there is."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeAlias, TypedDict

from auditlog.models import LogEntry
from django.db.models import Count, Prefetch, Q, QuerySet, Value
from django.urls import reverse

from audits.access import visible_rounds
from audits.models import (
    AuditCase,
    AuditRound,
    CaseRecord,
    ChecklistAnswer,
    ChecklistQuestion,
    Feedback,
    Grade,
    GradeScale,
    RecordGrade,
    Theme,
)
from dscb.access import Action
from dscb.models import User
from dscb.request_cache import once_per_request
from dscb.selectors import people_who_can

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

HISTORY_ROWS = 50


@dataclass(frozen=True)
class Scales:
    """The active reference scales a form or a completeness check needs, read once."""

    themes: list[Theme]
    grades: list[Grade]
    questions: list[ChecklistQuestion]


@once_per_request
def grade_scale() -> GradeScale:
    """The words for the grades as a whole (one row; its defaults if there is none)."""
    return GradeScale.objects.order_by("pk").first() or GradeScale()


def active_scales() -> tuple[QuerySet[Theme], QuerySet[Grade], QuerySet[ChecklistQuestion]]:
    """What may be graded and answered: a question only while its theme is active too."""
    questions = ChecklistQuestion.objects.active().filter(theme__is_active=True)
    return Theme.objects.active(), Grade.objects.active(), questions


def scales() -> Scales:
    themes, grades, questions = active_scales()
    return Scales(themes=list(themes), grades=list(grades), questions=list(questions))


def active_pks() -> dict[str, set[int]]:
    """The pks of the active ``themes``, ``grades`` and ``questions``, for a service's checks:
    one query, whatever the size of the scales."""
    kinds = ("themes", "grades", "questions")
    first, *others = (
        scale.order_by().values_list(Value(kind), "pk") for kind, scale in zip(kinds, active_scales(), strict=True)
    )
    active: dict[str, set[int]] = {kind: set() for kind in kinds}
    for kind, pk in first.union(*others, all=True):
        active[kind].add(pk)
    return active


# --- Rounds ---------------------------------------------------------------------------------


def round_list(user: User) -> QuerySet[AuditRound]:
    return visible_rounds(
        user,
        AuditRound.objects.annotate(
            case_count=Count("cases", distinct=True),
            finalised_count=Count("cases", filter=Q(cases__state=AuditCase.State.FINALISED), distinct=True),
        ),
    )


def round_page_queryset() -> QuerySet[AuditRound]:
    return AuditRound.objects.prefetch_related("agencies", Prefetch("auditors", User.objects.select_related("agency")))


class CaseCounts(TypedDict):
    """What ``round_cases`` counts for each case."""

    record_count: int
    open_escalation_count: int


if TYPE_CHECKING:
    CountedCase: TypeAlias = WithAnnotations[AuditCase, CaseCounts]


def round_cases(audit_round: AuditRound) -> QuerySet[CountedCase]:
    return audit_round.cases.select_related("overall_grade").annotate(
        record_count=Count("records", distinct=True),
        open_escalation_count=Count("escalations", filter=Q(escalations__resolved_on__isnull=True), distinct=True),
    )


@dataclass(frozen=True)
class FeedbackOwed:
    record: CaseRecord
    recipients: list[str]


def feedback_owed(*, rounds: QuerySet[AuditRound]) -> list[FeedbackOwed]:
    """For each agency record in ``rounds``, who has not yet been given feedback."""
    records = (
        CaseRecord.objects.filter(case__audit_round__in=rounds)
        .select_related("case", "agency")
        .prefetch_related(Prefetch("feedback", Feedback.objects.only("record_id", "recipient")))
        .order_by("case__reference", "agency__position", "pk")
    )
    owed = []
    for record in records:
        given = {feedback.recipient for feedback in record.feedback.all()}
        missing = [label for value, label in Feedback.Recipient.choices if value not in given]
        if missing:
            owed.append(FeedbackOwed(record=record, recipients=missing))
    return owed


def feedback_givers(audit_round: AuditRound) -> list[User]:
    """Who may have given feedback: the audit team and the round's own auditors."""
    team = people_who_can(Action.MANAGE_AUDITS)
    return list((team | audit_round.auditors.filter(is_active=True)).distinct().order_by("full_name", "email"))


# --- Cases ----------------------------------------------------------------------------------


def case_page_queryset() -> QuerySet[AuditCase]:
    return AuditCase.objects.select_related("audit_round", "overall_grade", "updated_by")


def case_records(case: AuditCase) -> list[CaseRecord]:
    return list(
        case.records.select_related("agency", "updated_by").prefetch_related(
            Prefetch("grades", RecordGrade.objects.select_related("grade")),
            Prefetch("answers"),
            Prefetch("feedback", Feedback.objects.select_related("given_by")),
        )
    )


def case_ratings(case: AuditCase) -> dict[int, Grade]:
    return {rating.theme_id: rating.grade for rating in case.theme_ratings.select_related("grade")}


def case_history(case: AuditCase) -> list[LogEntry]:
    """Who changed what and when, in the case and everything in it, newest first."""
    return list(
        LogEntry.objects.filter(additional_data__case_id=case.pk)
        .exclude(action=LogEntry.Action.ACCESS)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")[:HISTORY_ROWS]
    )


def record_page_queryset() -> QuerySet[CaseRecord]:
    return CaseRecord.objects.select_related("case", "case__audit_round", "agency", "updated_by").prefetch_related(
        "grades", "answers"
    )


# --- Agreeing the grades --------------------------------------------------------------------

# Agencies whose grades on a theme lie this many levels of the scale apart, or more, see the
# theme flagged: the panel talks it through before agreeing the case's grade.
LEVELS_APART_TO_FLAG = 2


def levels_apart(grades: Collection[Grade], *, scale: Iterable[Grade]) -> int:
    """How many levels of the grade scale lie between the best and the worst of ``grades``.
    Counted by rank, never by label: ranks may skip numbers (1, 2, 5), and a grade retired
    from ``scale`` since it was given still takes its place by its rank."""
    if not grades:
        return 0
    levels = sorted({grade.rank for grade in scale} | {grade.rank for grade in grades})
    ranks = [grade.rank for grade in grades]
    return levels.index(max(ranks)) - levels.index(min(ranks))


@dataclass(frozen=True)
class RecordOnTheme:
    """What one agency's record says on one theme: its grade and its answers to the theme's
    questions (None where not graded or not answered), in the order of the questions."""

    record: CaseRecord
    grade: Grade | None
    answers: list[ChecklistAnswer | None]


@dataclass(frozen=True)
class ThemeComparison:
    """Every agency's record side by side on one theme, for the panel agreeing its grade."""

    theme: Theme
    questions: list[ChecklistQuestion]
    records: list[RecordOnTheme]
    levels_apart: int

    @property
    def grades_differ(self) -> bool:
        return self.levels_apart >= LEVELS_APART_TO_FLAG


def theme_comparisons(records: list[CaseRecord], scales: Scales) -> list[ThemeComparison]:
    """For each active theme, what each of ``records`` says on it. Reads the records'
    prefetched rows only (``case_records``), so its cost does not grow with the records."""
    grades = {record.pk: {grade.theme_id: grade.grade for grade in record.grades.all()} for record in records}
    answers = {record.pk: {answer.question_id: answer for answer in record.answers.all()} for record in records}
    comparisons = []
    for theme in scales.themes:
        questions = [question for question in scales.questions if question.theme_id == theme.pk]
        on_theme = [
            RecordOnTheme(
                record=record,
                grade=grades[record.pk].get(theme.pk),
                answers=[answers[record.pk].get(question.pk) for question in questions],
            )
            for record in records
        ]
        given = [row.grade for row in on_theme if row.grade is not None]
        comparisons.append(
            ThemeComparison(
                theme=theme,
                questions=questions,
                records=on_theme,
                levels_apart=levels_apart(given, scale=scales.grades),
            )
        )
    return comparisons


def theme_anchor(theme: Theme) -> str:
    """The id of a theme's section on the agree-grades page."""
    return f"theme-{theme.pk}"


# The id of the overall grade's section on the agree-grades page.
OVERALL_ANCHOR = "overall"


# --- Completeness ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Missing:
    """One thing a case lacks before it can be finalised, in words the audit team can act
    on, and the address of the page (and the place on it) where it is added."""

    text: str
    url: str

    def __str__(self) -> str:
        return self.text


@dataclass
class Completeness:
    missing: list[Missing] = field(default_factory=list)

    @property
    def is_complete(self) -> bool:
        return not self.missing


def _first_radio(name: str) -> str:
    """The anchor of a radios field's first option (the GDS pack numbers them from 1, as
    ``dscb_tags.error_anchor`` says). ``name`` is the form's (``services.grade_key`` and the
    like, which this module cannot import: the services import it)."""
    return f"#id_{name}_1"


def record_completeness(record: CaseRecord, scales: Scales) -> Completeness:
    """An agency record is complete when it is graded on every active theme and every
    active checklist question is answered. Reads the record's prefetched rows only."""
    graded = {grade.theme_id for grade in record.grades.all()}
    answered = {answer.question_id for answer in record.answers.all()}
    page = reverse("audits:record_detail", args=[record.pk])
    missing = [
        Missing(f"{record}: a grade for {theme.name.lower()}", page + _first_radio(f"grade_{theme.pk}"))
        for theme in scales.themes
        if theme.pk not in graded
    ]
    missing += [
        Missing(f"{record}: an answer to “{question.text}”", page + _first_radio(f"answer_{question.pk}"))
        for question in scales.questions
        if question.pk not in answered
    ]
    return Completeness(missing)


def case_completeness(
    case: AuditCase, *, records: list[CaseRecord], ratings: dict[int, Grade], participant_count: int, scales: Scales
) -> Completeness:
    """What stops ``case`` being finalised, in words the audit team can act on, each with
    the address where it is put right."""
    if case.audit_round.is_appreciative_inquiry:
        details = reverse("audits:case_edit", args=[case.pk])
        missing = []
        if not participant_count:
            missing.append(Missing("the participants", reverse("audits:participant_add", args=[case.pk])))
        if case.seen_as_stuck is None:
            stuck = details + _first_radio("seen_as_stuck")
            missing.append(Missing("whether professionals saw the case as stuck", stuck))
        if not case.what_is_working:
            missing.append(Missing("what is working", f"{details}#id_what_is_working"))
        if not case.desired_outcomes:
            missing.append(Missing("the desired outcomes agreed", f"{details}#id_desired_outcomes"))
        return Completeness(missing)
    grades_page = reverse("audits:case_grades", args=[case.pk])
    missing = [
        Missing(f"the agreed grade for {theme.name.lower()}", f"{grades_page}#{theme_anchor(theme)}")
        for theme in scales.themes
        if theme.pk not in ratings
    ]
    if case.overall_grade_id is None:
        missing.append(Missing("the overall grade", f"{grades_page}#{OVERALL_ANCHOR}"))
    if not records:
        missing.append(Missing("at least one agency record", reverse("audits:record_create", args=[case.pk])))
    for record in records:
        missing += record_completeness(record, scales).missing
    return Completeness(missing)
