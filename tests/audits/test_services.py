"""The rules of case audits, tested on the services that enforce them."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from audits import selectors, services
from audits.models import (
    MAX_RECORDS_PER_CASE,
    AuditCase,
    AuditRound,
    CaseRecord,
    ChecklistAnswer,
    ChecklistQuestion,
    RecordGrade,
    Theme,
)
from dscb.concurrency import EditConflict
from tests.factories import (
    AuditCaseFactory,
    AuditRoundFactory,
    CaseRecordFactory,
    InquiryParticipantFactory,
    UserFactory,
    grade,
    police,
    rate_every_theme,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor():
    return UserFactory(is_audit_team=True, full_name="Ann Auditor")


def complete_record(case: AuditCase, by) -> CaseRecord:
    scales = selectors.scales()
    details = services.RecordDetails(
        agency=police(),
        subject=CaseRecord.Subject.CHILD,
        records_read=2,
        grades=dict.fromkeys(scales.themes, grade("Adequate")),
        answers=dict.fromkeys(scales.questions, ("yes", "")),
    )
    return services.record_create(case=case, by=by, details=details)


def details_of(case: AuditCase, **changes) -> services.CaseDetails:
    """The case's details as a form would send them, with ``changes``."""
    categories = [key for key, name in services.CATEGORY_FIELDS.items() if getattr(case, name)]
    values = {
        "reference": case.reference,
        "categories": categories,
        "plan_started_on": case.plan_started_on,
        "sibling_records_read": case.sibling_records_read,
        "parent_records_read": case.parent_records_read,
    }
    return services.CaseDetails(**{**values, **changes})


def test_a_new_case_leaves_its_round_where_it_was(auditor):
    # A round is planned with its cases; the audit team moves it on when it is ready.
    audit_round = AuditRoundFactory()
    services.case_create(audit_round=audit_round, by=auditor, details=details_of(AuditCaseFactory.build()))
    audit_round.refresh_from_db()
    assert audit_round.state == AuditRound.State.PLANNED


def test_finalising_is_refused_with_exactly_what_is_missing(auditor):
    case = AuditCaseFactory()
    CaseRecordFactory(case=case)
    with pytest.raises(ValidationError) as refused:
        services.case_finalise(case=case, by=auditor, expected_version=case.version)
    missing = refused.value.messages
    themes = list(Theme.objects.active())
    questions = list(ChecklistQuestion.objects.active())
    assert f"Add the agreed grade for {themes[0].name.lower()}" in missing
    assert "Add the overall grade" in missing
    assert "Add Police: The child: a grade for record keeping" in missing
    assert f"Add Police: The child: an answer to “{questions[0].text}”" in missing
    # one per theme agreed, the overall grade, and per record a grade per theme and an answer per question
    assert len(missing) == len(themes) + 1 + len(themes) + len(questions)
    case.refresh_from_db()
    assert case.state == AuditCase.State.DRAFT


def test_a_case_without_records_cannot_be_finalised(auditor):
    case = AuditCaseFactory(overall_grade=grade("Good"))
    rate_every_theme(case)
    with pytest.raises(ValidationError, match="at least one agency record"):
        services.case_finalise(case=case, by=auditor, expected_version=case.version)


def test_a_complete_case_is_finalised_and_then_read_only(auditor):
    case = AuditCaseFactory(overall_grade=grade("Good"))
    rate_every_theme(case)
    complete_record(case, auditor)
    services.case_finalise(case=case, by=auditor, expected_version=case.version)
    case.refresh_from_db()
    assert case.is_finalised
    with pytest.raises(ValidationError, match="This case is finalised"):
        services.case_update(case=case, by=auditor, expected_version=case.version, details=details_of(case))
    record = case.records.get()
    with pytest.raises(ValidationError, match="This case is finalised"):
        services.record_update(
            record=record,
            by=auditor,
            expected_version=record.version,
            details=services.RecordDetails(agency=record.agency, subject=record.subject, records_read=3),
        )
    with pytest.raises(ValidationError, match="This case is finalised"):
        complete_record(case, auditor)


def test_reopening_needs_a_reason_which_is_kept(auditor):
    case = AuditCaseFactory(state=AuditCase.State.FINALISED)
    with pytest.raises(ValidationError):
        services.case_reopen(case=case, by=auditor, expected_version=case.version, reason="")
    case.refresh_from_db()
    assert case.is_finalised
    services.case_reopen(case=case, by=auditor, expected_version=case.version, reason="Police record was missed.")
    case.refresh_from_db()
    assert case.state == AuditCase.State.DRAFT
    reopening = case.reopenings.get()
    assert (reopening.reason, reopening.reopened_by) == ("Police record was missed.", auditor)


def test_a_case_takes_at_most_twenty_agency_records(auditor):
    case = AuditCaseFactory()
    CaseRecordFactory.create_batch(MAX_RECORDS_PER_CASE, case=case)
    with pytest.raises(ValidationError, match="at most 20 agency records"):
        complete_record(case, auditor)
    assert case.records.count() == MAX_RECORDS_PER_CASE


def test_a_record_with_its_grades_and_answers_is_saved_all_or_nothing(auditor, monkeypatch):
    case = AuditCaseFactory()

    def disk_full(*args, **kwargs):
        raise RuntimeError("disk full")

    # The grades are written; then the answers fail.
    monkeypatch.setattr(ChecklistAnswer.objects, "bulk_create", disk_full)
    with pytest.raises(RuntimeError):
        complete_record(case, auditor)
    assert not CaseRecord.objects.exists()
    assert not RecordGrade.objects.exists()
    assert not ChecklistAnswer.objects.exists()


def test_the_agreed_grades_are_saved_all_or_nothing(auditor, monkeypatch):
    case = AuditCaseFactory()
    themes = list(Theme.objects.active())
    monkeypatch.setattr("audits.services.record_changes", lambda changes: (_ for _ in ()).throw(RuntimeError("fault")))
    with pytest.raises(RuntimeError):
        services.case_agree_grades(
            case=case,
            by=auditor,
            expected_version=case.version,
            theme_grades=dict.fromkeys(themes, grade("Good")),
            overall_grade=grade("Adequate"),
            findings="Agreed findings",
        )
    assert not case.theme_ratings.exists()
    case.refresh_from_db()
    assert (case.findings, case.overall_grade, case.version) == ("", None, 1)


def test_a_second_save_from_the_same_starting_point_is_refused_naming_who_saved_first(auditor):
    other = UserFactory(is_audit_team=True, full_name="Bea Other")
    case = AuditCaseFactory()
    first = AuditCase.objects.get(pk=case.pk)
    second = AuditCase.objects.get(pk=case.pk)
    services.case_update(case=first, by=other, expected_version=1, details=details_of(case, parent_records_read=2))
    with pytest.raises(EditConflict) as conflict:
        services.case_update(
            case=second, by=auditor, expected_version=1, details=details_of(case, parent_records_read=3)
        )
    assert "Bea Other saved this" in conflict.value.message
    assert conflict.value.version == 2
    case.refresh_from_db()
    assert case.parent_records_read == 2


def test_every_change_keeps_who_when_and_what(auditor):
    case = AuditCaseFactory()
    from auditlog.context import set_actor

    with set_actor(auditor):
        services.case_update(
            case=case, by=auditor, expected_version=case.version, details=details_of(case, reference="MACA-2011-01-01")
        )
    entry = LogEntry.objects.get_for_object(case).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == auditor
    assert entry.changes_dict["reference"][1] == "MACA-2011-01-01"
    assert "version" not in entry.changes_dict
    assert entry.additional_data == {"case_id": case.pk}


def test_appreciative_inquiry_cases_carry_no_grades(auditor):
    case = AuditCaseFactory(audit_round__kind=AuditRound.Kind.APPRECIATIVE_INQUIRY)
    with pytest.raises(ValidationError, match="not graded"):
        services.case_agree_grades(
            case=case, by=auditor, expected_version=case.version, theme_grades={}, overall_grade=None
        )


def test_an_appreciative_inquiry_case_needs_its_own_facts_to_be_finalised(auditor):
    participant = InquiryParticipantFactory()
    case = participant.case
    with pytest.raises(ValidationError) as refused:
        services.case_finalise(case=case, by=auditor, expected_version=case.version)
    assert refused.value.messages == [
        "Add whether professionals saw the case as stuck",
        "Add what is working",
        "Add the desired outcomes agreed",
    ]
    case.seen_as_stuck = True
    case.what_is_working = "Attendance at school"
    case.desired_outcomes = "A shared plan"
    case.save()
    services.case_finalise(case=case, by=auditor, expected_version=case.version)


def test_plan_months_are_counted_to_the_audit():
    case = AuditCaseFactory.build(plan_started_on=datetime.date(2009, 6, 15))
    assert case.plan_months_at(datetime.date(2010, 11, 17)) == 17
    assert case.plan_months_at(datetime.date(2010, 6, 14)) == 11
