from django.db import migrations, models

# Questions for a round's focus, asked only by the rounds that add them (not in the default set).
FOCUS_QUESTIONS = [
    (
        "Identification of risk to children",
        "Neglect: evidence of the child's basic needs being assessed (Graded Care Profile or equivalent)",
    ),
    ("Identification of risk to children", "Domestic abuse: risk assessment (DASH) on file and shared"),
    ("Multi-agency working", "Domestic abuse: MARAC referral considered where the risk is high"),
]


def rounds_keep_their_questions(apps, schema_editor):
    """Every round asks what it asked before rounds chose their questions: every question
    then active on an active theme, and any question already answered in it."""
    AuditRound = apps.get_model("audits", "AuditRound")
    ChecklistQuestion = apps.get_model("audits", "ChecklistQuestion")
    ChecklistAnswer = apps.get_model("audits", "ChecklistAnswer")
    Asked = AuditRound.questions.through
    active = set(ChecklistQuestion.objects.filter(is_active=True, theme__is_active=True).values_list("pk", flat=True))
    answered: dict[int, set[int]] = {}
    for round_id, question_id in ChecklistAnswer.objects.values_list("record__case__audit_round_id", "question_id"):
        answered.setdefault(round_id, set()).add(question_id)
    Asked.objects.bulk_create(
        Asked(auditround_id=round_id, checklistquestion_id=question_id)
        for round_id in AuditRound.objects.values_list("pk", flat=True)
        for question_id in sorted(active | answered.get(round_id, set()))
    )


def seed_focus_questions(apps, schema_editor):
    Theme = apps.get_model("audits", "Theme")
    ChecklistQuestion = apps.get_model("audits", "ChecklistQuestion")
    last = ChecklistQuestion.objects.aggregate(last=models.Max("position"))["last"] or 0
    for position, (theme_name, text) in enumerate(FOCUS_QUESTIONS, start=last + 1):
        theme = Theme.objects.filter(name=theme_name).first()
        if theme is not None:
            ChecklistQuestion.objects.get_or_create(
                theme=theme, text=text, defaults={"position": position, "in_default_set": False}
            )


def unseed_focus_questions(apps, schema_editor):
    # A plain DELETE: the database's foreign key refuses it if any answer still uses a question.
    ChecklistQuestion = apps.get_model("audits", "ChecklistQuestion")
    questions = ChecklistQuestion.objects.filter(text__in=[text for _, text in FOCUS_QUESTIONS])
    questions._raw_delete(schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0013_round_questions"),
    ]

    operations = [
        # Before the focus questions exist: no past round asked them. Undone, the table goes.
        migrations.RunPython(rounds_keep_their_questions, migrations.RunPython.noop),
        migrations.RunPython(seed_focus_questions, unseed_focus_questions),
    ]
