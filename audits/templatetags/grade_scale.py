"""The grade scale's words for a partial included with ``only``, which sees no context
processor. Read once a request (audits.selectors.grade_scale), so a page of tags costs at
most one query, and none when the page has read the scale already."""

from __future__ import annotations

from django import template

from audits import selectors
from audits.models import GradeScale

register = template.Library()


@register.simple_tag
def grade_scale() -> GradeScale:
    return selectors.grade_scale()
