"""The retention schedule carried out (SECURITY.md row 33): time moved, the right rows
anonymised, held rows kept, the dashboard's figures for that period unchanged."""

from __future__ import annotations

import datetime
import re
import uuid

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from auditlog.signals import accessed
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from audits.models import (
    AuditCase,
    AuditRound,
    CaseRecord,
    CaseReopening,
    ChecklistAnswer,
    ChecklistQuestion,
    Escalation,
    Feedback,
    InquiryParticipant,
    LegalHold,
    RecordGrade,
)
from audits.services import REMOVED_TEXT, case_remove_detail, hold_lift, hold_place, round_reopen
from dscb.models import FormSubmission, RetentionRule, Role, SecurityEvent, SentEmail
from dscb.services import retention_rule_update
from reports import retention
from reports.models import PublishedReport
from tests.conftest import make_user
from tests.factories import (
    AuditCaseFactory,
    AuditRoundFactory,
    CaseRecordFactory,
    EscalationFactory,
    InquiryParticipantFactory,
    PublishedReportFactory,
    grade,
    rate_every_theme,
)

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2017, 6, 1, 12, 0, tzinfo=datetime.UTC)
SEVEN_YEARS_AGO = datetime.date(2010, 10, 1)
TWO_YEARS_AGO = datetime.date(2015, 10, 1)
SECRET = "Strategy discussion held late"


def completed_round(title: str, completed_on: datetime.date, **fields) -> AuditRound:
    held_on = completed_on - datetime.timedelta(days=60)
    return AuditRoundFactory(
        title=title, held_on=held_on, state=AuditRound.State.COMPLETED, completed_on=completed_on, **fields
    )


def full_case(audit_round: AuditRound, reference: str, auditor) -> AuditCase:
    """A finalised case holding text everywhere a case can, with its history and a read."""
    with set_actor(auditor):
        case = AuditCaseFactory(
            audit_round=audit_round,
            reference=reference,
            findings=f"{SECRET}.",
            strengths="Good chronology.",
            overall_grade=grade("Adequate"),
            state=AuditCase.State.FINALISED,
        )
        rate_every_theme(case, "Good")
        record = CaseRecordFactory(case=case, findings=f"{SECRET} by the police.", feedback_not_needed="")
        RecordGrade.objects.create(record=record, theme=case.theme_ratings.first().theme, grade=grade("Inadequate"))
        question = ChecklistQuestion.objects.active().first()
        ChecklistAnswer.objects.create(record=record, question=question, answer="yes", comment=f"{SECRET}.")
        Feedback.objects.create(
            record=record, recipient="practitioner", given_on=audit_round.held_on, given_by=auditor, notes="Told."
        )
        EscalationFactory(
            case=case,
            raised_on=audit_round.held_on,
            due_by=audit_round.held_on + datetime.timedelta(days=7),
            reason=f"{SECRET}: review the plan.",
            to_email="team@example.org",
        )
        CaseReopening.objects.create(case=case, reason="Grade corrected.", reopened_by=auditor)
        accessed.send(sender=AuditCase, instance=case)
    return case


def old(entry_model, **filters) -> None:
    """Make matching rows look as if they were written three years before NOW."""
    entry_model.objects.filter(**filters).update(timestamp=NOW - datetime.timedelta(days=3 * 365))


def dashboard(client, start: datetime.date, end: datetime.date) -> str:
    query = {
        f"{name}_{n}": part
        for name, day in (("start", start), ("end", end))
        for n, part in enumerate((day.day, day.month, day.year))
    }
    response = client.get(reverse("reports:audit_dashboard"), query)
    assert response.status_code == 200
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


@pytest.fixture
def world():
    auditor = make_user(Role.AUDIT_TEAM, full_name="Ann Auditor")
    admin = make_user(Role.ADMINISTRATOR)
    old_round = completed_round("September 2010", SEVEN_YEARS_AGO)
    recent_round = completed_round("September 2015", TWO_YEARS_AGO)
    held_round = completed_round("March 2010", datetime.date(2010, 5, 1))
    inquiry = completed_round("Inquiry 2010", SEVEN_YEARS_AGO, kind=AuditRound.Kind.APPRECIATIVE_INQUIRY)
    cases = {
        "old": full_case(old_round, "MACA-2010-09-01", auditor),
        "old_held": full_case(old_round, "MACA-2010-09-02", auditor),
        "old_lifted": full_case(old_round, "MACA-2010-09-03", auditor),
        "recent": full_case(recent_round, "MACA-2015-09-01", auditor),
        "in_held_round": full_case(held_round, "MACA-2010-03-01", auditor),
    }
    family = AuditCaseFactory(
        audit_round=inquiry,
        reference="AI-2010-01",
        desired_outcomes="Father to attend the core group.",
        seen_as_stuck=True,
        plan_started_on=datetime.date(2009, 1, 5),
        state=AuditCase.State.FINALISED,
    )
    InquiryParticipantFactory(case=family, role="Social worker")
    cases["family"] = family
    hold_place(by=admin, reason="Complaint under investigation.", case=cases["old_held"])
    hold_place(by=admin, reason="Inquiry asked for these files.", audit_round=held_round)
    lifted = hold_place(by=admin, reason="Court proceedings.", case=cases["old_lifted"])
    hold_lift(hold=lifted, by=admin, reason="Proceedings ended.")
    # Security records: one old, one recent of each.
    for at in (NOW - datetime.timedelta(days=800), NOW - datetime.timedelta(days=30)):
        SentEmail.objects.create(key=f"k-{at:%Y}", address="a@example.org", subject="Reminder", sent_at=at)
        FormSubmission.objects.create(key=uuid.uuid4(), form="audits.RoundForm", submitted_at=at)
    published = PublishedReportFactory()
    accessed.send(sender=PublishedReport, instance=published)  # a download: a read of no case
    old(LogEntry, action=LogEntry.Action.ACCESS)
    return {"cases": cases, "admin": admin, "old_round": old_round, "published": published}


def reload(case: AuditCase) -> AuditCase:
    return AuditCase.objects.get(pk=case.pk)


def case_text_entries(case: AuditCase) -> int:
    return LogEntry.objects.filter(additional_data__case_id=case.pk).count()


def test_a_dry_run_changes_nothing_and_is_recorded_with_its_counts(world):
    before_entries = LogEntry.objects.count()
    result = retention.run(now=NOW)
    due = {kind.kind: kind for kind in result.kinds}
    # Old, unheld: the case, the lifted one and the family; held: one case and the held round's.
    assert due[RetentionRule.Kind.CASE_AUDIT_DETAIL].due == 3
    assert due[RetentionRule.Kind.CASE_AUDIT_DETAIL].held == 2
    assert due[RetentionRule.Kind.SENT_EMAILS].due == 1
    assert due[RetentionRule.Kind.FORM_SUBMISSIONS].due == 1
    assert due[RetentionRule.Kind.READS].due == 4  # of the unheld cases, and the report's download
    assert reload(world["cases"]["old"]).reference == "MACA-2010-09-01"
    assert LogEntry.objects.count() == before_entries
    assert SentEmail.objects.count() == 2
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.RETENTION_RUN)
    assert event.detail["applied"] is False
    assert event.detail["case_audit_detail"] == 3
    assert event.detail["held_cases"] == 2
    assert "MACA" not in str(event.detail)


def test_applying_removes_old_detail_keeps_held_and_recent_and_the_figures(world, persona_client):
    cases = world["cases"]
    executive = persona_client("executive")
    period = (datetime.date(2009, 1, 1), datetime.date(2016, 1, 1))
    figures_before = dashboard(executive, *period)
    held_texts = {name: case_text_entries(cases[name]) for name in ("old_held", "in_held_round", "recent")}

    call_command("apply_retention", "--apply", "--today", "2017-06-01")

    for name in ("old", "old_lifted"):
        case = reload(cases[name])
        assert case.reference == f"REMOVED-{case.pk}"
        assert case.detail_removed_on == datetime.date(2017, 6, 1)
        assert case.findings == REMOVED_TEXT
        assert case_text_entries(case) == 0
        assert not LogEntry.objects.filter(changes_text__contains=SECRET, additional_data__case_id=case.pk).exists()
        record = CaseRecord.objects.get(case=case)
        assert record.findings == REMOVED_TEXT
        assert record.feedback_not_needed == ""  # empty stays empty
        assert ChecklistAnswer.objects.get(record=record).comment == REMOVED_TEXT
        assert Feedback.objects.get(record=record).notes == REMOVED_TEXT
        escalation = Escalation.objects.get(case=case)
        assert (escalation.reason, escalation.to_email) == (REMOVED_TEXT, "")
        assert CaseReopening.objects.get(case=case).reason == REMOVED_TEXT
        # Grades and answers stay: they are the figures.
        assert case.theme_ratings.count()
        assert RecordGrade.objects.filter(record=record).exists()
    family = reload(cases["family"])
    assert family.desired_outcomes == REMOVED_TEXT
    assert InquiryParticipant.objects.get(case=family).role == REMOVED_TEXT
    for name in ("old_held", "in_held_round", "recent"):
        case = reload(cases[name])
        assert case.reference == cases[name].reference
        assert case.findings == f"{SECRET}."
        assert case.detail_removed_on is None
        # The recent case's read, three years old, went under the reads' own two years.
        assert case_text_entries(case) == held_texts[name] - (name == "recent")
    assert not LogEntry.objects.filter(object_repr__startswith="MACA-2010-09-01").exists()
    assert AuditRound.objects.get(pk=world["old_round"].pk).detail_removed_on == datetime.date(2017, 6, 1)
    assert AuditRound.objects.get(pk=cases["in_held_round"].audit_round_id).detail_removed_on is None
    assert dashboard(executive, *period) == figures_before
    assert PublishedReport.objects.filter(pk=world["published"].pk).exists()
    assert SentEmail.objects.count() == 1
    assert FormSubmission.objects.count() == 1
    event = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.RETENTION_RUN).get()
    assert event.detail["applied"] is True
    assert event.detail["history_removed"] > 0


def test_a_second_run_changes_nothing(world):
    retention.run(now=NOW, apply=True)
    snapshot = list(AuditCase.objects.values())
    entries = LogEntry.objects.count()
    result = retention.run(now=NOW, apply=True)
    assert sum(result.counts().values()) == 0
    assert list(AuditCase.objects.values()) == snapshot
    assert LogEntry.objects.count() == entries


def test_a_hold_lifted_lets_the_next_run_remove_the_case(world):
    retention.run(now=NOW, apply=True)
    hold = LegalHold.objects.active().get(case=world["cases"]["old_held"])
    hold_lift(hold=hold, by=world["admin"], reason="Complaint closed.")
    retention.run(now=NOW, apply=True)
    assert reload(world["cases"]["old_held"]).detail_removed_on is not None


def test_a_period_left_empty_keeps_everything(world):
    rule = RetentionRule.objects.get(kind=RetentionRule.Kind.CASE_AUDIT_DETAIL)
    retention_rule_update(rule=rule, years=None, by=world["admin"], expected_version=rule.version)
    retention.run(now=NOW, apply=True)
    assert not AuditCase.objects.filter(detail_removed_on__isnull=False).exists()


def test_a_removed_case_refuses_changes_and_its_round_cannot_be_reopened(world):
    retention.run(now=NOW, apply=True)
    audit_round = AuditRound.objects.get(pk=world["old_round"].pk)
    with pytest.raises(ValidationError, match="retention schedule"):
        round_reopen(
            audit_round=audit_round, by=world["admin"], expected_version=audit_round.version, reason="Look again."
        )


def test_a_held_case_is_never_removed_directly(world):
    with pytest.raises(ValidationError, match="legal hold"):
        case_remove_detail(case=world["cases"]["old_held"], on=NOW.date())


def test_the_command_dry_run_says_what_would_go(world, capsys):
    call_command("apply_retention", "--today", "2017-06-01")
    out = capsys.readouterr().out
    assert "Dry run: nothing changed" in out
    assert (
        "Case audit detail (kept 6 years, from before 2011-06-01): 3 would be removed, 2 kept under a legal hold" in out
    )
    assert reload(world["cases"]["old"]).reference == "MACA-2010-09-01"


# --- The rules, through the services alone ---------------------------------------------------


def test_a_period_must_be_a_year_or_more(world):
    rule = RetentionRule.objects.get(kind=RetentionRule.Kind.READS)
    with pytest.raises(ValidationError) as refused:
        retention_rule_update(rule=rule, years=0, by=world["admin"], expected_version=rule.version)
    assert "years" in refused.value.error_dict
    with pytest.raises(ValidationError):
        retention_rule_update(rule=rule, years=-3, by=world["admin"], expected_version=rule.version)


def test_changing_a_period_is_a_security_event(world):
    rule = RetentionRule.objects.get(kind=RetentionRule.Kind.READS)
    retention_rule_update(rule=rule, years=3, by=world["admin"], expected_version=rule.version)
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.RETENTION_CHANGED)
    assert event.detail == {"rule": "reads", "before": 2, "after": 3}
    assert event.user == world["admin"]


def test_a_hold_needs_a_reason_and_one_thing_to_hold(world):
    case = world["cases"]["recent"]
    with pytest.raises(ValidationError) as refused:
        hold_place(by=world["admin"], reason=" ", case=case)
    assert "reason" in refused.value.error_dict
    with pytest.raises(ValidationError) as refused:
        hold_place(by=world["admin"], reason="Why.")
    assert "audit_round" in refused.value.error_dict
    with pytest.raises(ValidationError):
        hold_place(by=world["admin"], reason="Why.", case=case, audit_round=case.audit_round)
    with pytest.raises(ValidationError) as refused:
        hold_place(by=world["admin"], reason="Again.", case=world["cases"]["old_held"])
    assert "case" in refused.value.error_dict


def test_a_hold_is_lifted_once_with_a_reason(world):
    hold = LegalHold.objects.active().get(case=world["cases"]["old_held"])
    with pytest.raises(ValidationError) as refused:
        hold_lift(hold=hold, by=world["admin"], reason="")
    assert "reason" in refused.value.error_dict
    hold_lift(hold=hold, by=world["admin"], reason="Closed.")
    with pytest.raises(ValidationError, match="already been lifted"):
        hold_lift(hold=hold, by=world["admin"], reason="Closed again.")
    kinds = SecurityEvent.objects.values_list("kind", flat=True)
    assert list(kinds).count(SecurityEvent.Kind.LEGAL_HOLD_LIFTED) == 2  # this one and the fixture's


def test_a_removed_case_cannot_be_held(world):
    retention.run(now=NOW, apply=True)
    with pytest.raises(ValidationError) as refused:
        hold_place(by=world["admin"], reason="Too late.", case=world["cases"]["old"])
    assert "case" in refused.value.error_dict


def test_years_before_a_leap_day():
    moment = datetime.datetime(2016, 2, 29, 9, 0, tzinfo=datetime.UTC)
    assert retention.years_before(moment, 2).date() == datetime.date(2014, 2, 28)


@pytest.mark.parametrize("today", ["2017-13-01", "yesterday"])
def test_the_command_refuses_a_bad_date(db, today):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("apply_retention", "--today", today)
