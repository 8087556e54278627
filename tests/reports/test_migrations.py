"""The data migration that came with "a report is published once": a report published
twice before the rule existed keeps every publication downloadable."""

from __future__ import annotations

import datetime

from django.utils import timezone

from tests.factories import ReviewCycleFactory, UserFactory
from tests.migrations import MIGRATION_TEST, back_to_the_latest, migrate  # noqa: F401  (the fixture)

pytestmark = MIGRATION_TEST

BEFORE = [("reports", "0001_reports")]
AFTER = [("reports", "0004_one_publication_per_report")]


def test_a_report_published_twice_keeps_both_publications_each_on_a_report_of_its_own():
    # Only the reports app goes back: what it points at is made with today's models.
    user = UserFactory(is_executive=True)
    cycle = ReviewCycleFactory()
    apps = migrate(BEFORE)
    report = apps.get_model("reports", "Report").objects.create(
        title="Report", cycle_id=cycle.pk, period_start=datetime.date(2009, 1, 1), period_end=datetime.date(2011, 3, 4)
    )
    apps.get_model("reports", "NarrativeSection").objects.create(report=report, heading="MASH", body="Words")
    published = apps.get_model("reports", "PublishedReport")
    first, second = (
        published.objects.create(
            report=report,
            title="Report",
            period="2009 to 2011",
            cycle_title="March 2011 update",
            published_by_id=user.pk,
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
