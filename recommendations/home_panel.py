"""The professional lead's panel on the home page: what the open update still needs."""

from __future__ import annotations

from django.utils import timezone

from dscb import home_panels
from dscb.access import Action, AuthenticatedRequest
from recommendations import selectors


def lead_panel(request: AuthenticatedRequest) -> dict[str, object]:
    plan = selectors.the_plan()
    if plan is None:
        return {"rows": [], "open_cycle": None}
    plan_cycles = selectors.cycles(plan)
    rows = selectors.recommendation_rows(
        plan, plan_cycles, today=timezone.localdate(), recommendations=selectors.led_by(request.user, plan)
    )
    return {
        "open_cycle": plan_cycles.open,
        "led": len(rows),
        "needing_evidence": [row for row in rows if row.needs_evidence] if plan_cycles.open else [],
    }


PANEL = home_panels.HomePanel(
    action=Action.LEAD_RECOMMENDATIONS, template="recommendations/partials/home_panel.html", context=lead_panel
)


def register() -> None:
    home_panels.register(PANEL)
