"""The retention schedule carried out (UK GDPR Art. 5(1)(e); SECURITY.md row 33).

``manage.py apply_retention`` calls ``run``: it lists, per kind of record in the schedule
(``dscb.RetentionRule``), what is past its date, and with ``apply`` removes it:

- case audit detail, counted from the date its round was completed: each case's board
  reference, free text and the history and reads that repeat them
  (``audits.services.case_remove_detail``); its rows, grades and answers stay, so the
  dashboards' and reports' figures for that period do not change. Cases under a legal
  hold, on the case or its round, are kept and counted as held;
- reads (auditlog "access" entries), emails sent, one-time form keys and evidence
  reminders: deleted, counted from when they were made. Reads of a held case are kept.

Published reports, learning summaries, rounds and the action plan are never removed.
Each run, dry or applied, is a security event with its counts. It lives in ``reports``
because it reaches into every app below it; ``now`` is a parameter so tests move time.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from auditlog.models import LogEntry
from django.db import models, transaction
from django.utils import timezone

from audits.models import AuditCase, AuditRound, LegalHold
from audits.services import case_remove_detail, held_cases, round_mark_detail_removed
from dscb.models import FormSubmission, RetentionKind, RetentionRule, SentEmail
from dscb.security import Kind, record
from recommendations.models import Reminder


def years_before(moment: datetime.datetime, years: int) -> datetime.datetime:
    """``moment`` less whole years; 29 February becomes the 28th."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


@dataclass
class KindDue:
    """One kind of record: its period, the date before which it goes, and how many go."""

    kind: RetentionKind
    years: int | None
    before: datetime.datetime | None  # None: kept indefinitely
    due: int = 0
    held: int = 0

    @property
    def label(self) -> str:
        return self.kind.label


@dataclass
class RetentionRun:
    now: datetime.datetime
    applied: bool
    kinds: list[KindDue] = field(default_factory=list)
    history_removed: int = 0

    def counts(self) -> dict[str, int]:
        return {due.kind.value: due.due for due in self.kinds}

    def held(self) -> int:
        return sum(due.held for due in self.kinds)


def _cases_due(before: datetime.datetime) -> models.QuerySet[AuditCase]:
    return AuditCase.objects.filter(
        detail_removed_on__isnull=True,
        audit_round__state=AuditRound.State.COMPLETED,
        audit_round__completed_on__lt=before.date(),
    )


def _reads(before: datetime.datetime, held_ids: list[int]) -> models.QuerySet[LogEntry]:
    # By subquery: excluding on the JSON key itself would also drop every read without
    # one (a report's download), whose key is NULL.
    of_held = LogEntry.objects.filter(additional_data__case_id__in=held_ids).values("pk")
    return LogEntry.objects.filter(action=LogEntry.Action.ACCESS, timestamp__lt=before).exclude(pk__in=of_held)


def _simple(kind: RetentionKind, before: datetime.datetime) -> models.QuerySet:
    if kind == RetentionKind.SENT_EMAILS:
        return SentEmail.objects.filter(sent_at__lt=before)
    if kind == RetentionKind.FORM_SUBMISSIONS:
        return FormSubmission.objects.filter(submitted_at__lt=before)
    return Reminder.objects.filter(sent_at__lt=before)


def run(*, now: datetime.datetime | None = None, apply: bool = False) -> RetentionRun:
    """List (and with ``apply``, remove) what the schedule says has been kept long enough.
    All or nothing: a failure part way leaves everything as it was."""
    now = now or timezone.now()
    result = RetentionRun(now=now, applied=apply)
    rules = {RetentionKind(rule.kind): rule.years for rule in RetentionRule.objects.all()}
    with transaction.atomic():
        held_ids = list(held_cases().values_list("pk", flat=True))
        for kind in RetentionKind:
            years = rules.get(kind)
            due = KindDue(kind, years, years_before(now, years) if years else None)
            result.kinds.append(due)
            if due.before is None:
                continue
            if kind == RetentionKind.CASE_AUDIT_DETAIL:
                _case_detail(due, held_ids, result)
            elif kind == RetentionKind.READS:
                reads = _reads(due.before, held_ids)
                due.due = reads.count()
                if apply:
                    reads.delete()
            else:
                rows = _simple(kind, due.before)
                due.due = rows.count()
                if apply:
                    rows.delete()
        record(
            Kind.RETENTION_RUN,
            applied=apply,
            as_of=now.isoformat(),
            details=result.counts(),  # flat, so the events list reads "case audit detail: 3"
            held_cases=result.held(),
            history_removed=result.history_removed,
        )
    return result


def _case_detail(due: KindDue, held_ids: list[int], result: RetentionRun) -> None:
    if due.before is None:
        return
    cases = _cases_due(due.before)
    due.held = cases.filter(pk__in=held_ids).count()
    to_remove = list(cases.exclude(pk__in=held_ids).order_by("pk"))
    due.due = len(to_remove)
    if not result.applied:
        return
    today = result.now.date()
    for case in to_remove:
        result.history_removed += case_remove_detail(case=case, on=today).history
    for audit_round in AuditRound.objects.filter(
        state=AuditRound.State.COMPLETED, completed_on__lt=due.before.date(), detail_removed_on__isnull=True
    ).exclude(pk__in=LegalHold.objects.active().filter(audit_round__isnull=False).values("audit_round")):
        round_mark_detail_removed(audit_round=audit_round, on=today)
