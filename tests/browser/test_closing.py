"""Closing a recommendation on evidence of impact, and putting evidence right, in the
browser: the lead proposes closure with a statement of impact, the Executive returns it
with a reason, the lead proposes again and the Executive accepts; the recommendation shows
closed and its statement appears under "Closed this period" in the report. The Executive
removes evidence of the open update (after a check) and marks evidence of a completed one
as added in error. axe-core finds no violation, and the browser no CSP problem or script
error, on each page on the way."""

from __future__ import annotations

import datetime
from typing import Any

from playwright.sync_api import Browser, Page, expect

from dscb.models import Role
from recommendations.models import Evidence, Recommendation
from reports.models import Report
from tests.browser.conftest import PageProblems, audit_page, make_role_user, sign_in_with_mfa
from tests.browser.test_action_plan import _action_plan, _expect_error_summary, _settle, _sign_in
from tests.browser.test_case_audits import arrive

IMPACT = "All core group minutes in the spring audit were circulated within ten working days."
RETURN_REASON = "Say how many core groups the spring audit looked at."


def _executive_page(browser: Browser, browser_context_args: dict[str, Any], live_server: Any) -> Page:
    """A second browser, signed in as the Executive, beside the lead's."""
    executive, secret = make_role_user(Role.EXECUTIVE)
    page = browser.new_context(**browser_context_args).new_page()
    sign_in_with_mfa(page, live_server, executive, secret)
    _settle(page)
    return page


def test_lead_proposes_closure_executive_returns_it_then_accepts_it(
    page: Page, live_server: Any, page_problems: PageProblems, browser: Browser, browser_context_args: dict[str, Any]
) -> None:
    lead = _sign_in(page, live_server, page_problems, Role.PROFESSIONAL_LEAD)
    executive_page = _executive_page(browser, browser_context_args, live_server)
    executive_problems = PageProblems()
    data = _action_plan(executive=lead, lead=lead)
    recommendation: Recommendation = data["recommendations"]["2.10"]
    detail_url = f"{live_server.url}/action-plan/recommendations/{recommendation.pk}/"
    propose_url = f"{detail_url}closure/propose/"
    decide_url = f"{detail_url}closure/decide/"
    failures: list[str] = []

    # The lead proposes closure; the statement of impact is required.
    page.goto(detail_url)
    _settle(page)
    page.get_by_role("link", name="Propose closure").click()
    arrive(page, propose_url, "Propose closing 2.10")
    failures += audit_page(page, page_problems)
    page.get_by_role("button", name="Propose closure").click()
    _expect_error_summary(page, "Enter the statement of impact")
    failures += audit_page(page, page_problems)
    page.get_by_label("Statement of impact").fill(IMPACT)
    page.get_by_role("button", name="Propose closure").click()
    arrive(page, detail_url, "Recommendation 2.10")
    expect(page.get_by_role("alert")).to_contain_text("Closing 2.10 has been proposed")
    expect(page.get_by_role("main")).to_contain_text("Proposed for closure")
    # email: the Executive is told of the proposal (left to the lead engineer)

    # The Executive returns it, with a reason (required).
    executive_page.goto(detail_url)
    executive_page.get_by_role("link", name="Accept or return the proposal").click()
    arrive(executive_page, decide_url, "Decide on closing 2.10")
    expect(executive_page.get_by_role("main")).to_contain_text(IMPACT)
    failures += audit_page(executive_page, executive_problems)
    executive_page.get_by_label("Return it to the lead").check()
    executive_page.get_by_role("button", name="Confirm decision").click()
    _expect_error_summary(executive_page, "Enter why closure is not accepted")
    executive_page.get_by_label("Return it to the lead").check()
    executive_page.get_by_label("Why are you returning it?").fill(RETURN_REASON)
    executive_page.get_by_role("button", name="Confirm decision").click()
    arrive(executive_page, detail_url, "Recommendation 2.10")
    expect(executive_page.get_by_role("alert")).to_contain_text("returned to the lead")

    # The lead sees why, and proposes again: their statement is kept to improve on.
    page.goto(detail_url)
    _settle(page)
    expect(page.get_by_role("main")).to_contain_text(RETURN_REASON)
    failures += audit_page(page, page_problems)
    page.get_by_role("link", name="Propose closure").click()
    arrive(page, propose_url, "Propose closing 2.10")
    expect(page.get_by_label("Statement of impact")).to_have_value(IMPACT)
    page.get_by_label("Statement of impact").fill(IMPACT + " Twelve core groups were looked at.")
    page.get_by_role("button", name="Propose closure").click()
    arrive(page, detail_url, "Recommendation 2.10")

    # The Executive accepts it: closed in the open update.
    executive_page.goto(decide_url)
    executive_page.get_by_label("Accept: close the recommendation").check()
    executive_page.get_by_role("button", name="Confirm decision").click()
    arrive(executive_page, detail_url, "Recommendation 2.10")
    expect(executive_page.get_by_role("alert")).to_contain_text("Recommendation 2.10 is closed")
    expect(executive_page.get_by_role("main")).to_contain_text("Closed in the September 2011 update")
    failures += audit_page(executive_page, executive_problems)
    recommendation.refresh_from_db()
    assert (recommendation.state, recommendation.closed_in) == (Recommendation.State.CLOSED, data["open"])

    # It is under "Closed this period" in the report of that update.
    report = Report.objects.create(
        title="Report for the September 2011 update",
        cycle=data["open"],
        period_start=datetime.date(2011, 4, 1),
        period_end=datetime.date(2011, 9, 30),
    )
    executive_page.goto(f"{live_server.url}/reports/{report.pk}/")
    closed = executive_page.locator("section").filter(
        has=executive_page.get_by_role("heading", name="Closed this period")
    )
    expect(closed).to_contain_text("2.10")
    expect(closed).to_contain_text("Twelve core groups were looked at.")
    failures += audit_page(executive_page, executive_problems)
    _settle(executive_page)
    executive_page.context.close()  # its connections would outlive the live server's test
    assert not failures, "\n\n".join(failures)
    page_problems.assert_none()


def test_executive_removes_evidence_of_the_open_update_and_marks_earlier_evidence_in_error(
    page: Page, live_server: Any, page_problems: PageProblems
) -> None:
    executive = _sign_in(page, live_server, page_problems, Role.EXECUTIVE)
    data = _action_plan(executive=executive)
    recommendation: Recommendation = data["recommendations"]["1.2"]
    detail_url = f"{live_server.url}/action-plan/recommendations/{recommendation.pk}/"
    failures: list[str] = []

    page.goto(detail_url)
    _settle(page)
    evidence = page.locator("#evidence ~ ul li")
    expect(page.get_by_role("heading", name="Added in the September 2011 update (open)")).to_be_visible()
    expect(page.get_by_role("heading", name="Added in the March 2011 update")).to_be_visible()
    failures += audit_page(page, page_problems)

    # Removing evidence of the open update: a check first, then it is gone.
    booked = Evidence.objects.get(text="Refresher training booked for October.")
    evidence.filter(has_text="Refresher training booked for October.").get_by_role(
        "link", name="Remove this evidence"
    ).click()
    arrive(page, f"{live_server.url}/action-plan/evidence/{booked.pk}/remove/", "Are you sure")
    expect(page.get_by_role("main")).to_contain_text("Refresher training booked for October.")
    failures += audit_page(page, page_problems)
    page.get_by_role("button", name="Remove evidence").click()
    arrive(page, detail_url, "Recommendation 1.2")
    expect(page.get_by_role("alert")).to_contain_text("The evidence has been removed.")
    expect(page.get_by_role("main")).not_to_contain_text("Refresher training booked for October.")
    assert not Evidence.objects.filter(pk=booked.pk).exists()

    # Evidence of a completed update cannot be removed, only marked, with a reason.
    trained = Evidence.objects.get(text="Training delivered to 40 staff in January.")
    march_point = evidence.filter(has_text="Training delivered to 40 staff in January.")
    expect(march_point.get_by_role("link", name="Remove this evidence")).to_have_count(0)
    march_point.get_by_role("link", name="Mark as added in error").click()
    arrive(page, f"{live_server.url}/action-plan/evidence/{trained.pk}/in-error/", "Mark evidence as added in error")
    failures += audit_page(page, page_problems)
    page.get_by_role("button", name="Mark as added in error").click()
    _expect_error_summary(page, "Enter why the evidence was added in error")
    page.get_by_label("Why was it added in error?").fill("These figures belong to recommendation 1.1.")
    page.get_by_role("button", name="Mark as added in error").click()
    arrive(page, detail_url, "Recommendation 1.2")
    expect(page.get_by_role("alert")).to_contain_text("marked as added in error")
    marked = evidence.filter(has_text="Training delivered to 40 staff in January.")
    expect(marked).to_contain_text("Added in error (These figures belong to recommendation 1.1.)")
    expect(marked.locator("del")).to_contain_text("Training delivered to 40 staff in January.")
    expect(marked.get_by_role("link", name="Mark as added in error")).to_have_count(0)
    failures += audit_page(page, page_problems)
    trained.refresh_from_db()
    assert trained.in_error
    assert not failures, "\n\n".join(failures)
    page_problems.assert_none()
