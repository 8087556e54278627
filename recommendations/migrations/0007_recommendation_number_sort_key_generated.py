"""A recommendation's sort key (2.9 before 2.10) is derived by the database from its
number, so no way of writing a number can leave it behind. A column cannot be altered
into a generated one: the plain columns go, the generated ones come."""

import django.db.models.functions.comparison
import django.db.models.functions.text
from django.db import migrations, models


def sort_key(part: str) -> models.GeneratedField:
    dot = django.db.models.functions.text.StrIndex("number", models.Value("."))
    piece = (
        django.db.models.functions.text.Substr("number", 1, dot - 1)
        if part == "major"
        else django.db.models.functions.text.Substr("number", dot + 1)
    )
    return models.GeneratedField(
        db_persist=True,
        expression=django.db.models.functions.comparison.Cast(piece, models.PositiveSmallIntegerField()),
        output_field=models.PositiveSmallIntegerField(),
    )


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0006_recommendation_number_sort_key_refill")]

    operations = [
        migrations.RemoveField(model_name="recommendation", name="number_major"),
        migrations.RemoveField(model_name="recommendation", name="number_minor"),
        migrations.AddField(model_name="recommendation", name="number_major", field=sort_key("major")),
        migrations.AddField(model_name="recommendation", name="number_minor", field=sort_key("minor")),
    ]
