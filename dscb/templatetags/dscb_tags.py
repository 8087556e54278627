"""Small, pure template helpers: none of them queries the database."""

from __future__ import annotations

import re

from django import forms, template

register = template.Library()

HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


@register.filter
def error_anchor(bound_field: forms.BoundField) -> str:
    """The id the GOV.UK error summary links to: the field's first input. The GDS
    pack numbers radios and checkboxes from 1, a date's day/month/year parts from 0."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"{bound_field.auto_id}_1"
    if isinstance(widget, forms.MultiWidget):
        return f"{bound_field.auto_id}_0"
    return bound_field.auto_id


@register.filter
def get_item(mapping: dict, key: object) -> object:
    return mapping.get(key)


@register.filter
def css_colour(value: object, fallback: str = "#b1b4b6") -> str:
    """A colour for a style sheet or an SVG: the stored value only if it is #rrggbb, else
    ``fallback`` (grey; give black for text). The models validate colours, but a row
    written around them must still not put CSS of its own into a style sheet or a PDF."""
    return value if isinstance(value, str) and HEX_COLOUR.fullmatch(value) else fallback
