"""The service navigation: each entry names the action it needs, so people see only
what the access policy lets them use. ``dscb`` knows nothing of the sections: each
registers its entries when its app is ready (in INSTALLED_APPS order), between the
board's own first and last entries."""

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


FIRST: tuple[NavItem, ...] = (NavItem("Home", "home", Action.USE_SERVICE),)
SECTIONS: list[NavItem] = []
LAST: tuple[NavItem, ...] = (
    NavItem("Administration", "administration", Action.ADMINISTER, section="/administration/"),
    NavItem("Your account", "account", Action.USE_SERVICE, section="/account/"),
)


def register(*items: NavItem) -> None:
    for item in items:
        if item not in SECTIONS:
            SECTIONS.append(item)


def items_for(user: object, path: str) -> list[dict[str, object]]:
    visible = [item for item in (*FIRST, *SECTIONS, *LAST) if access.can(user, item.action)]  # type: ignore[arg-type]
    urls = {item: reverse(item.url_name) for item in visible}
    # The current section is the one whose address matches the page most closely.
    matching = [item for item in visible if path == urls[item] or (item.section and path.startswith(item.section))]
    current = max(matching, key=lambda item: len(item.section or urls[item]), default=None)
    return [{"label": item.label, "url": urls[item], "current": item == current} for item in visible]
