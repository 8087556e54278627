"""A rating's tag and a point of evidence for the partials that show one
(rag_tag.html, evidence_item.html): written once, in recommendations.cells, which the
long lists call row by row."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from recommendations import cells
from recommendations.models import Evidence, RagStatus

register = template.Library()


@register.simple_tag
def rag_tag(rag: RagStatus | None, not_rated: str = "") -> SafeString:
    return cells.rag_tag(rag, not_rated)


@register.simple_tag
def evidence_item(item: Evidence, marked: bool = False) -> SafeString:
    return cells.evidence_item(item, marked=bool(marked))
