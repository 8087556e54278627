from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0016_close_completed_is_closed")]

    operations = [
        migrations.AddConstraint(
            model_name="recommendation",
            constraint=models.CheckConstraint(
                condition=models.Q(("state__in", ["open", "proposed", "closed"])), name="recommendation_state_valid"
            ),
        ),
    ]
