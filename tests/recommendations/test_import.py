"""An action plan from a spreadsheet: each rule of the import, through the same services
as the forms; a messy hand-made file; and the demo plan round-tripped through the template."""

from __future__ import annotations

import csv
import datetime
import io
import re

import openpyxl
import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from dscb import imports as core
from dscb.imports import Outcome
from dscb.models import Agency, Role
from recommendations import imports
from recommendations.imports import Settings
from recommendations.lists import PlanList
from recommendations.models import (
    ActionPlan,
    Evidence,
    ImportMapping,
    PlanSection,
    ProgressUpdate,
    Recommendation,
    ReviewCycle,
)
from reports import document
from reports.models import Report
from tests.conftest import make_user
from tests.factories import ActionPlanFactory, PlanSectionFactory, RecommendationFactory, rag

pytestmark = pytest.mark.django_db

HEADERS = [item.header for item in imports.FIELDS]


@pytest.fixture
def executive():
    return make_user(Role.EXECUTIVE)


@pytest.fixture
def plan():
    return ActionPlanFactory()


def sheet_of(*rows: list[object], headers: list[str] = HEADERS) -> core.Sheet:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return core.read_bytes(buffer.getvalue().encode(), name="plan.csv")


def row(number="1.1", section="Audit of December 2009", text="Share the plan", evidence="", status="", leads="",
        agencies="", by_when="", updated=""):  # fmt: skip
    return [number, section, text, evidence, status, leads, agencies, by_when, updated]


def run(plan, executive, sheet, *, commit=True, **settings):
    chosen = Settings(columns=imports.guess_columns(sheet.headers), **settings)
    if commit:
        return imports.import_plan(plan=plan, by=executive, sheet=sheet, settings=chosen)
    return imports.dry_run(plan=plan, by=executive, sheet=sheet, settings=chosen)


def problems(result) -> list[tuple[int, str, str]]:
    return [(row.number, problem.ref, problem.wrong) for row in result.rows for problem in row.problems]


def test_the_templates_headers_are_read_as_their_fields():
    assert imports.guess_columns(HEADERS) == {item.header: item.key for item in imports.FIELDS}


def test_common_other_headers_are_read_too_and_the_rest_left_out():
    columns = imports.guess_columns(["No.", "Audit", "Recommendation", "Lead", "State", "RAG", "By when"])
    assert columns == {
        "No.": "number",
        "Audit": "section",
        "Recommendation": "text",
        "Lead": "leads",
        "State": "",
        "RAG": "status",
        "By when": "target_date",
    }


def test_a_dry_run_saves_nothing_and_says_what_would_happen(plan, executive):
    logged = LogEntry.objects.count()
    result = run(plan, executive, sheet_of(row("1.1"), row("1.2")), commit=False)
    assert [(item.label, item.outcome) for item in result.rows] == [("1.1", "create"), ("1.2", "create")]
    assert Recommendation.objects.count() == 0
    assert PlanSection.objects.count() == 0
    assert LogEntry.objects.count() == logged


def test_importing_creates_the_section_named_in_words_and_its_recommendations(plan, executive):
    result = run(plan, executive, sheet_of(row("2.1", section="Joint targeted area inspection"), row("2.2")))
    assert result.creates == 2
    section = PlanSection.objects.get(plan=plan)
    assert (section.number, section.title, section.source_kind) == (2, "Joint targeted area inspection", "inspection")
    assert section.source_name == "Joint targeted area inspection"
    assert list(plan.recommendations.values_list("number", "section__number")) == [("2.1", 2), ("2.2", 2)]


def test_an_existing_section_is_matched_by_number_or_by_title(plan, executive):
    PlanSectionFactory(plan=plan, number=1, title="December 2009")
    run(plan, executive, sheet_of(row("1.1", section="anything"), row("1.2", section="1 December 2009")))
    assert PlanSection.objects.filter(plan=plan).count() == 1
    assert plan.recommendations.count() == 2


def test_importing_the_same_file_again_changes_nothing(plan, executive):
    sheet = sheet_of(
        row(
            "1.1",
            status="Green",
            evidence="Policy agreed",
            leads="Head of Safeguarding, Police",
            agencies="Police",
            by_when="31/03/2012",
            updated="04/03/2011",
        ),
        row("1.2", by_when="to be confirmed"),
    )
    run(plan, executive, sheet)
    logged = LogEntry.objects.count()
    again = run(plan, executive, sheet)
    assert [item.outcome for item in again.rows] == [Outcome.UNCHANGED, Outcome.UNCHANGED]
    assert LogEntry.objects.count() == logged


def test_a_changed_file_changes_only_what_changed_with_history(plan, executive):
    run(plan, executive, sheet_of(row("1.1", text="Share the plan"), row("1.2", text="Train staff")))
    recommendation = Recommendation.objects.get(number="1.2")
    result = run(plan, executive, sheet_of(row("1.1", text="Share the plan"), row("1.2", text="Train all staff")))
    assert [(item.outcome, item.changes) for item in result.rows] == [
        (Outcome.UNCHANGED, []),
        (Outcome.CHANGE, ["recommendation"]),
    ]
    recommendation.refresh_from_db()
    assert recommendation.text == "Train all staff"
    changes = LogEntry.objects.get_for_object(recommendation).filter(action=LogEntry.Action.UPDATE)
    assert changes.count() == 1


def test_a_column_not_in_the_file_leaves_its_field_as_it_is(plan, executive):
    police = Agency.objects.get(short_name="Police")
    run(plan, executive, sheet_of(row("1.1", agencies="Police")))
    result = run(plan, executive, sheet_of(["1.1", "Now rated"], headers=["Number", "Recommendation"]))
    assert result.rows[0].changes == ["recommendation"]
    assert list(Recommendation.objects.get().agencies.all()) == [police]


def test_leads_are_people_by_name_or_roles_in_agencies(plan, executive):
    lead = make_user(Role.PROFESSIONAL_LEAD, full_name="Alex Lead")
    run(plan, executive, sheet_of(row("1.1", leads="alex lead; Head of Safeguarding, Police")))
    leads = list(Recommendation.objects.get().leads.all())
    assert [(item.person, item.role_title, item.agency and item.agency.short_name) for item in leads] == [
        (lead, "", None),
        (None, "Head of Safeguarding", "Police"),
    ]


def test_an_unknown_lead_or_agency_is_refused_by_its_cell(plan, executive):
    result = run(plan, executive, sheet_of(row("1.1", leads="Somebody"), row("1.2", agencies="Nowhere")))
    assert problems(result) == [
        (2, "F2", "“Somebody” is neither someone who can lead recommendations here nor a role and its agency"),
        (3, "G3", "There is no agency “Nowhere”"),
    ]
    assert Recommendation.objects.count() == 0


def test_statuses_match_the_scale_whatever_the_case_and_go_into_a_completed_update(plan, executive):
    run(plan, executive, sheet_of(row("1.1", status="gREEN", evidence="Policy agreed", updated="04/03/2011")))
    cycle = ReviewCycle.objects.get(plan=plan)
    assert (cycle.title, cycle.state, cycle.completed_on) == (
        "March 2011 update",
        "completed",
        datetime.date(2011, 3, 4),
    )
    update = ProgressUpdate.objects.get(cycle=cycle)
    assert update.rag == rag("Green")
    assert list(Evidence.objects.filter(update=update).values_list("text", flat=True)) == ["Policy agreed"]


def test_an_unknown_status_is_refused_unless_matched_to_a_status_or_to_none(plan, executive):
    sheet = sheet_of(row("1.1", status="Complete", updated="04/03/2011"))
    refused = run(plan, executive, sheet, commit=False)
    [(_, ref, wrong)] = problems(refused)
    assert (ref, wrong) == ("E2", "“Complete” is not a status on the RAG rating")
    assert "Green" in refused.rows[0].problems[0].accepted
    assert imports.unknown_statuses(sheet, Settings(columns=imports.guess_columns(HEADERS))) == ["Complete"]
    run(plan, executive, sheet, statuses={"complete": str(rag("Green").pk)})
    assert ProgressUpdate.objects.get().rag == rag("Green")


def test_a_status_matched_to_none_is_not_yet_rated(plan, executive):
    run(plan, executive, sheet_of(row("1.1", status="Complete", updated="04/03/2011")), statuses={"complete": ""})
    assert Recommendation.objects.count() == 1
    assert not ProgressUpdate.objects.exists()


def test_a_by_when_in_words_is_kept_beside_an_empty_date_and_said_so(plan, executive):
    result = run(plan, executive, sheet_of(row("1.1", by_when="Q2 2012"), row("1.2", by_when="31/03/2012")))
    first, second = Recommendation.objects.order_by("number")
    assert (first.target_date, first.target_date_text) == (None, "Q2 2012")
    assert (second.target_date, second.target_date_text) == (datetime.date(2012, 3, 31), "")
    [notice] = result.rows[0].problems
    assert notice.notice
    assert notice.ref == "H2"
    assert result.rows[0].outcome == Outcome.CREATE


def test_identifying_details_in_any_cell_are_refused_as_on_the_forms(plan, executive):
    result = run(
        plan,
        executive,
        sheet_of(
            row("1.1", text="Call 07700 900123"),
            row("1.2", evidence="NHS number 943 476 5919", status="Green", updated="04/03/2011"),
        ),
    )
    assert [ref for _, ref, _ in problems(result)] == ["C2", "D3"]
    assert Recommendation.objects.count() == 0


def test_a_completed_updates_ratings_no_longer_change(plan, executive):
    run(plan, executive, sheet_of(row("1.1", status="Green", updated="04/03/2011")))
    result = run(plan, executive, sheet_of(row("1.1", status="Red", updated="04/03/2011")))
    assert problems(result) == [
        (2, "E2", "The March 2011 update is completed: its ratings and evidence no longer change")
    ]
    assert ProgressUpdate.objects.get().rag == rag("Green")


def test_a_number_not_starting_with_its_sections_is_refused_by_the_service(plan, executive):
    PlanSectionFactory(plan=plan, number=1, title="December 2009")
    PlanSectionFactory(plan=plan, number=2, title="April 2010")
    result = run(plan, executive, sheet_of(row("x1", section="December 2009"), row("", text="No number")))
    assert [wrong for _, _, wrong in problems(result)] == ["“x1” is not a number like 2.10", "The number is empty"]


def test_only_the_executive_imports(plan):
    lead = make_user(Role.PROFESSIONAL_LEAD)
    with pytest.raises(Exception, match="Only the Board Executive"):
        run(plan, lead, sheet_of(row("1.1")))
    assert Recommendation.objects.count() == 0


def test_a_file_without_a_number_column_is_refused_as_a_whole(plan, executive):
    result = run(plan, executive, sheet_of(["Share"], headers=["Recommendation", "Other"]))
    assert [problem.wrong for problem in result.problems] == ["No column is matched to the number"]


def test_the_mapping_is_remembered_for_the_same_headers(plan, executive):
    headers = ["Ref", "What", "Colour"]
    chosen = Settings(columns={"Ref": "number", "What": "text", "Colour": "status"}, statuses={"blue": ""})
    imports.save_mapping(plan=plan, by=executive, headers=headers, settings=chosen)
    imports.save_mapping(plan=plan, by=executive, headers=headers, settings=chosen)
    mapping = imports.remembered(plan, ["ref", "WHAT", "Colour "])
    assert mapping is not None
    assert mapping.columns == chosen.columns
    assert mapping.statuses == {"blue": ""}
    assert ImportMapping.objects.count() == 1


MESSY_ROWS = [
    ["Action plan of the Board", None, None, None, None, None],
    [],
    ["No.", "Recommendation", "Lead(s)", None, "RAG", "By When"],
    [],
    ["1.1", "Share the plan with every agency", "Head of Safeguarding, Police", None, "Green", "31/03/2012"],
    ["1.2", "Train staff in the threshold document", None, None, "Complete", "April 2017"],
    [None, None, None, None, None, None],
    ["1.1", "The same number again", None, None, "Amber", "to be confirmed"],
    ["1.3", "Review the escalation policy", None, None, "red", "Q2 2012"],
]


def messy_workbook() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for values in MESSY_ROWS:
        sheet.append(values)
    sheet.merge_cells("A1:F1")
    sheet.merge_cells("C3:D3")  # "Lead(s)" over two columns
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_messy_spreadsheet_dry_runs_with_a_message_per_problem_and_imports_what_is_valid(plan, executive):
    sheet = core.read_bytes(messy_workbook(), name="messy.xlsx")
    assert sheet.headers == ["No.", "Recommendation", "Lead(s)", "Column D", "RAG", "By When"]
    dry = run(plan, executive, sheet, commit=False, update_date=datetime.date(2011, 3, 4))
    assert [(item.number, item.outcome) for item in dry.rows] == [
        (5, Outcome.CREATE),
        (6, Outcome.REFUSED),
        (8, Outcome.REFUSED),
        (9, Outcome.CREATE),
    ]
    assert problems(dry) == [
        (6, "E6", "“Complete” is not a status on the RAG rating"),
        (6, "F6", "“April 2017” is not a date: it is kept in words, with no date"),
        (8, "A8", "1.1 is also on row 5"),
        (9, "F9", "“Q2 2012” is not a date: it is kept in words, with no date"),
    ]
    assert Recommendation.objects.count() == 0
    done = run(plan, executive, sheet, update_date=datetime.date(2011, 3, 4))
    assert done.creates == 2
    assert list(plan.recommendations.values_list("number", "target_date_text")) == [("1.1", ""), ("1.3", "Q2 2012")]
    assert ProgressUpdate.objects.get(recommendation__number="1.3").rag == rag("Red")


def test_the_demo_plan_round_trips_through_the_template(settings, executive):
    settings.DEBUG = True
    call_command("seed_demo")
    demo = ActionPlan.objects.order_by("pk").first()
    content = imports.template_xlsx(demo)
    empty = ActionPlan.objects.create(title="Imported")
    sheet = core.read_bytes(content, name="plan.xlsx")
    result = run(empty, executive, sheet)
    assert result.refused == 0, problems(result)
    assert imports.template_rows(empty) == imports.template_rows(demo)
    # The plan page's table (its download has every row the page shows, section by section).
    for mine, theirs in zip(PlanList(plan=empty).records(), PlanList(plan=demo).records(), strict=True):
        assert mine == theirs
    assert list(empty.sections.values_list("number", "title")) == list(demo.sections.values_list("number", "title"))
    again = run(empty, executive, core.read_bytes(imports.template_xlsx(empty), name="plan.xlsx"))
    assert again.unchanged == len(again.rows)
    # The March 2011 report's figures, from the imported plan's own update, are the seed's.
    imported_update = empty.cycles.get(state=ReviewCycle.State.COMPLETED)
    seeds_update = demo.cycles.get(title="March 2011 update")
    assert imported_update.completed_on == seeds_update.completed_on

    def plan_figures(cycle: ReviewCycle) -> dict[str, object]:
        report = Report.objects.create(
            title="Round trip", cycle=cycle, period_start=datetime.date(2009, 1, 1), period_end=cycle.completed_on
        )
        figures = document.build(report, today=cycle.completed_on).figures()
        return {key: figures[key] for key in ("recommendations", "rag", "movement", "overdue", "closed_this_period")}

    assert plan_figures(imported_update) == plan_figures(seeds_update)
    assert plan_figures(imported_update)["rag"] == {
        "Green": 10,
        "Amber": 2,
        "Orange": 4,
        "Red": 1,
        "Not yet rated": 15,
    }


# --- The pages ------------------------------------------------------------------------------


def upload(client, plan, content: bytes, name: str = "plan.csv"):
    return client.post(
        reverse("recommendations:plan_import", args=[plan.pk]), {"upload": SimpleUploadedFile(name, content)}
    )


@pytest.fixture
def client_exec(persona_client):
    return persona_client("executive")


def csv_bytes(*rows: list[object], headers: list[str] = HEADERS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def test_uploading_shows_the_dry_run_then_confirming_imports(client_exec, plan):
    response = upload(client_exec, plan, csv_bytes(row("1.1"), row("1.2", agencies="Nowhere")))
    assert response.status_code == 302
    review = response["Location"]
    page = client_exec.get(review).content.decode()
    assert "Will be added" in page
    assert "G3" in page
    assert "There is no agency “Nowhere”" in page
    assert Recommendation.objects.count() == 0
    key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
    done = client_exec.post(review, {"submission_key": key})
    assert done.status_code == 302
    assert done["Location"] == reverse("recommendations:plan", args=[plan.pk])
    assert list(plan.recommendations.values_list("number", flat=True)) == ["1.1"]
    # The upload is gone once imported: the same page sends the person back to upload.
    assert client_exec.get(review)["Location"] == reverse("recommendations:plan_import", args=[plan.pk])


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "plan.csv", "The file is empty"),
        (b"\x00\x01\x02binary junk\xff\xfe" * 50, "plan.csv", "neither an Excel workbook nor a CSV"),
        (b"PK\x03\x04junk" * 100, "plan.xlsx", "could not be opened as an Excel workbook"),
        (csv_bytes(), "plan.csv", "a header row but no rows below it"),
        (csv_bytes(*[row(f"1.{n}") for n in range(2100)]), "plan.csv", "more than 2,000 rows"),
    ],
)
def test_a_bad_file_is_refused_beside_the_field_never_a_fault(client_exec, plan, content, name, message):
    response = upload(client_exec, plan, content, name)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_a_file_with_other_columns_is_matched_on_the_columns_page_and_remembered(client_exec, plan):
    content = csv_bytes(["7.1", "Share the plan", "Complete"], headers=["Ref no", "What we will do", "Colour"])
    response = upload(client_exec, plan, content)
    columns_url = response["Location"]
    assert "/columns/" in columns_url
    response = client_exec.post(columns_url, {"column_0": "number", "column_1": "text", "column_2": "status"})
    assert response["Location"] == columns_url
    assert "“Complete” means" in client_exec.get(columns_url).content.decode()
    response = client_exec.post(
        columns_url,
        {"column_0": "number", "column_1": "text", "column_2": "status", "status_0": "none"},
    )
    assert response.status_code == 302
    assert response["Location"] != columns_url
    page = client_exec.get(response["Location"]).content.decode()
    assert "Will be added" in page, page[page.find("<main") :]
    mapping = ImportMapping.objects.get(plan=plan)
    assert mapping.columns == {"Ref no": "number", "What we will do": "text", "Colour": "status"}
    # The next file with the same columns goes straight to the dry run.
    again = upload(client_exec, plan, content)
    assert "/columns/" not in again["Location"]
    assert again["Location"].startswith(reverse("recommendations:plan_import", args=[plan.pk]))


def test_someone_elses_upload_token_finds_nothing(client_exec, persona_client, plan):
    response = upload(client_exec, plan, csv_bytes(row("1.1")))
    other = persona_client("executive")
    assert other.get(response["Location"]).status_code == 302


def test_the_dry_run_page_has_a_fixed_number_of_queries(client_exec, plan, django_assert_num_queries):
    response = upload(client_exec, plan, csv_bytes(*[row(f"1.{n}", agencies="Nowhere") for n in range(1, 60)]))
    review = response["Location"]
    client_exec.get(review)
    with django_assert_num_queries(4):  # session, user, plan, its audit rounds
        client_exec.get(review)


def test_the_template_downloads_with_its_instructions(client_exec, plan):
    RecommendationFactory(section=PlanSectionFactory(plan=plan, number=1), number="1.1", text="=cmd|' /C calc'!A0")
    response = client_exec.get(reverse("recommendations:plan_import_template", args=[plan.pk]))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Instructions", "Action plan"]
    sheet = workbook["Action plan"]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert sheet["C2"].data_type == "s"  # formula-looking text stays text


def test_each_line_of_evidence_is_a_point_with_its_link(plan, executive):
    evidence = "Policy agreed https://example.org/policy.pdf\n\nTraining held\n"
    sheet = sheet_of(row("1.1", status="Green", evidence=evidence, updated="04/03/2011"))
    assert run(plan, executive, sheet).creates == 1
    assert list(Evidence.objects.values_list("text", "url")) == [
        ("Policy agreed", "https://example.org/policy.pdf"),
        ("Training held", ""),
    ]
    assert run(plan, executive, sheet).unchanged == 1


def test_a_date_given_later_clears_the_by_when_in_words(plan, executive):
    run(plan, executive, sheet_of(row("1.1", by_when="to be confirmed")))
    result = run(plan, executive, sheet_of(row("1.1", by_when="30/06/2012")))
    assert result.rows[0].changes == ["by when"]
    recommendation = Recommendation.objects.get()
    assert (recommendation.target_date, recommendation.target_date_text) == (datetime.date(2012, 6, 30), "")


def test_the_by_when_in_words_shows_on_the_plan_page_and_the_recommendations(client_exec, plan, executive):
    PlanSectionFactory(plan=plan, number=1, title="April 2010", shows_target_date=True)  # as the seed's section 3
    run(plan, executive, sheet_of(row("1.1", by_when="Q2 2012")))
    recommendation = Recommendation.objects.get()
    assert "Q2 2012" in client_exec.get(reverse("recommendations:plan", args=[plan.pk])).content.decode()
    page = client_exec.get(reverse("recommendations:recommendation_detail", args=[recommendation.pk]))
    assert "Q2 2012" in page.content.decode()


def test_sending_the_upload_form_without_a_file_says_so(client_exec, plan):
    response = client_exec.post(reverse("recommendations:plan_import", args=[plan.pk]), {})
    assert response.status_code == 200
    assert "Choose the spreadsheet to import" in response.content.decode()


def test_agencies_are_read_by_name_or_short_name_separated_by_semicolons_or_commas(plan, executive):
    run(plan, executive, sheet_of(row("1.1", agencies="police, GP; Police")))
    assert sorted(Recommendation.objects.get().agencies.values_list("short_name", flat=True)) == ["GP", "Police"]
