"""The published reports list's cells, written in Python (format_html) as dscb.cells explains."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.template.defaultfilters import date
from django.urls import reverse
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString

from dscb import cells
from reports.models import PublishedReport

if TYPE_CHECKING:
    from reports.lists import PublicationNotes

# Each document of a publication: its name in the download's URL, its words, and whether it has one.
DOCUMENTS: list[tuple[str, str, Callable[[PublishedReport], object]]] = [
    ("pdf", "Report (PDF)", lambda item: True),
    ("summary", "Board summary (PDF)", lambda item: True),
    ("xlsx", "Spreadsheet (XLSX)", lambda item: True),
    ("docx", "Report to edit (Word)", lambda item: item.docx),
    ("summary-docx", "Board summary to edit (Word)", lambda item: item.summary_docx),
]


def published_title(item: PublishedReport, value: str) -> SafeString:
    """The title, with a link to download each of its documents."""
    links = format_html_join(
        "\n",
        '  <li><a class="govuk-link" href="{}" download>{}<span class="govuk-visually-hidden"> of {}</span></a></li>',
        (
            (reverse("reports:published_download", args=[item.pk, kind]), words, item.title)
            for kind, words, has in DOCUMENTS
            if has(item)
        ),
    )
    return format_html(
        '{}\n<ul class="govuk-list govuk-body-s govuk-!-margin-top-1 govuk-!-margin-bottom-0">\n{}\n</ul>', value, links
    )


def published_on(item: PublishedReport, value: datetime.date) -> SafeString:
    return escape(date(value, "j F Y"))


NOTE = '<p class="govuk-body-s govuk-!-margin-top-1 govuk-!-margin-bottom-0">{}</p>'


def publication_status(item: PublishedReport, value: PublicationNotes) -> SafeString:
    """Current, or withdrawn or replaced and why; and whether its update was re-opened since."""
    if item.is_current:
        status = cells.tag("Current", "green")
    else:
        status = format_html(
            "{}\n" + NOTE, cells.tag("Withdrawn" if item.withdrawn_at else "Replaced", "grey"), value.status
        )
    reopened = format_html_join("", NOTE, ((words,) for words in value.reopened_words()))
    return format_html("{}\n{}", status, reopened)
