"""The professional lead's panel on the home page: what the open update still needs."""

from __future__ import annotations

from django.utils import timezone

from dscb import home_panels
from dscb.access import Action, AuthenticatedRequest
from recommendations import selectors
from recommendations.models import Recommendation


def lead_panel(request: AuthenticatedRequest) -> dict[str, object]:
    plans = selectors.plans()
    plan_cycles = selectors.cycles_by_plan(plans)
    led = Recommendation.objects.none()
    for plan in plans:
        led = led | selectors.led_by(request.user, plan)
    rows = selectors.rows_across_plans(plans, plan_cycles, today=timezone.localdate(), recommendations=led)
    open_cycles = [cycles.open for cycles in plan_cycles.values() if cycles.open]
    in_open = [row for row in rows if plan_cycles[row.recommendation.plan_id].open]
    return {
        "open_cycle": open_cycles[0] if len(open_cycles) == 1 else None,
        "open_cycles": open_cycles,
        "led": len(rows),
        "needing_evidence": [row for row in in_open if row.needs_evidence],
    }


PANEL = home_panels.HomePanel(
    action=Action.LEAD_RECOMMENDATIONS, template="recommendations/partials/home_panel.html", context=lead_panel
)


def register() -> None:
    home_panels.register(PANEL)
