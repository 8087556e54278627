"""Each rule of audits.services, called with no form and no client, as an importer, the
demo loader or a command would: the service refuses, says which field and why, and writes
nothing."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone

from audits import selectors, services
from audits.models import (
    MAX_RECORDS_PER_CASE,
    AuditCase,
    AuditRound,
    CaseRecord,
    ChecklistAnswer,
    ChecklistQuestion,
    Escalation,
    Feedback,
    InquiryParticipant,
    RecordGrade,
    RoundReopening,
    ThemeRating,
)
from dscb.models import Agency, Role
from tests.conftest import make_user
from tests.factories import (
    AuditCaseFactory,
    AuditRoundFactory,
    CaseRecordFactory,
    EscalationFactory,
    InquiryParticipantFactory,
    UserFactory,
    grade,
    police,
)
from tests.service_rules import every_row

pytestmark = pytest.mark.django_db

WRITTEN = (
    AuditRound,
    AuditCase,
    CaseRecord,
    RecordGrade,
    ChecklistAnswer,
    ThemeRating,
    Feedback,
    Escalation,
    InquiryParticipant,
    RoundReopening,
    LogEntry,
)


@contextmanager
def refused(key: str | None, code: str) -> Iterator[None]:
    """The block is refused on ``key`` (None: the whole thing) with ``code``, and leaves
    every row as it was."""
    before = every_row(WRITTEN)
    with pytest.raises(ValidationError) as error:
        yield
    errors = (
        error.value.error_dict if hasattr(error.value, "error_dict") else {NON_FIELD_ERRORS: error.value.error_list}
    )
    key = key or NON_FIELD_ERRORS
    assert key in errors, errors
    assert code in [item.code for item in errors[key]], [item.code for item in errors[key]]
    assert every_row(WRITTEN) == before


@pytest.fixture
def auditor():
    return make_user(Role.AUDIT_TEAM, full_name="Ann Auditor")


def gp() -> Agency:
    return Agency.objects.get(short_name="GP")


def round_values(**changes: object) -> dict[str, object]:
    return {
        "title": "March 2011",
        "held_on": datetime.date(2011, 3, 23),
        "kind": AuditRound.Kind.CASE_AUDIT,
        "focus": "",
        "agencies": [police()],
        "auditors": [],
        **changes,
    }


def case_details(**changes: object) -> services.CaseDetails:
    values: dict[str, object] = {
        "reference": "MACA-2011-03-01",
        "categories": ["neglect"],
        "plan_started_on": datetime.date(2010, 6, 1),
    }
    return services.CaseDetails(**{**values, **changes})  # type: ignore[arg-type]


def record_details(**changes: object) -> services.RecordDetails:
    scales = selectors.scales()
    values: dict[str, object] = {
        "agency": police(),
        "subject": CaseRecord.Subject.CHILD,
        "records_read": 2,
        "grades": dict.fromkeys(scales.themes, grade("Good")),
        "answers": dict.fromkeys(scales.questions, ("yes", "")),
    }
    return services.RecordDetails(**{**values, **changes})  # type: ignore[arg-type]


def create_record(case: AuditCase, by, **changes: object) -> Callable[[], CaseRecord]:
    return lambda: services.record_create(case=case, by=by, details=record_details(**changes))


def escalation_values(**changes: object) -> dict[str, object]:
    return {
        "raised_on": datetime.date(2010, 9, 23),
        "to_agency": police(),
        "to_role": "Team manager",
        "reason": "The plan has not been reviewed.",
        "due_by": datetime.date(2010, 9, 30),
        **changes,
    }


# --- Rounds ---------------------------------------------------------------------------------


def test_a_round_title_is_not_taken_twice(auditor):
    AuditRoundFactory(title="March 2011")
    with refused("title", "unique"):
        services.round_create(by=auditor, **round_values())


def test_a_round_needs_an_agency_taking_part(auditor):
    with refused("agencies", "required"):
        services.round_create(by=auditor, **round_values(agencies=[]))


def test_a_round_takes_no_agency_no_longer_active(auditor):
    retired = Agency.objects.create(name="Retired agency", short_name="Retired", is_active=False)
    with refused("agencies", "inactive"):
        services.round_create(by=auditor, **round_values(agencies=[police(), retired]))


def test_a_round_auditor_may_enter_case_records(auditor):
    board_member = make_user(Role.BOARD_MEMBER)
    with refused("auditors", "not_an_auditor"):
        services.round_create(by=auditor, **round_values(auditors=[board_member]))


def test_a_rounds_dates_come_in_order(auditor):
    dates = services.RoundDates(
        returns_due_on=datetime.date(2011, 3, 9),
        panel_on=datetime.date(2011, 3, 2),
        feedback_due_on=datetime.date(2011, 4, 20),
    )
    with refused("panel_on", "order"):
        services.round_create(by=auditor, **round_values(), dates=dates)


def test_feedback_is_not_due_before_the_returns_when_there_is_no_panel_date(auditor):
    dates = services.RoundDates(returns_due_on=datetime.date(2011, 3, 9), feedback_due_on=datetime.date(2011, 3, 1))
    with refused("feedback_due_on", "order"):
        services.round_create(by=auditor, **round_values(), dates=dates)


def focus_question() -> ChecklistQuestion:
    return ChecklistQuestion.objects.get(text="Domestic abuse: risk assessment (DASH) on file and shared")


def test_a_new_round_asks_the_default_set_unless_it_chooses(auditor):
    planned = services.round_create(by=auditor, **round_values())
    assert set(planned.questions.all()) == set(selectors.default_questions())
    assert focus_question() not in planned.questions.all()
    focused = services.round_create(
        by=auditor,
        **round_values(title="May 2011"),
        questions=[*selectors.default_questions(), focus_question()],
    )
    assert focus_question() in selectors.round_questions(focused)


def test_a_round_asks_at_least_one_question(auditor):
    with refused("questions", "required"):
        services.round_create(by=auditor, **round_values(), questions=[])
    audit_round = AuditRoundFactory()
    with refused("questions", "required"):
        services.round_update(
            audit_round=audit_round, by=auditor, expected_version=audit_round.version, **round_values(), questions=[]
        )


def test_a_round_adds_only_active_questions(auditor):
    retired = focus_question()
    retired.is_active = False
    retired.save()
    with refused("questions", "inactive"):
        services.round_create(by=auditor, **round_values(), questions=[retired])
    audit_round = AuditRoundFactory(questions=list(selectors.default_questions()))
    with refused("questions", "inactive"):
        services.round_update(
            audit_round=audit_round,
            by=auditor,
            expected_version=audit_round.version,
            **round_values(),
            questions=[*selectors.default_questions(), retired],
        )


def test_a_question_retired_since_the_round_was_planned_may_stay_in_it(auditor):
    question = focus_question()
    audit_round = AuditRoundFactory(questions=[question])
    question.is_active = False
    question.save()
    services.round_update(
        audit_round=audit_round,
        by=auditor,
        expected_version=audit_round.version,
        **round_values(),
        questions=[question],
    )
    assert selectors.round_questions(audit_round) == [question]


def test_a_question_answered_in_the_round_stays_in_it(auditor):
    question = focus_question()
    audit_round = AuditRoundFactory()
    case = AuditCaseFactory(audit_round=audit_round)
    create_record(case, auditor, answers={question: ("yes", "")})()
    with refused("questions", "answered"):
        services.round_update(
            audit_round=audit_round,
            by=auditor,
            expected_version=audit_round.version,
            **round_values(),
            questions=[q for q in audit_round.questions.all() if q != question],
        )
    unanswered = selectors.default_questions().first()
    ChecklistAnswer.objects.filter(question=unanswered).delete()
    saved = services.round_update(
        audit_round=audit_round,
        by=auditor,
        expected_version=audit_round.version,
        **round_values(),
        questions=[q for q in audit_round.questions.all() if q != unanswered],
    )
    assert unanswered not in saved.questions.all()


def test_a_round_left_without_questions_keeps_them(auditor):
    audit_round = AuditRoundFactory(questions=[focus_question()])
    services.round_update(audit_round=audit_round, by=auditor, expected_version=audit_round.version, **round_values())
    assert list(audit_round.questions.all()) == [focus_question()]


def move_on(audit_round: AuditRound, auditor) -> AuditRound:
    audit_round.refresh_from_db()
    return services.round_move_on(audit_round=audit_round, by=auditor, expected_version=audit_round.version)


def test_collecting_returns_needs_their_due_date_cases_and_the_agencies_expected(auditor):
    audit_round = AuditRoundFactory()
    with refused(None, "incomplete"):
        move_on(audit_round, auditor)
    AuditRound.objects.filter(pk=audit_round.pk).update(returns_due_on=datetime.date(2010, 9, 8))
    with refused(None, "incomplete"):
        move_on(audit_round, auditor)  # no cases
    case = AuditCaseFactory(audit_round=audit_round)
    with refused(None, "incomplete"):
        move_on(audit_round, auditor)  # no agency expected to return a record
    case.expected_agencies.set([police()])
    assert move_on(audit_round, auditor).state == AuditRound.State.COLLECTING


def round_at(state: str) -> AuditRound:
    audit_round = AuditRoundFactory(state=state, returns_due_on=datetime.date(2010, 9, 8))
    AuditCaseFactory(audit_round=audit_round).expected_agencies.set([police()])
    return audit_round


def test_leaving_moderation_needs_every_case_finalised(auditor):
    audit_round = round_at(AuditRound.State.MODERATION)
    with refused(None, "incomplete"):
        move_on(audit_round, auditor)


def test_a_round_completes_when_every_records_feedback_is_given_or_not_needed(auditor):
    audit_round = round_at(AuditRound.State.FEEDBACK)
    record = CaseRecordFactory(case=audit_round.cases.get())
    audit_round.cases.update(state=AuditCase.State.FINALISED)
    with refused(None, "incomplete"):
        move_on(audit_round, auditor)
    services.feedback_not_needed(
        record=record, by=auditor, expected_version=record.version, reason="The practitioner has left the agency."
    )
    completed = move_on(audit_round, auditor)
    assert completed.state == AuditRound.State.COMPLETED
    assert completed.completed_on == timezone.localdate()  # the retention schedule counts from it
    with refused(None, "round_completed"):
        move_on(audit_round, auditor)
    services.round_reopen(audit_round=completed, by=auditor, expected_version=completed.version, reason="A grade.")
    audit_round.refresh_from_db()
    assert audit_round.completed_on is None


def test_a_completed_round_refuses_every_change_to_it_and_its_cases(auditor):
    audit_round = round_at(AuditRound.State.COMPLETED)
    case = audit_round.cases.get()
    record = CaseRecordFactory(case=case)
    AuditCase.objects.filter(pk=case.pk).update(state=AuditCase.State.FINALISED)
    case.refresh_from_db()
    changes = [
        lambda: services.round_update(
            audit_round=audit_round, by=auditor, expected_version=audit_round.version, **round_values()
        ),
        lambda: services.case_create(audit_round=audit_round, by=auditor, details=case_details()),
        lambda: services.case_reopen(case=case, by=auditor, expected_version=case.version, reason="A mistake."),
        lambda: services.record_create(case=case, by=auditor, details=record_details()),
        lambda: services.feedback_record(
            record=record,
            by=auditor,
            entries={"practitioner": services.FeedbackEntry(given_on=datetime.date(2010, 10, 1), given_by=auditor)},
            versions={},
        ),
        lambda: services.feedback_not_needed(record=record, by=auditor, expected_version=record.version, reason="No."),
    ]
    for change in changes:
        with refused(None, "round_completed"):
            change()


def test_only_a_completed_round_is_reopened_and_with_a_reason(auditor):
    audit_round = round_at(AuditRound.State.FEEDBACK)
    with refused(None, "not_completed"):
        services.round_reopen(audit_round=audit_round, by=auditor, expected_version=audit_round.version, reason="Why")
    AuditRound.objects.filter(pk=audit_round.pk).update(state=AuditRound.State.COMPLETED)
    audit_round.refresh_from_db()
    with refused("reason", "blank"):
        services.round_reopen(audit_round=audit_round, by=auditor, expected_version=audit_round.version, reason="")


def test_the_agencies_expected_take_part_in_the_round(auditor):
    audit_round = AuditRoundFactory(agencies=[police()])
    with refused("expected_agencies", "not_taking_part"):
        services.case_create(audit_round=audit_round, by=auditor, details=case_details(expected_agencies=[gp()]))


def test_a_reason_feedback_is_not_needed_names_no_one(auditor):
    record = CaseRecordFactory()
    with refused("feedback_not_needed", "date_of_birth"):
        services.feedback_not_needed(
            record=record, by=auditor, expected_version=record.version, reason="Left; born 01/02/1970."
        )


def test_a_round_keeps_the_models_own_rules(auditor):
    with refused("title", "date_of_birth"):
        services.round_create(by=auditor, **round_values(title="The child born 01/02/2009"))


# --- Cases ----------------------------------------------------------------------------------


def test_a_board_reference_is_not_audited_twice(auditor):
    AuditCaseFactory(reference="MACA-2011-03-01")
    audit_round = AuditRoundFactory()
    with refused("reference", "unique"):
        services.case_create(audit_round=audit_round, by=auditor, details=case_details(reference=" maca-2011-03-01"))


def test_a_case_needs_a_child_protection_plan_category(auditor):
    audit_round = AuditRoundFactory()
    with refused("categories", "required"):
        services.case_create(audit_round=audit_round, by=auditor, details=case_details(categories=[]))


def test_appreciative_inquiry_facts_belong_to_appreciative_inquiry_cases(auditor):
    audit_round = AuditRoundFactory()
    with refused("seen_as_stuck", "not_inquiry"):
        services.case_create(audit_round=audit_round, by=auditor, details=case_details(seen_as_stuck=True))


def test_a_case_reference_is_a_board_reference(auditor):
    audit_round = AuditRoundFactory()
    with refused("reference", "board_reference"):
        services.case_create(audit_round=audit_round, by=auditor, details=case_details(reference="Jane Smith"))


def test_a_finalised_case_refuses_changes_to_its_details(auditor):
    case = AuditCaseFactory(state=AuditCase.State.FINALISED)
    with refused(None, "finalised"):
        services.case_update(case=case, by=auditor, expected_version=case.version, details=case_details())


def test_a_case_is_finalised_only_when_complete(auditor):
    case = AuditCaseFactory()
    with refused(None, "incomplete"):
        services.case_finalise(case=case, by=auditor, expected_version=case.version)


def test_only_a_finalised_case_is_reopened(auditor):
    case = AuditCaseFactory()
    with refused(None, "not_finalised"):
        services.case_reopen(case=case, by=auditor, expected_version=case.version, reason="A record was missed.")


def test_reopening_needs_a_reason(auditor):
    case = AuditCaseFactory(state=AuditCase.State.FINALISED)
    with refused("reason", "blank"):
        services.case_reopen(case=case, by=auditor, expected_version=case.version, reason="")


# --- Agreed grades --------------------------------------------------------------------------


def agree(case: AuditCase, by, **changes: object) -> None:
    values: dict[str, object] = {
        "theme_grades": dict.fromkeys(selectors.scales().themes, grade("Good")),
        "overall_grade": grade("Good"),
        **changes,
    }
    services.case_agree_grades(case=case, by=by, expected_version=case.version, **values)  # type: ignore[arg-type]


def test_appreciative_inquiry_cases_are_not_graded(auditor):
    case = AuditCaseFactory(audit_round__kind=AuditRound.Kind.APPRECIATIVE_INQUIRY)
    with refused(None, "not_graded"):
        agree(case, auditor)


def test_a_finalised_case_refuses_new_grades(auditor):
    case = AuditCaseFactory(state=AuditCase.State.FINALISED)
    with refused(None, "finalised"):
        agree(case, auditor)


def test_an_agreed_grade_is_an_active_grade(auditor):
    retired = grade("Outstanding")
    retired.is_active = False
    retired.save()
    theme = selectors.scales().themes[0]
    case = AuditCaseFactory()
    with refused(services.rating_key(theme), "inactive"):
        agree(case, auditor, theme_grades={theme: retired})


def test_a_retired_theme_is_not_graded(auditor):
    theme = selectors.scales().themes[0]
    theme.is_active = False
    theme.save()
    case = AuditCaseFactory()
    with refused(services.rating_key(theme), "inactive"):
        agree(case, auditor, theme_grades={theme: grade("Good")})


def test_the_overall_grade_is_an_active_grade(auditor):
    retired = grade("Outstanding")
    retired.is_active = False
    retired.save()
    case = AuditCaseFactory()
    with refused("overall_grade", "inactive"):
        agree(case, auditor, overall_grade=retired)


def test_agreed_findings_keep_the_models_own_rules(auditor):
    case = AuditCaseFactory()
    with refused("findings", "nhs_number"):
        agree(case, auditor, findings="NHS number 943 476 5919 was seen.")


# --- Agency records -------------------------------------------------------------------------


def test_a_finalised_case_refuses_new_records(auditor):
    case = AuditCaseFactory(state=AuditCase.State.FINALISED)
    with refused(None, "finalised"):
        create_record(case, auditor)()


def test_a_case_takes_at_most_twenty_records(auditor):
    case = AuditCaseFactory()
    CaseRecordFactory.create_batch(MAX_RECORDS_PER_CASE, case=case, agency=gp())
    with refused(None, "too_many_records"):
        create_record(case, auditor)()


def test_a_records_agency_takes_part_in_the_round(auditor):
    probation = Agency.objects.get(short_name="Probation")
    case = AuditCaseFactory()
    with refused("agency", "not_taking_part"):
        create_record(case, auditor, agency=probation)()


def test_an_agency_auditor_enters_only_their_own_agencys_records():
    agency_auditor = make_user(Role.AGENCY_AUDITOR)  # of the police
    case = AuditCaseFactory(audit_round=AuditRoundFactory(auditors=[agency_auditor]))
    with refused("agency", "not_your_agency"):
        create_record(case, agency_auditor, agency=gp())()


def test_one_record_per_agency_and_whose_records_a_case(auditor):
    record = CaseRecordFactory(subject=CaseRecord.Subject.CHILD)
    with refused("subject", "duplicate"):
        create_record(record.case, auditor, subject=CaseRecord.Subject.CHILD)()


def test_a_records_agency_never_changes(auditor):
    record = CaseRecordFactory()
    with refused("agency", "fixed"):
        services.record_update(
            record=record, by=auditor, expected_version=record.version, details=record_details(agency=gp())
        )


def test_records_in_an_appreciative_inquiry_are_not_graded(auditor):
    case = AuditCaseFactory(audit_round__kind=AuditRound.Kind.APPRECIATIVE_INQUIRY)
    theme = selectors.scales().themes[0]
    with refused(services.grade_key(theme), "not_graded"):
        create_record(case, auditor, grades={theme: grade("Good")})()


def test_a_record_is_graded_with_active_grades(auditor):
    retired = grade("Outstanding")
    retired.is_active = False
    retired.save()
    theme = selectors.scales().themes[0]
    case = AuditCaseFactory()
    with refused(services.grade_key(theme), "inactive"):
        create_record(case, auditor, grades={theme: retired})()


def test_a_record_is_graded_on_active_themes(auditor):
    theme = selectors.scales().themes[0]
    theme.is_active = False
    theme.save()
    case = AuditCaseFactory()
    with refused(services.grade_key(theme), "inactive"):
        create_record(case, auditor, grades={theme: grade("Good")})()


def test_a_record_answers_only_the_questions_its_round_asks(auditor):
    question = focus_question()
    case = AuditCaseFactory(audit_round__questions=list(selectors.default_questions()))
    with refused(services.answer_key(question), "not_asked"):
        create_record(case, auditor, answers={question: ("yes", "")})()


def test_a_record_in_a_round_not_asking_a_question_is_complete_without_it(auditor):
    question = focus_question()
    case = AuditCaseFactory(audit_round__questions=list(selectors.default_questions()))
    scales = selectors.scales(case.audit_round)
    record = services.record_create(
        case=case,
        by=auditor,
        details=record_details(answers=dict.fromkeys(scales.questions, ("yes", ""))),
    )
    assert question not in scales.questions
    record = selectors.case_records(case)[0]
    assert selectors.record_completeness(record, scales).is_complete
    # The same answers in a round that asks the question too leave it missing.
    asking = AuditCaseFactory()
    services.record_create(
        case=asking, by=auditor, details=record_details(answers=dict.fromkeys(scales.questions, ("yes", "")))
    )
    asked = selectors.scales(asking.audit_round)
    missing = selectors.record_completeness(selectors.case_records(asking)[0], asked)
    not_answered = [q for q in asked.questions if q not in scales.questions]
    assert question in not_answered
    assert [item.text for item in missing.missing] == [f"{record}: an answer to “{q.text}”" for q in not_answered]


def test_a_question_retired_since_the_round_was_planned_is_still_answered(auditor):
    question = selectors.scales().questions[0]
    case = AuditCaseFactory()
    question.is_active = False
    question.save()
    record = create_record(case, auditor, answers={question: ("yes", "")})()
    assert record.answers.get().question == question


def test_a_retired_question_is_not_asked_of_a_round_planned_after(auditor):
    question = selectors.scales().questions[0]
    question.is_active = False
    question.save()
    case = AuditCaseFactory()
    with refused(services.answer_key(question), "not_asked"):
        create_record(case, auditor, answers={question: ("yes", "")})()


def test_a_checklist_comment_needs_an_answer(auditor):
    question = selectors.scales().questions[0]
    case = AuditCaseFactory()
    with refused(services.answer_key(question), "required"):
        create_record(case, auditor, answers={question: ("", "Seen on file")})()


def test_a_checklist_answer_is_one_of_the_answers(auditor):
    question = selectors.scales().questions[0]
    case = AuditCaseFactory()
    with refused(services.answer_key(question), "invalid_choice"):
        create_record(case, auditor, answers={question: ("perhaps", "")})()


def test_a_checklist_comment_keeps_the_models_own_rules(auditor):
    question = selectors.scales().questions[0]
    case = AuditCaseFactory()
    with refused(services.comment_key(question), "nhs_number"):
        create_record(case, auditor, answers={question: ("yes", "NHS 943 476 5919")})()


def test_a_record_keeps_the_models_own_rules(auditor):
    case = AuditCaseFactory()
    with refused("records_read", "min_value"):
        create_record(case, auditor, records_read=0)()


# --- Feedback -------------------------------------------------------------------------------


def give(record: CaseRecord, by, **entries: services.FeedbackEntry) -> None:
    services.feedback_record(record=record, by=by, entries=entries, versions={})


def test_feedback_given_says_who_gave_it(auditor):
    record = CaseRecordFactory()
    with refused(services.feedback_key("practitioner", "given_by"), "required"):
        give(record, auditor, practitioner=services.FeedbackEntry(datetime.date(2010, 10, 1), None))


def test_feedback_given_says_when(auditor):
    record = CaseRecordFactory()
    with refused(services.feedback_key("practitioner", "given_on"), "required"):
        give(record, auditor, practitioner=services.FeedbackEntry(None, auditor))


def test_feedback_notes_need_a_date(auditor):
    record = CaseRecordFactory()
    with refused(services.feedback_key("manager", "given_on"), "required"):
        give(record, auditor, manager=services.FeedbackEntry(None, None, "Discussed in supervision"))


def test_feedback_recorded_is_never_removed(auditor):
    record = CaseRecordFactory()
    Feedback.objects.create(record=record, recipient="agency", given_on=datetime.date(2010, 10, 1), given_by=auditor)
    with refused(services.feedback_key("agency", "given_on"), "required"):
        give(record, auditor, agency=services.FeedbackEntry(None, None))


def test_feedback_is_given_on_or_after_the_audit(auditor):
    record = CaseRecordFactory(case__audit_round__held_on=datetime.date(2010, 9, 22))
    with refused(services.feedback_key("manager", "given_on"), "before_audit"):
        give(record, auditor, manager=services.FeedbackEntry(datetime.date(2010, 9, 21), auditor))


def test_feedback_is_not_given_in_the_future(auditor):
    record = CaseRecordFactory()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with refused(services.feedback_key("agency", "given_on"), "in_future"):
        give(record, auditor, agency=services.FeedbackEntry(tomorrow, auditor))


def test_feedback_can_be_given_on_the_day_of_the_audit_or_today(auditor):
    record = CaseRecordFactory()
    held_on = record.case.audit_round.held_on
    give(
        record,
        auditor,
        practitioner=services.FeedbackEntry(held_on, auditor),
        manager=services.FeedbackEntry(timezone.localdate(), auditor),
    )
    assert sorted(Feedback.objects.values_list("given_on", flat=True)) == [held_on, timezone.localdate()]


def test_feedback_is_given_by_the_audit_team_or_the_rounds_auditors(auditor):
    outsider = UserFactory(is_board_member=True)
    record = CaseRecordFactory()
    with refused(services.feedback_key("practitioner", "given_by"), "invalid_choice"):
        give(record, auditor, practitioner=services.FeedbackEntry(datetime.date(2010, 10, 1), outsider))


# --- Escalations ----------------------------------------------------------------------------


def test_an_escalation_goes_to_any_agency_still_active(auditor):
    probation = Agency.objects.get(short_name="Probation")  # not in the round
    case = AuditCaseFactory()
    assert services.escalation_raise(case=case, by=auditor, **escalation_values(to_agency=probation)).pk
    retired = Agency.objects.create(name="Retired agency", short_name="Retired", is_active=False)
    with refused("to_agency", "inactive"):
        services.escalation_raise(case=case, by=auditor, **escalation_values(to_agency=retired))


def test_an_escalation_is_withdrawn_with_a_reason_and_only_once(auditor):
    escalation = EscalationFactory()
    with refused("reason", "required"):
        services.escalation_withdraw(escalation=escalation, by=auditor, expected_version=escalation.version, reason=" ")
    services.escalation_withdraw(
        escalation=escalation, by=auditor, expected_version=escalation.version, reason="Raised on the wrong case."
    )
    assert not Escalation.objects.open().exists()
    with refused(None, "withdrawn"):
        services.escalation_withdraw(
            escalation=escalation, by=auditor, expected_version=escalation.version, reason="Again"
        )


def test_a_resolved_escalation_is_not_withdrawn(auditor):
    escalation = EscalationFactory(resolved_on=datetime.date(2010, 9, 25), outcome="Reviewed.")
    with refused(None, "resolved"):
        services.escalation_withdraw(
            escalation=escalation, by=auditor, expected_version=escalation.version, reason="No"
        )


def test_the_address_to_tell_of_an_escalation_is_an_email_address(auditor):
    case = AuditCaseFactory()
    with refused("to_email", "invalid"):
        services.escalation_raise(case=case, by=auditor, **escalation_values(to_email="the duty desk"))


def test_an_escalation_is_due_on_or_after_it_was_raised(auditor):
    case = AuditCaseFactory()
    with refused("due_by", "before_raised"):
        services.escalation_raise(case=case, by=auditor, **escalation_values(due_by=datetime.date(2010, 9, 1)))


def test_an_escalation_is_resolved_with_its_outcome(auditor):
    escalation = EscalationFactory()
    with refused("outcome", "required"):
        services.escalation_update(
            escalation=escalation,
            by=auditor,
            expected_version=escalation.version,
            **escalation_values(resolved_on=datetime.date(2010, 9, 25)),
        )


def test_an_escalation_keeps_the_models_own_rules(auditor):
    case = AuditCaseFactory()
    with refused("to_role", "phone_number"):
        services.escalation_raise(case=case, by=auditor, **escalation_values(to_role="Call 07700 900123"))


# --- Appreciative Inquiry participants ------------------------------------------------------


def test_participants_are_recorded_for_appreciative_inquiry_only():
    case = AuditCaseFactory()
    with refused(None, "not_inquiry"):
        services.participant_add(case=case, agency=police(), role="Social worker")


def test_a_participants_agency_is_active():
    retired = Agency.objects.create(name="Retired agency", short_name="Retired", is_active=False)
    case = AuditCaseFactory(audit_round__kind=AuditRound.Kind.APPRECIATIVE_INQUIRY)
    with refused("agency", "inactive"):
        services.participant_add(case=case, agency=retired, role="Social worker")


def test_a_finalised_inquiry_keeps_its_participants():
    participant = InquiryParticipantFactory(case__state=AuditCase.State.FINALISED)
    with refused(None, "finalised"):
        services.participant_remove(participant=participant)
