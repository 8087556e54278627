"""The removed admin site's log goes with it (dscb/migrations/0012_drop_admin_log.py)."""

from __future__ import annotations

from django.db import connection

from tests.migrations import MIGRATION_TEST, back_to_the_latest, migrate  # noqa: F401  (its fixture)

pytestmark = MIGRATION_TEST


def test_a_database_that_had_the_admin_log_loses_it():
    migrate([("dscb", "0011_retention_rules")])
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE django_admin_log (id integer PRIMARY KEY, object_repr varchar(200))")
        cursor.execute("INSERT INTO django_admin_log VALUES (1, 'someone@example.org')")
    migrate([("dscb", "0012_drop_admin_log")])
    assert "django_admin_log" not in connection.introspection.table_names()
