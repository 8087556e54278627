"""A publication is withdrawn or replaced, never deleted: at most one current publication a report.
Going back refuses while a report has more than one publication, as the old constraint would."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import dscb.validators


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_one_publication_per_report"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="publishedreport",
            name="one_publication_per_report",
        ),
        migrations.AddField(
            model_name="publishedreport",
            name="replaced_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="publishedreport",
            name="replacement_reason",
            field=models.TextField(
                blank=True, max_length=2000, validators=[dscb.validators.validate_no_identifying_details]
            ),
        ),
        migrations.AddField(
            model_name="publishedreport",
            name="replaces",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="replaced_by",
                to="reports.publishedreport",
            ),
        ),
        migrations.AddField(
            model_name="publishedreport",
            name="withdrawal_reason",
            field=models.TextField(
                blank=True, max_length=2000, validators=[dscb.validators.validate_no_identifying_details]
            ),
        ),
        migrations.AddField(
            model_name="publishedreport",
            name="withdrawn_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="publishedreport",
            name="withdrawn_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="publishedreport",
            constraint=models.UniqueConstraint(
                condition=models.Q(("replaced_at__isnull", True), ("withdrawn_at__isnull", True)),
                fields=("report",),
                name="one_current_publication_per_report",
            ),
        ),
        migrations.AddConstraint(
            model_name="publishedreport",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("withdrawn_at__isnull", True), models.Q(("withdrawal_reason", ""), _negated=True), _connector="OR"
                ),
                name="published_report_withdrawn_with_reason",
            ),
        ),
    ]
