"""The case audit lists, each one row source (dscb.lists): the page's table and its CSV
and XLSX downloads."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property, partial
from operator import attrgetter
from typing import TYPE_CHECKING, Any, ClassVar

from django.db.models import QuerySet
from django.utils import timezone

from audits import cells as audit_cells
from audits import selectors
from audits.access import visible_rounds
from audits.models import AuditCase, AuditRound, CaseRecord, Escalation
from audits.selectors import CaseReturns, FeedbackOwed, RoundProgress
from dscb import access, cells
from dscb.access import Action
from dscb.lists import Column, Paging, R, RowSource, Table
from dscb.models import User

if TYPE_CHECKING:
    from audits.selectors import CountedCase, CountedRound


def an_id(value: str) -> bool:
    return value.isdigit() and len(value) < 10


def chosen(query: Mapping[str, str], checks: Mapping[str, Callable[[str], bool]]) -> dict[str, str]:
    """The filters ``checks`` names that ``query`` sets to a value they accept; anything
    else (a bad id, a choice there is no longer) is left out rather than refused."""
    found = {}
    for name, accepts in checks.items():
        value = str(query.get(name, "")).strip()
        if value and accepts(value):
            found[name] = value
    return found


def filter_form(filters: Mapping[str, str], fields: list[dict[str, object]]) -> dict[str, object]:
    """What ``audits/partials/filters.html`` shows: each field (``name``, ``label``,
    ``any``, ``choices`` as (value, words) pairs) with its value now, and whether any is set."""
    return {
        "fields": [{**field, "value": filters.get(str(field["name"]), "")} for field in fields if field["choices"]],
        "chosen": bool(filters),
    }


class RoundList(RowSource["CountedRound"]):
    name = "audit-rounds"
    url_name = "audits:round_list_download"

    def __init__(self, *, user: User, filters: Mapping[str, str] | None = None) -> None:
        super().__init__(filters=filters)
        self.user = user
        self.caption = "Audit rounds" if access.can(user, Action.MANAGE_AUDITS) else "Audit rounds you are assigned to"

    def parse_filters(self, query: Mapping[str, str]) -> dict[str, str]:
        return chosen(
            query,
            {
                "year": lambda value: value.isdigit() and len(value) == 4,
                "kind": lambda value: value in AuditRound.Kind.values,
                "state": lambda value: value in AuditRound.State.values,
            },
        )

    def filter_choices(self) -> dict[str, object]:
        """The filter form (one query: the years there are rounds in)."""
        years = [(str(year), str(year)) for year in selectors.round_years(self.user)]
        return filter_form(
            self.filters,
            [
                {"name": "year", "label": "Year", "any": "Any year", "choices": years},
                {"name": "kind", "label": "Kind", "any": "Any kind", "choices": AuditRound.Kind.choices},
                {"name": "state", "label": "State", "any": "Any state", "choices": AuditRound.State.choices},
            ],
        )

    def columns(self) -> Sequence[Column[CountedRound]]:
        return [
            Column("Round", lambda r: r.title, html=cells.link("audits:round_detail")),
            Column("Date", lambda r: r.held_on, html=cells.day),
            Column("Kind", lambda r: r.get_kind_display()),
            Column("State", lambda r: r.get_state_display()),
            Column("Cases finalised", lambda r: r.finalised_count, numeric=True),
            Column("Cases", lambda r: r.case_count, numeric=True),
        ]

    def query(self) -> list[CountedRound]:
        return list(selectors.round_list(self.user, self.filters))


class InRound(RowSource[R]):
    """One of a round's lists: case data, so a download of it is a read of the round."""

    def __init__(self, *, user: User, audit_round: AuditRound, filters: Mapping[str, str] | None = None) -> None:
        super().__init__(filters=filters)
        self.user = user
        self.audit_round = self.read_of = audit_round

    def url_kwargs(self) -> dict[str, object]:
        return {"pk": self.audit_round.pk}

    @cached_property
    def can_manage(self) -> bool:
        return access.can(self.user, Action.MANAGE_AUDITS)

    # What a page of the list counts, where its own page shows it a page at a time.
    one: ClassVar[str] = ""
    many: ClassVar[str] = ""

    def found(self) -> QuerySet[Any] | None:
        """The list's rows in the database, when its page shows them a page at a time."""
        return None

    def rows_of(self, ids: list[int]) -> list[R]:
        """The rows of a page (``found``'s ``ids``)."""
        raise NotImplementedError

    def paging(self, number: str | None) -> Paging | None:
        found = self.found()
        return None if found is None else Paging.of(found, self.filters, number, one=self.one, many=self.many)

    def page_table(self, paging: Paging | None) -> Table:
        return self.table() if paging is None else self.table(self.rows_of(paging.ids))


class RoundCases(InRound["CountedCase"]):
    name = "round-cases"
    heading = "Cases"
    caption = "Cases in this round and their progress"
    url_name = "audits:round_cases_download"

    def parse_filters(self, query: Mapping[str, str]) -> dict[str, str]:
        return chosen(
            query,
            {
                "grade": an_id,
                "below": an_id,
                "finalised": lambda value: value in ("yes", "no"),
                "agency": an_id,
            },
        )

    def filter_choices(self) -> dict[str, object]:
        """The filter form (four queries: the grades and their words, the themes and the
        round's agencies; an Appreciative Inquiry round's cases carry no grades)."""
        grades: list[tuple[str, str]] = []
        themes: list[tuple[str, str]] = []
        below = ""
        if not self.audit_round.is_appreciative_inquiry:
            active_themes, active_grades, _questions = selectors.active_scales()
            grades = [(str(grade.pk), grade.label) for grade in active_grades]
            themes = [(str(theme.pk), theme.name) for theme in active_themes]
            below = selectors.grade_scale().threshold_phrase
        agencies = [(str(agency.pk), agency.name) for agency in self.audit_round.agencies.all()]
        return filter_form(
            self.filters,
            [
                {"name": "grade", "label": "Overall grade", "any": "Any grade", "choices": grades},
                {"name": "below", "label": f"A theme not graded {below}", "any": "Any theme", "choices": themes},
                {
                    "name": "finalised",
                    "label": "State",
                    "any": "Any state",
                    "choices": [("yes", "Finalised"), ("no", "Draft")],
                },
                {"name": "agency", "label": "Records read from", "any": "Any agency", "choices": agencies},
            ],
        )

    def columns(self) -> Sequence[Column[CountedCase]]:
        columns: list[Column[CountedCase]] = [
            Column("Board reference", lambda c: c.reference, html=cells.link("audits:case_detail")),
            Column("Agency records", lambda c: c.record_count, numeric=True),
        ]
        if not self.audit_round.is_appreciative_inquiry:
            columns.append(
                Column(
                    "Overall grade",
                    lambda c: c.overall_grade.label if c.overall_grade else "Not graded",
                    html=lambda c, value: audit_cells.grade_tag(c.overall_grade),
                )
            )
        return [
            *columns,
            Column("State", lambda c: "Finalised" if c.is_finalised else "Draft", html=audit_cells.case_state),
            Column("Open requests for intervention", lambda c: c.open_escalation_count, numeric=True),
        ]

    one, many = "case", "cases"

    def found(self) -> QuerySet[CountedCase]:
        return selectors.round_cases(self.audit_round, self.filters)

    def rows_of(self, ids: list[int]) -> list[CountedCase]:
        return list(self.found().filter(pk__in=ids))

    def query(self) -> list[CountedCase]:
        return list(self.found())


class ReturnsGrid(InRound[CaseReturns]):
    """Each case by agency taking part: where each agency's return stands."""

    name = "returns"
    heading = "Agencies' returns"
    caption = "Agencies' returns for each case"
    url_name = "audits:returns_grid_download"

    @cached_property
    def progress(self) -> RoundProgress:
        return selectors.round_progress(self.audit_round, today=timezone.localdate())

    def columns(self) -> Sequence[Column[CaseReturns]]:
        return [
            Column(
                "Board reference",
                lambda row: row.case.reference,
                html=cells.link("audits:case_detail", lambda row: row.case.pk),
                row_header=True,
            ),
            *(
                Column(
                    agency.short_name,
                    partial(lambda row, pk: row.statuses[pk].label, pk=agency.pk),
                    html=audit_cells.return_status,
                )
                for agency in self.progress.agencies
            ),
        ]

    def query(self) -> list[CaseReturns]:
        return self.progress.grid


class FeedbackStillToGive(InRound[FeedbackOwed]):
    name = "feedback-still-to-give"
    heading = "Feedback still to give"
    caption = "Agency records whose findings have not been fed back to everyone"
    url_name = "audits:feedback_owed_download"

    def columns(self) -> Sequence[Column[FeedbackOwed]]:
        return [
            Column("Case", lambda owed: owed.record.case.reference),
            Column(
                "Agency record",
                lambda owed: str(owed.record),
                html=audit_cells.feedback_record(can_manage=self.can_manage),
            ),
            Column("Still to give feedback to", lambda owed: ", ".join(owed.recipients)),
        ]

    one, many = "agency record", "agency records"

    def found(self) -> QuerySet[CaseRecord]:
        if self.audit_round.is_appreciative_inquiry:
            return CaseRecord.objects.none()
        return selectors.records_owing_feedback(rounds=AuditRound.objects.filter(pk=self.audit_round.pk))

    def rows_of(self, ids: list[int]) -> list[FeedbackOwed]:
        return selectors.owed_on(self.found().filter(pk__in=ids))

    def query(self) -> list[FeedbackOwed]:
        return selectors.owed_on(self.found())


def escalation_status(escalation: Escalation, today: datetime.date) -> str:
    if escalation.withdrawn_on is not None:
        return "Withdrawn"
    if not escalation.is_open:
        return "Resolved"
    if escalation.is_overdue(today):
        return "Overdue"
    return "Acknowledged" if escalation.acknowledged_on else "Open"


class Escalations(RowSource[Escalation]):
    """Requests for immediate intervention, one row definition wherever they are listed;
    each subclass says whose: a round's, a case's, or the open ones a person can see."""

    name = "requests-for-intervention"
    heading = "Requests for immediate intervention"
    caption = "Requests for immediate intervention"
    user: User
    show_case = True
    ordering: ClassVar[tuple[str, ...]] = ("due_by", "pk")  # most urgent first

    @cached_property
    def today(self) -> datetime.date:
        return timezone.localdate()

    @cached_property
    def can_manage(self) -> bool:
        return access.can(self.user, Action.MANAGE_AUDITS)

    def columns(self) -> Sequence[Column[Escalation]]:
        case: list[Column[Escalation]] = [
            Column("Case", lambda e: e.case.reference, html=cells.link("audits:case_detail", attrgetter("case_id")))
        ]
        return [
            *(case if self.show_case else []),
            Column("To", lambda e: f"{e.to_agency.short_name}, {e.to_role}"),
            Column("Raised", lambda e: e.raised_on, html=cells.day),
            Column("Due by", lambda e: e.due_by, html=cells.day),
            Column(
                "Status",
                lambda e: escalation_status(e, self.today),
                html=audit_cells.escalation_status(can_manage=self.can_manage),
            ),
        ]

    def escalations(self) -> QuerySet[Escalation]:
        raise NotImplementedError

    def query(self) -> list[Escalation]:
        return list(self.escalations().select_related("case", "to_agency").order_by(*self.ordering))


class RoundEscalations(InRound[Escalation], Escalations):
    """The round's requests; ``?open=1`` keeps the open ones."""

    url_name = "audits:escalation_list_download"

    def parse_filters(self, query: Mapping[str, str]) -> dict[str, str]:
        return {"open": "1"} if query.get("open") == "1" else {}

    def escalations(self) -> QuerySet[Escalation]:
        escalations = Escalation.objects.filter(case__audit_round=self.audit_round)
        return escalations.open() if self.filters.get("open") else escalations


def outcome(escalation: Escalation) -> str:
    withdrawn = f"Withdrawn: {escalation.withdrawal_reason}" if escalation.withdrawal_reason else ""
    return " ".join(part for part in (escalation.outcome, withdrawn) if part)


class CaseEscalations(Escalations):
    """Every request raised on a case, open or resolved, newest first, with why it was
    made and what came of it."""

    show_case = False
    ordering = ("-raised_on", "-pk")

    def columns(self) -> Sequence[Column[Escalation]]:
        return [
            *super().columns(),
            Column("Reason", lambda e: e.reason),
            Column("Outcome", outcome),
        ]

    def __init__(self, *, user: User, case: AuditCase) -> None:
        super().__init__()
        self.user = user
        self.case = case

    def escalations(self) -> QuerySet[Escalation]:
        return Escalation.objects.filter(case=self.case)


class OpenEscalations(Escalations):
    """The open requests in every round a person can see (their home page panel)."""

    def __init__(self, *, user: User) -> None:
        super().__init__()
        self.user = user

    @cached_property
    def can_manage(self) -> bool:
        return False  # a summary: a request is updated from its case or its round

    def escalations(self) -> QuerySet[Escalation]:
        return Escalation.objects.open().filter(case__audit_round__in=visible_rounds(self.user))

    @property
    def overdue_count(self) -> int:
        return sum(1 for escalation in self.rows if escalation.is_overdue(self.today))
