"""The one access policy: what each role may do.

Views never test roles. They name the action they perform and ask this module, which
either lets them through, raises ``PermissionDenied`` (the person may know the page
exists but may not use it) or, for objects outside a person's scope, ``Http404``.
The table below is data: the permission-matrix test imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from dscb.models import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest, HttpResponse

    from dscb.models import User


class Action(StrEnum):
    USE_SERVICE = "use_service"
    ADMINISTER = "administer"
    VIEW_AUDITS = "view_audits"
    MANAGE_AUDITS = "manage_audits"
    EDIT_CASE_RECORDS = "edit_case_records"
    VIEW_ACTION_PLAN = "view_action_plan"
    MANAGE_ACTION_PLAN = "manage_action_plan"
    ADD_EVIDENCE = "add_evidence"
    LEAD_RECOMMENDATIONS = "lead_recommendations"
    VIEW_AUDIT_DASHBOARD = "view_audit_dashboard"
    VIEW_RAG_DASHBOARD = "view_rag_dashboard"
    MANAGE_REPORTS = "manage_reports"
    READ_PUBLISHED_REPORTS = "read_published_reports"


# ``None``: anyone the board has given an active account, whatever their roles.
POLICY: dict[Action, frozenset[Role] | None] = {
    # Home, account and MFA pages.
    Action.USE_SERVICE: None,
    # Users, roles, agencies and the reference scales, through the admin site.
    Action.ADMINISTER: frozenset({Role.ADMINISTRATOR}),
    # Audit rounds and the cases in them (agency auditors: only their rounds).
    Action.VIEW_AUDITS: frozenset({Role.AUDIT_TEAM, Role.AGENCY_AUDITOR}),
    # Plan rounds, add cases, agree grades, feedback, escalations, finalise.
    Action.MANAGE_AUDITS: frozenset({Role.AUDIT_TEAM}),
    # Enter what an agency's records show (agency auditors: only their agency's).
    Action.EDIT_CASE_RECORDS: frozenset({Role.AUDIT_TEAM, Role.AGENCY_AUDITOR}),
    # The action plan, its evidence and RAG history: read by all who answer to the Board.
    Action.VIEW_ACTION_PLAN: frozenset({Role.EXECUTIVE, Role.PROFESSIONAL_LEAD, Role.AUDIT_TEAM, Role.BOARD_MEMBER}),
    # Recommendations, review cycles and the RAG rating that counts.
    Action.MANAGE_ACTION_PLAN: frozenset({Role.EXECUTIVE}),
    # Evidence (professional leads: only for the recommendations they lead).
    Action.ADD_EVIDENCE: frozenset({Role.EXECUTIVE, Role.PROFESSIONAL_LEAD}),
    # "My recommendations".
    Action.LEAD_RECOMMENDATIONS: frozenset({Role.PROFESSIONAL_LEAD}),
    # Dashboards: figures only, never a child's case.
    Action.VIEW_AUDIT_DASHBOARD: frozenset({Role.AUDIT_TEAM, Role.EXECUTIVE, Role.BOARD_MEMBER}),
    Action.VIEW_RAG_DASHBOARD: frozenset({Role.AUDIT_TEAM, Role.EXECUTIVE, Role.BOARD_MEMBER}),
    # Six-monthly reports: the Executive prepares and publishes them...
    Action.MANAGE_REPORTS: frozenset({Role.EXECUTIVE}),
    # ...and the Board reads the published ones.
    Action.READ_PUBLISHED_REPORTS: frozenset({Role.BOARD_MEMBER, Role.EXECUTIVE, Role.AUDIT_TEAM}),
}


def can(user: User | AnonymousUser, action: Action) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    allowed = POLICY[action]
    return allowed is None or not allowed.isdisjoint(user.roles)


def people_who_can(action: Action) -> QuerySet[User]:
    """Active people whose roles let them do ``action``: for choosing auditors, leads."""
    from dscb.models import ROLE_FIELDS, User

    people = User.objects.filter(is_active=True)
    allowed = POLICY[action]
    if allowed is None:
        return people
    any_role = Q()
    for role in allowed:
        any_role |= Q(**{ROLE_FIELDS[role]: True})
    return people.filter(any_role)


def require(user: User | AnonymousUser, action: Action) -> None:
    if not can(user, action):
        raise PermissionDenied


def permission_required(
    action: Action, *, hidden: bool = False
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a view: anonymous visitors go to sign-in, others need ``action``.
    ``hidden`` pages (a child's case and what is in it) answer 404, not 403, to those
    without it, so nobody outside learns which cases exist."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if hidden and not can(request.user, action):
                raise Http404
            require(request.user, action)
            return view(request, *args, **kwargs)

        wrapped.access_action = action  # type: ignore[attr-defined]
        return wrapped

    return decorator


# --- Case audits: which rounds, cases and records a person may reach ------------------------
# Outside one's scope a case does not exist (404): nobody learns which children were
# audited. Inside it, what one may read but not change answers 403.


def _round_scope(user: User | AnonymousUser, prefix: str = "") -> Q:
    """The rounds ``user`` may see: every round for the audit team, only the rounds
    they are assigned to for an agency auditor, none for anyone else."""
    if can(user, Action.MANAGE_AUDITS):
        return Q()
    if can(user, Action.VIEW_AUDITS):
        return Q(**{f"{prefix}auditors": user})
    raise Http404


def visible_rounds(user: User | AnonymousUser, queryset: QuerySet | None = None) -> QuerySet:
    queryset = queryset if queryset is not None else apps.get_model("audits", "AuditRound").objects.all()
    try:
        return queryset.filter(_round_scope(user))
    except Http404:
        return queryset.none()


def audit_round_for(
    user: User | AnonymousUser, pk: int, *, manage: bool = False, queryset: QuerySet | None = None
) -> Any:
    queryset = queryset if queryset is not None else apps.get_model("audits", "AuditRound").objects.all()
    audit_round = get_object_or_404(queryset.filter(_round_scope(user)), pk=pk)
    if manage:
        require(user, Action.MANAGE_AUDITS)
    return audit_round


def case_for(user: User | AnonymousUser, pk: int, *, manage: bool = False, queryset: QuerySet | None = None) -> Any:
    queryset = queryset if queryset is not None else apps.get_model("audits", "AuditCase").objects.all()
    case = get_object_or_404(queryset.filter(_round_scope(user, "audit_round__")), pk=pk)
    if manage:
        require(user, Action.MANAGE_AUDITS)
    return case


def record_for(user: User | AnonymousUser, pk: int, *, edit: bool = False, queryset: QuerySet | None = None) -> Any:
    queryset = queryset if queryset is not None else apps.get_model("audits", "CaseRecord").objects.all()
    record = get_object_or_404(queryset.filter(_round_scope(user, "case__audit_round__")), pk=pk)
    if edit and not may_edit_agency_records(user, record.agency_id):
        raise PermissionDenied
    return record


def may_edit_agency_records(user: User | AnonymousUser, agency_id: int) -> bool:
    """The audit team edits every agency's records; an agency auditor only their own."""
    if can(user, Action.MANAGE_AUDITS):
        return True
    return can(user, Action.EDIT_CASE_RECORDS) and user.agency_id == agency_id
