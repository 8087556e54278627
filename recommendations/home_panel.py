"""The professional lead's panel on the home page: a to-do list of what each open update
still needs from them, recommendation by recommendation."""

from __future__ import annotations

from dscb import home_panels
from dscb.access import Action, AuthenticatedRequest
from recommendations import selectors


def lead_panel(request: AuthenticatedRequest) -> dict[str, object]:
    updates = selectors.lead_to_do(request.user)
    return {"updates": updates, "short_name": selectors.plan_words().short_name if updates else ""}


PANEL = home_panels.HomePanel(
    action=Action.LEAD_RECOMMENDATIONS, template="recommendations/partials/home_panel.html", context=lead_panel
)


def register() -> None:
    home_panels.register(PANEL)
