"""The demo case audits say what the seed report says."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db.models import Count

from audits.demo import MINUTES_AND_PLAN, SUPERVISION
from audits.models import AuditCase, AuditRound, ChecklistAnswer, Escalation, Grade, ThemeRating
from tests.demo_snapshot import load_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    load_demo(settings)


def overall_grades(title: str) -> dict[str, int]:
    return dict(
        AuditCase.objects.filter(audit_round__title=title)
        .values_list("overall_grade__label")
        .annotate(n=Count("pk"))
        .order_by()
    )


def share_yes(title: str, question: str) -> float:
    answers = ChecklistAnswer.objects.filter(record__case__audit_round__title=title, question__text=question)
    return answers.filter(answer="yes").count() / answers.count()


def test_thirty_six_children_were_audited_in_four_rounds(demo):
    graded = AuditCase.objects.filter(audit_round__kind=AuditRound.Kind.CASE_AUDIT, audit_round__held_on__year__lt=2011)
    assert graded.count() == 36
    assert graded.values("audit_round").distinct().count() == 4


def test_the_demo_has_a_round_at_each_step(demo):
    assert set(AuditRound.objects.values_list("state", flat=True)) == set(AuditRound.State.values)


def test_the_initial_round_found_five_of_eight_inadequate(demo):
    assert overall_grades("March 2009") == {"Inadequate": 5, "Adequate": 3}


def test_september_2010_had_one_good_and_seven_adequate_each_with_one_theme_below_adequate(demo):
    title = "September 2010 (Integrated Children's Service)"
    assert overall_grades(title) == {"Good": 1, "Adequate": 7}
    for case in AuditCase.objects.filter(audit_round__title=title, overall_grade__label="Adequate"):
        below = ThemeRating.objects.filter(case=case, grade__meets_threshold=False).count()
        assert below == 1, case.reference
    good = AuditCase.objects.get(audit_round__title=title, overall_grade__label="Good")
    assert not ThemeRating.objects.filter(case=good, grade__meets_threshold=False).exists()


def test_september_2010_checklist_gives_the_seeds_figures(demo):
    title = "September 2010 (Integrated Children's Service)"
    assert share_yes(title, SUPERVISION) == 0.9
    assert share_yes(title, MINUTES_AND_PLAN) == 1.0


def test_two_appreciative_inquiry_families_on_plans_for_over_a_year_seen_as_stuck(demo):
    families = AuditCase.objects.filter(audit_round__kind=AuditRound.Kind.APPRECIATIVE_INQUIRY)
    assert families.count() == 2
    for family in families.select_related("audit_round"):
        assert family.plan_months_at(family.audit_round.held_on) > 12
        assert family.seen_as_stuck is True
        assert family.overall_grade is None
        assert not family.theme_ratings.exists()


def test_two_requests_for_immediate_intervention_to_review_the_plan(demo):
    assert Escalation.objects.count() == 2
    assert all("reviewed" in escalation.outcome for escalation in Escalation.objects.all())


def test_loading_the_demo_twice_adds_nothing(demo, settings):
    counts = (AuditRound.objects.count(), AuditCase.objects.count(), ChecklistAnswer.objects.count())
    settings.DEBUG = True
    call_command("seed_demo")
    assert (AuditRound.objects.count(), AuditCase.objects.count(), ChecklistAnswer.objects.count()) == counts


def test_every_demo_grade_is_a_real_grade(demo):
    assert set(AuditCase.objects.exclude(overall_grade=None).values_list("overall_grade__label", flat=True)) <= set(
        Grade.objects.values_list("label", flat=True)
    )
