"""Every change to the action plan: one named, atomic function each. A completed review
cycle is frozen: nothing here changes its ratings or evidence."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from audits.models import AuditRound
from dscb.concurrency import create_versioned, save_versioned
from dscb.emails import send_text_email
from dscb.files import files_kept_on_success
from dscb.models import Agency, User
from recommendations import selectors
from recommendations.models import (
    ActionPlan,
    Evidence,
    ProgressUpdate,
    RagStatus,
    Recommendation,
    Reminder,
    ReviewCycle,
)
from recommendations.uploads import validate_evidence_file

logger = logging.getLogger(__name__)


def ensure_open(cycle: ReviewCycle) -> ReviewCycle:
    """Read the cycle again under a row lock: a cycle completed a moment ago is frozen."""
    locked = ReviewCycle.objects.select_for_update().get(pk=cycle.pk)
    if not locked.is_open:
        raise ValidationError(
            f"The {locked.title} is completed: its ratings and evidence can no longer change.", code="cycle_completed"
        )
    return locked


# --- The plan and its recommendations -------------------------------------------------------


@transaction.atomic
def plan_update(*, plan: ActionPlan, by: User, expected_version: int, audit_rounds: list[AuditRound]) -> ActionPlan:
    save_versioned(plan, expected_version=expected_version, by=by)
    plan.audit_rounds.set(audit_rounds)
    return plan


@transaction.atomic
def recommendation_create(*, recommendation: Recommendation, by: User, agencies: list[Agency]) -> Recommendation:
    create_versioned(recommendation, by=by)
    recommendation.agencies.set(agencies)
    return recommendation


@transaction.atomic
def recommendation_update(
    *, recommendation: Recommendation, by: User, expected_version: int, agencies: list[Agency]
) -> Recommendation:
    save_versioned(recommendation, expected_version=expected_version, by=by)
    recommendation.agencies.set(agencies)
    return recommendation


# --- Review cycles --------------------------------------------------------------------------


@transaction.atomic
def cycle_open(*, cycle: ReviewCycle, by: User) -> ReviewCycle:
    if ReviewCycle.objects.select_for_update().filter(plan=cycle.plan, state=ReviewCycle.State.OPEN).exists():
        raise ValidationError(
            "Another update is still open. Complete it before opening a new one.", code="cycle_already_open"
        )
    try:
        with transaction.atomic():
            return create_versioned(cycle, by=by)
    except IntegrityError:  # opened by someone else at the same moment
        raise ValidationError(
            "Another update is still open. Complete it before opening a new one.", code="cycle_already_open"
        ) from None


def _update_for(recommendation: Recommendation, cycle: ReviewCycle) -> ProgressUpdate:
    update, _ = ProgressUpdate.objects.get_or_create(recommendation=recommendation, cycle=cycle)
    return update


@transaction.atomic
def ratings_save(
    *,
    cycle: ReviewCycle,
    by: User,
    expected_version: int,
    ratings: dict[Recommendation, tuple[RagStatus | None, str]],
) -> int:
    """The Executive's RAG (and a note on it) for every recommendation in the open
    cycle, in one save: all or nothing. Returns how many ratings changed."""
    cycle = ensure_open(cycle)
    save_versioned(cycle, expected_version=expected_version, by=by)
    existing = {update.recommendation_id: update for update in cycle.updates.all()}
    changed = 0
    now = timezone.now()
    for recommendation, (rag, note) in ratings.items():
        update = existing.get(recommendation.pk)
        if update is None and rag is None and not note:
            continue
        update = update or ProgressUpdate(recommendation=recommendation, cycle=cycle)
        if (update.rag_id, update.rating_note) == ((rag.pk if rag else None), note):
            continue
        update.rag, update.rating_note, update.rated_by, update.rated_at = rag, note, by, now
        update.full_clean()
        update.save()
        changed += 1
    return changed


@transaction.atomic
def cycle_complete(*, cycle: ReviewCycle, by: User, expected_version: int) -> ReviewCycle:
    """Freeze the cycle: from now on its ratings and evidence never change. Recommendations
    left unrated stay "not yet rated": no colour is ever assumed."""
    cycle = ensure_open(cycle)
    cycle.state = ReviewCycle.State.COMPLETED
    cycle.completed_on = timezone.localdate()
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
) -> ProgressUpdate:
    """Add a bullet of evidence (words, a link, a file, or any of them) in the open
    cycle, and the lead's proposed RAG if given."""
    cycle = ensure_open(cycle)
    update = _update_for(recommendation, cycle)
    if proposed_rag is not None and update.proposed_rag_id != proposed_rag.pk:
        update.proposed_rag = proposed_rag
        update.save(update_fields=["proposed_rag"])
    if text or url or upload:
        evidence = Evidence(update=update, text=text, url=url, added_by=by, position=update.evidence.count() + 1)
        if upload is not None:
            file_type = validate_evidence_file(upload)
            evidence.file = upload
            evidence.file_name = upload.name[:200]
            evidence.file_type = file_type.content_type
            evidence.file_size = upload.size
        evidence.full_clean()
        with files_kept_on_success() as written:
            written(evidence.file)
            evidence.save()  # writes the file, then the row
    return update


@transaction.atomic
def evidence_remove(*, evidence: Evidence) -> None:
    ensure_open(evidence.update.cycle)
    stored = evidence.file
    evidence.delete()
    if stored:
        transaction.on_commit(lambda: stored.storage.delete(stored.name))


# --- Reminders ------------------------------------------------------------------------------


def _reminder_kind(cycle: ReviewCycle, today: datetime.date, days_before: int) -> Reminder.Kind | None:
    if today > cycle.due_on:
        return Reminder.Kind.OVERDUE
    if today >= cycle.due_on - datetime.timedelta(days=days_before):
        return Reminder.Kind.BEFORE_DUE
    return None


def send_reminders(*, today: datetime.date, days_before: int) -> list[Reminder]:
    """Email each lead whose recommendations still lack evidence in an open cycle: once
    when the cycle is due within ``days_before`` days, once more when it is overdue.
    Each reminder is recorded first, so nobody gets the same one twice."""
    sent = []
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
