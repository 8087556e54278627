"""The reference data pages in the browser: an administrator finds them from Home, adds an
agency, renames a grade, retires a checklist question and changes the plan scale's words;
a wrong colour is refused beside its field with what was typed kept. axe-core finds no
violation, and the browser no CSP problem or script error, on each kind of page."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from audits.models import ChecklistQuestion, Grade
from dscb.models import Agency, Role
from recommendations.models import PlanScale
from tests.browser.conftest import PageProblems, audit_page, make_role_user, sign_in_with_mfa


def test_an_administrator_keeps_the_reference_data(page: Page, live_server: Any, page_problems: PageProblems) -> None:
    administrator, secret = make_role_user(Role.ADMINISTRATOR)
    question = ChecklistQuestion.objects.first()
    failures: list[str] = []

    sign_in_with_mfa(page, live_server, administrator, secret)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Reference data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reference data")
    failures += audit_page(page, page_problems)  # the index

    # Add an agency.
    page.get_by_role("link", name="Agencies").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Agencies")
    expect(page.get_by_role("table").get_by_role("row").filter(has_text="Police")).to_contain_text("Active")
    failures += audit_page(page, page_problems)  # a list
    page.get_by_role("link", name="Add an agency").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an agency")
    page.get_by_role("button", name="Add").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the name")
    failures += audit_page(page, page_problems)  # an add page, with its errors
    page.get_by_label("Name", exact=True).fill("Fire and Rescue Service")
    page.get_by_label("Short name").fill("Fire")
    page.get_by_label("Position").fill("20")
    page.get_by_role("button", name="Add").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("“Fire and Rescue Service” has been added.")
    expect(page.get_by_role("table").get_by_role("row").filter(has_text="Fire and Rescue Service")).to_contain_text(
        "Fire"
    )
    assert Agency.objects.filter(short_name="Fire", is_active=True).exists()

    # Rename a grade; a colour that is not one is refused beside its field, the rest kept.
    page.get_by_role("link", name="Reference data").click()
    page.get_by_role("link", name="Grades").click()
    page.get_by_role("link", name="Adequate", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the grade")
    failures += audit_page(page, page_problems)  # a change page
    page.get_by_label("Label").fill("Requires improvement")
    page.get_by_label("Colour", exact=True).fill("yellow")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#div_id_colour .govuk-error-message")).to_contain_text("Enter a colour as #")
    expect(page.get_by_label("Label")).to_have_value("Requires improvement")
    failures += audit_page(page, page_problems)  # a change page with an error beside a field
    page.get_by_label("Colour", exact=True).fill("#ffdd00")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("table").get_by_role("row").filter(has_text="Requires improvement")).to_contain_text(
        "Active"
    )
    assert Grade.objects.filter(label="Requires improvement", rank=3).exists()

    # Retire a checklist question.
    page.get_by_role("link", name="Reference data").click()
    page.get_by_role("link", name="Checklist questions").click()
    page.get_by_role("link", name=question.text).click()
    page.get_by_label("Active").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("table").get_by_role("row").filter(has_text=question.text)).to_contain_text("Retired")
    question.refresh_from_db()
    assert not question.is_active

    # Change the plan scale's words: its one row, no list.
    page.get_by_role("link", name="Reference data").click()
    page.get_by_role("link", name="The plan scale's words").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the plan scale's words")
    failures += audit_page(page, page_problems)  # a scale's page
    page.get_by_label("Short name").fill("BRAG")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reference data")
    assert PlanScale.objects.get().short_name == "BRAG"
    failures += audit_page(page, page_problems)

    assert not failures, "\n".join(failures)
