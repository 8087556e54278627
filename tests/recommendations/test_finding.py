"""Finding things in a long plan: the plan page, the ratings page and the RAG list filter by
section, status, lead, agency, overdue and words (``selectors.find``, in the database),
keep the filters in the URL, and show a long result a page at a time, in a fixed number
of queries across plans."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable
from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from dscb.models import ROLE_FIELDS, Agency, Role
from recommendations import selectors
from recommendations.models import ActionPlan, PlanSection, Recommendation, RecommendationLead
from recommendations.selectors import RecommendationRow
from tests.conftest import make_user, queries_for, sign_in
from tests.factories import rag
from tests.recommendations.test_query_counts import PLAN_PAGE_QUERIES, RATINGS_PAGE_QUERIES, build_plan, every_rating

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def with_target_dates(plan: ActionPlan) -> None:
    """A third of the plan past its target date, a third due later, a third with none."""
    for index, recommendation in enumerate(plan.recommendations.order_by("pk")):
        recommendation.target_date = [TODAY - datetime.timedelta(days=30), TODAY + datetime.timedelta(days=30), None][
            index % 3
        ]
        recommendation.save(update_fields=["target_date"])


def found(plan: ActionPlan, **filters: str) -> set[int]:
    cycles = selectors.cycles(plan)
    return set(
        selectors.find(plan.recommendations.all(), filters, {plan.pk: cycles}, today=TODAY).values_list("pk", flat=True)
    )


def chosen(plan: ActionPlan, keep: Callable[[RecommendationRow], bool]) -> set[int]:
    rows = selectors.recommendation_rows(plan, selectors.cycles(plan), today=TODAY)
    return {row.recommendation.pk for row in rows if keep(row)}


@pytest.fixture
def plan() -> ActionPlan:
    plan, _open_cycle = build_plan(40)
    with_target_dates(plan)
    first = plan.recommendations.order_by("pk").first()
    first.text = "Share the strategy discussion minutes with every agency"
    first.save(update_fields=["text"])
    return plan


def test_each_filter_finds_what_the_rows_say(plan):
    """The database's answer for each filter is the rows' own (overdue: the one rule)."""
    police = Agency.objects.get(short_name="Police")
    section = plan.sections.order_by("number")[1]
    for status in ("Green", "Amber", "Red"):
        assert found(plan, rag=str(rag(status).pk)) == chosen(plan, lambda row, s=status: row.rag == rag(s))
    assert found(plan, rag=selectors.NOT_RATED) == chosen(plan, lambda row: row.rag is None) != set()
    assert found(plan, section=str(section.pk)) == chosen(plan, lambda row: row.recommendation.section_id == section.pk)
    assert found(plan, overdue="1") == chosen(plan, lambda row: row.overdue) != set()
    assert found(plan, q="strategy DISCUSSION") == {plan.recommendations.order_by("pk").first().pk}
    assert found(plan, q="3.2") == set(plan.recommendations.filter(number__contains="3.2").values_list("pk", flat=True))
    assert found(plan, agency=str(police.pk)) == chosen(plan, lambda row: True)
    assert found(plan, lead=f"{police.pk}:Nobody of that name") == set()


def test_filters_combine(plan):
    section = plan.sections.order_by("number")[0]
    red = rag("Red")
    assert found(plan, section=str(section.pk), rag=str(red.pk), overdue="1") == chosen(
        plan, lambda row: row.recommendation.section_id == section.pk and row.rag == red and row.overdue
    )


def test_a_recommendation_rated_at_a_status_that_counts_as_done_is_never_overdue(plan):
    green = chosen(plan, lambda row: row.rag == rag("Green"))
    Recommendation.objects.filter(pk__in=green).update(target_date=TODAY - datetime.timedelta(days=1))
    assert green
    assert not green & found(plan, overdue="1")


def test_a_filter_that_means_nothing_is_left_out_rather_than_refused():
    nonsense = {
        "section": "one",
        "rag": "<b>",
        "lead": ":",
        "agency": "9" * 12,
        "overdue": "",
        "q": "  ",
        "unknown": "1",
    }
    assert selectors.parse_filters(nonsense) == {}
    assert selectors.parse_filters({"q": "x" * 500})["q"] == "x" * selectors.SEARCH_LENGTH
    assert selectors.parse_filters({"overdue": "yes", "rag": "none"}) == {"rag": "none", "overdue": "1"}


@pytest.fixture
def executive_client(client):
    return sign_in(client, make_user(Role.EXECUTIVE))


def test_the_plan_page_filters_keep_the_filter_in_the_url_and_show_what_matches(executive_client, plan):
    section = plan.sections.order_by("number")[1]
    url = reverse("recommendations:plan", args=[plan.pk])
    page = executive_client.get(f"{url}?section={section.pk}&q=Recommendation").content.decode()
    expected = found(plan, section=str(section.pk), q="Recommendation")
    assert f"Showing all {len(expected)} recommendations matching these filters." in page
    assert f'<option value="{section.pk}" selected>' in page
    assert 'value="Recommendation"' in page
    assert f"plan.csv?q=Recommendation&amp;section={section.pk}" in page
    assert f'href="{url}">Clear the filters</a>' in page
    nothing = executive_client.get(f"{url}?q=no+such+words").content.decode()
    assert "No recommendation matches these filters." in nothing


def test_what_a_person_types_into_the_search_is_shown_as_text(executive_client, plan):
    page = executive_client.get(
        reverse("recommendations:plan", args=[plan.pk]) + "?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E"
    ).content.decode()
    assert "<script>alert(1)" not in page
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in page


def test_the_download_has_every_row_found_not_only_the_page(executive_client):
    plan, _open_cycle = build_plan(320)
    url = reverse("recommendations:plan", args=[plan.pk])
    page = executive_client.get(url).content.decode()
    assert "Showing 1 to 100 of 320 recommendations." in page
    assert page.count('href="/action-plan/recommendations/') == 100
    download = executive_client.get(reverse("recommendations:plan_download", args=[plan.pk, "csv"]))
    assert len(list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))) == 1 + 320


def test_the_plan_page_pages_keep_the_filters_and_a_page_out_of_range_shows_the_nearest(executive_client):
    plan, _open_cycle = build_plan(320)
    url = reverse("recommendations:plan", args=[plan.pk])
    first = executive_client.get(f"{url}?q=Recommendation").content.decode()
    assert 'href="?q=Recommendation&amp;page=2" rel="next"' in first
    assert 'aria-label="Page 4"' in first
    last = executive_client.get(f"{url}?q=Recommendation&page=4").content.decode()
    assert "Showing 301 to 320 of 320 recommendations matching these filters." in last
    assert last.count('href="/action-plan/recommendations/') == 20
    assert "Showing 301 to 320" in executive_client.get(f"{url}?page=99").content.decode()
    assert "Showing 1 to 100" in executive_client.get(f"{url}?page=not-a-page").content.decode()
    # Page 2 lists the recommendations after page 1's, in the plan's order.
    numbers = [row.number for row in Recommendation.objects.filter(plan=plan).order_by("number_major", "number_minor")]
    second = executive_client.get(f"{url}?page=2").content.decode()
    # A section whose rows are on another page is not shown as empty.
    assert "None yet." not in first
    empty = PlanSection.objects.create(plan=plan, number=5, title="Audit 5")
    assert (
        f'<h2 class="govuk-heading-m">{empty.number} {empty.title}</h2>'
        not in executive_client.get(url).content.decode()
    )
    assert f">{numbers[100]}<" in second
    assert f">{numbers[99]}<" not in second


def test_the_ratings_page_filters_by_this_updates_rating_and_saving_keeps_the_filters(executive_client):
    plan, open_cycle = build_plan(40)
    section = plan.sections.order_by("number")[2]
    url = reverse("recommendations:cycle_ratings", args=[open_cycle.pk])
    page = executive_client.get(f"{url}?section={section.pk}").content.decode()
    assert page.count('class="govuk-select" id="id_rag_') == section.recommendations.count()
    red_now = executive_client.get(f"{url}?rag={rag('Red').pk}").content.decode()
    assert red_now.count('class="govuk-select" id="id_rag_') == open_cycle.updates.filter(rag=rag("Red")).count()
    post_url, data = every_rating(open_cycle, section.recommendations.all(), note="Checked.")
    response = executive_client.post(f"{post_url}?section={section.pk}", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert parse_qs(urlsplit(response["Location"]).query) == {"section": [str(section.pk)]}


def test_the_rag_list_filters_and_pages_like_the_plan_page(executive_client):
    plan, _open_cycle = build_plan(320)
    url = reverse("reports:rag_list")
    amber = rag("Amber")
    page = executive_client.get(f"{url}?rag={amber.pk}").content.decode()
    ambers = found(plan, rag=str(amber.pk))
    assert f"{len(ambers)} of 320 recommendations." in page
    assert '<h1 class="govuk-heading-l">Recommendations rated Amber</h1>' in page
    narrowed = executive_client.get(f"{url}?rag={amber.pk}&q=1.1").content.decode()
    assert f"{len(ambers & found(plan, q='1.1'))} of 320 recommendations." in narrowed
    assert '<input type="hidden" name="q"' not in narrowed  # the form shows it
    everything = executive_client.get(url).content.decode()
    assert "Showing 1 to 100 of 320 recommendations." in everything
    assert 'href="?page=2" rel="next"' in everything


# --- A fixed number of queries at 1,600 recommendations across plans ------------------------------


@pytest.fixture
def long_plans() -> list[ActionPlan]:
    plans = [build_plan(1600)[0], build_plan(120)[0], build_plan(32)[0]]
    for plan in plans:
        with_target_dates(plan)
    if connection.vendor == "postgresql":
        # As autovacuum would in production: statistics left from an earlier test's tables
        # can lead the planner to a plan that takes many minutes on these.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return plans


def every_filter(plan: ActionPlan) -> str:
    section = plan.sections.order_by("number")[0]
    police = Agency.objects.get(short_name="Police")
    return (
        f"?section={section.pk}&rag={rag('Red').pk}&lead={police.pk}%3AHead+of+Safeguarding"
        f"&agency={police.pk}&overdue=1&q=Recommendation&page=2"
    )


def test_the_filtered_pages_cost_the_same_at_1600_recommendations_across_plans(executive_client, long_plans):
    """The plan page, its update's ratings page and the RAG list, with every filter, for a
    plan of 1,600 recommendations and for one of 120 (the smallest with a row for every
    filter), beside a third plan."""
    big, small, _other = long_plans

    def costs(plan: ActionPlan) -> tuple[int, int, int]:
        open_cycle = plan.cycles.get(state="open")
        return (
            queries_for(executive_client, reverse("recommendations:plan", args=[plan.pk]) + every_filter(plan)),
            queries_for(
                executive_client, reverse("recommendations:cycle_ratings", args=[open_cycle.pk]) + every_filter(plan)
            ),
            queries_for(executive_client, reverse("reports:rag_list") + every_filter(plan)),
        )

    for plan in (big, small):
        assert found(plan, **dict(parse_qsl(every_filter(plan)[1:])))
    costs(small)  # the first request fills the caches a process keeps (content types, say)
    assert costs(big) == costs(small)
    # The overdue filter reads the scale now, as the test's completed updates keep none.
    assert costs(big)[:2] == (PLAN_PAGE_QUERIES + 1, RATINGS_PAGE_QUERIES + 1)


def test_the_lists_across_plans_cost_the_same_for_one_plan_or_three(client):
    lead = make_user(Role.PROFESSIONAL_LEAD, **{ROLE_FIELDS[Role.EXECUTIVE]: True})

    def costs() -> tuple[int, ...]:
        RecommendationLead.objects.filter(person__isnull=False).update(person=lead)
        signed_in = sign_in(client, lead)
        return tuple(
            queries_for(signed_in, reverse(name))
            for name in ("recommendations:mine", "recommendations:overdue", "reports:rag_list")
        )

    plan, _open_cycle = build_plan(32)
    with_target_dates(plan)
    one = costs()
    for _ in range(2):
        another, _open_cycle = build_plan(32)
        with_target_dates(another)
    assert costs() == one
