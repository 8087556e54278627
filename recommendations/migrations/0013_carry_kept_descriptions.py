"""Completed updates kept their scale without what each status means: each kept status
takes its description as it is now, so the key of an update's report explains it."""

from django.db import migrations


def describe(apps, schema_editor):
    RagStatus = apps.get_model("recommendations", "RagStatus")
    ReviewCycle = apps.get_model("recommendations", "ReviewCycle")
    descriptions = dict(RagStatus.objects.values_list("pk", "description"))
    for cycle in ReviewCycle.objects.filter(scale__isnull=False):
        levels = cycle.scale.get("levels", [])
        if all("description" in level for level in levels):
            continue
        for level in levels:
            level.setdefault("description", descriptions.get(level.get("pk"), ""))
        cycle.save(update_fields=["scale"])


def forget(apps, schema_editor):
    ReviewCycle = apps.get_model("recommendations", "ReviewCycle")
    for cycle in ReviewCycle.objects.filter(scale__isnull=False):
        for level in cycle.scale.get("levels", []):
            level.pop("description", None)
        cycle.save(update_fields=["scale"])


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0012_rating_names_in_the_scales_words")]

    operations = [migrations.RunPython(describe, forget)]
