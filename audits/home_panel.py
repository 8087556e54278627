"""The case audits panel on the home page: open and overdue requests for immediate
intervention are never lost from sight."""

from __future__ import annotations

from audits.lists import OpenEscalations
from dscb import home_panels
from dscb.access import Action, AuthenticatedRequest


def escalations_panel(request: AuthenticatedRequest) -> dict[str, object]:
    return {"escalations": OpenEscalations(user=request.user)}


PANEL = home_panels.HomePanel(
    action=Action.VIEW_AUDITS, template="audits/partials/home_panel.html", context=escalations_panel
)


def register() -> None:
    home_panels.register(PANEL)
