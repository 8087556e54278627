"""A recommendation's state "completed" was never used by the service: one done is closed,
in the latest update."""

from __future__ import annotations

from django.db import migrations


def completed_to_closed(apps, schema_editor):
    Recommendation = apps.get_model("recommendations", "Recommendation")
    ReviewCycle = apps.get_model("recommendations", "ReviewCycle")
    for recommendation in Recommendation.objects.filter(state__in=["completed", "closed"], closed_in__isnull=True):
        latest = ReviewCycle.objects.filter(plan_id=recommendation.plan_id).order_by("-due_on", "-pk").first()
        recommendation.state = "closed"
        recommendation.closed_in = latest
        recommendation.save(update_fields=["state", "closed_in"])


def closed_to_completed(apps, schema_editor):
    pass  # "closed" was valid before, too


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0015_close_evidence_in_error_and_closure")]

    operations = [migrations.RunPython(completed_to_closed, closed_to_completed)]
