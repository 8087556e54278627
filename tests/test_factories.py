"""The factories' made-up values stay valid however many a test process makes: a
sequence that outgrows a field's rule fails tests far from it, and only in a long run."""

from __future__ import annotations

import factory
import pytest
from factory.django import DjangoModelFactory

from tests import factories

SEQUENCED = [
    (model_factory, name, declaration)
    for model_factory in vars(factories).values()
    if isinstance(model_factory, type) and issubclass(model_factory, DjangoModelFactory) and model_factory._meta.model
    for name, declaration in model_factory._meta.declarations.items()
    if isinstance(declaration, factory.Sequence)
]


def test_there_are_sequences_to_check():
    assert any(name == "reference" for _, name, _ in SEQUENCED)


@pytest.mark.parametrize("n", [0, 998, 999, 1000, 20_000])
@pytest.mark.parametrize(
    ("model_factory", "name", "declaration"), SEQUENCED, ids=[f"{f.__name__}.{name}" for f, name, _ in SEQUENCED]
)
def test_every_sequence_value_passes_its_fields_rules(model_factory, name, declaration, n):
    field = model_factory._meta.model._meta.get_field(name)
    field.clean(declaration.function(n), None)
