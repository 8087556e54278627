"""Every section made before plans named their sources came from a case audit: one with
no round recorded names its audit in words, its own title ("2 December 2009")."""

from __future__ import annotations

from django.db import migrations
from django.db.models import F


def name_the_audits(apps, schema_editor):
    PlanSection = apps.get_model("recommendations", "PlanSection")
    PlanSection.objects.filter(audit_round__isnull=True, source_name="").update(source_name=F("title"))


def forget_the_names(apps, schema_editor):
    PlanSection = apps.get_model("recommendations", "PlanSection")
    PlanSection.objects.filter(audit_round__isnull=True, source_name=F("title")).update(source_name="")


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0021_plans_section_sources")]

    operations = [migrations.RunPython(name_the_audits, forget_the_names)]
