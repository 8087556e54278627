"""The security events list (dscb.security), one row source (dscb.lists): the page for
administrators and its CSV and XLSX downloads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property

from django.db.models import QuerySet
from django.utils import timezone

from dscb import selectors
from dscb.forms import SecurityEventFilterForm
from dscb.lists import Column, Paging, RowSource, Table
from dscb.models import SecurityEvent

FILTER_NAMES = ("kind", "person", *(f"{name}_{part}" for name in ("since", "until") for part in range(3)))


def detail_words(event: SecurityEvent) -> str:
    """``detail`` in words: "before: Audit team; after: Audit team, Executive"."""
    return "; ".join(
        f"{name.replace('_', ' ')}: {', '.join(map(str, value)) if isinstance(value, list) else value}"
        for name, value in sorted(event.detail.items())
    )


class SecurityEvents(RowSource[SecurityEvent]):
    """Every security event, newest first, filtered by kind, address and dates."""

    name = "security-events"
    caption = "Security events, newest first"
    url_name = "security_events_download"

    def __init__(self, *, filters: Mapping[str, str] | None = None) -> None:
        super().__init__(filters=filters)
        self.form = SecurityEventFilterForm(self.filters or None)

    def parse_filters(self, query: Mapping[str, str]) -> dict[str, str]:
        return {name: query[name] for name in FILTER_NAMES if query.get(name)}

    def columns(self) -> Sequence[Column[SecurityEvent]]:
        return [
            # To the second, the same on the page and in the files: a log is read for order.
            Column("When", lambda event: timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"), row_header=True),
            Column("Event", lambda event: event.get_kind_display()),
            Column("Email address", lambda event: event.email),
            Column("Done by", lambda event: event.user.email if event.user else ""),
            Column("Network address", lambda event: event.ip),
            Column("Details", detail_words),
        ]

    @cached_property
    def found(self) -> QuerySet[SecurityEvent]:
        return selectors.security_events(**self.form.chosen())

    def query(self) -> list[SecurityEvent]:
        return list(self.found.select_related("user"))

    def paging(self, number: str | None) -> Paging:
        return Paging.of(self.found, self.filters, number, one="event", many="events")

    def page_table(self, paging: Paging) -> Table:
        rows = SecurityEvent.objects.filter(pk__in=paging.ids).select_related("user").order_by("-at", "-pk")
        return self.table(list(rows))
