"""The case audits panel on the home page: open and overdue requests for immediate
intervention are never lost from sight."""

from __future__ import annotations

from django.utils import timezone

from audits import selectors
from dscb import home_panels
from dscb.access import Action, AuthenticatedRequest


def escalations_panel(request: AuthenticatedRequest) -> dict[str, object]:
    return selectors.escalation_summary(request.user, timezone.localdate())


PANEL = home_panels.HomePanel(
    action=Action.VIEW_AUDITS, template="audits/partials/home_panel.html", context=escalations_panel
)


def register() -> None:
    home_panels.register(PANEL)
