"""The default checklist (DESIGN.md, "Case audits"): the questions whose answers give
the seed report's figures, such as "90% of files had evidence of supervision"."""

from django.db import migrations

QUESTIONS = [
    ("Record keeping", "Ethnicity, religion and language recorded"),
    ("Multi-agency working", "Multi-agency chronology on file"),
    ("Multi-agency working", "Strategy discussion included all relevant agencies"),
    ("Identification of risk to children", "Risks to the child and protective factors identified in the assessment"),
    ("Effectiveness of child protection meetings", "Up-to-date CP plan and minutes on file"),
    ("Effectiveness of child protection meetings", "Agency reports shared with the family before conference"),
    ("Supervision and management oversight", "Evidence of supervision or management oversight on file"),
]


def seed(apps, schema_editor):
    Theme = apps.get_model("audits", "Theme")
    ChecklistQuestion = apps.get_model("audits", "ChecklistQuestion")
    for position, (theme_name, text) in enumerate(QUESTIONS, start=1):
        theme = Theme.objects.filter(name=theme_name).first()
        if theme is not None:
            ChecklistQuestion.objects.get_or_create(theme=theme, text=text, defaults={"position": position})


def unseed(apps, schema_editor):
    # A plain DELETE: the database's foreign key refuses it if any answer still uses a question.
    ChecklistQuestion = apps.get_model("audits", "ChecklistQuestion")
    questions = ChecklistQuestion.objects.filter(text__in=[text for _, text in QUESTIONS])
    questions._raw_delete(schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("audits", "0003_case_audits")]

    operations = [migrations.RunPython(seed, unseed)]
