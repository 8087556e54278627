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
    NavItem("Administration", "admin:index", Action.ADMINISTER, section="/admin/"),
    NavItem("Your account", "account", Action.USE_SERVICE, section="/account/"),
)


def items_for(user: object, path: str) -> list[dict[str, object]]:
    items = []
    for item in NAVIGATION:
        if not access.can(user, item.action):  # type: ignore[arg-type]
            continue
        url = reverse(item.url_name)
        current = path == url or bool(item.section and path.startswith(item.section))
        items.append({"label": item.label, "url": url, "current": current})
    return items
