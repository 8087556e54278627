from __future__ import annotations

from django.http import HttpRequest

from dscb.access import Action, can


def case_search(request: HttpRequest) -> dict[str, object]:
    """Every case audit page offers the search by board reference, to whoever may open them."""
    match, user = request.resolver_match, getattr(request, "user", None)
    if match is None or match.app_name != "audits" or user is None or not can(user, Action.VIEW_AUDITS):
        return {}
    return {"section_search": "audits/partials/case_search.html"}
