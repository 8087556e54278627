"""The figures behind the dashboards and the six-monthly report. The dashboards, the
report page, its PDF and its spreadsheet all read these same functions, so a figure is
computed one way wherever it appears. Aggregates only: nothing here names a child."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Case, Count, Exists, Max, OuterRef, Q, QuerySet, Value, When

from audits import selectors as audit_selectors
from audits.models import (
    AuditCase,
    AuditRound,
    CaseRecord,
    ChecklistAnswer,
    ChecklistQuestion,
    Escalation,
    Feedback,
    Grade,
    GradeScale,
    RecordGrade,
    Theme,
    ThemeRating,
)
from dscb.validators import contains_board_reference
from recommendations import selectors as plan_selectors
from recommendations.models import (
    ActionPlan,
    Evidence,
    PlanSection,
    RagStatus,
    Recommendation,
    ReviewCycle,
)
from recommendations.selectors import Cycles, RagScale, RecommendationRow

# --- Case audits ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    def __str__(self) -> str:
        return f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# Small numbers identify children and practitioners: an agency with a handful of records
# in a period is a handful of families and the few people who worked with them. So a
# figure about an agency's records is withheld ("fewer than 5") when the agency has fewer
# than SMALL_NUMBER records in the period (a round, or the rounds of a dashboard or report),
# or when the figure itself is drawn from fewer; and shares only are shown, never an
# agency's number of records, so a withheld figure cannot be worked out from the others
# or from the figures for all agencies.
SMALL_NUMBER = 5
WITHHELD = f"fewer than {SMALL_NUMBER}"
SMALL_NUMBER_RULE = (
    f"An agency with fewer than {SMALL_NUMBER} records in the rounds a table covers, and any figure drawn from "
    f"fewer than {SMALL_NUMBER} records, shows “{WITHHELD}” instead of a figure: small numbers could identify "
    "children and practitioners. No agency's number of records is given, so a figure withheld cannot be worked "
    "out from the others or from the figures for all agencies."
)


@dataclass(frozen=True)
class Figure:
    """A share or a count about agencies' records, or ``withheld`` under the small-number
    rule (SMALL_NUMBER). ``value`` None: nothing to count (no record graded or asked)."""

    value: float | int | None = None
    withheld: bool = False

    @property
    def data(self) -> float | int | str | None:
        """As the published figures and the workbook give it."""
        return WITHHELD if self.withheld else self.value


def guarded_share(part: int, whole: int, *, records: int) -> Figure:
    """``part`` of ``whole`` records, withheld if the agency had fewer than SMALL_NUMBER
    ``records`` or the share is drawn from fewer than SMALL_NUMBER."""
    if records < SMALL_NUMBER or 0 < whole < SMALL_NUMBER:
        return Figure(withheld=True)
    return Figure(share(part, whole))


@dataclass(frozen=True)
class AgencyRow:
    """One agency's figures in a breakdown table: every one withheld when the agency had
    fewer than SMALL_NUMBER records in the period (a round, or the rounds of a dashboard or report)."""

    agency: str
    records: int
    figures: list[Figure]

    @property
    def withheld(self) -> bool:
        return self.records < SMALL_NUMBER


@dataclass(frozen=True)
class ThemeBelow:
    """A theme, with the agencies' records graded below the threshold on it and their share
    of the records graded on it."""

    theme: Theme
    below: Figure
    share: Figure


# Which cases count. A case's figures are what the audit team agreed when they finalised
# it; a draft (new, or re-opened to correct it) may still change. So every figure about
# what the audits found (cases, records, grades overall and per theme, the checklist,
# feedback, Appreciative Inquiry) counts finalised cases only, and the cases left out are
# counted apart so every page can say so. Requests for immediate intervention count
# whatever the case's state: they are raised during an audit and never lost from sight.


@dataclass
class RoundFigures:
    audit_round: AuditRound
    cases: int = 0  # finalised
    not_finalised: int = 0  # left out of every figure until finalised
    records: int = 0
    overall: Counter = field(default_factory=Counter)  # grade id -> cases
    themes: dict[int, Counter] = field(default_factory=lambda: defaultdict(Counter))  # theme -> grade -> cases
    below_threshold_on_a_theme: int = 0  # cases with a theme graded below the threshold
    checklist: dict[int, Counter] = field(default_factory=lambda: defaultdict(Counter))  # question -> answer -> n
    asked: set[int] = field(default_factory=set)  # the checklist questions the round asked
    agency_records: Counter = field(default_factory=Counter)  # agency -> records
    # agency -> question -> answer -> n
    agency_checklist: dict[int, dict[int, Counter]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(Counter))
    )

    def graded(self) -> int:
        return sum(self.overall.values())

    def checklist_yes_share(self, question_id: int) -> float | None:
        """Share of records answering yes, of those where the question applied; None where
        the round did not ask it (never a share of records that could not answer it)."""
        if question_id not in self.asked:
            return None
        answers = self.checklist.get(question_id, Counter())
        applicable = sum(n for answer, n in answers.items() if answer != ChecklistAnswer.Answer.NOT_APPLICABLE)
        return share(answers["yes"], applicable)


@dataclass
class InquiryFigures:
    families: int = 0
    plans_over_12_months: int = 0
    seen_as_stuck: int = 0
    outcomes_agreed: int = 0  # families whose participants agreed desired outcomes for the children


@dataclass
class AuditFigures:
    period: Period
    scale: GradeScale  # the words for the grades as a whole
    grades: list[Grade]
    themes: list[Theme]
    questions: list[ChecklistQuestion]
    rounds: list[RoundFigures]  # case audit rounds with a case, finalised or not
    inquiry: InquiryFigures
    not_finalised: list[tuple[AuditRound, int]]  # rounds (Appreciative Inquiry too) with cases left out
    escalations_raised: int
    escalations_open: int
    escalations_overdue: int
    feedback_owed: int
    most_records_in_a_case: int
    agencies: dict[int, str] = field(default_factory=dict)  # agency -> name, in the agencies' order
    # agency -> theme -> grade -> records, from each agency's own grades (RecordGrade)
    agency_grades: dict[int, dict[int, Counter]] = field(default_factory=dict)

    @property
    def cases(self) -> int:
        return sum(figures.cases for figures in self.rounds)

    @property
    def not_finalised_count(self) -> int:
        return sum(n for _, n in self.not_finalised)

    @property
    def records(self) -> int:
        return sum(figures.records for figures in self.rounds)

    @property
    def overall(self) -> Counter:
        return sum((figures.overall for figures in self.rounds), Counter())

    @property
    def graded(self) -> int:
        return sum(self.overall.values())

    def meeting_threshold(self, counts: Counter) -> float | None:
        meeting = {grade.pk for grade in self.grades if grade.meets_threshold}
        return share(sum(n for grade_id, n in counts.items() if grade_id in meeting), sum(counts.values()))

    def theme_totals(self) -> dict[int, Counter]:
        totals: dict[int, Counter] = defaultdict(Counter)
        for figures in self.rounds:
            for theme_id, counts in figures.themes.items():
                totals[theme_id] += counts
        return totals

    # Broken down by agency, under the small-number rule (SMALL_NUMBER).

    def agency_records(self) -> Counter:
        return sum((figures.agency_records for figures in self.rounds), Counter())

    def _meeting(self, counts: Counter) -> int:
        return sum(n for grade_id, n in counts.items() if self._grades_meeting_threshold.get(grade_id))

    @cached_property
    def _grades_meeting_threshold(self) -> dict[int, bool]:
        return {grade.pk: grade.meets_threshold for grade in self.grades}

    def agency_theme_rows(self) -> list[AgencyRow]:
        """Per agency with records in the period, per theme: the share of the agency's
        records graded at or above the threshold on it (by the grades' meets_threshold)."""
        records = self.agency_records()
        rows = []
        for agency_id, name in self.agencies.items():
            if not records[agency_id]:
                continue
            themes = self.agency_grades.get(agency_id, {})
            figures = []
            for theme in self.themes:
                counts = themes.get(theme.pk, Counter())
                figures.append(guarded_share(self._meeting(counts), sum(counts.values()), records=records[agency_id]))
            rows.append(AgencyRow(name, records[agency_id], figures))
        return rows

    def themes_below_threshold(self) -> list[ThemeBelow]:
        """The themes on which agencies' records were most often graded below the
        threshold, most first, counted over every agency's own grades (not the cases'
        agreed grades). A theme with fewer than SMALL_NUMBER such records is withheld, and
        listed after the others in the themes' own order, so its place tells nothing."""
        below: Counter = Counter()
        graded: Counter = Counter()
        for themes in self.agency_grades.values():
            for theme_id, counts in themes.items():
                graded[theme_id] += sum(counts.values())
                below[theme_id] += sum(counts.values()) - self._meeting(counts)
        shown = sorted(
            (theme for theme in self.themes if below[theme.pk] >= SMALL_NUMBER),
            key=lambda theme: -below[theme.pk],  # stable: ties keep the themes' order
        )
        withheld = [theme for theme in self.themes if 0 < below[theme.pk] < SMALL_NUMBER]
        return [
            ThemeBelow(theme, Figure(below[theme.pk]), Figure(share(below[theme.pk], graded[theme.pk])))
            for theme in shown
        ] + [ThemeBelow(theme, Figure(withheld=True), Figure(withheld=True)) for theme in withheld]

    def agency_checklist_rows(self, figures: RoundFigures) -> list[AgencyRow]:
        """Per agency with records in the round, per checklist question: the share of its
        records answering yes, of those where the question applied."""
        rows = []
        for agency_id, name in self.agencies.items():
            records = figures.agency_records[agency_id]
            if not records:
                continue
            answers = figures.agency_checklist.get(agency_id, {})
            cells = []
            for question in self.questions:
                if question.pk not in figures.asked:
                    cells.append(Figure())  # not asked in this round: nothing to count, nothing withheld
                    continue
                counts = answers.get(question.pk, Counter())
                applicable = sum(n for answer, n in counts.items() if answer != ChecklistAnswer.Answer.NOT_APPLICABLE)
                cells.append(guarded_share(counts["yes"], applicable, records=records))
            rows.append(AgencyRow(name, records, cells))
        return rows


def audit_figures(period: Period, *, today: datetime.date) -> AuditFigures:
    """Rounds held in ``period``: cases, records, grades overall and per theme, the
    checklist, escalations and feedback owed, from finalised cases only (see "Which cases
    count" above), with the cases not finalised yet counted by round. Appreciative Inquiry is
    counted apart and never enters the grade figures. A fixed number of queries, each
    counted by the database, so the cost hardly grows with the number of cases."""
    rounds = list(AuditRound.objects.filter(held_on__range=(period.start, period.end)).order_by("held_on", "pk"))
    audit_rounds = [audit_round for audit_round in rounds if not audit_round.is_appreciative_inquiry]
    figures = {audit_round.pk: RoundFigures(audit_round) for audit_round in audit_rounds}
    round_ids = list(figures)
    inquiry = InquiryFigures()
    families_not_finalised: Counter = Counter()  # round id -> families

    for round_id, state, grade_id, n in (
        AuditCase.objects.filter(audit_round__in=round_ids)
        .values_list("audit_round_id", "state", "overall_grade_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        if state != AuditCase.State.FINALISED:
            figures[round_id].not_finalised += n
            continue
        figures[round_id].cases += n
        if grade_id is not None:
            figures[round_id].overall[grade_id] += n
    # A handful of families a year: read one by one.
    for family in (
        AuditCase.objects.filter(audit_round__in=[r for r in rounds if r.is_appreciative_inquiry])
        .only("state", "plan_started_on", "seen_as_stuck", "desired_outcomes", "audit_round__held_on")
        .select_related("audit_round")
    ):
        if not family.is_finalised:
            families_not_finalised[family.audit_round_id] += 1
            continue
        inquiry.families += 1
        inquiry.plans_over_12_months += family.plan_months_at(family.audit_round.held_on) > 12
        inquiry.seen_as_stuck += bool(family.seen_as_stuck)
        inquiry.outcomes_agreed += bool(family.desired_outcomes.strip())

    finalised = {"case__state": AuditCase.State.FINALISED}  # see "Which cases count" above
    for round_id, theme_id, grade_id, n in (
        ThemeRating.objects.filter(case__audit_round__in=round_ids, **finalised)
        .values_list("case__audit_round_id", "theme_id", "grade_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        figures[round_id].themes[theme_id][grade_id] += n
    for round_id, n in (
        ThemeRating.objects.filter(case__audit_round__in=round_ids, grade__meets_threshold=False, **finalised)
        .values_list("case__audit_round_id")
        .annotate(n=Count("case", distinct=True))
        .order_by()
    ):
        figures[round_id].below_threshold_on_a_theme = n

    # Records and checklist answers by agency too: the rounds' figures are their sums.
    agencies: dict[int, tuple[int, str]] = {}  # agency -> (position, name): the agencies' order
    for round_id, agency_id, position, name, records in (
        CaseRecord.objects.filter(case__audit_round__in=round_ids, **finalised)
        .values_list("case__audit_round_id", "agency_id", "agency__position", "agency__name")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        figures[round_id].records += records
        figures[round_id].agency_records[agency_id] = records
        agencies[agency_id] = (position, name)
    for round_id, agency_id, question_id, answer, n in (
        ChecklistAnswer.objects.filter(
            record__case__audit_round__in=round_ids, record__case__state=AuditCase.State.FINALISED
        )
        .values_list("record__case__audit_round_id", "record__agency_id", "question_id", "answer")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        figures[round_id].checklist[question_id][answer] += n
        figures[round_id].agency_checklist[agency_id][question_id][answer] = n
    # The questions each round asked: a round's checklist figures cover those only.
    asked: dict[int, ChecklistQuestion] = {}
    for chosen in (
        AuditRound.questions.through.objects.filter(auditround_id__in=round_ids)
        .select_related("checklistquestion__theme")
        .order_by()
    ):
        figures[chosen.auditround_id].asked.add(chosen.checklistquestion_id)
        asked[chosen.checklistquestion_id] = chosen.checklistquestion
    agency_grades: dict[int, dict[int, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for agency_id, theme_id, grade_id, n in (
        RecordGrade.objects.filter(
            record__case__audit_round__in=round_ids, record__case__state=AuditCase.State.FINALISED
        )
        .values_list("record__agency_id", "theme_id", "grade_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        agency_grades[agency_id][theme_id][grade_id] = n

    escalations = Escalation.objects.filter(case__audit_round__in=rounds).aggregate(
        raised=Count("pk"),
        open=Count("pk", filter=Q(resolved_on__isnull=True, withdrawn_on__isnull=True)),
        overdue=Count("pk", filter=Q(resolved_on__isnull=True, withdrawn_on__isnull=True, due_by__lt=today)),
    )
    records_total = sum(round_figures.records for round_figures in figures.values())
    feedback_given = Feedback.objects.filter(
        record__case__audit_round__in=round_ids, record__case__state=AuditCase.State.FINALISED
    ).count()
    left_out = {round_id: f.not_finalised for round_id, f in figures.items()} | families_not_finalised
    most_records = (
        CaseRecord.objects.filter(case__audit_round__in=round_ids, **finalised)
        .values("case")
        .annotate(n=Count("pk"))
        .aggregate(most=Max("n"))["most"]
    )
    return AuditFigures(
        period=period,
        scale=audit_selectors.grade_scale(),
        grades=list(Grade.objects.all()),
        themes=list(Theme.objects.active()),
        # Every question asked in the period, in the order they are asked.
        questions=sorted(asked.values(), key=lambda q: (q.theme.position, q.position, q.pk)),
        rounds=[f for f in figures.values() if f.cases or f.not_finalised],
        inquiry=inquiry,
        not_finalised=[
            (audit_round, left_out[audit_round.pk]) for audit_round in rounds if left_out.get(audit_round.pk)
        ],
        escalations_raised=escalations["raised"],
        escalations_open=escalations["open"],
        escalations_overdue=escalations["overdue"],
        feedback_owed=len(Feedback.Recipient.values) * records_total - feedback_given,
        most_records_in_a_case=most_records or 0,
        agencies={agency_id: name for agency_id, (_, name) in sorted(agencies.items(), key=lambda item: item[1])},
        agency_grades=agency_grades,
    )


# --- The action plan ------------------------------------------------------------------------


@dataclass(frozen=True)
class RagScope:
    """Which recommendations the action plan's figures count: every plan's or one plan's,
    from every kind of source or one (PlanSection.SourceKind)."""

    plan: ActionPlan | None = None
    source_kind: str = ""

    def recommendations(self) -> QuerySet[Recommendation]:
        chosen = Recommendation.objects.all()
        if self.plan is not None:
            chosen = chosen.filter(plan=self.plan)
        if self.source_kind:
            chosen = chosen.filter(section__source_kind=self.source_kind)
        return chosen

    @property
    def kind_words(self) -> str:
        return PlanSection.SourceKind(self.source_kind).label.lower() if self.source_kind else ""

    @property
    def query(self) -> dict[str, str]:
        """As the dashboard's filter puts it in a link."""
        return {
            name: value
            for name, value in (("plan", str(self.plan.pk) if self.plan else ""), ("kind", self.source_kind))
            if value
        }


@dataclass(frozen=True)
class RagGroup:
    """How many recommendations share one combination of what the figures count."""

    plan_id: int
    section_id: int
    state: str
    rag_id: int | None  # in the rated cycle; None: not yet rated
    previous_id: int | None  # in the completed cycle before it
    open_id: int | None  # in the open cycle
    past_target: bool
    open_evidence: bool
    n: int


def rag_groups(
    recommendations: QuerySet[Recommendation], cycles_by_plan: dict[int, Cycles], *, today: datetime.date
) -> list[RagGroup]:
    """The recommendations counted in one query by the database, whatever the number of
    plans: by plan, section, state, RAG now, before and in the open cycle (each in
    its own plan's cycles), target passed, evidence in the open cycle."""
    open_cycles = plan_selectors.each_cycle(cycles_by_plan, "open")
    open_evidence = (
        Exists(Evidence.objects.filter(update__recommendation=OuterRef("pk"), update__cycle__in=open_cycles))
        if open_cycles
        else Value(False)
    )
    fields = ["plan_id", "section_id", "state", "rag_id", "previous_id", "open_id", "past_target", "open_evidence"]
    rows = (
        recommendations.annotate(
            rag_id=plan_selectors.rating_in(plan_selectors.each_cycle(cycles_by_plan, "rated")),
            previous_id=plan_selectors.rating_in(plan_selectors.each_cycle(cycles_by_plan, "previous")),
            open_id=plan_selectors.rating_in(open_cycles),
            past_target=Case(When(target_date__lt=today, then=Value(True)), default=Value(False)),
            open_evidence=open_evidence,
        )
        .values_list(*fields)
        .annotate(n=Count("pk"))
        .order_by()
    )
    # mypy takes *row (of unknown length) for every field, so the last two seem one too many.
    return [RagGroup(*row[:-2], bool(row[-2]), row[-1]) for row in rows]  # type: ignore[call-arg]


@dataclass
class RagFigures:
    """The action plan's figures, of one plan or several. The counts come from
    ``rag_groups`` (one query); the recommendations themselves (``rows``) are read only
    where a page lists them."""

    scope: RagScope
    plans: list[ActionPlan]
    cycles_by_plan: dict[int, Cycles]
    scale: RagScale  # as the rated cycle names its ratings
    groups: list[RagGroup]
    today: datetime.date
    previous_scale: RagScale  # as the cycle before it named them
    open_scale: RagScale  # as the open cycle names them: the scale now

    @property
    def plan(self) -> ActionPlan | None:
        """The plan, when the figures are of one."""
        return self.plans[0] if len(self.plans) == 1 else None

    @property
    def cycles(self) -> Cycles:
        """The plan's cycles, when the figures are of one plan; none otherwise (each plan
        is rated in its own: see ``cycles_by_plan``)."""
        return self.cycles_by_plan[self.plans[0].pk] if len(self.plans) == 1 else Cycles([])

    @property
    def open_cycles(self) -> list[ReviewCycle]:
        return plan_selectors.each_cycle(self.cycles_by_plan, "open")

    @property
    def open_title(self) -> str:
        """ "the September 2011 update", or "the open updates" across plans; "" if none is open."""
        if len(self.open_cycles) == 1:
            return f"the {self.open_cycles[0].title}"
        return "the open updates" if self.open_cycles else ""

    @property
    def statuses(self) -> list[RagStatus]:
        return self.scale.statuses

    @property
    def total(self) -> int:
        return sum(group.n for group in self.groups)

    @cached_property
    def rows(self) -> list[RecommendationRow]:
        return plan_selectors.rows_across_plans(
            self.plans, self.cycles_by_plan, today=self.today, recommendations=self.scope.recommendations()
        )

    def _is_overdue(self, group: RagGroup) -> bool:
        return plan_selectors.overdue_rule(
            past_target=group.past_target,
            state=group.state,
            rag=self.scale.by_pk.get(group.rag_id) if group.rag_id else None,
        )

    def _is_not_updated(self, group: RagGroup) -> bool:
        return (
            self.cycles_by_plan[group.plan_id].open is not None
            and group.state == Recommendation.State.OPEN
            and not group.open_evidence
            and group.open_id is None
        )

    def counts(self, *, open_cycle: bool = False) -> Counter:
        """Recommendations by RAG id (None: not yet rated), in the rated or the open cycle."""
        counts: Counter = Counter()
        for group in self.groups:
            counts[group.open_id if open_cycle else group.rag_id] += group.n
        return counts

    def by_section(self) -> list[tuple[PlanSection, Counter]]:
        counts: dict[int, Counter] = defaultdict(Counter)
        for group in self.groups:
            counts[group.section_id][group.rag_id] += group.n
        sections = PlanSection.objects.filter(pk__in=list(counts)).select_related("plan")
        return [(section, counts[section.pk]) for section in sections.order_by("plan_id", "number")]

    def by_lead(self) -> list[tuple[str, str, Counter]]:
        """(lead's name, the lead's filter value, counts by RAG id), by name, in one query.
        A recommendation with several leads counts once for each of them."""
        counts: dict[str, Counter] = defaultdict(Counter)
        names: dict[str, str] = {}
        rows = (
            self.scope.recommendations()
            .annotate(rag_id=plan_selectors.rating_in(plan_selectors.each_cycle(self.cycles_by_plan, "rated")))
            .values_list(
                "leads__person_id",
                "leads__person__full_name",
                "leads__person__email",
                "leads__role_title",
                "leads__agency_id",
                "leads__agency__name",
                "rag_id",
            )
            .annotate(n=Count("pk"))
            .order_by()
        )
        for person_id, full_name, email, role, agency_id, agency_name, rag_id, n in rows:
            if person_id is not None:
                key, name = str(person_id), full_name or email
            elif role:
                key, name = f"{agency_id}:{role}", f"{role}, {agency_name}"
            else:
                key, name = plan_selectors.NO_LEAD, "No lead"
            names[key] = name
            counts[key][rag_id] += n
        return sorted(((names[key], key, lead_counts) for key, lead_counts in counts.items()), key=lambda item: item[0])

    def movement(self) -> Counter:
        """(RAG id before, RAG id now) -> recommendations; None is "not yet rated"."""
        moves: Counter = Counter()
        for group in self.groups:
            moves[(group.previous_id, group.rag_id)] += group.n
        return moves

    def state_counts(self) -> list[tuple[str, str, int]]:
        """(state, its words, how many) for every state, open first: open, proposed for
        closure, closed."""
        counts: Counter = Counter()
        for group in self.groups:
            counts[group.state] += group.n
        return [(state.value, state.label, counts[state.value]) for state in Recommendation.State]

    @property
    def overdue_count(self) -> int:
        return sum(group.n for group in self.groups if self._is_overdue(group))

    @property
    def not_rated_count(self) -> int:
        return self.counts()[None]

    @property
    def not_updated_count(self) -> int:
        return sum(group.n for group in self.groups if self._is_not_updated(group))

    # The recommendations behind the figures, for the pages that list them.

    def rows_that_may_need_attention(self) -> list[RecommendationRow]:
        """Rows for the recommendations rated at a status that needs attention or past
        their target date: a few, read without reading the whole plan. Whether each is
        overdue is then decided by the one rule (``RecommendationRow.overdue``)."""
        attention = [status.pk for status in self.statuses if status.needs_attention]
        candidates = (
            self.scope.recommendations()
            .annotate(rag_id=plan_selectors.rating_in(plan_selectors.each_cycle(self.cycles_by_plan, "rated")))
            .filter(Q(rag_id__in=attention) | Q(target_date__lt=self.today))
        )
        return plan_selectors.rows_across_plans(
            self.plans,
            self.cycles_by_plan,
            today=self.today,
            recommendations=Recommendation.objects.filter(pk__in=candidates.values("pk")),
        )

    @property
    def overdue(self) -> list[RecommendationRow]:
        return [row for row in self.rows if row.overdue]


def rag_figures(scope: RagScope, *, today: datetime.date, as_of: ReviewCycle | None = None) -> RagFigures:
    """The figures of the recommendations in ``scope``: each plan's in its own cycles, in a
    fixed number of queries whatever the number of plans. ``as_of`` (a report's update)
    for a scope of one plan. Each cycle's ratings are named by its own scale: as kept when
    it was completed, or as it is now for the open one; across plans, by the newest
    completed update's. A status retired since is still counted and named."""
    plans = [scope.plan] if scope.plan is not None else plan_selectors.plans()
    cycles_by_plan = plan_selectors.cycles_by_plan(plans)
    if as_of is not None:
        cycles_by_plan[as_of.plan_id] = Cycles(cycles_by_plan[as_of.plan_id].all, as_of=as_of)
    groups = rag_groups(scope.recommendations(), cycles_by_plan, today=today)
    newest = max(cycles_by_plan.values(), key=_newest_rated, default=Cycles([]))
    scales = plan_selectors.plan_scales(newest.rated, newest.previous or newest.rated, None)
    used = {pk for group in groups for pk in (group.rag_id, group.previous_id, group.open_id) if pk is not None}
    unnamed = used - {status.pk for scale in scales for status in scale.statuses}
    retired = list(RagStatus.objects.filter(pk__in=unnamed)) if unnamed else []
    rated, previous, now = (scale.with_statuses(retired) for scale in scales)
    return RagFigures(
        scope=scope,
        plans=plans,
        cycles_by_plan=cycles_by_plan,
        scale=rated,
        groups=groups,
        today=today,
        previous_scale=previous.with_statuses(rated.statuses),
        open_scale=now,
    )


def _newest_rated(cycles: Cycles) -> tuple[datetime.date, int]:
    rated = cycles.rated
    return (rated.due_on, rated.pk) if rated else (datetime.date.min, 0)


# --- A round's learning summary -------------------------------------------------------------

# Stated in every learning summary, beside the figures it governs.
LEARNING_SMALL_NUMBER_RULE = (
    f"Shares are given only for a round of {SMALL_NUMBER} or more finalised cases; for fewer, the summary says "
    f"“{WITHHELD}” instead: small numbers could identify children and practitioners."
)


@dataclass(frozen=True)
class LearningDraft:
    """A learning summary's blocks as drafted from a round's finalised cases."""

    cases: int
    title: str
    focus: str
    findings: str
    worked_well: str
    development: str
    recommendations: str


def _distinct_paragraphs(texts: Iterable[str]) -> str:
    """Each text's paragraphs once (compared without case or spacing), in the order
    first agreed; any naming a case by its board reference left out."""
    seen: set[str] = set()
    kept = []
    for text in texts:
        for paragraph in (part.strip() for part in text.replace("\r\n", "\n").split("\n\n")):
            key = " ".join(paragraph.casefold().split())
            if paragraph and key not in seen and not contains_board_reference(paragraph):
                seen.add(key)
                kept.append(paragraph)
    return "\n\n".join(kept)


def learning_draft(audit_round: AuditRound) -> LearningDraft:
    """The blocks of a round's learning summary, drafted from what the panel agreed on
    its finalised cases: the share of cases meeting the threshold on each theme (under
    the small-number rule), the strengths and areas for development, de-duplicated,
    and the recommendations whose section names the round as its source."""
    cases = list(
        audit_round.cases.filter(state=AuditCase.State.FINALISED).values_list("strengths", "areas_for_development")
    )
    scale = GradeScale.objects.order_by("pk").first() or GradeScale()
    themes = list(Theme.objects.active())
    meeting = Counter(
        ThemeRating.objects.filter(
            case__audit_round=audit_round, case__state=AuditCase.State.FINALISED, grade__meets_threshold=True
        ).values_list("theme_id", flat=True)
    )
    findings = []
    for theme in themes:
        if len(cases) < SMALL_NUMBER:
            figure = (
                f"{WITHHELD.capitalize()} cases were audited, so the share graded {scale.threshold_phrase} "
                "is not given."
            )
        else:
            met = meeting[theme.pk]
            figure = (
                f"{met} of {len(cases)} cases ({round(100 * met / len(cases))}%) were graded {scale.threshold_phrase}."
            )
        findings.append(f"{theme.name}: {figure}")
    recommendations = Recommendation.objects.filter(section__audit_round=audit_round).order_by(
        "plan_id", "number_major", "number_minor"
    )
    return LearningDraft(
        cases=len(cases),
        title=f"Learning from audit: {audit_round.title}",
        focus="" if contains_board_reference(audit_round.focus) else audit_round.focus,
        findings="\n\n".join(findings),
        worked_well=_distinct_paragraphs(strengths for strengths, _areas in cases),
        development=_distinct_paragraphs(areas for _strengths, areas in cases),
        recommendations=_distinct_paragraphs(recommendation.text for recommendation in recommendations),
    )
