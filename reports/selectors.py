"""The figures behind the dashboards and the six-monthly report. The dashboards, the
report page, its PDF and its spreadsheet all read these same functions, so a figure is
computed one way wherever it appears. Aggregates only: nothing here names a child."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q

from audits.models import (
    AuditCase,
    AuditRound,
    CaseRecord,
    ChecklistAnswer,
    ChecklistQuestion,
    Escalation,
    Feedback,
    Grade,
    Theme,
    ThemeRating,
)
from recommendations import selectors as plan_selectors
from recommendations.models import ActionPlan, RagStatus, ReviewCycle
from recommendations.selectors import Cycles, RecommendationRow

# --- Case audits ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    def __str__(self) -> str:
        return f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class RoundFigures:
    audit_round: AuditRound
    cases: int = 0
    records: int = 0
    overall: Counter = field(default_factory=Counter)  # grade id -> cases
    themes: dict[int, Counter] = field(default_factory=lambda: defaultdict(Counter))  # theme -> grade -> cases
    below_threshold_on_a_theme: int = 0  # cases with a theme below "adequate"
    checklist: dict[int, Counter] = field(default_factory=lambda: defaultdict(Counter))  # question -> answer -> n

    def graded(self) -> int:
        return sum(self.overall.values())

    def checklist_yes_share(self, question_id: int) -> float | None:
        """Share of records answering yes, of those where the question applied."""
        answers = self.checklist.get(question_id, Counter())
        applicable = sum(n for answer, n in answers.items() if answer != ChecklistAnswer.Answer.NOT_APPLICABLE)
        return share(answers["yes"], applicable)


@dataclass
class InquiryFigures:
    families: int = 0
    plans_over_12_months: int = 0
    seen_as_stuck: int = 0


@dataclass
class AuditFigures:
    period: Period
    grades: list[Grade]
    themes: list[Theme]
    questions: list[ChecklistQuestion]
    rounds: list[RoundFigures]
    inquiry: InquiryFigures
    escalations_raised: int
    escalations_open: int
    escalations_overdue: int
    feedback_owed: int
    most_records_in_a_case: int

    @property
    def cases(self) -> int:
        return sum(figures.cases for figures in self.rounds)

    @property
    def records(self) -> int:
        return sum(figures.records for figures in self.rounds)

    @property
    def overall(self) -> Counter:
        return sum((figures.overall for figures in self.rounds), Counter())

    @property
    def graded(self) -> int:
        return sum(self.overall.values())

    def adequate_or_better(self, counts: Counter) -> float | None:
        meeting = {grade.pk for grade in self.grades if grade.meets_threshold}
        return share(sum(n for grade_id, n in counts.items() if grade_id in meeting), sum(counts.values()))

    def theme_totals(self) -> dict[int, Counter]:
        totals: dict[int, Counter] = defaultdict(Counter)
        for figures in self.rounds:
            for theme_id, counts in figures.themes.items():
                totals[theme_id] += counts
        return totals


def audit_figures(period: Period, *, today: datetime.date) -> AuditFigures:
    """Rounds held in ``period``: cases, records, grades overall and per theme, the
    checklist, escalations and feedback owed. Appreciative Inquiry is counted apart and
    never enters the grade figures. A fixed number of queries, however many cases."""
    rounds = list(AuditRound.objects.filter(held_on__range=(period.start, period.end)).order_by("held_on", "pk"))
    audit_rounds = [audit_round for audit_round in rounds if not audit_round.is_appreciative_inquiry]
    figures = {audit_round.pk: RoundFigures(audit_round) for audit_round in audit_rounds}
    round_ids = list(figures)
    inquiry = InquiryFigures()
    inquiry_round_dates = {r.pk: r.held_on for r in rounds if r.is_appreciative_inquiry}

    cases = AuditCase.objects.filter(audit_round__in=rounds).values_list(
        "pk", "audit_round_id", "overall_grade_id", "plan_started_on", "seen_as_stuck"
    )
    case_round = {}
    for case_id, round_id, grade_id, plan_started_on, seen_as_stuck in cases:
        if round_id in inquiry_round_dates:
            inquiry.families += 1
            held_on = inquiry_round_dates[round_id]
            months = (held_on.year - plan_started_on.year) * 12 + held_on.month - plan_started_on.month
            inquiry.plans_over_12_months += months - (held_on.day < plan_started_on.day) > 12
            inquiry.seen_as_stuck += bool(seen_as_stuck)
            continue
        case_round[case_id] = round_id
        figures[round_id].cases += 1
        if grade_id is not None:
            figures[round_id].overall[grade_id] += 1

    below = {grade.pk for grade in Grade.objects.filter(meets_threshold=False)}
    below_cases: set[int] = set()
    for case_id, theme_id, grade_id in ThemeRating.objects.filter(case__audit_round__in=round_ids).values_list(
        "case_id", "theme_id", "grade_id"
    ):
        figures[case_round[case_id]].themes[theme_id][grade_id] += 1
        if grade_id in below:
            below_cases.add(case_id)
    for case_id in below_cases:
        figures[case_round[case_id]].below_threshold_on_a_theme += 1

    for round_id, records in (
        CaseRecord.objects.filter(case__audit_round__in=round_ids)
        .values_list("case__audit_round_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        figures[round_id].records = records
    for round_id, question_id, answer, n in (
        ChecklistAnswer.objects.filter(record__case__audit_round__in=round_ids)
        .values_list("record__case__audit_round_id", "question_id", "answer")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        figures[round_id].checklist[question_id][answer] = n

    escalations = Escalation.objects.filter(case__audit_round__in=rounds).aggregate(
        raised=Count("pk"),
        open=Count("pk", filter=Q(resolved_on__isnull=True)),
        overdue=Count("pk", filter=Q(resolved_on__isnull=True, due_by__lt=today)),
    )
    records_total = sum(round_figures.records for round_figures in figures.values())
    feedback_given = Feedback.objects.filter(record__case__audit_round__in=round_ids).count()
    most_records = (
        CaseRecord.objects.filter(case__audit_round__in=round_ids)
        .values("case")
        .annotate(n=Count("pk"))
        .aggregate(most=Max("n"))["most"]
    )
    return AuditFigures(
        period=period,
        grades=list(Grade.objects.all()),
        themes=list(Theme.objects.active()),
        questions=list(ChecklistQuestion.objects.active().select_related("theme")),
        rounds=[figures[round_id] for round_id in round_ids if figures[round_id].cases],
        inquiry=inquiry,
        escalations_raised=escalations["raised"],
        escalations_open=escalations["open"],
        escalations_overdue=escalations["overdue"],
        feedback_owed=len(Feedback.Recipient.values) * records_total - feedback_given,
        most_records_in_a_case=most_records or 0,
    )


# --- The action plan ------------------------------------------------------------------------


@dataclass
class RagFigures:
    plan: ActionPlan
    cycles: Cycles
    statuses: list[RagStatus]
    rows: list[RecommendationRow]

    @property
    def total(self) -> int:
        return len(self.rows)

    def counts(self, *, open_cycle: bool = False) -> Counter:
        """Recommendations by RAG id (None: not yet rated), in the rated or the open cycle."""
        ratings = (row.open_rag if open_cycle else row.rag for row in self.rows)
        return Counter(rag.pk if rag else None for rag in ratings)

    def by_section(self) -> list[tuple[object, Counter]]:
        sections: dict[int, tuple[object, Counter]] = {}
        for row in self.rows:
            section = row.recommendation.section
            sections.setdefault(section.pk, (section, Counter()))[1][row.rag.pk if row.rag else None] += 1
        return [sections[key] for key in sorted(sections, key=lambda pk: sections[pk][0].number)]

    def by_lead(self) -> list[tuple[str, int | None, Counter]]:
        """(lead's name, lead's id or None, counts by RAG id), by name."""
        leads: dict[int | None, tuple[str, Counter]] = {}
        for row in self.rows:
            lead = row.recommendation.lead
            name = lead.get_full_name() if lead else "No lead"
            leads.setdefault(lead.pk if lead else None, (name, Counter()))[1][row.rag.pk if row.rag else None] += 1
        return sorted(((name, lead_id, counts) for lead_id, (name, counts) in leads.items()), key=lambda item: item[0])

    def movement(self) -> Counter:
        """(RAG id before, RAG id now) -> recommendations; None is "not yet rated"."""
        return Counter(
            (row.previous_rag.pk if row.previous_rag else None, row.rag.pk if row.rag else None) for row in self.rows
        )

    def movement_summary(self) -> Counter:
        return Counter(row.movement for row in self.rows)

    @property
    def overdue(self) -> list[RecommendationRow]:
        return [row for row in self.rows if row.overdue]

    @property
    def not_rated(self) -> list[RecommendationRow]:
        return [row for row in self.rows if row.rag is None]

    @property
    def not_updated(self) -> list[RecommendationRow]:
        """Open recommendations with no evidence and no rating yet in the open cycle."""
        if self.cycles.open is None:
            return []
        return [
            row
            for row in self.rows
            if row.recommendation.state == row.recommendation.State.OPEN and row.needs_evidence and row.open_rag is None
        ]


def rag_figures(plan: ActionPlan, *, today: datetime.date, as_of: ReviewCycle | None = None) -> RagFigures:
    plan_cycles = plan_selectors.cycles(plan, as_of=as_of)
    statuses = plan_selectors.rag_statuses()
    return RagFigures(
        plan=plan,
        cycles=plan_cycles,
        statuses=statuses,
        rows=plan_selectors.recommendation_rows(plan, plan_cycles, today=today, statuses=statuses),
    )
