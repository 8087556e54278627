"""Before "a report is published once" (the next migration), a report published twice (two
Executives at once) keeps its first publication; each later one moves to a copy of the
report, so every document the Board saw stays downloadable. Its own migration: on
PostgreSQL a table cannot be altered in the transaction that just wrote to it."""

from django.db import migrations


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
    dependencies = [("reports", "0002_section_versions")]

    operations = [migrations.RunPython(one_publication_per_report, migrations.RunPython.noop)]
