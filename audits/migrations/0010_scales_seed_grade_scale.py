"""The words the reports use for the grades: the seed report's "(using Ofsted
descriptors)" and "adequate or better", now data an administrator may change."""

from django.db import migrations


def seed(apps, schema_editor):
    GradeScale = apps.get_model("audits", "GradeScale")
    if not GradeScale.objects.exists():
        GradeScale.objects.create(
            name="Ofsted descriptors", plural="grades", threshold_phrase="adequate or better", not_rated="Not graded"
        )


def unseed(apps, schema_editor):
    apps.get_model("audits", "GradeScale").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("audits", "0009_scales_grade_scale")]

    operations = [migrations.RunPython(seed, unseed)]
