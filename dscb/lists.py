"""Every list is one row source (pretix's exporters): its columns, its query and its
filters, declared once. The HTML table (templates/partials/list_table.html), the CSV
and the XLSX download all iterate the same rows, so they cannot disagree.

A list declares each column's heading, the plain value a download writes, and
optionally how the page shows the cell (a link, a tag): a function that writes its HTML
(dscb.cells and each app's ``cells.py``; a template included once a cell was most of a
long page's time). Each app keeps its lists in
its own ``lists.py``; its views render ``source.table()`` and answer downloads with
``download(request, source, kind)``, after the same access checks as the page.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar, Generic, TypeVar
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import register_converter, reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in the stubs
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from dscb import security
from dscb.readlog import record_read

R = TypeVar("R")

# ASVS 1.2.10: a cell whose text starts with one of these could be read as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def safe_cell(value: object) -> object:
    """Text that could be read as a formula is kept as text, with a leading apostrophe.
    Every spreadsheet the service writes (lists and the report's workbook) goes through it."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def plain(value: object) -> str | int | float:
    """What a download writes for a value: text or a number, never an object."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


class DownloadKind:
    """The path converter for a list download's format: ``rounds.csv``, ``rounds.xlsx``."""

    regex = "csv|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(DownloadKind, "listkind")


@dataclass(frozen=True)
class Column(Generic[R]):
    heading: str
    value: Callable[[R], object]
    # How the page shows the cell (a link, a tag): a function of the row and the value
    # that escapes what it writes (format_html; dscb.cells); without it, the plain value.
    html: Callable[[R, Any], SafeString] | None = None
    numeric: bool = False
    row_header: bool = False
    header_class: str = ""  # a width in the PDF, say

    @cached_property
    def opening(self) -> SafeString:
        """The cell's opening tag: worked out once a column, not once a cell."""
        if self.row_header:
            return SafeString('<th scope="row" class="govuk-table__header">')
        numeric = " govuk-table__cell--numeric" if self.numeric else ""
        return format_html('<td class="govuk-table__cell{}">', numeric)

    @cached_property
    def closing(self) -> SafeString:
        return SafeString("</th>") if self.row_header else SafeString("</td>")

    def cell(self, row: R) -> SafeString:
        """The row's cell, tags and all: written in Python, as the Django admin writes its
        changelist's, since a template a cell was most of a long list's time."""
        value = self.value(row)
        if self.html is not None:
            inner = self.html(row, value)
        else:
            # As a template prints a value: local time, localised, escaped.
            inner = conditional_escape("" if value is None else localize(template_localtime(value)))
        return self.opening + inner + self.closing  # safe, each part: so is the whole


@dataclass(frozen=True)
class Table:
    """What the shared table partial renders: the columns' headings and each row's cells."""

    caption: str
    columns: Sequence[Column[Any]]
    rows: list[SafeString]
    caption_class: str = "govuk-visually-hidden"
    css_class: str = ""


def build_table(
    rows: Sequence[R],
    columns: Sequence[Column[R]],
    *,
    caption: str,
    caption_class: str = "govuk-visually-hidden",
    css_class: str = "",
) -> Table:
    return Table(
        caption=caption,
        columns=columns,
        rows=[format_html_join("", "{}", ((column.cell(row),) for column in columns)) for row in rows],
        caption_class=caption_class,
        css_class=css_class,
    )


# An id no URL holds by chance, to find where the id goes in a reversed URL.
ID_MARK = 987654321


def id_url(name: str) -> Callable[[int], str]:
    """``reverse(name, args=[pk])`` for any ``pk``, reversed once: a long list links every
    row. Only for a URL whose one argument is an ``<int:...>``, written as its digits."""
    before, after = reverse(name, args=[ID_MARK]).rsplit(str(ID_MARK), 1)
    return lambda pk: f"{before}{int(pk)}{after}"


def records(rows: Sequence[R], columns: Sequence[Column[R]]) -> list[list[str | int | float]]:
    """Rows as a download writes them (before formula safety)."""
    return [[plain(column.value(row)) for column in columns] for row in rows]


class RowSource(Generic[R]):
    """One list. Subclasses set ``name`` (the download's file name), ``caption``,
    ``url_name`` (of the download) and implement ``columns`` and ``query``; ``query``
    runs a fixed number of queries whatever the number of rows."""

    name: ClassVar[str]
    caption: str = ""
    url_name: ClassVar[str]
    # The object a download of this list is a read of, when it holds case data.
    read_of: models.Model | None = None

    def __init__(self, *, filters: Mapping[str, str] | None = None) -> None:
        self.filters = self.parse_filters(filters or {})

    def parse_filters(self, query: Mapping[str, str]) -> dict[str, str]:
        """The filters this list understands, from the page's query string."""
        return {}

    def columns(self) -> Sequence[Column[R]]:
        raise NotImplementedError

    def query(self) -> list[R]:
        raise NotImplementedError

    def url_kwargs(self) -> dict[str, object]:
        return {}

    @cached_property
    def rows(self) -> list[R]:
        return self.query()

    def table(
        self,
        rows: Sequence[R] | None = None,
        *,
        columns: Sequence[Column[R]] | None = None,
        caption: str | None = None,
        caption_class: str = "govuk-visually-hidden",
    ) -> Table:
        return build_table(
            self.rows if rows is None else rows,
            self.columns() if columns is None else columns,
            caption=self.caption if caption is None else caption,
            caption_class=caption_class,
        )

    def headings(self) -> list[str]:
        return [column.heading for column in self.columns()]

    def records(self) -> list[list[str | int | float]]:
        return records(self.rows, self.columns())

    def download_url(self, kind: str) -> str:
        url = reverse(self.url_name, kwargs={**self.url_kwargs(), "kind": kind})
        return f"{url}?{urlencode(self.filters)}" if self.filters else url

    @property
    def downloads(self) -> list[tuple[str, str]]:
        return [("CSV", self.download_url("csv")), ("XLSX", self.download_url("xlsx"))]

    def file_name(self, kind: str, today: datetime.date) -> str:
        return f"{self.name}-{today.isoformat()}.{kind}"


PER_PAGE = 100


@dataclass(frozen=True)
class PageLink:
    label: str
    url: str = ""  # none for the gap between page numbers
    current: bool = False


@dataclass(frozen=True)
class Paging:
    """A long list a page at a time (``?page=``, with the list's filters kept in every
    link): the page's ids are read first, so a page builds only its own rows."""

    page: Page
    filters: Mapping[str, str]
    one: str = "item"
    many: str = "items"

    @classmethod
    def of(
        cls, queryset: models.QuerySet[Any], filters: Mapping[str, str], number: str | None, *, one: str, many: str
    ) -> Paging:
        """The page asked for, the nearest one if there is no such page (two queries)."""
        return cls(Paginator(queryset.values_list("pk", flat=True), PER_PAGE).get_page(number), filters, one, many)

    @property
    def ids(self) -> list[int]:
        return list(self.page.object_list)

    def url(self, number: int) -> str:
        return "?" + urlencode({**self.filters, "page": number})

    @property
    def links(self) -> list[PageLink]:
        if self.page.paginator.num_pages < 2:
            return []
        return [
            PageLink(str(number), self.url(number), number == self.page.number)
            if isinstance(number, int)
            else PageLink(str(number))
            for number in self.page.paginator.get_elided_page_range(self.page.number, on_each_side=1, on_ends=1)
        ]

    @property
    def previous_url(self) -> str:
        return self.url(self.page.previous_page_number()) if self.page.has_previous() else ""

    @property
    def next_url(self) -> str:
        return self.url(self.page.next_page_number()) if self.page.has_next() else ""

    @property
    def words(self) -> str:
        """ "Showing 101 to 200 of 1,600 recommendations" (or "Showing all 12 ...")."""
        count = self.page.paginator.count
        if count == 1:
            return f"Showing 1 {self.one}"
        if self.page.paginator.num_pages < 2:
            return f"Showing all {count:,} {self.many}"
        return f"Showing {self.page.start_index():,} to {self.page.end_index():,} of {count:,} {self.many}"


def csv_bytes(source: RowSource[Any]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(heading) for heading in source.headings()])
    writer.writerows([safe_cell(value) for value in record] for record in source.records())
    # A byte-order mark, so a spreadsheet opens the file as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(source: RowSource[Any]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = source.name[:31]
    sheet.append([safe_cell(heading) for heading in source.headings()])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for record in source.records():
        sheet.append([safe_cell(value) for value in record])
        for cell in sheet[sheet.max_row]:
            cell.alignment = wrap
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


RENDERERS: dict[str, Callable[[RowSource[Any]], bytes]] = {"csv": csv_bytes, "xlsx": xlsx_bytes}


def download(request: HttpRequest, source: RowSource[Any], kind: str) -> HttpResponse:
    """The list as a file. The view has already made the page's access checks."""
    if kind not in RENDERERS:
        raise Http404
    if source.read_of is not None:
        security.require_recent_authentication(request)
        record_read(request, source.read_of)
        # A list of what is in children's cases leaving the service: a security event too.
        read_of = source.read_of
        security.record(
            security.Kind.CASE_DATA_DOWNLOAD,
            request=request,
            user=request.user,
            list=source.name,
            format=kind,
            of=f"{read_of._meta.verbose_name} {read_of.pk}",
            rows=len(source.rows),
        )
    response = HttpResponse(RENDERERS[kind](source), content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{source.file_name(kind, timezone.localdate())}"'
    return response
