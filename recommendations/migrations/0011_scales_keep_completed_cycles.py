"""Updates completed before scales were kept: each keeps the scale as it is now, so a
status renamed from here on does not rewrite them."""

from django.db import migrations


def keep(apps, schema_editor):
    PlanScale = apps.get_model("recommendations", "PlanScale")
    RagStatus = apps.get_model("recommendations", "RagStatus")
    ReviewCycle = apps.get_model("recommendations", "ReviewCycle")
    ProgressUpdate = apps.get_model("recommendations", "ProgressUpdate")
    words = PlanScale.objects.order_by("pk").first()
    for cycle in ReviewCycle.objects.filter(state="completed", scale__isnull=True):
        used = ProgressUpdate.objects.filter(cycle=cycle, rag__isnull=False).values("rag_id")
        statuses = RagStatus.objects.filter(is_active=True) | RagStatus.objects.filter(pk__in=used)
        cycle.scale = {
            "name": words.name,
            "short_name": words.short_name,
            "plural": words.plural,
            "not_rated": words.not_rated,
            "attention_heading": words.attention_heading,
            "levels": [
                {
                    "pk": status.pk,
                    "label": status.label,
                    "rank": status.rank,
                    "colour": status.colour,
                    "text_colour": status.text_colour,
                    "counts_as_done": status.counts_as_done,
                    "needs_attention": status.needs_attention,
                    "is_active": status.is_active,
                }
                for status in statuses.distinct().order_by("rank")
            ],
        }
        cycle.save(update_fields=["scale"])


def forget(apps, schema_editor):
    apps.get_model("recommendations", "ReviewCycle").objects.update(scale=None)


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0010_scales_rag_ranks_best_first")]

    operations = [migrations.RunPython(keep, forget)]
