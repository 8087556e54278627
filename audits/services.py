"""Every change to case audit data: one named, atomic function each. A refused or
failed save leaves nothing half-written; a save after someone else's is refused
(dscb.concurrency); the history of each change is kept by django-auditlog."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audits import selectors
from audits.models import (
    MAX_RECORDS_PER_CASE,
    AuditCase,
    AuditRound,
    CaseRecord,
    CaseReopening,
    ChecklistAnswer,
    ChecklistQuestion,
    Escalation,
    Feedback,
    Grade,
    InquiryParticipant,
    RecordGrade,
    Theme,
    ThemeRating,
)
from dscb.concurrency import EditConflict, create_versioned, save_versioned
from dscb.models import Agency, User

CASE_IS_FINALISED = "This case is finalised, so it cannot be changed. Re-open it first, giving the reason."


def ensure_editable(case: AuditCase) -> None:
    if case.is_finalised:
        raise ValidationError(CASE_IS_FINALISED, code="finalised")


def _lock_case(case: AuditCase) -> AuditCase:
    """Read the case's state again under a row lock, so that nothing is added to a case
    someone else finalises at the same moment."""
    locked = AuditCase.objects.select_for_update().select_related("audit_round").get(pk=case.pk)
    ensure_editable(locked)
    return locked


# --- Rounds ---------------------------------------------------------------------------------


@transaction.atomic
def round_create(*, audit_round: AuditRound, by: User, agencies: list[Agency], auditors: list[User]) -> AuditRound:
    create_versioned(audit_round, by=by)
    audit_round.agencies.set(agencies)
    audit_round.auditors.set(auditors)
    return audit_round


@transaction.atomic
def round_update(
    *, audit_round: AuditRound, by: User, expected_version: int, agencies: list[Agency], auditors: list[User]
) -> AuditRound:
    """``audit_round`` carries the new field values (a validated ModelForm's instance)."""
    save_versioned(audit_round, expected_version=expected_version, by=by)
    audit_round.agencies.set(agencies)
    audit_round.auditors.set(auditors)
    return audit_round


# --- Cases ----------------------------------------------------------------------------------


@transaction.atomic
def case_create(*, case: AuditCase, by: User) -> AuditCase:
    audit_round = case.audit_round
    if audit_round.state == AuditRound.State.PLANNED:
        audit_round.state = AuditRound.State.IN_PROGRESS
        audit_round.save(update_fields=["state"])
    return create_versioned(case, by=by)


@transaction.atomic
def case_update(*, case: AuditCase, by: User, expected_version: int) -> AuditCase:
    ensure_editable(_lock_case(case))
    return save_versioned(case, expected_version=expected_version, by=by)


@transaction.atomic
def case_agree_grades(
    *, case: AuditCase, by: User, expected_version: int, theme_grades: dict[Theme, Grade | None]
) -> AuditCase:
    """Save the case's agreed grade on each theme with its overall grade and findings
    (already on ``case``), all or nothing."""
    if case.audit_round.is_appreciative_inquiry:
        raise ValidationError("Appreciative Inquiry cases are not graded.", code="not_graded")
    ensure_editable(_lock_case(case))
    save_versioned(case, expected_version=expected_version, by=by)
    existing = {rating.theme_id: rating for rating in case.theme_ratings.all()}
    for theme, grade in theme_grades.items():
        rating = existing.get(theme.pk)
        if grade is None:
            if rating:
                rating.delete()
        elif rating is None:
            ThemeRating.objects.create(case=case, theme=theme, grade=grade)
        elif rating.grade_id != grade.pk:
            rating.grade = grade
            rating.save()
    return case


@transaction.atomic
def case_finalise(*, case: AuditCase, by: User, expected_version: int) -> AuditCase:
    """Refused, with the list of exactly what is missing, until the case is complete."""
    case = _lock_case(case)
    completeness = selectors.case_completeness(
        case,
        records=selectors.case_records(case),
        ratings=selectors.case_ratings(case),
        participant_count=case.participants.count(),
        scales=selectors.scales(),
    )
    if not completeness.is_complete:
        raise ValidationError([f"Add {item}" for item in completeness.missing], code="incomplete")
    case.state = AuditCase.State.FINALISED
    return save_versioned(case, expected_version=expected_version, by=by)


@transaction.atomic
def case_reopen(*, case: AuditCase, by: User, expected_version: int, reason: str) -> AuditCase:
    if not case.is_finalised:
        raise ValidationError("This case is not finalised.", code="not_finalised")
    reopening = CaseReopening(case=case, reason=reason, reopened_by=by)
    reopening.full_clean()
    case.state = AuditCase.State.DRAFT
    save_versioned(case, expected_version=expected_version, by=by)
    reopening.save()
    return case


# --- Agency records -------------------------------------------------------------------------


def _save_grades_and_answers(
    record: CaseRecord,
    *,
    theme_grades: dict[Theme, Grade | None],
    answers: dict[ChecklistQuestion, tuple[str, str]],
    questions: list[ChecklistQuestion],
) -> None:
    grades = {grade.theme_id: grade for grade in record.grades.all()} if record.pk else {}
    for theme, grade in theme_grades.items():
        current = grades.get(theme.pk)
        if grade is None:
            if current:
                current.delete()
        elif current is None:
            RecordGrade.objects.create(record=record, theme=theme, grade=grade)
        elif current.grade_id != grade.pk:
            current.grade = grade
            current.save()
    saved = {answer.question_id: answer for answer in record.answers.all()} if record.pk else {}
    for question in questions:
        current = saved.get(question.pk)
        if question not in answers:
            if current:
                current.delete()
            continue
        value, comment = answers[question]
        if current is None:
            current = ChecklistAnswer(record=record, question=question)
        elif (current.answer, current.comment) == (value, comment):
            continue
        current.answer, current.comment = value, comment
        current.full_clean()
        current.save()


@transaction.atomic
def record_create(
    *,
    record: CaseRecord,
    by: User,
    theme_grades: dict[Theme, Grade | None],
    answers: dict[ChecklistQuestion, tuple[str, str]],
    questions: list[ChecklistQuestion],
) -> CaseRecord:
    case = _lock_case(record.case)
    if case.records.count() >= MAX_RECORDS_PER_CASE:
        raise ValidationError(
            f"A case can have at most {MAX_RECORDS_PER_CASE} agency records.", code="too_many_records"
        )
    create_versioned(record, by=by)
    _save_grades_and_answers(record, theme_grades=theme_grades, answers=answers, questions=questions)
    return record


@transaction.atomic
def record_update(
    *,
    record: CaseRecord,
    by: User,
    expected_version: int,
    theme_grades: dict[Theme, Grade | None],
    answers: dict[ChecklistQuestion, tuple[str, str]],
    questions: list[ChecklistQuestion],
) -> CaseRecord:
    _lock_case(record.case)
    save_versioned(record, expected_version=expected_version, by=by)
    _save_grades_and_answers(record, theme_grades=theme_grades, answers=answers, questions=questions)
    return record


@transaction.atomic
def feedback_record(
    *,
    record: CaseRecord,
    by: User,
    entries: dict[str, tuple[datetime.date, User, str]],
    versions: dict[str, int],
) -> None:
    """Record feedback given on ``record``'s findings, by recipient. ``versions`` are
    the versions of each recipient's feedback the person started from (0: none yet):
    feedback someone else recorded in the meantime is never overwritten. Feedback can be
    given after a case is finalised: it is about the findings, not a change to them."""
    given = {feedback.recipient: feedback for feedback in record.feedback.all()}
    for recipient, (given_on, given_by, notes) in entries.items():
        feedback = given.get(recipient)
        typed = (given_on, given_by.pk, notes)
        if feedback and (feedback.given_on, feedback.given_by_id, feedback.notes) == typed:
            continue
        if feedback is None:
            feedback = Feedback(record=record, recipient=recipient, given_on=given_on, given_by=given_by, notes=notes)
            try:
                with transaction.atomic():
                    create_versioned(feedback, by=by)
            except IntegrityError:  # recorded by someone else a moment ago
                current = Feedback.objects.select_related("updated_by").get(record=record, recipient=recipient)
                raise EditConflict(
                    saved_by=current.updated_by, saved_at=current.updated_at, version=current.version
                ) from None
            continue
        feedback.given_on, feedback.given_by, feedback.notes = given_on, given_by, notes
        save_versioned(feedback, expected_version=versions.get(recipient, 0), by=by)


# --- Escalations ----------------------------------------------------------------------------


@transaction.atomic
def escalation_raise(*, escalation: Escalation, by: User) -> Escalation:
    """A request for immediate intervention may be raised on any case, finalised or not:
    a child's safety does not wait for paperwork."""
    escalation.raised_by = by
    return create_versioned(escalation, by=by)


@transaction.atomic
def escalation_update(*, escalation: Escalation, by: User, expected_version: int) -> Escalation:
    return save_versioned(escalation, expected_version=expected_version, by=by)


# --- Appreciative Inquiry -------------------------------------------------------------------


@transaction.atomic
def participant_add(*, participant: InquiryParticipant) -> InquiryParticipant:
    case = _lock_case(participant.case)
    if not case.audit_round.is_appreciative_inquiry:
        raise ValidationError("Participants are recorded for Appreciative Inquiry cases only.", code="not_inquiry")
    participant.full_clean()
    participant.save()
    return participant


@transaction.atomic
def participant_remove(*, participant: InquiryParticipant) -> None:
    _lock_case(participant.case)
    participant.delete()
