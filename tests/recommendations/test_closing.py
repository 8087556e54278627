"""Evidence through the years and closing on evidence of impact: evidence is cumulative and
grouped by update; once its update is completed it is only marked as added in error; a
recommendation is closed when the Executive accepts the lead's statement of impact."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from dscb.models import Role
from recommendations import selectors, services
from recommendations.access import is_lead
from recommendations.lists import CycleRatings, evidence_words
from recommendations.models import Evidence, ProgressUpdate, Recommendation, ReviewCycle
from reports import document as report_document
from reports.selectors import RagScope, rag_figures
from tests.conftest import Client, make_user, queries_for, sign_in
from tests.factories import (
    EvidenceFactory,
    PlanSectionFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    ReportFactory,
    ReviewCycleFactory,
    rag,
)
from tests.service_rules import refusal_check

pytestmark = pytest.mark.django_db

IDENTIFYING = "Date of birth 12/03/2008"
IMPACT = "Every strategy discussion in the spring audit included health and education."

refused = refusal_check([Recommendation, ReviewCycle, ProgressUpdate, Evidence, LogEntry])


@pytest.fixture
def executive():
    return make_user(Role.EXECUTIVE)


@pytest.fixture
def lead():
    return make_user(Role.PROFESSIONAL_LEAD)


@pytest.fixture
def recommendation(lead):
    return RecommendationFactory(section=PlanSectionFactory(number=2), number="2.1", lead=lead)


def completed(cycle: ReviewCycle, on: datetime.date) -> ReviewCycle:
    cycle.state, cycle.completed_on = ReviewCycle.State.COMPLETED, on
    cycle.save()
    return cycle


@pytest.fixture
def march(recommendation):
    cycle = ReviewCycleFactory(plan=recommendation.plan, title="March 2011 update", due_on=datetime.date(2011, 3, 4))
    return completed(cycle, datetime.date(2011, 3, 4))


@pytest.fixture
def september(recommendation, march):
    return ReviewCycleFactory(
        plan=recommendation.plan, title="September 2011 update", due_on=datetime.date(2011, 9, 30)
    )


def evidence_in(cycle: ReviewCycle, recommendation: Recommendation, text: str, by=None) -> Evidence:
    update, _ = ProgressUpdate.objects.get_or_create(recommendation=recommendation, cycle=cycle)
    return EvidenceFactory(update=update, text=text, added_by=by)


def propose(recommendation: Recommendation, by, statement: str = IMPACT) -> Recommendation:
    recommendation.refresh_from_db()
    return services.closure_propose(
        recommendation=recommendation, by=by, expected_version=recommendation.version, impact_statement=statement
    )


def accept(recommendation: Recommendation, by) -> Recommendation:
    recommendation.refresh_from_db()
    return services.closure_accept(recommendation=recommendation, by=by, expected_version=recommendation.version)


def give_back(recommendation: Recommendation, by, reason: str = "Show the audit's figures.") -> Recommendation:
    recommendation.refresh_from_db()
    return services.closure_return(
        recommendation=recommendation, by=by, expected_version=recommendation.version, reason=reason
    )


# --- Who leads ------------------------------------------------------------------------------


def test_is_lead_says_whether_the_person_leads_the_recommendation(recommendation, lead, executive):
    assert is_lead(lead, recommendation)
    assert not is_lead(executive, recommendation)
    assert not is_lead(make_user(Role.PROFESSIONAL_LEAD), RecommendationFactory(lead=None))


# --- Marking evidence as added in error -------------------------------------------------------


def mark(evidence: Evidence, by, reason: str = "Belongs to recommendation 2.2."):
    return lambda: services.evidence_mark_in_error(evidence=evidence, by=by, reason=reason)


def test_evidence_of_an_open_update_is_removed_not_marked(september, recommendation, lead):
    evidence = evidence_in(september, recommendation, "Training delivered.", by=lead)
    refused(mark(evidence, lead))


def test_evidence_is_marked_only_by_whoever_added_it_or_the_executive(march, recommendation, lead, executive):
    evidence = evidence_in(march, recommendation, "Training delivered.", by=executive)
    board_member = make_user(Role.BOARD_MEMBER)
    refused(mark(evidence, lead))
    refused(mark(evidence, board_member))


def test_marking_evidence_needs_a_reason(march, recommendation, lead):
    evidence = evidence_in(march, recommendation, "Training delivered.", by=lead)
    refused(mark(evidence, lead, reason="  "), "reason")


def test_the_reason_for_marking_names_no_one(march, recommendation, lead):
    evidence = evidence_in(march, recommendation, "Training delivered.", by=lead)
    refused(mark(evidence, lead, reason=IDENTIFYING), "reason")


def test_evidence_is_marked_once(march, recommendation, lead, executive):
    evidence = evidence_in(march, recommendation, "Training delivered.", by=lead)
    mark(evidence, lead)()
    refused(mark(evidence, executive))


def test_marked_evidence_stays_with_who_why_and_when_in_the_history(march, recommendation, lead):
    evidence = evidence_in(march, recommendation, "Training delivered.", by=lead)
    mark(evidence, lead)()
    evidence.refresh_from_db()
    assert evidence.in_error
    assert (evidence.marked_in_error_by, evidence.marked_in_error_reason) == (lead, "Belongs to recommendation 2.2.")
    entry = LogEntry.objects.get_for_object(evidence).latest("timestamp")
    assert "marked_in_error_reason" in entry.changes_dict


# --- Closing on evidence of impact ------------------------------------------------------------


def test_only_the_lead_or_the_executive_proposes_closure(recommendation):
    other_lead, board_member = make_user(Role.PROFESSIONAL_LEAD), make_user(Role.BOARD_MEMBER)
    refused(lambda: propose(recommendation, other_lead))
    refused(lambda: propose(recommendation, board_member))


def test_closure_needs_a_statement_of_impact(recommendation, lead):
    refused(lambda: propose(recommendation, lead, statement=" "), "impact_statement")


def test_the_statement_of_impact_names_no_one(recommendation, lead):
    refused(lambda: propose(recommendation, lead, statement=IDENTIFYING), "impact_statement")


def test_only_an_open_recommendation_is_proposed_for_closure(recommendation, lead, executive):
    propose(recommendation, lead)
    refused(lambda: propose(recommendation, executive))


def test_only_the_executive_accepts_or_returns_closure(recommendation, lead):
    propose(recommendation, lead)
    refused(lambda: accept(recommendation, lead))
    refused(lambda: give_back(recommendation, lead))


def test_only_a_proposal_is_accepted_or_returned(recommendation, executive):
    refused(lambda: accept(recommendation, executive))
    refused(lambda: give_back(recommendation, executive))


def test_returning_a_proposal_needs_a_reason_that_names_no_one(recommendation, lead, executive):
    propose(recommendation, lead)
    refused(lambda: give_back(recommendation, executive, reason=""), "reason")
    refused(lambda: give_back(recommendation, executive, reason=IDENTIFYING), "reason")


def test_a_returned_proposal_is_open_again_with_the_reason_and_the_statement_kept(recommendation, lead, executive):
    propose(recommendation, lead)
    give_back(recommendation, executive, reason="Show the audit's figures.")
    recommendation.refresh_from_db()
    assert recommendation.state == Recommendation.State.OPEN
    assert recommendation.closure_return_reason == "Show the audit's figures."
    assert recommendation.impact_statement == IMPACT
    assert recommendation.closed_in is None


def test_accepted_closure_is_closed_in_the_open_update(recommendation, lead, executive, september):
    propose(recommendation, lead)
    accept(recommendation, executive)
    recommendation.refresh_from_db()
    assert (recommendation.state, recommendation.closed_in) == (Recommendation.State.CLOSED, september)
    assert recommendation.closure_decided_by == executive
    states = [
        entry.changes_dict["state"][1]
        for entry in LogEntry.objects.get_for_object(recommendation).order_by("pk")
        if entry.action == LogEntry.Action.UPDATE and "state" in entry.changes_dict
    ]
    assert states == ["proposed", "closed"]


def test_with_no_update_open_closure_belongs_to_the_latest(recommendation, lead, executive, march):
    propose(recommendation, lead)
    accept(recommendation, executive)
    recommendation.refresh_from_db()
    assert recommendation.closed_in == march


def test_the_executive_no_longer_changes_the_state_by_editing(recommendation, executive):
    data = {
        "version": recommendation.version,
        "section": recommendation.section_id,
        "number": "2.1",
        "kind": "recommendation",
        "text": "Changed",
        "state": "closed",
    }
    client = sign_in(Client(), executive)
    client.post(reverse("recommendations:recommendation_edit", args=[recommendation.pk]), data)
    recommendation.refresh_from_db()
    assert (recommendation.text, recommendation.state) == ("Changed", Recommendation.State.OPEN)


# --- A closed recommendation leaves the ratings -----------------------------------------------


def test_a_closed_recommendation_leaves_the_open_updates_ratings_but_not_earlier_ones(
    recommendation, lead, executive, march, september
):
    other = RecommendationFactory(section=recommendation.section, number="2.2")
    ProgressUpdateFactory(recommendation=recommendation, cycle=march, rag=rag("Green"))
    propose(recommendation, lead)
    accept(recommendation, executive)
    recommendation.refresh_from_db()

    listed = [item.row.recommendation for item in CycleRatings(cycle=september).rows]
    assert listed == [other]
    assert [item.row.recommendation for item in CycleRatings(cycle=march).rows] == [recommendation, other]
    check = selectors.completion_check(september, today=datetime.date(2011, 9, 1))
    assert [row.recommendation for row in check.rows] == [other]
    # A rating sent for it anyway (a page opened before it closed) is left out.
    changed = services.ratings_save(
        cycle=september,
        by=executive,
        expected_version=september.version,
        ratings={recommendation: (rag("Red"), ""), other: (rag("Amber"), "")},
    )
    assert changed == 1
    assert not ProgressUpdate.objects.filter(recommendation=recommendation, cycle=september).exists()


# --- Pages ------------------------------------------------------------------------------------


def page_of(client, recommendation: Recommendation) -> str:
    response = client.get(reverse("recommendations:recommendation_detail", args=[recommendation.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_recommendation_page_shows_all_evidence_newest_first_grouped_by_update(
    client, recommendation, lead, march, september
):
    evidence_in(march, recommendation, "March point one.", by=lead)
    marked = evidence_in(march, recommendation, "March point two.", by=lead)
    services.evidence_mark_in_error(evidence=marked, by=lead, reason="Belongs to 2.2.")
    mine = evidence_in(september, recommendation, "September point.", by=lead)
    page = page_of(sign_in(client, lead), recommendation)
    evidence = page[page.index('id="evidence"') :]
    assert evidence.index("Added in the September 2011 update") < evidence.index("September point.")
    assert evidence.index("September point.") < evidence.index("Added in the March 2011 update")
    assert evidence.index("March point two.") < evidence.index("March point one.")  # newest first
    assert "Added in error</strong> (Belongs to 2.2.): <del>" in evidence
    # Remove while open (a check page first); mark as added in error once completed.
    assert reverse("recommendations:evidence_remove", args=[mine.pk]) in evidence
    assert reverse("recommendations:evidence_mark_in_error", args=[marked.pk]) not in evidence
    first = Evidence.objects.get(text="March point one.")
    assert reverse("recommendations:evidence_mark_in_error", args=[first.pk]) in evidence


def test_removing_evidence_asks_first_and_a_get_changes_nothing(client, recommendation, lead, september):
    evidence = evidence_in(september, recommendation, "Added by mistake.", by=lead)
    client = sign_in(client, lead)
    url = reverse("recommendations:evidence_remove", args=[evidence.pk])
    page = client.get(url).content.decode()
    assert "Are you sure you want to remove this evidence?" in page
    assert "Added by mistake." in page
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    client.post(url)
    assert not Evidence.objects.filter(pk=evidence.pk).exists()


def test_marking_evidence_in_error_through_its_page(client, recommendation, lead, march):
    evidence = evidence_in(march, recommendation, "Wrong minutes.", by=lead)
    client = sign_in(client, lead)
    url = reverse("recommendations:evidence_mark_in_error", args=[evidence.pk])
    response = client.post(url, {"reason": ""})
    assert "Enter why the evidence was added in error" in response.content.decode()
    response = client.post(url, {"reason": "These were another meeting's minutes."})
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.marked_in_error_reason == "These were another meeting's minutes."


def test_proposing_returning_and_accepting_through_the_pages(client, recommendation, lead, executive, september):
    lead_client = sign_in(client, lead)
    assert "Propose closure" in page_of(lead_client, recommendation)
    url = reverse("recommendations:closure_propose", args=[recommendation.pk])
    response = lead_client.post(url, {"version": recommendation.version, "impact_statement": ""})
    assert "Enter the statement of impact" in response.content.decode()
    lead_client.post(url, {"version": recommendation.version, "impact_statement": IMPACT})
    recommendation.refresh_from_db()
    assert recommendation.state == Recommendation.State.PROPOSED
    assert "Propose closure" not in page_of(lead_client, recommendation)

    executive_client = sign_in(Client(), executive)
    decide = reverse("recommendations:closure_decide", args=[recommendation.pk])
    assert IMPACT in executive_client.get(decide).content.decode()
    response = executive_client.post(decide, {"version": recommendation.version, "decision": "return", "reason": ""})
    assert "Enter why closure is not accepted" in response.content.decode()
    executive_client.post(decide, {"version": recommendation.version, "decision": "accept", "reason": ""})
    recommendation.refresh_from_db()
    assert (recommendation.state, recommendation.closed_in) == (Recommendation.State.CLOSED, september)
    assert "Closed in the September 2011 update" in page_of(executive_client, recommendation)


@pytest.mark.parametrize("points", [2, 20])
def test_the_recommendation_page_costs_the_same_however_much_evidence(client, recommendation, lead, march, points):
    september = ReviewCycleFactory(plan=recommendation.plan, title="Sept", due_on=datetime.date(2011, 9, 30))
    for n in range(points):
        evidence_in(march if n % 2 else september, recommendation, f"Point {n}.", by=lead)
    marked = Evidence.objects.filter(update__cycle=march).first()
    services.evidence_mark_in_error(evidence=marked, by=lead, reason="Wrong one.")
    # session, user; the recommendation; the scale's words; cycles; the history's updates and
    # their evidence (all of it, marked included: the groups read nothing more); the statuses;
    # the row (updates, evidence so far, statuses, the recommendation); the changes; the
    # agencies; the leads (of the recommendation and of its row)
    assert (
        queries_for(sign_in(client, lead), reverse("recommendations:recommendation_detail", args=[recommendation.pk]))
        == RECOMMENDATION_PAGE_QUERIES
    )


RECOMMENDATION_PAGE_QUERIES = 17


# --- The report -------------------------------------------------------------------------------


def report_of(cycle: ReviewCycle) -> report_document.ReportDocument:
    return report_document.build(ReportFactory(cycle=cycle), today=datetime.date(2011, 10, 1))


def test_a_report_shows_the_evidence_so_far_each_point_marked_with_its_update(recommendation, lead, march, september):
    evidence_in(march, recommendation, "March point.", by=lead)
    evidence_in(september, recommendation, "September point.", by=lead)
    completed(september, datetime.date(2011, 9, 30))
    later = ReviewCycleFactory(plan=recommendation.plan, title="March 2012 update", due_on=datetime.date(2012, 3, 4))
    evidence_in(later, recommendation, "Later point.", by=lead)
    row = report_of(september).plan.rag.rows[0]
    assert evidence_words(row) == "March 2011 update: March point.\nSeptember 2011 update: September point."
    # One update only: no need to say which.
    assert evidence_words(report_of(march).plan.rag.rows[0]) == "March point."


def test_evidence_added_in_error_shows_marked_in_its_own_updates_report_and_not_in_later_ones(
    recommendation, lead, march, september
):
    evidence_in(march, recommendation, "Kept.", by=lead)
    wrong = evidence_in(march, recommendation, "Wrong.", by=lead)
    services.evidence_mark_in_error(evidence=wrong, by=lead, reason="Another plan's.")
    assert "Added in error (Another plan's.): Wrong." in evidence_words(report_of(march).plan.rag.rows[0])
    assert "Wrong." not in evidence_words(report_of(september).plan.rag.rows[0])


def test_the_report_lists_what_was_closed_this_period_with_its_statement_of_impact(
    client, recommendation, lead, executive, march, september
):
    RecommendationFactory(section=recommendation.section, number="2.2")
    propose(recommendation, lead)
    accept(recommendation, executive)
    document = report_of(september)
    assert [row.recommendation for row in document.plan.closed_this_period] == [recommendation]
    assert document.figures()["closed_this_period"] == ["2.1"]
    assert report_of(march).plan.closed_this_period == []
    report = ReportFactory(cycle=september)
    page = sign_in(client, executive).get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    closed = page[page.index("Closed this period") :]
    assert IMPACT in closed[: closed.index("Evidence of impact")]


def test_the_rag_dashboard_counts_open_proposed_and_closed(client, recommendation, lead, executive, september):
    RecommendationFactory(section=recommendation.section, number="2.2")
    third = RecommendationFactory(section=recommendation.section, number="2.3", lead=lead)
    propose(recommendation, lead)
    propose(third, lead)
    accept(third, executive)
    figures = rag_figures(RagScope(plan=recommendation.plan), today=timezone.localdate())
    assert figures.state_counts() == [
        ("open", "Open", 1),
        ("proposed", "Proposed for closure", 1),
        ("closed", "Closed", 1),
    ]
    page = sign_in(client, executive).get(reverse("reports:rag_dashboard")).content.decode()
    assert "Proposed for closure" in page


def test_evidence_of_no_recorded_adder_is_still_marked_by_the_executive(march, recommendation, executive):
    evidence = evidence_in(march, recommendation, "From the old spreadsheet.", by=None)
    mark(evidence, executive)()
    evidence.refresh_from_db()
    assert evidence.in_error
