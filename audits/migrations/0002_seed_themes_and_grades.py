"""The five audit themes and the Ofsted descriptors (DESIGN.md, "Reference data")."""

from django.db import migrations

THEMES = [
    "Record keeping",
    "Multi-agency working",
    "Identification of risk to children",
    "Effectiveness of child protection meetings",
    "Supervision and management oversight",
]

# label, rank (1 is best), meets the "adequate or better" threshold
GRADES = [
    ("Outstanding", 1, True),
    ("Good", 2, True),
    ("Adequate", 3, True),
    ("Inadequate", 4, False),
]


def seed(apps, schema_editor):
    Theme = apps.get_model("audits", "Theme")
    Grade = apps.get_model("audits", "Grade")
    for position, name in enumerate(THEMES, start=1):
        Theme.objects.get_or_create(name=name, defaults={"position": position})
    for label, rank, meets_threshold in GRADES:
        Grade.objects.get_or_create(label=label, defaults={"rank": rank, "meets_threshold": meets_threshold})


def unseed(apps, schema_editor):
    apps.get_model("audits", "Theme").objects.filter(name__in=THEMES).delete()
    apps.get_model("audits", "Grade").objects.filter(label__in=[g[0] for g in GRADES]).delete()


class Migration(migrations.Migration):
    dependencies = [("audits", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
