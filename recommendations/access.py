"""Which recommendations, review cycles and evidence a person may reach, and change.

The plan is read by all who answer to the Board (``Action.VIEW_ACTION_PLAN``); nobody
else learns what is in it. ``write=True`` asks for the right to change the object too,
and answers 403 to those who may only read it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from dscb.access import Action, can, require
from recommendations.models import Evidence, Recommendation, ReviewCycle

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from dscb.models import User


def is_lead(user: User | AnonymousUser, recommendation: Recommendation) -> bool:
    """Whether ``user`` is one of the recommendation's leads (a role lead is nobody's
    account). Reads ``leads`` as prefetched, if it was: lists prefetch them once."""
    if user.pk is None:
        return False
    return any(lead.person_id == user.pk for lead in recommendation.leads.all())


def may_add_evidence(user: User | AnonymousUser, recommendation: Recommendation) -> bool:
    """The Executive adds evidence to any recommendation; a lead only to their own."""
    if can(user, Action.MANAGE_ACTION_PLAN):
        return True
    return can(user, Action.ADD_EVIDENCE) and is_lead(user, recommendation)


def may_propose_closure(user: User | AnonymousUser, recommendation: Recommendation) -> bool:
    """The Executive, or the recommendation's lead, proposes closing it on evidence of impact."""
    return may_add_evidence(user, recommendation)


def may_remove_evidence(user: User | AnonymousUser, evidence: Evidence) -> bool:
    """The Executive removes any evidence, or marks it as added in error; a lead only what
    they added themselves."""
    if can(user, Action.MANAGE_ACTION_PLAN):
        return True
    return can(user, Action.ADD_EVIDENCE) and evidence.added_by_id == user.pk


def recommendation_for(
    user: User | AnonymousUser, pk: int, *, write: bool = False, queryset: QuerySet[Recommendation] | None = None
) -> Recommendation:
    """``write``: to record something against it, which the Executive may for any
    recommendation and a lead for those they lead (changing the recommendation itself
    is the Executive's: its views need ``Action.MANAGE_ACTION_PLAN`` as well)."""
    require(user, Action.VIEW_ACTION_PLAN)
    recommendation = get_object_or_404(queryset if queryset is not None else Recommendation.objects.all(), pk=pk)
    if write and not may_add_evidence(user, recommendation):
        raise PermissionDenied
    return recommendation


def cycle_for(
    user: User | AnonymousUser, pk: int, *, write: bool = False, queryset: QuerySet[ReviewCycle] | None = None
) -> ReviewCycle:
    """``write``: to rate, complete or otherwise change the update: the Executive's."""
    require(user, Action.VIEW_ACTION_PLAN)
    cycle = get_object_or_404(queryset if queryset is not None else ReviewCycle.objects.all(), pk=pk)
    if write:
        require(user, Action.MANAGE_ACTION_PLAN)
    return cycle


def evidence_for(
    user: User | AnonymousUser, pk: int, *, write: bool = False, queryset: QuerySet[Evidence] | None = None
) -> Evidence:
    """``write``: to remove it or mark it as added in error: the Executive, or the lead who added it."""
    require(user, Action.VIEW_ACTION_PLAN)
    queryset = queryset if queryset is not None else Evidence.objects.all()
    evidence = get_object_or_404(queryset.select_related("update__recommendation", "update__cycle"), pk=pk)
    if write and not may_remove_evidence(user, evidence):
        raise PermissionDenied
    return evidence
