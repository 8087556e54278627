"""The emails of the action plan and its reports (README, "Emails the service sends"):
who is told of what, once, and nobody else. Each is sent once the work is saved."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from dscb.models import Role, SentEmail
from recommendations import services
from recommendations.models import ReviewCycle
from reports import services as report_services
from tests.conftest import make_user
from tests.factories import (
    PlanSectionFactory,
    PublishedReportFactory,
    RecommendationFactory,
    RecommendationLeadFactory,
    ReportFactory,
    ReviewCycleFactory,
    police,
    rag,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def executive():
    return make_user(Role.EXECUTIVE)


@pytest.fixture
def lead():
    return make_user(Role.PROFESSIONAL_LEAD)


@pytest.fixture
def recommendation(lead):
    recommendation = RecommendationFactory(section=PlanSectionFactory(number=2), number="2.1", lead=lead)
    RecommendationLeadFactory(
        recommendation=recommendation, person=None, role_title="Head of Safeguarding", agency=police()
    )
    return recommendation


@pytest.fixture
def open_cycle(recommendation):
    return ReviewCycleFactory(
        plan=recommendation.plan, title="September 2011 update", due_on=datetime.date(2011, 9, 30)
    )


def sent_to(mailoutbox, person) -> list[str]:
    return [email.subject for email in mailoutbox if email.to == [person.email]]


def test_opening_an_update_tells_each_person_lead_what_it_needs_once(
    executive, lead, recommendation, mailoutbox, django_capture_on_commit_callbacks
):
    other = make_user(Role.PROFESSIONAL_LEAD)
    with django_capture_on_commit_callbacks(execute=True):
        cycle = services.cycle_open(
            plan=recommendation.plan, by=executive, title="September 2011 update", due_on=datetime.date(2011, 9, 30)
        )
    assert [email.to for email in mailoutbox] == [[lead.email]]  # the role lead has no account; others lead nothing
    assert "September 2011 update" in mailoutbox[0].subject
    assert "2.1" in mailoutbox[0].body
    assert sent_to(mailoutbox, other) == []
    assert SentEmail.objects.filter(recipient=lead, key__startswith=f"update-opened:{cycle.pk}:").count() == 1


def test_a_lead_proposing_a_rating_tells_the_executive_and_their_decision_tells_the_lead(
    executive, lead, recommendation, open_cycle, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_add(recommendation=recommendation, cycle=open_cycle, by=lead, proposed_rag=rag("Green"))
    assert sent_to(mailoutbox, executive) == ["2.1: Green proposed for the September 2011 update"]
    assert sent_to(mailoutbox, lead) == []

    open_cycle.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.ratings_save(
            cycle=open_cycle,
            by=executive,
            expected_version=open_cycle.version,
            ratings={recommendation: (rag("Amber"), "Evidence of impact still to come.")},
        )
    [message] = [email for email in mailoutbox if email.to == [lead.email]]
    assert "Amber (you proposed Green)" in message.body
    assert "Evidence of impact still to come." in message.body


def test_the_executive_proposing_a_rating_tells_nobody(
    executive, recommendation, open_cycle, mailoutbox, django_capture_on_commit_callbacks
):
    make_user(Role.EXECUTIVE)
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_add(recommendation=recommendation, cycle=open_cycle, by=executive, proposed_rag=rag("Green"))
    assert mailoutbox == []


def test_closure_tells_the_executive_of_the_proposal_and_the_lead_of_each_decision(
    executive, lead, recommendation, open_cycle, mailoutbox, django_capture_on_commit_callbacks
):
    def act(service, **values):
        recommendation.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            service(recommendation=recommendation, expected_version=recommendation.version, **values)

    act(services.closure_propose, by=lead, impact_statement="Every agency now joins strategy discussions.")
    act(services.closure_return, by=executive, reason="Show the spring audit's figures.")
    act(services.closure_propose, by=lead, impact_statement="The spring audit found every agency joined.")
    act(services.closure_accept, by=executive)

    assert sent_to(mailoutbox, executive) == ["2.1: closure proposed on evidence of impact"] * 2
    returned, accepted = (email for email in mailoutbox if email.to == [lead.email])
    assert returned.subject == "2.1: your proposal to close it was returned"
    assert "Show the spring audit's figures." in returned.body
    assert accepted.subject == "2.1: your proposal to close it was accepted"


def test_board_members_are_told_when_a_report_is_published_and_withdrawn(
    executive, mailoutbox, django_capture_on_commit_callbacks
):
    member = make_user(Role.BOARD_MEMBER)
    report = ReportFactory(title="Six-monthly report, autumn 2011")
    report.cycle.state, report.cycle.completed_on = ReviewCycle.State.COMPLETED, datetime.date(2011, 9, 30)
    report.cycle.save()
    with django_capture_on_commit_callbacks(execute=True):
        published = report_services.publish(
            report=report, by=executive, today=timezone.localdate(), expected_version=report.version
        )
    with django_capture_on_commit_callbacks(execute=True):
        report_services.withdraw(published=published, by=executive, reason="One round's figures were wrong.")
    assert sent_to(mailoutbox, member) == [
        "Published: Six-monthly report, autumn 2011",
        "Withdrawn: Six-monthly report, autumn 2011",
    ]
    assert "One round's figures were wrong." in mailoutbox[-1].body
    assert sent_to(mailoutbox, executive) == []


def test_an_email_is_not_sent_when_the_work_is_not_saved(executive, mailoutbox, django_capture_on_commit_callbacks):
    make_user(Role.BOARD_MEMBER)
    published = PublishedReportFactory()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Exception, match="reason"):
        report_services.withdraw(published=published, by=executive, reason="")
    assert mailoutbox == []
