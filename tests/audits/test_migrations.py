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
