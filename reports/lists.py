"""The reports app's lists, each one row source (dscb.lists): the recommendations behind
a figure on the RAG dashboard, and the published reports."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.formats import date_format
from django.utils.timezone import localtime

from dscb.lists import Column, RowSource
from dscb.models import Agency
from recommendations.lists import LEAD, NUMBER, TEXT, rag_column
from recommendations.models import CycleReopening, PlanSection, Recommendation
from recommendations.selectors import NO_LEAD, RecommendationRow
from reports import selectors
from reports.document import link_value
from reports.models import PublishedReport

# The figures on the RAG dashboard link here: each query parameter narrows the list.
ROW_FILTERS: dict[str, Callable[[RecommendationRow, str], bool]] = {
    "rag": lambda row, value: link_value(row.rag.pk if row.rag else None) == value,
    "open_rag": lambda row, value: link_value(row.open_rag.pk if row.open_rag else None) == value,
    "from": lambda row, value: link_value(row.previous_rag.pk if row.previous_rag else None) == value,
    "section": lambda row, value: str(row.recommendation.section_id) == value,
    "lead": lambda row, value: value in lead_keys(row.recommendation),
    "agency": lambda row, value: value in agency_keys(row.recommendation),
    "overdue": lambda row, value: row.overdue,
    "not_rated": lambda row, value: row.rag is None,
}
NOT_UPDATED = "not_updated"
# The dashboard's filter: the figures themselves are of these (reports.selectors.RagScope).
SCOPE = ("plan", "kind")


def lead_keys(recommendation: Recommendation) -> set[str]:
    return {lead.key for lead in recommendation.leads.all()} or {NO_LEAD}


def agency_named(value: str) -> Agency | None:
    return Agency.objects.filter(pk=value).first() if value.isdigit() and len(value) < 10 else None


def agency_keys(recommendation: Recommendation) -> set[str]:
    """The agencies responsible for it or leading it."""
    agencies = {agency.pk for agency in recommendation.agencies.all()}
    return {str(pk) for pk in agencies | {lead.agency_id for lead in recommendation.leads.all() if lead.agency_id}}


class RagList(RowSource[RecommendationRow]):
    """The recommendations behind a figure on the RAG dashboard; at least one filter."""

    name = "recommendations"
    url_name = "reports:rag_list_download"

    def __init__(self, *, figures: selectors.RagFigures, filters: Mapping[str, str] | None = None) -> None:
        self.figures = figures
        super().__init__(filters=filters)
        if not self.filters:
            raise Http404("No figure chosen.")
        self.caption = self.describe()

    def parse_filters(self, query: Mapping[str, str]) -> dict[str, str]:
        return {name: query[name] for name in (*ROW_FILTERS, NOT_UPDATED, *SCOPE) if query.get(name)}

    def columns(self) -> Sequence[Column[RecommendationRow]]:
        titles = {plan.pk: plan.title for plan in self.figures.plans}
        plan = [Column[RecommendationRow]("Action plan", lambda row: titles[row.recommendation.plan_id])]
        return [*(plan if len(titles) > 1 else []), NUMBER, TEXT, LEAD, rag_column("", scale=self.figures.scale)]

    def query(self) -> list[RecommendationRow]:
        rows = self.figures.rows
        for name, value in self.filters.items():
            if name in SCOPE:
                continue  # the figures are of the scope already
            if name == NOT_UPDATED:
                not_updated = {row.recommendation.pk for row in self.figures.not_updated}
                rows = [row for row in rows if row.recommendation.pk in not_updated]
            else:
                rows = [row for row in rows if ROW_FILTERS[name](row, value)]
        return rows

    def describe(self) -> str:
        """The list's heading, in words: "Recommendations rated Amber from audit 2"."""
        figures = self.figures
        not_rated = figures.scale.not_rated
        labels = {"none": not_rated} | {
            link_value(status.pk): status.label for status in [*figures.statuses, *figures.open_scale.statuses]
        }
        leads = {key: name for name, key, _ in figures.by_lead()} if "lead" in self.filters else {}
        sections = {str(section.pk): f"{section.number} {section.title}" for section, _ in figures.by_section()}
        plan, kind = figures.scope.plan, figures.scope.source_kind
        words = {
            "rag": lambda value: not_rated.lower() if value == "none" else f"rated {labels.get(value, value)}",
            "open_rag": lambda value: f"rated {labels.get(value, value)} in the open update",
            "from": lambda value: f"rated {labels.get(value, value)} in the update before",
            "section": lambda value: f"from {sections.get(value, 'a section no longer counted')}",
            "plan": lambda value: f"in “{plan.title}”" if plan else "in every plan",
            "kind": lambda value: f"from a {PlanSection.SourceKind(kind).label.lower()}" if kind else "",
            "lead": lambda value: f"led by {leads.get(value, 'nobody named')}",
            "agency": lambda value: f"of {agency_named(value) or 'no agency named'}",
            "overdue": lambda value: "overdue",
            "not_rated": lambda value: not_rated.lower(),
            NOT_UPDATED: lambda value: "not updated in the open update",
        }
        return "Recommendations " + ", ".join(
            words[name](value) for name, value in self.filters.items() if words[name](value)
        )


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
            Column("Report", lambda item: item.title, cell="reports/cells/published_title.html"),
            Column("Audits", lambda item: item.period),
            Column("Action plan update", lambda item: item.cycle_title),
            Column("Published", lambda item: item.published_at.date(), cell="reports/cells/published_on.html"),
            Column(
                "Status",
                PublicationNotes.of,
                cell="reports/cells/publication_status.html",
            ),
        ]

    def query(self) -> list[PublishedReport]:
        return list(with_notes(PublishedReport.objects.all()))
