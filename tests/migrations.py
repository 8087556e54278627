"""Tests of data migrations: move the database to some migrations, and always back to
the latest ones afterwards, as every other test expects it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# Data migration tests run outside a test transaction, and put back what they found.
MIGRATION_TEST = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def migrate(targets: list[tuple[str, str]]) -> Apps:
    """The database at ``targets``; the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def back_to_the_latest() -> Iterator[None]:
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
