"""An agency's return by spreadsheet: downloaded for the agency, filled in offline, uploaded
by the audit team, checked in a dry run and imported through the same services as the
record form. Round trips, every refusal named by its cell, conflicts and the pages."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audits import returns, services
from audits.models import AuditRound, CaseRecord, ChecklistAnswer, ChecklistQuestion, Grade, Theme
from dscb import imports as core
from dscb.imports import ImportRefused, Outcome
from dscb.models import Agency, Role
from tests.conftest import make_user, queries_for
from tests.factories import AuditCaseFactory, AuditRoundFactory, CaseRecordFactory, police

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit_team():
    return make_user(Role.AUDIT_TEAM)


@pytest.fixture
def audit_round():
    return AuditRoundFactory(state=AuditRound.State.COLLECTING)


@pytest.fixture
def cases(audit_round):
    """Two cases Police are expected on, and one they are not."""
    first = AuditCaseFactory(audit_round=audit_round, reference="MACA-2010-09-101")
    second = AuditCaseFactory(audit_round=audit_round, reference="MACA-2010-09-102")
    other = AuditCaseFactory(audit_round=audit_round, reference="MACA-2010-09-103")
    first.expected_agencies.set([police()])
    second.expected_agencies.set([police()])
    other.expected_agencies.set(Agency.objects.filter(short_name="GP"))
    return first, second, other


def workbook_of(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def headers_of(sheet) -> list[str]:
    return [cell.value for cell in sheet[1]]


def fill(content: bytes, rows: dict[int, dict[str, object]], *, extra: list[dict[str, object]] = ()) -> bytes:
    """The return with cells typed in: by row number, header and value; ``extra`` rows below."""
    workbook = workbook_of(content)
    sheet = workbook[returns.RETURN_SHEET]
    headers = headers_of(sheet)
    for number, values in rows.items():
        for header, value in values.items():
            sheet.cell(row=number, column=headers.index(header) + 1).value = value
    last = max(row[0].row for row in sheet.iter_rows(max_col=1) if row[0].value)
    for number, values in enumerate(extra, start=last + 1):
        for header, value in values.items():
            sheet.cell(row=number, column=headers.index(header) + 1).value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_of(content: bytes, name: str = "return.xlsx") -> core.Sheet:
    return returns.read_upload(SimpleUploadedFile(name, content))


def themes() -> list[Theme]:
    return list(Theme.objects.active())


def questions(audit_round) -> list[ChecklistQuestion]:
    return list(audit_round.questions.order_by("theme__position", "position", "pk"))


def a_filled_return(audit_round) -> tuple[bytes, dict[str, object]]:
    """Police's return with its first case's record typed in: every theme graded, every
    question answered, one comment."""
    grades = list(Grade.objects.active())
    typed: dict[str, object] = {
        returns.SUBJECT: "The child",
        returns.RECORDS_READ: 3,
        "Findings": "Chronology on file; strategy discussion held.",
        "Strengths": "Timely referral.",
        "Areas for development": "Minutes late.",
    }
    for index, theme in enumerate(themes()):
        typed[returns.grade_header(theme)] = grades[index % len(grades)].label
    for index, question in enumerate(questions(audit_round)):
        typed[returns.answer_header(question)] = ["Yes", "No", "Partly", "Not applicable"][index % 4]
    typed[returns.comment_header(questions(audit_round)[0])] = "Seen in the file."
    return fill(returns.return_xlsx(audit_round, police()), {2: typed}), typed


def problems(result) -> list[tuple[int, str, str]]:
    return [(row.number, problem.ref, problem.wrong) for row in result.rows for problem in row.problems]


# --- The workbook ---------------------------------------------------------------------------


def test_the_return_has_instructions_first_then_a_row_for_each_case_the_agency_is_expected_on(audit_round, cases):
    workbook = workbook_of(returns.return_xlsx(audit_round, police()))
    assert workbook.sheetnames == ["Instructions", "Return", "Lists"]
    instructions = "\n".join(
        str(cell.value) for row in workbook["Instructions"].iter_rows() for cell in row if cell.value
    )
    assert "OFFICIAL-SENSITIVE" in instructions
    assert audit_round.title in instructions
    assert "Police" in instructions
    assert "Do not change the board references" in instructions
    sheet = workbook["Return"]
    assert [row[0].value for row in sheet.iter_rows(min_row=2) if row[0].value] == [
        "MACA-2010-09-101",
        "MACA-2010-09-102",
    ]
    headers = headers_of(sheet)
    assert headers[:6] == ["Board reference", "Whose records", "Records read", *returns.TEXTS.values()]
    assert [returns.grade_header(theme) for theme in themes()] == headers[6 : 6 + len(themes())]
    assert headers[-1] == f"Return R{audit_round.pk}-A{police().pk} (do not change)"
    assert workbook["Lists"].sheet_state == "hidden"
    assert sheet.column_dimensions[openpyxl.utils.get_column_letter(len(headers))].hidden


def test_the_return_lists_the_rounds_grades_and_answers_in_its_cells(audit_round, cases):
    workbook = workbook_of(returns.return_xlsx(audit_round, police()))
    lists = workbook["Lists"]
    assert [row[0].value for row in lists.iter_rows(min_col=2, max_col=2) if row[0].value] == [
        grade.label for grade in Grade.objects.active()
    ]
    validations = {
        str(item.sqref).split(":")[0]: item.formula1 for item in workbook["Return"].data_validations.dataValidation
    }
    assert validations["B2"].startswith("Lists!$A$1")
    assert validations["G2"].startswith("Lists!$B$1")  # the first theme's grade
    first_answer = openpyxl.utils.get_column_letter(7 + len(themes()))
    assert validations[f"{first_answer}2"].startswith("Lists!$C$1")


def test_an_appreciative_inquiry_return_has_no_grades(cases):
    inquiry = AuditRoundFactory(kind=AuditRound.Kind.APPRECIATIVE_INQUIRY)
    case = AuditCaseFactory(audit_round=inquiry)
    case.expected_agencies.set([police()])
    headers = headers_of(workbook_of(returns.return_xlsx(inquiry, police()))["Return"])
    assert not [header for header in headers if header.startswith("Grade:")]


# --- Round trip -----------------------------------------------------------------------------


def test_a_return_round_trips(audit_round, cases, audit_team):
    content, typed = a_filled_return(audit_round)

    result = returns.dry_run(audit_round=audit_round, by=audit_team, sheet=sheet_of(content))
    assert problems(result) == []
    assert [(row.number, row.outcome) for row in result.rows] == [(2, Outcome.CREATE), (3, Outcome.UNCHANGED)]
    assert not CaseRecord.objects.exists()  # a dry run saves nothing

    result = returns.import_return(audit_round=audit_round, by=audit_team, sheet=sheet_of(content))
    assert (result.creates, result.changes, result.refused) == (1, 0, 0)
    record = CaseRecord.objects.get()
    assert (record.case, record.agency, record.subject, record.records_read) == (cases[0], police(), "child", 3)
    assert (record.findings, record.strengths, record.areas_for_development) == (
        typed["Findings"],
        typed["Strengths"],
        typed["Areas for development"],
    )
    assert {grade.theme.name: grade.grade.label for grade in record.grades.all()} == {
        theme.name: typed[returns.grade_header(theme)] for theme in themes()
    }
    labels = dict(ChecklistAnswer.Answer.choices)
    assert {answer.question_id: (labels[answer.answer], answer.comment) for answer in record.answers.all()} == {
        question.pk: (typed[returns.answer_header(question)], "Seen in the file." if index == 0 else "")
        for index, question in enumerate(questions(audit_round))
    }
    # The same history as the form leaves.
    assert LogEntry.objects.filter(additional_data__case_id=cases[0].pk).exists()

    # Imported again, nothing changes.
    version = record.version
    again = returns.import_return(audit_round=audit_round, by=audit_team, sheet=sheet_of(content))
    assert (again.creates, again.changes, again.unchanged, again.refused) == (0, 0, 2, 0)
    record.refresh_from_db()
    assert record.version == version

    # Downloaded again, the return holds what was imported, and sent back it changes nothing.
    exported = returns.return_xlsx(audit_round, police())
    sheet = workbook_of(exported)["Return"]
    headers = headers_of(sheet)
    row = {header: cell.value for header, cell in zip(headers, sheet[2], strict=False)}
    for header, value in typed.items():
        assert row[header] == value, header
    assert row[returns.VERSION] == record.version
    unchanged = returns.dry_run(audit_round=audit_round, by=audit_team, sheet=sheet_of(exported))
    assert (unchanged.creates, unchanged.changes, unchanged.refused) == (0, 0, 0)


def test_a_changed_return_changes_only_what_changed(audit_round, cases, audit_team):
    content, _ = a_filled_return(audit_round)
    returns.import_return(audit_round=audit_round, by=audit_team, sheet=sheet_of(content))
    exported = returns.return_xlsx(audit_round, police())
    theme = themes()[0]
    label = Grade.objects.active().last().label
    changed = fill(exported, {2: {"Findings": "Chronology on file.", returns.grade_header(theme): label}})
    result = returns.import_return(audit_round=audit_round, by=audit_team, sheet=sheet_of(changed))
    assert [row.outcome for row in result.rows] == [Outcome.CHANGE, Outcome.UNCHANGED]
    assert result.rows[0].changes == ["findings", f"grade for {theme.name.lower()}"]
    record = CaseRecord.objects.get()
    assert record.findings == "Chronology on file."
    assert record.grades.get(theme=theme).grade.label == label


def test_a_second_record_on_a_case_is_a_row_of_its_own(audit_round, cases, audit_team):
    content, _ = a_filled_return(audit_round)
    sibling = {returns.REFERENCE: "MACA-2010-09-101", returns.SUBJECT: "A sibling", returns.RECORDS_READ: 1}
    result = returns.import_return(
        audit_round=audit_round, by=audit_team, sheet=sheet_of(fill(content, {}, extra=[sibling]))
    )
    assert result.creates == 2
    assert sorted(CaseRecord.objects.values_list("subject", flat=True)) == ["child", "sibling"]


# --- Refusals, each by its cell -------------------------------------------------------------


def test_a_board_reference_not_on_the_return_is_refused_by_its_cell(audit_round, cases, audit_team):
    content, _ = a_filled_return(audit_round)
    filled = fill(
        content,
        {3: {returns.REFERENCE: "MACA-2010-09-103", returns.SUBJECT: "The child"}},
        extra=[{returns.REFERENCE: "NOT-A-CASE", returns.SUBJECT: "The child"}],
    )
    result = returns.dry_run(audit_round=audit_round, by=audit_team, sheet=sheet_of(filled))
    assert problems(result) == [
        (3, "A3", "MACA-2010-09-103 is not a case of this round on which Police is expected"),
        (4, "A4", "NOT-A-CASE is not a case of this round on which Police is expected"),
    ]
    assert [row.outcome for row in result.rows] == [Outcome.CREATE, Outcome.REFUSED, Outcome.REFUSED]


def test_a_grade_an_answer_or_whose_records_not_on_the_lists_is_refused_by_its_cell(audit_round, cases, audit_team):
    content, _ = a_filled_return(audit_round)
    theme, question = themes()[1], questions(audit_round)[1]
    headers = headers_of(workbook_of(content)["Return"])
    grade_column = openpyxl.utils.get_column_letter(headers.index(returns.grade_header(theme)) + 1)
    answer_column = openpyxl.utils.get_column_letter(headers.index(returns.answer_header(question)) + 1)
    filled = fill(
        content,
        {
            2: {returns.grade_header(theme): "Brilliant", returns.answer_header(question): "Maybe"},
            3: {returns.SUBJECT: "The dog", returns.RECORDS_READ: "two"},
        },
    )
    result = returns.dry_run(audit_round=audit_round, by=audit_team, sheet=sheet_of(filled))
    assert problems(result) == [
        (2, f"{grade_column}2", "“Brilliant” is not a grade of the scale"),
        (2, f"{answer_column}2", "“Maybe” is not an answer"),
        (3, "B3", "“The dog” is not on the list"),
        (3, "C3", "“two” is not a whole number"),
    ]
    assert result.refused == 2
    assert not result.importable


def test_a_comment_without_an_answer_is_refused_by_the_services_rule(audit_round, cases, audit_team):
    content, _ = a_filled_return(audit_round)
    question = questions(audit_round)[0]
    filled = fill(content, {2: {returns.answer_header(question): None}})
    result = returns.dry_run(audit_round=audit_round, by=audit_team, sheet=sheet_of(filled))
    headers = headers_of(workbook_of(content)["Return"])
    column = openpyxl.utils.get_column_letter(headers.index(returns.answer_header(question)) + 1)
    assert problems(result) == [(2, f"{column}2", f"Choose an answer to go with your comment on “{question.text}”")]


def test_identifying_details_in_text_are_refused_by_their_cell(audit_round, cases, audit_team):
    content, _ = a_filled_return(audit_round)
    question = questions(audit_round)[0]
    headers = headers_of(workbook_of(content)["Return"])
    comment_column = openpyxl.utils.get_column_letter(headers.index(returns.comment_header(question)) + 1)
    filled = fill(content, {2: {"Findings": "Born 04/03/2001, NHS number 943 476 5919."}})
    result = returns.dry_run(audit_round=audit_round, by=audit_team, sheet=sheet_of(filled))
    assert [ref for _, ref, _ in problems(result)] == ["D2"]
    assert result.rows[0].outcome == Outcome.REFUSED
    filled = fill(content, {2: {returns.comment_header(question): "Call mum on 07700 900123"}})
    result = returns.dry_run(audit_round=audit_round, by=audit_team, sheet=sheet_of(filled))
    assert [ref for _, ref, _ in problems(result)] == [f"{comment_column}2"]


def test_a_finalised_case_refuses_its_row(audit_round, cases, audit_team):
    content, _ = a_filled_return(audit_round)
    AuditCase = type(cases[0])
    AuditCase.objects.filter(pk=cases[0].pk).update(state=AuditCase.State.FINALISED)
    result = returns.dry_run(audit_round=audit_round, by=audit_team, sheet=sheet_of(content))
    assert problems(result) == [(2, "A2", services.CASE_IS_FINALISED.rstrip("."))]


def test_a_record_changed_since_the_download_is_not_overwritten(audit_round, cases, audit_team):
    record = CaseRecordFactory(case=cases[0], agency=police(), findings="As first returned.")
    exported = returns.return_xlsx(audit_round, police())
    CaseRecord.objects.filter(pk=record.pk).update(findings="Changed in the service.", version=record.version + 1)
    filled = fill(exported, {2: {"Findings": "Changed in the file."}})
    result = returns.import_return(audit_round=audit_round, by=audit_team, sheet=sheet_of(filled))
    assert [(ref, wrong.split(" has changed")[1]) for _, ref, wrong in problems(result)] == [
        ("A2", " this record in the service since the return was downloaded")
    ]
    record.refresh_from_db()
    assert record.findings == "Changed in the service."


def test_a_return_for_another_round_or_agency_is_refused_as_a_whole(audit_round, cases):
    other = AuditRoundFactory(title="December 2010")
    with pytest.raises(ImportRefused, match=f"another round “{audit_round.title}”, not for December 2010"):
        returns.return_of(other, sheet_of(returns.return_xlsx(audit_round, police())))
    outsider = Agency.objects.exclude(pk__in=audit_round.agencies.all()).first()
    with pytest.raises(ImportRefused, match="agency not taking part"):
        returns.return_of(
            audit_round,
            sheet_of(fill(returns.return_xlsx(audit_round, outsider), {2: {returns.REFERENCE: "MACA-2010-09-101"}})),
        )
    assert returns.return_of(audit_round, sheet_of(returns.return_xlsx(audit_round, police()))) == police()


def test_a_file_without_the_returns_code_is_refused(audit_round):
    sheet = core.read_bytes(b"Board reference,Whose records\nMACA-2010-09-101,The child\n", name="return.csv")
    with pytest.raises(ImportRefused, match="which round and agency"):
        returns.return_of(audit_round, sheet)


def test_a_return_saved_as_csv_is_read_like_the_workbook(audit_round, cases, audit_team):
    content, _ = a_filled_return(audit_round)
    sheet = workbook_of(content)["Return"]
    buffer = io.StringIO()
    import csv

    writer = csv.writer(buffer)
    for row in sheet.iter_rows(values_only=True):
        writer.writerow(["" if value is None else value for value in row])
    result = returns.import_return(
        audit_round=audit_round,
        by=audit_team,
        sheet=returns.read_upload(SimpleUploadedFile("r.csv", buffer.getvalue().encode())),
    )
    assert (result.creates, result.refused) == (1, 0)


def test_a_damaged_file_is_refused(audit_round):
    with pytest.raises(ImportRefused, match="damaged"):
        returns.read_upload(SimpleUploadedFile("return.xlsx", b"PK\x03\x04 not really a workbook"))


# --- The pages ------------------------------------------------------------------------------


def test_the_round_page_links_each_agencys_return(audit_team_client, audit_round, cases):
    page = audit_team_client.get(reverse("audits:round_detail", args=[audit_round.pk])).content.decode()
    assert "Returns by spreadsheet" in page
    for agency in audit_round.agencies.all():
        assert reverse("audits:agency_return", args=[audit_round.pk, agency.pk]) in page
    assert reverse("audits:return_upload", args=[audit_round.pk]) in page


def test_the_download_is_a_workbook_named_for_the_agency(audit_team_client, audit_round, cases):
    response = audit_team_client.get(reverse("audits:agency_return", args=[audit_round.pk, police().pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f'filename="return-round-{audit_round.pk}-police.xlsx"' in response["Content-Disposition"]
    assert workbook_of(response.content).sheetnames[0] == "Instructions"


def test_an_agency_not_taking_part_has_no_return(audit_team_client, audit_round):
    outsider = Agency.objects.exclude(pk__in=audit_round.agencies.all()).first()
    assert audit_team_client.get(reverse("audits:agency_return", args=[audit_round.pk, outsider.pk])).status_code == 404


def test_upload_review_and_import_through_the_pages(audit_team_client, audit_round, cases):
    content, _ = a_filled_return(audit_round)
    upload_url = reverse("audits:return_upload", args=[audit_round.pk])
    response = audit_team_client.post(upload_url, {"upload": SimpleUploadedFile("police.xlsx", content)})
    assert response.status_code == 302
    review_url = response["Location"]
    page = audit_team_client.get(review_url).content.decode()
    assert "would add 1 record" in page
    assert "Import 1 record" in page
    key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
    assert not CaseRecord.objects.exists()
    response = audit_team_client.post(review_url, {"submission_key": key})
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:round_detail", args=[audit_round.pk])
    assert CaseRecord.objects.count() == 1
    page = audit_team_client.get(response["Location"]).content.decode()
    assert "The return has been imported: 1 record added" in page


def test_an_upload_for_another_round_is_refused_beside_the_field(audit_team_client, audit_round, cases):
    other = AuditRoundFactory()
    response = audit_team_client.post(
        reverse("audits:return_upload", args=[other.pk]),
        {"upload": SimpleUploadedFile("police.xlsx", returns.return_xlsx(audit_round, police()))},
    )
    assert response.status_code == 200
    assert "This file is a return for another round" in response.content.decode()


def test_the_review_page_shows_each_problem_by_its_cell(audit_team_client, audit_round, cases):
    content, _ = a_filled_return(audit_round)
    filled = fill(content, {3: {returns.SUBJECT: "The dog"}})
    response = audit_team_client.post(
        reverse("audits:return_upload", args=[audit_round.pk]), {"upload": SimpleUploadedFile("p.xlsx", filled)}
    )
    page = audit_team_client.get(response["Location"]).content.decode()
    assert "<strong>B3</strong>: “The dog” is not on the list." in page
    assert "Import 1 record" in page


def test_a_completed_round_takes_no_upload(audit_team_client, audit_round):
    AuditRound.objects.filter(pk=audit_round.pk).update(state=AuditRound.State.COMPLETED)
    response = audit_team_client.get(reverse("audits:return_upload", args=[audit_round.pk]))
    assert response.status_code == 302


def test_an_agency_auditor_may_not_import_a_return(persona_client, audit_round):
    client = persona_client("agency_auditor")
    audit_round.auditors.add(client.user)
    assert client.get(reverse("audits:return_upload", args=[audit_round.pk])).status_code == 403
    assert client.get(reverse("audits:agency_return", args=[audit_round.pk, police().pk])).status_code == 403


def test_the_download_and_the_review_run_as_many_queries_however_many_cases(audit_team_client, audit_round, cases):
    """Download: session, user, round, the agency, read logged, security event, scales
    (themes, grades, questions), cases, their expected agencies, records, grades, answers. Review: session,
    user, round, read logged, agency."""
    CaseRecordFactory(case=cases[0], agency=police())
    download = reverse("audits:agency_return", args=[audit_round.pk, police().pk])
    upload = reverse("audits:return_upload", args=[audit_round.pk])

    def counts() -> tuple[int, int]:
        downloaded = queries_for(audit_team_client, download)
        response = audit_team_client.post(
            upload, {"upload": SimpleUploadedFile("p.xlsx", audit_team_client.get(download).content)}
        )
        return downloaded, queries_for(audit_team_client, response["Location"])

    few = counts()
    for _ in range(8):
        case = AuditCaseFactory(audit_round=audit_round)
        case.expected_agencies.set([police()])
        CaseRecordFactory(case=case, agency=police(), findings="Returned.")
    assert counts() == few == (14, 5)


def test_a_records_read_cell_left_empty_keeps_the_records_count(audit_round, cases, audit_team):
    content, _typed = a_filled_return(audit_round)
    returns.import_return(audit_round=audit_round, by=audit_team, sheet=sheet_of(content))
    record = CaseRecord.objects.get()
    assert record.records_read == 3
    emptied = fill(returns.return_xlsx(audit_round, police()), {2: {"Records read": None}})
    result = returns.import_return(audit_round=audit_round, by=audit_team, sheet=sheet_of(emptied))
    assert problems(result) == []
    record.refresh_from_db()
    assert record.records_read == 3
