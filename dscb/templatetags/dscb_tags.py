"""Small, pure template helpers: none of them queries the database."""

from __future__ import annotations

from django import forms, template

register = template.Library()


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
