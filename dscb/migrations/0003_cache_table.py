"""The database cache table, so that `migrate` is the only set-up step. The cache
holds sign-in throttling counters, which must be shared by every worker process."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name('dscb_cache')}")


class Migration(migrations.Migration):
    dependencies = [("dscb", "0002_seed_agencies")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
