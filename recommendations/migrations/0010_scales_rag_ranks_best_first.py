"""RAG statuses were ranked worst first, grades best first: every scale is now best
first (Green 1 ... Red 4). Turning the ranks round is its own inverse, so the same
function reverses it. Two steps, so the unique rank is never held twice mid-way."""

from django.db import migrations
from django.db.models import F, Max

OUT_OF_THE_WAY = 10000


def turn_round(apps, schema_editor):
    RagStatus = apps.get_model("recommendations", "RagStatus")
    highest = RagStatus.objects.aggregate(highest=Max("rank"))["highest"]
    if highest is None:
        return
    RagStatus.objects.update(rank=F("rank") + OUT_OF_THE_WAY)
    RagStatus.objects.update(rank=highest + 1 + OUT_OF_THE_WAY - F("rank"))


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0009_scales_seed_plan_scale")]

    operations = [migrations.RunPython(turn_round, turn_round)]
