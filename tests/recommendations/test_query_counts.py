"""The plan page, the ratings page and the check before completing an update run a fixed
number of queries, whether the plan holds 32 recommendations or 320."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from dscb.models import Role
from recommendations.models import Evidence, PlanSection, ProgressUpdate, Recommendation, ReviewCycle
from tests.conftest import make_user, queries_for, sign_in
from tests.factories import ActionPlanFactory, rag

pytestmark = pytest.mark.django_db

# session, user; plan with its audit rounds; cycles; sections; recommendations with their
# agencies; the updates compared; the evidence so far; the RAG scale's words and statuses
PLAN_PAGE_QUERIES = 12
# session, user; cycle; cycles; recommendations with their agencies; updates compared; the
# evidence so far; the RAG scale's words (once a request) and statuses (twice: rows and the
# form's choices); this cycle's updates
RATINGS_PAGE_QUERIES = 12
# session, user; cycle with its plan; cycles; recommendations with their agencies; updates
# compared; the evidence so far; the RAG scale's words and statuses
CHECK_PAGE_QUERIES = 10


def build_plan(size: int):
    """A plan of ``size`` recommendations in four sections, rated and evidenced in a
    completed update, with an open update under way."""
    plan = ActionPlanFactory()
    sections = [PlanSection.objects.create(plan=plan, number=n, title=f"Audit {n}") for n in range(1, 5)]
    lead = make_user(Role.PROFESSIONAL_LEAD)
    recommendations = Recommendation.objects.bulk_create(
        Recommendation(
            plan=plan,
            section=sections[index % 4],
            number=f"{index % 4 + 1}.{index // 4 + 1}",
            number_major=index % 4 + 1,
            number_minor=index // 4 + 1,
            text=f"Recommendation {index}",
            lead=lead,
        )
        for index in range(size)
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
    build_plan(size)
    assert queries_for(executive_client, reverse("recommendations:plan")) == PLAN_PAGE_QUERIES


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
