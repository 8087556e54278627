"""The people list for administrators, one row source (dscb.lists)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from functools import cached_property

from django.db.models import QuerySet
from django.utils.safestring import SafeString

from dscb import cells, selectors
from dscb.lists import Column, Paging, RowSource, Table
from dscb.models import User
from dscb.people_forms import PeopleFilterForm

FILTER_NAMES = ("role", "agency", "active")


def last_signed_in(person: User, value: datetime.datetime | None) -> SafeString:
    return cells.day(person, value) if value else SafeString("Never")


def two_step_words(person: User) -> str:
    return "Set up" if getattr(person, "has_two_step", False) else "Not set up"


class People(RowSource[User]):
    """Everyone with an account, by name, filtered by role, agency and whether active."""

    name = "people"
    caption = "People, by name"
    url_name = ""  # a page only: no download

    def __init__(self, *, filters: Mapping[str, str] | None = None) -> None:
        super().__init__(filters=filters)
        self.form = PeopleFilterForm(self.filters or None)

    def parse_filters(self, query: Mapping[str, str]) -> dict[str, str]:
        return {name: query[name] for name in FILTER_NAMES if query.get(name)}

    def columns(self) -> Sequence[Column[User]]:
        return [
            Column("Name", lambda person: person.get_full_name(), html=cells.link("person_detail"), row_header=True),
            Column("Email address", lambda person: person.email),
            Column("Agency", lambda person: person.agency.short_name if person.agency else ""),
            Column("Roles", lambda person: ", ".join(person.role_labels) or "None"),
            Column("Two-step verification", two_step_words),
            Column(
                "Account",
                lambda person: "Active" if person.is_active else "Deactivated",
                html=lambda person, value: cells.tag(value, "green" if person.is_active else "grey"),
            ),
            Column("Last signed in", lambda person: person.last_login, html=last_signed_in),
        ]

    @cached_property
    def found(self) -> QuerySet[User]:
        return selectors.people(**self.form.chosen())

    def query(self) -> list[User]:
        return list(selectors.with_two_step(self.found))

    def paging(self, number: str | None) -> Paging:
        return Paging.of(self.found, self.filters, number, one="person", many="people")

    def page_table(self, paging: Paging) -> Table:
        rows = selectors.with_two_step(User.objects.filter(pk__in=paging.ids)).order_by("full_name", "email", "pk")
        return self.table(list(rows))
