"""The plan scale's words, and what each status means to the code, which until now was
guessed from its rank: the top status (Green) counts as done, the bottom one (Red)
needs attention. Runs before the ranks turn round (0008), so "top" is the highest rank."""

from django.db import migrations


def seed(apps, schema_editor):
    PlanScale = apps.get_model("recommendations", "PlanScale")
    RagStatus = apps.get_model("recommendations", "RagStatus")
    if not PlanScale.objects.exists():
        PlanScale.objects.create(
            name="RAG rating",
            short_name="RAG",
            plural="RAG ratings",
            not_rated="Not yet rated",
            attention_heading="Red and overdue",
        )
    statuses = list(RagStatus.objects.filter(is_active=True).order_by("rank"))
    if statuses:
        RagStatus.objects.filter(pk=statuses[-1].pk).update(counts_as_done=True)
        RagStatus.objects.filter(pk=statuses[0].pk).update(needs_attention=True)


def unseed(apps, schema_editor):
    apps.get_model("recommendations", "PlanScale").objects.all().delete()
    apps.get_model("recommendations", "RagStatus").objects.update(counts_as_done=False, needs_attention=False)


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0008_scales_flags_and_words")]

    operations = [migrations.RunPython(seed, unseed)]
