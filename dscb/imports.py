"""Reading a spreadsheet someone uploads (XLSX or CSV) into rows of cells, each knowing
its cell reference ("C7"), and the shape of a dry run: what importing each row would do
and what is wrong with it, cell by cell, before anything is saved.

Any file at all is answered with a message, never a server error: a file too big, of
another kind, or unreadable is refused with ``ImportRefused`` saying what would be
accepted. Cell text is data: a cell that looks like a formula is kept as the text it is,
and pages escape it as any other text.

The limits, stated to the person on the upload page (``LIMITS``):

- at most ``MAX_FILE_BYTES`` (2 MB) uploaded, at most ``MAX_UNPACKED_BYTES`` once an
  XLSX is unpacked;
- at most ``MAX_ROWS`` (2,000) rows below the header, ``MAX_COLUMNS`` (30) columns read,
  ``MAX_CELL_CHARS`` (5,000) characters in a cell (one more is kept, so a longer text is
  refused by the field's own limit), ``MAX_TOTAL_CHARS`` in all.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import models

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 2000
MAX_COLUMNS = 30
MAX_CELL_CHARS = 5000
# All the text kept between the dry run and the import: a workbook repeating one long text
# in every cell unpacks to far more than it weighs.
MAX_TOTAL_CHARS = 4_000_000
# Rows looked at for the header before giving up.
HEADER_SEARCH_ROWS = 20
LIMITS = (
    f"An Excel workbook (.xlsx) or a CSV file of at most {MAX_FILE_BYTES // (1024 * 1024)} MB, "
    f"with at most {MAX_ROWS:,} rows below its header row and {MAX_COLUMNS} columns."
)
DAMAGED = "The file could not be opened as an Excel workbook: it may be damaged."
ACCEPTED_KINDS = "Save it as an Excel workbook (.xlsx) or as CSV (UTF-8), then upload it again."
INSTRUCTIONS_SHEET = "instructions"


class ImportRefused(Exception):
    """The file as a whole cannot be read: the message says why and what would do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@dataclass(frozen=True)
class Cell:
    """One cell's value as text (a date as 2011-03-04), and where it is."""

    ref: str
    text: str

    def __bool__(self) -> bool:
        return bool(self.text)


@dataclass(frozen=True)
class Row:
    """A row below the header: its number in the sheet and its cells, by header."""

    number: int
    cells: dict[str, Cell]

    def get(self, header: str) -> Cell | None:
        return self.cells.get(header)


@dataclass(frozen=True)
class Sheet:
    """What a file holds: the header row's texts, in order (a blank header is named by
    its column, "Column D"), and the rows below it that have anything in them."""

    headers: list[str]
    header_row: int
    rows: list[Row]

    def to_data(self) -> dict[str, Any]:
        """Plain data, to keep between the dry run and the import (the session)."""
        return {
            "headers": self.headers,
            "header_row": self.header_row,
            "rows": [
                [row.number, {header: [cell.ref, cell.text] for header, cell in row.cells.items()}] for row in self.rows
            ],
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Sheet:
        return cls(
            headers=list(data["headers"]),
            header_row=int(data["header_row"]),
            rows=[
                Row(int(number), {header: Cell(ref, text) for header, (ref, text) in cells.items()})
                for number, cells in data["rows"]
            ],
        )


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    # The service's own downloads keep formula-looking text as text with a leading
    # apostrophe (dscb.lists.safe_cell): read back, it is the text it was.
    if text.startswith("'") and text[1:2] and text[1] in "=+-@":
        return text[1:]
    return text


def read(upload: Any, *, max_columns: int = MAX_COLUMNS) -> Sheet:
    """The rows of an uploaded XLSX or CSV (anything with ``read`` and ``size``/``name``),
    or ``ImportRefused``. ``max_columns``: columns read, for a layout the service wrote
    itself with more (an agency's return: a column per theme and question)."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_FILE_BYTES:
        raise ImportRefused(f"The file is {size / (1024 * 1024):.1f} MB: the largest accepted is 2 MB. {LIMITS}")
    content = upload.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise ImportRefused(f"The file is larger than 2 MB. {LIMITS}")
    return read_bytes(content, name=getattr(upload, "name", "") or "", max_columns=max_columns)


def read_bytes(content: bytes, *, name: str = "", max_columns: int = MAX_COLUMNS) -> Sheet:
    if not content.strip():
        raise ImportRefused("The file is empty. " + ACCEPTED_KINDS)
    if content.startswith(b"PK\x03\x04"):
        values = _xlsx_values(content, max_columns)
    elif content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportRefused(
            "This is an older Excel file (.xls). Open it in Excel and save it as an Excel workbook (.xlsx)."
        )
    elif name.lower().endswith((".xlsx", ".xlsm", ".xls", ".ods")):
        raise ImportRefused(f"“{name[:100]}” could not be read as an Excel workbook. {ACCEPTED_KINDS}")
    else:
        values = _csv_values(content)
    return _sheet(values, max_columns)


def _xlsx_values(content: bytes, max_columns: int = MAX_COLUMNS) -> Iterator[list[object]]:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ImportRefused(f"{DAMAGED} {ACCEPTED_KINDS}") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportRefused(f"The workbook holds too much once opened. {LIMITS}")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged file; none may reach the person as a fault
        raise ImportRefused(f"{DAMAGED} {ACCEPTED_KINDS}") from None
    sheets = [sheet for sheet in workbook.worksheets if sheet.title.strip().lower() != INSTRUCTIONS_SHEET]
    if not sheets:
        workbook.close()
        raise ImportRefused("The workbook has no sheet other than its instructions.")
    return _rows_of(workbook, sheets[0], max_columns)


def _rows_of(workbook: Any, sheet: Any, max_columns: int = MAX_COLUMNS) -> Iterator[list[object]]:
    try:
        for values in sheet.iter_rows(max_col=max_columns, values_only=True):
            yield list(values)
    except ImportRefused:
        raise
    except Exception:
        raise ImportRefused("Part of the workbook could not be read: it may be damaged. " + ACCEPTED_KINDS) from None
    finally:
        workbook.close()


def _csv_values(content: bytes) -> Iterator[list[object]]:
    if b"\x00" in content:
        raise ImportRefused("The file is neither an Excel workbook nor a CSV file. " + ACCEPTED_KINDS)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(
            "The CSV file is not in UTF-8. In Excel choose Save As, then “CSV UTF-8 (comma delimited)”."
        ) from None
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        yield from csv.reader(io.StringIO(text, newline=""), dialect)
    except csv.Error:
        message = "The CSV file could not be read: a quoted cell may not be closed."
        raise ImportRefused(f"{message} {ACCEPTED_KINDS}") from None


def _sheet(values: Iterable[list[object]], max_columns: int = MAX_COLUMNS) -> Sheet:
    """Find the header (the first row with several cells filled, in the first rows with
    anything in them: a title above it, merged or not, is passed over) and keep the rows
    below it that have anything in them."""
    header: list[str] | None = None
    header_row = 0
    rows: list[Row] = []
    looked = 0
    total = 0
    for number, raw in enumerate(values, start=1):
        texts = [_text(value)[: MAX_CELL_CHARS + 1] for value in raw[:max_columns]]
        if not any(texts):
            continue
        if header is None:
            looked += 1
            if sum(1 for text in texts if text) >= 2:
                header, header_row = _headers(texts), number
            elif looked >= HEADER_SEARCH_ROWS:
                break
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportRefused(f"The file has more than {MAX_ROWS:,} rows below its header. {LIMITS}")
        total += sum(len(text) for text in texts)
        if total > MAX_TOTAL_CHARS:
            raise ImportRefused(f"The file holds more text than an action plan would: split it in two. {LIMITS}")
        cells = {
            header[index]: Cell(f"{column_letter(index + 1)}{number}", text)
            for index, text in enumerate(texts)
            if index < len(header)
        }
        rows.append(Row(number, cells))
    if header is None:
        raise ImportRefused(
            "No header row was found: the first rows should name the columns, like “Number” and “Recommendation”."
        )
    if not rows:
        raise ImportRefused("The file has a header row but no rows below it.")
    return Sheet(headers=header, header_row=header_row, rows=rows)


def _headers(texts: Sequence[str]) -> list[str]:
    """Each header as written, made unique: a blank one (under a merged cell) is named
    by its column, a repeated one by its column too."""
    texts = list(texts)
    while texts and not texts[-1]:
        texts.pop()
    headers: list[str] = []
    for index, text in enumerate(texts):
        name = " ".join(text.split())[:100]
        if not name or name in headers:
            name = f"Column {column_letter(index + 1)}" + (f" ({name})" if name else "")
        headers.append(name)
    return headers


def normalise(header: str) -> str:
    """A header as compared: lower case, no punctuation or extra spaces ("Lead(s)" -> "lead s")."""
    return " ".join("".join(ch if ch.isalnum() else " " for ch in header.lower()).split())


# --- A dry run ------------------------------------------------------------------------------


class Outcome(models.TextChoices):
    CREATE = "create", "Will be added"
    CHANGE = "change", "Will be changed"
    UNCHANGED = "unchanged", "Left as it is"
    REFUSED = "refused", "Not imported"


@dataclass(frozen=True)
class Problem:
    """One thing wrong, where, and what would be accepted instead. ``ref`` is a cell
    ("C7"), or empty for the row or the file as a whole."""

    ref: str
    wrong: str
    accepted: str = ""
    # A notice is reported, but the row is imported all the same (a date kept as text).
    notice: bool = False


@dataclass
class RowResult:
    """What importing one row would do: its outcome, the fields it would change, its problems."""

    number: int
    label: str
    outcome: str = Outcome.UNCHANGED
    changes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return any(not problem.notice for problem in self.problems)

    def sort_problems(self) -> None:
        """In the order of the row's cells, left to right; the row's own last."""

        def column(problem: Problem) -> tuple[int, int, str]:
            letters = problem.ref.rstrip("0123456789")
            return (0 if letters else 1, len(letters), letters)

        self.problems.sort(key=column)

    @property
    def outcome_label(self) -> str:
        return Outcome(self.outcome).label


@dataclass
class DryRun:
    """Every row's result, and the file's own problems (a column missing)."""

    rows: list[RowResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def creates(self) -> int:
        return self.count(Outcome.CREATE)

    @property
    def changes(self) -> int:
        return self.count(Outcome.CHANGE)

    @property
    def unchanged(self) -> int:
        return self.count(Outcome.UNCHANGED)

    @property
    def refused(self) -> int:
        return self.count(Outcome.REFUSED)

    @property
    def importable(self) -> bool:
        return not self.problems and (self.creates + self.changes) > 0

    def to_data(self) -> dict[str, Any]:
        """Plain data, to show again without doing it again (the session)."""
        return asdict(self)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> DryRun:
        return cls(
            rows=[
                RowResult(**{**row, "problems": [Problem(**problem) for problem in row["problems"]]})
                for row in data["rows"]
            ],
            problems=[Problem(**problem) for problem in data["problems"]],
        )


# --- Between the dry run and the import ----------------------------------------------------
# The file is read once, on upload, into plain rows kept in the person's own session under
# a random token (never on disk, never where anyone else can reach it); the dry run and the
# import read them from there. One upload of each kind is kept at a time.


def keep_upload(session: Any, prefix: str, token: str, kept: dict[str, Any]) -> None:
    """Keep ``kept`` under ``token``, dropping any earlier upload of the same kind."""
    stale = [key for key in session.keys() if key.startswith(prefix) and key != prefix + token]  # noqa: SIM118
    for key in stale:
        del session[key]
    session[prefix + token] = kept


def kept_upload(session: Any, prefix: str, token: str, **owner: object) -> dict[str, Any] | None:
    """What was kept under ``token``, if it belongs to ``owner`` (its person and what it is
    imported into); None otherwise."""
    kept = session.get(prefix + token)
    if not isinstance(kept, dict) or any(kept.get(name) != value for name, value in owner.items()):
        return None
    return kept
