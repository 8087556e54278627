"""A round's learning summary in the browser: the audit team opens it from a completed
round's page, drafts it from the round's finalised cases, changes a block, is refused a
board reference beside the field, checks and publishes it, downloads the published
PDF, and raises a recommendation from the round into an action plan. axe-core finds no
violation, and the browser no CSP problem or script error, on every page of it."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from audits.models import AuditCase, AuditRound
from dscb.models import Role
from recommendations.models import Recommendation
from reports.models import LearningSummary
from tests.browser.conftest import PageProblems, audit_page, make_role_user, sign_in_with_mfa
from tests.factories import ActionPlanFactory, AuditCaseFactory, AuditRoundFactory, rate_every_theme
from tests.reports.conftest import pdf_text

WORKED_WELL = "Agencies shared information at the earliest opportunity."


def _completed_round() -> AuditRound:
    """A round like the demo's: completed, eight finalised cases with their grades agreed."""
    audit_round = AuditRoundFactory(
        title="December 2009", focus="Neglect, and how agencies share information.", state=AuditRound.State.COMPLETED
    )
    for number, case in enumerate(
        AuditCaseFactory.create_batch(8, audit_round=audit_round, state=AuditCase.State.FINALISED)
    ):
        rate_every_theme(case, "Adequate" if number % 2 else "Inadequate")
        AuditCase.objects.filter(pk=case.pk).update(
            strengths=WORKED_WELL, areas_for_development="Core groups did not always meet on time."
        )
    return audit_round


def test_audit_team_drafts_edits_and_publishes_a_rounds_learning_summary(
    page: Page, live_server: Any, page_problems: PageProblems
) -> None:
    audit_round = _completed_round()
    ActionPlanFactory(title="Multi-agency case audit recommendations")
    user, secret = make_role_user(Role.AUDIT_TEAM)
    sign_in_with_mfa(page, live_server, user, secret)
    page.wait_for_load_state("networkidle")
    page_problems.clear()
    failures: list[str] = []

    page.goto(f"{live_server.url}/audits/rounds/{audit_round.pk}/")
    page.get_by_role("link", name=re.compile("^Learning from audit")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Learning from audit")
    failures += audit_page(page, page_problems)

    page.get_by_role("button", name="Draft the learning summary").click()
    expect(page.get_by_text("The learning summary has been drafted")).to_be_visible()
    expect(page.get_by_text("4 of 8 cases (50%) were graded adequate or better.").first).to_be_visible()
    expect(page.get_by_text(WORKED_WELL)).to_be_visible()
    failures += audit_page(page, page_problems)

    page.get_by_role("link", name="Change the summary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the learning summary")
    failures += audit_page(page, page_problems)
    reference = AuditCase.objects.filter(audit_round=audit_round).values_list("reference", flat=True).first()
    worked_well = page.get_by_label("What worked well")
    worked_well.fill(f"In {reference}, agencies shared information promptly.")
    page.get_by_role("button", name="Save summary").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("board reference")
    beside = page.locator(".govuk-form-group--error").filter(has=page.get_by_label("What worked well"))
    expect(beside.locator(".govuk-error-message")).to_contain_text("board reference")
    expect(page).to_have_title(re.compile(r"^Error: "))
    failures += audit_page(page, page_problems)
    assert reference not in LearningSummary.objects.get().worked_well

    page.get_by_label("What worked well").fill("Agencies shared information promptly, and recorded why.")
    page.get_by_role("button", name="Save summary").click()
    expect(page.get_by_text("The learning summary has been saved.")).to_be_visible()

    page.get_by_role("link", name="Check and publish the summary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check before publishing")
    expect(page.locator("#page-count")).to_have_text(re.compile(r"^[12] pages?$"))
    failures += audit_page(page, page_problems)
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("The learning summary has been published.")).to_be_visible()
    expect(page.get_by_role("link", name="Change the summary")).to_have_count(0)
    failures += audit_page(page, page_problems)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the published summary (PDF)").click()
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename == "learning-from-audit-december-2009.pdf"
    with open(download.path(), "rb") as downloaded:
        text = " ".join(pdf_text(downloaded.read(), layout=False).split())
    assert "Agencies shared information promptly, and recorded why." in text
    assert "Headline findings" in text
    assert reference not in text

    # A recommendation raised from the round: its section is added first, then it.
    page.goto(f"{live_server.url}/rounds/{audit_round.pk}/learning/")
    page.get_by_role("link", name="Add a recommendation to Multi-agency case audit recommendations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a section")
    expect(page.get_by_label("Audit round")).to_have_value(str(audit_round.pk))
    failures += audit_page(page, page_problems)
    page.get_by_role("button", name="Add section").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a recommendation")
    page.get_by_label("Number", exact=True).fill("1.1")
    page.get_by_role("textbox", name="Text").fill("Agencies record why information was shared.")
    page.get_by_role("button", name="Add recommendation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recommendation 1.1")
    failures += audit_page(page, page_problems)
    assert Recommendation.objects.get(number="1.1").section.audit_round == audit_round
    assert failures == [], "\n".join(failures)
