"""Leads in the browser: the Executive gives a recommendation a person lead and a role
lead (a role without its agency is refused beside the field, nothing typed lost), sees
both on the recommendation's page, its history and the plan page, filters the plan by
the role; the person lead signs in and finds their to-do list on the home page. axe-core
finds no violation, and the browser no CSP problem or script error, on each page."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.conf import settings
from playwright.sync_api import Page, expect

from dscb.models import Role
from recommendations.models import RecommendationLead
from tests.browser.conftest import PageProblems, audit_page, make_role_user, sign_in_with_mfa
from tests.browser.test_action_plan import _expect_error_summary, _settle
from tests.factories import ActionPlanFactory, PlanSectionFactory, RecommendationFactory, ReviewCycleFactory


def test_a_recommendation_led_by_a_person_and_a_role_and_the_persons_to_do_list(
    page: Page, live_server: Any, page_problems: PageProblems
) -> None:
    executive, executive_secret = make_role_user(Role.EXECUTIVE)
    lead, lead_secret = make_role_user(Role.PROFESSIONAL_LEAD)
    lead.full_name = "Alex Smith"
    lead.save()
    plan = ActionPlanFactory()
    section = PlanSectionFactory(plan=plan, number=1, title="2 December 2009")
    recommendation = RecommendationFactory(
        section=section, number="1.1", text="Multi-agency training on neglect for all frontline staff."
    )
    RecommendationFactory(section=section, number="1.2", text="Schools record the reason for every absence.")
    ReviewCycleFactory(plan=plan, title="September 2011 update", due_on=datetime.date(2011, 9, 30))
    failures: list[str] = []

    sign_in_with_mfa(page, live_server, executive, executive_secret)
    _settle(page)
    page_problems.clear()
    page.goto(f"{live_server.url}/action-plan/recommendations/{recommendation.pk}/edit/")
    page.get_by_role("group", name="People who lead it").get_by_label("Alex Smith").check()
    page.get_by_label("Role 1", exact=True).fill("Head of Safeguarding")
    page.get_by_role("button", name="Save recommendation").click()
    _expect_error_summary(page, "Choose the agency of the Head of Safeguarding")
    expect(page.get_by_label("Role 1", exact=True)).to_have_value("Head of Safeguarding")
    expect(page.get_by_role("group", name="People who lead it").get_by_label("Alex Smith")).to_be_checked()
    failures += audit_page(page, page_problems)

    page.get_by_label("Agency of role 1", exact=True).select_option(label="Police")
    page.get_by_role("button", name="Save recommendation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recommendation 1.1")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Alex Smith; Head of Safeguarding, Police")
    changes = page.get_by_role("table", name="Who changed what, newest first")
    expect(changes).to_contain_text("Create lead Head of Safeguarding, Police")
    failures += audit_page(page, page_problems)
    assert [str(item) for item in RecommendationLead.objects.filter(recommendation=recommendation)] == [
        "Alex Smith",
        "Head of Safeguarding, Police",
    ]

    page.goto(f"{live_server.url}/action-plan/{plan.pk}/")
    expect(page.get_by_role("main")).to_contain_text("Leads: Alex Smith; Head of Safeguarding, Police")
    page.get_by_label("Led by").select_option(label="Head of Safeguarding, Police")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(re.escape(f"&lead={_key(recommendation)}&agency=")))
    expect(page.get_by_role("main")).to_contain_text("1.1")
    expect(page.get_by_role("link", name="1.2", exact=True)).to_have_count(0)
    expect(page.get_by_label("Led by")).to_have_value(_key(recommendation).replace("%3A", ":").replace("+", " "))
    failures += audit_page(page, page_problems)

    page.context.clear_cookies()
    sign_in_with_mfa(page, live_server, lead, lead_secret)
    _settle(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(settings.BOARD_NAME)
    main = page.get_by_role("main")
    expect(main).to_contain_text("September 2011 update, due by")
    expect(main.get_by_role("link", name="1.1: add evidence and propose a RAG")).to_have_attribute(
        "href", f"/action-plan/recommendations/{recommendation.pk}/evidence/"
    )
    expect(main.get_by_role("link", name="1.2")).to_have_count(0)
    page_problems.clear()
    failures += audit_page(page, page_problems)
    assert not failures, "\n".join(failures)


def _key(recommendation: Any) -> str:
    role = RecommendationLead.objects.get(recommendation=recommendation, person__isnull=True)
    return f"{role.agency_id}%3AHead+of+Safeguarding"
