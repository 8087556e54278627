"""A round from planning to completion in the browser, with two agencies and a panel: the
audit team plans it with its dates, is refused moving on with links to what is missing,
follows the returns on the grid, agrees the grades at the panel, finalises, settles the
feedback, completes the round (read-only) and re-opens it with a reason. axe-core finds
no violation on the round page at each step."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from audits import selectors, services
from audits.models import AuditCase, AuditRound, CaseRecord, RoundReopening, Theme
from dscb.models import Agency, Role
from tests.browser.conftest import PageProblems, audit_page, make_role_user, sign_in_with_mfa
from tests.browser.test_case_audits import arrive, group
from tests.factories import grade, police


def ey_and_f() -> Agency:
    return Agency.objects.get(short_name="EY&F")


def fill_date(page: Page, legend: str, day: datetime.date) -> None:
    fields = group(page, legend)
    fields.get_by_label("Day").fill(str(day.day))
    fields.get_by_label("Month").fill(str(day.month))
    fields.get_by_label("Year").fill(str(day.year))


def check_round_page(page: Page, page_problems: PageProblems) -> None:
    failures = audit_page(page, page_problems)
    assert not failures, "\n".join(failures)


def move_on(page: Page, button: str) -> None:
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state("load")


def step_status(page: Page, title: str):
    return page.locator(".govuk-task-list__item").filter(has_text=title).locator(".govuk-task-list__status")


def test_a_round_runs_from_planning_to_completion_with_two_agencies_and_a_panel(
    page: Page, live_server: Any, page_problems: PageProblems
) -> None:
    user, secret = make_role_user(Role.AUDIT_TEAM)
    today = timezone.localdate()
    sign_in_with_mfa(page, live_server, user, secret)
    page_problems.clear()

    # Planning: the round's dates, two agencies taking part.
    page.goto(f"{live_server.url}/audits/rounds/new/")
    page.get_by_label("Title", exact=True).fill("Round in the browser")
    fill_date(page, "Date of the audit", today - datetime.timedelta(days=14))
    fill_date(page, "Date the agencies' returns are due", today + datetime.timedelta(days=7))
    fill_date(page, "Date of the panel meeting", today + datetime.timedelta(days=14))
    fill_date(page, "Date feedback is due", today + datetime.timedelta(days=42))
    agencies = group(page, "Agencies taking part")
    agencies.get_by_label(police().name, exact=True).check()
    agencies.get_by_label(ey_and_f().name, exact=True).check()
    page.get_by_role("button", name="Save round").click()
    audit_round = AuditRound.objects.get(title="Round in the browser")
    round_url = f"{live_server.url}/audits/rounds/{audit_round.pk}/"
    arrive(page, round_url, "Round in the browser")
    expect(step_status(page, "Plan the round")).to_contain_text("In progress")
    check_round_page(page, page_problems)

    # Moving on too soon is refused, with a link to what is missing.
    move_on(page, "Start collecting returns")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Add at least one child audited").click()
    arrive(page, f"{round_url}cases/new/", "Add a child audited")
    page.get_by_label("Board reference", exact=True).fill("MACA-2026-11-01")
    group(page, "Child protection plan categories").get_by_label("Neglect").check()
    fill_date(page, "Date the child protection plan started", today - datetime.timedelta(days=200))
    expected = group(page, "Agencies expected to return a record")
    expected.get_by_label(police().name, exact=True).check()
    expected.get_by_label(ey_and_f().name, exact=True).check()
    page.get_by_role("button", name="Add case").click()
    page.wait_for_load_state("load")
    case = AuditCase.objects.get(reference="MACA-2026-11-01")
    assert set(case.expected_agencies.all()) == {police(), ey_and_f()}

    page.goto(round_url)
    move_on(page, "Start collecting returns")
    expect(page.get_by_role("alert")).to_contain_text("collecting returns")
    expect(step_status(page, "Plan the round")).to_contain_text("Completed")
    grid = page.get_by_role("table", name="Agencies' returns for each case")
    row = grid.get_by_role("row").filter(has_text="MACA-2026-11-01")
    expect(row).to_contain_text("Not started")
    check_round_page(page, page_problems)

    # The two agencies' returns come in (their forms are tested elsewhere): complete on the grid.
    scales = selectors.scales(case.audit_round)  # the round planned above asks the default set
    for agency, label in ((police(), "Outstanding"), (ey_and_f(), "Adequate")):
        services.record_create(
            case=case,
            by=user,
            details=services.RecordDetails(
                agency=agency,
                subject=CaseRecord.Subject.CHILD,
                records_read=1,
                findings=f"{agency.short_name} findings.",
                grades=dict.fromkeys(scales.themes, grade(label)),
                answers=dict.fromkeys(scales.questions, ("yes", "")),
            ),
        )
    page.reload()
    expect(grid.get_by_role("row").filter(has_text="MACA-2026-11-01").get_by_text("Complete")).to_have_count(2)
    expect(page.locator(".govuk-task-list__item").filter(has_text="Collect")).to_contain_text("2 of 2 returns")
    move_on(page, "Move on to moderation")

    # The panel: both agencies side by side (two levels apart: flagged), grades agreed.
    move_on(page, "Move on to feedback")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Finalise case MACA-2026-11-01")
    page.goto(f"{live_server.url}/audits/cases/{case.pk}/grades/")
    themes = list(Theme.objects.active())
    for theme in themes:
        region = page.get_by_role("region", name=theme.name, exact=True)
        expect(region.get_by_text("Agencies' grades differ by")).to_be_visible()
        region.get_by_role("group", name=f"Agreed grade for {theme.name.lower()}", exact=True).get_by_role(
            "radio", name="Good", exact=True
        ).check()
    group(page, "Overall grade").get_by_role("radio", name="Good", exact=True).check()
    page.get_by_role("button", name="Save grades and findings").click()
    arrive(page, f"{live_server.url}/audits/cases/{case.pk}/", "MACA-2026-11-01")
    page.get_by_role("button", name="Finalise case").click()
    expect(page.get_by_role("alert")).to_contain_text("has been finalised")

    # Feedback: one given, one not needed (with the reason); then the round completes.
    page.goto(round_url)
    move_on(page, "Move on to feedback")
    move_on(page, "Complete the round")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Record the feedback on MACA-2026-11-01")
    police_record = case.records.get(agency=police())
    services.feedback_record(
        record=police_record,
        by=user,
        entries={
            recipient: services.FeedbackEntry(given_on=today, given_by=user)
            for recipient in ("practitioner", "manager", "agency")
        },
        versions={},
    )
    page.goto(round_url)
    page.get_by_role("link", name="Not needed").first.click()
    page.get_by_label("Why is no more feedback on this record needed?").fill("The agency has restructured the team.")
    page.get_by_role("button", name="Save").click()
    arrive(page, round_url, "Round in the browser")
    move_on(page, "Complete the round")
    expect(page.get_by_text("This round is completed, so it is read-only.")).to_be_visible()
    expect(page.get_by_role("link", name="Add a child audited")).to_have_count(0)
    audit_round.refresh_from_db()
    assert audit_round.state == AuditRound.State.COMPLETED
    check_round_page(page, page_problems)

    # Re-opening asks why, keeps it and shows it.
    page.get_by_role("link", name="Re-open the round").click()
    page.get_by_role("button", name="Re-open round").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why the round needs to be re-opened")
    page.get_by_label("Why does this round need to be re-opened?").fill("A late return from Education.")
    page.get_by_role("button", name="Re-open round").click()
    arrive(page, round_url, "Round in the browser")
    expect(page.get_by_text("A late return from Education.")).to_be_visible()
    assert RoundReopening.objects.get(audit_round=audit_round).reason == "A late return from Education."
    page_problems.assert_none()
