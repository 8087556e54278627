"""The data migration that came with a round's steps: a round "in progress" before them
was collecting its agencies' returns, and goes back to "in progress" if the steps are undone."""

from __future__ import annotations

import datetime

from tests.migrations import MIGRATION_TEST, back_to_the_latest, migrate  # noqa: F401  (the fixture)

pytestmark = MIGRATION_TEST

BEFORE = [("audits", "0010_scales_seed_grade_scale")]
AFTER = [("audits", "0011_round_life")]


def test_a_round_in_progress_is_collecting_returns_and_goes_back_to_in_progress():
    apps = migrate(BEFORE)
    rounds = apps.get_model("audits", "AuditRound").objects
    for title, state in (("Planned", "planned"), ("Under way", "in_progress"), ("Done", "completed")):
        rounds.create(title=title, held_on=datetime.date(2011, 3, 23), state=state)
    apps = migrate(AFTER)
    after = dict(apps.get_model("audits", "AuditRound").objects.values_list("title", "state"))
    assert after == {"Planned": "planned", "Under way": "collecting", "Done": "completed"}
    apps.get_model("audits", "AuditRound").objects.filter(title="Done").update(state="moderation")
    apps = migrate(BEFORE)
    before = dict(apps.get_model("audits", "AuditRound").objects.values_list("title", "state"))
    assert before == {"Planned": "planned", "Under way": "in_progress", "Done": "in_progress"}


BEFORE_QUESTIONS = [("audits", "0012_escalation_email_and_withdrawal")]
AFTER_QUESTIONS = [("audits", "0014_round_questions_data")]


def test_every_round_keeps_asking_what_it_asked_before_rounds_chose_their_questions():
    apps = migrate(BEFORE_QUESTIONS)
    Theme = apps.get_model("audits", "Theme")
    Question = apps.get_model("audits", "ChecklistQuestion")
    police = apps.get_model("dscb", "Agency").objects.get(short_name="Police")
    asked = set(Question.objects.filter(is_active=True, theme__is_active=True).values_list("text", flat=True))
    retired = Question.objects.create(
        theme=Theme.objects.first(), text="Retired since it was answered", is_active=False
    )
    Question.objects.create(theme=Theme.objects.first(), text="Retired, never answered", is_active=False)
    rounds = apps.get_model("audits", "AuditRound").objects
    answered_in = rounds.create(title="One", held_on=datetime.date(2011, 3, 23))
    rounds.create(title="Two", held_on=datetime.date(2011, 3, 23))
    case = apps.get_model("audits", "AuditCase").objects.create(
        audit_round=answered_in,
        reference="MACA-2011-03-01",
        category_neglect=True,
        plan_started_on=datetime.date(2011, 1, 4),
    )
    record = apps.get_model("audits", "CaseRecord").objects.create(case=case, agency=police, subject="child")
    apps.get_model("audits", "ChecklistAnswer").objects.create(record=record, question=retired, answer="yes")

    apps = migrate(AFTER_QUESTIONS)
    rounds = apps.get_model("audits", "AuditRound").objects
    assert set(rounds.get(title="Two").questions.values_list("text", flat=True)) == asked
    assert set(rounds.get(title="One").questions.values_list("text", flat=True)) == asked | {retired.text}
    focus = apps.get_model("audits", "ChecklistQuestion").objects.filter(in_default_set=False)
    assert focus.count() == 3  # the focus questions, asked by no round until one adds them
    assert not focus.filter(rounds__isnull=False).exists()

    apps = migrate(BEFORE_QUESTIONS)
    assert not apps.get_model("audits", "ChecklistQuestion").objects.filter(text__startswith="Domestic abuse:").exists()
