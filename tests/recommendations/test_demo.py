"""The demo action plan is the seed report's, as the report states it."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.db.models import Count

from recommendations import selectors
from recommendations.models import ActionPlan, Evidence, ProgressUpdate, Recommendation, ReviewCycle
from recommendations.seed_plan import SECTIONS

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    return ActionPlan.objects.get()


def test_the_march_2011_ratings_equal_the_seeds(plan):
    march = ReviewCycle.objects.get(title="March 2011 update")
    counts = dict(
        ProgressUpdate.objects.filter(cycle=march).values_list("rag__label").annotate(n=Count("pk")).order_by()
    )
    assert counts == {"Green": 10, "Orange": 4, "Amber": 2, "Red": 1, None: 15}
    assert (march.state, march.completed_on) == ("completed", datetime.date(2011, 3, 4))


def test_all_32_recommendations_in_their_four_sections_in_natural_order(plan):
    assert [section.title for section in plan.sections.all()] == [
        "March 2009",
        "December 2009",
        "April 2010",
        "September 2010 (Integrated Children's Service)",
    ]
    numbers = list(Recommendation.objects.values_list("number", flat=True))
    assert len(numbers) == 32
    assert numbers[numbers.index("2.9") + 1] == "2.10"
    assert [recommendation.number for section in SECTIONS for recommendation in section.recommendations] == numbers


def test_section_3_shows_by_when_instead_of_a_rag(plan):
    assert list(plan.sections.filter(shows_target_date=True).values_list("number", flat=True)) == [3]


def test_the_header_is_the_seeds(plan):
    assert plan.director_lead == "Rory McCallum"
    assert plan.review_frequency == "Six monthly"
    assert plan.professional_leads.startswith("Maria Kasprzyk, Helen Hyland")
    assert plan.audit_rounds.count() == 4
    assert selectors.cycles(plan).latest_completed.completed_on == datetime.date(2011, 3, 4)


def test_the_evidence_and_its_links_are_the_seeds(plan):
    mash = Evidence.objects.filter(update__recommendation__number="1.1")
    assert mash.filter(url="http://dscb.info/practitioners/multi-agency-safeguarding-hub-mash/").exists()
    supervision = Evidence.objects.filter(update__recommendation__number="2.11").values_list("text", flat=True)
    assert any("90% files audited in September 2010" in text for text in supervision)


def test_september_2011_is_open_with_nothing_rated_and_no_earlier_ratings_invented(plan):
    september = ReviewCycle.objects.get(title="September 2011 update")
    assert september.is_open
    assert not ProgressUpdate.objects.filter(cycle=september).exists()
    assert ReviewCycle.objects.count() == 2


def test_loading_the_demo_twice_adds_nothing(plan):
    call_command("seed_demo")
    assert (ActionPlan.objects.count(), Recommendation.objects.count(), Evidence.objects.count()) == (
        1,
        32,
        Evidence.objects.count(),
    )
    assert Recommendation.objects.count() == 32
