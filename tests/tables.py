"""Every row of a table, read back as the database holds it: for the tests that compare
what tables held before something with what they hold after it (the demo's snapshot in
tests/demo_snapshot.py, the POST walk in tests/test_post_walk.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models


@dataclass(frozen=True)
class Table:
    model: type[models.Model]
    fields: tuple[models.Field, ...]

    @classmethod
    def of(cls, model: type[models.Model], *, generated: bool = True) -> Table:
        """The table's own columns; without ``generated``, not those the database
        computes, which it refuses a value for."""
        return cls(model, tuple(f for f in model._meta.local_concrete_fields if generated or not f.generated))

    @property
    def name(self) -> str:
        return self.model._meta.db_table

    @property
    def pk_index(self) -> int:
        return next(i for i, f in enumerate(self.fields) if f.primary_key)

    def rows(self) -> dict[Any, tuple]:
        """Every row, by primary key, in its order."""
        attnames = [f.attname for f in self.fields]
        return {row[self.pk_index]: row for row in self.model._base_manager.order_by("pk").values_list(*attnames)}


def every_table(*, generated: bool = True) -> list[Table]:
    """Each table Django knows of once, many-to-many tables included."""
    seen: set[str] = set()
    tables = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in seen:
            continue
        seen.add(meta.db_table)
        tables.append(Table.of(model, generated=generated))
    return tables
