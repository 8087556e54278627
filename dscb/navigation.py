"""The service navigation: each entry names the action it needs, so people see only
what the access policy lets them use. Later sections add their entries here."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from dscb import access
from dscb.access import Action


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    action: Action
    # URL prefixes that count as "inside" this section, for aria-current.
    section: str = ""


NAVIGATION: tuple[NavItem, ...] = (
    NavItem("Home", "home", Action.USE_SERVICE),
    NavItem("Case audits", "audits:round_list", Action.VIEW_AUDITS, section="/audits/"),
    NavItem("My recommendations", "recommendations:mine", Action.LEAD_RECOMMENDATIONS, section="/action-plan/mine/"),
    NavItem("Action plan", "recommendations:plan", Action.VIEW_ACTION_PLAN, section="/action-plan/"),
    NavItem("Dashboards", "reports:audit_dashboard", Action.VIEW_AUDIT_DASHBOARD, section="/dashboards/"),
    NavItem("Reports", "reports:report_list", Action.READ_PUBLISHED_REPORTS, section="/reports/"),
    NavItem("Administration", "admin:index", Action.ADMINISTER, section="/admin/"),
    NavItem("Your account", "account", Action.USE_SERVICE, section="/account/"),
)


def items_for(user: object, path: str) -> list[dict[str, object]]:
    visible = [item for item in NAVIGATION if access.can(user, item.action)]  # type: ignore[arg-type]
    urls = {item: reverse(item.url_name) for item in visible}
    # The current section is the one whose address matches the page most closely.
    matching = [item for item in visible if path == urls[item] or (item.section and path.startswith(item.section))]
    current = max(matching, key=lambda item: len(item.section or urls[item]), default=None)
    return [{"label": item.label, "url": urls[item], "current": item == current} for item in visible]
