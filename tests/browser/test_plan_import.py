"""Importing an action plan from a spreadsheet in the browser: the Executive uploads a CSV
whose columns are not the template's, matches them and an unknown status, sees the dry run
with a problem beside its row, and confirms; axe-core finds no violation, and the browser
no CSP problem or script error, on any page on the way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from dscb.models import Role
from recommendations.models import Recommendation
from tests.browser.conftest import PageProblems, audit_page, make_role_user, sign_in_with_mfa
from tests.browser.test_case_audits import arrive
from tests.factories import ActionPlanFactory

CSV = (
    "Ref no,What we will do,Colour,Agency\n"
    "1.1,Share the plan with every agency,Complete,Police\n"
    "1.2,Train staff in the threshold document,,Nowhere\n"
)


def test_the_executive_imports_a_plan_from_a_spreadsheet(
    page: Page, live_server: Any, page_problems: PageProblems, tmp_path: Path
) -> None:
    plan = ActionPlanFactory(title="Imported plan")
    user, secret = make_role_user(Role.EXECUTIVE)
    sign_in_with_mfa(page, live_server, user, secret)
    page_problems.clear()
    failures: list[str] = []
    spreadsheet = tmp_path / "our plan.csv"
    spreadsheet.write_text(CSV, encoding="utf-8")

    page.goto(f"{live_server.url}/action-plan/{plan.pk}/")
    page.get_by_role("link", name="Import from a spreadsheet").click()
    arrive(page, f"{live_server.url}/action-plan/{plan.pk}/import/", "Import the action plan from a spreadsheet")
    failures += audit_page(page, page_problems)
    page.get_by_label("Spreadsheet").set_input_files(str(spreadsheet))
    page.get_by_role("button", name="Upload and check").click()

    # Its columns are not the template's: matched here, then the status not on the scale.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Match the spreadsheet's columns")
    failures += audit_page(page, page_problems)
    page.get_by_label("Column “Ref no”").select_option("number")
    page.get_by_label("Column “What we will do”").select_option("text")
    page.get_by_label("Column “Colour”").select_option("status")
    page.get_by_label("Column “Agency”").select_option("agencies")
    page.get_by_role("button", name="Save and check the file").click()
    expect(page.get_by_label("“Complete” means")).to_be_visible()
    failures += audit_page(page, page_problems)
    page.get_by_label("“Complete” means").select_option(label="Not yet rated")
    page.get_by_role("button", name="Save and check the file").click()

    # The dry run: the problem beside its row, by cell.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check what the import would do")
    rows = page.get_by_role("table", name="What importing each row would do")
    expect(rows.locator("#row-2")).to_contain_text("Will be added")
    expect(rows.locator("#row-3")).to_contain_text("D3")
    expect(rows.locator("#row-3")).to_contain_text("There is no agency “Nowhere”")
    failures += audit_page(page, page_problems)
    assert not Recommendation.objects.filter(plan=plan).exists()
    page.get_by_role("button", name="Import 1 row").click()

    arrive(page, f"{live_server.url}/action-plan/{plan.pk}/", "Imported plan")
    expect(page.get_by_role("main")).to_contain_text("The spreadsheet has been imported: 1 recommendation added")
    failures += audit_page(page, page_problems)
    assert list(Recommendation.objects.filter(plan=plan).values_list("number", flat=True)) == ["1.1"]
    assert not failures, "\n".join(failures)
