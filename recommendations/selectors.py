"""Reads for the action plan. The dashboards and reports use these same functions, so
a figure is computed one way wherever it appears."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from auditlog.models import LogEntry
from django.db.models import Count, F, Prefetch, QuerySet

from dscb.models import User
from dscb.request_cache import once_per_request
from recommendations.models import (
    ActionPlan,
    Evidence,
    PlanScale,
    PlanSection,
    ProgressUpdate,
    RagStatus,
    Recommendation,
    ReviewCycle,
)

# What a kept scale stores of each status (ReviewCycle.scale), besides its id.
KEPT_LEVEL_FIELDS = ("label", "rank", "colour", "text_colour", "counts_as_done", "needs_attention", "is_active")
KEPT_WORD_FIELDS = ("name", "short_name", "plural", "not_rated", "attention_heading")


class Movement(StrEnum):
    """How a recommendation's RAG moved between two cycles: derived, never typed in."""

    IMPROVED = "Improved"
    UNCHANGED = "Unchanged"
    DECLINED = "Declined"
    NEWLY_RATED = "Newly rated"
    NO_LONGER_RATED = "No longer rated"
    NOT_RATED = "Not rated"


def movement(before: RagStatus | None, after: RagStatus | None) -> Movement:
    if before is None and after is None:
        return Movement.NOT_RATED
    if before is None:
        return Movement.NEWLY_RATED
    if after is None:
        return Movement.NO_LONGER_RATED
    # Every scale is ranked best first.
    if after.rank < before.rank:
        return Movement.IMPROVED
    if after.rank > before.rank:
        return Movement.DECLINED
    return Movement.UNCHANGED


def plans(pks: Sequence[int] | None = None) -> list[ActionPlan]:
    """Every plan (or those given), the first made first."""
    chosen = ActionPlan.objects.order_by("pk")
    return list(chosen if pks is None else chosen.filter(pk__in=pks))


@dataclass(frozen=True)
class PlanSummary:
    """A plan as the list of plans shows it."""

    plan: ActionPlan
    sections: list[PlanSection]
    cycles: Cycles
    recommendations: int

    @property
    def source_kinds(self) -> list[str]:
        kinds = dict.fromkeys(section.get_source_kind_display() for section in self.sections)
        return list(kinds)


def plan_summaries() -> list[PlanSummary]:
    """Every plan with its sources, updates and size: three queries, however many plans."""
    listed = ActionPlan.objects.annotate(recommendation_count=Count("recommendations")).prefetch_related(
        Prefetch("sections", PlanSection.objects.order_by("number")),
        Prefetch("cycles", ReviewCycle.objects.order_by("-due_on", "-pk")),
    )
    return [
        PlanSummary(
            plan=plan,
            sections=list(plan.sections.all()),
            cycles=Cycles(list(plan.cycles.all())),
            recommendations=plan.recommendation_count,  # type: ignore[attr-defined]
        )
        for plan in listed.order_by("pk")
    ]


def rag_statuses() -> list[RagStatus]:
    return list(RagStatus.objects.active())


@dataclass(frozen=True)
class RagScale:
    """The plan's scale as a page shows it: its words and its statuses, best first, as
    they are now or, for a completed update, as they were when it was completed."""

    words: PlanScale
    statuses: list[RagStatus]

    @cached_property
    def by_pk(self) -> dict[int, RagStatus]:
        return {status.pk: status for status in self.statuses}

    def status(self, status: RagStatus | None) -> RagStatus | None:
        """``status`` as this scale names it (a rating's status read from the database)."""
        if status is None:
            return None
        return self.by_pk.get(status.pk, status)

    @property
    def not_rated(self) -> str:
        return self.words.not_rated

    @property
    def attention_labels(self) -> list[str]:
        return [status.label for status in self.statuses if status.needs_attention]

    def with_statuses(self, extra: list[RagStatus]) -> RagScale:
        """This scale with statuses retired since but still used by the ratings shown."""
        missing = [status for status in extra if status.pk not in self.by_pk]
        if not missing:
            return self
        return RagScale(self.words, sorted([*self.statuses, *missing], key=lambda status: status.rank))

    def snapshot(self) -> dict[str, object]:
        """What a completed update keeps (ReviewCycle.scale)."""
        return {
            **{name: getattr(self.words, name) for name in KEPT_WORD_FIELDS},
            "levels": [
                {"pk": status.pk, **{name: getattr(status, name) for name in KEPT_LEVEL_FIELDS}}
                for status in self.statuses
            ],
        }

    @classmethod
    def from_snapshot(cls, kept: dict) -> RagScale:
        return cls(
            PlanScale(**{name: kept[name] for name in KEPT_WORD_FIELDS if name in kept}),
            [RagStatus(**level) for level in kept.get("levels", [])],
        )


@once_per_request
def plan_words() -> PlanScale:
    """The words for the plan's scale as a whole, as they are now (one row; its defaults
    if there is none). Read once a request: every rating tag on a page names them."""
    return PlanScale.objects.order_by("pk").first() or PlanScale()


def plan_scale(cycle: ReviewCycle | None = None) -> RagScale:
    """The scale in force for ``cycle``: as kept when it was completed, else as it is now."""
    if cycle is not None and cycle.scale:
        return RagScale.from_snapshot(cycle.scale)
    return RagScale(plan_words(), rag_statuses())


def plan_scales(*cycles: ReviewCycle | None) -> list[RagScale]:
    """``plan_scale`` of each cycle, reading the scale as it is now at most once."""
    now: list[RagScale] = []

    def of(cycle: ReviewCycle | None) -> RagScale:
        if cycle is not None and cycle.scale:
            return RagScale.from_snapshot(cycle.scale)
        if not now:
            now.append(plan_scale())
        return now[0]

    return [of(cycle) for cycle in cycles]


def plan_scale_to_keep(cycle: ReviewCycle) -> dict[str, object]:
    """The scale ``cycle`` keeps when it is completed: the statuses in use now, and any
    retired one its ratings still use."""
    used = RagStatus.objects.filter(pk__in=cycle.updates.filter(rag__isnull=False).values("rag_id"))
    return plan_scale().with_statuses(list(used)).snapshot()


@dataclass(frozen=True)
class Cycles:
    """A plan's review cycles, newest first, and the ones the pages compare: ``rated``
    is the cycle whose ratings count (the latest completed, unless a report is about an
    earlier one or about the open one), ``previous`` the completed cycle before it."""

    all: list[ReviewCycle]
    as_of: ReviewCycle | None = None

    @property
    def rated(self) -> ReviewCycle | None:
        return self.as_of or self.latest_completed

    @property
    def previous(self) -> ReviewCycle | None:
        rated = self.rated
        if rated is None:
            return None
        before = [cycle for cycle in self.completed if cycle.pk != rated.pk and cycle.due_on <= rated.due_on]
        return before[0] if before else None

    @property
    def completed(self) -> list[ReviewCycle]:
        return [cycle for cycle in self.all if not cycle.is_open]

    @property
    def latest_completed(self) -> ReviewCycle | None:
        return self.completed[0] if self.completed else None

    @property
    def open(self) -> ReviewCycle | None:
        return next((cycle for cycle in self.all if cycle.is_open), None)

    @property
    def to_date(self) -> list[ReviewCycle]:
        """The cycles up to and including ``as_of`` (every cycle, the open one too, when
        the page is about now), oldest first: a page shows the evidence of these."""
        as_of = self.as_of
        cycles = self.all if as_of is None else [c for c in self.all if (c.due_on, c.pk) <= (as_of.due_on, as_of.pk)]
        return list(reversed(cycles))


def cycles(plan: ActionPlan, as_of: ReviewCycle | None = None) -> Cycles:
    return Cycles(list(plan.cycles.select_related("completed_by").order_by("-due_on", "-pk")), as_of=as_of)


def cycles_by_plan(plans: Sequence[ActionPlan]) -> dict[int, Cycles]:
    """Each plan's cycles (each plan has its own updates), in one query."""
    by_plan: dict[int, list[ReviewCycle]] = defaultdict(list)
    for cycle in (
        ReviewCycle.objects.filter(plan__in=plans).select_related("completed_by", "plan").order_by("-due_on", "-pk")
    ):
        by_plan[cycle.plan_id].append(cycle)
    return {plan.pk: Cycles(by_plan.get(plan.pk, [])) for plan in plans}


@dataclass
class RecommendationRow:
    recommendation: Recommendation
    rag: RagStatus | None  # in the rated cycle (the latest completed): the rating that counts
    previous_rag: RagStatus | None  # in the completed cycle before it
    open_update: ProgressUpdate | None  # in the open cycle, if any
    # Everything recorded up to the cycle the page is as of, oldest cycle first: the
    # seed's evidence column is cumulative, with the newest last.
    evidence: list[Evidence]
    overdue: bool
    has_open_evidence: bool = False  # in the open cycle, whatever cycle the page is as of

    @property
    def movement(self) -> Movement:
        return movement(self.previous_rag, self.rag)

    @property
    def open_rag(self) -> RagStatus | None:
        return self.open_update.rag if self.open_update else None

    @property
    def open_movement(self) -> Movement:
        """From the rating that counts now to the open cycle's rating so far."""
        return movement(self.rag, self.open_rag)

    @property
    def needs_evidence(self) -> bool:
        """In the open cycle, with no evidence yet."""
        return not self.has_open_evidence


@dataclass
class SectionRows:
    section: PlanSection
    rows: list[RecommendationRow] = field(default_factory=list)


def overdue_rule(*, past_target: bool, state: str, rag: RagStatus | None) -> bool:
    """Overdue: the target date has passed, it is still open, and it is not rated at a
    status that counts as done (Green). The one definition, for lists and for counts."""
    return past_target and state == Recommendation.State.OPEN and not (rag is not None and rag.counts_as_done)


def is_overdue(recommendation: Recommendation, rag: RagStatus | None, *, today: datetime.date) -> bool:
    return overdue_rule(
        past_target=recommendation.target_date is not None and recommendation.target_date < today,
        state=recommendation.state,
        rag=rag,
    )


def recommendation_rows(
    plan: ActionPlan,
    plan_cycles: Cycles,
    *,
    today: datetime.date,
    recommendations: QuerySet[Recommendation] | None = None,
) -> list[RecommendationRow]:
    """Every recommendation (or those given) with what the plan page, the dashboards and
    the report show of it, each rating named as its cycle's scale names it. A fixed
    number of queries, however many recommendations."""
    recommendations = recommendations if recommendations is not None else plan.recommendations.all()
    recommendations = recommendations.select_related("section", "lead").prefetch_related("agencies")
    wanted = recommendations.values("pk")
    compared = [c for c in (plan_cycles.rated, plan_cycles.previous, plan_cycles.open) if c]
    updates = {
        (update.recommendation_id, update.cycle_id): update
        for update in ProgressUpdate.objects.filter(cycle__in=compared, recommendation__in=wanted).select_related(
            "rag", "proposed_rag"
        )
    }
    # A report shows the evidence as at its own update, never a later one's; the open
    # cycle's is read too, only to tell which recommendations still lack some.
    shown = {cycle.pk: index for index, cycle in enumerate(plan_cycles.to_date)}
    open_pk = plan_cycles.open.pk if plan_cycles.open else None
    read = set(shown) | ({open_pk} if open_pk else set())
    evidence: dict[int, list[Evidence]] = defaultdict(list)
    with_open_evidence: set[int] = set()
    for item in (
        Evidence.objects.filter(update__cycle__in=read, update__recommendation__in=wanted)
        .annotate(of_recommendation=F("update__recommendation_id"), in_cycle=F("update__cycle_id"))
        .order_by()
    ):
        if item.in_cycle == open_pk:
            with_open_evidence.add(item.of_recommendation)
        if item.in_cycle in shown:
            evidence[item.of_recommendation].append(item)
    rated_scale, previous_scale = plan_scales(plan_cycles.rated, plan_cycles.previous or plan_cycles.rated)

    def update_in(recommendation: Recommendation, cycle: ReviewCycle | None) -> ProgressUpdate | None:
        return updates.get((recommendation.pk, cycle.pk)) if cycle else None

    rows = []
    for recommendation in recommendations:
        latest = update_in(recommendation, plan_cycles.rated)
        previous = update_in(recommendation, plan_cycles.previous)
        rag = rated_scale.status(latest.rag if latest else None)
        rows.append(
            RecommendationRow(
                recommendation=recommendation,
                rag=rag,
                previous_rag=previous_scale.status(previous.rag if previous else None),
                open_update=update_in(recommendation, plan_cycles.open),
                evidence=sorted(
                    evidence.get(recommendation.pk, []),
                    key=lambda item: (shown[item.in_cycle], item.position, item.pk),  # type: ignore[attr-defined]
                ),
                overdue=is_overdue(recommendation, rag, today=today),
                has_open_evidence=recommendation.pk in with_open_evidence,
            )
        )
    return rows


def rows_across_plans(
    plans: Sequence[ActionPlan],
    plan_cycles: dict[int, Cycles],
    *,
    today: datetime.date,
    recommendations: QuerySet[Recommendation] | None = None,
) -> list[RecommendationRow]:
    """``recommendation_rows`` of every plan given, plan by plan: each plan is rated in its
    own updates. A fixed number of queries a plan, however many recommendations."""
    chosen = recommendations if recommendations is not None else Recommendation.objects.all()
    rows: list[RecommendationRow] = []
    for plan in plans:
        rows += recommendation_rows(plan, plan_cycles[plan.pk], today=today, recommendations=chosen.filter(plan=plan))
    return rows


@dataclass
class CompletionCheck:
    """What the Executive checks before completing the open cycle, which freezes it for
    good: how many are rated, which are not yet, and which ratings changed since the
    last completed cycle."""

    cycle: ReviewCycle
    previous: ReviewCycle | None
    rows: list[RecommendationRow]

    @property
    def rated(self) -> int:
        return sum(1 for row in self.rows if row.open_rag is not None)

    @cached_property
    def unrated(self) -> list[RecommendationRow]:
        return [row for row in self.rows if row.open_rag is None]

    @cached_property
    def changed(self) -> list[RecommendationRow]:
        """Rated in this cycle, differently from before (those left unrated are listed
        apart, with the rating they had)."""
        return [row for row in self.rows if row.open_rag is not None and row.open_movement is not Movement.UNCHANGED]


def completion_check(cycle: ReviewCycle, *, today: datetime.date) -> CompletionCheck:
    """``cycle`` must be its plan's open cycle: the rows compare it with the last completed."""
    plan_cycles = cycles(cycle.plan)
    if plan_cycles.open is None or plan_cycles.open.pk != cycle.pk:
        raise ValueError(f"{cycle} is not the open cycle")
    return CompletionCheck(
        cycle=cycle,
        previous=plan_cycles.latest_completed,
        rows=recommendation_rows(cycle.plan, plan_cycles, today=today),
    )


def rows_by_section(plan: ActionPlan, rows: list[RecommendationRow]) -> list[SectionRows]:
    sections = {section.pk: SectionRows(section) for section in plan.sections.select_related("audit_round")}
    for row in rows:
        sections[row.recommendation.section_id].rows.append(row)
    return list(sections.values())


@dataclass(frozen=True)
class HistoryEntry:
    cycle: ReviewCycle
    update: ProgressUpdate | None
    movement: Movement | None  # since the cycle before, for completed cycles


def rag_history(recommendation: Recommendation, plan_cycles: Cycles) -> list[HistoryEntry]:
    """The recommendation's RAG in every cycle, oldest first, with the movement between
    each completed cycle and the one before it."""
    updates = {
        update.cycle_id: update
        for update in recommendation.updates.select_related("rag", "proposed_rag", "rated_by").prefetch_related(
            Prefetch("evidence", Evidence.objects.select_related("added_by"))
        )
    }
    history = []
    previous_rag: RagStatus | None = None
    seen_completed = False
    cycles = list(reversed(plan_cycles.all))
    for cycle, scale in zip(cycles, plan_scales(*cycles), strict=True):
        update = updates.get(cycle.pk)
        if update is not None and not cycle.is_open:
            update.rag, update.proposed_rag = scale.status(update.rag), scale.status(update.proposed_rag)
        rag = update.rag if update else None
        moved = None
        if not cycle.is_open:
            moved = movement(previous_rag, rag) if seen_completed else None
            previous_rag, seen_completed = rag, True
        history.append(HistoryEntry(cycle=cycle, update=update, movement=moved))
    return history


def recommendation_changes(recommendation: Recommendation) -> list[LogEntry]:
    return list(
        LogEntry.objects.filter(additional_data__recommendation_id=recommendation.pk)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")[:50]
    )


def led_by(user: User, plan: ActionPlan) -> QuerySet[Recommendation]:
    return plan.recommendations.filter(lead=user)


def leads_to_remind(cycle: ReviewCycle) -> dict[User, list[Recommendation]]:
    """Leads with open recommendations that have no evidence yet in ``cycle``."""
    with_evidence = ProgressUpdate.objects.filter(cycle=cycle, evidence__isnull=False).values("recommendation_id")
    waiting = (
        Recommendation.objects.filter(plan=cycle.plan, state=Recommendation.State.OPEN, lead__is_active=True)
        .exclude(pk__in=with_evidence)
        .select_related("lead")
    )
    by_lead: dict[User, list[Recommendation]] = {}
    for recommendation in waiting:
        if recommendation.lead is not None:  # always: the query asks for an active lead
            by_lead.setdefault(recommendation.lead, []).append(recommendation)
    return by_lead
