"""Which rounds, cases and what is in them a person may reach: one helper per kind of
object, named alike (``case_for(user, pk, *, write=False)``), each asking the one policy
in ``dscb.access``.

Outside one's scope a case does not exist (404): nobody learns which children were
audited. Inside it, what one may read but not change answers 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from audits.models import AuditCase, AuditRound, CaseRecord, Escalation, InquiryParticipant
from dscb.access import Action, can, require

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from dscb.models import User


def _round_scope(user: User | AnonymousUser, prefix: str = "") -> Q:
    """The rounds ``user`` may see: every round for the audit team, only the rounds
    they are assigned to for an agency auditor, none for anyone else."""
    if can(user, Action.MANAGE_AUDITS):
        return Q()
    if can(user, Action.VIEW_AUDITS):
        return Q(**{f"{prefix}auditors": user})
    raise Http404


def visible_rounds(user: User | AnonymousUser, queryset: QuerySet[AuditRound] | None = None) -> QuerySet[AuditRound]:
    queryset = queryset if queryset is not None else AuditRound.objects.all()
    try:
        return queryset.filter(_round_scope(user))
    except Http404:
        return queryset.none()


def may_edit_agency_records(user: User | AnonymousUser, agency_id: int) -> bool:
    """The audit team edits every agency's records; an agency auditor only their own."""
    if can(user, Action.MANAGE_AUDITS):
        return True
    return can(user, Action.EDIT_CASE_RECORDS) and getattr(user, "agency_id", None) == agency_id


def round_for(
    user: User | AnonymousUser, pk: int, *, write: bool = False, queryset: QuerySet[AuditRound] | None = None
) -> AuditRound:
    queryset = queryset if queryset is not None else AuditRound.objects.all()
    audit_round = get_object_or_404(queryset.filter(_round_scope(user)), pk=pk)
    if write:
        require(user, Action.MANAGE_AUDITS)
    return audit_round


def case_for(
    user: User | AnonymousUser, pk: int, *, write: bool = False, queryset: QuerySet[AuditCase] | None = None
) -> AuditCase:
    queryset = queryset if queryset is not None else AuditCase.objects.all()
    case = get_object_or_404(queryset.filter(_round_scope(user, "audit_round__")), pk=pk)
    if write:
        require(user, Action.MANAGE_AUDITS)
    return case


def record_for(
    user: User | AnonymousUser, pk: int, *, write: bool = False, queryset: QuerySet[CaseRecord] | None = None
) -> CaseRecord:
    """``write``: the audit team any record, an agency auditor their own agency's."""
    queryset = queryset if queryset is not None else CaseRecord.objects.all()
    record = get_object_or_404(queryset.filter(_round_scope(user, "case__audit_round__")), pk=pk)
    if write and not may_edit_agency_records(user, record.agency_id):
        raise PermissionDenied
    return record


def escalation_for(
    user: User | AnonymousUser, pk: int, *, write: bool = False, queryset: QuerySet[Escalation] | None = None
) -> Escalation:
    queryset = queryset if queryset is not None else Escalation.objects.select_related("case")
    escalation = get_object_or_404(queryset.filter(_round_scope(user, "case__audit_round__")), pk=pk)
    if write:
        require(user, Action.MANAGE_AUDITS)
    return escalation


def participant_for(
    user: User | AnonymousUser,
    pk: int,
    *,
    write: bool = False,
    queryset: QuerySet[InquiryParticipant] | None = None,
) -> InquiryParticipant:
    queryset = queryset if queryset is not None else InquiryParticipant.objects.select_related("case")
    participant = get_object_or_404(queryset.filter(_round_scope(user, "case__audit_round__")), pk=pk)
    if write:
        require(user, Action.MANAGE_AUDITS)
    return participant


def visible_cases(user: User | AnonymousUser, queryset: QuerySet[AuditCase] | None = None) -> QuerySet[AuditCase]:
    """The cases ``user`` may open: those of the rounds they may see."""
    queryset = queryset if queryset is not None else AuditCase.objects.all()
    try:
        return queryset.filter(_round_scope(user, "audit_round__"))
    except Http404:
        return queryset.none()
