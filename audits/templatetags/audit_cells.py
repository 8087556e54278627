"""The grade tag for the partial that shows one (grade_tag.html): written once, in
audits.cells, which the lists call row by row."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from audits import cells
from audits.models import Grade

register = template.Library()


@register.simple_tag
def grade_tag(grade: Grade | None = None) -> SafeString:
    return cells.grade_tag(grade)
