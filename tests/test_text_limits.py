"""Every text limit is a rule of the model, not only of a form: a service, an importer or
a command saving through ``full_clean`` refuses text one character too long."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from dscb.apps import OUR_APPS

LIMITED = [
    pytest.param(field, id=f"{model._meta.label}.{field.name}")
    for model in apps.get_models()
    if model._meta.app_label in OUR_APPS
    for field in model._meta.local_fields
    if isinstance(field, models.CharField | models.TextField) and field.max_length and not field.choices
]


def test_there_are_long_texts_to_check():
    assert sum(isinstance(param.values[0], models.TextField) for param in LIMITED) > 30


def refusals(field: models.Field, text: str) -> list[str]:
    """The codes of the field's own validators' refusals (a colour or a URL field refuses
    "aaa" for other reasons too)."""
    try:
        field.run_validators(text)
    except ValidationError as refused:
        return [error.code or "" for error in refused.error_list]
    return []


@pytest.mark.parametrize("field", LIMITED)
def test_a_text_one_character_too_long_is_refused_by_the_model(field):
    assert "max_length" not in refusals(field, "a" * field.max_length)
    assert "max_length" in refusals(field, "a" * (field.max_length + 1))
