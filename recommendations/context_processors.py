from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from recommendations import selectors


def plan_scale(request: HttpRequest) -> dict[str, object]:
    """The plan scale's words (as they are now) for every page, read only by a page that
    names them."""
    return {"plan_scale": SimpleLazyObject(selectors.plan_words)}
