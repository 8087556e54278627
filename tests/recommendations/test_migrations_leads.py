"""The data migration that came with "several leads": each recommendation's one lead
becomes its first lead, and going back the first person lead is the one lead again."""

from __future__ import annotations

from dscb.models import Role
from tests.conftest import make_user
from tests.migrations import MIGRATION_TEST, back_to_the_latest, migrate  # noqa: F401  (the fixture)

pytestmark = MIGRATION_TEST

BEFORE = [("recommendations", "0017_close_state_constraint")]
AFTER = [("recommendations", "0020_leads_drop_the_single_lead")]


def test_the_single_lead_becomes_the_first_lead_and_back_again():
    lead = make_user(Role.PROFESSIONAL_LEAD)
    apps = migrate(BEFORE)
    plan = apps.get_model("recommendations", "ActionPlan").objects.create(title="Plan")
    section = apps.get_model("recommendations", "PlanSection").objects.create(plan=plan, number=1, title="Audit")
    recommendation = apps.get_model("recommendations", "Recommendation")
    led = recommendation.objects.create(plan=plan, section=section, number="1.1", text="Led", lead_id=lead.pk)
    unled = recommendation.objects.create(plan=plan, section=section, number="1.2", text="Not led")

    apps = migrate(AFTER)
    leads = apps.get_model("recommendations", "RecommendationLead").objects
    assert list(leads.values_list("recommendation_id", "person_id", "role_title")) == [(led.pk, lead.pk, "")]
    assert not leads.filter(recommendation_id=unled.pk).exists()

    apps = migrate(BEFORE)
    recommendation = apps.get_model("recommendations", "Recommendation")
    assert recommendation.objects.get(pk=led.pk).lead_id == lead.pk
    assert recommendation.objects.get(pk=unled.pk).lead_id is None
    migrate(AFTER)
