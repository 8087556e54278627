"""Every change to case audit data: one named, atomic function each, taking plain values.
Each checks every rule itself, so a form, the demo loader, an importer or a command all
obey the same rules; a refusal is a ``ValidationError`` keyed by the field it concerns
(the form puts it beside that field). A refused or failed save leaves nothing
half-written; a save after someone else's is refused (dscb.concurrency); every change
keeps its history (django-auditlog, or dscb.history for rows written in bulk).

Services and their rules (besides the model's own validators, run on every save):

- A completed round refuses every change to it and its cases, records and feedback
  (requests for immediate intervention excepted) until it is re-opened.
- ``round_create``, ``round_update``: the title is not taken; at least one agency takes
  part, and any agency added is active; every auditor may enter case records; returns
  due, panel and feedback due dates in that order; at least one checklist question is
  asked (a new round: the default set, unless it chooses), any question added is active,
  and a question answered in the round stays in it.
- ``round_move_on``: one step at a time, refused with everything the step still needs:
  to start collecting returns, the date they are due, cases, and each case's expected
  agencies; to leave moderation, every case finalised; to complete, that and every
  record's feedback recorded or said not to be needed.
- ``round_reopen``: only a completed round; a reason is needed.
- ``case_create``, ``case_update``: a finalised case refuses changes; the board
  reference is not taken; at least one child protection plan category; the agencies
  expected to return a record take part in the round; the facts of an Appreciative
  Inquiry (stuck, what is working, outcomes) only on Appreciative Inquiry cases.
- ``case_agree_grades``: a finalised case refuses changes; Appreciative Inquiry cases
  carry no grades; every theme and grade (overall too) is active.
- ``case_finalise``: refused, listing exactly what is missing, until the case is complete.
- ``case_reopen``: only a finalised case; a reason is needed.
- ``record_create``, ``record_update``: a finalised case refuses changes; at most
  ``MAX_RECORDS_PER_CASE`` records a case; the agency takes part in the round; the person
  saving may enter that agency's records (an agency auditor: their own agency's only);
  one record per agency and whose records per case; a record's agency never changes;
  grades only outside Appreciative Inquiry, on active themes with active grades; answers
  only to the questions the round asks; a comment needs an answer.
- ``feedback_not_needed``: a reason, free of identifying details.
- ``feedback_record``: a date and who gave it, together; notes need a date; feedback
  recorded is never removed; the giver is on the audit team or one of the round's
  auditors; feedback someone else recorded meanwhile is never overwritten.
- ``escalation_raise``, ``escalation_update``: the agency asked, any agency, is active;
  due, acknowledged and resolved on or after the date raised; an outcome before resolving.
- ``escalation_withdraw``: a reason; never a request resolved or withdrawn already.
- ``participant_add``, ``participant_remove``: Appreciative Inquiry cases only; a
  finalised case refuses changes; the participant's agency is active.
- ``hold_place``: a round or a case (not both), a reason, nothing already held by an
  active hold, a case whose detail is still there. ``hold_lift``: a hold not lifted yet,
  a reason. Both are security events.
- ``case_remove_detail``: only a case in a completed round, never one under a legal
  hold (on it or its round); a case already removed is left as it is. A case whose
  detail is removed refuses every change, and its round cannot be re-opened.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from audits import notifications, selectors
from audits.access import may_edit_agency_records
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
    LegalHold,
    RecordGrade,
    RoundReopening,
    Theme,
    ThemeRating,
)
from dscb import security
from dscb.access import Action
from dscb.concurrency import EditConflict, create_versioned, save_versioned
from dscb.history import Change, record_changes, snapshot
from dscb.models import Agency, User
from dscb.selectors import logged_about, people_who_can

CASE_IS_FINALISED = "This case is finalised, so it cannot be changed. Re-open it first, giving the reason."
ROUND_IS_COMPLETED = "This round is completed, so it cannot be changed. Re-open it first, giving the reason."
DETAIL_REMOVED = (
    "The detail of this round's cases has been removed under the retention schedule, so it cannot be changed."
)

# The child protection plan categories, by the key a form or an importer names them with.
CATEGORY_FIELDS = {
    "neglect": "category_neglect",
    "physical": "category_physical",
    "emotional": "category_emotional",
    "sexual": "category_sexual",
}


# Keys of refusals about one theme, question or recipient: the forms name their fields alike.
def rating_key(theme: Theme) -> str:
    return f"theme_{theme.pk}"


def grade_key(theme: Theme) -> str:
    return f"grade_{theme.pk}"


def answer_key(question: ChecklistQuestion) -> str:
    return f"answer_{question.pk}"


def comment_key(question: ChecklistQuestion) -> str:
    return f"comment_{question.pk}"


def feedback_key(recipient: str, part: str) -> str:
    return f"{recipient}_{part}"


class Refusals:
    """Refusals gathered by field, so a person sees every one at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[ValidationError]] = {}

    def add(self, key: str | None, message: str, code: str) -> None:
        self.errors.setdefault(key or NON_FIELD_ERRORS, []).append(ValidationError(message, code=code))

    def check(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def ensure_round_editable(audit_round: AuditRound) -> None:
    if audit_round.is_completed:
        raise ValidationError(ROUND_IS_COMPLETED, code="round_completed")


def ensure_editable(case: AuditCase) -> None:
    if case.detail_removed_on is not None:
        raise ValidationError(DETAIL_REMOVED, code="detail_removed")
    ensure_round_editable(case.audit_round)
    if case.is_finalised:
        raise ValidationError(CASE_IS_FINALISED, code="finalised")


def _lock_round(audit_round: AuditRound) -> AuditRound:
    """The round's state read again under a row lock, so that nothing changes in a round
    someone completes at the same moment."""
    return AuditRound.objects.select_for_update().get(pk=audit_round.pk)


def _lock_case(case: AuditCase) -> AuditCase:
    """Read the case's state again under a row lock, so that nothing is added to a case
    someone else finalises at the same moment."""
    locked = AuditCase.objects.select_for_update().select_related("audit_round").get(pk=case.pk)
    ensure_editable(locked)
    return locked


def _lock_case_in_open_round(case: AuditCase) -> AuditCase:
    """Like ``_lock_case``, for what may change after a case is finalised (feedback,
    re-opening) but not once its round is completed."""
    locked = AuditCase.objects.select_for_update().select_related("audit_round").get(pk=case.pk)
    ensure_round_editable(locked.audit_round)
    return locked


# --- Rounds ---------------------------------------------------------------------------------


DATE_WORDS = {
    "returns_due_on": "date returns are due",
    "panel_on": "date of the panel meeting",
    "feedback_due_on": "date feedback is due",
}


@dataclass(frozen=True)
class RoundDates:
    """When a round's returns are due, its panel meets and its feedback is due."""

    returns_due_on: datetime.date | None = None
    panel_on: datetime.date | None = None
    feedback_due_on: datetime.date | None = None


def _check_round(
    *,
    audit_round: AuditRound,
    title: str,
    agencies: Collection[Agency],
    auditors: Collection[User],
    dates: RoundDates,
    questions: Collection[ChecklistQuestion] | None,
) -> None:
    """``questions``: those the round is to ask (None: unchanged)."""
    refusals = Refusals()
    if questions is not None:
        _check_questions(audit_round, questions, refusals)
    # Each date, if given, on or after the last one given before it.
    earlier: tuple[str, datetime.date] | None = None
    for name, value in (
        ("returns_due_on", dates.returns_due_on),
        ("panel_on", dates.panel_on),
        ("feedback_due_on", dates.feedback_due_on),
    ):
        if value is None:
            continue
        if earlier is not None and value < earlier[1]:
            refusals.add(name, f"The {DATE_WORDS[name]} must be on or after the {DATE_WORDS[earlier[0]]}", "order")
        earlier = (name, value)
    if AuditRound.objects.filter(title=title).exclude(pk=audit_round.pk).exists():
        refusals.add("title", "There is already a round with this title", "unique")
    if not agencies:
        refusals.add("agencies", "Select the agencies taking part", "required")
    taking_part = set(audit_round.agencies.values_list("pk", flat=True)) if audit_round.pk else set()
    if any(not agency.is_active and agency.pk not in taking_part for agency in agencies):
        refusals.add("agencies", "Select agencies that are still active", "inactive")
    may_audit = set(people_who_can(Action.EDIT_CASE_RECORDS).values_list("pk", flat=True))
    if any(auditor.pk not in may_audit for auditor in auditors):
        refusals.add("auditors", "Select auditors who may enter case records", "not_an_auditor")
    refusals.check()


def _check_questions(audit_round: AuditRound, questions: Collection[ChecklistQuestion], refusals: Refusals) -> None:
    if not questions:
        refusals.add("questions", "Select the checklist questions this round asks", "required")
    asked = set(audit_round.questions.values_list("pk", flat=True)) if audit_round.pk else set()
    chosen = {question.pk for question in questions}
    # A question retired since the round was planned may stay in it, but none is added.
    added = ChecklistQuestion.objects.filter(pk__in=chosen - asked)
    if added.exclude(is_active=True, theme__is_active=True).exists():
        refusals.add("questions", "Select checklist questions that are still active", "inactive")
    if removed := asked - chosen:
        # An answer never loses its question: the round keeps asking what its records answered.
        answered = ChecklistQuestion.objects.filter(pk__in=removed, answers__record__case__audit_round=audit_round)
        for question in answered.distinct():
            refusals.add("questions", f"“{question.text}” is answered in this round: it stays", "answered")


def _apply_dates(audit_round: AuditRound, dates: RoundDates) -> None:
    audit_round.returns_due_on = dates.returns_due_on
    audit_round.panel_on = dates.panel_on
    audit_round.feedback_due_on = dates.feedback_due_on


@transaction.atomic
def round_create(
    *,
    by: User,
    title: str,
    held_on: datetime.date,
    kind: str = AuditRound.Kind.CASE_AUDIT,
    focus: str = "",
    agencies: Collection[Agency],
    auditors: Collection[User] = (),
    dates: RoundDates = RoundDates(),
    questions: Collection[ChecklistQuestion] | None = None,
) -> AuditRound:
    """``questions``: the checklist questions the round asks; None: the default set."""
    if questions is None:
        questions = list(selectors.default_questions().select_related("theme"))
    audit_round = AuditRound(title=title, held_on=held_on, kind=kind, focus=focus)
    _check_round(
        audit_round=audit_round, title=title, agencies=agencies, auditors=auditors, dates=dates, questions=questions
    )
    _apply_dates(audit_round, dates)
    create_versioned(audit_round, by=by)
    audit_round.agencies.set(agencies)
    audit_round.auditors.set(auditors)
    audit_round.questions.set(questions)
    transaction.on_commit(partial(notifications.auditors_assigned, audit_round, list(auditors)))
    return audit_round


@transaction.atomic
def round_update(
    *,
    audit_round: AuditRound,
    by: User,
    expected_version: int,
    title: str,
    held_on: datetime.date,
    kind: str,
    focus: str,
    agencies: Collection[Agency],
    auditors: Collection[User],
    dates: RoundDates = RoundDates(),
    questions: Collection[ChecklistQuestion] | None = None,
) -> AuditRound:
    """``questions``: the checklist questions the round asks; None: those it asks now."""
    ensure_round_editable(_lock_round(audit_round))
    _check_round(
        audit_round=audit_round, title=title, agencies=agencies, auditors=auditors, dates=dates, questions=questions
    )
    audit_round.title, audit_round.held_on, audit_round.kind, audit_round.focus = title, held_on, kind, focus
    _apply_dates(audit_round, dates)
    save_versioned(audit_round, expected_version=expected_version, by=by)
    audit_round.agencies.set(agencies)
    before = set(audit_round.auditors.values_list("pk", flat=True))
    audit_round.auditors.set(auditors)
    added = [auditor for auditor in auditors if auditor.pk not in before]
    if questions is not None:
        audit_round.questions.set(questions)
    transaction.on_commit(partial(notifications.auditors_assigned, audit_round, added))
    return audit_round


@transaction.atomic
def round_move_on(
    *, audit_round: AuditRound, by: User, expected_version: int, today: datetime.date | None = None
) -> AuditRound:
    """Move the round to its next step (planned, collecting returns, moderation, feedback,
    completed), refused with everything the step still needs (``selectors.round_progress``)."""
    locked = _lock_round(audit_round)
    following = selectors.next_state(locked.state)
    if following is None:
        raise ValidationError(ROUND_IS_COMPLETED, code="round_completed")
    needs = selectors.round_progress(locked, today=today or timezone.localdate()).needs
    if needs:
        raise ValidationError([ValidationError(need.text, code="incomplete") for need in needs])
    audit_round.state = following
    if following == AuditRound.State.COMPLETED:
        audit_round.completed_on = today or timezone.localdate()
    return save_versioned(audit_round, expected_version=expected_version, by=by, fields=["state", "completed_on"])


@transaction.atomic
def round_reopen(*, audit_round: AuditRound, by: User, expected_version: int, reason: str) -> AuditRound:
    """A completed round back to its feedback step, with the reason kept for good."""
    locked = _lock_round(audit_round)
    if not locked.is_completed:
        raise ValidationError("This round is not completed.", code="not_completed")
    if locked.detail_removed_on is not None:
        raise ValidationError(DETAIL_REMOVED, code="detail_removed")
    reopening = RoundReopening(audit_round=audit_round, reason=reason, reopened_by=by)
    reopening.full_clean()
    audit_round.state = AuditRound.State.FEEDBACK
    audit_round.completed_on = None
    save_versioned(audit_round, expected_version=expected_version, by=by, fields=["state", "completed_on"])
    reopening.save()
    return audit_round


# --- Cases ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseDetails:
    """What is known about a child's case, as typed (categories by ``CATEGORY_FIELDS`` key)."""

    reference: str
    categories: Collection[str]
    plan_started_on: datetime.date
    sibling_records_read: int = 0
    parent_records_read: int = 0
    # Appreciative Inquiry only.
    seen_as_stuck: bool | None = None
    what_is_working: str = ""
    desired_outcomes: str = ""
    # The agencies known to the child, expected to return a record.
    expected_agencies: Collection[Agency] = ()


def board_reference(typed: str) -> str:
    """A board reference as stored, however it was typed."""
    return typed.strip().upper()


def _apply_case_details(case: AuditCase, details: CaseDetails) -> None:
    refusals = Refusals()
    reference = board_reference(details.reference)
    if AuditCase.objects.filter(reference=reference).exclude(pk=case.pk).exists():
        refusals.add("reference", "A case with this board reference has already been audited", "unique")
    if not set(details.categories) & set(CATEGORY_FIELDS):
        refusals.add("categories", "Select at least one child protection plan category", "required")
    taking_part = {agency.pk for agency in case.audit_round.agencies.all()}
    if any(agency.pk not in taking_part for agency in details.expected_agencies):
        refusals.add("expected_agencies", "Select agencies taking part in the round", "not_taking_part")
    if not case.audit_round.is_appreciative_inquiry:
        for name in ("seen_as_stuck", "what_is_working", "desired_outcomes"):
            if getattr(details, name) not in (None, ""):
                refusals.add(name, "This is recorded for Appreciative Inquiry cases only", "not_inquiry")
    refusals.check()
    case.reference = reference
    for key, name in CATEGORY_FIELDS.items():
        setattr(case, name, key in details.categories)
    case.plan_started_on = details.plan_started_on
    case.sibling_records_read = details.sibling_records_read
    case.parent_records_read = details.parent_records_read
    case.seen_as_stuck = details.seen_as_stuck
    case.what_is_working = details.what_is_working
    case.desired_outcomes = details.desired_outcomes


@transaction.atomic
def case_create(*, audit_round: AuditRound, by: User, details: CaseDetails) -> AuditCase:
    ensure_round_editable(_lock_round(audit_round))
    case = AuditCase(audit_round=audit_round)
    _apply_case_details(case, details)
    create_versioned(case, by=by)
    case.expected_agencies.set(details.expected_agencies)
    return case


@transaction.atomic
def case_update(*, case: AuditCase, by: User, expected_version: int, details: CaseDetails) -> AuditCase:
    _lock_case(case)
    _apply_case_details(case, details)
    save_versioned(case, expected_version=expected_version, by=by)
    case.expected_agencies.set(details.expected_agencies)
    return case


G = TypeVar("G", ThemeRating, RecordGrade)


def _grade_changes(
    model: type[G], owner: dict[str, models.Model], theme_grades: Mapping[Theme, Grade | None], existing: list[G]
) -> list[Change]:
    """Save the grade on each theme of one case or record: one query for each of create,
    update and delete, whatever the number of themes."""
    current = {row.theme_id: row for row in existing}
    created: list[G] = []
    updated: list[tuple[G, G]] = []
    deleted: list[G] = []
    for theme, grade in theme_grades.items():
        row = current.get(theme.pk)
        if row is not None:
            row.theme = theme  # its history names the theme: no query to read it again
        if grade is None:
            if row is not None:
                deleted.append(row)
        elif row is None:
            created.append(model(**owner, theme=theme, grade=grade))
        elif row.grade_id != grade.pk:
            before = snapshot(row)
            row.grade = grade
            updated.append((before, row))
    return _write_in_bulk(model, created=created, updated=updated, deleted=deleted, fields=["grade"])


M = TypeVar("M", bound=models.Model)


def _write_in_bulk(
    model: type[M], *, created: list[M], updated: list[tuple[M, M]], deleted: list[M], fields: list[str]
) -> list[Change]:
    if deleted:
        # auditlog would write one history row per deleted row: ours go in with the rest.
        with disable_auditlog():
            model._default_manager.filter(pk__in=[row.pk for row in deleted]).delete()
    if updated:
        model._default_manager.bulk_update([row for _, row in updated], fields)
    if created:
        model._default_manager.bulk_create(created)
    return [
        *(Change(row, None) for row in deleted),
        *(Change(before, after) for before, after in updated),
        *(Change(None, row) for row in created),
    ]


@transaction.atomic
def case_agree_grades(
    *,
    case: AuditCase,
    by: User,
    expected_version: int,
    theme_grades: Mapping[Theme, Grade | None],
    overall_grade: Grade | None,
    findings: str = "",
    strengths: str = "",
    areas_for_development: str = "",
) -> AuditCase:
    """Save the case's agreed grade on each theme with its overall grade and findings,
    all or nothing. A theme left out keeps its grade; ``None`` removes it."""
    _lock_case(case)
    if case.audit_round.is_appreciative_inquiry:
        raise ValidationError("Appreciative Inquiry cases are not graded.", code="not_graded")
    active = selectors.active_pks()
    refusals = Refusals()
    for theme, grade in theme_grades.items():
        if grade is not None and theme.pk not in active["themes"]:
            refusals.add(rating_key(theme), f"{theme.name} is no longer a theme: leave it ungraded", "inactive")
        elif grade is not None and grade.pk not in active["grades"]:
            refusals.add(rating_key(theme), "Select one of the grades shown", "inactive")
    if overall_grade is not None and overall_grade.pk not in active["grades"]:
        refusals.add("overall_grade", "Select one of the grades shown", "inactive")
    refusals.check()
    case.overall_grade = overall_grade
    case.findings, case.strengths, case.areas_for_development = findings, strengths, areas_for_development
    # Only the grade (checked above) and the findings change: check those, with no query
    # to ask again about the round, the reference or the categories.
    save_versioned(
        case,
        expected_version=expected_version,
        by=by,
        clean=lambda: case.clean_fields(exclude=["audit_round", "overall_grade", "updated_by"]),
    )
    record_changes(_grade_changes(ThemeRating, {"case": case}, theme_grades, list(case.theme_ratings.all())))
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
        scales=selectors.scales(case.audit_round),
    )
    if not completeness.is_complete:
        raise ValidationError([ValidationError(f"Add {item.text}", code="incomplete") for item in completeness.missing])
    case.state = AuditCase.State.FINALISED
    return save_versioned(case, expected_version=expected_version, by=by)


@transaction.atomic
def case_reopen(*, case: AuditCase, by: User, expected_version: int, reason: str) -> AuditCase:
    _lock_case_in_open_round(case)
    if not case.is_finalised:
        raise ValidationError("This case is not finalised.", code="not_finalised")
    reopening = CaseReopening(case=case, reason=reason, reopened_by=by)
    reopening.full_clean()
    case.state = AuditCase.State.DRAFT
    save_versioned(case, expected_version=expected_version, by=by)
    reopening.save()
    return case


# --- Agency records -------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordDetails:
    """What one agency's records show. ``grades``: a theme left out keeps its grade, ``None``
    removes it. ``answers``: (answer, comment) by question; a question left out keeps its
    answer, an empty answer removes it."""

    agency: Agency
    subject: str
    records_read: int
    findings: str = ""
    strengths: str = ""
    areas_for_development: str = ""
    grades: Mapping[Theme, Grade | None] = field(default_factory=dict)
    answers: Mapping[ChecklistQuestion, tuple[str, str]] = field(default_factory=dict)


def _check_record(
    *, case: AuditCase, record: CaseRecord, by: User, details: RecordDetails, others: list[tuple[int, str]]
) -> None:
    """``others``: (agency, whose records) of the case's other records."""
    refusals = Refusals()
    agency = details.agency
    if record.pk and record.agency_id != agency.pk:
        refusals.add("agency", "A record's agency cannot be changed: add a record for the other agency", "fixed")
    elif not case.audit_round.agencies.filter(pk=agency.pk).exists():
        refusals.add("agency", f"{agency.name} is not taking part in this round", "not_taking_part")
    elif not may_edit_agency_records(by, agency.pk):
        refusals.add("agency", "You can only enter your own agency's records", "not_your_agency")
    if (agency.pk, details.subject) in others:
        subject = CaseRecord.Subject(details.subject).label.lower() if details.subject in CaseRecord.Subject else ""
        refusals.add(
            "subject",
            f"This case already has a record of {agency.short_name}'s records of {subject}: change that one",
            "duplicate",
        )
    active = selectors.active_pks(case.audit_round)
    for theme, grade in details.grades.items():
        if grade is None:
            continue
        if case.audit_round.is_appreciative_inquiry:
            refusals.add(grade_key(theme), "Appreciative Inquiry cases are not graded", "not_graded")
        elif theme.pk not in active["themes"]:
            refusals.add(grade_key(theme), f"{theme.name} is no longer a theme: leave it ungraded", "inactive")
        elif grade.pk not in active["grades"]:
            refusals.add(grade_key(theme), "Select one of the grades shown", "inactive")
    for question, (answer, comment) in details.answers.items():
        if answer and question.pk not in active["questions"]:
            refusals.add(answer_key(question), f"“{question.text}” is not asked in this round", "not_asked")
        elif comment and not answer:
            # A comment alone would be lost: ask for the answer it belongs to.
            refusals.add(
                answer_key(question), f"Choose an answer to go with your comment on “{question.text}”", "required"
            )
    refusals.check()


def _answer_changes(
    record: CaseRecord, answers: Mapping[ChecklistQuestion, tuple[str, str]], existing: list[ChecklistAnswer]
) -> list[Change]:
    current = {answer.question_id: answer for answer in existing}
    created: list[ChecklistAnswer] = []
    updated: list[tuple[ChecklistAnswer, ChecklistAnswer]] = []
    deleted: list[ChecklistAnswer] = []
    refusals = Refusals()
    for question, (value, comment) in answers.items():
        row = current.get(question.pk)
        if row is not None:
            row.question = question  # its history names the question: no query to read it again
        if not value:
            if row is not None:
                deleted.append(row)
            continue
        if row is not None and (row.answer, row.comment) == (value, comment):
            continue
        before = snapshot(row) if row is not None else None
        row = row or ChecklistAnswer(record=record, question=question)
        row.answer, row.comment = value, comment
        try:
            # The record and question are ours: their existence needs no query per answer.
            row.clean_fields(exclude=["record", "question"])
        except ValidationError as error:
            for name, errors in error.error_dict.items():
                key = answer_key(question) if name == "answer" else comment_key(question)
                refusals.errors.setdefault(key, []).extend(errors)
        if before is None:
            created.append(row)
        else:
            updated.append((before, row))
    refusals.check()
    return _write_in_bulk(
        ChecklistAnswer, created=created, updated=updated, deleted=deleted, fields=["answer", "comment"]
    )


def _clean_record(record: CaseRecord) -> None:
    """The record's own fields. Its case and agency the service has checked already, and
    its check constraints say what its fields' validators say: no query to ask again."""
    record.full_clean(exclude=["case", "agency", "updated_by"], validate_constraints=False)


def _apply_record_details(record: CaseRecord, details: RecordDetails) -> None:
    record.agency = details.agency
    record.subject = details.subject
    record.records_read = details.records_read
    record.findings, record.strengths = details.findings, details.strengths
    record.areas_for_development = details.areas_for_development


@transaction.atomic
def record_create(*, case: AuditCase, by: User, details: RecordDetails) -> CaseRecord:
    case = _lock_case(case)
    others = list(case.records.order_by().values_list("agency_id", "subject"))
    if len(others) >= MAX_RECORDS_PER_CASE:
        raise ValidationError(
            f"A case can have at most {MAX_RECORDS_PER_CASE} agency records.", code="too_many_records"
        )
    record = CaseRecord(case=case)
    _check_record(case=case, record=record, by=by, details=details, others=others)
    _apply_record_details(record, details)
    with disable_auditlog():  # its history goes in with its grades' and answers'
        create_versioned(record, by=by, clean=lambda: _clean_record(record))
    changes = [Change(None, record), *_answer_changes(record, details.answers, [])]
    changes += _grade_changes(RecordGrade, {"record": record}, details.grades, [])
    record_changes(changes)
    transaction.on_commit(partial(notifications.return_complete, case, details.agency))
    return record


@transaction.atomic
def record_update(*, record: CaseRecord, by: User, expected_version: int, details: RecordDetails) -> CaseRecord:
    case = _lock_case(record.case)
    others = list(case.records.exclude(pk=record.pk).order_by().values_list("agency_id", "subject"))
    _check_record(case=case, record=record, by=by, details=details, others=others)
    before = snapshot(record)
    _apply_record_details(record, details)
    with disable_auditlog():  # its history goes in with its grades' and answers'
        save_versioned(record, expected_version=expected_version, by=by, clean=lambda: _clean_record(record))
    changes = [Change(before, record), *_answer_changes(record, details.answers, list(record.answers.all()))]
    changes += _grade_changes(RecordGrade, {"record": record}, details.grades, list(record.grades.all()))
    record_changes(changes)
    transaction.on_commit(partial(notifications.return_complete, case, record.agency))
    return record


# --- Feedback -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackEntry:
    """Feedback to one recipient as typed: nothing given yet is (None, None, "")."""

    given_on: datetime.date | None
    given_by: User | None
    notes: str = ""


def _check_feedback_date(
    refusals: Refusals, recipient: str, label: str, given_on: datetime.date, *, audited_on: datetime.date
) -> None:
    """Feedback on findings is given once the case has been audited, and not in the future."""
    key = feedback_key(recipient, "given_on")
    if given_on < audited_on:
        refusals.add(
            key,
            f"The date feedback was given to {label} must be on or after the date of the audit, "
            f"{audited_on.day} {audited_on:%B %Y}",
            "before_audit",
        )
    elif given_on > timezone.localdate():
        refusals.add(key, f"The date feedback was given to {label} must be today or in the past", "in_future")


@transaction.atomic
def feedback_record(
    *,
    record: CaseRecord,
    by: User,
    entries: Mapping[str, FeedbackEntry],
    versions: Mapping[str, int],
) -> None:
    """Record feedback given on ``record``'s findings, by recipient. ``versions`` are
    the versions of each recipient's feedback the person started from (0: none yet):
    feedback someone else recorded in the meantime is never overwritten. Feedback can be
    given after a case is finalised: it is about the findings, not a change to them."""
    _lock_case_in_open_round(record.case)
    givers = {user.pk for user in selectors.feedback_givers(record.case.audit_round)}
    _record_feedback(record=record, by=by, entries=entries, versions=versions, givers=givers)


@dataclass(frozen=True)
class RecordFeedback:
    """Feedback typed for one of a case's records: its entries and the versions started from."""

    entries: Mapping[str, FeedbackEntry]
    versions: Mapping[str, int]


def case_feedback_key(record: CaseRecord, key: str) -> str:
    """Where a refusal about ``record``'s feedback goes when every record's is saved at once."""
    return f"record-{record.pk}-{key}"


class FeedbackConflict(EditConflict):
    """Someone else saved feedback on ``record`` after the person opened the page."""

    def __init__(self, conflict: EditConflict, *, record: CaseRecord) -> None:
        super().__init__(saved_by=conflict.saved_by, saved_at=conflict.saved_at, version=conflict.version)
        self.record = record


@transaction.atomic
def case_feedback_record(*, case: AuditCase, by: User, feedback: Mapping[CaseRecord, RecordFeedback]) -> None:
    """Record the feedback given on several of ``case``'s records at once: all of it, or
    none. Every refusal is gathered, keyed by ``case_feedback_key``, so a person sees each
    beside the record it concerns; someone else's save in the meantime raises
    ``FeedbackConflict`` naming the record."""
    _lock_case_in_open_round(case)
    givers = {user.pk for user in selectors.feedback_givers(case.audit_round)}
    errors: dict[str, list[ValidationError]] = {}
    for record, typed in feedback.items():
        if record.case_id != case.pk:
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                ValidationError("Feedback is recorded on this case's own records", code="other_case")
            )
            continue
        try:
            with transaction.atomic():
                _record_feedback(record=record, by=by, entries=typed.entries, versions=typed.versions, givers=givers)
        except EditConflict as conflict:
            raise FeedbackConflict(conflict, record=record) from None
        except ValidationError as refused:
            for key, refusals in refused.error_dict.items():
                errors.setdefault(case_feedback_key(record, key), []).extend(refusals)
    if errors:
        raise ValidationError(errors)


def _record_feedback(
    *,
    record: CaseRecord,
    by: User,
    entries: Mapping[str, FeedbackEntry],
    versions: Mapping[str, int],
    givers: set[int],
) -> None:
    given = {feedback.recipient: feedback for feedback in record.feedback.all()}
    labels = dict(Feedback.Recipient.choices)
    refusals = Refusals()
    for recipient, entry in entries.items():
        if recipient not in labels:
            refusals.add(None, "Feedback goes to the practitioner, their manager or the agency", "invalid_choice")
            continue
        label = labels[recipient].lower()
        if entry.given_on is None and recipient in given:
            refusals.add(
                feedback_key(recipient, "given_on"),
                f"Feedback to {label} has been recorded: enter the date it was given",
                "required",
            )
        elif entry.given_on is None and (entry.given_by or entry.notes):
            refusals.add(
                feedback_key(recipient, "given_on"), f"Enter the date feedback was given to {label}", "required"
            )
        if entry.given_on is not None and (recipient not in given or given[recipient].given_on != entry.given_on):
            _check_feedback_date(refusals, recipient, label, entry.given_on, audited_on=record.case.audit_round.held_on)
        if entry.given_on is not None and entry.given_by is None:
            refusals.add(feedback_key(recipient, "given_by"), f"Select who gave feedback to {label}", "required")
        elif entry.given_by is not None and entry.given_by.pk not in givers:
            refusals.add(
                feedback_key(recipient, "given_by"),
                "Select someone on the audit team or auditing this round",
                "invalid_choice",
            )
    refusals.check()
    for recipient, entry in entries.items():
        if entry.given_on is None or entry.given_by is None:
            continue
        feedback = given.get(recipient)
        typed = (entry.given_on, entry.given_by.pk, entry.notes)
        if feedback and (feedback.given_on, feedback.given_by_id, feedback.notes) == typed:
            continue
        if feedback is None:
            feedback = Feedback(
                record=record, recipient=recipient, given_on=entry.given_on, given_by=entry.given_by, notes=entry.notes
            )
            try:
                with transaction.atomic():
                    create_versioned(feedback, by=by)
            except IntegrityError:  # recorded by someone else a moment ago
                current = Feedback.objects.select_related("updated_by").get(record=record, recipient=recipient)
                raise EditConflict(
                    saved_by=current.updated_by, saved_at=current.updated_at, version=current.version
                ) from None
            continue
        feedback.given_on, feedback.given_by, feedback.notes = entry.given_on, entry.given_by, entry.notes
        save_versioned(feedback, expected_version=versions.get(recipient, 0), by=by)


@transaction.atomic
def feedback_not_needed(*, record: CaseRecord, by: User, expected_version: int, reason: str) -> CaseRecord:
    """Say why no (more) feedback on ``record`` is needed, so the round can complete
    without it; an empty reason takes that back."""
    _lock_case_in_open_round(record.case)
    record.feedback_not_needed = reason.strip()
    return save_versioned(
        record,
        expected_version=expected_version,
        by=by,
        fields=["feedback_not_needed"],
        clean=lambda: record.clean_fields(exclude=["case", "agency", "updated_by"]),
    )


# --- Escalations ----------------------------------------------------------------------------


def _check_escalation(escalation: Escalation, *, asked_before: int | None = None) -> None:
    """``asked_before``: the agency the request went to before this change, if any."""
    refusals = Refusals()
    # Any agency, not only those in the round: the child's plan may need one the round left out.
    if escalation.to_agency_id != asked_before and not escalation.to_agency.is_active:
        refusals.add("to_agency", "Select an agency that is still active", "inactive")
    for name, label in (("due_by", "due"), ("acknowledged_on", "acknowledged"), ("resolved_on", "resolved")):
        value = getattr(escalation, name)
        if escalation.raised_on and value and value < escalation.raised_on:
            refusals.add(name, f"The date {label} must be on or after the date raised", "before_raised")
    if escalation.resolved_on and not escalation.outcome:
        refusals.add("outcome", "Enter the outcome before marking the request resolved", "required")
    refusals.check()


@transaction.atomic
def escalation_raise(
    *,
    case: AuditCase,
    by: User,
    raised_on: datetime.date,
    to_agency: Agency,
    to_role: str,
    reason: str,
    due_by: datetime.date,
    to_email: str = "",
) -> Escalation:
    """A request for immediate intervention may be raised on any case, finalised or not,
    in any round: a child's safety does not wait for paperwork. The person asked is told
    at ``to_email``, if given."""
    escalation = Escalation(
        case=case,
        raised_on=raised_on,
        raised_by=by,
        to_agency=to_agency,
        to_role=to_role,
        to_email=to_email,
        reason=reason,
        due_by=due_by,
    )
    _check_escalation(escalation)
    create_versioned(escalation, by=by)
    transaction.on_commit(partial(notifications.escalation_raised, escalation))
    return escalation


@transaction.atomic
def escalation_update(
    *,
    escalation: Escalation,
    by: User,
    expected_version: int,
    raised_on: datetime.date,
    to_agency: Agency,
    to_role: str,
    reason: str,
    due_by: datetime.date,
    acknowledged_on: datetime.date | None = None,
    action_taken: str = "",
    outcome: str = "",
    resolved_on: datetime.date | None = None,
    to_email: str = "",
) -> Escalation:
    """An address typed for the first time tells the person asked, as raising does."""
    asked_before = escalation.to_agency_id
    escalation.raised_on, escalation.to_agency, escalation.to_role = raised_on, to_agency, to_role
    escalation.reason, escalation.due_by, escalation.acknowledged_on = reason, due_by, acknowledged_on
    escalation.action_taken, escalation.outcome, escalation.resolved_on = action_taken, outcome, resolved_on
    escalation.to_email = to_email
    _check_escalation(escalation, asked_before=asked_before)
    save_versioned(escalation, expected_version=expected_version, by=by)
    transaction.on_commit(partial(notifications.escalation_raised, escalation))
    return escalation


@transaction.atomic
def escalation_withdraw(
    *, escalation: Escalation, by: User, expected_version: int, reason: str, on: datetime.date | None = None
) -> Escalation:
    """A request made in error, or overtaken, is withdrawn with the reason: never deleted."""
    if escalation.withdrawn_on is not None:
        raise ValidationError("This request has already been withdrawn.", code="withdrawn")
    if escalation.resolved_on is not None:
        raise ValidationError("This request is resolved: it cannot be withdrawn.", code="resolved")
    if not reason.strip():
        raise ValidationError({"reason": ValidationError("Enter why the request is withdrawn", code="required")})
    escalation.withdrawn_on = on or timezone.localdate()
    escalation.withdrawal_reason = reason.strip()
    try:
        escalation.clean_fields(exclude=["case", "raised_by", "to_agency", "updated_by"])
    except ValidationError as error:
        raise ValidationError({"reason": error.error_dict.get("withdrawal_reason", error.messages)}) from None
    return save_versioned(
        escalation, expected_version=expected_version, by=by, fields=["withdrawn_on", "withdrawal_reason"]
    )


# --- Appreciative Inquiry -------------------------------------------------------------------


@transaction.atomic
def participant_add(*, case: AuditCase, agency: Agency, role: str) -> InquiryParticipant:
    case = _lock_case(case)
    if not case.audit_round.is_appreciative_inquiry:
        raise ValidationError("Participants are recorded for Appreciative Inquiry cases only.", code="not_inquiry")
    if not agency.is_active:
        raise ValidationError({"agency": ValidationError("Select an agency that is still active", code="inactive")})
    participant = InquiryParticipant(case=case, agency=agency, role=role)
    participant.full_clean()
    participant.save()
    return participant


@transaction.atomic
def participant_remove(*, participant: InquiryParticipant) -> None:
    _lock_case(participant.case)
    participant.delete()


# --- Legal holds and the retention schedule -------------------------------------------------

# What a removed case's free text reads as: a field that held text still holds some, so
# every figure that counts "was anything written" (outcomes agreed, feedback not needed)
# stays as it was.
REMOVED_TEXT = "Removed under the retention schedule."
HOLD_NEEDS_WHAT = "Choose a round, or enter the board reference of a case"
HOLD_NEEDS_ONE = "Choose a round or enter a case's board reference, not both"


def removed_reference(case: AuditCase) -> str:
    """What a case's board reference becomes: unique, and says nothing about the child."""
    return f"REMOVED-{case.pk}"


def held_cases() -> models.QuerySet[AuditCase]:
    """Cases under an active legal hold, on the case itself or on its round."""
    active = LegalHold.objects.active()
    return AuditCase.objects.filter(
        models.Q(pk__in=active.filter(case__isnull=False).values("case"))
        | models.Q(audit_round__in=active.filter(audit_round__isnull=False).values("audit_round"))
    )


def is_held(case: AuditCase) -> bool:
    return held_cases().filter(pk=case.pk).exists()


@transaction.atomic
def hold_place(
    *, by: User, reason: str, audit_round: AuditRound | None = None, case: AuditCase | None = None
) -> LegalHold:
    """Keep a round's or a case's detail past its retention date until the hold is lifted."""
    refusals = Refusals()
    if audit_round is None and case is None:
        refusals.add("audit_round", HOLD_NEEDS_WHAT, "required")
    elif audit_round is not None and case is not None:
        refusals.add("audit_round", HOLD_NEEDS_ONE, "both")
    elif case is not None:
        if AuditCase.objects.filter(pk=case.pk, detail_removed_on__isnull=False).exists():
            refusals.add("case", "This case's detail has already been removed under the retention schedule", "removed")
        elif LegalHold.objects.active().filter(case=case).exists():
            refusals.add("case", "This case is already under a legal hold", "held")
    elif LegalHold.objects.active().filter(audit_round=audit_round).exists():
        refusals.add("audit_round", "This round is already under a legal hold", "held")
    if not reason.strip():
        refusals.add("reason", "Enter why the hold is placed", "required")
    refusals.check()
    hold = LegalHold(audit_round=audit_round, case=case, reason=reason.strip(), placed_by=by)
    hold.full_clean()
    hold.save()
    security.record(security.Kind.LEGAL_HOLD_PLACED, user=by, hold=hold.pk, on="round" if audit_round else "case")
    return hold


@transaction.atomic
def hold_lift(*, hold: LegalHold, by: User, reason: str, now: datetime.datetime | None = None) -> LegalHold:
    """End a hold: its round's or case's detail then goes at the next retention run if it
    is past its date. The hold stays, with who lifted it, when and why."""
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    refusals = Refusals()
    if not hold.is_active:
        refusals.add(None, "This hold has already been lifted", "lifted")
    if not reason.strip():
        refusals.add("reason", "Enter why the hold is lifted", "required")
    refusals.check()
    hold.lifted_by = by
    hold.lifted_at = now or timezone.now()
    hold.lift_reason = reason.strip()
    try:
        hold.full_clean()
    except ValidationError as error:
        raise ValidationError({"reason": error.error_dict.get("lift_reason", error.messages)}) from None
    hold.save(update_fields=["lifted_by", "lifted_at", "lift_reason"])
    on = "round" if hold.audit_round_id else "case"
    security.record(security.Kind.LEGAL_HOLD_LIFTED, user=by, hold=hold.pk, on=on)
    return hold


def _replace_text(queryset: models.QuerySet, fields: Collection[str]) -> int:
    """Every non-empty ``fields`` value becomes ``REMOVED_TEXT``, in one query. Through
    ``update``, which writes no history: history would keep the text being removed."""
    return queryset.update(
        **{
            name: models.Case(models.When(**{name: ""}, then=models.Value("")), default=models.Value(REMOVED_TEXT))
            for name in fields
        }
    )


@dataclass
class Removed:
    """What one removal changed, to count in the retention run's security event."""

    cases: int = 0
    records: int = 0
    history: int = 0


@transaction.atomic
def case_remove_detail(*, case: AuditCase, on: datetime.date) -> Removed:
    """Remove a case's detail under the retention schedule (UK GDPR Art. 5(1)(e)): its
    board reference, every free text about it, its records, answers, feedback, requests
    for immediate intervention, participants and re-openings, and the history and reads
    that repeat them. The rows, grades, answers and dates stay, so every figure the
    dashboards and reports count for its round is unchanged."""
    case = AuditCase.objects.select_for_update().select_related("audit_round").get(pk=case.pk)
    if case.detail_removed_on is not None:
        return Removed()
    if not case.audit_round.is_completed:
        raise ValidationError("Only the cases of a completed round are removed.", code="not_completed")
    if is_held(case):
        raise ValidationError("This case is under a legal hold.", code="held")
    records = CaseRecord.objects.filter(case=case)
    _replace_text(
        AuditCase.objects.filter(pk=case.pk),
        ["findings", "strengths", "areas_for_development", "what_is_working", "desired_outcomes"],
    )
    AuditCase.objects.filter(pk=case.pk).update(reference=removed_reference(case), detail_removed_on=on)
    count = _replace_text(records, ["findings", "strengths", "areas_for_development", "feedback_not_needed"])
    _replace_text(ChecklistAnswer.objects.filter(record__case=case), ["comment"])
    _replace_text(Feedback.objects.filter(record__case=case), ["notes"])
    escalations = Escalation.objects.filter(case=case)
    _replace_text(escalations, ["to_role", "reason", "action_taken", "outcome", "withdrawal_reason"])
    escalations.update(to_email="")
    _replace_text(InquiryParticipant.objects.filter(case=case), ["role"])
    _replace_text(CaseReopening.objects.filter(case=case), ["reason"])
    # The history and reads of the case and everything in it (each names its case).
    # Two deletes, not one with OR: each is served by its own index.
    history, _ = logged_about(key="case_id", pk=case.pk).delete()
    of_case, _ = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(AuditCase), object_pk=str(case.pk)
    ).delete()
    return Removed(cases=1, records=count, history=history + of_case)


def round_mark_detail_removed(*, audit_round: AuditRound, on: datetime.date) -> None:
    """The round's cases have been through the retention schedule (held ones excepted):
    the round says so, and can no longer be re-opened."""
    AuditRound.objects.filter(pk=audit_round.pk, detail_removed_on__isnull=True).update(detail_removed_on=on)
