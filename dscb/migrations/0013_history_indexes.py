"""The case page and the recommendation page read their history and reads by a key in
auditlog's ``additional_data`` (``case_id``, ``recommendation_id``), newest first. Without
an index each look-up reads the whole log: with a million rows, half a second a page.

One index per key, on the same expression ``dscb.selectors.logged_about`` writes (an index
on an expression serves only a query that spells the same expression), then the time, so
"newest first" reads the index in order and stops at the page's limit. PostgreSQL leaves
out the rows without the key (reads of reports, people's history)."""

from django.db import migrations

KEYS = ("case_id", "recommendation_id")


def _name(key: str) -> str:
    return f"auditlog_logentry_{key}_time"


def _expression(vendor: str, key: str) -> str:
    if vendor == "postgresql":
        return f"(additional_data -> '{key}')"
    return f"JSON_EXTRACT(additional_data, '$.{key}')"


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for key in KEYS:
        where = f" WHERE {_expression(vendor, key)} IS NOT NULL" if vendor == "postgresql" else ""
        schema_editor.execute(
            f"CREATE INDEX {_name(key)} ON auditlog_logentry "
            f"({_expression(vendor, key)}, timestamp DESC, id DESC){where}"
        )


def drop(apps, schema_editor):
    for key in KEYS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {_name(key)}")


class Migration(migrations.Migration):
    dependencies = [
        ("dscb", "0012_drop_admin_log"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(create, drop)]
