"""The import core: any file is read into rows of cells named by reference, or refused
with a message saying what would do; never a fault."""

from __future__ import annotations

import datetime
import io
import json
import os

import openpyxl
import pytest

from dscb import imports
from dscb.imports import ImportRefused


def xlsx(rows, *, merge: str = "", instructions: bool = False) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if instructions:
        sheet.title = "Instructions"
        sheet.append(["Fill in the next sheet"])
        sheet = workbook.create_sheet("Plan")
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_it_reads_an_xlsx_with_a_merged_title_and_blank_rows_naming_each_cell():
    content = xlsx(
        [
            ["Action plan", None, None],
            [],
            ["Number", "Recommendation", "By when"],
            [],
            ["1.1", "Share the plan", datetime.datetime(2011, 3, 4)],  # noqa: DTZ001  (a spreadsheet date has no zone),
            [None, None, None],
            [2.5, "Text", "April 2017"],
        ],
        merge="A1:C1",
        instructions=True,
    )
    sheet = imports.read_bytes(content, name="plan.xlsx")
    assert sheet.headers == ["Number", "Recommendation", "By when"]
    assert sheet.header_row == 3
    assert [row.number for row in sheet.rows] == [5, 7]
    first = sheet.rows[0]
    assert first.get("Recommendation") == imports.Cell("B5", "Share the plan")
    assert first.get("By when").text == "2011-03-04"
    assert sheet.rows[1].get("Number") == imports.Cell("A7", "2.5")


def test_it_reads_a_csv_with_a_byte_order_mark_and_semicolons():
    content = '\ufeffNumber;Recommendation\n\n1.1;Share the plan\n1.2;=HYPERLINK("x")\n'.encode()
    sheet = imports.read_bytes(content, name="plan.csv")
    assert sheet.headers == ["Number", "Recommendation"]
    assert sheet.rows[0].get("Recommendation") == imports.Cell("B3", "Share the plan")
    # A cell looking like a formula is data, kept as typed.
    assert sheet.rows[1].get("Recommendation") == imports.Cell("B4", '=HYPERLINK("x")')


def test_blank_and_repeated_headers_are_named_by_their_column():
    sheet = imports.read_bytes(b"Number,,Lead,Lead\n1.1,x,a,b\n")
    assert sheet.headers == ["Number", "Column B", "Lead", "Column D (Lead)"]


def test_the_sheet_survives_the_session_as_plain_data():
    sheet = imports.read_bytes(b"Number,Text\n1.1,x\n")
    assert imports.Sheet.from_data(sheet.to_data()) == sheet


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "plan.csv", "The file is empty"),
        (b"   \n\n", "plan.csv", "The file is empty"),
        (os.urandom(4000).replace(b"PK", b"pk") + b"\x00", "plan.csv", "neither an Excel workbook nor a CSV"),
        (b"PK\x03\x04" + os.urandom(2000), "plan.xlsx", "could not be opened as an Excel workbook"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "plan.xls", "older Excel file"),
        ("Número,Texto\n1.1,é\n".encode("latin-1"), "plan.csv", "not in UTF-8"),
        (b"Number,Recommendation\n", "plan.csv", "no rows below it"),
        (b"just one column\nand another line\n", "plan.csv", "No header row was found"),
        (b"Number,Text\n" + b"1.1,x\n" * (imports.MAX_ROWS + 1), "plan.csv", "more than 2,000 rows"),
        (b"not really a workbook", "plan.xlsx", "could not be read as an Excel workbook"),
    ],
)
def test_a_file_that_cannot_be_imported_is_refused_with_a_message(content, name, message):
    with pytest.raises(ImportRefused, match=message):
        imports.read_bytes(content, name=name)


def test_a_file_too_big_is_refused_before_it_is_read():
    class Upload:
        size = imports.MAX_FILE_BYTES + 1
        name = "plan.csv"

        def read(self, size=-1):  # pragma: no cover - never called
            raise AssertionError

    with pytest.raises(ImportRefused, match="largest accepted is 2 MB"):
        imports.read(Upload())


def test_a_huge_workbook_is_refused_at_the_row_limit():
    content = xlsx([["Number", "Text"], *[[f"1.{n}", "x"] for n in range(imports.MAX_ROWS + 5)]])
    with pytest.raises(ImportRefused, match="more than 2,000 rows"):
        imports.read_bytes(content, name="plan.xlsx")


def test_a_dry_run_counts_its_outcomes():
    run = imports.DryRun(
        rows=[
            imports.RowResult(2, "1.1", outcome=imports.Outcome.CREATE),
            imports.RowResult(3, "1.2", outcome=imports.Outcome.REFUSED, problems=[imports.Problem("A3", "x", "y")]),
        ]
    )
    assert (run.creates, run.changes, run.unchanged, run.refused) == (1, 0, 0, 1)
    assert run.importable
    assert run.rows[1].refused


def test_a_dry_run_survives_the_session_as_plain_data():
    run = imports.DryRun(
        rows=[imports.RowResult(3, "1.2", outcome="change", changes=["leads"], problems=[imports.Problem("A3", "x")])],
        problems=[imports.Problem("", "y", "z", notice=True)],
    )
    assert imports.DryRun.from_data(json.loads(json.dumps(run.to_data()))) == run


def test_a_workbook_repeating_a_long_text_is_refused_at_the_text_limit():
    long_text = "x" * imports.MAX_CELL_CHARS
    content = xlsx([["Number", "Text"], *[[f"1.{n}", long_text] for n in range(1000)]])
    with pytest.raises(ImportRefused, match="more text than an action plan would"):
        imports.read_bytes(content, name="plan.xlsx")
