"""The daily reminder command: leads whose recommendations lack evidence in an open
update are emailed before it is due and once it is overdue, never twice."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from dscb.models import Role, User
from recommendations import services
from recommendations.models import Recommendation, Reminder
from tests.conftest import make_user
from tests.factories import (
    ActionPlanFactory,
    AgencyFactory,
    PlanSectionFactory,
    RecommendationFactory,
    RecommendationLeadFactory,
    ReviewCycleFactory,
)

pytestmark = pytest.mark.django_db

DUE = datetime.date(2011, 9, 30)


@pytest.fixture
def setting(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    plan = ActionPlanFactory()
    section = PlanSectionFactory(plan=plan, number=1)
    cycle = ReviewCycleFactory(plan=plan, title="September 2011 update", due_on=DUE)
    waiting = make_user(Role.PROFESSIONAL_LEAD, email="waiting@example.org", full_name="Wendy Waiting")
    ready = make_user(Role.PROFESSIONAL_LEAD, email="ready@example.org")
    RecommendationFactory(section=section, number="1.1", lead=waiting)
    RecommendationFactory(section=section, number="1.2", lead=waiting)
    done = RecommendationFactory(section=section, number="1.3", lead=ready)
    services.evidence_add(recommendation=done, cycle=cycle, by=ready, text="Delivered")
    return cycle


def run(today: datetime.date, days: int = 14) -> None:
    call_command("send_evidence_reminders", today=today.isoformat(), days_before=days)


def test_nothing_is_sent_long_before_the_update_is_due(setting):
    run(DUE - datetime.timedelta(days=15))
    assert mail.outbox == []


def test_leads_still_owing_evidence_are_reminded_before_the_due_date(setting):
    run(DUE - datetime.timedelta(days=14))
    assert [message.to for message in mail.outbox] == [["waiting@example.org"]]
    message = mail.outbox[0]
    assert "September 2011 update" in message.subject
    assert "Overdue" not in message.subject
    assert "1.1" in message.body
    assert "1.2" in message.body
    assert "/action-plan/mine/" in message.body
    assert Reminder.objects.get().kind == Reminder.Kind.BEFORE_DUE


def test_no_lead_gets_the_same_reminder_twice(setting):
    run(DUE - datetime.timedelta(days=10))
    run(DUE - datetime.timedelta(days=9))
    run(DUE)
    assert len(mail.outbox) == 1


def test_an_overdue_update_brings_one_more_reminder(setting):
    run(DUE - datetime.timedelta(days=3))
    run(DUE + datetime.timedelta(days=1))
    run(DUE + datetime.timedelta(days=2))
    assert [message.subject.split("]")[1].strip().split(":")[0] for message in mail.outbox] == [
        "evidence for the September 2011 update",
        "Overdue",
    ]
    assert Reminder.objects.count() == 2


def test_evidence_added_stops_the_reminders(setting):
    cycle = setting
    waiting = User.objects.get(email="waiting@example.org")
    for recommendation in cycle.plan.recommendations.filter(leads__person=waiting):
        services.evidence_add(recommendation=recommendation, cycle=cycle, by=waiting, text="Done")
    run(DUE + datetime.timedelta(days=1))
    assert mail.outbox == []


def test_every_person_leading_it_is_reminded_and_a_role_lead_is_not(setting):
    cycle = setting
    shared = RecommendationFactory(
        section=cycle.plan.sections.get(), number="1.4", lead=User.objects.get(email="ready@example.org")
    )
    RecommendationLeadFactory(
        recommendation=shared, person=None, role_title="Head of Safeguarding", agency=AgencyFactory()
    )
    RecommendationLeadFactory(recommendation=shared, person=make_user(Role.PROFESSIONAL_LEAD, email="co@example.org"))
    run(DUE)
    assert sorted(address for message in mail.outbox for address in message.to) == [
        "co@example.org",
        "ready@example.org",
        "waiting@example.org",
    ]


def test_a_completed_update_sends_nothing(setting):
    cycle = setting
    services.cycle_complete(cycle=cycle, by=make_user(Role.EXECUTIVE), expected_version=1)
    run(DUE + datetime.timedelta(days=1))
    assert mail.outbox == []


def test_a_bad_date_is_refused():
    with pytest.raises(CommandError, match="--today must be a date"):
        call_command("send_evidence_reminders", today="yesterday")


def test_titles_and_names_read_as_typed_and_the_subject_stays_on_one_line(setting):
    # Plain text: nothing is escaped for HTML. A header may not hold a line break, so one
    # in the update's title is a space in the subject, not a reminder that cannot be sent.
    setting.title = 'Children\'s <b>"update"</b> &\nfamilies'
    setting.save()
    Recommendation.objects.filter(number="1.1").update(text="Share <i>plans</i> & minutes")
    User.objects.filter(email="waiting@example.org").update(full_name="Wendy O'Brien & <Co>")
    run(DUE)
    message = mail.outbox[0]
    assert message.subject.endswith('evidence for the Children\'s <b>"update"</b> & families')
    assert "Dear Wendy O'Brien & <Co>," in message.body
    assert "1.1 Share <i>plans</i> & minutes" in message.body
