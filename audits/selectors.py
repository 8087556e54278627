"""Reads for the case audit pages. Each page's queries live here, with their joins and
counts, so a page costs the same number of queries however much data there is."""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeAlias, TypedDict, cast

from django.db import models
from django.db.models import Count, Prefetch, Q, QuerySet, Value
from django.urls import reverse

from audits.access import visible_cases, visible_rounds
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
    RoundReopening,
    RoundState,
    Theme,
    ThemeRating,
)
from dscb.access import Action
from dscb.models import Agency, User
from dscb.request_cache import once_per_request
from dscb.selectors import HistoryEntry, logged_about, people_who_can, saves_in

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


@dataclass(frozen=True)
class Scales:
    """The active reference scales a form or a completeness check needs, read once, with
    the checklist questions asked (of a round's records: the round's own)."""

    themes: list[Theme]
    grades: list[Grade]
    questions: list[ChecklistQuestion]


@once_per_request
def grade_scale() -> GradeScale:
    """The words for the grades as a whole (one row; its defaults if there is none)."""
    return GradeScale.objects.order_by("pk").first() or GradeScale()


def default_questions() -> QuerySet[ChecklistQuestion]:
    """What a new round asks unless it leaves some out: the active questions of the
    default set, on active themes."""
    return ChecklistQuestion.objects.active().filter(in_default_set=True, theme__is_active=True)


def asked_in(audit_round: AuditRound | None) -> QuerySet[ChecklistQuestion]:
    """The questions asked of ``audit_round``'s records: those it chose (a question
    retired since it was planned still among them, so its records keep their question),
    on active themes; with no round, every active question that a round could choose."""
    if audit_round is None:
        return ChecklistQuestion.objects.active().filter(theme__is_active=True)
    return audit_round.questions.filter(theme__is_active=True)


def round_questions(audit_round: AuditRound) -> list[ChecklistQuestion]:
    """The checklist questions asked of the round's records, in the order they are asked."""
    return list(asked_in(audit_round))


def active_scales(
    audit_round: AuditRound | None = None,
) -> tuple[QuerySet[Theme], QuerySet[Grade], QuerySet[ChecklistQuestion]]:
    """What may be graded and answered (in ``audit_round``: see ``asked_in``)."""
    return Theme.objects.active(), Grade.objects.active(), asked_in(audit_round)


def scales(audit_round: AuditRound | None = None) -> Scales:
    """The active themes and grades, and the questions ``audit_round`` asks (no round:
    every active question)."""
    themes, grades, questions = active_scales(audit_round)
    return Scales(themes=list(themes), grades=list(grades), questions=list(questions))


def rounds_scales(round_pks: list[int]) -> dict[int, Scales]:
    """``scales(audit_round)`` for each of the rounds ``round_pks``, in three queries
    however many rounds there are."""
    themes, grades = list(Theme.objects.active()), list(Grade.objects.active())
    asked: dict[int, list[ChecklistQuestion]] = {pk: [] for pk in round_pks}
    for chosen in (
        AuditRound.questions.through.objects.filter(
            auditround_id__in=round_pks, checklistquestion__theme__is_active=True
        )
        .select_related("checklistquestion")
        .order_by("checklistquestion__theme__position", "checklistquestion__position", "checklistquestion__pk")
    ):
        asked[chosen.auditround_id].append(chosen.checklistquestion)
    return {pk: Scales(themes=themes, grades=grades, questions=questions) for pk, questions in asked.items()}


def active_pks(audit_round: AuditRound | None = None) -> dict[str, set[int]]:
    """The pks of the active ``themes`` and ``grades``, and of the ``questions`` asked (in
    ``audit_round``: see ``asked_in``), for a service's checks: one query, whatever the
    size of the scales."""
    kinds = ("themes", "grades", "questions")
    first, *others = (
        scale.order_by().values_list(Value(kind), "pk")
        for kind, scale in zip(kinds, active_scales(audit_round), strict=True)
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


class RoundCounts(TypedDict):
    """What ``round_list`` counts for each round."""

    case_count: int
    finalised_count: int


if TYPE_CHECKING:
    CountedRound: TypeAlias = WithAnnotations[AuditRound, RoundCounts]


def round_list(user: User, filters: Mapping[str, str] | None = None) -> QuerySet[CountedRound]:
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
    counted = visible_rounds(
        user,
        rounds.annotate(
            case_count=Count("cases", distinct=True),
            finalised_count=Count("cases", filter=Q(cases__state=AuditCase.State.FINALISED), distinct=True),
        ),
    )
    return cast("QuerySet[CountedRound]", counted)


def round_years(user: User) -> list[int]:
    """The years of the rounds ``user`` may see, newest first (one query)."""
    return [day.year for day in visible_rounds(user).dates("held_on", "year", order="DESC")]


def round_page_queryset() -> QuerySet[AuditRound]:
    return AuditRound.objects.prefetch_related(
        "agencies",
        Prefetch("auditors", User.objects.select_related("agency")),
        Prefetch("reopenings", RoundReopening.objects.select_related("reopened_by")),
    )


def round_records(audit_round: AuditRound) -> list[CaseRecord]:
    """Every agency record in the round, with what its completeness and feedback need."""
    return records_in_rounds([audit_round.pk])


def records_in_rounds(round_pks: list[int]) -> list[CaseRecord]:
    return list(
        CaseRecord.objects.filter(case__audit_round__in=round_pks)
        .select_related("case", "agency")
        .prefetch_related(
            Prefetch("grades", RecordGrade.objects.only("record_id", "theme_id")),
            Prefetch("answers", ChecklistAnswer.objects.only("record_id", "question_id")),
            Prefetch("feedback", Feedback.objects.only("record_id", "recipient")),
        )
        .order_by("case__reference", "agency__position", "agency__name", "pk")
    )


class ReturnStatus(models.TextChoices):
    """Where an agency's return for a case stands, on the round's progress grid."""

    NOT_EXPECTED = "not_expected", "Not expected"
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETE = "complete", "Complete"
    OVERDUE = "overdue", "Overdue"


@dataclass(frozen=True)
class CaseReturns:
    """One row of the progress grid: a case and, by agency pk, where its return stands."""

    case: AuditCase
    statuses: dict[int, ReturnStatus]


def return_status(*, expected: bool, records: list[CaseRecord], scales: Scales, overdue: bool) -> ReturnStatus:
    """One agency's return for one case: complete when every record it made is complete
    (all graded and answered); overdue when it is not, and the date returns were due has
    passed; not expected when the agency was not named and has made no record."""
    if not records:
        if not expected:
            return ReturnStatus.NOT_EXPECTED
        return ReturnStatus.OVERDUE if overdue else ReturnStatus.NOT_STARTED
    if all(record_completeness(record, scales).is_complete for record in records):
        return ReturnStatus.COMPLETE
    return ReturnStatus.OVERDUE if overdue else ReturnStatus.IN_PROGRESS


def returns_grid(
    audit_round: AuditRound,
    *,
    agencies: list[Agency],
    cases: list[AuditCase],
    records: list[CaseRecord],
    scales: Scales,
    today: datetime.date,
) -> list[CaseReturns]:
    """Each case by agency, from the round's cases (their expected agencies prefetched) and records."""
    by_case_and_agency: dict[tuple[int, int], list[CaseRecord]] = {}
    for record in records:
        by_case_and_agency.setdefault((record.case_id, record.agency_id), []).append(record)
    overdue = audit_round.returns_overdue(today)
    return [
        CaseReturns(
            case=case,
            statuses={
                agency.pk: return_status(
                    expected=agency.pk in {expected.pk for expected in case.expected_agencies.all()},
                    records=by_case_and_agency.get((case.pk, agency.pk), []),
                    scales=scales,
                    overdue=overdue,
                )
                for agency in agencies
            },
        )
        for case in cases
    ]


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
    return (
        cases.select_related("overall_grade")
        .annotate(
            record_count=Count("records", distinct=True),
            open_escalation_count=Count(
                "escalations",
                filter=Q(escalations__resolved_on__isnull=True, escalations__withdrawn_on__isnull=True),
                distinct=True,
            ),
        )
        # Said again: a query that counts (GROUP BY) leaves the model's ordering out.
        .order_by("reference", "pk")
    )


@dataclass(frozen=True)
class FeedbackOwed:
    record: CaseRecord
    recipients: list[str]


def feedback_owed(*, rounds: QuerySet[AuditRound]) -> list[FeedbackOwed]:
    """For each agency record in ``rounds``, who has not yet been given feedback."""
    return owed_on(records_owing_feedback(rounds=rounds))


def records_owing_feedback(*, rounds: QuerySet[AuditRound]) -> QuerySet[CaseRecord]:
    """The agency records in ``rounds`` someone is still owed feedback on, ready for ``owed_on``."""
    return (
        CaseRecord.objects.filter(case__audit_round__in=rounds, feedback_not_needed="")
        # Found in the database (each recipient is given feedback once at most, a constraint),
        # so a round with all its feedback given builds no rows.
        .annotate(given=Count("feedback"))
        .filter(given__lt=len(Feedback.Recipient.choices))
        .select_related("case", "agency")
        .prefetch_related(Prefetch("feedback", Feedback.objects.only("record_id", "recipient")))
        .order_by("case__reference", "agency__position", "pk")
    )


def owed_on(records: Iterable[CaseRecord]) -> list[FeedbackOwed]:
    """Who is still owed feedback on each of ``records`` (their feedback prefetched),
    unless the audit team has said why none is needed."""
    owed = []
    for record in records:
        if record.feedback_not_needed:
            continue
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
    return AuditCase.objects.select_related("audit_round", "overall_grade", "updated_by").prefetch_related(
        "expected_agencies"
    )


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


def case_history(case: AuditCase) -> list[HistoryEntry]:
    """Who changed what and when, in the case and everything in it, newest first."""
    return saves_in(logged_about(key="case_id", pk=case.pk))


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
    """One thing a case lacks before it can be finalised, or a round before it can move
    on, in words the audit team can act on, and the address of the page (and the place on
    it) where it is done."""

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
    checklist question its round asks is answered (``scales(audit_round)``). Reads the
    record's prefetched rows only."""
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


# --- A round's steps ------------------------------------------------------------------------


STEP_TITLES = {
    AuditRound.State.PLANNED: "Plan the round",
    AuditRound.State.COLLECTING: "Collect the agencies' returns",
    AuditRound.State.MODERATION: "Moderate at the panel and finalise the cases",
    AuditRound.State.FEEDBACK: "Give feedback",
    AuditRound.State.COMPLETED: "Complete the round",
}
STEPS = list(AuditRound.State)


def next_state(state: str) -> RoundState | None:
    position = STEPS.index(AuditRound.State(state))
    return STEPS[position + 1] if position + 1 < len(STEPS) else None


@dataclass(frozen=True)
class RoundStep:
    state: RoundState
    title: str
    status: str  # "Completed", "In progress" or "Not yet started"
    progress: str
    needs: list[Missing]


@dataclass(frozen=True)
class RoundProgress:
    """A round's steps, what each still needs, and the grid of returns (case by agency) of returns."""

    audit_round: AuditRound
    steps: list[RoundStep]
    agencies: list[Agency]  # taking part: the grid's columns
    grid: list[CaseReturns]
    questions: list[ChecklistQuestion]  # the checklist questions the round asks
    # What stops the round moving on from where it is now: empty when it may.
    needs: list[Missing]

    @property
    def next_state(self) -> RoundState | None:
        return next_state(self.audit_round.state)

    @property
    def focus_questions(self) -> list[ChecklistQuestion]:
        """The questions the round asks beyond the default set, for its focus."""
        return [question for question in self.questions if not question.in_default_set]


def _planning_needs(audit_round: AuditRound, cases: list[AuditCase]) -> list[Missing]:
    needs = []
    change = reverse("audits:round_edit", args=[audit_round.pk])
    if audit_round.returns_due_on is None:
        needs.append(Missing("Enter the date the agencies' returns are due", change))
    if not cases:
        noun = "family" if audit_round.is_appreciative_inquiry else "child audited"
        needs.append(Missing(f"Add at least one {noun}", reverse("audits:case_create", args=[audit_round.pk])))
    if audit_round.is_appreciative_inquiry:
        return needs  # families meet with professionals: no agency returns
    needs += [
        Missing(
            f"Name the agencies expected to return a record for {case.reference}",
            reverse("audits:case_edit", args=[case.pk]),
        )
        for case in cases
        if not case.expected_agencies.all()
    ]
    return needs


def _moderation_needs(cases: list[AuditCase]) -> list[Missing]:
    return [
        Missing(f"Finalise case {case.reference}", reverse("audits:case_detail", args=[case.pk]))
        for case in cases
        if not case.is_finalised
    ]


def _feedback_needs(audit_round: AuditRound, records: list[CaseRecord]) -> list[Missing]:
    if audit_round.is_appreciative_inquiry:
        return []
    return [
        Missing(
            f"Record the feedback on {owed.record.case.reference}: {owed.record} "
            f"(still to give to {', '.join(label.lower() for label in owed.recipients)}), or say why none is needed",
            reverse("audits:record_feedback", args=[owed.record.pk]),
        )
        for owed in owed_on(records)
    ]


def round_progress(audit_round: AuditRound, *, today: datetime.date) -> RoundProgress:
    """Everything the round page's task list and grid show, in a fixed number of queries."""
    cases = list(audit_round.cases.prefetch_related("expected_agencies").order_by("reference"))
    return _progress(
        audit_round, cases=cases, records=round_records(audit_round), scales=scales(audit_round), today=today
    )


def rounds_in_progress(user: User, *, today: datetime.date) -> list[RoundProgress]:
    """The rounds ``user`` may open that are not completed, earliest first, each with its
    steps and returns: a fixed number of queries however many rounds there are."""
    rounds = list(
        visible_rounds(user, AuditRound.objects.exclude(state=AuditRound.State.COMPLETED))
        .prefetch_related("agencies")
        .order_by("held_on", "title")
    )
    pks = [audit_round.pk for audit_round in rounds]
    cases: dict[int, list[AuditCase]] = {pk: [] for pk in pks}
    for case in (
        AuditCase.objects.filter(audit_round__in=pks).prefetch_related("expected_agencies").order_by("reference")
    ):
        cases[case.audit_round_id].append(case)
    records: dict[int, list[CaseRecord]] = {pk: [] for pk in pks}
    for record in records_in_rounds(pks):
        records[record.case.audit_round_id].append(record)
    read = rounds_scales(pks)
    return [
        _progress(
            audit_round,
            cases=cases[audit_round.pk],
            records=records[audit_round.pk],
            scales=read[audit_round.pk],
            today=today,
        )
        for audit_round in rounds
    ]


def _progress(
    audit_round: AuditRound,
    *,
    cases: list[AuditCase],
    records: list[CaseRecord],
    scales: Scales,
    today: datetime.date,
) -> RoundProgress:
    agencies = list(audit_round.agencies.all())
    grid = returns_grid(audit_round, agencies=agencies, cases=cases, records=records, scales=scales, today=today)
    expected = [status for row in grid for status in row.statuses.values() if status != ReturnStatus.NOT_EXPECTED]
    complete = sum(status == ReturnStatus.COMPLETE for status in expected)
    overdue = sum(status == ReturnStatus.OVERDUE for status in expected)
    finalised = sum(case.is_finalised for case in cases)
    needs = {
        AuditRound.State.PLANNED: _planning_needs(audit_round, cases),
        AuditRound.State.COLLECTING: [],
        AuditRound.State.MODERATION: _moderation_needs(cases),
        AuditRound.State.FEEDBACK: _moderation_needs(cases) + _feedback_needs(audit_round, records),
        AuditRound.State.COMPLETED: [],
    }
    progress = {
        AuditRound.State.PLANNED: f"{len(cases)} {'case' if len(cases) == 1 else 'cases'} added",
        AuditRound.State.COLLECTING: f"{complete} of {len(expected)} returns complete"
        + (f", {overdue} overdue" if overdue else ""),
        AuditRound.State.MODERATION: f"{finalised} of {len(cases)} cases finalised",
        AuditRound.State.FEEDBACK: f"{len(_feedback_needs(audit_round, records))} agency records still owed feedback",
        AuditRound.State.COMPLETED: "",
    }
    position = STEPS.index(AuditRound.State(audit_round.state))
    steps = [
        RoundStep(
            state=state,
            title=STEP_TITLES[state],
            status="Completed"
            if index < position or audit_round.is_completed
            else "In progress"
            if index == position
            else "Not yet started",
            progress=progress[state],
            needs=needs[state] if index == position else [],
        )
        for index, state in enumerate(STEPS)
    ]
    return RoundProgress(
        audit_round=audit_round,
        steps=steps,
        agencies=agencies,
        grid=grid,
        questions=scales.questions,
        needs=needs[AuditRound.State(audit_round.state)],
    )
