"""The Django admin site was removed (people and reference data have the service's own
pages). Its log, ``django_admin_log``, named people and what they changed; nothing reads
or writes it now and auditlog keeps the same changes, so a database made before then
drops it rather than keep personal data for no purpose. A new database never had it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("dscb", "0011_retention_rules"),
    ]

    operations = [
        # Not recreated on the way back: the admin site that wrote it is gone.
        migrations.RunSQL("DROP TABLE IF EXISTS django_admin_log", reverse_sql=migrations.RunSQL.noop),
    ]
