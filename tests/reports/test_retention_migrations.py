"""The migrations that came with the retention schedule: the default schedule seeded (and
removed going back), and rounds completed before the date was kept given one."""

from __future__ import annotations

import datetime

from tests.migrations import MIGRATION_TEST, back_to_the_latest, migrate  # noqa: F401  (the fixture)

pytestmark = MIGRATION_TEST


def test_the_default_schedule_is_seeded_and_removed_going_back():
    apps = migrate([("dscb", "0011_retention_rules")])
    rules = dict(apps.get_model("dscb", "RetentionRule").objects.values_list("kind", "years"))
    assert rules == {"case_audit_detail": 6, "reads": 2, "sent_emails": 2, "form_submissions": 2, "reminders": 2}
    apps = migrate([("dscb", "0010_security_event_kinds")])
    assert "retentionrule" not in {model._meta.model_name for model in apps.get_models()}


def test_a_completed_round_is_dated_by_the_latest_date_it_knows():
    apps = migrate([("audits", "0014_round_questions_data")])
    rounds = apps.get_model("audits", "AuditRound").objects
    rounds.create(
        title="Done", held_on=datetime.date(2010, 9, 22), panel_on=datetime.date(2010, 10, 6), state="completed"
    )
    rounds.create(title="Under way", held_on=datetime.date(2011, 3, 23), state="collecting")
    apps = migrate([("audits", "0015_retention_and_legal_holds")])
    dated = dict(apps.get_model("audits", "AuditRound").objects.values_list("title", "completed_on"))
    assert dated == {"Done": datetime.date(2010, 10, 6), "Under way": None}
    migrate([("audits", "0014_round_questions_data")])  # and back
