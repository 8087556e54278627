"""An action plan from a spreadsheet: the board's own plan, in the template's columns or in
whatever columns it has, brought into an existing plan.

Every row goes through the same services as the forms (``section_create``,
``recommendation_create``/``update``, ``cycle_open``, ``ratings_save``, ``evidence_add``,
``cycle_complete``), so it meets the same rules and leaves the same history. A dry run
is the import itself, rolled back: what it reports is what importing would do. Each row
is imported in a savepoint of its own: a row with a problem is left out, the rest go in,
all in one transaction.

- A row is matched to a recommendation by the plan and its number: importing the same
  file again changes nothing; a changed file changes only what changed.
- Its section is the plan's section with the number's first part, or one whose title or
  source the section cell names; a new one is added, its source in words.
- A column not in the file leaves that field as it is; an empty cell in a column of the
  file empties it (but an empty status or evidence cell leaves the rating and evidence).
- Statuses are matched to the plan's scale by label, whatever the case; a label not on
  it is matched by the Executive to a status, or to "not yet rated", or its row is left out.
  Not yet rated gives no rating: a rating given before is left as it is.
- A "by when" that is not a date is kept in words beside an empty date, and said so.
- Ratings and evidence go into the update of the file's update date (or the date chosen):
  a new one is opened, rated and completed on that date; a completed one already there
  is only compared (its ratings and evidence no longer change).
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Prefetch

from dscb.access import Action, can
from dscb.imports import Cell, DryRun, Outcome, Problem, Row, RowResult, Sheet, normalise
from dscb.imports import read as read_sheet
from dscb.models import Agency, User
from dscb.selectors import people_who_can
from dscb.validators import validate_no_identifying_details
from recommendations import selectors, services
from recommendations.models import (
    NUMBER_PATTERN,
    ActionPlan,
    Evidence,
    ImportMapping,
    PlanSection,
    ProgressUpdate,
    RagStatus,
    Recommendation,
    RecommendationLead,
    ReviewCycle,
    SourceKind,
)


@dataclass(frozen=True)
class ImportField:
    key: str
    header: str
    help: str
    # Other headers read as this field, as compared (``normalise``).
    also: tuple[str, ...] = ()


FIELDS = [
    ImportField(
        "number",
        "Number",
        "The recommendation's number, like 2.10: its section's number, a full stop and the item. "
        "It matches the row to the plan: importing the same number again changes that recommendation.",
        ("no", "ref", "reference", "rec no", "recommendation number", "item"),
    ),
    ImportField(
        "section",
        "Section or source",
        "The section's title or the source in words, like “Joint targeted area inspection”. "
        "A section new to the plan is added with this title.",
        ("section", "source", "audit", "section title"),
    ),
    ImportField(
        "text",
        "Recommendation",
        "What is recommended. Board references only: never a child's name, NHS number or date of birth.",
        ("recommendation text", "text", "action", "recommendations", "task"),
    ),
    ImportField(
        "evidence",
        "Evidence",
        "The evidence so far, each point on a line of its own, a link at its end; added to the update "
        "of the update date.",
        ("evidence of progress", "progress", "update"),
    ),
    ImportField(
        "status",
        "Status",
        "The rating, as a label of the plan's scale (any case). Leave it empty for not yet rated.",
        ("rag", "rag status", "rating", "rag rating"),
    ),
    ImportField(
        "leads",
        "Lead(s)",
        "Each lead: a person's full name as on their account, or a role and its agency after a comma, "
        "like “Head of Safeguarding, Police”. Separate leads with a semicolon.",
        ("lead", "leads", "lead s", "lead officer", "owner"),
    ),
    ImportField(
        "agencies",
        "Agency(ies)",
        "The responsible agencies by name or short name, separated by semicolons.",
        ("agency", "agencies", "agency ies", "responsible agencies", "organisation"),
    ),
    ImportField(
        "target_date",
        "By when",
        "A date like 31/03/2012, or words such as “to be confirmed” or “Q2 2012”, kept as written.",
        ("target date", "by when", "target", "deadline", "timescale", "due"),
    ),
    ImportField(
        "update_date",
        "Update date",
        "The date of the update the ratings and evidence belong to, like 04/03/2011.",
        ("updated", "update", "date of update", "date updated"),
    ),
]
FIELD_BY_KEY = {item.key: item for item in FIELDS}
LEAVE_OUT = ""
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d %H:%M:%S")
TARGET_TEXT_MAX = Recommendation._meta.get_field("target_date_text").max_length or 60
LEAD_SEPARATORS = re.compile(r"[;\n]+")
AGENCY_SEPARATORS = re.compile(r"[;\n]+")


def signature(headers: Sequence[str]) -> str:
    """The file's headers, as compared, in a digest: the key its mapping is remembered by."""
    return hashlib.sha256("\n".join(normalise(header) for header in headers).encode()).hexdigest()


def guess_columns(headers: Sequence[str], *, short_name: str = "") -> dict[str, str]:
    """Each header to the field it reads as (the template's own headers, and common
    others), each field at most once; the rest left out."""
    taken: set[str] = set()
    columns: dict[str, str] = {}
    for header in headers:
        name = normalise(header)
        columns[header] = LEAVE_OUT
        for item in FIELDS:
            names = {normalise(item.header), item.key.replace("_", " "), *item.also}
            if item.key == "status" and short_name:
                names.add(normalise(short_name))
            if name in names and item.key not in taken:
                columns[header] = item.key
                taken.add(item.key)
                break
    return columns


def remembered(plan: ActionPlan, headers: Sequence[str]) -> ImportMapping | None:
    return ImportMapping.objects.filter(plan=plan, signature=signature(headers)).first()


def parse_date(text: str) -> datetime.date | None:
    text = " ".join(text.split())
    for pattern in DATE_FORMATS:
        try:
            value = datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007  (a date, no time)
        except ValueError:
            continue
        if 1900 <= value.year <= 2100:
            return value
    return None


def status_key(label: str) -> str:
    return " ".join(label.split()).casefold()


# --- What the plan holds, read once -------------------------------------------------------


@dataclass
class Known:
    """The plan and what rows are matched against, each read in one query."""

    plan: ActionPlan
    sections: list[PlanSection]
    recommendations: dict[str, Recommendation]
    agencies: list[Agency]
    people: list[User]
    statuses: list[RagStatus]
    not_rated: str
    scale_name: str

    @classmethod
    def read(cls, plan: ActionPlan) -> Known:
        words = selectors.plan_words()
        leads = Prefetch("leads", queryset=RecommendationLead.objects.select_related("person", "agency"))
        recommendations = plan.recommendations.select_related("section").prefetch_related(leads, "agencies")
        return cls(
            plan=plan,
            sections=list(PlanSection.objects.filter(plan=plan).select_related("audit_round")),
            recommendations={item.number: item for item in recommendations},
            agencies=list(Agency.objects.all()),
            people=list(people_who_can(Action.LEAD_RECOMMENDATIONS)),
            statuses=selectors.rag_statuses(),
            not_rated=words.not_rated,
            scale_name=words.name,
        )

    def status(self, label: str) -> RagStatus | None:
        key = status_key(label)
        return next((status for status in self.statuses if status_key(status.label) == key), None)

    def agency(self, name: str) -> Agency | None:
        key = status_key(name)
        return next(
            (agency for agency in self.agencies if key in (status_key(agency.name), status_key(agency.short_name))),
            None,
        )

    def person(self, name: str) -> User | None:
        key = status_key(name)
        return next(
            (person for person in self.people if key in (status_key(person.get_full_name()), status_key(person.email))),
            None,
        )

    def section_named(self, text: str) -> PlanSection | None:
        key = status_key(text)
        for section in self.sections:
            names = {section.title, f"{section.number} {section.title}", section.source, section.source_name}
            if key in {status_key(name) for name in names if name}:
                return section
        return None


# --- One row, read ------------------------------------------------------------------------


@dataclass
class Settings:
    """How the file is read: its columns' fields, its unknown statuses' matches (a
    status's id, or "" for not yet rated) and the update date chosen on the page."""

    columns: dict[str, str]
    statuses: dict[str, str] = field(default_factory=dict)
    update_date: datetime.date | None = None

    def to_data(self) -> dict[str, Any]:
        return {
            "columns": self.columns,
            "statuses": self.statuses,
            "update_date": self.update_date.isoformat() if self.update_date else "",
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Settings:
        update_date = data.get("update_date") or ""
        return cls(
            columns=dict(data.get("columns", {})),
            statuses=dict(data.get("statuses", {})),
            update_date=datetime.date.fromisoformat(update_date) if update_date else None,
        )

    def header_of(self, key: str) -> str | None:
        return next((header for header, chosen in self.columns.items() if chosen == key), None)


@dataclass
class ReadRow:
    """A row as the services will be given it, and where each value came from."""

    row: Row
    result: RowResult
    cells: dict[str, Cell]
    number: str = ""
    section: PlanSection | None = None
    new_section: dict[str, Any] | None = None
    text: str | None = None
    agencies: list[Agency] | None = None
    leads: list[services.LeadInput] | None = None
    target_date: datetime.date | None = None
    target_date_text: str = ""
    has_target: bool = False
    rating: tuple[RagStatus | None] | None = None  # (status,) when a status is given
    evidence: str = ""

    def cell(self, key: str) -> Cell | None:
        return self.cells.get(key)

    def problem(self, key: str, wrong: str, accepted: str = "", *, notice: bool = False) -> None:
        cell = self.cells.get(key)
        self.result.problems.append(Problem(cell.ref if cell else "", wrong, accepted, notice=notice))


def unknown_statuses(sheet: Sheet, settings: Settings) -> list[str]:
    """Status labels in the file that are not on the plan's scale, each once, as first written."""
    header = settings.header_of("status")
    if header is None:
        return []
    labels = {status_key(status.label) for status in selectors.rag_statuses()}
    labels.add(status_key(selectors.plan_words().not_rated))
    found: dict[str, str] = {}
    for row in sheet.rows:
        cell = row.get(header)
        if cell and status_key(cell.text) not in labels:
            found.setdefault(status_key(cell.text), cell.text)
    return list(found.values())


def read_upload(upload: Any) -> Sheet:
    """The uploaded file's rows (``dscb.imports.read``), or ``ImportRefused``."""
    return read_sheet(upload)


def settings_for(plan: ActionPlan, sheet: Sheet) -> Settings:
    """How to read this file: as the last file with the same headers was read, or as its headers say."""
    mapping = remembered(plan, sheet.headers)
    if mapping is not None:
        by_name = {normalise(header): field for header, field in mapping.columns.items()}
        columns = {header: by_name.get(normalise(header), LEAVE_OUT) for header in sheet.headers}
        return Settings(columns=columns, statuses=dict(mapping.statuses))
    return Settings(columns=guess_columns(sheet.headers, short_name=selectors.plan_words().short_name))


def needs_matching(plan: ActionPlan, sheet: Sheet, settings: Settings) -> bool:
    """Whether the Executive must match columns or statuses before the dry run: no column
    holds the number, or a status is neither on the scale nor matched before."""
    if settings.header_of("number") is None:
        return True
    return any(status_key(label) not in settings.statuses for label in unknown_statuses(sheet, settings))


def summary(result: DryRun) -> str:
    parts = [
        f"{result.creates} {'recommendation' if result.creates == 1 else 'recommendations'} added",
        f"{result.changes} changed",
        f"{result.unchanged} left as {'it was' if result.unchanged == 1 else 'they were'}",
    ]
    text = "The spreadsheet has been imported: " + ", ".join(parts) + "."
    if result.refused:
        rows = "1 row was" if result.refused == 1 else f"{result.refused} rows were"
        text += f" {rows} not imported: put their problems right in the file and import it again."
    return text


def _read_row(row: Row, settings: Settings, known: Known, numbers: dict[str, int]) -> ReadRow:
    cells = {key: cell for header, key in settings.columns.items() if key and (cell := row.get(header)) is not None}
    number_cell = cells.get("number")
    read = ReadRow(row=row, result=RowResult(row.number, number_cell.text if number_cell else ""), cells=cells)
    for key in ("section", "text", "evidence"):
        if (cell := cells.get(key)) and cell.text:
            try:
                validate_no_identifying_details(cell.text)
            except ValidationError as error:
                read.problem(key, " ".join(error.messages), "Board references and roles only")
    number = (number_cell.text if number_cell else "").strip()
    read.number = number
    match = NUMBER_PATTERN.fullmatch(number)
    if not number:
        read.problem("number", "The number is empty", "A number like 2.10: the section, a full stop, the item")
        return read
    if not match:
        read.problem(
            "number",
            f"“{number[:20]}” is not a number like 2.10",
            "The section's number, a full stop and the item, like 2.10 (format the column as text so 2.10 "
            "does not become 2.1)",
        )
        return read
    if number in numbers:
        read.problem(
            "number",
            f"{number} is also on row {numbers[number]}",
            "Each number once in the file: the first row with it is imported",
        )
        return read
    numbers[number] = row.number
    _read_section(read, known, int(match.group(1)))
    if "text" in cells:
        read.text = cells["text"].text
    if "agencies" in cells:
        read.agencies = _read_agencies(read, known)
    if "leads" in cells:
        read.leads = _read_leads(read, known)
    if "target_date" in cells:
        _read_target(read)
    if (cell := cells.get("status")) and cell.text:
        _read_status(read, cell, settings, known)
    if (cell := cells.get("evidence")) and cell.text:
        read.evidence = cell.text
    return read


def _read_section(read: ReadRow, known: Known, section_number: int) -> None:
    cell = read.cell("section")
    named = cell.text.strip() if cell else ""
    by_number = next((section for section in known.sections if section.number == section_number), None)
    if by_number is not None:
        read.section = by_number
        return
    if named and (by_name := known.section_named(named)) is not None:
        read.section = by_name  # the service refuses the number, naming the section it should start with
        return
    title = re.sub(rf"^{section_number}\s+", "", named).strip() or f"Section {section_number}"
    read.new_section = {
        "number": section_number,
        "title": title[:200],
        "source_kind": _source_kind(title),
        "source_name": title[:200],
    }


def _source_kind(title: str) -> str:
    words = title.casefold()
    for kind, clue in (
        (SourceKind.INSPECTION, "inspection"),
        (SourceKind.RAPID_REVIEW, "rapid review"),
        (SourceKind.PRACTICE_REVIEW, "review"),
        (SourceKind.SECTION_11, "section 11"),
        (SourceKind.PRIORITY, "priority"),
    ):
        if clue in words:
            return kind
    return SourceKind.CASE_AUDIT


def _read_agencies(read: ReadRow, known: Known) -> list[Agency]:
    """Agencies by name or short name, separated by semicolons or lines (or commas, when
    the part is not an agency's name as a whole)."""
    agencies: list[Agency] = []
    for part in AGENCY_SEPARATORS.split(read.cells["agencies"].text):
        if not part.strip():
            continue
        names = [part] if known.agency(part) else [piece for piece in part.split(",") if piece.strip()]
        for name in names:
            agency = known.agency(name)
            if agency is None:
                active = ", ".join(item.short_name for item in known.agencies if item.is_active)
                read.problem("agencies", f"There is no agency “{name.strip()[:60]}”", f"Agencies by name: {active}")
            elif agency not in agencies:
                agencies.append(agency)
    return agencies


def _read_leads(read: ReadRow, known: Known) -> list[services.LeadInput]:
    cell = read.cells["leads"]
    leads: list[services.LeadInput] = []
    existing = known.recommendations.get(read.number)
    before = {str(lead).casefold(): lead for lead in existing.leads.all()} if existing else {}
    for part in LEAD_SEPARATORS.split(cell.text):
        name = " ".join(part.split())
        if not name:
            continue
        if (kept := before.get(name.casefold())) is not None:
            leads.append(services.LeadInput(person=kept.person, role_title=kept.role_title, agency=kept.agency))
            continue
        if (person := known.person(name)) is not None:
            leads.append(services.LeadInput(person=person))
            continue
        role, _, agency_name = name.rpartition(",")
        agency = known.agency(agency_name) if role else None
        if agency is None:
            read.problem(
                "leads",
                f"“{name[:80]}” is neither someone who can lead recommendations here nor a role and its agency",
                "A person's full name as on their account, or a role and its agency after a comma, like "
                "“Head of Safeguarding, Police”; leads separated by semicolons",
            )
            continue
        try:
            validate_no_identifying_details(role)
        except ValidationError as error:
            read.problem("leads", " ".join(error.messages), "A role, like Head of Safeguarding, never a name")
            continue
        leads.append(services.LeadInput(role_title=role.strip(), agency=agency))
    return leads


def _read_target(read: ReadRow) -> None:
    cell = read.cells["target_date"]
    read.has_target = True
    text = " ".join(cell.text.split())
    if not text:
        return
    if (date := parse_date(text)) is not None:
        read.target_date = date
        return
    if len(text) > TARGET_TEXT_MAX:
        read.problem(
            "target_date",
            f"“{text[:40]}…” is not a date, and too long to keep in words",
            f"A date like 31/03/2012, or words of at most {TARGET_TEXT_MAX} characters",
        )
        return
    read.target_date_text = text
    read.problem(
        "target_date",
        f"“{text}” is not a date: it is kept in words, with no date",
        "A date like 31/03/2012 makes it count towards overdue",
        notice=True,
    )


def _read_status(read: ReadRow, cell: Cell, settings: Settings, known: Known) -> None:
    if status_key(cell.text) == status_key(known.not_rated):
        return  # not yet rated: no rating to give (a rating given before is left as it is)
    if (status := known.status(cell.text)) is not None:
        read.rating = (status,)
        return
    chosen = settings.statuses.get(status_key(cell.text))
    if chosen is None:
        labels = ", ".join(status.label for status in known.statuses)
        read.problem(
            "status",
            f"“{cell.text[:30]}” is not a status on the {known.scale_name}",
            f"One of {labels}, or empty for {known.not_rated.lower()}; or match it to one on the "
            "page matching the columns",
        )
        return
    if status := next((status for status in known.statuses if str(status.pk) == chosen), None):
        read.rating = (status,)


# --- Running it ---------------------------------------------------------------------------


def _refuse_unless_executive(by: User) -> None:
    if not can(by, Action.MANAGE_ACTION_PLAN):
        raise ValidationError(services.EXECUTIVE_ONLY, code="not_allowed")


def _lead_input(lead: RecommendationLead) -> services.LeadInput:
    return services.LeadInput(person=lead.person, role_title=lead.role_title, agency=lead.agency)


class _Rollback(Exception):
    """Ends a dry run: everything it did is undone."""


def dry_run(*, plan: ActionPlan, by: User, sheet: Sheet, settings: Settings) -> DryRun:
    """What importing would do, row by row, with every problem: the import itself, undone."""
    result = DryRun()
    try:
        with transaction.atomic():
            result = _run(plan=plan, by=by, sheet=sheet, settings=settings)
            raise _Rollback
    except _Rollback:
        pass
    return result


@transaction.atomic
def import_plan(*, plan: ActionPlan, by: User, sheet: Sheet, settings: Settings) -> DryRun:
    """Import every row without a problem, checked again now, in one transaction."""
    _refuse_unless_executive(by)
    return _run(plan=plan, by=by, sheet=sheet, settings=settings)


def _file_problems(sheet: Sheet, settings: Settings) -> list[Problem]:
    problems: list[Problem] = []
    if settings.header_of("number") is None:
        problems.append(
            Problem(
                "",
                "No column is matched to the number",
                "Match the column holding numbers like 2.10 to “Number”: rows are matched to the plan by it",
            )
        )
    chosen = [key for key in settings.columns.values() if key]
    for key in {key for key in chosen if chosen.count(key) > 1}:
        problems.append(
            Problem(
                "", f"More than one column is matched to “{FIELD_BY_KEY[key].header}”", "Each field from one column"
            )
        )
    return problems


def _update_date(sheet: Sheet, settings: Settings, rows: list[ReadRow], result: DryRun) -> datetime.date | None:
    if settings.update_date is not None:
        return settings.update_date
    header = settings.header_of("update_date")
    dates: set[datetime.date] = set()
    for read in rows:
        cell = read.row.get(header) if header else None
        if cell and cell.text:
            date = parse_date(cell.text)
            if date is None:
                read.result.problems.append(
                    Problem(cell.ref, f"“{cell.text[:30]}” is not a date", "A date like 04/03/2011", notice=True)
                )
            else:
                dates.add(date)
    if len(dates) > 1:
        latest = max(dates)
        result.problems.append(
            Problem(
                "",
                f"The rows name {len(dates)} update dates: the ratings and evidence go into one update, "
                f"of {latest:%-d %B %Y}, the latest",
                "Choose another date on the page matching the columns",
                notice=True,
            )
        )
    return max(dates) if dates else None


def _run(*, plan: ActionPlan, by: User, sheet: Sheet, settings: Settings) -> DryRun:
    result = DryRun(problems=_file_problems(sheet, settings))
    if result.problems:
        return result
    known = Known.read(plan)
    numbers: dict[str, int] = {}
    rows = [_read_row(row, settings, known, numbers) for row in sheet.rows]
    result.rows = [read.result for read in rows]
    update_on = _update_date(sheet, settings, rows, result)
    cycle, opened = _cycle(plan, by, rows, update_on, result)
    for read in rows:
        if read.result.refused:
            read.result.outcome = Outcome.REFUSED
            continue
        sections_before = len(known.sections)
        try:
            with transaction.atomic():
                _import_row(read, plan=plan, by=by, known=known, cycle=cycle)
                if read.result.refused:
                    raise _Rollback
        except _Rollback:
            read.result.outcome = Outcome.REFUSED
            read.result.changes = []
            del known.sections[sections_before:]  # a section the row added is undone with it
    if opened is not None and update_on is not None:
        fresh = ReviewCycle.objects.get(pk=opened.pk)
        services.cycle_complete(cycle=fresh, by=by, expected_version=fresh.version, on=update_on)
    for item in result.rows:
        item.sort_problems()
    return result


def _cycle(
    plan: ActionPlan, by: User, rows: list[ReadRow], update_on: datetime.date | None, result: DryRun
) -> tuple[ReviewCycle | None, ReviewCycle | None]:
    """The update the ratings and evidence go into, and whether it was opened for them."""
    wanted = [read for read in rows if not read.result.refused and (read.rating or read.evidence)]
    if not wanted:
        return None, None
    if update_on is None:
        for read in wanted:
            read.problem(
                "status" if read.rating else "evidence",
                "There is no update date for the rating and evidence",
                "An update date column, or a date chosen on the page matching the columns",
            )
        return None, None
    title = f"{update_on:%B %Y} update"
    cycles = list(plan.cycles.all())
    cycle = next(
        (cycle for cycle in cycles if cycle.completed_on == update_on or cycle.title == title),
        None,
    )
    if cycle is not None:
        return cycle, None
    if open_cycle := next((cycle for cycle in cycles if cycle.is_open), None):
        for read in wanted:
            read.problem(
                "status" if read.rating else "evidence",
                f"The {open_cycle.title} is open: ratings of {update_on:%-d %B %Y} would need an update of their own",
                f"Complete the {open_cycle.title} first, or choose its date as the update date",
            )
        return None, None
    try:
        with transaction.atomic():
            opened = services.cycle_open(plan=plan, by=by, title=title, due_on=update_on)
    except ValidationError as error:
        result.problems.append(Problem("", " ".join(error.messages), "Another update date"))
        return None, None
    return opened, opened


FIELD_CELLS = {
    "number": "number",
    "section": "section",
    "text": "text",
    "agencies": "agencies",
    "leads": "leads",
    "target_date": "target_date",
    "target_date_text": "target_date",
    "title": "section",
    "source_name": "section",
    "source_kind": "section",
    "audit_round": "section",
    "upload": "evidence",
    "proposed_rag": "status",
}


# ``evidence_add``'s and ``ratings_save``'s fields: all about the evidence and status cells.
EVIDENCE_CELLS = {"text": "evidence", "url": "evidence", "upload": "evidence", "proposed_rag": "status"}


def _report(
    read: ReadRow, error: ValidationError, default: str, accepted: str = "", *, fields: Mapping[str, str] = FIELD_CELLS
) -> None:
    """A service's refusal, beside the cell it concerns (``fields``: the service's field to the file's)."""
    if hasattr(error, "error_dict"):
        for key, errors in error.error_dict.items():
            cell_key = fields.get(key, default)
            if key.startswith("rag_"):
                cell_key = "status"
            elif key == NON_FIELD_ERRORS:
                cell_key = default
            for message in errors:
                for text in message.messages:
                    read.problem(cell_key, text, accepted)
    else:
        for text in error.messages:
            read.problem(default, text, accepted)


def _import_row(read: ReadRow, *, plan: ActionPlan, by: User, known: Known, cycle: ReviewCycle | None) -> None:
    existing = known.recommendations.get(read.number)
    section = read.section
    if section is None and read.new_section is not None:
        number = read.new_section["number"]
        section = next((item for item in known.sections if item.number == number), None)  # added by a row above
        if section is None:
            try:
                section = services.section_create(plan=plan, by=by, **read.new_section)
            except ValidationError as error:
                _report(read, error, "section", "A section's title or source in words")
                return
            known.sections.append(section)
    if section is None:
        return
    values = _values(read, section, existing)
    if values is None:
        return
    try:
        if existing is None:
            recommendation = services.recommendation_create(plan=plan, by=by, values=values)
            read.result.outcome = Outcome.CREATE
        else:
            read.result.changes = _changes(existing, values)
            recommendation = existing
            if read.result.changes:
                fresh = Recommendation.objects.get(pk=existing.pk)
                recommendation = services.recommendation_update(
                    recommendation=fresh, by=by, expected_version=fresh.version, values=values
                )
                read.result.outcome = Outcome.CHANGE
    except ValidationError as error:
        _report(read, error, "number")
        return
    if cycle is not None and (read.rating or read.evidence):
        _rate(read, recommendation, cycle, by=by, new=existing is None)


def _values(
    read: ReadRow, section: PlanSection, existing: Recommendation | None
) -> services.RecommendationInput | None:
    if existing is None and not (read.text or "").strip():
        read.problem(
            "text" if "text" in read.cells else "number",
            f"{read.number} is new to the plan, and its recommendation is empty",
            "The recommendation's words, in the column matched to “Recommendation”",
        )
        return None
    kind = (
        existing.kind
        if existing is not None
        else (
            Recommendation.Kind.TASK
            if section.item_heading.casefold().startswith("task")
            else Recommendation.Kind.RECOMMENDATION
        )
    )
    before_leads = [_lead_input(lead) for lead in existing.leads.all()] if existing else []
    return services.RecommendationInput(
        section=section,
        number=read.number,
        text=read.text if read.text is not None else (existing.text if existing else ""),
        kind=kind,
        agencies=read.agencies if read.agencies is not None else (list(existing.agencies.all()) if existing else []),
        leads=read.leads if read.leads is not None else before_leads,
        target_date=read.target_date if read.has_target else (existing.target_date if existing else None),
        target_date_text=read.target_date_text if read.has_target else (existing.target_date_text if existing else ""),
    )


def _changes(existing: Recommendation, values: services.RecommendationInput) -> list[str]:
    changes: list[str] = []
    if existing.section_id != values.section.pk:
        changes.append("section")
    if existing.text != values.text:
        changes.append("recommendation")
    if {agency.pk for agency in existing.agencies.all()} != {agency.pk for agency in values.agencies}:
        changes.append("agencies")
    if [_lead_input(lead).identity for lead in existing.leads.all()] != [lead.identity for lead in values.leads]:
        changes.append("leads")
    text = "" if values.target_date else values.target_date_text.strip()
    if (existing.target_date, existing.target_date_text) != (values.target_date, text):
        changes.append("by when")
    return changes


URL_AT_THE_END = re.compile(r"(?:^|\s)(https?://\S+)$")


def evidence_points(cell: str) -> list[tuple[str, str]]:
    """Each line of an evidence cell, a point of evidence: its words and a link at its end."""
    points: list[tuple[str, str]] = []
    for line in cell.splitlines():
        line = line.strip()
        if not line:
            continue
        match = URL_AT_THE_END.search(line)
        url = match.group(1) if match else ""
        text = line[: match.start()].strip() if match else line
        if (text, url) not in points:
            points.append((text, url))
    return points


def evidence_cell(evidence: Sequence[Evidence] | Any) -> str:
    """Points of evidence as the template writes them: one a line, its link at the end
    (a file cannot travel in a spreadsheet)."""
    return "\n".join(
        " ".join(part for part in (item.text, item.url) if part) for item in evidence if item.text or item.url
    )


def _rate(read: ReadRow, recommendation: Recommendation, cycle: ReviewCycle, *, by: User, new: bool) -> None:
    update = ProgressUpdate.objects.filter(recommendation=recommendation, cycle=cycle).first()
    evidence_before = (
        {(item.text, item.url) for item in Evidence.objects.filter(update=update, marked_in_error_at__isnull=True)}
        if update
        else set()
    )
    rating_changed = read.rating is not None and (update.rag_id if update else None) != (
        read.rating[0].pk if read.rating[0] else None
    )
    evidence_added = [point for point in evidence_points(read.evidence) if point not in evidence_before]
    evidence_new = bool(evidence_added)
    if not (rating_changed or evidence_new):
        return
    fresh = ReviewCycle.objects.get(pk=cycle.pk)
    if not fresh.is_open:
        was = update.rag.label if update and update.rag else "not yet rated"
        for key, changed in (("status", rating_changed), ("evidence", evidence_new)):
            if changed:
                read.problem(
                    key,
                    f"The {fresh.title} is completed: its ratings and evidence no longer change",
                    f"As it was ({was}, and its evidence), or a later update date"
                    if key == "status"
                    else "Its evidence as it was, or a later update date",
                )
        return
    try:
        if rating_changed and read.rating is not None:
            note = update.rating_note if update else ""
            services.ratings_save(
                cycle=fresh, by=by, expected_version=fresh.version, ratings={recommendation: (read.rating[0], note)}
            )
        for text, url in evidence_added:
            services.evidence_add(recommendation=recommendation, cycle=fresh, by=by, text=text, url=url)
    except ValidationError as error:
        _report(read, error, "status" if rating_changed else "evidence", fields=EVIDENCE_CELLS)
        return
    if not new:
        read.result.changes += [
            name for name, changed in (("status", rating_changed), ("evidence", evidence_new)) if changed
        ]
        read.result.outcome = Outcome.CHANGE


def save_mapping(*, plan: ActionPlan, by: User, headers: Sequence[str], settings: Settings) -> ImportMapping:
    """Remember how this file's columns and statuses were matched, for the next file with the same headers."""
    _refuse_unless_executive(by)
    unknown = sorted(set(settings.columns.values()) - {LEAVE_OUT, *FIELD_BY_KEY})
    if unknown:
        raise ValidationError({"columns": [f"There is no field “{key}” to match a column to" for key in unknown]})
    mapping, _ = ImportMapping.objects.update_or_create(
        plan=plan,
        signature=signature(headers),
        defaults={
            "headers": list(headers),
            "columns": settings.columns,
            "statuses": settings.statuses,
            "saved_by": by,
        },
    )
    return mapping


# --- The template, filled with the plan as it is -------------------------------------------

INSTRUCTIONS = [
    "How to fill in this action plan",
    "",
    "Fill in the sheet “Action plan”: one row for each recommendation, below the header row. Keep the headers.",
    "Upload the file on the action plan's page (Import from a spreadsheet). Nothing is saved until you have "
    "seen what the import would do and confirmed it.",
    "A row is matched to the plan by its number: importing the same file again changes nothing, and a changed "
    "row changes only what changed. Rows are never removed by an import.",
    "Board references and roles only: never a child's name, NHS number, date of birth, address or phone number.",
    "",
    "The columns",
]


def template_xlsx(plan: ActionPlan) -> bytes:
    """The template's workbook: instructions, then the sheet to fill in, holding the plan
    as it is now (its latest completed update's ratings and evidence), so the same file
    imported again changes nothing."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    from dscb.lists import safe_cell

    rows = template_rows(plan)
    workbook = Workbook()
    instructions = workbook.active
    instructions.title = "Instructions"
    for line in INSTRUCTIONS:
        instructions.append([line])
    for item in FIELDS:
        instructions.append([item.header, item.help])
    statuses = [status.label for status in selectors.rag_statuses()]
    instructions.append([])
    instructions.append(["Statuses", "; ".join(statuses) or "None yet"])
    instructions["A1"].font = Font(bold=True, size=14)
    instructions.column_dimensions["A"].width = 22
    instructions.column_dimensions["B"].width = 100
    sheet = workbook.create_sheet("Action plan")
    sheet.append([item.header for item in FIELDS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for record in rows:
        sheet.append([safe_cell(value) for value in record])
        for cell in sheet[sheet.max_row]:
            cell.alignment = wrap
            if isinstance(cell.value, datetime.date):
                cell.number_format = "dd/mm/yyyy"
    # Numbers as text, so that 2.10 stays 2.10.
    for row in sheet.iter_rows(min_row=2, max_row=max(sheet.max_row, 200), max_col=1):
        row[0].number_format = "@"
    if statuses:
        status_column = "ABCDEFGHIJ"[[item.key for item in FIELDS].index("status")]
        validation = DataValidation(
            type="list", formula1='"' + ",".join(statuses)[:250] + '"', allow_blank=True, showErrorMessage=False
        )
        sheet.add_data_validation(validation)
        validation.add(f"{status_column}2:{status_column}1000")
    for letter, width in zip("ABCDEFGHI", (10, 30, 60, 60, 12, 30, 30, 16, 14), strict=True):
        sheet.column_dimensions[letter].width = width
    workbook.active = workbook.index(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_rows(plan: ActionPlan) -> list[list[object]]:
    """The plan in the template's columns, in its order: a fixed number of queries."""
    cycle = selectors.cycles(plan).latest_completed
    leads = Prefetch("leads", queryset=RecommendationLead.objects.select_related("person", "agency"))
    recommendations = plan.recommendations.select_related("section").prefetch_related(leads, "agencies")
    updates = (
        {
            update.recommendation_id: update
            for update in ProgressUpdate.objects.filter(cycle=cycle)
            .select_related("rag")
            .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.filter(marked_in_error_at__isnull=True)))
        }
        if cycle
        else {}
    )
    rows: list[list[object]] = []
    for recommendation in recommendations:
        update = updates.get(recommendation.pk)
        rows.append(
            [
                recommendation.number,
                recommendation.section.title,
                recommendation.text,
                evidence_cell(update.evidence.all()) if update else "",
                update.rag.label if update and update.rag else "",
                recommendation.lead_names,
                "; ".join(agency.name for agency in recommendation.agencies.all()),
                recommendation.target_date or recommendation.target_date_text,
                cycle.completed_on if cycle and update else "",
            ]
        )
    return rows
