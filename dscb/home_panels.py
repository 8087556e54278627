"""Panels on the home page, contributed by each section of the service. The home page
lives in ``dscb``, which knows nothing of the sections; they register what to show,
and for whom, when their app is ready."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dscb import access
from dscb.access import Action, AuthenticatedRequest


@dataclass(frozen=True)
class HomePanel:
    action: Action
    template: str
    context: Callable[[AuthenticatedRequest], dict[str, object]]


PANELS: list[HomePanel] = []


def register(panel: HomePanel) -> None:
    if panel not in PANELS:
        PANELS.append(panel)


def panels_for(request: AuthenticatedRequest) -> list[dict[str, object]]:
    return [
        {"template": panel.template, "context": panel.context(request)}
        for panel in PANELS
        if access.can(request.user, panel.action)
    ]
