"""The demo's first action plan is the seed report's, as the report states it; its second is
a small invented one from a practice review."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.db.models import Count

from recommendations import selectors
from recommendations.demo import REVIEW_NAME, REVIEW_PLAN_TITLE, REVIEW_RECOMMENDATIONS
from recommendations.models import ActionPlan, Evidence, ProgressUpdate, Recommendation, ReviewCycle, SourceKind
from recommendations.seed_plan import SECTIONS
from tests.demo_snapshot import load_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(settings):
    load_demo(settings)
    return ActionPlan.objects.order_by("pk").first()


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
    numbers = list(Recommendation.objects.filter(plan=plan).values_list("number", flat=True))
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
    assert ReviewCycle.objects.filter(plan=plan).count() == 2


def test_loading_the_demo_twice_adds_nothing(plan, settings):
    loaded = (ActionPlan.objects.count(), Recommendation.objects.count(), Evidence.objects.count())
    settings.DEBUG = True
    call_command("seed_demo")
    assert (ActionPlan.objects.count(), Recommendation.objects.count(), Evidence.objects.count()) == loaded
    assert loaded[:2] == (2, 32 + len(REVIEW_RECOMMENDATIONS))


def test_the_second_plan_is_a_small_invented_one_from_a_practice_review(plan):
    second = ActionPlan.objects.exclude(pk=plan.pk).get()
    assert second.title == REVIEW_PLAN_TITLE
    assert "invented for the demo" in second.title
    assert [(section.source_kind, section.source_name) for section in second.sections.all()] == [
        (SourceKind.PRACTICE_REVIEW, REVIEW_NAME),
        (SourceKind.RAPID_REVIEW, REVIEW_NAME),
    ]
    assert all(section.source_date for section in second.sections.all())
    recommendations = Recommendation.objects.filter(plan=second)
    assert 5 <= recommendations.count() <= 8
    assert set(recommendations.values_list("leads__person__email", flat=True)) == {"lead@example.org"}


def test_the_second_plan_has_a_completed_update_rated_with_evidence_and_an_open_one(plan):
    second = ActionPlan.objects.exclude(pk=plan.pk).get()
    cycles = selectors.cycles(second)
    completed, still_open = cycles.latest_completed, cycles.open
    assert (completed.title, still_open.title) == ("January 2012 update", "July 2012 update")
    assert ProgressUpdate.objects.filter(cycle=completed, rag__isnull=False).count() == 5
    assert Evidence.objects.filter(update__cycle=completed).count() == 3
    assert not ProgressUpdate.objects.filter(cycle=still_open).exists()
