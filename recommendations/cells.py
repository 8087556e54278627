"""The action plan's tags and list cells written in Python (format_html), not templates:
the plan, the overdue list and the RAG list show them on every row, where a template
included a cell was most of the page's time. The partials for a single tag or point of
evidence (rag_tag.html, evidence_item.html) print these same functions, so each is
written once."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.template.defaultfilters import filesizeformat, linebreaksbr, pluralize, truncatewords, urlize
from django.urls import reverse
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString

from dscb import cells
from dscb.lists import id_url
from dscb.request_cache import once_per_request
from recommendations import selectors
from recommendations.models import Evidence, ProgressUpdate, RagStatus
from recommendations.selectors import HistoryEntry, RecommendationRow

OVERDUE_TAG = SafeString('<strong class="govuk-tag govuk-tag--red">Overdue</strong>')
NO_EVIDENCE = SafeString('<p class="govuk-body">No evidence yet.</p>')
BREAK = SafeString("<br>")


def rag_tag(rag: RagStatus | None, not_rated: str = "") -> SafeString:
    """A rating on the plan's scale with its word, never colour alone: for no rating, a
    kept scale's ``not_rated`` words, else the scale's words now."""
    if rag:
        return format_html('<strong class="govuk-tag app-rag app-rag--{}">{}</strong>', rag.pk, rag.label)
    return format_html(
        '<strong class="govuk-tag govuk-tag--grey">{}</strong>', not_rated or selectors.plan_words().not_rated
    )


def evidence_item(item: Evidence, *, marked: bool = False) -> SafeString:
    """One point of evidence's words, link and file; ``marked``: with the update it was
    added in (annotated by the selectors). Evidence marked as added in error is struck
    through, with why (as the downloads word it: recommendations.lists.evidence_lines)."""
    head = ""
    if marked:
        head = format_html('<span class="app-evidence__update">{}:</span> ', getattr(item, "in_cycle_title", ""))
    if item.in_error:
        head = format_html("{}<strong>Added in error</strong> ({}): <del>", head, item.marked_in_error_reason)
    link = ""
    if item.url:
        link = format_html(
            '{}<a class="govuk-link" href="{}" rel="noreferrer noopener">{}</a>',
            BREAK if item.text else "",
            item.url,
            item.url,
        )
    file = ""
    if item.file:
        file = format_html(
            '{}<a class="govuk-link" href="{}" download>{}</a> ({})',
            BREAK if item.text or item.url else "",
            reverse("recommendations:evidence_download", args=[item.pk]),
            item.file_name,
            filesizeformat(item.file_size or 0),
        )
    return format_html(
        "{}\n{}\n{}\n{}\n{}",
        head,
        linebreaksbr(item.text, autoescape=True) if item.text else "",
        link,
        file,
        SafeString("</del>") if item.in_error else "",
    )


@once_per_request
def recommendation_url() -> Callable[[int], str]:
    return id_url("recommendations:recommendation_detail")


def number(row: RecommendationRow, value: str) -> SafeString:
    """The number, a link to the recommendation."""
    return format_html('<a class="govuk-link" href="{}">{}</a>', recommendation_url()(row.recommendation.pk), value)


def text(row: RecommendationRow, value: str) -> SafeString:
    """The start of the text, and whether it is overdue."""
    return format_html("{}{}", truncatewords(value, 30), format_html(" {}", OVERDUE_TAG) if row.overdue else "")


def plan_text(row: RecommendationRow, value: str) -> SafeString:
    """The plan page's text: the whole of it, its leads, its state and whether it is overdue."""
    recommendation = row.recommendation
    return format_html(
        '{}\n<p class="govuk-body-s govuk-!-margin-top-2 govuk-!-margin-bottom-0">Lead{}: {}{}{}</p>',
        linebreaksbr(value, autoescape=True),
        pluralize(len(recommendation.leads.all())),
        recommendation.lead_names or "none yet",
        "" if recommendation.state == "open" else format_html(". {}", recommendation.get_state_display()),
        format_html(". {}", OVERDUE_TAG) if row.overdue else "",
    )


def by_when(row: RecommendationRow, value: object) -> SafeString:
    """The target date, or the words the plan gave for it."""
    recommendation = row.recommendation
    if recommendation.target_date:
        return cells.day(row, recommendation.target_date)
    return escape(recommendation.target_date_text)


def rag(row: RecommendationRow, value: str) -> SafeString:
    """The rating, named in the words ``value`` gives for none."""
    return rag_tag(row.rag, value)


def evidence(row: RecommendationRow, value: str) -> SafeString:
    """Each point of evidence, saying the update it was added in when they span several."""
    return evidence_bullets(row.evidence, marked=row.evidence_spans_updates)


def evidence_bullets(items: Sequence[Evidence], *, marked: bool = False) -> SafeString:
    if not items:
        return NO_EVIDENCE
    return format_html(
        '<ul class="govuk-list govuk-list--bullet">{}</ul>',
        format_html_join("", "<li>{}</li>", ((evidence_item(item, marked=marked),) for item in items)),
    )


def rag_and_note(row: RecommendationRow, value: str) -> SafeString:
    """The report's rating, with the Executive's note under the rating it explains."""
    note = ""
    if row.rating_note:
        note = format_html(
            '<p class="govuk-body-s govuk-!-margin-top-1 govuk-!-margin-bottom-0 app-rating-note">'
            '<span class="govuk-visually-hidden">Executive\'s note: </span>{}</p>',
            row.rating_note,
        )
    return format_html("{}{}", rag_tag(row.rag, value), note)


def full_text(row: object, value: str) -> SafeString:
    return linebreaksbr(value, autoescape=True)


def plain_evidence(row: RecommendationRow, value: str) -> SafeString:
    """The report's evidence bullets (its page and PDF): an address in the words or the
    link is a link, so it can be followed from the PDF."""
    if not row.evidence:
        return SafeString("")
    marked = row.evidence_spans_updates

    def bullet(item: Evidence) -> SafeString:
        words = ""
        if item.text:
            words = urlize(item.text, autoescape=True)
        link = ""
        if item.url:
            link = format_html(
                '{}<a class="govuk-link" href="{}" rel="noreferrer noopener">{}</a>',
                " " if item.text else "",
                item.url,
                item.url,
            )
        file = format_html("{}({})", " " if item.text or item.url else "", item.file_name) if item.file_name else ""
        return format_html(
            "<li>{}{}{}{}{}{}</li>",
            format_html('<span class="app-evidence__update">{}:</span> ', getattr(item, "in_cycle_title", ""))
            if marked
            else "",
            format_html("<strong>Added in error</strong> ({}): <del>", item.marked_in_error_reason)
            if item.in_error
            else "",
            words,
            link,
            file,
            SafeString("</del>") if item.in_error else "",
        )

    return format_html(
        '<ul class="govuk-list govuk-list--bullet app-plan-table__list">{}</ul>',
        format_html_join("", "{}", ((bullet(item),) for item in row.evidence)),
    )


def needs_evidence(row: RecommendationRow, value: str) -> SafeString:
    """My recommendations: whether the open update still needs evidence, and a link to add some."""
    if not row.open_update and value == "No update open":
        return format_html("{}", value)
    return format_html(
        '{}\n<a class="govuk-link" href="{}">Add evidence<span class="govuk-visually-hidden"> for {}</span></a>',
        cells.tag(value, "yellow" if row.needs_evidence else "green"),
        evidence_add_url()(row.recommendation.pk),
        row.recommendation.number,
    )


@once_per_request
def evidence_add_url() -> Callable[[int], str]:
    return id_url("recommendations:evidence_add")


def short_text(row: object, value: str) -> SafeString:
    return escape(truncatewords(value, 25))


def update_completed(entry: HistoryEntry, value: object) -> SafeString:
    """When the update was completed, or that it is still open and when it is due."""
    if entry.cycle.completed_on:
        return cells.day(entry, entry.cycle.completed_on)
    return format_html("{}, due by {}", value, cells.day(entry, entry.cycle.due_on))


def history_rag(entry: HistoryEntry, value: str) -> SafeString:
    return rag_tag(entry.update.rag if entry.update else None)


def history_evidence(entry: HistoryEntry, value: str) -> SafeString:
    return evidence_bullets(list(entry.update.evidence.all()) if entry.update else [])


def proposal(update: ProgressUpdate | None) -> SafeString:
    """The lead's proposed rating in an update, if they proposed one."""
    return rag_tag(update.proposed_rag) if update and update.proposed_rag else SafeString("")
