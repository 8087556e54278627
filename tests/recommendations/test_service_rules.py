"""Every rule of the action plan's services, called directly with no form: each refuses,
says which field is wrong, and writes nothing. (The list of rules is the docstring of
recommendations/services.py.)"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile

from audits.models import AuditRound
from dscb.models import Role
from recommendations import services
from recommendations.models import (
    ActionPlan,
    Evidence,
    PlanSection,
    ProgressUpdate,
    Recommendation,
    RecommendationLead,
    ReviewCycle,
)
from recommendations.services import LeadInput, RecommendationInput
from tests.conftest import make_user
from tests.factories import (
    ActionPlanFactory,
    AgencyFactory,
    AuditRoundFactory,
    PlanSectionFactory,
    RecommendationFactory,
    RecommendationLeadFactory,
    ReviewCycleFactory,
    rag,
)
from tests.service_rules import refusal_check

pytestmark = pytest.mark.django_db

IDENTIFYING = "Date of birth 12/03/2008"


# What the plan's services write, the history included: a refusal leaves every row as it was.
refused = refusal_check(
    [ActionPlan, PlanSection, Recommendation, RecommendationLead, ReviewCycle, ProgressUpdate, Evidence, LogEntry]
)


@pytest.fixture
def executive():
    return make_user(Role.EXECUTIVE)


@pytest.fixture
def lead():
    return make_user(Role.PROFESSIONAL_LEAD)


@pytest.fixture
def section():
    return PlanSectionFactory(number=2)


@pytest.fixture
def recommendation(section, lead):
    return RecommendationFactory(section=section, number="2.1", lead=lead)


@pytest.fixture
def cycle(recommendation):
    return ReviewCycleFactory(plan=recommendation.plan)


def values(section: PlanSection, **changes: object) -> RecommendationInput:
    return RecommendationInput(**{"section": section, "number": "2.2", "text": "Supervision audited."} | changes)


# --- The plan ----------------------------------------------------------------------------


def test_only_the_executive_creates_a_plan(lead):
    refused(lambda: services.plan_create(by=lead, title="Action plan"))


def test_a_plan_answers_case_audit_rounds_only(executive):
    inquiry = AuditRoundFactory(kind=AuditRound.Kind.APPRECIATIVE_INQUIRY)
    refused(lambda: services.plan_create(by=executive, title="Plan", audit_rounds=[inquiry]), "audit_rounds")


def test_a_plan_needs_a_title(executive):
    plan = ActionPlanFactory()
    refused(
        lambda: services.plan_update(
            plan=plan,
            by=executive,
            expected_version=plan.version,
            title="",
            professional_leads="",
            director_lead="",
            review_frequency="Six monthly",
            other_references="",
            audit_rounds=[],
        ),
        "title",
    )


def test_section_numbers_are_unique_in_the_plan(executive, section):
    refused(lambda: services.section_create(plan=section.plan, by=executive, number=2, title="Again"), "number")


def test_a_section_comes_from_a_case_audit_round(executive, section):
    inquiry = AuditRoundFactory(kind=AuditRound.Kind.APPRECIATIVE_INQUIRY)
    refused(
        lambda: services.section_create(plan=section.plan, by=executive, number=3, title="AI", audit_round=inquiry),
        "audit_round",
    )


def test_a_case_audit_section_names_its_round_or_the_audit_in_words(executive, section):
    refused(lambda: services.section_create(plan=section.plan, by=executive, number=3, title="Audit"), "audit_round")
    named = services.section_create(
        plan=section.plan, by=executive, number=3, title="Audit", source_name="March 2008 case audit"
    )
    assert named.source_kind == PlanSection.SourceKind.CASE_AUDIT
    assert named.source == "Multi-agency case audit: March 2008 case audit"


@pytest.mark.parametrize("kind", [kind for kind in PlanSection.SourceKind.values if kind != "case_audit"])
def test_a_review_or_inspection_section_names_its_source(executive, section, kind):
    refused(
        lambda: services.section_create(plan=section.plan, by=executive, number=3, title="Child T", source_kind=kind),
        "source_name",
    )
    made = services.section_create(
        plan=section.plan,
        by=executive,
        number=3,
        title="Child T",
        source_kind=kind,
        source_name="Child T",
        source_date=datetime.date(2023, 5, 1),
    )
    assert made.source.endswith("Child T, 1 May 2023")


def test_only_a_case_audit_section_names_an_audit_round(executive, section):
    audit_round = AuditRoundFactory(kind=AuditRound.Kind.CASE_AUDIT)
    refused(
        lambda: services.section_create(
            plan=section.plan,
            by=executive,
            number=3,
            title="JTAI",
            source_kind=PlanSection.SourceKind.INSPECTION,
            source_name="Joint targeted area inspection",
            audit_round=audit_round,
        ),
        "audit_round",
    )


def test_a_section_names_a_kind_of_source_from_the_list(executive, section):
    refused(
        lambda: services.section_create(
            plan=section.plan, by=executive, number=3, title="X", source_kind="rumour", source_name="Heard it"
        ),
        "source_kind",
    )


def test_only_the_executive_adds_a_section(lead, section):
    refused(lambda: services.section_create(plan=section.plan, by=lead, number=3, title="X", source_name="Y"))


def test_the_audit_team_adds_a_section_only_for_a_case_audit_round(section):
    audit_team = make_user(Role.AUDIT_TEAM)
    refused(
        lambda: services.section_create(plan=section.plan, by=audit_team, number=3, title="X", source_name="Y"),
        "audit_round",
    )
    audit_round = AuditRoundFactory()
    added = services.section_create(plan=section.plan, by=audit_team, number=3, title="X", audit_round=audit_round)
    assert added.audit_round == audit_round


# --- Recommendations ---------------------------------------------------------------------


def test_only_the_executive_adds_a_recommendation(section, lead):
    refused(lambda: services.recommendation_create(plan=section.plan, by=lead, values=values(section)))


def test_the_audit_team_adds_a_recommendation_only_to_a_rounds_section(section):
    audit_team = make_user(Role.AUDIT_TEAM)
    refused(lambda: services.recommendation_create(plan=section.plan, by=audit_team, values=values(section)), "section")
    from_round = PlanSectionFactory(plan=section.plan, number=3, audit_round=AuditRoundFactory())
    raised = services.recommendation_create(plan=section.plan, by=audit_team, values=values(from_round, number="3.1"))
    assert raised.section == from_round


def test_the_audit_team_changes_no_recommendation_it_raised(section):
    audit_team = make_user(Role.AUDIT_TEAM)
    from_round = PlanSectionFactory(plan=section.plan, number=3, audit_round=AuditRoundFactory())
    raised = RecommendationFactory(section=from_round, number="3.1")
    refused(
        lambda: services.recommendation_update(
            recommendation=raised,
            by=audit_team,
            expected_version=raised.version,
            values=values(from_round, number="3.1"),
        )
    )


def test_a_number_starts_with_its_sections_number(executive, section):
    refused(
        lambda: services.recommendation_create(plan=section.plan, by=executive, values=values(section, number="3.1")),
        "number",
    )


def test_a_number_reads_like_2_10(executive, section):
    refused(
        lambda: services.recommendation_create(plan=section.plan, by=executive, values=values(section, number="2")),
        "number",
    )


def test_numbers_are_unique_in_the_plan(executive, recommendation):
    section = recommendation.section
    refused(
        lambda: services.recommendation_create(plan=section.plan, by=executive, values=values(section, number="2.1")),
        "number",
    )


def test_a_recommendation_keeps_its_number_unique_when_changed(executive, recommendation):
    other = RecommendationFactory(section=recommendation.section, number="2.2")
    refused(
        lambda: services.recommendation_update(
            recommendation=other,
            by=executive,
            expected_version=other.version,
            values=values(recommendation.section, number="2.1"),
        ),
        "number",
    )


def test_the_section_is_the_plans_own(executive, section):
    elsewhere = PlanSectionFactory(number=2)
    refused(
        lambda: services.recommendation_create(plan=section.plan, by=executive, values=values(elsewhere)), "section"
    )


def create_led_by(executive, section, *leads: LeadInput) -> Callable[[], object]:
    return lambda: services.recommendation_create(plan=section.plan, by=executive, values=values(section, leads=leads))


def test_a_person_lead_is_someone_who_may_lead(executive, section):
    auditor = make_user(Role.AUDIT_TEAM)
    refused(create_led_by(executive, section, LeadInput(person=auditor, field="people")), "people")


def test_a_person_lead_is_active(executive, section):
    gone = make_user(Role.PROFESSIONAL_LEAD, is_active=False)
    refused(create_led_by(executive, section, LeadInput(person=gone)), "leads")


def test_a_lead_is_a_person_or_a_role_not_both(executive, section, lead):
    both = LeadInput(person=lead, role_title="Head of Safeguarding", agency=AgencyFactory())
    refused(create_led_by(executive, section, both), "leads")


def test_a_lead_names_someone(executive, section):
    refused(create_led_by(executive, section, LeadInput(agency=AgencyFactory(), field="role_title_0")), "role_title_0")


def test_a_role_lead_names_its_agency(executive, section):
    role = LeadInput(role_title="Head of Safeguarding", field="role_title_0", agency_field="role_agency_0")
    refused(create_led_by(executive, section, role), "role_agency_0")


def test_a_role_leads_for_an_active_agency(executive, section):
    role = LeadInput(role_title="Head of Safeguarding", agency=AgencyFactory(is_active=False))
    refused(create_led_by(executive, section, role), "leads")


def test_a_role_is_at_most_150_characters(executive, section):
    refused(create_led_by(executive, section, LeadInput(role_title="H" * 151, agency=AgencyFactory())), "leads")


def test_nobody_is_named_twice_as_a_lead(executive, section, lead):
    police = AgencyFactory(name="Police force")
    refused(create_led_by(executive, section, LeadInput(person=lead), LeadInput(person=lead)), "leads")
    role = LeadInput(role_title="Head of Safeguarding", agency=police)
    twice = LeadInput(role_title=" Head of Safeguarding ", agency=police, field="role_title_1")
    refused(create_led_by(executive, section, role, twice), "role_title_1")


def test_a_recommendation_has_people_and_roles_as_leads_in_order(executive, section, lead):
    police = AgencyFactory(name="Police force")
    recommendation = services.recommendation_create(
        plan=section.plan,
        by=executive,
        values=values(
            section, leads=[LeadInput(role_title="Head of Safeguarding", agency=police), LeadInput(person=lead)]
        ),
    )
    assert recommendation.lead_names == f"Head of Safeguarding, Police force; {lead.get_full_name()}"


def test_a_lead_who_may_no_longer_lead_can_stay_but_not_be_named_anew(executive, recommendation, lead):
    lead.is_active = False
    lead.save()
    kept = values(recommendation.section, number=recommendation.number, leads=[LeadInput(person=lead)])
    services.recommendation_update(
        recommendation=recommendation, by=executive, expected_version=recommendation.version, values=kept
    )
    assert recommendation.lead_names == lead.get_full_name()


def test_changing_the_leads_is_kept_in_the_history_by_name(executive, recommendation, lead):
    police = AgencyFactory(name="Police force")
    changed = values(
        recommendation.section,
        number=recommendation.number,
        leads=[LeadInput(role_title="Head of Safeguarding", agency=police)],
    )
    services.recommendation_update(
        recommendation=recommendation, by=executive, expected_version=recommendation.version, values=changed
    )
    lead_changes = LogEntry.objects.filter(
        additional_data__recommendation_id=recommendation.pk, content_type__model="recommendationlead"
    )
    assert {(entry.action, entry.object_repr) for entry in lead_changes} >= {
        (LogEntry.Action.DELETE, lead.get_full_name()),
        (LogEntry.Action.CREATE, "Head of Safeguarding, Police force"),
    }


def test_agencies_newly_named_are_active(executive, section):
    closed = AgencyFactory(is_active=False)
    refused(
        lambda: services.recommendation_create(
            plan=section.plan, by=executive, values=values(section, agencies=[closed])
        ),
        "agencies",
    )


def test_a_recommendation_holds_no_identifying_details(executive, section):
    refused(
        lambda: services.recommendation_create(
            plan=section.plan, by=executive, values=values(section, text=IDENTIFYING)
        ),
        "text",
    )


def test_a_recommendation_kind_is_one_of_the_kinds(executive, section):
    refused(
        lambda: services.recommendation_create(plan=section.plan, by=executive, values=values(section, kind="wish")),
        "kind",
    )


# --- The sort key ------------------------------------------------------------------------


def test_the_sort_key_follows_the_number_however_it_is_written(section):
    """bulk_create sets no sort key itself: the database derives it from the number."""
    Recommendation.objects.bulk_create(
        Recommendation(plan=section.plan, section=section, number=number, text="Text")
        for number in ("2.10", "2.9", "2.100", "2.1")
    )
    Recommendation.objects.create(plan=section.plan, section=section, number="2.11", text="Text")
    assert list(Recommendation.objects.values_list("number", flat=True)) == ["2.1", "2.9", "2.10", "2.11", "2.100"]
    renumbered = Recommendation.objects.get(number="2.100")
    Recommendation.objects.filter(pk=renumbered.pk).update(number="2.2")
    assert list(Recommendation.objects.values_list("number", flat=True)) == ["2.1", "2.2", "2.9", "2.10", "2.11"]


# --- Review cycles -----------------------------------------------------------------------


def test_only_the_executive_opens_an_update(lead, section):
    refused(lambda: services.cycle_open(plan=section.plan, by=lead, title="Update", due_on=datetime.date(2011, 9, 30)))


def test_one_open_update_per_plan(executive, cycle):
    refused(
        lambda: services.cycle_open(plan=cycle.plan, by=executive, title="Another", due_on=datetime.date(2012, 3, 1))
    )


def test_update_titles_are_unique_in_the_plan(executive, cycle):
    services.cycle_complete(cycle=cycle, by=executive, expected_version=cycle.version)
    refused(
        lambda: services.cycle_open(plan=cycle.plan, by=executive, title=cycle.title, due_on=datetime.date(2012, 3, 1)),
        "title",
    )


def test_only_the_executive_completes_an_update(lead, cycle):
    refused(lambda: services.cycle_complete(cycle=cycle, by=lead, expected_version=cycle.version))


def test_a_completed_update_is_not_completed_again(executive, cycle):
    services.cycle_complete(cycle=cycle, by=executive, expected_version=cycle.version)
    cycle.refresh_from_db()
    refused(lambda: services.cycle_complete(cycle=cycle, by=executive, expected_version=cycle.version))


# --- Ratings -----------------------------------------------------------------------------


def rate(cycle: ReviewCycle, by: object, ratings: dict) -> Callable[[], object]:
    cycle.refresh_from_db()
    return lambda: services.ratings_save(cycle=cycle, by=by, expected_version=cycle.version, ratings=ratings)


def test_only_the_executive_rates(lead, cycle, recommendation):
    refused(rate(cycle, lead, {recommendation: (rag("Green"), "")}))


def test_a_completed_update_is_frozen_to_ratings(executive, cycle, recommendation):
    services.cycle_complete(cycle=cycle, by=executive, expected_version=cycle.version)
    refused(rate(cycle, executive, {recommendation: (rag("Green"), "")}))


def test_only_the_updates_plans_recommendations_are_rated(executive, cycle):
    elsewhere = RecommendationFactory()
    refused(rate(cycle, executive, {elsewhere: (rag("Green"), "")}))


def test_a_new_rating_is_an_active_status(executive, cycle, recommendation):
    retired = rag("Orange")
    retired.is_active = False
    retired.save()
    refused(rate(cycle, executive, {recommendation: (retired, "")}), f"rag_{recommendation.pk}")


@pytest.mark.parametrize("note", [IDENTIFYING, "x" * 501])
def test_a_rating_note_is_short_and_holds_no_identifying_details(executive, cycle, recommendation, note):
    refused(rate(cycle, executive, {recommendation: (rag("Green"), note)}), f"note_{recommendation.pk}")


def test_one_bad_rating_saves_none(executive, cycle, recommendation):
    second = RecommendationFactory(section=recommendation.section, number="2.2")
    refused(rate(cycle, executive, {recommendation: (rag("Green"), ""), second: (rag("Red"), IDENTIFYING)}))


# --- Evidence ----------------------------------------------------------------------------


def add(recommendation: Recommendation, cycle: ReviewCycle, by: object, **given: object) -> Callable[[], object]:
    return lambda: services.evidence_add(recommendation=recommendation, cycle=cycle, by=by, **given)


def test_evidence_only_by_the_lead_or_the_executive(cycle, recommendation):
    someone_else = make_user(Role.PROFESSIONAL_LEAD)
    refused(add(recommendation, cycle, someone_else, text="Training delivered."))
    refused(add(recommendation, cycle, make_user(Role.BOARD_MEMBER), text="Training delivered."))


def test_evidence_says_something(cycle, recommendation, lead):
    refused(add(recommendation, cycle, lead), "text")


def test_evidence_holds_no_identifying_details(cycle, recommendation, lead):
    refused(add(recommendation, cycle, lead, text=IDENTIFYING), "text")


def test_an_evidence_file_is_of_an_allowed_kind(cycle, recommendation, lead):
    script = SimpleUploadedFile("evidence.pdf", b"#!/bin/sh\necho hello\n")
    refused(add(recommendation, cycle, lead, upload=script), "upload")


def test_a_proposed_rag_is_an_active_status(cycle, recommendation, lead):
    retired = rag("Orange")
    retired.is_active = False
    retired.save()
    refused(add(recommendation, cycle, lead, proposed_rag=retired), "proposed_rag")


def test_evidence_goes_into_the_recommendations_own_plan(recommendation, lead):
    other_plans = ReviewCycleFactory()
    refused(add(recommendation, other_plans, lead, text="Training delivered."))


def test_a_completed_update_is_frozen_to_evidence(executive, cycle, recommendation, lead):
    services.cycle_complete(cycle=cycle, by=executive, expected_version=cycle.version)
    refused(add(recommendation, cycle, lead, text="Late"))


@pytest.fixture
def evidence(cycle, recommendation, lead) -> Evidence:
    services.evidence_add(recommendation=recommendation, cycle=cycle, by=lead, text="Training delivered.")
    return Evidence.objects.select_related("update__cycle").get()


def test_evidence_is_removed_only_by_whoever_added_it_or_the_executive(evidence, recommendation):
    other_lead = make_user(Role.PROFESSIONAL_LEAD)
    RecommendationLeadFactory(recommendation=recommendation, person=other_lead)
    refused(lambda: services.evidence_remove(evidence=evidence, by=other_lead))


def test_evidence_of_a_completed_update_stays(executive, evidence, cycle):
    services.cycle_complete(cycle=cycle, by=executive, expected_version=cycle.version)
    refused(lambda: services.evidence_remove(evidence=evidence, by=executive))
