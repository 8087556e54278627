"""Every list is one row source (dscb.lists): its page's table, its CSV and its XLSX show
the same rows under the same filters, at a cost that does not grow with the data, with
formula-safe cells, dated file names, reads logged for case data, and the page's access."""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse
from django.utils import timezone
from openpyxl import load_workbook

from audits.models import AuditRound
from dscb.lists import FORMULA_STARTS, safe_cell
from dscb.models import Role, SecurityEvent
from recommendations.models import PlanSection, Recommendation, ReviewCycle
from tests.conftest import make_user, sign_in
from tests.factories import (
    AgencyFactory,
    AuditCaseFactory,
    AuditRoundFactory,
    CaseRecordFactory,
    EscalationFactory,
    EvidenceFactory,
    PlanSectionFactory,
    ProgressUpdateFactory,
    PublishedReportFactory,
    RecommendationFactory,
    ReviewCycleFactory,
    rag,
)

pytestmark = pytest.mark.django_db

HOSTILE = ('=HYPERLINK("https://example.org","x")', "+1", "@x")


@dataclass
class World:
    """A round of ``size`` cases and a plan of ``size`` recommendations, with hostile text."""

    round_pk: int
    recommendation_pk: int
    completed_cycle_pk: int
    open_cycle_pk: int
    section_pk: int
    plan_pk: int
    people: dict[Role, object] = field(default_factory=dict)


def build(size: int, *, more_of: World | None = None) -> World:
    """A new world, or ``more_of`` an existing one: the same people, round and plan."""
    people = more_of.people if more_of else {role: make_user(role) for role in PEOPLE}
    for n in range(size):
        AuditRoundFactory(title=f"{HOSTILE[n % 3]} round {next(ROUND_NUMBERS)}")
    audit_round = (
        AuditRound.objects.get(pk=more_of.round_pk) if more_of else AuditRound.objects.order_by("-pk")[size - 1]
    )
    for n in range(size):
        case = AuditCaseFactory(audit_round=audit_round)
        # Agencies' names are the administrators' text: they start the record's name.
        agency = AgencyFactory(short_name=f"{HOSTILE[n % 3][:8]} {next(ROUND_NUMBERS)}")
        CaseRecordFactory(case=case, agency=agency)
        EscalationFactory(
            case=case, to_agency=agency, to_role="Team manager", resolved_on=None if n % 2 else case_day()
        )
    if more_of:
        section = PlanSection.objects.get(plan__cycles=more_of.open_cycle_pk)
        completed = ReviewCycle.objects.get(pk=more_of.completed_cycle_pk)
        open_cycle = ReviewCycle.objects.get(pk=more_of.open_cycle_pk)
    else:
        # The plan's title is the Executive's text: it starts the plans list's rows.
        section = PlanSectionFactory(plan__title=f"{HOSTILE[0]} action plan")
        completed = ReviewCycleFactory(
            plan=section.plan,
            title="March update",
            due_on=datetime.date(2011, 3, 4),
            state="completed",
            completed_on=datetime.date(2011, 3, 4),
        )
        open_cycle = ReviewCycleFactory(plan=section.plan, title="September update", due_on=datetime.date(2011, 9, 30))
    first = Recommendation.objects.filter(section=section).count()
    labels = ["Green", "Amber", "Red", None]
    for n in range(size):
        recommendation = RecommendationFactory(
            section=section,
            number=f"{section.number}.{first + n + 1}",
            text=f"{HOSTILE[n % 3]} recommendation {n}",
            lead=people[Role.PROFESSIONAL_LEAD],
            target_date=datetime.date(2010, 1, 1),
        )
        for later, cycle in enumerate((completed, open_cycle)):
            label = labels[(n + later) % 4]  # each rating changes, so a column showing the other is seen
            update = ProgressUpdateFactory(
                recommendation=recommendation,
                cycle=cycle,
                rag=rag(label) if label else None,
                rating_note=HOSTILE[(n + 1) % 3],
            )
            EvidenceFactory(update=update, text=f"{HOSTILE[(n + 2) % 3]} evidence")
        PublishedReportFactory(title=f"{HOSTILE[n % 3]} report {n}", report__cycle=completed)
        # What someone typed at a failed sign-in is anyone's text.
        SecurityEvent.objects.create(kind=SecurityEvent.Kind.SIGN_IN_FAILED, email=f"{HOSTILE[n % 3]} {n}")
    if more_of:
        # A recommendation's history grows with the updates, not the recommendations.
        first_recommendation = Recommendation.objects.get(pk=more_of.recommendation_pk)
        for n in range(size // 3):
            earlier = datetime.date(2010, 3, 4) - datetime.timedelta(days=n + 1)
            cycle = ReviewCycleFactory(
                plan=section.plan, title=f"Earlier update {n}", due_on=earlier, state="completed", completed_on=earlier
            )
            ProgressUpdateFactory(recommendation=first_recommendation, cycle=cycle, rag=rag("Red"))
        return more_of
    return World(
        round_pk=audit_round.pk,
        recommendation_pk=Recommendation.objects.filter(plan=section.plan).order_by("pk").first().pk,
        completed_cycle_pk=completed.pk,
        open_cycle_pk=open_cycle.pk,
        section_pk=section.pk,
        plan_pk=section.plan_id,
        people=people,
    )


ROUND_NUMBERS = itertools.count(1)
PEOPLE = (Role.AUDIT_TEAM, Role.EXECUTIVE, Role.PROFESSIONAL_LEAD)


def case_day() -> datetime.date:
    return datetime.date(2010, 9, 25)


@dataclass(frozen=True)
class Listed:
    """A list: its page and its download, who reads it, and what the download is named."""

    page: str
    download: str
    role: Role
    name: str
    case_data: bool = False
    open_update: bool = False  # the ratings of the open update, beside last time's

    def kwargs(self, world: World) -> dict[str, object]:
        if self.open_update:
            return {"pk": world.open_cycle_pk}
        return {
            "audits:round_detail": {"pk": world.round_pk},
            "audits:round_cases": {"pk": world.round_pk},
            "audits:feedback_owed": {"pk": world.round_pk},
            "audits:escalation_list": {"pk": world.round_pk},
            "recommendations:plan": {"plan": world.plan_pk},
            "recommendations:recommendation_detail": {"pk": world.recommendation_pk},
            "recommendations:cycle_ratings": {"pk": world.completed_cycle_pk},
        }.get(self.page, {})

    def query(self, world: World) -> str:
        if self.page == "reports:rag_list":
            return f"?rag={rag('Amber').pk}&section={world.section_pk}"
        if self.page == "audits:escalation_list":
            return "?open=1"
        if self.page == "audits:round_cases":
            return "?finalised=no"
        if self.page == "audits:round_list":
            return "?kind=case_audit&year=2010"
        return ""

    def urls(self, world: World, kind: str) -> tuple[str, str]:
        kwargs = self.kwargs(world)
        page = reverse(self.page, kwargs=kwargs) + self.query(world)
        return page, reverse(self.download, kwargs={**kwargs, "kind": kind}) + self.query(world)


LISTS = [
    Listed("audits:round_list", "audits:round_list_download", Role.AUDIT_TEAM, "audit-rounds"),
    Listed("audits:round_detail", "audits:round_cases_download", Role.AUDIT_TEAM, "round-cases", case_data=True),
    Listed("audits:round_cases", "audits:round_cases_download", Role.AUDIT_TEAM, "round-cases", case_data=True),
    Listed("audits:round_detail", "audits:returns_grid_download", Role.AUDIT_TEAM, "returns", case_data=True),
    Listed(
        "audits:feedback_owed",
        "audits:feedback_owed_download",
        Role.AUDIT_TEAM,
        "feedback-still-to-give",
        case_data=True,
    ),
    Listed(
        "audits:escalation_list",
        "audits:escalation_list_download",
        Role.AUDIT_TEAM,
        "requests-for-intervention",
        case_data=True,
    ),
    Listed("recommendations:plan_list", "recommendations:plan_list_download", Role.EXECUTIVE, "action-plans"),
    Listed("recommendations:plan", "recommendations:plan_download", Role.EXECUTIVE, "action-plan"),
    Listed("recommendations:mine", "recommendations:mine_download", Role.PROFESSIONAL_LEAD, "my-recommendations"),
    Listed("recommendations:overdue", "recommendations:overdue_download", Role.EXECUTIVE, "overdue-recommendations"),
    Listed("reports:rag_list", "reports:rag_list_download", Role.EXECUTIVE, "recommendations"),
    Listed("recommendations:cycle_ratings", "recommendations:cycle_ratings_download", Role.EXECUTIVE, "ratings"),
    # Read, not rated: the list's own table, with the last completed update's column.
    Listed(
        "recommendations:cycle_ratings",
        "recommendations:cycle_ratings_download",
        Role.BOARD_MEMBER,
        "ratings",
        open_update=True,
    ),
    Listed(
        "recommendations:recommendation_detail",
        "recommendations:recommendation_history_download",
        Role.EXECUTIVE,
        "recommendation-history",
    ),
    Listed("reports:report_list", "reports:published_list_download", Role.EXECUTIVE, "published-reports"),
    Listed("security_events", "security_events_download", Role.ADMINISTRATOR, "security-events"),
]
IDS = [listed.download + (" (open update)" if listed.open_update else "") for listed in LISTS]


class _Tables(HTMLParser):
    """The text of each cell of the shared list table (data-list-table), by heading."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[list[str], list[list[str]]]] = []
        self._depth = 0
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and "data-list-table" in dict(attrs):
            self.tables.append(([], []))
            self._depth = 1
        elif tag == "table" and self._depth:
            self._depth += 1
        elif self._depth == 1 and tag == "thead":
            self._in_head = True
        elif self._depth == 1 and tag == "tbody":
            self._in_head = False
        elif self._depth == 1 and tag == "tr" and not self._in_head:
            self._row = []
            self.tables[-1][1].append(self._row)
        elif self._depth == 1 and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._depth:
            self._depth -= 1
        elif self._depth == 1 and tag in ("td", "th") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            (self.tables[-1][0] if self._in_head else self._row).append(text)
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def html_rows(content: str) -> list[dict[str, str]]:
    parser = _Tables()
    parser.feed(content)
    return [dict(zip(headings, row, strict=True)) for headings, rows in parser.tables for row in rows]


def csv_rows(content: bytes) -> list[dict[str, str]]:
    reader = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    headings = next(reader)
    return [dict(zip(headings, row, strict=True)) for row in reader]


def xlsx_rows(content: bytes) -> list[dict[str, str]]:
    sheet = load_workbook(io.BytesIO(content)).active
    values = [["" if value is None else str(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def unsafe(text: str) -> str:
    """A cell as its list wrote it, before formula safety."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def shows(cell: str, value: str) -> bool:
    """The page's cell shows the download's value: the same text, its date in words, or
    the start of a text the page truncates."""
    value = " ".join(unsafe(value).split())
    if not value or value in cell:
        return True
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        day = datetime.date.fromisoformat(value)
        return any(day.strftime(form).lstrip("0") in cell for form in ("%d %b %Y", "%d %B %Y"))
    shown = cell.split(" …")[0].split("…")[0].strip()
    return len(shown) > 10 and value.startswith(shown)


def client_for(client, world: World, role: Role):
    return sign_in(client, world.people[role] if role in world.people else make_user(role))


@pytest.mark.parametrize("listed", LISTS, ids=IDS)
def test_the_csv_and_xlsx_hold_the_rows_of_the_pages_table(client, listed):
    world = build(6)
    client_for(client, world, listed.role)
    page_url, csv_url = listed.urls(world, "csv")
    _, xlsx_url = listed.urls(world, "xlsx")
    page = html_rows(client.get(page_url).content.decode())
    from_csv = csv_rows(client.get(csv_url).content)
    from_xlsx = xlsx_rows(client.get(xlsx_url).content)
    assert from_csv, "the sample data should fill the list"
    assert from_csv == from_xlsx
    if listed.page == "audits:round_detail":  # the round's page shows several lists: this one's rows
        page = [row for row in page if from_csv and set(row) == set(from_csv[0])]
    assert len(page) == len(from_csv)
    compared = 0
    for shown, written in zip(page, from_csv, strict=True):
        for heading, value in written.items():
            if heading in shown:
                compared += 1
                assert shows(shown[heading], value), f"{heading}: page {shown[heading]!r}, download {value!r}"
    assert compared >= len(from_csv) * 2


def test_the_rag_lists_filters_narrow_the_download_as_they_narrow_the_page(client):
    world = build(8)
    client_for(client, world, Role.EXECUTIVE)
    listed = next(listed for listed in LISTS if listed.page == "reports:rag_list")
    _, csv_url = listed.urls(world, "csv")
    rows = csv_rows(client.get(csv_url).content)
    assert {row["RAG"] for row in rows} == {"Amber"}
    assert 0 < len(rows) < 8


# Queries per download, whatever the number of rows: session and user, the scale's words and
# statuses where the list names them, then the list's own; a list of case data adds its
# read and its security event.
DOWNLOAD_QUERIES = {
    "audits:round_list_download": 3,
    "audits:round_cases_download": 6,
    # the round with its agencies; cases with their expected agencies; records with their grades,
    # answers and feedback; themes, grades, questions
    "audits:returns_grid_download": 15,
    "audits:feedback_owed_download": 7,
    "audits:escalation_list_download": 6,
    "recommendations:plan_list_download": 5,
    "recommendations:plan_download": 11,
    "recommendations:mine_download": 10,
    # and the statuses that count as done, for narrowing to the overdue in the database
    "recommendations:overdue_download": 11,
    "reports:rag_list_download": 13,
    "recommendations:cycle_ratings_download": 12,
    "recommendations:recommendation_history_download": 8,
    # The publications with who published them, what replaced them, their reports and
    # updates; the updates' re-openings.
    "reports:published_list_download": 4,
    # The events with who did them.
    "security_events_download": 3,
}


@pytest.mark.parametrize("size", [3, 12])
@pytest.mark.parametrize("listed", LISTS, ids=IDS)
def test_a_download_costs_the_same_queries_at_any_size(client, django_assert_num_queries, listed, size):
    world = build(size)
    client_for(client, world, listed.role)
    _, url = listed.urls(world, "xlsx")
    with django_assert_num_queries(DOWNLOAD_QUERIES[listed.download]):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("listed", LISTS, ids=IDS)
def test_a_page_and_its_download_cost_the_same_at_two_sizes(client, listed):
    world = build(3)
    client_for(client, world, listed.role)
    counts, rows = [], []
    for more in (9, 0):
        for url in listed.urls(world, "csv"):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            assert response.status_code == 200
            counts.append(len(captured))
        rows.append(len(csv_rows(response.content)))
        build(more, more_of=world)
        if listed.download == "recommendations:plan_list_download":  # its rows are plans
            PlanSectionFactory.create_batch(more)
    assert counts[:2] == counts[2:]
    assert rows[1] > rows[0]


@pytest.mark.parametrize("listed", LISTS, ids=IDS)
def test_no_downloaded_cell_can_be_read_as_a_formula(client, listed):
    world = build(6)
    client_for(client, world, listed.role)
    cells = []
    for kind, read in (("csv", csv_rows), ("xlsx", xlsx_rows)):
        for row in read(client.get(listed.urls(world, kind)[1]).content):
            cells += row.values()
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    # references, counts, grades and statuses only
    if listed.download not in ("audits:round_cases_download", "audits:returns_grid_download"):
        assert any(cell.startswith(("'=", "'+", "'@")) for cell in cells), "the hostile text should reach the list"


def test_safe_cell_keeps_hostile_text_as_text():
    assert [safe_cell(text) for text in HOSTILE] == ["'" + text for text in HOSTILE]
    assert safe_cell("A plan") == "A plan"
    assert safe_cell(3) == 3


@pytest.mark.parametrize("listed", LISTS, ids=IDS)
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_download_is_named_for_its_list_and_today(client, listed, kind):
    world = build(2)
    client_for(client, world, listed.role)
    response = client.get(listed.urls(world, kind)[1])
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="{listed.name}-{today}.{kind}"'


@pytest.mark.parametrize("listed", LISTS, ids=IDS)
def test_a_download_holding_case_data_is_logged_as_a_read(client, listed):
    world = build(2)
    client_for(client, world, listed.role)
    before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()
    assert client.get(listed.urls(world, "csv")[1]).status_code == 200
    reads = LogEntry.objects.filter(action=LogEntry.Action.ACCESS)
    assert reads.count() - before == (1 if listed.case_data else 0)
    if listed.case_data:
        read = reads.latest("pk")
        assert (read.content_type.model, read.object_pk) == ("auditround", str(world.round_pk))


def listed(download: str) -> Listed:
    return next(each for each in LISTS if each.download == download)


@pytest.mark.parametrize(
    ("listed", "role", "status"),
    [
        (listed("audits:round_cases_download"), Role.BOARD_MEMBER, 404),
        (listed("audits:round_cases_download"), Role.AGENCY_AUDITOR, 404),  # not one of the round's auditors
        (listed("audits:feedback_owed_download"), Role.EXECUTIVE, 404),
        (listed("audits:round_list_download"), Role.EXECUTIVE, 403),
        (listed("recommendations:plan_list_download"), Role.AGENCY_AUDITOR, 403),
        (listed("recommendations:plan_download"), Role.AGENCY_AUDITOR, 403),
        (listed("recommendations:mine_download"), Role.EXECUTIVE, 403),
        (listed("reports:rag_list_download"), Role.PROFESSIONAL_LEAD, 403),
        (listed("reports:published_list_download"), Role.PROFESSIONAL_LEAD, 403),
    ],
    ids=lambda value: getattr(value, "download", str(value)),
)
def test_a_download_refuses_whoever_the_page_refuses(client, listed, role, status):
    world = build(2)
    sign_in(client, make_user(role))
    page, download = listed.urls(world, "csv")
    assert client.get(page).status_code == status
    assert client.get(download).status_code == status


def test_an_unknown_format_is_not_a_download(client):
    world = build(1)
    client_for(client, world, Role.AUDIT_TEAM)
    assert client.get(reverse("audits:round_list") + "rounds.pdf").status_code == 404


def test_every_list_download_is_checked_here():
    """A new list's download joins LISTS, or this fails."""
    downloads = {
        f"{namespace}:{pattern.name}"
        for namespace, (_prefix, resolver) in get_resolver().namespace_dict.items()
        for pattern in resolver.url_patterns
        if "<listkind:" in str(pattern.pattern)
    }
    # The security events' download is the board's own, outside any app's namespace.
    assert downloads | {"security_events_download"} == {listed.download for listed in LISTS}
