"""The demo, loaded once per test process and copied into each test that asks for it.

`seed_demo` goes through the services, history and all, which takes seconds; copying the
rows it wrote takes milliseconds. The first test to ask loads the demo for real, inside a
savepoint, reads back every row it added or changed (and every file it stored), and rolls
it back; each test then writes those same rows, ids included, into its own transaction.
So a test sees exactly what `seed_demo` leaves, and `seed_demo` itself is still what runs.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, models, transaction

import reports.demo
from tests.tables import Table, every_table


class _Rollback(Exception):
    pass


def _tables() -> list[Table]:
    # A generated column is computed by the database, which refuses a value for it.
    return every_table(generated=False)


def _files(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*") if path.is_file()}


@dataclass
class Snapshot:
    added: list[tuple[Table, list[tuple]]] = field(default_factory=list)
    changed: list[tuple[Table, Any, dict[str, Any]]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def taken_of(cls, load: Callable[[], None]) -> Snapshot:
        media = Path(settings.MEDIA_ROOT)
        files_before = _files(media) if media.exists() else {}
        tables = _tables()
        before = {table.model: table.rows() for table in tables}
        snapshot = cls()
        try:
            with transaction.atomic():
                load()
                for table in tables:
                    old = before[table.model]
                    new = table.rows()
                    if gone := old.keys() - new.keys():
                        raise AssertionError(f"the demo deleted {table.model.__name__} {sorted(gone)}: copy it by hand")
                    if added := [row for pk, row in new.items() if pk not in old]:
                        snapshot.added.append((table, added))
                    for pk in old.keys() & new.keys():
                        if old[pk] != new[pk]:
                            changes = {
                                f.attname: after
                                for f, was, after in zip(table.fields, old[pk], new[pk], strict=True)
                                if was != after
                            }
                            snapshot.changed.append((table, pk, changes))
                raise _Rollback
        except _Rollback:
            pass
        files_after = _files(media) if media.exists() else {}
        snapshot.files = {name: data for name, data in files_after.items() if files_before.get(name) != data}
        for name in snapshot.files:
            (media / name).unlink()
        return snapshot

    def copy_in(self) -> None:
        quote = connection.ops.quote_name
        # One transaction, so the foreign keys are checked once all the rows are in.
        with transaction.atomic(), connection.cursor() as cursor:
            for table, rows in self.added:
                columns = ", ".join(quote(f.column) for f in table.fields)
                marks = ", ".join(["%s"] * len(table.fields))
                cursor.executemany(
                    f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({marks})",  # noqa: S608 - our own table and column names
                    [
                        [f.get_db_prep_save(value, connection) for f, value in zip(table.fields, row, strict=True)]
                        for row in rows
                    ],
                )
            # Rows written with their ids leave PostgreSQL's sequences behind them.
            for statement in connection.ops.sequence_reset_sql(no_style(), [table.model for table, _ in self.added]):
                cursor.execute(statement)
            for table, pk, changes in self.changed:
                table.model._base_manager.filter(pk=pk).update(**changes)
        media = Path(settings.MEDIA_ROOT)
        for name, data in self.files.items():
            (media / name).parent.mkdir(parents=True, exist_ok=True)
            (media / name).write_bytes(data)


def _state() -> tuple[tuple[int, Any], ...]:
    """How many rows each table holds and its highest id. A snapshot is copied only into
    the state it was taken in, so its ids are free and every row it names is there; a
    test that wrote rows first, or a database emptied and filled again (as transactional
    tests leave it), gets a snapshot of its own."""
    quote = connection.ops.quote_name

    def highest(field: models.Field) -> str:
        column = quote(field.column)
        # As text, as a UNION wants one type; PostgreSQL has no MAX of a UUID.
        numeric = field.get_internal_type() in ("AutoField", "BigAutoField", "SmallAutoField")
        return f"CAST(MAX({column}) AS TEXT)" if numeric else f"MAX(CAST({column} AS TEXT))"

    counts = " UNION ALL ".join(
        f"SELECT COUNT(*), {highest(table.fields[table.pk_index])} FROM {quote(table.name)}"  # noqa: S608 - our own table and column names
        for table in _tables()
    )
    with connection.cursor() as cursor:
        cursor.execute(counts)
        return tuple(cursor.fetchall())


_taken: dict[tuple[str, tuple[tuple[int, Any], ...]], Snapshot] = {}


def load(name: str, seed: Callable[[], None]) -> None:
    """What ``seed`` writes, as it writes it: run for real the first time this process asks
    for ``name`` in this state of the database, copied from then on."""
    key = (name, _state())
    if key not in _taken:
        _taken[key] = Snapshot.taken_of(seed)
    _taken[key].copy_in()


def load_demo(settings: Any, *, report: bool = True) -> None:
    """Everything `manage.py seed_demo` loads; without ``report``, all but its published
    report, whose PDFs would double the first load's cost. The command refuses to run
    unless DEBUG is on, and the service must then run with it off."""

    def seed() -> None:
        with mock.patch.object(reports.demo, "load", reports.demo.load if report else lambda: None):
            call_command("seed_demo", stdout=io.StringIO())

    settings.DEBUG = True
    try:
        load("demo" if report else "demo without its report", seed)
    finally:
        settings.DEBUG = False
