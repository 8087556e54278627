import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dscb", "0006_admin_versions"),
        ("recommendations", "0017_close_state_constraint"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The old single lead steps aside for the new leads' name on a person.
        migrations.AlterField(
            model_name="recommendation",
            name="lead",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="lead",
            ),
        ),
        migrations.CreateModel(
            name="RecommendationLead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "role_title",
                    models.CharField(
                        blank=True, help_text="For example, Head of Safeguarding.", max_length=150, verbose_name="role"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0)),
                (
                    "agency",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="dscb.agency",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="recommendations_led",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "recommendation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="leads",
                        to="recommendations.recommendation",
                    ),
                ),
            ],
            options={
                "verbose_name": "lead",
                "ordering": ["position", "pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("person__isnull", False), ("role_title", "")),
                            models.Q(
                                ("agency__isnull", False),
                                ("person__isnull", True),
                                models.Q(("role_title", ""), _negated=True),
                            ),
                            _connector="OR",
                        ),
                        name="recommendation_lead_person_or_role",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("person__isnull", False)),
                        fields=("recommendation", "person"),
                        name="recommendation_lead_person_once",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("person__isnull", True)),
                        fields=("recommendation", "role_title", "agency"),
                        name="recommendation_lead_role_once",
                    ),
                ],
            },
        ),
    ]
