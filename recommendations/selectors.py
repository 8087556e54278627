"""Reads for the action plan. The dashboards and reports use these same functions, so
a figure is computed one way wherever it appears."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from auditlog.models import LogEntry
from django.db.models import Count, Exists, F, IntegerField, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Value

from dscb.models import Agency, User
from dscb.request_cache import once_per_request
from dscb.selectors import logged_about
from recommendations.models import (
    ActionPlan,
    Evidence,
    PlanScale,
    PlanSection,
    ProgressUpdate,
    RagStatus,
    Recommendation,
    RecommendationLead,
    ReviewCycle,
)

# What a kept scale stores of each status (ReviewCycle.scale), besides its id.
KEPT_LEVEL_FIELDS = (
    "label",
    "rank",
    "colour",
    "text_colour",
    "counts_as_done",
    "needs_attention",
    "is_active",
    "description",
)
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
            recommendations=plan.recommendation_count,
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

    def name_update(self, update: ProgressUpdate) -> ProgressUpdate:
        """``update``'s rating and the lead's proposal as this scale names them: the one
        place a page renames what it read from the database into a kept scale's words."""
        update.rag, update.proposed_rag = self.status(update.rag), self.status(update.proposed_rag)
        return update

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


@once_per_request
def _kept_scales() -> dict[tuple[int, int], RagScale]:
    """The scales completed updates kept, by update and its version, as read this request."""
    return {}


def plan_scales(*cycles: ReviewCycle | None) -> list[RagScale]:
    """The scale in force for each of ``cycles``: as kept when it was completed, else (an
    open cycle, or None) as it is now, read at most once. ``plan_scales(None)``: the scale now."""
    now: list[RagScale] = []
    kept = _kept_scales()

    def of(cycle: ReviewCycle | None) -> RagScale:
        if cycle is not None and cycle.scale:
            # Years of completed updates, each named in its kept scale: each read once a request.
            key = (cycle.pk, cycle.version)
            if key not in kept:
                kept[key] = RagScale.from_snapshot(cycle.scale)
            return kept[key]
        if not now:
            now.append(RagScale(plan_words(), rag_statuses()))
        return now[0]

    return [of(cycle) for cycle in cycles]


def plan_scale_to_keep(cycle: ReviewCycle) -> dict[str, object]:
    """The scale ``cycle`` keeps when it is completed: the statuses in use now, and any
    retired one its ratings still use."""
    used = RagStatus.objects.filter(pk__in=cycle.updates.filter(rag__isnull=False).values("rag_id"))
    [now] = plan_scales(None)
    return now.with_statuses(list(used)).snapshot()


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
    return Cycles(list(plan.cycles.order_by("-due_on", "-pk")), as_of=as_of)


def cycles_by_plan(plans: Sequence[ActionPlan]) -> dict[int, Cycles]:
    """Each plan's cycles (each plan has its own updates), in one query. Years of them: each
    is given the plan it was asked for, not a copy of it read again."""
    by_plan: dict[int, list[ReviewCycle]] = {plan.pk: [] for plan in plans}
    given = {plan.pk: plan for plan in plans}
    for cycle in ReviewCycle.objects.filter(plan__in=plans).order_by("-due_on", "-pk"):
        cycle.plan = given[cycle.plan_id]
        by_plan[cycle.plan_id].append(cycle)
    return {pk: Cycles(listed) for pk, listed in by_plan.items()}


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
    rating_note: str = ""  # the Executive's note on ``rag``

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
    def evidence_spans_updates(self) -> bool:
        """Its evidence comes from more than one update: then each point says which."""
        return len({getattr(item, "in_cycle", None) for item in self.evidence}) > 1

    @property
    def needs_evidence(self) -> bool:
        """In the open cycle, with no evidence yet."""
        return not self.has_open_evidence


@dataclass
class SectionRows:
    section: PlanSection
    rows: list[RecommendationRow] = field(default_factory=list)


def overdue_rule(*, past_target: bool, state: str, rag: RagStatus | None) -> bool:
    """Overdue: the target date has passed, it is not closed, and it is not rated at a
    status that counts as done (Green). The one definition, for lists and for counts."""
    return past_target and state != Recommendation.State.CLOSED and not (rag is not None and rag.counts_as_done)


def is_overdue(recommendation: Recommendation, rag: RagStatus | None, *, today: datetime.date) -> bool:
    return overdue_rule(
        past_target=recommendation.target_date is not None and recommendation.target_date < today,
        state=recommendation.state,
        rag=rag,
    )


def shows_evidence(item: Evidence, as_of: ReviewCycle | None) -> bool:
    """Evidence marked as added in error is left out of every list and report but the
    report of the update it was added in, which shows it marked (a published copy of that
    report is frozen as it was anyway). The recommendation's own page shows it, marked."""
    return not item.in_error or (as_of is not None and as_of.pk == item.in_cycle)  # type: ignore[attr-defined]


# Plan by plan, each in its own order (Recommendation.Meta.ordering).
PLAN_ORDER = ("plan_id", "number_major", "number_minor")


def recommendation_rows(
    plan: ActionPlan,
    plan_cycles: Cycles,
    *,
    today: datetime.date,
    recommendations: QuerySet[Recommendation] | None = None,
    with_evidence: bool = True,
) -> list[RecommendationRow]:
    """Every recommendation of ``plan`` (or those given) with what the plan page, the
    dashboards and the report show of it: ``rows_across_plans`` of one plan."""
    chosen = recommendations if recommendations is not None else plan.recommendations.all()
    return rows_across_plans(
        [plan], {plan.pk: plan_cycles}, today=today, recommendations=chosen, with_evidence=with_evidence
    )


def rows_across_plans(
    plans: Sequence[ActionPlan],
    plan_cycles: dict[int, Cycles],
    *,
    today: datetime.date,
    recommendations: QuerySet[Recommendation] | None = None,
    with_evidence: bool = True,
) -> list[RecommendationRow]:
    """The recommendations of ``plans`` (or those of them given), plan by plan, with what
    the lists, the dashboards and the report show of each, each plan rated in its own
    updates and each rating named as its update's scale names it. A fixed number of
    queries, however many recommendations and plans. ``with_evidence=False``, for a list that
    shows none: each row's ``evidence`` is left empty, and only the open updates' evidence
    is read (whether each still needs some), not every update's to date."""
    chosen = recommendations if recommendations is not None else Recommendation.objects.all()
    chosen = (
        chosen.filter(plan__in=[plan.pk for plan in plans])
        .order_by(*PLAN_ORDER)
        .select_related("section")
        .prefetch_related(leads_prefetch())
    )
    wanted = chosen.values("pk")
    every = [plan_cycles[plan.pk] for plan in plans]
    # Each plan's rated, previous and open cycle, worked out once a plan: each is a walk
    # through its years of cycles, too many to take again for every row.
    compares = {
        plan.pk: (plan_cycles[plan.pk].rated, plan_cycles[plan.pk].previous, plan_cycles[plan.pk].open)
        for plan in plans
    }
    compared = [cycle for three in compares.values() for cycle in three if cycle]
    updates = {
        (update.recommendation_id, update.cycle_id): update
        for update in ProgressUpdate.objects.filter(cycle__in=compared, recommendation__in=wanted).select_related(
            "rag", "proposed_rag"
        )
    }
    # A report shows the evidence as at its own update, never a later one's; the open
    # cycle's is read too, only to tell which recommendations still lack some.
    shown = {cycle.pk: index for cycles in every for index, cycle in enumerate(cycles.to_date)}
    open_pks = {cycles.open.pk for cycles in every if cycles.open}
    # Years of updates pile up evidence: a list that shows none reads only the open updates'.
    evidence: dict[int, list[Evidence]] = defaultdict(list)
    with_open_evidence: set[int] = set()
    if with_evidence:
        for item in (
            Evidence.objects.filter(update__cycle__in=set(shown) | open_pks, update__recommendation__in=wanted)
            .annotate(
                of_recommendation=F("update__recommendation_id"),
                in_cycle=F("update__cycle_id"),
                in_cycle_title=F("update__cycle__title"),
                of_plan=F("update__cycle__plan_id"),
            )
            .order_by()
        ):
            if item.in_cycle in open_pks:
                with_open_evidence.add(item.of_recommendation)
            if item.in_cycle in shown and shows_evidence(item, plan_cycles[item.of_plan].as_of):
                evidence[item.of_recommendation].append(item)
    else:
        # Only which recommendations have some in the open updates: their ids, not the evidence.
        with_open_evidence = set(
            Evidence.objects.filter(update__cycle__in=open_pks, update__recommendation__in=wanted)
            .order_by()
            .values_list("update__recommendation_id", flat=True)
            .distinct()
        )
    # One call, so the scale as it is now is read once however many plans use it.
    named = plan_scales(*(cycle for rated, before, _ in compares.values() for cycle in (rated, before or rated)))
    scales = {plan_pk: (named[2 * index], named[2 * index + 1]) for index, plan_pk in enumerate(compares)}

    def update_in(recommendation: Recommendation, cycle: ReviewCycle | None) -> ProgressUpdate | None:
        return updates.get((recommendation.pk, cycle.pk)) if cycle else None

    rows = []
    for recommendation in chosen:
        rated, before, open_cycle = compares[recommendation.plan_id]
        rated_scale, previous_scale = scales[recommendation.plan_id]
        latest = update_in(recommendation, rated)
        previous = update_in(recommendation, before)
        rag = rated_scale.status(latest.rag if latest else None)
        rows.append(
            RecommendationRow(
                recommendation=recommendation,
                rag=rag,
                previous_rag=previous_scale.status(previous.rag if previous else None),
                open_update=update_in(recommendation, open_cycle),
                evidence=sorted(
                    evidence.get(recommendation.pk, []),
                    key=lambda item: (shown[item.in_cycle], item.position, item.pk),  # type: ignore[attr-defined]
                ),
                overdue=is_overdue(recommendation, rag, today=today),
                has_open_evidence=recommendation.pk in with_open_evidence,
                rating_note=latest.rating_note if latest else "",
            )
        )
    return rows


# --- Carry forward: last time's rating is where a new update starts, never a rating itself ----


@dataclass(frozen=True)
class LastTime:
    """A recommendation's rating and note at the last completed update."""

    rag_id: int
    note: str


def starting_point(update: ProgressUpdate | None, last: LastTime | None, active: Container[int]) -> LastTime | None:
    """Last time's rating and note, shown as the starting point of a row that nothing
    is decided on yet in the open update (no rating, no note), while its status is still
    on the scale. The ratings page and ``services.ratings_save`` both ask this, so a row
    shown as carried is the row the save treats as carried."""
    if last is None or last.rag_id not in active:
        return None
    if update is not None and (update.rag_id is not None or update.rating_note):
        return None
    return last


def last_ratings(cycle: ReviewCycle) -> dict[int, LastTime]:
    """Each recommendation's rating at the plan's latest completed update (as
    ``Cycles.latest_completed``), by recommendation id: one query."""
    latest = (
        ReviewCycle.objects.filter(plan_id=cycle.plan_id, state=ReviewCycle.State.COMPLETED)
        .order_by("-due_on", "-pk")
        .values("pk")[:1]
    )
    return {
        recommendation_id: LastTime(rag_id, note)
        for recommendation_id, rag_id, note in ProgressUpdate.objects.filter(
            cycle__in=Subquery(latest), rag__isnull=False
        ).values_list("recommendation_id", "rag_id", "rating_note")
    }


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
    def unconfirmed(self) -> set[int]:
        """Of the unrated, those the ratings page shows starting from last time's rating,
        not yet confirmed (by recommendation id)."""
        return {
            row.recommendation.pk
            for row in self.unrated
            if row.rag is not None and not (row.open_update and row.open_update.rating_note)
        }

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
        rows=recommendation_rows(cycle.plan, plan_cycles, today=today, recommendations=rated_in(cycle)),
    )


def rated_in(cycle: ReviewCycle) -> QuerySet[Recommendation]:
    """The recommendations ``cycle`` rates: all of its plan's but those closed in it or
    in an update before it (a closed one leaves the ratings from then on)."""
    closed_by_then = ReviewCycle.objects.filter(plan=cycle.plan_id).filter(
        Q(due_on__lt=cycle.due_on) | Q(due_on=cycle.due_on, pk__lte=cycle.pk)
    )
    return cycle.plan.recommendations.exclude(closed_in__in=closed_by_then)


def plan_sections(plan: ActionPlan) -> list[PlanSection]:
    return list(plan.sections.select_related("audit_round"))


def rows_by_section(
    plan: ActionPlan, rows: list[RecommendationRow], sections: Sequence[PlanSection] | None = None
) -> list[SectionRows]:
    """The rows of ``plan`` (whose sections may be given, read once) section by section."""
    grouped = {section.pk: SectionRows(section) for section in (plan_sections(plan) if sections is None else sections)}
    for row in rows:
        grouped[row.recommendation.section_id].rows.append(row)
    return list(grouped.values())


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
            Prefetch("evidence", Evidence.objects.select_related("added_by", "marked_in_error_by"))
        )
    }
    history = []
    previous_rag: RagStatus | None = None
    seen_completed = False
    cycles = list(reversed(plan_cycles.all))
    for cycle, scale in zip(cycles, plan_scales(*cycles), strict=True):
        update = updates.get(cycle.pk)
        if update is not None and not cycle.is_open:
            scale.name_update(update)
        rag = update.rag if update else None
        moved = None
        if not cycle.is_open:
            moved = movement(previous_rag, rag) if seen_completed else None
            previous_rag, seen_completed = rag, True
        history.append(HistoryEntry(cycle=cycle, update=update, movement=moved))
    return history


@dataclass(frozen=True)
class EvidenceGroup:
    """The evidence added in one update, newest first."""

    cycle: ReviewCycle
    items: list[Evidence]


def evidence_by_update(history: list[HistoryEntry]) -> list[EvidenceGroup]:
    """All of a recommendation's evidence, grouped by the update it was added in, in the
    order of ``history`` (newest first for the page); updates without any are left out.
    Reads nothing more: ``rag_history`` fetched the evidence."""
    groups = []
    for entry in history:
        items = list(entry.update.evidence.all()) if entry.update else []
        if items:
            groups.append(
                EvidenceGroup(entry.cycle, sorted(items, key=lambda item: (item.added_at, item.pk), reverse=True))
            )
    return groups


def recommendation_changes(recommendation: Recommendation) -> list[LogEntry]:
    return list(
        logged_about(key="recommendation_id", pk=recommendation.pk)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")[:50]
    )


def leads_prefetch() -> Prefetch:
    """A recommendation's leads with their names, read once for a whole list."""
    return Prefetch("leads", RecommendationLead.objects.select_related("person", "agency"))


def led_by(user: User) -> QuerySet[Recommendation]:
    """The recommendations ``user`` is one of the leads of, in every plan."""
    return Recommendation.objects.filter(
        pk__in=RecommendationLead.objects.filter(person=user).values("recommendation_id")
    )


NO_LEAD = "none"


def parse_lead_filter(value: str) -> str | None:
    """A lead as a filter names it (``RecommendationLead.key``): a person's id, or an
    agency's id and a role ("3:Head of Safeguarding"), or ``none``. None if it is neither."""
    if value == NO_LEAD or value.isdigit():
        return value
    agency, _, role = value.partition(":")
    if agency.isdigit() and role.strip():
        return value
    return None


def filter_by_lead_and_agency(
    recommendations: QuerySet[Recommendation], *, lead: str | None = None, agency: str | None = None
) -> QuerySet[Recommendation]:
    """Those led by ``lead`` (a ``parse_lead_filter`` value), and those an agency is
    responsible for or leads (``agency``: its id). Subqueries, so no row is repeated."""
    if lead == NO_LEAD:
        recommendations = recommendations.exclude(leads__isnull=False)
    elif lead and lead.isdigit():
        recommendations = recommendations.filter(
            pk__in=RecommendationLead.objects.filter(person_id=int(lead)).values("recommendation_id")
        )
    elif lead:
        agency_id, _, role = lead.partition(":")
        recommendations = recommendations.filter(
            pk__in=RecommendationLead.objects.filter(person__isnull=True, agency_id=agency_id, role_title=role).values(
                "recommendation_id"
            )
        )
    if agency:
        responsible = Recommendation.agencies.through.objects.filter(agency_id=agency).values("recommendation_id")
        leading = RecommendationLead.objects.filter(agency_id=agency).values("recommendation_id")
        recommendations = recommendations.filter(Q(pk__in=responsible) | Q(pk__in=leading))
    return recommendations


def lead_choices(plans: Sequence[ActionPlan]) -> list[tuple[str, str]]:
    """Every lead named in the plans, once, by name: (filter value, name)."""
    # One row a lead, not one a recommendation led: a plan's years of recommendations
    # name the same few people and roles.
    first_of_each = (
        RecommendationLead.objects.filter(recommendation__plan__in=plans)
        .values("person_id", "agency_id", "role_title")
        .annotate(first=Min("pk"))
        .values("first")
    )
    names = {
        lead.key: str(lead)
        for lead in RecommendationLead.objects.filter(pk__in=first_of_each).select_related("person", "agency")
    }
    return sorted(names.items(), key=lambda item: item[1].lower())


def agency_choices() -> list[Agency]:
    return list(Agency.objects.all())


def leads_to_remind(cycle: ReviewCycle) -> dict[User, list[Recommendation]]:
    """People leading open recommendations that have no evidence yet in ``cycle``. A role
    lead has no account, so nobody to email."""
    with_evidence = ProgressUpdate.objects.filter(cycle=cycle, evidence__isnull=False).values("recommendation_id")
    waiting = (
        RecommendationLead.objects.filter(
            recommendation__plan=cycle.plan,
            recommendation__state=Recommendation.State.OPEN,
            person__is_active=True,
        )
        .exclude(recommendation__in=with_evidence)
        .select_related("person", "recommendation")
        .order_by("recommendation__number_major", "recommendation__number_minor", "person_id")
    )
    by_lead: dict[User, list[Recommendation]] = {}
    for lead in waiting:
        if lead.person is not None:  # always: the query asks for an active person
            by_lead.setdefault(lead.person, []).append(lead.recommendation)
    return by_lead


@dataclass(frozen=True)
class ToDo:
    """What the open update still needs from a lead for one recommendation they lead."""

    recommendation: Recommendation
    needs_evidence: bool  # none added in this update yet
    needs_proposal: bool  # no rating proposed in this update yet

    @property
    def nothing_to_do(self) -> bool:
        return not (self.needs_evidence or self.needs_proposal)


@dataclass(frozen=True)
class OpenUpdateToDo:
    cycle: ReviewCycle
    items: list[ToDo]

    @property
    def outstanding(self) -> int:
        return sum(1 for item in self.items if not item.nothing_to_do)


def lead_to_do(user: User) -> list[OpenUpdateToDo]:
    """For each open update, the open recommendations ``user`` leads in its plan and what
    each still needs from them. Two queries, however many."""
    open_cycles = {
        cycle.plan_id: cycle
        for cycle in ReviewCycle.objects.filter(state=ReviewCycle.State.OPEN).select_related("plan").order_by("due_on")
    }
    if not open_cycles:
        return []
    # One open update a plan: the open update's rows are those of the recommendation's plan.
    in_open_update = ProgressUpdate.objects.filter(recommendation=OuterRef("pk"), cycle__state=ReviewCycle.State.OPEN)
    led = (
        Recommendation.objects.filter(plan_id__in=open_cycles, state=Recommendation.State.OPEN, leads__person=user)
        .annotate(
            has_evidence=Exists(
                Evidence.objects.filter(
                    update__recommendation=OuterRef("pk"), update__cycle__state=ReviewCycle.State.OPEN
                )
            ),
            has_proposal=Exists(in_open_update.filter(proposed_rag__isnull=False)),
        )
        .order_by("plan_id", "number_major", "number_minor")
    )
    items: dict[int, list[ToDo]] = defaultdict(list)
    for recommendation in led:
        items[recommendation.plan_id].append(
            ToDo(
                recommendation,
                needs_evidence=not recommendation.has_evidence,
                needs_proposal=not recommendation.has_proposal,
            )
        )
    return [OpenUpdateToDo(cycle, items[plan_id]) for plan_id, cycle in open_cycles.items() if items[plan_id]]


# --- Finding recommendations in a long plan --------------------------------------------------

# What a list of recommendations can be narrowed to, as its URL names it. The plan page,
# the ratings page, the RAG list (whose figures on the dashboard link here) and their
# downloads all filter through ``find``, in the database, so a page reads only its rows.
NOT_RATED = "none"
SEARCH_LENGTH = 200
FILTERS = ("section", "rag", "open_rag", "from", "lead", "agency", "overdue", "not_rated", "not_updated", "q")


def _an_id(value: str) -> bool:
    return value.isdigit() and len(value) < 10


def parse_filters(query: Mapping[str, str], names: Sequence[str] = FILTERS) -> dict[str, str]:
    """The filters among ``names`` that ``query`` sets to something meaningful; anything
    else (a bad id, an unknown name) is left out rather than refused."""
    found: dict[str, str] = {}
    for name in names:
        value = str(query.get(name, "")).strip()
        if not value:
            continue
        if name == "lead":
            value = parse_lead_filter(value) or ""
        elif name in ("section", "agency"):
            value = value if _an_id(value) else ""
        elif name in ("rag", "open_rag", "from"):
            value = value if value == NOT_RATED or _an_id(value) else ""
        elif name in ("overdue", "not_rated", "not_updated"):
            value = "1"
        elif name == "q":
            value = value[:SEARCH_LENGTH]
        if value:
            found[name] = value
    return found


def each_cycle(cycles_by_plan: dict[int, Cycles], which: str) -> list[ReviewCycle]:
    """Each plan's ``rated``, ``previous`` or ``open`` cycle, where it has one."""
    return [cycle for cycles in cycles_by_plan.values() if (cycle := getattr(cycles, which)) is not None]


def rating_in(cycles: Sequence[ReviewCycle]) -> Subquery | Value:
    """The rating in whichever of ``cycles`` is the recommendation's plan's (one a plan)."""
    if not cycles:
        return Value(None, output_field=IntegerField())
    return Subquery(
        ProgressUpdate.objects.filter(recommendation=OuterRef("pk"), cycle__in=list(cycles)).values("rag_id")[:1]
    )


def _rated(recommendations: QuerySet[Recommendation], field_name: str, value: str) -> QuerySet[Recommendation]:
    return recommendations.filter(**{f"{field_name}__isnull": True} if value == NOT_RATED else {field_name: value})


# The ratings a filter reads: each in the plan's own cycle of that kind (Cycles).
RATED_IN = {
    "rag": "rated",
    "not_rated": "rated",
    "overdue": "rated",
    "from": "previous",
    "open_rag": "open",
    "not_updated": "open",
}


def find(
    recommendations: QuerySet[Recommendation],
    filters: Mapping[str, str],
    cycles_by_plan: dict[int, Cycles],
    *,
    today: datetime.date,
) -> QuerySet[Recommendation]:
    """``recommendations`` narrowed by ``filters`` (``parse_filters``) in the database,
    each plan's rated in its own cycles: a page then reads only the rows it shows."""
    found = filter_by_lead_and_agency(recommendations, lead=filters.get("lead"), agency=filters.get("agency"))
    if section := filters.get("section"):
        found = found.filter(section_id=int(section))
    if words := filters.get("q"):
        found = found.filter(Q(number__icontains=words) | Q(text__icontains=words))
    read = {RATED_IN[name] for name in filters if name in RATED_IN}
    found = found.annotate(**{f"in_{which}": rating_in(each_cycle(cycles_by_plan, which)) for which in read})
    for name in ("rag", "from", "open_rag"):
        if value := filters.get(name):
            found = _rated(found, f"in_{RATED_IN[name]}", value)
    if filters.get("not_rated"):
        found = _rated(found, "in_rated", NOT_RATED)
    if filters.get("overdue"):
        found = found.filter(target_date__lt=today).exclude(state=Recommendation.State.CLOSED)
        # Never rated at a status that counts as done (overdue_rule says the same in Python).
        rated = each_cycle(cycles_by_plan, "rated")
        done = [status.pk for scale in plan_scales(*rated) for status in scale.statuses if status.counts_as_done]
        if done:
            found = found.filter(Q(in_rated__isnull=True) | ~Q(in_rated__in=done))
    if filters.get("not_updated"):
        open_cycles = each_cycle(cycles_by_plan, "open")
        found = found.filter(
            Q(in_open__isnull=True),
            plan__in=[cycle.plan_id for cycle in open_cycles],
            state=Recommendation.State.OPEN,
        ).exclude(Exists(Evidence.objects.filter(update__recommendation=OuterRef("pk"), update__cycle__in=open_cycles)))
    return found
