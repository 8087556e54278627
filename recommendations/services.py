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
  section's number and is unique in the plan; agencies newly named are active; no
  identifying details in the text. Leads (``LeadInput``, any number): each a person or a
  role in an agency, never both; a person newly named is active and may lead
  recommendations; a role has an agency (newly named: active) and at most 150
  characters; nobody is named twice. Each change of lead is kept in the history.
  The sort key (2.9 before 2.10) is the database's, derived from the number. "By when"
  is a date or, with none, words ("to be confirmed", "Q2 2012"): a date clears the words.
- ``cycle_open``: by the Executive; a title unique in the plan and a due date; one open
  update per plan.
- ``ratings_save``: by the Executive; the update is open; each recommendation is in the
  update's plan; a new RAG is an active status; the note is at most 500 characters with
  no identifying details. Written in bulk: a fixed number of queries, history included.
  Nothing is rated silently: a row shown starting from last time's rating and note, given
  back unchanged, stays not yet rated unless confirmed; only such a row can be confirmed.
- ``ratings_confirm``: ``ratings_save`` confirming last time's rating for the rows given
  (or every row still starting from last time's).
- ``cycle_complete``: by the Executive; the update is open. Then it is frozen, and keeps
  the plan's scale as it is then.
- ``cycle_reopen``: by the Executive; the update is completed; a reason, with no
  identifying details; no other update of the plan is open. Each re-opening is kept
  (``CycleReopening``); the kept scale is cleared and kept again on completing.
- ``evidence_add``: by the Executive or the recommendation's lead; the update is open and
  the recommendation's plan's; something is given (words, a link, a file or a proposed
  RAG); a file is of an allowed kind; a proposed RAG is an active status.
- ``evidence_remove``: by the Executive or whoever added it; the update is open.
- ``evidence_mark_in_error``: by the Executive or whoever added it; its update is
  completed (while open, it is removed instead); not marked already; a reason, with no
  identifying details. It stays on the recommendation's page, marked.
- ``closure_propose``: by the Executive or the recommendation's lead; it is open; a
  statement of impact, with no identifying details.
- ``closure_accept``: by the Executive; it is proposed for closure. It is closed in the
  open update, or the latest if none is open, and leaves that update's ratings.
- ``closure_return``: by the Executive; it is proposed for closure; a reason, with no
  identifying details. It is open again.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Field
from django.urls import reverse
from django.utils import timezone

from audits.models import AuditRound
from dscb.access import Action, can
from dscb.concurrency import create_versioned, save_versioned
from dscb.emails import send_text_email
from dscb.files import files_kept_on_success
from dscb.history import Change, record_changes, snapshot
from dscb.models import Agency, User
from recommendations import notifications, selectors
from recommendations.access import may_add_evidence, may_propose_closure, may_remove_evidence
from recommendations.models import (
    NUMBER_PATTERN,
    ActionPlan,
    CycleReopening,
    Evidence,
    PlanSection,
    ProgressUpdate,
    RagStatus,
    Recommendation,
    RecommendationLead,
    Reminder,
    ReminderKind,
    ReviewCycle,
    SourceKind,
)
from recommendations.uploads import validate_evidence_file

logger = logging.getLogger(__name__)

EXECUTIVE_ONLY = "Only the Board Executive can change the action plan."
RAISED_FROM_A_ROUND_ONLY = "The audit team adds recommendations only to a section whose source is a case audit round"
CYCLE_ALREADY_OPEN = "Another update is still open. Complete it before opening a new one."
REOPEN_NEEDS_REASON = "Enter why the update is being re-opened"


def _refuse_unless_executive(by: User) -> None:
    if not can(by, Action.MANAGE_ACTION_PLAN):
        raise ValidationError(EXECUTIVE_ONLY, code="not_allowed")


def _refuse_unless_raised_from_a_round(by: User, audit_round: AuditRound | None, field: str) -> None:
    """The Executive adds anything to the plan; the audit team, raising a recommendation
    from a case audit round, only into a section whose source is a round of the service."""
    if can(by, Action.MANAGE_ACTION_PLAN):
        return
    if not can(by, Action.RAISE_RECOMMENDATIONS):
        raise ValidationError(EXECUTIVE_ONLY, code="not_allowed")
    if audit_round is None:
        raise ValidationError({field: [RAISED_FROM_A_ROUND_ONLY]}, code="not_allowed")


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
    _refuse_unless_raised_from_a_round(by, audit_round, "audit_round")
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
class LeadInput:
    """One lead: a person with an account, or a role in an agency ("Head of
    Safeguarding", Police) for someone without one. ``field`` and ``agency_field`` name
    where a refusal of this lead is reported (a form's fields)."""

    person: User | None = None
    role_title: str = ""
    agency: Agency | None = None
    field: str = "leads"
    agency_field: str = ""

    @property
    def identity(self) -> tuple[int | None, str, int | None]:
        if self.person is not None:
            return (self.person.pk, "", None)
        return (None, self.role_title.strip(), self.agency.pk if self.agency else None)

    @property
    def name(self) -> str:
        if self.person is not None:
            return self.person.get_full_name()
        return ", ".join(part for part in (self.role_title.strip(), self.agency.name if self.agency else "") if part)


def _identity(lead: RecommendationLead) -> tuple[int | None, str, int | None]:
    return (lead.person_id, "", None) if lead.person_id else (None, lead.role_title, lead.agency_id)


ROLE_TITLE_MAX = RecommendationLead._meta.get_field("role_title").max_length or 150


def _check_leads(leads: Sequence[LeadInput], recommendation: Recommendation) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    named_before = {_identity(lead) for lead in recommendation.leads.all()} if recommendation.pk else set()
    agencies_before = {lead.agency_id for lead in recommendation.leads.all()} if recommendation.pk else set()
    seen: set[tuple[int | None, str, int | None]] = set()
    for lead in leads:
        role = lead.role_title.strip()
        agency_field = lead.agency_field or lead.field
        problems: list[tuple[str, str]] = []
        if lead.person is not None and role:
            problems.append((lead.field, "Name a person or a role, not both"))
        elif lead.person is not None:
            may_lead = lead.person.is_active and can(lead.person, Action.LEAD_RECOMMENDATIONS)
            if not may_lead and lead.identity not in named_before:
                problems.append((lead.field, f"{lead.person.get_full_name()} cannot lead recommendations"))
        elif not role:
            problems.append((lead.field, "Choose a person or enter a role"))
        else:
            if len(role) > ROLE_TITLE_MAX:
                problems.append((lead.field, f"A role must be {ROLE_TITLE_MAX} characters or fewer"))
            if lead.agency is None:
                problems.append((agency_field, f"Choose the agency of the {role}"))
        if lead.agency is not None and not lead.agency.is_active and lead.agency.pk not in agencies_before:
            problems.append((agency_field, "Choose an agency that is still active"))
        if not problems and lead.identity in seen:
            problems.append((lead.field, f"{lead.name} is named twice as a lead"))
        seen.add(lead.identity)
        for key, message in problems:
            errors.setdefault(key, []).append(message)
    return errors


def _set_leads(recommendation: Recommendation, leads: Sequence[LeadInput]) -> None:
    """Make the recommendation's leads these, in this order. Each lead added or removed
    is saved on its own, so the history keeps it."""
    existing = {_identity(lead): lead for lead in recommendation.leads.all()}
    wanted = {lead.identity: (position, lead) for position, lead in enumerate(leads, start=1)}
    for identity, lead in existing.items():
        if identity not in wanted:
            lead.delete()
    for identity, (position, given) in wanted.items():
        kept = existing.get(identity)
        if kept is None:
            RecommendationLead.objects.create(
                recommendation=recommendation,
                person=given.person,
                role_title="" if given.person else given.role_title.strip(),
                agency=given.agency,
                position=position,
            )
        elif kept.position != position:
            kept.position = position
            kept.save(update_fields=["position"])


@dataclass(frozen=True)
class RecommendationInput:
    """What a recommendation says, as typed or imported."""

    section: PlanSection
    number: str
    text: str
    kind: str = Recommendation.Kind.RECOMMENDATION
    agencies: Sequence[Agency] = ()
    leads: Sequence[LeadInput] = ()
    target_date: datetime.date | None = None
    # "By when" in words ("to be confirmed", "Q2 2012"), kept only while there is no date.
    target_date_text: str = ""


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
    for key, messages in _check_leads(values.leads, recommendation).items():
        errors.setdefault(key, []).extend(messages)
    named_before = set(recommendation.agencies.values_list("pk", flat=True)) if recommendation.pk else set()
    if any(not agency.is_active and agency.pk not in named_before for agency in values.agencies):
        errors["agencies"] = ["Choose agencies that are still active"]
    _refuse(errors)


def _apply(recommendation: Recommendation, values: RecommendationInput) -> None:
    # The state is not among them: it changes only by closure (closure_propose/accept/return).
    recommendation.section = values.section
    recommendation.number = values.number.strip()
    recommendation.text = values.text
    recommendation.kind = values.kind
    recommendation.target_date = values.target_date
    recommendation.target_date_text = "" if values.target_date else values.target_date_text.strip()


@transaction.atomic
def recommendation_create(*, plan: ActionPlan, by: User, values: RecommendationInput) -> Recommendation:
    _refuse_unless_raised_from_a_round(by, values.section.audit_round, "section")
    recommendation = Recommendation(plan=plan)
    _check_recommendation(plan, values, recommendation)
    _apply(recommendation, values)
    create_versioned(recommendation, by=by)
    recommendation.agencies.set(values.agencies)
    _set_leads(recommendation, values.leads)
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
    _set_leads(recommendation, values.leads)
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
            create_versioned(cycle, by=by)
    except IntegrityError:  # opened by someone else at the same moment
        raise ValidationError(CYCLE_ALREADY_OPEN, code="cycle_already_open") from None
    transaction.on_commit(partial(notifications.update_opened_for_leads, cycle))
    return cycle


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
    ratings: Mapping[Recommendation, tuple[RagStatus | None, str]],
    carried: Collection[int] = (),
    confirm: Collection[int] = (),
    confirm_untouched: bool = False,
    at: datetime.datetime | None = None,
) -> int:
    """The Executive's RAG (and a note on it) for every recommendation in the open
    cycle, in one save: all or nothing. Returns how many ratings changed. One query per
    table whatever the number of ratings (``bulk_create``/``bulk_update``, and their
    history in one more).

    Nothing is rated silently: a row the page showed starting from last time's rating
    and note (its recommendation's id in ``carried``, and ``selectors.starting_point``
    agrees), given back unchanged, stays not yet rated unless confirmed: its id is in
    ``confirm``, or ``confirm_untouched`` confirms every such row. Only such a row can
    be confirmed; it takes last time's rating and note, with who confirmed it and when."""
    _refuse_unless_executive(by)
    cycle = ensure_open(cycle)
    active = {status.pk for status in RagStatus.objects.active()}
    existing = {update.recommendation_id: update for update in cycle.updates.select_related("recommendation")}
    last_time = selectors.last_ratings(cycle)
    given = {recommendation.pk for recommendation in ratings}
    errors: dict[str, list[str]] = {}
    if unknown := [pk for pk in confirm if pk not in given]:
        errors[NON_FIELD_ERRORS] = [f"There is no rating {pk} on this page to confirm" for pk in unknown]
    created: list[ProgressUpdate] = []
    changed: list[tuple[ProgressUpdate, ProgressUpdate]] = []  # before, after
    now = at or timezone.now()
    for recommendation, (rag, note) in ratings.items():
        if recommendation.is_closed:
            continue  # closed on evidence of impact: it has left the update's ratings
        rag_key, note_key = rating_keys(recommendation)
        update = existing.get(recommendation.pk)
        was = (update.rag_id, update.rating_note) if update else (None, "")
        value = ((rag.pk if rag else None), note)
        shown_carried = recommendation.pk in carried or recommendation.pk in confirm
        start = selectors.starting_point(update, last_time.get(recommendation.pk), active) if shown_carried else None
        untouched = start is not None and value == (start.rag_id, start.note)
        confirmed = recommendation.pk in confirm
        if confirmed and start is None and was == value and was[0] is not None:
            continue  # confirmed a moment ago: the rating is already last time's
        if confirmed and not untouched:
            errors[rag_key] = [
                f"{recommendation.number} has no rating from last time to confirm"
                if start is None
                else f"{recommendation.number} was changed from last time's rating: save the change, or set it "
                "back to confirm last time's"
            ]
            continue
        if untouched and not (confirmed or confirm_untouched):
            continue
        if not untouched and was == value:
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
    if decided := [after.pk for before, after in changed if after.proposed_rag_id and after.rag_id != before.rag_id]:
        transaction.on_commit(partial(notifications.ratings_decided_for_leads, cycle, decided))
    return len(created) + len(changed)


def ratings_confirm(
    *,
    cycle: ReviewCycle,
    by: User,
    expected_version: int,
    recommendations: Sequence[Recommendation] | None = None,
    at: datetime.datetime | None = None,
) -> int:
    """Confirm last time's rating and note, unchanged, for ``recommendations`` (None:
    every row of the open update still starting from last time's): ``ratings_save``
    with nothing changed, so every rule of a save applies."""
    _refuse_unless_executive(by)
    last_time = selectors.last_ratings(cycle)
    every_untouched = recommendations is None
    if recommendations is None:
        existing = {update.recommendation_id: update for update in cycle.updates.all()}
        active = {status.pk for status in RagStatus.objects.active()}
        still_carried = [
            pk for pk, last in last_time.items() if selectors.starting_point(existing.get(pk), last, active)
        ]
        recommendations = list(cycle.plan.recommendations.filter(pk__in=still_carried))
    ids = [recommendation.pk for recommendation in recommendations]
    statuses = RagStatus.objects.in_bulk([last.rag_id for last in last_time.values()])
    ratings = {
        recommendation: (
            (statuses[last.rag_id], last.note) if (last := last_time.get(recommendation.pk)) else (None, "")
        )
        for recommendation in recommendations
    }
    return ratings_save(
        cycle=cycle,
        by=by,
        expected_version=expected_version,
        ratings=ratings,
        carried=ids,
        confirm=() if every_untouched else ids,
        confirm_untouched=every_untouched,
        at=at,
    )


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


def _refuse_while_another_is_open(cycle: ReviewCycle) -> None:
    other = ReviewCycle.objects.filter(plan_id=cycle.plan_id, state=ReviewCycle.State.OPEN).exclude(pk=cycle.pk)
    if open_cycle := other.first():
        raise ValidationError(
            f"The {open_cycle.title} is open. Complete it before re-opening the {cycle.title}: "
            "one update of a plan is open at a time.",
            code="cycle_already_open",
        )


@transaction.atomic
def cycle_reopen(
    *, cycle: ReviewCycle, by: User, reason: str, expected_version: int, at: datetime.datetime | None = None
) -> CycleReopening:
    """Re-open a completed update to put a mistake right; it is then completed again as
    any open update. What was published from it stays as published: the reports say
    that the update was re-opened afterwards."""
    _refuse_unless_executive(by)
    locked = ReviewCycle.objects.select_for_update().get(pk=cycle.pk)
    if locked.is_open:
        raise ValidationError(f"The {locked.title} is open already.", code="cycle_open")
    reopening = CycleReopening(cycle=locked, reason=reason.strip(), reopened_by=by, reopened_at=at or timezone.now())
    try:
        reopening.full_clean()
    except ValidationError as error:
        messages = error.message_dict.get("reason")
        if messages is None:
            raise
        raise ValidationError({"reason": [REOPEN_NEEDS_REASON] if not reopening.reason else messages}) from None
    _refuse_while_another_is_open(locked)
    cycle.state, cycle.completed_on, cycle.completed_by = ReviewCycle.State.OPEN, None, None
    # The scale is kept again when the update is completed again.
    cycle.scale = None
    try:
        with transaction.atomic():
            save_versioned(cycle, expected_version=expected_version, by=by)
    except IntegrityError:  # another update opened at the same moment
        _refuse_while_another_is_open(cycle)
        raise
    reopening.save()
    return reopening


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
        if not can(by, Action.MANAGE_ACTION_PLAN):
            transaction.on_commit(partial(notifications.rating_proposed, update, by))
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


def ensure_markable_in_error(evidence: Evidence) -> None:
    """Evidence is marked as added in error once its update is completed, and only once.
    The page checks this before asking why; the service checks it again under a row lock."""
    if evidence.update.cycle.is_open:
        raise ValidationError(
            f"The {evidence.update.cycle.title} is still open: remove the evidence instead.", code="cycle_open"
        )
    if evidence.in_error:
        raise ValidationError("This evidence is already marked as added in error.", code="already_marked")


@transaction.atomic
def evidence_mark_in_error(
    *, evidence: Evidence, by: User, reason: str, at: datetime.datetime | None = None
) -> Evidence:
    """Once its update is completed, evidence is never removed: it is marked, with why."""
    if not may_remove_evidence(by, evidence):
        raise ValidationError(
            "Only the Executive and whoever added it can mark evidence as added in error.", code="not_allowed"
        )
    evidence = Evidence.objects.select_for_update().select_related("update__cycle").get(pk=evidence.pk)
    ensure_markable_in_error(evidence)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ["Enter why the evidence was added in error"]})
    try:
        Evidence._meta.get_field("marked_in_error_reason").clean(reason, evidence)
    except ValidationError as error:
        raise ValidationError({"reason": error.messages}) from None
    # Only these fields are checked: evidence from before today's rules (no one named as
    # having added it) is still marked.
    evidence.marked_in_error_at = at or timezone.now()
    evidence.marked_in_error_by = by
    evidence.marked_in_error_reason = reason
    evidence.save(update_fields=["marked_in_error_at", "marked_in_error_by", "marked_in_error_reason"])
    return evidence


# --- Closing on evidence of impact ----------------------------------------------------------


def _check_text(field: str, model_field: str, value: str) -> None:
    try:
        model_field_object = cast("Field[Any, Any]", Recommendation._meta.get_field(model_field))
        model_field_object.run_validators(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


@transaction.atomic
def closure_propose(
    *, recommendation: Recommendation, by: User, expected_version: int, impact_statement: str
) -> Recommendation:
    """The lead, or the Executive, proposes closing it, saying what changed because of it."""
    if not may_propose_closure(by, recommendation):
        raise ValidationError(
            "Only the Executive and the recommendation's lead can propose closing it.", code="not_allowed"
        )
    if recommendation.state != Recommendation.State.OPEN:
        raise ValidationError(
            f"Recommendation {recommendation.number} is {recommendation.get_state_display().lower()}: "
            "only an open one can be proposed for closure.",
            code="not_open",
        )
    impact_statement = impact_statement.strip()
    if not impact_statement:
        raise ValidationError({"impact_statement": ["Enter the statement of impact: what changed because of it"]})
    _check_text("impact_statement", "impact_statement", impact_statement)
    recommendation.state = Recommendation.State.PROPOSED
    recommendation.impact_statement = impact_statement
    recommendation.closure_proposed_by = by
    recommendation.closure_proposed_at = timezone.now()
    save_versioned(recommendation, expected_version=expected_version, by=by, fields=CLOSURE_FIELDS)
    transaction.on_commit(partial(notifications.closure_proposed, recommendation, by, proposal=recommendation.version))
    return recommendation


def _tell_leads_of_closure(recommendation: Recommendation, *, accepted: bool) -> None:
    def tell() -> None:
        notifications.closure_decided(
            recommendation,
            notifications.person_leads(recommendation),
            accepted=accepted,
            reason=recommendation.closure_return_reason,
            proposal=recommendation.version,
        )

    transaction.on_commit(tell)


CLOSURE_FIELDS = [
    "state",
    "impact_statement",
    "closure_proposed_by",
    "closure_proposed_at",
    "closure_decided_by",
    "closure_decided_at",
    "closure_return_reason",
    "closed_in",
]


def _refuse_unless_proposed(recommendation: Recommendation) -> None:
    if recommendation.state != Recommendation.State.PROPOSED:
        raise ValidationError(
            f"Recommendation {recommendation.number} is not proposed for closure.", code="not_proposed"
        )


@transaction.atomic
def closure_accept(
    *, recommendation: Recommendation, by: User, expected_version: int, at: datetime.datetime | None = None
) -> Recommendation:
    """The Executive closes it: it leaves the update's ratings and shows in the report's
    "closed this period"."""
    _refuse_unless_executive(by)
    _refuse_unless_proposed(recommendation)
    plan_cycles = selectors.cycles(recommendation.plan)
    recommendation.state = Recommendation.State.CLOSED
    recommendation.closed_in = plan_cycles.open or (plan_cycles.all[0] if plan_cycles.all else None)
    recommendation.closure_decided_by = by
    recommendation.closure_decided_at = at or timezone.now()
    recommendation.closure_return_reason = ""
    save_versioned(recommendation, expected_version=expected_version, by=by, fields=CLOSURE_FIELDS)
    _tell_leads_of_closure(recommendation, accepted=True)
    return recommendation


@transaction.atomic
def closure_return(
    *,
    recommendation: Recommendation,
    by: User,
    expected_version: int,
    reason: str,
    at: datetime.datetime | None = None,
) -> Recommendation:
    """The Executive returns the proposal with a reason: it is open again, the statement
    of impact kept to improve on."""
    _refuse_unless_executive(by)
    _refuse_unless_proposed(recommendation)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ["Enter why closure is not accepted"]})
    _check_text("reason", "closure_return_reason", reason)
    recommendation.state = Recommendation.State.OPEN
    recommendation.closure_decided_by = by
    recommendation.closure_decided_at = at or timezone.now()
    recommendation.closure_return_reason = reason
    save_versioned(recommendation, expected_version=expected_version, by=by, fields=CLOSURE_FIELDS)
    _tell_leads_of_closure(recommendation, accepted=False)
    return recommendation


# --- Reminders ------------------------------------------------------------------------------


def _reminder_kind(cycle: ReviewCycle, today: datetime.date, days_before: int) -> ReminderKind | None:
    if today > cycle.due_on:
        return Reminder.Kind.OVERDUE
    if today >= cycle.due_on - datetime.timedelta(days=days_before):
        return Reminder.Kind.BEFORE_DUE
    return None


def send_reminders(*, today: datetime.date, days_before: int) -> list[Reminder]:
    """Email each person leading recommendations that still lack evidence in an open
    cycle (a role lead has no account, so gets none): once when the cycle is due within
    ``days_before`` days, once more when it is overdue.
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
