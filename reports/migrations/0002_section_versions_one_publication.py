"""Edits to evidence of impact carry a version (a second save is refused, never lost), and
a report is published once. A report published twice before this rule existed (two
Executives at once) keeps its first publication; each later one moves to a copy of the
report, so every document the Board saw stays downloadable."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def one_publication_per_report(apps, schema_editor):
    Report = apps.get_model("reports", "Report")
    NarrativeSection = apps.get_model("reports", "NarrativeSection")
    PublishedReport = apps.get_model("reports", "PublishedReport")
    for report in Report.objects.all():
        publications = list(PublishedReport.objects.filter(report=report).order_by("published_at", "pk"))
        for later in publications[1:]:
            copy = Report.objects.create(
                title=report.title,
                cycle_id=report.cycle_id,
                period_start=report.period_start,
                period_end=report.period_end,
                updated_by_id=report.updated_by_id,
            )
            for section in NarrativeSection.objects.filter(report=report):
                NarrativeSection.objects.create(
                    report=copy, heading=section.heading, body=section.body, position=section.position
                )
            later.report = copy
            later.save(update_fields=["report"])


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_reports"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="narrativesection",
            name="updated_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.AddField(
            model_name="narrativesection",
            name="updated_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="narrativesection",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.RunPython(one_publication_per_report, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="publishedreport",
            constraint=models.UniqueConstraint(fields=("report",), name="one_publication_per_report"),
        ),
    ]
