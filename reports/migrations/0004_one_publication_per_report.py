"""A report is published once: the database refuses a second publication."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_one_report_per_publication")]

    operations = [
        migrations.AddConstraint(
            model_name="publishedreport",
            constraint=models.UniqueConstraint(fields=("report",), name="one_publication_per_report"),
        ),
    ]
