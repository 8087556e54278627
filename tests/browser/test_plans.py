"""A second action plan in the browser: the Executive starts a plan for a practice review
from the list of plans, adds a section naming the review and its date, adds a
recommendation to it, and finds it on the action plan dashboard filtered by that plan and
by the kind of source; axe-core finds no violation, and the browser no CSP problem or
script error, on any page on the way."""

from __future__ import annotations

import datetime
from typing import Any

from playwright.sync_api import Page, expect

from dscb.models import Role, User
from recommendations.models import ActionPlan, PlanSection, Recommendation
from tests.browser.conftest import PageProblems, audit_page, make_role_user, sign_in_with_mfa
from tests.browser.test_case_audits import arrive
from tests.factories import ActionPlanFactory, PlanSectionFactory, RecommendationFactory, ReviewCycleFactory

TITLE = "Learning from the review of Child Q"
REVIEW = "Child Q"
PRACTICE_REVIEW = "Local child safeguarding practice review"


def _first_plan() -> ActionPlan:
    """The plan already there: a case audit's, with one recommendation and an update."""
    plan = ActionPlanFactory(title="Audit of Multi-Agency Case Audit recommendations")
    section = PlanSectionFactory(plan=plan, number=1, title="2 December 2009", source_name="December 2009")
    RecommendationFactory(section=section, number="1.1", text="Agencies record the child's views.")
    ReviewCycleFactory(plan=plan, title="September 2011 update", due_on=datetime.date(2011, 9, 30))
    return plan


def _sign_in(page: Page, live_server: Any, problems: PageProblems, role: Role) -> User:
    user, secret = make_role_user(role)
    sign_in_with_mfa(page, live_server, user, secret)
    problems.clear()
    return user


def test_the_executive_starts_a_second_plan_from_a_practice_review_and_filters_the_dashboard_by_it(
    page: Page, live_server: Any, page_problems: PageProblems
) -> None:
    first = _first_plan()
    lead, _ = make_role_user(Role.PROFESSIONAL_LEAD)
    _sign_in(page, live_server, page_problems, Role.EXECUTIVE)
    failures: list[str] = []

    # The list of plans, and the form to start one.
    page.goto(f"{live_server.url}/action-plan/")
    arrive(page, f"{live_server.url}/action-plan/", "Action plans")
    expect(page.get_by_role("main").get_by_role("link", name=first.title)).to_be_visible()
    failures += audit_page(page, page_problems)
    page.get_by_role("link", name="Start an action plan").click()
    arrive(page, f"{live_server.url}/action-plan/new/", "Start an action plan")
    failures += audit_page(page, page_problems)
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Director lead").fill("A Director")
    page.get_by_role("button", name="Start action plan").click()

    # Its first section names the practice review and its date.
    plan = ActionPlan.objects.get(title=TITLE)
    arrive(page, f"{live_server.url}/action-plan/{plan.pk}/sections/new/", "Add a section")
    expect(page.get_by_role("main")).to_contain_text(f"The action plan “{TITLE}” has been started")
    failures += audit_page(page, page_problems)
    page.get_by_label("Title", exact=True).fill("The review's recommendations")
    page.get_by_role("radio", name=PRACTICE_REVIEW).check()
    page.get_by_label("Source", exact=True).fill(REVIEW)
    dated = page.get_by_role("group", name="Date of the source (optional)")
    dated.get_by_label("Day").fill("14")
    dated.get_by_label("Month").fill("6")
    dated.get_by_label("Year").fill("2011")
    page.get_by_role("button", name="Add section").click()
    arrive(page, f"{live_server.url}/action-plan/{plan.pk}/", TITLE)
    expect(page.get_by_role("main")).to_contain_text("Section 1 has been added")
    failures += audit_page(page, page_problems)
    section = PlanSection.objects.get(plan=plan)
    assert (section.source_kind, section.source_name, section.source_date) == (
        PlanSection.SourceKind.PRACTICE_REVIEW,
        REVIEW,
        datetime.date(2011, 6, 14),
    )

    # A recommendation in that section, led by a professional lead.
    page.goto(f"{live_server.url}/action-plan/{plan.pk}/recommendations/new/")
    arrive(page, f"{live_server.url}/action-plan/{plan.pk}/recommendations/new/", "Add a recommendation")
    failures += audit_page(page, page_problems)
    page.get_by_label("Source audit").select_option(str(section.pk))
    page.get_by_label("Number", exact=True).fill("1.1")
    page.get_by_label("Text", exact=True).fill("Health visitors see the child at every contact.")
    page.get_by_role("group", name="People who lead it").get_by_label(lead.full_name).check()
    page.get_by_role("button", name="Add recommendation").click()
    recommendation = Recommendation.objects.get(plan=plan)
    arrive(page, f"{live_server.url}/action-plan/recommendations/{recommendation.pk}/", "Recommendation 1.1")
    failures += audit_page(page, page_problems)

    # The dashboard counts both plans, and filtered by the new one, only its recommendation.
    dashboard = f"{live_server.url}/dashboards/action-plan/"
    page.goto(dashboard)
    arrive(page, dashboard, "Action plan")
    expect(page.get_by_role("main")).to_contain_text("2 recommendations in 2 action plans")
    failures += audit_page(page, page_problems)
    page.get_by_label("Action plan", exact=True).select_option(str(plan.pk))
    page.get_by_role("button", name="Show figures").click()
    expect(page).to_have_url(f"{dashboard}?plan={plan.pk}&kind=")
    main = page.get_by_role("main")
    expect(main).to_contain_text(f"1 recommendation in “{TITLE}”")
    expect(main.get_by_role("table", name="By source")).to_contain_text("The review's recommendations")
    expect(main.get_by_role("table", name="By source")).not_to_contain_text("2 December 2009")
    failures += audit_page(page, page_problems)

    # By kind of source, across every plan: the practice review's recommendation alone.
    page.get_by_label("Action plan", exact=True).select_option("")
    page.get_by_label("Kind of source").select_option(PlanSection.SourceKind.PRACTICE_REVIEW.value)
    page.get_by_role("button", name="Show figures").click()
    expect(page).to_have_url(f"{dashboard}?plan=&kind={PlanSection.SourceKind.PRACTICE_REVIEW.value}")
    expect(page.get_by_role("main")).to_contain_text(f"1 recommendation from a {PRACTICE_REVIEW.lower()}")
    failures += audit_page(page, page_problems)

    assert not failures, "\n".join(failures)
