"""Nothing forwards. Backwards, after 0007 has put the sort key's plain columns back (at
zero), fill them from each number again, as ``Recommendation.clean()`` did."""

from django.db import migrations


def refill_sort_key(apps, schema_editor):
    Recommendation = apps.get_model("recommendations", "Recommendation")
    recommendations = list(Recommendation.objects.only("pk", "number"))
    for recommendation in recommendations:
        major, _, minor = recommendation.number.partition(".")
        recommendation.number_major, recommendation.number_minor = int(major or 0), int(minor or 0)
    Recommendation.objects.bulk_update(recommendations, ["number_major", "number_minor"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0005_rag_status_versions")]

    operations = [migrations.RunPython(migrations.RunPython.noop, refill_sort_key)]
