"""The action plan's lists, each one row source (dscb.lists). The recommendation tables
(the plan, "my recommendations", overdue, the RAG list, the report's plan table and the
workbook's plan sheet) share these column definitions: a column is written once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from itertools import groupby
from typing import ClassVar
from urllib.parse import urlencode

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString

from dscb import cells as dscb_cells
from dscb.lists import Column, Paging, RowSource, Table, build_table
from dscb.models import User
from recommendations import cells, selectors
from recommendations.models import (
    ActionPlan,
    Evidence,
    PlanSection,
    ProgressUpdate,
    RagStatus,
    Recommendation,
    ReviewCycle,
)
from recommendations.selectors import Cycles, HistoryEntry, RagScale, RecommendationRow, SectionRows


def rag_words(rag: RagStatus | None, not_rated: str | None = None) -> str:
    """A rating's label, or the scale's words for none (as they are now, unless given)."""
    if rag is not None:
        return rag.label
    return not_rated if not_rated is not None else selectors.plan_words().not_rated


def rag_column(after: str = " now", *, scale: RagScale | None = None) -> Column[RecommendationRow]:
    """The rating column, headed by the scale's short name and ``after``, and worded in the
    scale's words: ``scale`` for a completed update's (a report's), else the scale now."""
    words = scale.words if scale is not None else selectors.plan_words()
    return Column(
        words.short_name + after,
        lambda row: rag_words(row.rag, words.not_rated),
        html=cells.rag,
    )


# The Executive's note on a rating, shown beside it.
NOTE_HEADING = "Executive's note"


def lead_name(row: RecommendationRow) -> str:
    """ "Alex Smith; Head of Safeguarding, Police" (the rows prefetch the leads)."""
    return row.recommendation.lead_names


def evidence_lines(evidence: Iterable[Evidence], *, marked: bool = False) -> str:
    """Each point of evidence on a line of its own, as the seed's evidence column.
    ``marked``: each says the update it was added in, and whether it was added in error."""
    return "\n".join(
        " ".join(
            part
            for part in (
                marked and f"{evidence_update_title(item)}:",
                item.in_error and f"Added in error ({item.marked_in_error_reason}):",
                item.text,
                item.url,
                item.file_name and f"({item.file_name})",
            )
            if part
        )
        for item in evidence
    )


def evidence_update_title(item: Evidence) -> str:
    """The title of the update the evidence was added in (annotated by the selectors)."""
    return getattr(item, "in_cycle_title", "")


def evidence_words(row: RecommendationRow) -> str:
    return evidence_lines(row.evidence, marked=row.evidence_spans_updates)


# --- Columns of a recommendation row, shared by every recommendation table -----------------

NUMBER = Column[RecommendationRow]("No.", lambda row: row.recommendation.number, html=cells.number, row_header=True)
TEXT = Column[RecommendationRow]("Recommendation", lambda row: row.recommendation.text, html=cells.text)
LEAD = Column[RecommendationRow]("Lead", lead_name)
TARGET_DATE = Column[RecommendationRow](
    "By when",
    lambda row: row.recommendation.target_date or row.recommendation.target_date_text or None,
    html=cells.by_when,
)
STATE = Column[RecommendationRow]("State", lambda row: row.recommendation.get_state_display())
OVERDUE = Column[RecommendationRow]("Overdue", lambda row: row.overdue)
EVIDENCE = Column[RecommendationRow]("Evidence", evidence_words, html=cells.evidence)
SECTION = Column[RecommendationRow](
    "Audit", lambda row: f"{row.recommendation.section.number} {row.recommendation.section.title}"
)
# The report and its PDF print the plan as the seed did: no links, the whole text.
REPORT_NUMBER = Column[RecommendationRow]("No.", NUMBER.value, row_header=True, header_class="app-plan-table__number")
REPORT_TEXT = Column[RecommendationRow](
    "Recommendation", TEXT.value, html=cells.full_text, header_class="app-plan-table__text"
)
REPORT_EVIDENCE = Column[RecommendationRow](
    "Evidence",
    evidence_words,
    html=cells.plain_evidence,
    header_class="app-plan-table__evidence",
)

NOTE = Column[RecommendationRow](NOTE_HEADING, lambda row: row.rating_note)

# The plan page's text cell adds the lead, the state and whether it is overdue.
PLAN_TEXT = Column[RecommendationRow]("Recommendation", TEXT.value, html=cells.plan_text)


def section_columns(
    section: PlanSection, *, report: bool = False, rated: ReviewCycle | None = None, scale: RagScale | None = None
) -> list[Column[RecommendationRow]]:
    """The plan's table for one section: number, text (headed as the section names its
    items), evidence, then the target date or the RAG, as the section shows."""
    number, text, evidence = (REPORT_NUMBER, REPORT_TEXT, REPORT_EVIDENCE) if report else (NUMBER, PLAN_TEXT, EVIDENCE)
    width = "app-plan-table__rag" if report else ""
    if section.shows_target_date:
        last = replace(TARGET_DATE, header_class=width)
    else:
        rating = rag_column(f" ({rated.title})" if rated else "", scale=scale)
        # The report prints the Executive's note under the rating it explains.
        last = replace(rating, header_class=width, html=cells.rag_and_note) if report else rating
    return [number, replace(text, heading=section.item_heading), evidence, last]


def report_plan_tables(sections: Iterable[SectionRows], scale: RagScale) -> list[Table]:
    """The six-monthly report's plan (its page and its PDF), one table a section, with the
    plan's columns."""
    return [
        build_table(
            group.rows,
            section_columns(group.section, report=True, scale=scale),
            caption=f"{group.section.number} {group.section.title}",
            caption_class="govuk-table__caption--m",
            css_class="app-plan-table",
        )
        for group in sections
    ]


def plan_sheet_columns(section: PlanSection, scale: RagScale) -> list[Column[RecommendationRow]]:
    """The workbook's plan sheet: the report's columns, the Executive's note beside the
    rating, and the lead."""
    columns = section_columns(section, report=True, scale=scale)
    if not section.shows_target_date:
        columns.append(NOTE)
    return [*columns, LEAD]


def section_words(section: PlanSection, *, with_plan: bool = False) -> str:
    words = f"{section.number} {section.title}"
    return f"{section.plan.title}: {words}" if with_plan else words


class RecommendationFilters:
    """A recommendation list narrowed by the filters it offers (``filter_names``, from
    ``selectors.FILTERS``), kept in the page's URL and applied in the database
    (``selectors.find``), so that a long list can be read a page at a time."""

    filter_names: ClassVar[tuple[str, ...]] = ("q", "section", "rag", "lead", "agency", "overdue")
    filters: dict[str, str]

    def parse_filters(self, query: Mapping[str, str]) -> dict[str, str]:
        return selectors.parse_filters(query, self.filter_names)

    def find(
        self, recommendations: QuerySet[Recommendation], cycles_by_plan: dict[int, Cycles]
    ) -> QuerySet[Recommendation]:
        return selectors.find(recommendations, self.filters, cycles_by_plan, today=timezone.localdate())

    def filter_choices(
        self,
        plans: Sequence[ActionPlan],
        *,
        sections: Sequence[PlanSection] = (),
        scale: RagScale | None = None,
        status_words: str = "",
    ) -> dict[str, object]:
        """What the filter form offers for the recommendations of ``plans`` (two queries):
        the sections and statuses only where given. Filters the form does not show (a
        figure's, the plan of a list across plans) are kept as they are."""
        shown = {"lead", "agency"} | ({"q", "overdue"} & set(self.filter_names))
        shown |= ({"section"} if sections else set()) | ({"rag"} if scale else set())
        kept = [(name, value) for name, value in self.filters.items() if name not in shown]
        return {
            **{name: self.filters.get(name, "") for name in ("q", "section", "rag", "lead", "agency", "overdue")},
            "sections": [(str(section.pk), section_words(section, with_plan=len(plans) > 1)) for section in sections],
            "statuses": [
                *((str(status.pk), status.label) for status in (scale.statuses if scale else [])),
                *([(selectors.NOT_RATED, scale.not_rated)] if scale else []),
            ],
            "status_words": status_words or (scale.words.short_name if scale else ""),
            "leads": [(selectors.NO_LEAD, "No lead"), *selectors.lead_choices(plans)],
            "agencies": [(str(agency.pk), agency.name) for agency in selectors.agency_choices()],
            "searchable": "q" in self.filter_names,
            "kept": kept,
            "clear_query": urlencode(kept),
            "chosen": any(name in shown for name in self.filters),
        }


class PlanList(RecommendationFilters, RowSource[RecommendationRow]):
    """The whole action plan, or what its filters find; the page shows it a page at a
    time, section by section, and the downloads have every row found."""

    name = "action-plan"
    caption = "The action plan"
    url_name = "recommendations:plan_download"

    def __init__(self, *, plan: ActionPlan, filters: Mapping[str, str] | None = None) -> None:
        super().__init__(filters=filters)
        self.plan = plan
        self.cycles = selectors.cycles(plan)

    def url_kwargs(self) -> dict[str, object]:
        return {"plan": self.plan.pk}

    @cached_property
    def scale(self) -> RagScale:
        """The scale the ratings shown are named in (the latest completed update's), for the key."""
        [scale] = selectors.plan_scales(self.cycles.latest_completed)
        return scale

    def columns(self) -> Sequence[Column[RecommendationRow]]:
        return [SECTION, NUMBER, TEXT, LEAD, STATE, EVIDENCE, TARGET_DATE, rag_column(), OVERDUE]

    @cached_property
    def found(self) -> QuerySet[Recommendation]:
        return self.find(self.plan.recommendations.all(), {self.plan.pk: self.cycles})

    def query(self) -> list[RecommendationRow]:
        return self._rows(self.found)

    def _rows(self, recommendations: QuerySet[Recommendation]) -> list[RecommendationRow]:
        return selectors.recommendation_rows(
            self.plan, self.cycles, today=timezone.localdate(), recommendations=recommendations
        )

    def paging(self, number: str | None) -> Paging:
        return Paging.of(self.found, self.filters, number, one="recommendation", many="recommendations")

    def sections(self, paging: Paging) -> list[tuple[PlanSection, Table]]:
        """The page's sections, each with its table: every section when the whole plan
        fits on one page (an empty one says so), only those with rows on the page otherwise."""
        rows = self._rows(Recommendation.objects.filter(pk__in=paging.ids))
        everything = not self.filters and paging.page.paginator.num_pages == 1
        return [
            (
                group.section,
                self.table(
                    group.rows,
                    columns=section_columns(group.section, rated=self.cycles.latest_completed),
                    caption=f"{group.section.item_heading} from {group.section.title}",
                ),
            )
            for group in selectors.rows_by_section(self.plan, rows, self.plan_sections)
            if group.rows or everything
        ]

    def filter_choices_here(self) -> dict[str, object]:
        return self.filter_choices([self.plan], sections=self.plan_sections, scale=self.scale)

    @cached_property
    def plan_sections(self) -> list[PlanSection]:
        return selectors.plan_sections(self.plan)


class AcrossPlans(RecommendationFilters, RowSource[RecommendationRow]):
    """A list of recommendations from every plan, or from one (``?plan=<id>``), filtered
    by lead and agency as well, found in the database and shown a page at a time."""

    filter_names = ("lead", "agency")

    def __init__(self, *, filters: Mapping[str, str] | None = None) -> None:
        super().__init__(filters=filters)
        chosen = self.filters.get("plan")
        self.all_plans = selectors.plans()
        self.plans = [plan for plan in self.all_plans if chosen is None or str(plan.pk) == chosen]
        self.cycles = selectors.cycles_by_plan(self.plans)

    def parse_filters(self, query: Mapping[str, str]) -> dict[str, str]:
        chosen = {"plan": query["plan"]} if query.get("plan") else {}
        return {**chosen, **super().parse_filters(query)}

    def plan_column(self) -> list[Column[RecommendationRow]]:
        """The plan's title, once there is more than one plan."""
        if len(self.all_plans) < 2:
            return []
        titles = {plan.pk: plan.title for plan in self.all_plans}
        return [Column("Action plan", lambda row: titles[row.recommendation.plan_id])]

    @property
    def open_cycles(self) -> list[ReviewCycle]:
        return [cycles.open for cycles in self.cycles.values() if cycles.open]

    def chosen(self) -> QuerySet[Recommendation]:
        """The recommendations the list is of, before its filters."""
        raise NotImplementedError

    @cached_property
    def found(self) -> QuerySet[Recommendation]:
        plans = [plan.pk for plan in self.plans]
        return self.find(self.chosen(), self.cycles).filter(plan__in=plans).order_by(*selectors.PLAN_ORDER)

    def _rows(self, recommendations: QuerySet[Recommendation]) -> list[RecommendationRow]:
        # These lists show no evidence (only whether the open update has some).
        return selectors.rows_across_plans(
            self.plans, self.cycles, today=timezone.localdate(), recommendations=recommendations, with_evidence=False
        )

    def query(self) -> list[RecommendationRow]:
        return self._rows(self.found)

    def paging(self, number: str | None) -> Paging:
        return Paging.of(self.found, self.filters, number, one="recommendation", many="recommendations")

    def page_table(self, paging: Paging) -> Table:
        return self.table(self._rows(Recommendation.objects.filter(pk__in=paging.ids)))


class MyRecommendations(AcrossPlans):
    name = "my-recommendations"
    caption = "Recommendations you lead and what the open update still needs"
    url_name = "recommendations:mine_download"

    def __init__(self, *, user: User, filters: Mapping[str, str] | None = None) -> None:
        super().__init__(filters=filters)
        self.user = user

    def columns(self) -> Sequence[Column[RecommendationRow]]:
        columns = [*self.plan_column(), NUMBER, TEXT, rag_column()]
        if self.open_cycles:
            columns.append(
                Column(
                    "Open update",
                    lambda row: (
                        ("Needs evidence" if row.needs_evidence else "Evidence added")
                        if self.cycles[row.recommendation.plan_id].open
                        else "No update open"
                    ),
                    html=cells.needs_evidence,
                )
            )
        return columns

    def chosen(self) -> QuerySet[Recommendation]:
        return selectors.led_by(self.user)


class OverdueList(AcrossPlans):
    name = "overdue-recommendations"
    caption = "Overdue recommendations"
    url_name = "recommendations:overdue_download"

    def columns(self) -> Sequence[Column[RecommendationRow]]:
        return [*self.plan_column(), NUMBER, TEXT, LEAD, TARGET_DATE, rag_column()]

    def chosen(self) -> QuerySet[Recommendation]:
        # Found in the database, so a list with none overdue builds no rows.
        return selectors.find(Recommendation.objects.all(), {"overdue": "1"}, self.cycles, today=timezone.localdate())

    def _rows(self, recommendations: QuerySet[Recommendation]) -> list[RecommendationRow]:
        # Each row found is still decided by the one rule (overdue_rule).
        return [row for row in super()._rows(recommendations) if row.overdue]


class PlanIndex(RowSource[selectors.PlanSummary]):
    """Every action plan: its sources, its updates, its size."""

    name = "action-plans"
    caption = "Action plans"
    url_name = "recommendations:plan_list_download"

    def columns(self) -> Sequence[Column[selectors.PlanSummary]]:
        return [
            Column(
                "Action plan",
                lambda item: item.plan.title,
                html=dscb_cells.link("recommendations:plan", lambda item: item.plan.pk),
                row_header=True,
            ),
            Column("Sources", lambda item: ", ".join(item.source_kinds)),
            Column(
                "Open update",
                lambda item: item.cycles.open.title if item.cycles.open else "None",
            ),
            Column(
                "Last completed",
                lambda item: item.cycles.latest_completed.title if item.cycles.latest_completed else "None",
            ),
            Column("Sections", lambda item: len(item.sections), numeric=True),
            Column("Recommendations", lambda item: item.recommendations, numeric=True),
        ]

    def query(self) -> list[selectors.PlanSummary]:
        return selectors.plan_summaries()


@dataclass(frozen=True)
class RatingRow:
    row: RecommendationRow
    update: ProgressUpdate | None
    # Last time's rating and note (``row.rag``, ``row.rating_note``) are this row's
    # starting point in the open update: shown, pre-selected, and not a rating until confirmed.
    carried: bool = False

    @property
    def rag(self) -> RagStatus | None:
        return self.update.rag if self.update else None

    @property
    def recommendation(self) -> Recommendation:
        return self.row.recommendation


def last_time_rating(item: RatingRow, value: str) -> SafeString:
    return cells.rag_tag(item.row.rag, value)


def this_update_rating(item: RatingRow, value: str) -> SafeString:
    return cells.rag_tag(item.rag, value)


# Two fields a row, and Django refuses a form of more than DATA_UPLOAD_MAX_NUMBER_FIELDS
# (1,000): a plan longer than this is rated a section at a time.
RATINGS_PER_PAGE = 400


@dataclass(frozen=True)
class RatingsPart:
    """Which recommendations one page of the ratings holds, and its link's words."""

    number: int
    ids: list[int]
    label: str


@dataclass(frozen=True)
class RatingsPage:
    number: int
    rows: list[RatingRow]

    @property
    def carried(self) -> list[RatingRow]:
        return [item for item in self.rows if item.carried]


def part_label(numbers: Sequence[str]) -> str:
    """ "1.1 to 1.40", or the one number."""
    if not numbers:
        return ""
    return f"{numbers[0]} to {numbers[-1]}" if len(numbers) > 1 else numbers[0]


class CycleRatings(RecommendationFilters, RowSource[RatingRow]):
    """A cycle's ratings: what the Executive set for each recommendation, each named in
    the cycle's scale, and in an open update last time's rating as each row's starting
    point. The ratings page rates them a page at a time."""

    name = "ratings"
    url_name = "recommendations:cycle_ratings_download"

    def __init__(self, *, cycle: ReviewCycle, filters: Mapping[str, str] | None = None) -> None:
        super().__init__(filters=filters)
        self.cycle = cycle
        [self.scale] = selectors.plan_scales(cycle)  # a completed update keeps the words it was rated in
        self.caption = f"{self.scale.words.short_name} rating of each recommendation in the {cycle.title}"
        self.cycles: Cycles = selectors.cycles(cycle.plan)

    def url_kwargs(self) -> dict[str, object]:
        return {"pk": self.cycle.pk}

    def find_in_cycle(self, recommendations: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
        """Filtered as the plan page filters, but by the rating in this update."""
        filters = dict(self.filters)
        if self.cycle.is_open and "rag" in filters:
            filters["open_rag"] = filters.pop("rag")
        cycles = selectors.Cycles(self.cycles.all, as_of=None if self.cycle.is_open else self.cycle)
        return selectors.find(recommendations, filters, {self.cycle.plan_id: cycles}, today=timezone.localdate())

    def filter_choices_here(self) -> dict[str, object]:
        return self.filter_choices(
            [self.cycle.plan],
            sections=selectors.plan_sections(self.cycle.plan),
            scale=self.scale,
            status_words=f"{self.scale.words.short_name} in this update",
        )

    @property
    def previous_cycle(self) -> ReviewCycle | None:
        """In a meeting, the rating at the last completed update is the starting point."""
        return self.cycles.latest_completed if self.cycle.is_open else None

    def columns(self) -> Sequence[Column[RatingRow]]:
        columns: list[Column[RatingRow]] = [
            Column(
                "No.",
                lambda item: NUMBER.value(item.row),
                html=dscb_cells.link("recommendations:recommendation_detail", lambda item: item.row.recommendation.pk),
            ),
            Column("Recommendation", lambda item: TEXT.value(item.row), html=cells.short_text),
            Column(
                "Evidence this update",
                lambda item: getattr(item.update, "evidence_count", 0) if item.update else 0,
                numeric=True,
            ),
        ]
        if previous := self.previous_cycle:
            # Last time's rating is the row's (``row.rag``), not this update's (``item.rag``).
            columns.append(Column(previous.title, lambda item: rag_words(item.row.rag), html=last_time_rating))
        words = self.scale.words
        return [
            *columns,
            Column(
                "Lead's proposal",
                lambda item: item.update.proposed_rag.label if item.update and item.update.proposed_rag else "",
                html=lambda item, value: cells.proposal(item.update),
            ),
            Column(
                words.short_name,
                lambda item: rag_words(item.rag, words.not_rated),
                html=this_update_rating,
            ),
            Column("Note", lambda item: item.update.rating_note if item.update else ""),
        ]

    @cached_property
    def found(self) -> QuerySet[Recommendation]:
        return self.find_in_cycle(selectors.rated_in(self.cycle))

    def updates(self, recommendations: QuerySet[Recommendation]) -> dict[int, ProgressUpdate]:
        """This cycle's updates of ``recommendations`` by recommendation id, named in its scale."""
        return {
            update.recommendation_id: self.scale.name_update(update)
            for update in self.cycle.updates.filter(recommendation__in=recommendations.values("pk"))
            .select_related("rag", "proposed_rag")
            .annotate(evidence_count=Count("evidence"))
        }

    def query(self) -> list[RatingRow]:
        return self._rating_rows(self.found)

    def _rating_rows(self, recommendations: QuerySet[Recommendation]) -> list[RatingRow]:
        rows = selectors.recommendation_rows(
            self.cycle.plan,
            self.cycles,
            today=timezone.localdate(),
            recommendations=recommendations,
            with_evidence=False,
        )
        updates = self.updates(recommendations)
        carries = self.previous_cycle is not None
        active = self.scale.by_pk  # an open update's scale is the scale now: its active statuses

        def carried(row: RecommendationRow, update: ProgressUpdate | None) -> bool:
            last = selectors.LastTime(row.rag.pk, row.rating_note) if carries and row.rag else None
            return selectors.starting_point(update, last, active) is not None

        return [
            RatingRow(row, update, carried(row, update))
            for row in rows
            for update in [updates.get(row.recommendation.pk)]
        ]

    @cached_property
    def pages(self) -> list[RatingsPart]:
        """All on one page while they fit; otherwise a page per section, a section too long
        for one page split over several. Read from the numbers alone (one query), so a
        page builds only its own rows."""
        found = list(self.found.order_by(*selectors.PLAN_ORDER).values_list("pk", "section_id", "number"))
        chunks = [found]
        if len(found) > RATINGS_PER_PAGE:
            chunks = []
            for _section, in_section in groupby(found, key=lambda item: item[1]):
                listed = list(in_section)
                chunks += [
                    listed[start : start + RATINGS_PER_PAGE] for start in range(0, len(listed), RATINGS_PER_PAGE)
                ]
        return [
            RatingsPart(number, [pk for pk, _, _ in chunk], part_label([number for _, _, number in chunk]))
            for number, chunk in enumerate(chunks, start=1)
        ]

    @property
    def found_nothing(self) -> bool:
        return not self.pages[0].ids

    def page_url(self, page: RatingsPart) -> str:
        return "?" + urlencode({**self.filters, "page": page.number})

    def page(self, number: str | None) -> RatingsPage:
        """The page asked for (``?page=``), the nearest one if there is no such page, with
        its rows."""
        try:
            asked = int(number or "1")
        except ValueError:
            asked = 1
        part = self.pages[min(max(asked, 1), len(self.pages)) - 1]
        return RatingsPage(part.number, self._rating_rows(Recommendation.objects.filter(pk__in=part.ids)))


class RecommendationHistory(RowSource[HistoryEntry]):
    """A recommendation's RAG and evidence at every update, newest first."""

    name = "recommendation-history"
    url_name = "recommendations:recommendation_history_download"

    def __init__(
        self,
        *,
        recommendation: Recommendation,
        filters: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(filters=filters)
        self.recommendation = recommendation
        self.words = selectors.plan_words()
        self.caption = f"{self.words.short_name} and evidence of {recommendation.number} at each update, newest first"
        self.cycles = selectors.cycles(recommendation.plan)

    def url_kwargs(self) -> dict[str, object]:
        return {"pk": self.recommendation.pk}

    def columns(self) -> Sequence[Column[HistoryEntry]]:
        return [
            Column("Update", lambda entry: entry.cycle.title, row_header=True),
            Column("Completed", lambda entry: entry.cycle.completed_on or "Open", html=cells.update_completed),
            Column(
                self.words.short_name,
                lambda entry: rag_words(entry.update.rag if entry.update else None),
                html=cells.history_rag,
            ),
            Column(NOTE_HEADING, lambda entry: entry.update.rating_note if entry.update else ""),
            Column("Movement", lambda entry: str(entry.movement) if entry.movement else ""),
            Column(
                "Lead's proposal",
                lambda entry: entry.update.proposed_rag.label if entry.update and entry.update.proposed_rag else "",
            ),
            Column("Evidence", history_evidence, html=cells.history_evidence),
        ]

    def query(self) -> list[HistoryEntry]:
        return list(reversed(selectors.rag_history(self.recommendation, self.cycles)))


def history_evidence(entry: HistoryEntry) -> str:
    return evidence_lines(entry.update.evidence.all()) if entry.update else ""
