"""Every change to the action plan: one named, atomic function each, taking plain values.
Each checks every rule itself and refuses with ``ValidationError`` keyed by field, so a
form, the demo loader or any importer gets the same refusals.

- ``plan_create``, ``plan_update``: by the Executive; a title; the audit rounds answered
  are case audits.
- ``section_create``: by the Executive; a number and a title; the number is unique in the
  plan; it names its source: a case audit by its round (a case audit round) or in words,
  any other kind (a practice review, an inspection...) in words; only a case audit's
  section names a round.
- ``recommendation_create``, ``recommendation_update`` (``RecommendationInput``): by the
  Executive; the section is the plan's; the number reads like 2.10, starts with its
  section's number and is unique in the plan; the lead is someone who may lead
  recommendations; agencies newly named are active; no identifying details in the text.
  The sort key (2.9 before 2.10) is the database's, derived from the number.
- ``cycle_open``: by the Executive; a title unique in the plan and a due date; one open
  update per plan.
- ``ratings_save``: by the Executive; the update is open; each recommendation is in the
  update's plan; a new RAG is an active status; the note is at most 500 characters with
  no identifying details. Written in bulk: a fixed number of queries, history included.
- ``cycle_complete``: by the Executive; the update is open. Then it is frozen for good.
- ``evidence_add``: by the Executive or the recommendation's lead; the update is open and
  the recommendation's plan's; something is given (words, a link, a file or a proposed
  RAG); a file is of an allowed kind; a proposed RAG is an active status.
- ``evidence_remove``: by the Executive or whoever added it; the update is open.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from audits.models import AuditRound
from dscb.access import Action, can
from dscb.concurrency import create_versioned, save_versioned
from dscb.emails import send_text_email
from dscb.files import files_kept_on_success
from dscb.history import Change, record_changes, snapshot
from dscb.models import Agency, User
from recommendations import selectors
from recommendations.access import may_add_evidence, may_remove_evidence
from recommendations.models import (
    NUMBER_PATTERN,
    ActionPlan,
    Evidence,
    PlanSection,
    ProgressUpdate,
    RagStatus,
    Recommendation,
    Reminder,
    ReminderKind,
    ReviewCycle,
    SourceKind,
)
from recommendations.uploads import validate_evidence_file

logger = logging.getLogger(__name__)

EXECUTIVE_ONLY = "Only the Board Executive can change the action plan."
CYCLE_ALREADY_OPEN = "Another update is still open. Complete it before opening a new one."


def _refuse_unless_executive(by: User) -> None:
    if not can(by, Action.MANAGE_ACTION_PLAN):
        raise ValidationError(EXECUTIVE_ONLY, code="not_allowed")


def _refuse(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def ensure_open(cycle: ReviewCycle) -> ReviewCycle:
    """Read the cycle again under a row lock: a cycle completed a moment ago is frozen."""
    locked = ReviewCycle.objects.select_for_update().get(pk=cycle.pk)
    if not locked.is_open:
        raise ValidationError(
            f"The {locked.title} is completed: its ratings and evidence can no longer change.", code="cycle_completed"
        )
    return locked


# --- The plan and its recommendations -------------------------------------------------------


def _check_audit_rounds(audit_rounds: Sequence[AuditRound]) -> None:
    if any(audit_round.kind != AuditRound.Kind.CASE_AUDIT for audit_round in audit_rounds):
        raise ValidationError({"audit_rounds": ["An action plan answers case audit rounds only"]})


@transaction.atomic
def plan_create(
    *,
    by: User,
    title: str,
    professional_leads: str = "",
    director_lead: str = "",
    review_frequency: str = "Six monthly",
    other_references: str = "",
    audit_rounds: Sequence[AuditRound] = (),
) -> ActionPlan:
    _refuse_unless_executive(by)
    _check_audit_rounds(audit_rounds)
    plan = ActionPlan(
        title=title,
        professional_leads=professional_leads,
        director_lead=director_lead,
        review_frequency=review_frequency,
        other_references=other_references,
    )
    create_versioned(plan, by=by)
    plan.audit_rounds.set(audit_rounds)
    return plan


@transaction.atomic
def plan_update(
    *,
    plan: ActionPlan,
    by: User,
    expected_version: int,
    title: str,
    professional_leads: str,
    director_lead: str,
    review_frequency: str,
    other_references: str,
    audit_rounds: Sequence[AuditRound],
) -> ActionPlan:
    _refuse_unless_executive(by)
    _check_audit_rounds(audit_rounds)
    plan.title, plan.professional_leads, plan.director_lead = title, professional_leads, director_lead
    plan.review_frequency, plan.other_references = review_frequency, other_references
    save_versioned(plan, expected_version=expected_version, by=by)
    plan.audit_rounds.set(audit_rounds)
    return plan


def _check_source(*, source_kind: str, source_name: str, audit_round: AuditRound | None) -> dict[str, list[str]]:
    """A section names its source: a case audit by its round or in words, anything else
    (a review, an inspection) in words."""
    if source_kind not in SourceKind.values:
        return {"source_kind": ["Select the kind of source"]}
    if source_kind == SourceKind.CASE_AUDIT:
        if audit_round is not None and audit_round.kind != AuditRound.Kind.CASE_AUDIT:
            return {"audit_round": ["A section comes from a case audit round"]}
        if audit_round is None and not source_name.strip():
            return {"audit_round": ["Select the audit round, or name the case audit"]}
        return {}
    errors: dict[str, list[str]] = {}
    if audit_round is not None:
        errors["audit_round"] = ["Only a case audit's section names an audit round"]
    if not source_name.strip():
        kind = SourceKind(source_kind).label.lower()
        errors["source_name"] = [f"Name the {kind}, like “Joint targeted area inspection”"]
    return errors


@transaction.atomic
def section_create(
    *,
    plan: ActionPlan,
    by: User,
    number: int,
    title: str,
    source_kind: str = SourceKind.CASE_AUDIT,
    source_name: str = "",
    source_date: datetime.date | None = None,
    audit_round: AuditRound | None = None,
    item_heading: str = "Recommendations",
    shows_target_date: bool = False,
) -> PlanSection:
    _refuse_unless_executive(by)
    errors = _check_source(source_kind=source_kind, source_name=source_name, audit_round=audit_round)
    if PlanSection.objects.filter(plan=plan, number=number).exists():
        errors["number"] = [f"There is already a section {number} in the plan"]
    _refuse(errors)
    section = PlanSection(
        plan=plan,
        number=number,
        title=title,
        source_kind=source_kind,
        source_name=source_name.strip(),
        source_date=source_date,
        audit_round=audit_round,
        item_heading=item_heading,
        shows_target_date=shows_target_date,
    )
    section.full_clean()
    section.save()
    return section


@dataclass(frozen=True)
class RecommendationInput:
    """What a recommendation says, as typed or imported."""

    section: PlanSection
    number: str
    text: str
    kind: str = Recommendation.Kind.RECOMMENDATION
    agencies: Sequence[Agency] = ()
    lead: User | None = None
    target_date: datetime.date | None = None
    state: str = Recommendation.State.OPEN


def _check_recommendation(plan: ActionPlan, values: RecommendationInput, recommendation: Recommendation) -> None:
    errors: dict[str, list[str]] = {}
    section, number = values.section, values.number.strip()
    match = NUMBER_PATTERN.fullmatch(number)
    if section.plan_id != plan.pk:
        errors["section"] = ["Select an audit of this action plan"]
    if not match:
        errors["number"] = ["Enter a number like 2.10: the section, a full stop, the item"]
    elif int(match.group(1)) != section.number:
        errors["number"] = [f"A number in section {section.number} starts with {section.number}."]
    elif Recommendation.objects.filter(plan=plan, number=number).exclude(pk=recommendation.pk).exists():
        errors["number"] = ["There is already a recommendation with this number in the plan"]
    if values.lead is not None and not (values.lead.is_active and can(values.lead, Action.LEAD_RECOMMENDATIONS)):
        errors["lead"] = ["Choose a professional lead"]
    named_before = set(recommendation.agencies.values_list("pk", flat=True)) if recommendation.pk else set()
    if any(not agency.is_active and agency.pk not in named_before for agency in values.agencies):
        errors["agencies"] = ["Choose agencies that are still active"]
    _refuse(errors)


def _apply(recommendation: Recommendation, values: RecommendationInput) -> None:
    recommendation.section = values.section
    recommendation.number = values.number.strip()
    recommendation.text = values.text
    recommendation.kind = values.kind
    recommendation.lead = values.lead
    recommendation.target_date = values.target_date
    recommendation.state = values.state


@transaction.atomic
def recommendation_create(*, plan: ActionPlan, by: User, values: RecommendationInput) -> Recommendation:
    _refuse_unless_executive(by)
    recommendation = Recommendation(plan=plan)
    _check_recommendation(plan, values, recommendation)
    _apply(recommendation, values)
    create_versioned(recommendation, by=by)
    recommendation.agencies.set(values.agencies)
    return recommendation


@transaction.atomic
def recommendation_update(
    *, recommendation: Recommendation, by: User, expected_version: int, values: RecommendationInput
) -> Recommendation:
    _refuse_unless_executive(by)
    _check_recommendation(recommendation.plan, values, recommendation)
    _apply(recommendation, values)
    save_versioned(recommendation, expected_version=expected_version, by=by)
    recommendation.agencies.set(values.agencies)
    return recommendation


# --- Review cycles --------------------------------------------------------------------------


@transaction.atomic
def cycle_open(*, plan: ActionPlan, by: User, title: str, due_on: datetime.date) -> ReviewCycle:
    _refuse_unless_executive(by)
    if ReviewCycle.objects.filter(plan=plan, title=title).exists():
        raise ValidationError({"title": ["There is already an update with this title"]})
    if ReviewCycle.objects.select_for_update().filter(plan=plan, state=ReviewCycle.State.OPEN).exists():
        raise ValidationError(CYCLE_ALREADY_OPEN, code="cycle_already_open")
    cycle = ReviewCycle(plan=plan, title=title, due_on=due_on)
    try:
        with transaction.atomic():
            return create_versioned(cycle, by=by)
    except IntegrityError:  # opened by someone else at the same moment
        raise ValidationError(CYCLE_ALREADY_OPEN, code="cycle_already_open") from None


def _update_for(recommendation: Recommendation, cycle: ReviewCycle) -> ProgressUpdate:
    update, _ = ProgressUpdate.objects.get_or_create(recommendation=recommendation, cycle=cycle)
    return update


RATED_FIELDS = ["rag", "rating_note", "rated_by", "rated_at"]


def rating_keys(recommendation: Recommendation) -> tuple[str, str]:
    """The keys of a row's RAG and note in ``ratings_save``'s refusals (the ratings form's field names)."""
    return f"rag_{recommendation.pk}", f"note_{recommendation.pk}"


def _check_note(note: str) -> list[str]:
    try:
        ProgressUpdate._meta.get_field("rating_note").run_validators(note)
    except ValidationError as error:
        return error.messages
    return []


@transaction.atomic
def ratings_save(
    *,
    cycle: ReviewCycle,
    by: User,
    expected_version: int,
    ratings: dict[Recommendation, tuple[RagStatus | None, str]],
    at: datetime.datetime | None = None,
) -> int:
    """The Executive's RAG (and a note on it) for every recommendation in the open
    cycle, in one save: all or nothing. Returns how many ratings changed. One query per
    table whatever the number of ratings (``bulk_create``/``bulk_update``, and their
    history in one more)."""
    _refuse_unless_executive(by)
    cycle = ensure_open(cycle)
    active = {status.pk for status in RagStatus.objects.active()}
    existing = {update.recommendation_id: update for update in cycle.updates.select_related("recommendation")}
    errors: dict[str, list[str]] = {}
    created: list[ProgressUpdate] = []
    changed: list[tuple[ProgressUpdate, ProgressUpdate]] = []  # before, after
    now = at or timezone.now()
    for recommendation, (rag, note) in ratings.items():
        rag_key, note_key = rating_keys(recommendation)
        update = existing.get(recommendation.pk)
        was = (update.rag_id, update.rating_note) if update else (None, "")
        if was == ((rag.pk if rag else None), note):
            continue
        if recommendation.plan_id != cycle.plan_id:
            errors[NON_FIELD_ERRORS] = [f"{recommendation.number} is not in this update's action plan"]
        if rag is not None and rag.pk not in active and (update is None or update.rag_id != rag.pk):
            errors[rag_key] = [
                f"Choose a {selectors.plan_words().short_name} status for {recommendation.number} from the list"
            ]
        if note_errors := _check_note(note):
            errors[note_key] = note_errors
        before = snapshot(update) if update else None
        update = update or ProgressUpdate(recommendation=recommendation, cycle=cycle)
        update.rag, update.rating_note, update.rated_by, update.rated_at = rag, note, by, now
        if before is None:
            created.append(update)
        else:
            changed.append((before, update))
    _refuse(errors)
    # The version is claimed only once the ratings are known to be good.
    save_versioned(cycle, expected_version=expected_version, by=by)
    if created:
        ProgressUpdate.objects.bulk_create(created)
    if changed:
        ProgressUpdate.objects.bulk_update([after for _, after in changed], RATED_FIELDS)
    record_changes([*(Change(None, update) for update in created), *(Change(*pair) for pair in changed)])
    return len(created) + len(changed)


@transaction.atomic
def cycle_complete(
    *, cycle: ReviewCycle, by: User, expected_version: int, on: datetime.date | None = None
) -> ReviewCycle:
    """Freeze the cycle: from now on its ratings and evidence never change. Recommendations
    left unrated stay "not yet rated": no colour is ever assumed."""
    _refuse_unless_executive(by)
    cycle = ensure_open(cycle)
    cycle.state = ReviewCycle.State.COMPLETED
    cycle.completed_on = on or timezone.localdate()
    cycle.completed_by = by
    cycle.scale = selectors.plan_scale_to_keep(cycle)
    return save_versioned(cycle, expected_version=expected_version, by=by)


# --- Evidence -------------------------------------------------------------------------------


@transaction.atomic
def evidence_add(
    *,
    recommendation: Recommendation,
    cycle: ReviewCycle,
    by: User,
    text: str = "",
    url: str = "",
    upload: UploadedFile | None = None,
    proposed_rag: RagStatus | None = None,
    at: datetime.datetime | None = None,
) -> ProgressUpdate:
    """Add a bullet of evidence (words, a link, a file, or any of them) in the open
    cycle, and the lead's proposed RAG if given."""
    if not may_add_evidence(by, recommendation):
        raise ValidationError("Only the Executive and the recommendation's lead can add its evidence.", "not_allowed")
    if cycle.plan_id != recommendation.plan_id:
        raise ValidationError("That update is not of this recommendation's action plan.", code="wrong_plan")
    if not (text or url or upload or proposed_rag):
        short_name = selectors.plan_words().short_name
        raise ValidationError({"text": [f"Enter the evidence, a link or a file, or propose a {short_name}"]})
    if proposed_rag is not None and not proposed_rag.is_active:
        short_name = selectors.plan_words().short_name
        raise ValidationError({"proposed_rag": [f"Choose a {short_name} status from the list"]})
    cycle = ensure_open(cycle)
    update = _update_for(recommendation, cycle)
    if proposed_rag is not None and update.proposed_rag_id != proposed_rag.pk:
        update.proposed_rag = proposed_rag
        update.save(update_fields=["proposed_rag"])
    if text or url or upload:
        evidence = Evidence(update=update, text=text, url=url, added_by=by, position=update.evidence.count() + 1)
        if at is not None:
            evidence.added_at = at
        if upload is not None:
            try:
                file_type = validate_evidence_file(upload)
            except ValidationError as error:
                raise ValidationError({"upload": error.messages}) from None
            evidence.file = upload
            evidence.file_name = (upload.name or "")[:200]
            evidence.file_type = file_type.content_type
            evidence.file_size = upload.size
        evidence.full_clean()
        with files_kept_on_success() as written:
            written(evidence.file)
            evidence.save()  # writes the file, then the row
    return update


@transaction.atomic
def evidence_remove(*, evidence: Evidence, by: User) -> None:
    if not may_remove_evidence(by, evidence):
        raise ValidationError("Only the Executive and whoever added it can remove evidence.", code="not_allowed")
    ensure_open(evidence.update.cycle)
    stored = evidence.file
    evidence.delete()
    if stored:
        transaction.on_commit(lambda: stored.storage.delete(stored.name or ""))


# --- Reminders ------------------------------------------------------------------------------


def _reminder_kind(cycle: ReviewCycle, today: datetime.date, days_before: int) -> ReminderKind | None:
    if today > cycle.due_on:
        return Reminder.Kind.OVERDUE
    if today >= cycle.due_on - datetime.timedelta(days=days_before):
        return Reminder.Kind.BEFORE_DUE
    return None


def send_reminders(*, today: datetime.date, days_before: int) -> list[Reminder]:
    """Email each lead whose recommendations still lack evidence in an open cycle: once
    when the cycle is due within ``days_before`` days, once more when it is overdue.
    Each reminder is recorded first, so nobody gets the same one twice."""
    sent: list[Reminder] = []
    for cycle in ReviewCycle.objects.filter(state=ReviewCycle.State.OPEN).select_related("plan"):
        kind = _reminder_kind(cycle, today, days_before)
        if kind is None:
            continue
        for lead, waiting in selectors.leads_to_remind(cycle).items():
            numbers = ", ".join(recommendation.number for recommendation in waiting)
            with transaction.atomic():
                reminder, created = Reminder.objects.get_or_create(
                    cycle=cycle, lead=lead, kind=kind, defaults={"recommendation_numbers": numbers[:500]}
                )
                if not created:
                    continue
                context = {
                    "lead": lead,
                    "cycle": cycle,
                    "recommendations": waiting,
                    "overdue": kind == Reminder.Kind.OVERDUE,
                    "board_name": settings.BOARD_NAME,
                    "link": settings.SITE_URL.rstrip("/") + reverse("recommendations:mine"),
                }
                send_text_email(template="recommendations/email/reminder", context=context, to=[lead.email])
            logger.info("Evidence reminder (%s) sent to user %s for cycle %s", kind, lead.pk, cycle.pk)
            sent.append(reminder)
    return sent
