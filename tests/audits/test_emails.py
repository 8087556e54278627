"""The case audits' emails (README, "Emails the service sends"): who is told of what,
once, and nobody else. Each is sent once the work is saved."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command

from audits import notifications, selectors, services
from audits.models import AuditRound, CaseRecord
from dscb.models import Role, SentEmail
from tests.conftest import make_user
from tests.factories import AuditCaseFactory, AuditRoundFactory, EscalationFactory, grade, police

pytestmark = pytest.mark.django_db

DUE = datetime.date(2011, 5, 11)


@pytest.fixture
def auditor():
    return make_user(Role.AUDIT_TEAM)


@pytest.fixture
def agency_auditor():
    return make_user(Role.AGENCY_AUDITOR)  # the Police's


def sent_to(mailoutbox, address: str) -> list[str]:
    return [email.subject for email in mailoutbox if email.to == [address]]


def complete_record(**changes: object) -> services.RecordDetails:
    scales = selectors.scales()
    values: dict[str, object] = {
        "agency": police(),
        "subject": CaseRecord.Subject.CHILD,
        "records_read": 1,
        "grades": dict.fromkeys(scales.themes, grade("Good")),
        "answers": dict.fromkeys(scales.questions, ("yes", "")),
    }
    return services.RecordDetails(**{**values, **changes})  # type: ignore[arg-type]


def test_an_auditor_is_told_once_when_assigned_what_is_expected_and_by_when(
    auditor, agency_auditor, mailoutbox, django_capture_on_commit_callbacks
):
    values = {
        "title": "May 2011",
        "held_on": datetime.date(2011, 5, 25),
        "kind": AuditRound.Kind.CASE_AUDIT,
        "focus": "",
        "agencies": [police()],
        "dates": services.RoundDates(returns_due_on=DUE),
    }
    with django_capture_on_commit_callbacks(execute=True):
        audit_round = services.round_create(by=auditor, auditors=[agency_auditor], **values)
    [email] = mailoutbox
    assert email.to == [agency_auditor.email]
    assert email.subject == "You are auditing in May 2011"
    assert "Please enter Police's records" in email.body
    assert "They are due by 11 May 2011" in email.body
    another = make_user(Role.AGENCY_AUDITOR)
    with django_capture_on_commit_callbacks(execute=True):
        services.round_update(
            audit_round=audit_round,
            by=auditor,
            expected_version=audit_round.version,
            auditors=[agency_auditor, another],
            **values,
        )
    assert [email.to for email in mailoutbox] == [[agency_auditor.email], [another.email]]


def test_the_audit_team_is_told_once_when_an_agencys_return_for_a_case_is_complete(
    auditor, mailoutbox, django_capture_on_commit_callbacks
):
    case = AuditCaseFactory()
    with django_capture_on_commit_callbacks(execute=True):
        record = services.record_create(case=case, by=auditor, details=complete_record(grades={}))
    assert not mailoutbox  # not graded yet: in progress
    with django_capture_on_commit_callbacks(execute=True):
        services.record_update(record=record, by=auditor, expected_version=record.version, details=complete_record())
    assert sent_to(mailoutbox, auditor.email) == [f"Police's return for {case.reference} is complete"]
    record.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.record_update(record=record, by=auditor, expected_version=record.version, details=complete_record())
    assert len(mailoutbox) == 1


def test_the_person_asked_to_intervene_is_told_at_the_typed_address_of_the_reference_and_the_ask_only(
    auditor, mailoutbox, django_capture_on_commit_callbacks
):
    case = AuditCaseFactory(reference="MACA-2011-05-07")
    with django_capture_on_commit_callbacks(execute=True):
        escalation = services.escalation_raise(
            case=case,
            by=auditor,
            raised_on=datetime.date(2011, 5, 25),
            to_agency=police(),  # in the round or not
            to_role="Detective inspector",
            to_email="public-protection@police.example.org",
            reason="Review the plan: the risks have changed.",
            due_by=datetime.date(2011, 5, 27),
        )
    [email] = mailoutbox
    assert email.to == ["public-protection@police.example.org"]
    assert "MACA-2011-05-07" in email.subject
    assert "Review the plan: the risks have changed." in email.body
    assert "by 27 May 2011" in email.body
    assert "http" not in email.body  # no link: they may have no account
    assert "2010" not in email.body  # nothing of the case but its reference (its plan started in 2010)
    sent = SentEmail.objects.get()
    assert (sent.recipient, sent.address) == (None, "public-protection@police.example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.escalation_update(
            escalation=escalation,
            by=auditor,
            expected_version=escalation.version,
            raised_on=escalation.raised_on,
            to_agency=escalation.to_agency,
            to_role=escalation.to_role,
            to_email=escalation.to_email,
            reason=escalation.reason,
            due_by=escalation.due_by,
        )
    assert len(mailoutbox) == 1


def collecting_round(agency_auditor) -> AuditRound:
    audit_round = AuditRoundFactory(state=AuditRound.State.COLLECTING, returns_due_on=DUE)
    audit_round.auditors.set([agency_auditor])
    AuditCaseFactory(audit_round=audit_round, reference="MACA-2011-05-01").expected_agencies.set([police()])
    return audit_round


def test_an_agency_auditor_is_reminded_once_before_the_returns_are_due_and_once_when_overdue(
    agency_auditor, mailoutbox
):
    collecting_round(agency_auditor)
    assert notifications.send_reminders(today=DUE - datetime.timedelta(days=8), days_before=7) == []
    assert len(notifications.send_reminders(today=DUE - datetime.timedelta(days=3), days_before=7)) == 1
    assert notifications.send_reminders(today=DUE, days_before=7) == []
    assert len(notifications.send_reminders(today=DUE + datetime.timedelta(days=1), days_before=7)) == 1
    assert notifications.send_reminders(today=DUE + datetime.timedelta(days=2), days_before=7) == []
    due, overdue = sent_to(mailoutbox, agency_auditor.email)
    assert due.startswith("Due by 11 May 2011")
    assert overdue.startswith("Overdue")
    assert "MACA-2011-05-01" in mailoutbox[1].body


def test_no_reminder_goes_for_returns_already_complete(auditor, agency_auditor, mailoutbox):
    audit_round = collecting_round(agency_auditor)
    services.record_create(case=audit_round.cases.get(), by=auditor, details=complete_record())
    assert notifications.send_reminders(today=DUE + datetime.timedelta(days=1), days_before=7) == []


def test_the_audit_team_is_told_once_of_each_overdue_request_for_intervention(auditor, mailoutbox):
    escalation = EscalationFactory(due_by=datetime.date(2011, 5, 27))
    assert notifications.send_reminders(today=datetime.date(2011, 5, 27), days_before=7) == []
    call_command("send_audit_reminders", "--today", "2011-05-28")
    call_command("send_audit_reminders", "--today", "2011-05-29")
    assert sent_to(mailoutbox, auditor.email) == [
        f"Overdue: request for immediate intervention on {escalation.case.reference}"
    ]
