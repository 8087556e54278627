"""Carry forward and confirm, in the browser: the Executive opens a new update after a
completed one; each row shows last time's rating ("Green in the March 2011 update") and
note, selected; saving does not rate them; the Executive confirms one row, changes one,
confirms all the rest left untouched, checks and completes; axe-core finds no violation."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from dscb.models import Role
from recommendations.models import ProgressUpdate, ReviewCycle
from tests.browser.conftest import PageProblems, audit_page
from tests.browser.test_action_plan import _action_plan, _note, _rag_select, _settle, _sign_in
from tests.browser.test_case_audits import arrive
from tests.factories import rag


def _ratings(cycle: ReviewCycle) -> dict[str, tuple[str | None, str]]:
    return {
        update.recommendation.number: (update.rag.label if update.rag else None, update.rating_note)
        for update in ProgressUpdate.objects.filter(cycle=cycle).select_related("recommendation", "rag")
        if update.rag or update.rating_note
    }


def test_carry_forward_and_confirm(page: Page, live_server: Any, page_problems: PageProblems) -> None:
    executive = _sign_in(page, live_server, page_problems, Role.EXECUTIVE)
    data = _action_plan(executive=executive, open_update=False)
    ProgressUpdate.objects.filter(cycle=data["march_2011"], recommendation__number="1.1").update(
        rating_note="On track at March"
    )
    failures: list[str] = []

    # Open the September 2011 update after the completed March 2011 one.
    page.goto(f"{live_server.url}/action-plan/{data['plan'].pk}/updates/new/")
    page.get_by_label("Title").fill("September 2011 update")
    page.locator('[name="due_on_0"]').fill("30")
    page.locator('[name="due_on_1"]').fill("9")
    page.locator('[name="due_on_2"]').fill("2011")
    page.get_by_role("button", name="Open update").click()
    cycle = ReviewCycle.objects.get(title="September 2011 update")
    ratings_url = f"{live_server.url}/action-plan/updates/{cycle.pk}/"
    arrive(page, ratings_url, "September 2011 update")
    _settle(page)

    # Last time's rating and note are each row's starting point, selected and marked.
    main = page.get_by_role("main")
    expect(main).to_contain_text("4 recommendations start from their rating in the March 2011 update")
    expect(page.locator(f"#carried_{data['recommendations']['1.1'].pk}")).to_contain_text(
        "Last time: Green in the March 2011 update, “On track at March”."
    )
    expect(_rag_select(page, "1.1")).to_have_value(str(rag("Green").pk))
    expect(_note(page, "1.1")).to_have_value("On track at March")
    expect(_rag_select(page, "1.3")).to_have_value("")  # not rated last time: nothing carried
    expect(page.get_by_role("button", name="Confirm Green from the March 2011 update for 1.1")).to_be_visible()
    failures += audit_page(page, page_problems)

    # A plain save rates nothing silently.
    page.get_by_role("button", name="Save ratings").first.click()
    arrive(page, ratings_url, "September 2011 update")
    assert _ratings(cycle) == {}

    # Confirm one row.
    page.get_by_role("button", name="Confirm Amber from the March 2011 update for 1.2").click()
    arrive(page, ratings_url, "September 2011 update")
    expect(page.get_by_role("alert")).to_contain_text("The ratings have been saved (1 changed).")
    assert _ratings(cycle) == {"1.2": ("Amber", "")}
    expect(page.get_by_role("button", name="Confirm Amber from the March 2011 update for 1.2")).to_have_count(0)
    _settle(page)

    # Change one, then confirm all the rest left untouched.
    _rag_select(page, "2.10").select_option(label="Amber")
    _note(page, "2.10").fill("Minutes now circulated on time")
    page.get_by_role("button", name="Confirm all 3 left as in the March 2011 update").click()
    arrive(page, ratings_url, "September 2011 update")
    assert _ratings(cycle) == {
        "1.1": ("Green", "On track at March"),
        "1.2": ("Amber", ""),
        "2.1": ("Orange", ""),
        "2.10": ("Amber", "Minutes now circulated on time"),
    }
    failures += audit_page(page, page_problems)

    # Check and complete: what is left not yet rated, and what changed.
    page.get_by_role("button", name="Save and check before completing").click()
    arrive(page, f"{ratings_url}complete/", "Check before completing the September 2011 update")
    expect(main).to_contain_text("4 of 6 recommendations are rated")
    failures += audit_page(page, page_problems)
    page.get_by_role("button", name="Confirm and complete the update").click()
    arrive(page, ratings_url, "September 2011 update")
    cycle.refresh_from_db()
    assert not cycle.is_open
    failures += audit_page(page, page_problems)
    assert not failures, "\n".join(failures)
