"""The action plan's four RAG statuses, worst first, as the seed report uses them.
"Not yet rated" is deliberately absent: it is no rating, not a colour."""

from django.db import migrations

# label, rank (1 is worst), background, text, description
STATUSES = [
    ("Red", 1, "#d4351c", "#ffffff", "Not started, or serious concern that it will not be achieved."),
    ("Orange", 2, "#f47738", "#0b0c0c", "Started but behind plan: action is needed to bring it back on track."),
    ("Amber", 3, "#ffdd00", "#0b0c0c", "Progressing to plan, with further work to finish."),
    ("Green", 4, "#00703c", "#ffffff", "Achieved, or fully on track with evidence of impact."),
]


def seed(apps, schema_editor):
    RagStatus = apps.get_model("recommendations", "RagStatus")
    for label, rank, colour, text_colour, description in STATUSES:
        RagStatus.objects.get_or_create(
            label=label,
            defaults={"rank": rank, "colour": colour, "text_colour": text_colour, "description": description},
        )


def unseed(apps, schema_editor):
    apps.get_model("recommendations", "RagStatus").objects.filter(label__in=[s[0] for s in STATUSES]).delete()


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
