"""The one access policy: what each role may do.

Views never test roles. They name the action they perform and ask this module, which
either lets them through, raises ``PermissionDenied`` (the person may know the page
exists but may not use it) or, for objects outside a person's scope, ``Http404``.
The table below is data: the permission-matrix test imports it. This module imports no
models (the roles are in ``dscb.roles``; people are chosen in ``dscb.selectors``), so
models may ask it and every app may import it (the contract in pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseRedirect, QueryDict
from django.shortcuts import resolve_url

from dscb.roles import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http.response import HttpResponseBase

    from dscb.models import User


class Action(StrEnum):
    USE_SERVICE = "use_service"
    ADMINISTER = "administer"
    VIEW_AUDITS = "view_audits"
    MANAGE_AUDITS = "manage_audits"
    EDIT_CASE_RECORDS = "edit_case_records"
    VIEW_ACTION_PLAN = "view_action_plan"
    MANAGE_ACTION_PLAN = "manage_action_plan"
    RAISE_RECOMMENDATIONS = "raise_recommendations"
    ADD_EVIDENCE = "add_evidence"
    LEAD_RECOMMENDATIONS = "lead_recommendations"
    VIEW_AUDIT_DASHBOARD = "view_audit_dashboard"
    VIEW_RAG_DASHBOARD = "view_rag_dashboard"
    MANAGE_REPORTS = "manage_reports"
    READ_PUBLISHED_REPORTS = "read_published_reports"
    VIEW_SECURITY_EVENTS = "view_security_events"


# ``None``: anyone the board has given an active account, whatever their roles.
POLICY: dict[Action, frozenset[Role] | None] = {
    # Home, account and MFA pages.
    Action.USE_SERVICE: None,
    # The administration pages: people and their roles, agencies and the reference
    # scales, retention and legal holds.
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
    # Raise a recommendation from a case audit round into an action plan (the audit team:
    # only into a section whose source is that round; the Executive rates and leads it).
    Action.RAISE_RECOMMENDATIONS: frozenset({Role.EXECUTIVE, Role.AUDIT_TEAM}),
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
    # Sign-ins, failures, lockouts, changes to passwords, MFA and roles, case-data downloads.
    Action.VIEW_SECURITY_EVENTS: frozenset({Role.ADMINISTRATOR}),
}


class AuthenticatedRequest(HttpRequest):
    """The request a view behind ``permission_required`` receives: someone is signed in."""

    user: User


def can(user: User | AnonymousUser, action: Action) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    allowed = POLICY[action]
    return allowed is None or not allowed.isdisjoint(user.roles)


def redirect_to_login(next_url: str) -> HttpResponseRedirect:
    """Django's own (``django.contrib.auth.views``) imports the auth forms, which need the
    user model loaded: this module is imported while models load, so it has its own."""
    query = QueryDict(mutable=True)
    query[REDIRECT_FIELD_NAME] = next_url
    return HttpResponseRedirect(f"{resolve_url(settings.LOGIN_URL)}?{query.urlencode(safe='/')}")


def require(user: User | AnonymousUser, action: Action) -> None:
    if not can(user, action):
        raise PermissionDenied


def permission_required(
    action: Action, *, hidden: bool = False
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Decorate a view: anonymous visitors go to sign-in, others need ``action``.
    ``hidden`` pages (a child's case and what is in it) answer 404, not 403, to those
    without it, so nobody outside learns which cases exist."""

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if hidden and not can(request.user, action):
                raise Http404
            require(request.user, action)
            return view(request, *args, **kwargs)

        wrapped.access_action = action  # type: ignore[attr-defined]
        return wrapped

    return decorator
