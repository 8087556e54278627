"""An agency's return by spreadsheet in the browser: the audit team downloads Police's
return from the round's page, it is filled in (as the agency would, offline), uploaded,
checked in the dry run with a problem beside its cell, and imported; the record is then
on the case. axe-core finds no violation, and the browser no CSP problem or script error,
on the pages on the way."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
from playwright.sync_api import Page, expect

from audits import returns
from audits.models import AuditRound, CaseRecord, Grade, Theme
from dscb.models import Role
from tests.browser.conftest import PageProblems, audit_page, make_role_user, sign_in_with_mfa
from tests.browser.test_case_audits import arrive
from tests.factories import AuditCaseFactory, AuditRoundFactory, police


def test_the_audit_team_imports_an_agencys_return_from_a_spreadsheet(
    page: Page, live_server: Any, page_problems: PageProblems, tmp_path: Path
) -> None:
    audit_round = AuditRoundFactory(title="Returns by spreadsheet", state=AuditRound.State.COLLECTING)
    first = AuditCaseFactory(audit_round=audit_round, reference="MACA-2010-09-201")
    second = AuditCaseFactory(audit_round=audit_round, reference="MACA-2010-09-202")
    for case in (first, second):
        case.expected_agencies.set([police()])
    user, secret = make_role_user(Role.AUDIT_TEAM)
    sign_in_with_mfa(page, live_server, user, secret)
    page_problems.clear()
    failures: list[str] = []

    round_url = f"{live_server.url}/audits/rounds/{audit_round.pk}/"
    page.goto(round_url)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download Police's return (XLSX)").click()
    downloaded = download_info.value
    assert downloaded.suggested_filename == f"return-round-{audit_round.pk}-police.xlsx"
    content = Path(downloaded.path()).read_bytes()

    # The agency fills it in offline: its first case's record, and a grade not on the scale for the second.
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook[returns.RETURN_SHEET]
    headers = [cell.value for cell in sheet[1]]
    theme = Theme.objects.active().first()
    grade = Grade.objects.active().first()

    def type_in(row: int, header: str, value: object) -> None:
        sheet.cell(row=row, column=headers.index(header) + 1).value = value

    type_in(2, returns.SUBJECT, "The child")
    type_in(2, returns.RECORDS_READ, 2)
    type_in(2, "Findings", "Chronology on file.")
    type_in(2, returns.grade_header(theme), grade.label)
    type_in(3, returns.SUBJECT, "The child")
    type_in(3, returns.grade_header(theme), "Brilliant")
    spreadsheet = tmp_path / "police return.xlsx"
    workbook.save(spreadsheet)

    page.get_by_role("link", name="Upload a return an agency has sent back").click()
    arrive(page, f"{round_url}agency-returns/upload/", "Upload an agency's return")
    failures += audit_page(page, page_problems)
    page.get_by_label("Agency's return").set_input_files(str(spreadsheet))
    page.get_by_role("button", name="Upload and check").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Check what the return would do")
    rows = page.get_by_role("table", name="What importing each row would do")
    expect(rows.locator("#row-2")).to_contain_text("Will be added")
    column = openpyxl.utils.get_column_letter(headers.index(returns.grade_header(theme)) + 1)
    expect(rows.locator("#row-3")).to_contain_text(f"{column}3")
    expect(rows.locator("#row-3")).to_contain_text("“Brilliant” is not a grade of the scale")
    failures += audit_page(page, page_problems)
    assert not CaseRecord.objects.exists()
    page.get_by_role("button", name="Import 1 record").click()

    arrive(page, round_url, "Returns by spreadsheet")
    expect(page.get_by_role("main")).to_contain_text("The return has been imported: 1 record added")
    record = CaseRecord.objects.get()
    assert (record.case, record.agency, record.records_read, record.findings) == (
        first,
        police(),
        2,
        "Chronology on file.",
    )
    page.goto(f"{live_server.url}/audits/records/{record.pk}/")
    expect(page.get_by_label("Findings", exact=True)).to_have_value("Chronology on file.")
    assert not failures, "\n".join(failures)
