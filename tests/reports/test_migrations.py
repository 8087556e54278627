"""The data migration that came with "a report is published once": a report published
twice before the rule existed keeps every publication downloadable."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [("reports", "0001_reports")]
AFTER = [("reports", "0004_one_publication_per_report")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_a_report_published_twice_keeps_both_publications_each_on_a_report_of_its_own():
    apps = migrate(BEFORE)
    user = apps.get_model("dscb", "User").objects.create(email="exec@example.org", is_executive=True)
    plan = apps.get_model("recommendations", "ActionPlan").objects.create(title="Plan")
    cycle = apps.get_model("recommendations", "ReviewCycle").objects.create(
        plan=plan, title="March 2011 update", due_on=datetime.date(2011, 3, 4)
    )
    report = apps.get_model("reports", "Report").objects.create(
        title="Report", cycle=cycle, period_start=datetime.date(2009, 1, 1), period_end=datetime.date(2011, 3, 4)
    )
    apps.get_model("reports", "NarrativeSection").objects.create(report=report, heading="MASH", body="Words")
    published = apps.get_model("reports", "PublishedReport")
    first, second = (
        published.objects.create(
            report=report,
            title="Report",
            period="2009 to 2011",
            cycle_title="March 2011 update",
            published_by=user,
            published_at=timezone.now() + datetime.timedelta(minutes=minute),
            pdf=f"reports/{minute}.pdf",
            summary_pdf=f"reports/{minute}-summary.pdf",
            xlsx=f"reports/{minute}.xlsx",
            figures={},
        )
        for minute in (0, 1)
    )

    apps = migrate(AFTER)
    published = apps.get_model("reports", "PublishedReport")
    assert published.objects.get(pk=first.pk).report_id == report.pk
    copy = published.objects.get(pk=second.pk).report
    assert copy.pk != report.pk
    assert (copy.title, copy.cycle_id, copy.period_start, copy.period_end) == (
        "Report",
        cycle.pk,
        datetime.date(2009, 1, 1),
        datetime.date(2011, 3, 4),
    )
    assert list(copy.sections.values_list("heading", "body")) == [("MASH", "Words")]
    assert published.objects.count() == 2
