"""Turn a ReportDocument into the bytes of a PDF, a board summary PDF, a workbook or a
Word document (reports.docx)."""

from __future__ import annotations

import io
import json
import logging
import mimetypes
import posixpath
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from weasyprint import HTML
from weasyprint.document import Document
from weasyprint.formatting_structure.boxes import Box
from weasyprint.urls import URLFetcher, URLFetcherResponse

from dscb.lists import records, safe_cell
from recommendations.lists import plan_sheet_columns
from reports import word
from reports.document import ReportDocument
from reports.models import LearningSummary
from reports.selectors import LEARNING_SMALL_NUMBER_RULE

logger = logging.getLogger(__name__)

# Each document: its content type and how its file name ends ("draft-report-1.pdf").
DOWNLOADS: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", ".pdf"),
    "summary": ("application/pdf", "-board-summary.pdf"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "summary-docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "-board-summary.docx"),
}


def draft_filename(report_id: int, kind: str) -> str:
    """A draft document's name, stored and downloaded: by the report's number, as a draft's
    title may still change."""
    return f"draft-report-{report_id}{DOWNLOADS[kind][1]}"


# Enough of a refused address to see what was asked for, never a report's text at length.
LOGGED_URL_LENGTH = 80


class RefusedURL(ValueError):
    """WeasyPrint catches this, logs it and leaves the resource out."""


def base_url() -> str:
    """Relative addresses in a PDF template resolve against the service's own static files."""
    return settings.SITE_URL.rstrip("/") + settings.STATIC_URL


def static_file(url: str) -> Path | None:
    """The file behind one of the service's own static addresses, or None for anything else."""
    parts, own = urlsplit(url), urlsplit(base_url())
    if (parts.scheme.lower(), parts.netloc.lower()) != (own.scheme.lower(), own.netloc.lower()):
        return None
    path = unquote(parts.path)
    if not path.startswith(settings.STATIC_URL):
        return None
    relative = posixpath.normpath(path.removeprefix(settings.STATIC_URL))
    if relative.startswith(("/", "..")) or relative in {"", "."} or "\\" in relative or "\0" in relative:
        return None
    found = finders.find(relative)
    if found:
        return Path(found)
    root = Path(settings.STATIC_ROOT).resolve()
    candidate = (root / relative).resolve()
    return candidate if candidate.is_relative_to(root) and candidate.is_file() else None


def fetch_static(url: str) -> URLFetcherResponse:
    """What WeasyPrint may read while it renders a PDF: the service's own static files,
    read from disk, and nothing else: no other server, no local file, not even a data:
    address. Report text never becomes an address, but if it ever did, this is where
    the request would stop (server-side request forgery, local file reads)."""
    path = static_file(url)
    if path is None:
        # Quoted (%r), so an address with a line break cannot write a log line of its own.
        logger.warning("PDF renderer refused to fetch %r", url[:LOGGED_URL_LENGTH])
        raise RefusedURL("Only the service's own static files may be used in a PDF.")
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


class StaticFilesOnly(URLFetcher):
    """WeasyPrint 70 takes a URLFetcher instance; this one asks ``fetch_static``."""

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        return fetch_static(url)


def pdf_html(html: str) -> HTML:
    """Every PDF is made from HTML read here, so every one gets the same fetcher."""
    return HTML(string=html, base_url=base_url(), url_fetcher=StaticFilesOnly())


def header_scopes(document: Document, pdf: object) -> None:
    """WeasyPrint 70 tags each <th> as a /TH but leaves out its scope (it links data cells
    to their headers instead), so a checker cannot tell a row's header from a column's.
    Give every /TH the scope its <th> has. A WeasyPrint finisher: it runs once the tags
    are made, before the PDF is written."""

    def boxes(box: Box) -> Iterator[Box]:
        yield box
        for child in getattr(box, "children", ()):
            yield from boxes(child)

    for page in document.pages:
        for box in boxes(page._page_box):
            mark = getattr(box, "mark", None)
            if mark is not None and box.element_tag == "th":
                scope = box.element.get("scope", "col")
                mark["A"]["Scope"] = "/Row" if scope in ("row", "rowgroup") else "/Column"


def write_tagged(html: HTML) -> bytes:
    """PDF/UA: a tagged PDF that screen readers can follow."""
    return html.write_pdf(pdf_variant="pdf/ua-1", finisher=header_scopes)


def render_pdf(template: str, document: ReportDocument) -> bytes:
    return write_tagged(pdf_html(render_to_string(template, {"document": document})))


def pdf_page_count(document: ReportDocument) -> int:
    """The report PDF's pages, as laid out for ``pdf``: counted, not estimated."""
    return len(pdf_html(render_to_string("reports/pdf/report.html", {"document": document})).render().pages)


def pdf(document: ReportDocument) -> bytes:
    return render_pdf("reports/pdf/report.html", document)


def summary_pdf(document: ReportDocument) -> bytes:
    return render_pdf("reports/pdf/summary.html", document)


def docx(document: ReportDocument) -> bytes:
    """The report as a Word document a business unit can edit: what the PDF says, in its order."""
    return word.docx(document)


def summary_docx(document: ReportDocument) -> bytes:
    return word.summary_docx(document)


def learning_html(summary: LearningSummary) -> str:
    return render_to_string(
        "reports/pdf/learning.html",
        {"summary": summary, "board_name": settings.BOARD_NAME, "small_number_rule": LEARNING_SMALL_NUMBER_RULE},
    )


def learning_pdf(summary: LearningSummary) -> bytes:
    """A round's learning summary, for the public: a tagged PDF, no protective marking."""
    return write_tagged(pdf_html(learning_html(summary)))


def learning_page_count(summary: LearningSummary) -> int:
    return len(pdf_html(learning_html(summary)).render().pages)


def xlsx(document: ReportDocument) -> bytes:
    workbook = Workbook()
    plan_sheet = workbook.active
    plan_sheet.title = "Action plan"
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")

    def add(sheet, *values: object, font: Font | None = None) -> None:
        sheet.append([safe_cell(value) for value in values])
        for cell in sheet[sheet.max_row]:
            cell.alignment = wrap
            if font:
                cell.font = font

    plan = document.report.cycle.plan
    add(plan_sheet, plan.title, font=Font(bold=True, size=14))
    add(plan_sheet, "Professional leads", plan.professional_leads)
    add(plan_sheet, "Director lead", plan.director_lead)
    add(plan_sheet, "Timescales", plan.review_frequency)
    references = [plan.other_references, *(audit_round.title for audit_round in plan.audit_rounds.all())]
    add(plan_sheet, "Reference", "; ".join(reference for reference in references if reference))
    cycle = document.cycle
    add(plan_sheet, "Update", cycle.title if cycle else "")
    add(plan_sheet, "Update completed", cycle.completed_on.isoformat() if cycle and cycle.completed_on else "Not yet")
    for group in document.plan.plan_sections:
        add(plan_sheet)
        add(plan_sheet, f"{group.section.number} {group.section.title}", font=bold)
        # The same columns as the report's plan table, and the lead.
        columns = plan_sheet_columns(group.section, document.plan.scale)
        add(plan_sheet, *(column.heading for column in columns), font=bold)
        for values in records(group.rows, columns):
            add(plan_sheet, *values)
    add(plan_sheet)
    add(plan_sheet, "Closed this period", font=bold)
    add(plan_sheet, "No.", "Recommendation", "Statement of impact", font=bold)
    for row in document.plan.closed_this_period:
        add(plan_sheet, row.recommendation.number, row.recommendation.text, row.recommendation.impact_statement)
    for column, width in zip("ABCDEF", (8, 60, 70, 14, 40, 24), strict=True):
        plan_sheet.column_dimensions[column].width = width

    # The key to the plan's scale, in the words the ratings were given in.
    scale = document.plan.scale
    key_sheet = workbook.create_sheet("Key")
    add(key_sheet, f"Key to the {scale.words.name}", font=bold)
    add(key_sheet, scale.words.short_name, "What it means", font=bold)
    for status in scale.statuses:
        add(key_sheet, status.label, status.description)
        swatch = key_sheet.cell(row=key_sheet.max_row, column=1)
        swatch.fill = PatternFill("solid", fgColor=status.colour.lstrip("#"))
        swatch.font = Font(bold=True, color=status.text_colour.lstrip("#"))
    add(key_sheet, scale.not_rated, f"No {scale.words.short_name} set in this update.")
    key_sheet.column_dimensions["A"].width = 24
    key_sheet.column_dimensions["B"].width = 80

    figures_sheet = workbook.create_sheet("Figures")
    add(figures_sheet, "Figure", "Value", font=bold)
    for name, value in flatten(document.figures()):
        add(figures_sheet, name, value)
    figures_sheet.column_dimensions["A"].width = 70
    figures_sheet.column_dimensions["B"].width = 40

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def flatten(data: object, prefix: str = "") -> list[tuple[str, object]]:
    """Nested figures as (name, value) rows: "rounds 1 cases", 8."""
    if isinstance(data, dict):
        rows = []
        for key, value in data.items():
            rows += flatten(value, f"{prefix} {key}".strip())
        return rows
    if isinstance(data, list):
        if all(isinstance(item, str | int | float) for item in data):
            return [(prefix, ", ".join(str(item) for item in data))]
        rows = []
        for index, item in enumerate(data, start=1):
            rows += flatten(item, f"{prefix} {index}")
        return rows
    if isinstance(data, float):
        return [(prefix, round(data, 4))]
    return [(prefix, data if data is None or isinstance(data, str | int) else json.dumps(data))]
