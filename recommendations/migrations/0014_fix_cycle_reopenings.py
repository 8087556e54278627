"""Each re-opening of a completed update, with its reason."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import dscb.validators


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0013_carry_kept_descriptions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CycleReopening",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "reason",
                    models.TextField(max_length=2000, validators=[dscb.validators.validate_no_identifying_details]),
                ),
                ("reopened_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "cycle",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reopenings",
                        to="recommendations.reviewcycle",
                    ),
                ),
                (
                    "reopened_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "verbose_name": "re-opening of an update",
                "ordering": ["reopened_at", "pk"],
            },
        ),
    ]
