"""The plan scale's words for a partial included with ``only``, which sees no context
processor. Read once a request (recommendations.selectors.plan_words), so a page of tags
costs at most one query, and none when the page has read the scale already."""

from __future__ import annotations

from django import template

from recommendations import selectors
from recommendations.models import PlanScale

register = template.Library()


@register.simple_tag
def plan_scale() -> PlanScale:
    return selectors.plan_words()
