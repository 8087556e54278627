"""The plan page, the ratings page and the check before completing an update run a fixed
number of queries, whether the plan holds 32 recommendations or 320; so does saving the
ratings, history included."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dscb.models import Agency, Role
from recommendations.models import (
    Evidence,
    PlanSection,
    ProgressUpdate,
    Recommendation,
    RecommendationLead,
    ReviewCycle,
)
from tests.conftest import make_user, queries_for, sign_in
from tests.factories import ActionPlanFactory, rag

pytestmark = pytest.mark.django_db

# session, user; plan with its audit rounds; cycles; sections; recommendations with their
# leads; the updates compared; the evidence so far; the RAG scale's words and statuses (twice here: the
# rows and the key; a completed update keeps its scale, so the key of a real plan reads none); the lead and agency
# filters' choices; how many are found and the page's ids
PLAN_PAGE_QUERIES = 17
# session, user; cycle; cycles; the parts of the plan (numbers only); the part's recommendations with their
# leads; updates compared; the evidence so far; the RAG scale's words (once a request) and statuses
# (twice: rows and the form's choices); this cycle's updates; its re-openings; the filters' sections, leads and
# agencies
RATINGS_PAGE_QUERIES = 17
# session, user; cycle with its plan; cycles; recommendations with their leads; updates
# compared; the evidence so far; the RAG scale's words and statuses
CHECK_PAGE_QUERIES = 10
# The ratings page's queries (the scale's words among them, and the part's ids), then the save: a savepoint;
# the cycle locked; the active statuses; this cycle's updates with their recommendations; last time's ratings (the
# rows that start from them); the version claimed, the
# cycle's checks (its plan, who saved it, its title, one open update, two constraints) and
# its save with its history; the updates created and changed, one query each; their
# history, one query (and the content type, when not cached)
RATINGS_SAVE_QUERIES = 39


def build_plan(size: int):
    """A plan of ``size`` recommendations in four sections, rated and evidenced in a
    completed update, with an open update under way."""
    plan = ActionPlanFactory()
    sections = [PlanSection.objects.create(plan=plan, number=n, title=f"Audit {n}") for n in range(1, 5)]
    person = make_user(Role.PROFESSIONAL_LEAD)
    recommendations = Recommendation.objects.bulk_create(
        Recommendation(
            plan=plan,
            section=sections[index % 4],
            number=f"{index % 4 + 1}.{index // 4 + 1}",
            text=f"Recommendation {index}",
        )
        for index in range(size)
    )
    police = Agency.objects.get(short_name="Police")
    RecommendationLead.objects.bulk_create(
        lead
        for recommendation in recommendations
        for lead in (
            RecommendationLead(recommendation=recommendation, person=person, position=1),
            RecommendationLead(
                recommendation=recommendation, role_title="Head of Safeguarding", agency=police, position=2
            ),
        )
    )
    completed = ReviewCycle.objects.create(
        plan=plan,
        title="March 2011 update",
        due_on=datetime.date(2011, 3, 4),
        state="completed",
        completed_on=datetime.date(2011, 3, 4),
    )
    open_cycle = ReviewCycle.objects.create(plan=plan, title="September 2011 update", due_on=datetime.date(2011, 9, 30))
    labels = ["Green", "Orange", "Amber", "Red", None]
    updates = ProgressUpdate.objects.bulk_create(
        ProgressUpdate(
            recommendation=recommendation, cycle=cycle, rag=rag(labels[index % 5]) if labels[index % 5] else None
        )
        for index, recommendation in enumerate(recommendations)
        for cycle in (completed, open_cycle)
    )
    Evidence.objects.bulk_create(Evidence(update=update, text="A point of evidence.") for update in updates)
    return plan, open_cycle


@pytest.fixture
def executive_client(client):
    return sign_in(client, make_user(Role.EXECUTIVE))


@pytest.mark.parametrize("size", [32, 320])
def test_the_plan_page_costs_the_same_for_32_or_320_recommendations(executive_client, size):
    plan, _open_cycle = build_plan(size)
    assert queries_for(executive_client, reverse("recommendations:plan", args=[plan.pk])) == PLAN_PAGE_QUERIES


@pytest.mark.parametrize("size", [32, 320])
def test_the_ratings_page_costs_the_same_for_32_or_320_recommendations(executive_client, size):
    _plan, open_cycle = build_plan(size)
    assert queries_for(executive_client, reverse("recommendations:cycle_ratings", args=[open_cycle.pk])) == (
        RATINGS_PAGE_QUERIES
    )


@pytest.mark.parametrize("size", [32, 320])
def test_the_check_before_completing_costs_the_same_for_32_or_320_recommendations(executive_client, size):
    _plan, open_cycle = build_plan(size)
    assert queries_for(executive_client, reverse("recommendations:cycle_complete", args=[open_cycle.pk])) == (
        CHECK_PAGE_QUERIES
    )


def every_rating(cycle: ReviewCycle, recommendations, *, note: str, page: int | None = None) -> tuple[str, dict]:
    """The ratings page's URL and a POST of Green, with ``note``, for every one of ``recommendations``."""
    green = rag("Green")
    data: dict = {"version": cycle.version}
    for recommendation in recommendations:
        data |= {f"rag_{recommendation.pk}": green.pk, f"note_{recommendation.pk}": note}
    return reverse("recommendations:cycle_ratings", args=[cycle.pk]) + (f"?page={page}" if page else ""), data


@pytest.mark.parametrize("size", [32, 320])
def test_saving_the_ratings_costs_the_same_for_32_or_320_changed_ratings(executive_client, size):
    plan, open_cycle = build_plan(size)
    executive = executive_client.user
    recommendations = list(plan.recommendations.all())
    # Half the ratings are new in this update, half change one already there.
    ProgressUpdate.objects.filter(cycle=open_cycle, recommendation__in=recommendations[::2]).update(rag=None)
    Evidence.objects.filter(update__cycle=open_cycle, update__recommendation__in=recommendations[1::2]).delete()
    ProgressUpdate.objects.filter(cycle=open_cycle, recommendation__in=recommendations[1::2]).delete()
    history_before = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    url, data = every_rating(open_cycle, recommendations, note="Agreed at the meeting.")
    with CaptureQueriesContext(connection) as captured:
        response = executive_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert len(captured) == RATINGS_SAVE_QUERIES
    saved = ProgressUpdate.objects.filter(cycle=open_cycle, rag=rag("Green"), rated_by=executive)
    assert saved.count() == size
    history = list(LogEntry.objects.get_for_model(ProgressUpdate).filter(pk__gt=history_before))
    assert len(history) == size
    assert {(entry.actor_id, entry.additional_data["recommendation_id"] is not None) for entry in history} == {
        (executive.pk, True)
    }
    assert {entry.action for entry in history} == {LogEntry.Action.CREATE, LogEntry.Action.UPDATE}


def test_a_plan_of_1600_recommendations_is_rated_a_section_at_a_time(executive_client):
    plan, open_cycle = build_plan(1600)
    first = executive_client.get(reverse("recommendations:cycle_ratings", args=[open_cycle.pk]))
    assert first.status_code == 200
    assert 'href="?page=4"' in first.content.decode()
    for page, section in enumerate(plan.sections.order_by("number"), start=1):
        open_cycle.refresh_from_db()
        response = executive_client.post(
            *every_rating(open_cycle, section.recommendations.all(), note="Checked.", page=page)
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        assert response["Location"].endswith(f"?page={page}")
    assert ProgressUpdate.objects.filter(cycle=open_cycle, rag=rag("Green"), rating_note="Checked.").count() == 1600


@pytest.mark.parametrize("size", [32, 320])
def test_the_plan_page_filtered_by_lead_and_agency_costs_the_same(executive_client, size):
    plan, _open_cycle = build_plan(size)
    police = Agency.objects.get(short_name="Police")
    url = (
        reverse("recommendations:plan", args=[plan.pk]) + f"?lead={police.pk}%3AHead+of+Safeguarding&agency={police.pk}"
    )
    assert queries_for(executive_client, url) == PLAN_PAGE_QUERIES


# session, user; the open updates; the lead's open recommendations in them, with whether
# each has evidence and a proposal; the scale's words
HOME_QUERIES = 5


@pytest.mark.parametrize("size", [32, 320])
def test_the_leads_to_do_list_costs_the_same_for_32_or_320_recommendations(client, size):
    build_plan(size)
    lead = RecommendationLead.objects.filter(person__isnull=False).select_related("person").first().person
    assert queries_for(sign_in(client, lead), reverse("home")) == HOME_QUERIES


def test_a_completed_update_of_1600_recommendations_is_shown_a_section_at_a_time(executive_client):
    plan, open_cycle = build_plan(1600)
    completed = plan.cycles.exclude(pk=open_cycle.pk).get()
    url = reverse("recommendations:cycle_ratings", args=[completed.pk])
    queries = queries_for(executive_client, url)
    response = executive_client.get(url + "?page=2")
    page = response.content.decode()
    assert page.count('<tr class="govuk-table__row">') == 1 + 400  # the heading's row, then section 2's
    assert ">2.1<" in page
    assert ">1.1<" not in page
    assert 'href="?page=4"' in page
    assert queries == RATINGS_PAGE_QUERIES


# session, user; plans; cycles; the rated update's scale and its statuses (which count as done); how many
# are overdue and the page's ids; the updates compared; the evidence so far; the statuses for the rows; the
# page's recommendations with their leads; the filters' leads and agencies
OVERDUE_QUERIES = 15


@pytest.mark.parametrize("size", [32, 320])
def test_the_overdue_list_costs_the_same_for_32_or_320_recommendations(executive_client, size):
    plan, _open_cycle = build_plan(size)
    plan.recommendations.update(target_date=datetime.date(2011, 1, 1))
    response = executive_client.get(reverse("recommendations:overdue"))
    assert response.status_code == 200
    assert queries_for(executive_client, reverse("recommendations:overdue")) == OVERDUE_QUERIES
    # Every fifth is rated Green (counts as done): not overdue. A page shows at most 100.
    shown = response.content.decode().count('<tr class="govuk-table__row">') - 1
    assert shown == min(100, size - len(range(0, size, 5)))


def test_the_overdue_list_builds_no_row_for_what_is_not_overdue(executive_client, monkeypatch):
    plan, _open_cycle = build_plan(320)
    # The second is rated Orange (the first Green, done): that one is overdue.
    overdue, *not_yet = list(plan.recommendations.order_by("pk"))[1:]
    Recommendation.objects.filter(pk__in=[r.pk for r in not_yet]).update(
        target_date=timezone.localdate() + datetime.timedelta(days=30)
    )
    Recommendation.objects.filter(pk=overdue.pk).update(target_date=datetime.date(2011, 1, 1))
    built = []
    monkeypatch.setattr(
        Recommendation,
        "__init__",
        lambda self, *args, **kwargs: built.append(1) or Model.__init__(self, *args, **kwargs),
    )
    response = executive_client.get(reverse("recommendations:overdue"))
    assert response.status_code == 200
    assert f">{overdue.number}<" in response.content.decode()
    assert len(built) == 1  # the one overdue, not the 318 not yet due nor the one done


def test_my_recommendations_are_shown_a_page_at_a_time(client):
    build_plan(320)
    lead = RecommendationLead.objects.filter(person__isnull=False).select_related("person").first().person
    signed_in = sign_in(client, lead)
    first = signed_in.get(reverse("recommendations:mine")).content.decode()
    assert first.count('<tr class="govuk-table__row">') == 1 + 100
    assert "Showing 1 to 100 of 320 recommendations" in first
    last = signed_in.get(reverse("recommendations:mine") + "?page=4").content.decode()
    assert last.count('<tr class="govuk-table__row">') == 1 + 20
