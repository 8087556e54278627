"""Grades get colours, as RAG statuses have: scales are data. Every grade mark also
shows its word."""

import django.core.validators
from django.db import migrations, models

HEX = django.core.validators.RegexValidator(
    "^#[0-9a-fA-F]{6}$", "Enter a colour as # and six hexadecimal digits, like #d4351c."
)

# The default colours of the seeded grades, best to worst; a board may change them.
GRADE_COLOURS = {
    "Outstanding": ("#00703c", "#ffffff"),
    "Good": ("#1d70b8", "#ffffff"),
    "Adequate": ("#ffdd00", "#0b0c0c"),
    "Inadequate": ("#d4351c", "#ffffff"),
}


def colour_grades(apps, schema_editor):
    Grade = apps.get_model("audits", "Grade")
    for label, (colour, text_colour) in GRADE_COLOURS.items():
        Grade.objects.filter(label=label).update(colour=colour, text_colour=text_colour)


class Migration(migrations.Migration):
    dependencies = [("audits", "0005_round_title_checked")]

    operations = [
        migrations.AddField(
            model_name="grade",
            name="colour",
            field=models.CharField(
                default="#505a5f", help_text="Background colour, like #00703c.", max_length=7, validators=[HEX]
            ),
        ),
        migrations.AddField(
            model_name="grade",
            name="text_colour",
            field=models.CharField(
                default="#ffffff",
                help_text="Text colour on that background; keep a contrast ratio of at least 4.5:1.",
                max_length=7,
                validators=[HEX],
            ),
        ),
        migrations.RunPython(colour_grades, migrations.RunPython.noop),
    ]
