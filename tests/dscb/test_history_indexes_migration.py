"""dscb/migrations/0013_history_indexes.py adds the history's indexes and takes them away."""

from __future__ import annotations

from django.db import connection

from tests.migrations import MIGRATION_TEST, back_to_the_latest, migrate  # noqa: F401  (its fixture)

pytestmark = MIGRATION_TEST

INDEXES = {"auditlog_logentry_case_id_time", "auditlog_logentry_recommendation_id_time"}


def index_names() -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "auditlog_logentry")
    return {name for name, about in constraints.items() if about["index"]}


def test_the_migration_adds_the_indexes_and_takes_them_away():
    assert index_names() >= INDEXES
    migrate([("dscb", "0012_drop_admin_log")])
    assert not INDEXES & index_names()
    migrate([("dscb", "0013_history_indexes")])
    assert index_names() >= INDEXES
