"""The reports app's lists, each one row source (dscb.lists): the recommendations behind
a figure on the RAG dashboard, and the published reports."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Prefetch, QuerySet
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.timezone import localtime

from dscb.lists import Column, Paging, RowSource, Table
from dscb.models import Agency
from recommendations import selectors as plan_selectors
from recommendations.lists import LEAD, NUMBER, TEXT, RecommendationFilters, rag_column, section_words
from recommendations.models import CycleReopening, PlanSection, Recommendation
from recommendations.selectors import NO_LEAD, RecommendationRow
from reports import cells, selectors
from reports.models import PublishedReport

# The dashboard's filter: the figures themselves are of these (reports.selectors.RagScope).
SCOPE = ("plan", "kind")


def agency_named(value: str) -> Agency | None:
    return Agency.objects.filter(pk=value).first() if value.isdigit() and len(value) < 10 else None


class RagList(RecommendationFilters, RowSource[RecommendationRow]):
    """The recommendations behind a figure on the RAG dashboard (its link names them with
    the filters of ``recommendations.selectors.find``, so list and figure agree), which
    the page's own filters narrow further, a page at a time."""

    name = "recommendations"
    url_name = "reports:rag_list_download"
    filter_names = plan_selectors.FILTERS

    def __init__(self, *, figures: selectors.RagFigures, filters: Mapping[str, str] | None = None) -> None:
        self.figures = figures
        super().__init__(filters=filters)
        self.caption = self.describe()

    def parse_filters(self, query: Mapping[str, str]) -> dict[str, str]:
        return {**super().parse_filters(query), **{name: query[name] for name in SCOPE if query.get(name)}}

    def columns(self) -> Sequence[Column[RecommendationRow]]:
        titles = {plan.pk: plan.title for plan in self.figures.plans}
        plan = [Column[RecommendationRow]("Action plan", lambda row: titles[row.recommendation.plan_id])]
        return [*(plan if len(titles) > 1 else []), NUMBER, TEXT, LEAD, rag_column("", scale=self.figures.scale)]

    @cached_property
    def found(self) -> QuerySet[Recommendation]:
        return self.find(self.figures.scope.recommendations(), self.figures.cycles_by_plan).order_by(
            *plan_selectors.PLAN_ORDER
        )

    def _rows(self, recommendations: QuerySet[Recommendation]) -> list[RecommendationRow]:
        figures = self.figures
        # The list shows no evidence.
        return plan_selectors.rows_across_plans(
            figures.plans,
            figures.cycles_by_plan,
            today=figures.today,
            recommendations=recommendations,
            with_evidence=False,
        )

    def query(self) -> list[RecommendationRow]:
        return self._rows(self.found)

    def paging(self, number: str | None) -> Paging:
        return Paging.of(self.found, self.filters, number, one="recommendation", many="recommendations")

    def page_table(self, paging: Paging) -> Table:
        return self.table(self._rows(Recommendation.objects.filter(pk__in=paging.ids)))

    @cached_property
    def sections(self) -> list[PlanSection]:
        return list(PlanSection.objects.filter(plan__in=self.figures.plans).select_related("plan"))

    def filter_choices_here(self) -> dict[str, object]:
        return self.filter_choices(self.figures.plans, sections=self.sections, scale=self.figures.scale)

    def describe(self) -> str:
        """The list's heading, in words: "Recommendations rated Amber from audit 2"."""
        figures = self.figures
        not_rated = figures.scale.not_rated
        labels = {plan_selectors.NOT_RATED: not_rated} | {
            str(status.pk): status.label for status in [*figures.statuses, *figures.open_scale.statuses]
        }
        leads = dict(plan_selectors.lead_choices(figures.plans)) if "lead" in self.filters else {}
        sections = {str(section.pk): section_words(section) for section in self.sections}
        plan, kind = figures.scope.plan, figures.scope.source_kind
        words = {
            "q": lambda value: f"matching “{value}”",
            "rag": lambda value: (
                not_rated.lower() if value == plan_selectors.NOT_RATED else f"rated {labels.get(value, value)}"
            ),
            "open_rag": lambda value: f"rated {labels.get(value, value)} in the open update",
            "from": lambda value: f"rated {labels.get(value, value)} in the update before",
            "section": lambda value: f"from {sections.get(value, 'a section no longer counted')}",
            "plan": lambda value: f"in “{plan.title}”" if plan else "in every plan",
            "kind": lambda value: f"from a {PlanSection.SourceKind(kind).label.lower()}" if kind else "",
            "lead": lambda value: f"led by {leads.get(value, 'No lead' if value == NO_LEAD else 'nobody named')}",
            "agency": lambda value: f"of {agency_named(value) or 'no agency named'}",
            "overdue": lambda value: "overdue",
            "not_rated": lambda value: not_rated.lower(),
            "not_updated": lambda value: "not updated in the open update",
        }
        described = [words[name](value) for name, value in self.filters.items() if words[name](value)]
        return " ".join(["Recommendations" if described else "Every recommendation", ", ".join(described)]).strip()


def on(moment: datetime.datetime) -> str:
    return date_format(localtime(moment), "j F Y")


def publication_status(item: PublishedReport) -> str:
    """Current, or withdrawn or replaced, when and why, in words."""
    if item.withdrawn_at is not None:
        return f"Withdrawn on {on(item.withdrawn_at)}: {item.withdrawal_reason}"
    if item.replaced_at is not None:
        newer = getattr(item, "replaced_by", None)
        why = f": {newer.replacement_reason}" if newer is not None and newer.replacement_reason else ""
        return f"Replaced on {on(item.replaced_at)}{why}"
    return "Current"


def reopened_after(item: PublishedReport) -> list[CycleReopening]:
    """Re-openings of the report's update since this was published (prefetched by
    ``with_notes``): what was published no longer shows the update as it is now."""
    return [reopening for reopening in item.report.cycle.reopenings.all() if reopening.reopened_at > item.published_at]


@dataclass(frozen=True)
class PublicationNotes:
    """What the Board needs to know about a publication beside its documents: whether it
    is current, and whether its update was re-opened since. A list's file prints it in words."""

    publication: PublishedReport
    status: str
    reopenings: list[CycleReopening]

    @classmethod
    def of(cls, item: PublishedReport) -> PublicationNotes:
        return cls(item, publication_status(item), reopened_after(item))

    def reopened_words(self) -> list[str]:
        return [
            f"The update was re-opened afterwards, on {on(reopening.reopened_at)}: {reopening.reason}"
            for reopening in self.reopenings
        ]

    def __str__(self) -> str:
        return " ".join([self.status, *self.reopened_words()])

    def tag(self) -> SafeString:
        """As the published reports list shows it."""
        return cells.publication_status(self.publication, self)


def with_notes(publications: QuerySet[PublishedReport]) -> QuerySet[PublishedReport]:
    """Publications with what ``publication_status`` and ``reopened_after`` read: two queries."""
    return publications.select_related("published_by", "replaced_by", "report__cycle").prefetch_related(
        Prefetch("report__cycle__reopenings", queryset=CycleReopening.objects.select_related("reopened_by"))
    )


class PublishedReports(RowSource[PublishedReport]):
    name = "published-reports"
    caption = "Published reports, newest first"
    url_name = "reports:published_list_download"

    def columns(self) -> Sequence[Column[PublishedReport]]:
        return [
            Column("Report", lambda item: item.title, html=cells.published_title),
            Column("Audits", lambda item: item.period),
            Column("Action plan update", lambda item: item.cycle_title),
            Column("Published", lambda item: item.published_at.date(), html=cells.published_on),
            Column("Status", PublicationNotes.of, html=cells.publication_status),
        ]

    def query(self) -> list[PublishedReport]:
        return list(with_notes(PublishedReport.objects.all()))
