"""The agencies named in the board's case audits (DESIGN.md, "Reference data")."""

from django.db import migrations

AGENCIES = [
    ("Police", "Police"),
    ("Children's Social Care: Early Years and Families", "EY&F"),
    ("Children's Social Care: Integrated Children's Service", "ICS"),
    ("Health: GP", "GP"),
    ("Health: Health Visiting", "Health Visiting"),
    ("Health: School Nursing", "School Nursing"),
    ("Health: Acute trust", "Acute trust"),
    ("Adult mental health: Devon Partnership Trust", "DPT"),
    ("Education", "Education"),
    ("Probation", "Probation"),
    ("Youth Offending Service", "YOS"),
    ("District Councils", "District Councils"),
]


def seed(apps, schema_editor):
    Agency = apps.get_model("dscb", "Agency")
    for position, (name, short_name) in enumerate(AGENCIES, start=1):
        Agency.objects.get_or_create(name=name, defaults={"short_name": short_name, "position": position})


def unseed(apps, schema_editor):
    Agency = apps.get_model("dscb", "Agency")
    Agency.objects.filter(name__in=[name for name, _ in AGENCIES], users__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("dscb", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
