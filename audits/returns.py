"""An agency's return by spreadsheet, for an agency without an account: the audit team
downloads one workbook per agency for a round (``return_xlsx``), the agency fills it in
offline and sends it back, and the audit team uploads it (``dry_run``, then
``import_return``).

The workbook's first sheet is its instructions; the second, "Return", has a row for each
record the agency is expected to return: one per case the agency is expected on, or one
per record it has returned already, filled in with it (so the same file imported again
changes nothing). Whose records, grades and answers are chosen from lists in the cells,
the lists of the round's own scales (a hidden sheet "Lists"). Two hidden columns say
which round and agency the file is for (its header) and which version of each record a
row was filled from, so a file for another round or agency is refused as a whole, and a
record saved in the service since the file was downloaded is not overwritten.

Every row goes through ``record_create`` / ``record_update``, as the record form does: the
same rules, the same history, the same check for someone else's save. A dry run is the
import itself, undone. Each row is imported in a savepoint of its own: a row with a
problem is left out, named by its cells, the rest go in, in one transaction.

- A row is matched to a record by its board reference and whose records it is.
- A column not in the file leaves that field as it is; an empty grade or answer removes it.
- A row with nothing in it but its board reference adds nothing.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q

from audits import selectors, services
from audits.models import AuditCase, AuditRound, CaseRecord, ChecklistAnswer, ChecklistQuestion, Grade, Theme
from dscb.concurrency import EditConflict
from dscb.imports import Cell, DryRun, ImportRefused, Outcome, Problem, Row, RowResult, Sheet, normalise
from dscb.imports import read as read_sheet
from dscb.models import Agency, User, field_label

RETURN_SHEET = "Return"
LISTS_SHEET = "Lists"
# Columns read from an upload: the fixed ones, a grade per theme, an answer and a comment
# per question, and the two hidden ones.
MAX_RETURN_COLUMNS = 120

REFERENCE = "Board reference"
SUBJECT = "Whose records"
RECORDS_READ = "Records read"
TEXTS = {"findings": "Findings", "strengths": "Strengths", "areas_for_development": "Areas for development"}
VERSION = "Version (do not change)"
RETURN_CODE = re.compile(r"^return r(\d+) a(\d+) do not change$")

NO_CODE = (
    "The file does not say which round and agency it is for: its hidden column “Return …” is missing",
    "The return downloaded for the agency from the round's page, filled in",
)


def return_code_header(audit_round: AuditRound, agency: Agency) -> str:
    return f"Return R{audit_round.pk}-A{agency.pk} (do not change)"


def grade_header(theme: Theme) -> str:
    return f"Grade: {theme.name}"[:100]


def answer_header(question: ChecklistQuestion) -> str:
    return f"Answer: {question.text}"[:100]


def comment_header(question: ChecklistQuestion) -> str:
    return f"Comment: {question.text}"[:100]


def file_name(audit_round: AuditRound, agency: Agency) -> str:
    short = re.sub(r"[^A-Za-z0-9]+", "-", agency.short_name).strip("-").lower() or "agency"
    return f"return-round-{audit_round.pk}-{short}.xlsx"


@dataclass(frozen=True)
class Layout:
    """A round's return: its themes graded (none in Appreciative Inquiry), its questions,
    and the words of its scales."""

    audit_round: AuditRound
    themes: list[Theme]
    grades: list[Grade]
    questions: list[ChecklistQuestion]

    @classmethod
    def of(cls, audit_round: AuditRound) -> Layout:
        scales = selectors.scales(audit_round)
        graded = not audit_round.is_appreciative_inquiry
        return cls(
            audit_round=audit_round,
            themes=scales.themes if graded else [],
            grades=scales.grades,
            questions=scales.questions,
        )

    @property
    def headers(self) -> list[str]:
        return [
            REFERENCE,
            SUBJECT,
            RECORDS_READ,
            *TEXTS.values(),
            *(grade_header(theme) for theme in self.themes),
            *(header for question in self.questions for header in (answer_header(question), comment_header(question))),
        ]


def _cases(audit_round: AuditRound, agency: Agency) -> list[AuditCase]:
    """The round's cases the agency is expected on or has returned a record for, each with
    the agency's records, their grades and answers: four queries, whatever their number."""
    records = CaseRecord.objects.filter(agency=agency).prefetch_related("grades", "answers").order_by("subject", "pk")
    return list(
        AuditCase.objects.filter(
            Q(pk__in=AuditCase.expected_agencies.through.objects.filter(agency=agency).values("auditcase_id"))
            | Q(pk__in=CaseRecord.objects.filter(agency=agency).values("case_id")),
            audit_round=audit_round,
        )
        .select_related("audit_round")
        .order_by("reference")
        .prefetch_related("expected_agencies", Prefetch("records", queryset=records, to_attr="agency_records"))
    )


def return_rows(layout: Layout, agency: Agency) -> list[list[object]]:
    """The return's rows as they stand: the agency's records, and a row with only its
    board reference for each case still waiting for one."""
    grades = {grade.pk: grade.label for grade in layout.grades}
    answer_labels = dict(ChecklistAnswer.Answer.choices)
    rows: list[list[object]] = []
    for case in _cases(layout.audit_round, agency):
        records: list[CaseRecord] = case.agency_records  # type: ignore[attr-defined]
        if not records:
            rows.append([case.reference, *[""] * len(layout.headers)])
            continue
        for record in records:
            by_theme = {grade.theme_id: grades.get(grade.grade_id, "") for grade in record.grades.all()}
            answers = {answer.question_id: answer for answer in record.answers.all()}
            row: list[object] = [
                case.reference,
                record.get_subject_display(),
                record.records_read,
                *(getattr(record, name) for name in TEXTS),
                *(by_theme.get(theme.pk, "") for theme in layout.themes),
            ]
            for question in layout.questions:
                answer = answers.get(question.pk)
                row += [answer_labels.get(answer.answer, "") if answer else "", answer.comment if answer else ""]
            rows.append([*row, record.version])
    return rows


def _instructions(layout: Layout, agency: Agency) -> list[list[str]]:
    audit_round = layout.audit_round
    due = f" by {audit_round.returns_due_on:%-d %B %Y}" if audit_round.returns_due_on else ""
    lines = [
        [settings.PROTECTIVE_MARKING],
        [f"{agency.name}'s return for the case audit round {audit_round.title}"],
        [],
        ["Fill in the sheet “Return”: one row for each of your agency's records on each case, below the header row."],
        ["Each row names a case by its board reference. Do not change the board references or the headers."],
        [
            "For a second record on the same case (a sibling's or a parent's records, say), copy the row below it "
            "and choose another “Whose records”."
        ],
        ["Choose whose records, grades and answers from the list in each cell; type the number of records read."],
        [
            "Board references and roles only: never a child's or anyone's name, NHS number, date of birth, "
            "address or phone number. Text with them is refused."
        ],
        [f"Save the file as it is (Excel workbook, .xlsx) and send it back to the audit team{due}, securely."],
        [
            "The audit team uploads it and sees what it would add or change, row by row, before anything is saved. "
            "Sending the same file again changes nothing."
        ],
        [],
        ["The columns"],
        [REFERENCE, "The case's board reference, as given."],
        [SUBJECT, "; ".join(CaseRecord.Subject.labels)],
        [RECORDS_READ, "A whole number from 1 to 999."],
        *([label, "What your records show, in words (up to 5,000 characters)."] for label in TEXTS.values()),
    ]
    grade_labels = "; ".join(grade.label for grade in layout.grades)
    lines += [[grade_header(theme), f"{theme.description} One of: {grade_labels}".strip()] for theme in layout.themes]
    answer_labels = "; ".join(ChecklistAnswer.Answer.labels)
    for question in layout.questions:
        lines.append([answer_header(question), f"One of: {answer_labels}"])
        lines.append([comment_header(question), "Optional; only with an answer (up to 1,000 characters)."])
    return lines


def return_xlsx(audit_round: AuditRound, agency: Agency) -> bytes:
    """The return workbook for ``agency`` in ``audit_round``, filled in with what it has returned."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from dscb.lists import safe_cell

    layout = Layout.of(audit_round)
    workbook = Workbook()
    instructions = workbook.active
    instructions.title = "Instructions"
    for line in _instructions(layout, agency):
        instructions.append([safe_cell(value) for value in line])
    instructions["A1"].font = Font(bold=True)
    instructions["A2"].font = Font(bold=True, size=14)
    instructions.column_dimensions["A"].width = 40
    instructions.column_dimensions["B"].width = 90

    sheet = workbook.create_sheet(RETURN_SHEET)
    headers = [*layout.headers, VERSION, return_code_header(audit_round, agency)]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    wrap = Alignment(wrap_text=True, vertical="top")
    for values in return_rows(layout, agency):
        sheet.append([safe_cell(value) for value in values])
        for cell in sheet[sheet.max_row]:
            cell.alignment = wrap
    last_row = max(sheet.max_row + 50, 200)
    for row in sheet.iter_rows(min_row=2, max_row=last_row, max_col=1):
        row[0].number_format = "@"  # a board reference stays text

    lists = workbook.create_sheet(LISTS_SHEET)
    columns = {
        "subjects": list(CaseRecord.Subject.labels),
        "grades": [grade.label for grade in layout.grades],
        "answers": list(ChecklistAnswer.Answer.labels),
    }
    ranges: dict[str, str] = {}
    for index, (name, labels) in enumerate(columns.items(), start=1):
        letter = get_column_letter(index)
        for number, label in enumerate(labels, start=1):
            lists.cell(row=number, column=index, value=safe_cell(label))
        ranges[name] = f"{LISTS_SHEET}!${letter}$1:${letter}${max(len(labels), 1)}"
    lists.sheet_state = "hidden"

    def validate(name: str, column: int, prompt: str) -> None:
        validation = DataValidation(
            type="list",
            formula1=ranges[name],
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Not on the list",
            error=prompt,
        )
        sheet.add_data_validation(validation)
        letter = get_column_letter(column)
        validation.add(f"{letter}2:{letter}{last_row}")

    validate("subjects", 2, "Choose whose records these are from the list.")
    records_read = DataValidation(
        type="whole", operator="between", formula1="1", formula2="999", allow_blank=True, showErrorMessage=True
    )
    sheet.add_data_validation(records_read)
    records_read.add(f"C2:C{last_row}")
    first_grade = 4 + len(TEXTS)
    for offset in range(len(layout.themes)):
        validate("grades", first_grade + offset, "Choose a grade from the list.")
    first_answer = first_grade + len(layout.themes)
    for offset in range(len(layout.questions)):
        validate("answers", first_answer + 2 * offset, "Choose an answer from the list.")

    widths = [16, 22, 10, 50, 50, 50, *[18] * len(layout.themes), *[16, 40] * len(layout.questions)]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for column in (len(headers) - 1, len(headers)):
        sheet.column_dimensions[get_column_letter(column)].hidden = True
    sheet.freeze_panes = "B2"
    workbook.active = workbook.index(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Reading a return sent back ----------------------------------------------------------------


def read_upload(upload: Any) -> Sheet:
    """The uploaded return's rows (``dscb.imports.read``), or ``ImportRefused``."""
    return read_sheet(upload, max_columns=MAX_RETURN_COLUMNS)


def return_of(audit_round: AuditRound, sheet: Sheet) -> Agency:
    """The agency whose return ``sheet`` is, or ``ImportRefused`` if it is not a return of
    ``audit_round`` from one of the agencies taking part."""
    codes = [match for header in sheet.headers if (match := RETURN_CODE.match(normalise(header)))]
    if len(codes) != 1:
        raise ImportRefused(f"{NO_CODE[0]}. Upload {NO_CODE[1][0].lower()}{NO_CODE[1][1:]}.")
    round_pk, agency_pk = (int(part) for part in codes[0].groups())
    if round_pk != audit_round.pk:
        other = AuditRound.objects.filter(pk=round_pk).values_list("title", flat=True).first()
        named = f" “{other}”" if other else ""
        raise ImportRefused(
            f"This file is a return for another round{named}, not for {audit_round.title}. "
            "Upload the return downloaded from this round's page."
        )
    agency = audit_round.agencies.filter(pk=agency_pk).first()
    if agency is None:
        raise ImportRefused(
            "This file is a return for an agency not taking part in this round. "
            "Upload a return downloaded from this round's page."
        )
    return agency


@dataclass
class ReadRow:
    """A row as the services will be given it, and where each value came from."""

    row: Row
    result: RowResult
    # The file's header for each of the return's, as compared (``normalise``).
    columns: dict[str, str] = field(default_factory=dict)
    case: AuditCase | None = None
    subject: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    grades: dict[Theme, Grade | None] = field(default_factory=dict)
    answers: dict[ChecklistQuestion, tuple[str, str]] = field(default_factory=dict)
    version: int | None = None

    def cell(self, header: str) -> Cell | None:
        return self.row.get(self.columns.get(normalise(header), header))

    def problem(self, header: str, wrong: str, accepted: str = "") -> None:
        cell = self.cell(header)
        self.result.problems.append(Problem(cell.ref if cell is not None else "", wrong, accepted))

    def text(self, header: str) -> str | None:
        """The cell's text, or None when the file has no such column."""
        cell = self.cell(header)
        return cell.text if cell is not None else None

    @property
    def is_empty(self) -> bool:
        """Nothing in the row but its board reference (the hidden columns aside)."""
        reference = self.columns.get(normalise(REFERENCE))
        return not any(
            cell.text
            for header, cell in self.row.cells.items()
            if header != reference
            and not RETURN_CODE.match(normalise(header))
            and normalise(header) != normalise(VERSION)
        )


def _by_label(labels: Mapping[str, Any]) -> dict[str, Any]:
    return {normalise(label): value for label, value in labels.items()}


@dataclass(frozen=True)
class Known:
    """What a row's cells are read against: the round's cases for the agency, by board
    reference, its records of them, and the labels of the round's lists."""

    layout: Layout
    agency: Agency
    cases: dict[str, AuditCase]
    subjects: dict[str, str]
    grades: dict[str, Grade]
    answers: dict[str, str]

    @classmethod
    def read(cls, audit_round: AuditRound, agency: Agency) -> Known:
        layout = Layout.of(audit_round)
        return cls(
            layout=layout,
            agency=agency,
            cases={case.reference: case for case in _cases(audit_round, agency)},
            subjects=_by_label({label: value for value, label in CaseRecord.Subject.choices}),
            grades=_by_label({grade.label: grade for grade in layout.grades}),
            answers=_by_label({label: value for value, label in ChecklistAnswer.Answer.choices}),
        )


def _read_row(
    row: Row, known: Known, result: DryRun, seen: dict[tuple[str, str], int], columns: dict[str, str]
) -> ReadRow:
    read = ReadRow(row=row, result=RowResult(row.number, ""), columns=columns)
    reference = services.board_reference(read.text(REFERENCE) or "")
    read.result.label = reference
    result.rows.append(read.result)
    if not reference:
        read.problem(REFERENCE, "The board reference is empty", "The board reference of one of the return's cases")
        return read
    read.case = known.cases.get(reference)
    if read.case is None:
        read.problem(
            REFERENCE,
            f"{reference[:30]} is not a case of this round on which {known.agency.short_name} is expected",
            "A board reference as given in the return",
        )
        return read
    if read.is_empty:
        return read
    subject_text = read.text(SUBJECT) or ""
    read.subject = known.subjects.get(normalise(subject_text), "")
    if not read.subject:
        read.problem(
            SUBJECT,
            f"“{subject_text[:40]}” is not on the list" if subject_text else "Whose records these are is empty",
            "; ".join(CaseRecord.Subject.labels),
        )
    else:
        read.result.label = f"{reference}: {CaseRecord.Subject(read.subject).label.lower()}"
        if (reference, read.subject) in seen:
            read.problem(
                SUBJECT,
                f"Row {seen[reference, read.subject]} is the same record",
                "One row for each of the agency's records on a case",
            )
        seen[reference, read.subject] = row.number
    records_read = read.text(RECORDS_READ)
    # Left empty: an existing record keeps its count, a new one counts 1.
    if records_read:
        if records_read.isdigit():
            read.values["records_read"] = int(records_read)
        else:
            read.problem(RECORDS_READ, f"“{records_read[:20]}” is not a whole number", "A whole number from 1 to 999")
    for name, header in TEXTS.items():
        if (text := read.text(header)) is not None:
            read.values[name] = text
    for theme in known.layout.themes:
        if (text := read.text(grade_header(theme))) is None:
            continue
        grade = known.grades.get(normalise(text)) if text else None
        if text and grade is None:
            read.problem(
                grade_header(theme),
                f"“{text[:40]}” is not a grade of the scale",
                "; ".join(grade.label for grade in known.layout.grades),
            )
        read.grades[theme] = grade
    for question in known.layout.questions:
        answer_text, comment = read.text(answer_header(question)), read.text(comment_header(question))
        if answer_text is None and comment is None:
            continue
        answer = known.answers.get(normalise(answer_text or ""), "")
        if answer_text and not answer:
            read.problem(
                answer_header(question),
                f"“{answer_text[:40]}” is not an answer",
                "; ".join(ChecklistAnswer.Answer.labels),
            )
        read.answers[question] = (answer, comment or "")
    version = read.text(VERSION)
    if version:
        if version.isdigit():
            read.version = int(version)
        else:
            read.problem(VERSION, "The version has been changed", "The version as downloaded, or an empty cell")
    return read


def _file_problems(sheet: Sheet) -> list[Problem]:
    if normalise(REFERENCE) not in {normalise(header) for header in sheet.headers}:
        return [Problem("", f"No column is headed “{REFERENCE}”", "The return's headers, as downloaded")]
    return []


class _Rollback(Exception):
    """Ends a dry run, or a row with a problem: everything it did is undone."""


def dry_run(*, audit_round: AuditRound, by: User, sheet: Sheet) -> DryRun:
    """What importing would do, row by row, with every problem: the import itself, undone."""
    result = DryRun()
    try:
        with transaction.atomic():
            result = _run(audit_round=audit_round, by=by, sheet=sheet)
            raise _Rollback
    except _Rollback:
        pass
    return result


@transaction.atomic
def import_return(*, audit_round: AuditRound, by: User, sheet: Sheet) -> DryRun:
    """Import every row without a problem, checked again now, in one transaction."""
    return _run(audit_round=audit_round, by=by, sheet=sheet)


def _run(*, audit_round: AuditRound, by: User, sheet: Sheet) -> DryRun:
    agency = return_of(audit_round, sheet)
    result = DryRun(problems=_file_problems(sheet))
    if result.problems:
        return result
    known = Known.read(audit_round, agency)
    seen: dict[tuple[str, str], int] = {}
    columns = {normalise(header): header for header in sheet.headers}
    for read in [_read_row(row, known, result, seen, columns) for row in sheet.rows]:
        if read.result.problems:
            read.result.outcome = Outcome.REFUSED
            continue
        if read.case is None or read.is_empty:
            continue
        try:
            with transaction.atomic():
                _import_row(read, case=read.case, known=known, by=by)
                if read.result.problems:
                    raise _Rollback
        except _Rollback:
            read.result.outcome = Outcome.REFUSED
            read.result.changes = []
    for item in result.rows:
        item.sort_problems()
    return result


def _record_of(case: AuditCase, subject: str) -> CaseRecord | None:
    return next((record for record in case.agency_records if record.subject == subject), None)  # type: ignore[attr-defined]


def _details(read: ReadRow, known: Known, record: CaseRecord | None) -> services.RecordDetails:
    def value(name: str, default: Any) -> Any:
        return read.values.get(name, getattr(record, name) if record is not None else default)

    return services.RecordDetails(
        agency=known.agency,
        subject=read.subject,
        records_read=value("records_read", 1),
        findings=value("findings", ""),
        strengths=value("strengths", ""),
        areas_for_development=value("areas_for_development", ""),
        grades=read.grades,
        answers=read.answers,
    )


def _changes(record: CaseRecord, details: services.RecordDetails) -> list[str]:
    changes = [
        field_label(CaseRecord, name)
        for name in ("records_read", *TEXTS)
        if getattr(record, name) != getattr(details, name)
    ]
    grades = {grade.theme_id: grade.grade_id for grade in record.grades.all()}
    changes += [
        f"grade for {theme.name.lower()}"
        for theme, grade in details.grades.items()
        if grades.get(theme.pk) != (grade.pk if grade else None)
    ]
    answers = {answer.question_id: (answer.answer, answer.comment) for answer in record.answers.all()}
    changes += [
        f"answer to “{question.text}”"
        for question, (answer, comment) in details.answers.items()
        if answers.get(question.pk, ("", "")) != ((answer, comment) if answer else ("", "")) or (not answer and comment)
    ]
    return [str(change) for change in changes]


def _cells() -> dict[str, str]:
    return {
        "agency": REFERENCE,
        NON_FIELD_ERRORS: REFERENCE,
        "subject": SUBJECT,
        "records_read": RECORDS_READ,
        **TEXTS,
    }


def _report(read: ReadRow, error: ValidationError, known: Known) -> None:
    """A service's refusal, beside the cell it concerns."""
    cells = _cells()
    for theme in known.layout.themes:
        cells[services.grade_key(theme)] = grade_header(theme)
    for question in known.layout.questions:
        cells[services.answer_key(question)] = answer_header(question)
        cells[services.comment_key(question)] = comment_header(question)
    if hasattr(error, "error_dict"):
        for key, errors in error.error_dict.items():
            for message in errors:
                for text in message.messages:
                    read.problem(cells.get(key, REFERENCE), text.rstrip("."))
    else:
        for text in error.messages:
            read.problem(REFERENCE, text.rstrip("."))


def _import_row(read: ReadRow, *, case: AuditCase, known: Known, by: User) -> None:
    record = _record_of(case, read.subject)
    details = _details(read, known, record)
    try:
        if record is None:
            if known.agency not in case.expected_agencies.all():
                read.problem(
                    REFERENCE,
                    f"{known.agency.short_name} is not expected to return a record on {case.reference}",
                    "A case the agency is expected on; the audit team adds the agency to the case first",
                )
                return
            services.record_create(case=case, by=by, details=details)
            read.result.outcome = Outcome.CREATE
            return
        read.result.changes = _changes(record, details)
        if not read.result.changes:
            return
        fresh = CaseRecord.objects.select_related("case__audit_round").get(pk=record.pk)
        services.record_update(
            record=fresh,
            by=by,
            expected_version=read.version if read.version is not None else fresh.version,
            details=details,
        )
        read.result.outcome = Outcome.CHANGE
    except EditConflict as conflict:
        who = conflict.saved_by.get_full_name() if conflict.saved_by else "Someone"
        read.problem(
            REFERENCE,
            f"{who} has changed this record in the service since the return was downloaded",
            "Download the return again, copy this row's changes into it and upload that",
        )
    except ValidationError as error:
        _report(read, error, known)


def summary(result: DryRun) -> str:
    text = (
        f"The return has been imported: {result.creates} record{'' if result.creates == 1 else 's'} added, "
        f"{result.changes} changed, {result.unchanged} left as {'it was' if result.unchanged == 1 else 'they were'}."
    )
    if result.refused:
        rows = "1 row was" if result.refused == 1 else f"{result.refused} rows were"
        text += f" {rows} not imported: put their problems right in the file and import it again."
    return text
