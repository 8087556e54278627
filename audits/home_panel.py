"""The case audits panel on the home page, a to-do list: for the audit team, each round
not completed with its step and what it needs next, the returns overdue and the open
requests for immediate intervention; for an agency auditor, their agency's returns in
each round they are assigned to and when they are due. Open and overdue requests are
never lost from sight."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from audits import selectors
from audits.lists import OpenEscalations
from audits.selectors import ReturnStatus, RoundProgress
from dscb import access, home_panels
from dscb.access import Action, AuthenticatedRequest

WAITING = {ReturnStatus.NOT_STARTED, ReturnStatus.IN_PROGRESS, ReturnStatus.OVERDUE}


@dataclass(frozen=True)
class AgencyReturns:
    """An agency auditor's returns in one round: the cases still waiting for their record."""

    progress: RoundProgress
    waiting: list[str]
    overdue: bool


def _agency_returns(progress: RoundProgress, agency_pk: int) -> AgencyReturns:
    waiting = [row.case.reference for row in progress.grid if row.statuses.get(agency_pk) in WAITING]
    overdue = any(row.statuses.get(agency_pk) == ReturnStatus.OVERDUE for row in progress.grid)
    return AgencyReturns(progress=progress, waiting=waiting, overdue=overdue)


def escalations_panel(request: AuthenticatedRequest) -> dict[str, object]:
    user = request.user
    rounds = selectors.rounds_in_progress(user, today=timezone.localdate())
    can_manage = access.can(user, Action.MANAGE_AUDITS)
    returns = [] if can_manage or user.agency_id is None else [_agency_returns(p, user.agency_id) for p in rounds]
    overdue = sum(
        status == ReturnStatus.OVERDUE
        for progress in rounds
        for row in progress.grid
        for status in row.statuses.values()
    )
    return {
        "escalations": OpenEscalations(user=user),
        "rounds": rounds,
        "returns": returns,
        "returns_overdue": overdue,
        "can_manage": can_manage,
    }


PANEL = home_panels.HomePanel(
    action=Action.VIEW_AUDITS, template="audits/partials/home_panel.html", context=escalations_panel
)


def register() -> None:
    home_panels.register(PANEL)
