"""Finding things in a long plan, in the browser: the Executive narrows a plan of 130
recommendations by words and section, clears the filters, pages through it, rates one
section of the open update without losing the filter, and narrows a figure's list on the
dashboard by words; axe-core finds no violation, and the browser no CSP problem or script
error, on any page on the way."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse
from playwright.sync_api import Page, expect

from dscb.models import Role
from recommendations.models import ProgressUpdate
from tests.browser.conftest import PageProblems, audit_page, make_role_user, sign_in_with_mfa
from tests.browser.test_case_audits import arrive
from tests.factories import rag
from tests.recommendations.test_query_counts import build_plan

WORDS = "Share the strategy discussion minutes"


def test_the_executive_finds_things_in_a_long_plan(page: Page, live_server: Any, page_problems: PageProblems) -> None:
    plan, open_cycle = build_plan(130)
    target = plan.recommendations.get(number="3.5")
    target.text = f"{WORDS} with every agency."
    target.save(update_fields=["text"])
    section_3 = plan.sections.get(number=3)
    user, secret = make_role_user(Role.EXECUTIVE)
    sign_in_with_mfa(page, live_server, user, secret)
    page_problems.clear()
    failures: list[str] = []
    main = page.get_by_role("main")

    # The whole plan, a page at a time.
    plan_url = f"{live_server.url}{reverse('recommendations:plan', args=[plan.pk])}"
    page.goto(plan_url)
    arrive(page, plan_url, plan.title)
    expect(main).to_contain_text("Showing 1 to 100 of 130 recommendations.")
    failures += audit_page(page, page_problems)
    page.get_by_role("navigation", name="Pages of the action plan").get_by_role("link", name="Next page").click()
    arrive(page, f"{plan_url}?page=2", plan.title)
    expect(main).to_contain_text("Showing 101 to 130 of 130 recommendations.")

    # Words and a section: the one recommendation, the filter kept in the address and the form.
    page.get_by_label("Number or words in the recommendation").fill("strategy discussion")
    page.get_by_label("Section").select_option(str(section_3.pk))
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(rf"\?q=strategy\+discussion&section={section_3.pk}&"))
    expect(main).to_contain_text("Showing 1 recommendation matching these filters.")
    expect(main.get_by_role("link", name="3.5")).to_be_visible()
    expect(page.get_by_label("Number or words in the recommendation")).to_have_value("strategy discussion")
    failures += audit_page(page, page_problems)
    page.get_by_label("Section").select_option(str(plan.sections.get(number=1).pk))
    page.get_by_role("button", name="Filter").click()
    expect(main).to_contain_text("No recommendation matches these filters.")
    failures += audit_page(page, page_problems)
    page.get_by_role("link", name="Clear the filters").click()
    arrive(page, plan_url, plan.title)
    expect(main).to_contain_text("Showing 1 to 100 of 130 recommendations.")

    # The open update's ratings, one section: saving keeps the filter.
    ratings_url = f"{live_server.url}{reverse('recommendations:cycle_ratings', args=[open_cycle.pk])}"
    page.goto(ratings_url)
    arrive(page, ratings_url, open_cycle.title)
    page.get_by_label("Section").select_option(str(section_3.pk))
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(rf"[?&]section={section_3.pk}&"))
    failures += audit_page(page, page_problems)
    rating = page.get_by_role("combobox", name="RAG for 3.5", exact=True)
    rating.select_option(str(rag("Green").pk))
    page.get_by_role("button", name="Save ratings").first.click()
    expect(main).to_contain_text("The ratings have been saved")
    expect(page).to_have_url(f"{ratings_url}?section={section_3.pk}")
    assert ProgressUpdate.objects.get(cycle=open_cycle, recommendation=target).rag == rag("Green")

    # A figure's list on the dashboard, narrowed by words.
    listing = f"{live_server.url}{reverse('reports:rag_list')}?rag={rag('Red').pk}"
    page.goto(listing)
    arrive(page, listing, "Recommendations rated Red")
    page.get_by_label("Number or words in the recommendation").fill("Recommendation 3")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Recommendations rated Red, matching “Recommendation 3”"
    )
    failures += audit_page(page, page_problems)

    assert not failures, "\n".join(failures)
