"""Reads for the case audit pages. Each page's queries live here, with their joins and
counts, so a page costs the same number of queries however much data there is."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeAlias, TypedDict

from auditlog.models import LogEntry
from django.db.models import Count, Prefetch, Q, QuerySet, Value

from audits.access import visible_cases, visible_rounds
from audits.models import (
    AuditCase,
    AuditRound,
    CaseRecord,
    ChecklistQuestion,
    Feedback,
    Grade,
    GradeScale,
    RecordGrade,
    Theme,
    ThemeRating,
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


# --- Finding a case -------------------------------------------------------------------------

SEARCH_RESULTS = 50


@dataclass(frozen=True)
class CaseSearch:
    """What a search by board reference found among the cases a person may open: the
    case with exactly that reference, or those whose reference contains it (the first
    ``SEARCH_RESULTS``, by reference). A case outside their rounds is never found."""

    reference: str
    exact: AuditCase | None = None
    partial: list[AuditCase] = field(default_factory=list)


def case_search(user: User, reference: str) -> CaseSearch:
    """``reference`` as stored (``services.board_reference``); two queries at most."""
    if not reference:
        return CaseSearch(reference)
    cases = visible_cases(user, AuditCase.objects.select_related("audit_round"))
    exact = cases.filter(reference=reference).first()
    if exact is not None:
        return CaseSearch(reference, exact=exact)
    return CaseSearch(
        reference, partial=list(cases.filter(reference__icontains=reference).order_by("reference")[:SEARCH_RESULTS])
    )


# --- Rounds ---------------------------------------------------------------------------------


def round_list(user: User, filters: Mapping[str, str] | None = None) -> QuerySet[AuditRound]:
    """The rounds ``user`` may see, narrowed by ``filters`` (``lists.RoundList``): the
    ``year`` of their date, their ``kind`` and their ``state``."""
    filters = filters or {}
    rounds = AuditRound.objects.all()
    if "year" in filters:
        rounds = rounds.filter(held_on__year=int(filters["year"]))
    if "kind" in filters:
        rounds = rounds.filter(kind=filters["kind"])
    if "state" in filters:
        rounds = rounds.filter(state=filters["state"])
    return visible_rounds(
        user,
        rounds.annotate(
            case_count=Count("cases", distinct=True),
            finalised_count=Count("cases", filter=Q(cases__state=AuditCase.State.FINALISED), distinct=True),
        ),
    )


def round_years(user: User) -> list[int]:
    """The years of the rounds ``user`` may see, newest first (one query)."""
    return [day.year for day in visible_rounds(user).dates("held_on", "year", order="DESC")]


def round_page_queryset() -> QuerySet[AuditRound]:
    return AuditRound.objects.prefetch_related("agencies", Prefetch("auditors", User.objects.select_related("agency")))


class CaseCounts(TypedDict):
    """What ``round_cases`` counts for each case."""

    record_count: int
    open_escalation_count: int


if TYPE_CHECKING:
    CountedCase: TypeAlias = WithAnnotations[AuditCase, CaseCounts]


def round_cases(audit_round: AuditRound, filters: Mapping[str, str] | None = None) -> QuerySet[CountedCase]:
    """The round's cases, narrowed by ``filters`` (``lists.RoundCases``): their overall
    ``grade``, a theme agreed ``below`` the threshold, ``finalised`` ("yes" or "no"), and
    an ``agency`` whose records were read for them."""
    filters = filters or {}
    cases = audit_round.cases.all()
    if "grade" in filters:
        cases = cases.filter(overall_grade_id=int(filters["grade"]))
    if "below" in filters:
        below = ThemeRating.objects.filter(theme_id=int(filters["below"]), grade__meets_threshold=False)
        cases = cases.filter(pk__in=below.values("case_id"))
    if "finalised" in filters:
        finalised = Q(state=AuditCase.State.FINALISED)
        cases = cases.filter(finalised) if filters["finalised"] == "yes" else cases.exclude(finalised)
    if "agency" in filters:
        cases = cases.filter(pk__in=CaseRecord.objects.filter(agency_id=int(filters["agency"])).values("case_id"))
    return cases.select_related("overall_grade").annotate(
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


# --- Completeness ---------------------------------------------------------------------------


@dataclass
class Completeness:
    missing: list[str] = field(default_factory=list)

    @property
    def is_complete(self) -> bool:
        return not self.missing


def record_completeness(record: CaseRecord, scales: Scales) -> Completeness:
    """An agency record is complete when it is graded on every active theme and every
    active checklist question is answered. Reads the record's prefetched rows only."""
    graded = {grade.theme_id for grade in record.grades.all()}
    answered = {answer.question_id for answer in record.answers.all()}
    missing = [f"{record}: a grade for {theme.name.lower()}" for theme in scales.themes if theme.pk not in graded]
    missing += [
        f"{record}: an answer to “{question.text}”" for question in scales.questions if question.pk not in answered
    ]
    return Completeness(missing)


def case_completeness(
    case: AuditCase, *, records: list[CaseRecord], ratings: dict[int, Grade], participant_count: int, scales: Scales
) -> Completeness:
    """What stops ``case`` being finalised, in words the audit team can act on."""
    if case.audit_round.is_appreciative_inquiry:
        missing = []
        if not participant_count:
            missing.append("the participants")
        if case.seen_as_stuck is None:
            missing.append("whether professionals saw the case as stuck")
        if not case.what_is_working:
            missing.append("what is working")
        if not case.desired_outcomes:
            missing.append("the desired outcomes agreed")
        return Completeness(missing)
    missing = [f"the agreed grade for {theme.name.lower()}" for theme in scales.themes if theme.pk not in ratings]
    if case.overall_grade_id is None:
        missing.append("the overall grade")
    if not records:
        missing.append("at least one agency record")
    for record in records:
        missing += record_completeness(record, scales).missing
    return Completeness(missing)
