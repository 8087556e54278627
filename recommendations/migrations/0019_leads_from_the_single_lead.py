"""Each recommendation's one lead becomes its first lead; going back, the first person
lead becomes the one lead again (role leads had no place before)."""

from django.db import migrations


def to_leads(apps, schema_editor):
    Recommendation = apps.get_model("recommendations", "Recommendation")
    RecommendationLead = apps.get_model("recommendations", "RecommendationLead")
    RecommendationLead.objects.bulk_create(
        RecommendationLead(recommendation_id=pk, person_id=lead_id, position=1)
        for pk, lead_id in Recommendation.objects.filter(lead__isnull=False).values_list("pk", "lead_id")
    )


def to_single_lead(apps, schema_editor):
    Recommendation = apps.get_model("recommendations", "Recommendation")
    RecommendationLead = apps.get_model("recommendations", "RecommendationLead")
    first: dict[int, int] = {}
    for recommendation_id, person_id in (
        RecommendationLead.objects.filter(person__isnull=False)
        .order_by("recommendation_id", "-position", "-pk")
        .values_list("recommendation_id", "person_id")
    ):
        first[recommendation_id] = person_id  # the last written is the first in order
    for recommendation_id, person_id in first.items():
        Recommendation.objects.filter(pk=recommendation_id).update(lead_id=person_id)
    RecommendationLead.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0018_leads_people_and_roles")]

    operations = [migrations.RunPython(to_leads, to_single_lead)]
