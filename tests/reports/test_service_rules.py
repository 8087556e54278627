"""Every rule of the report services, called directly with no form: each refuses, says
which field is wrong where there is one, and writes nothing. (The list of rules is the
docstring of reports/services.py.)"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from dscb.concurrency import EditConflict
from dscb.models import Role
from reports import services
from reports.models import NarrativeSection, PublishedReport, Report
from tests.conftest import make_user
from tests.factories import NarrativeSectionFactory, PublishedReportFactory, ReportFactory, ReviewCycleFactory
from tests.service_rules import refusal_check

pytestmark = pytest.mark.django_db

IDENTIFYING = "Date of birth 12/03/2008"
START, END = datetime.date(2010, 1, 1), datetime.date(2010, 12, 31)


# What the report services write, the history included: a refusal leaves every row as it was.
refused = refusal_check([Report, NarrativeSection, PublishedReport, LogEntry])


@pytest.fixture
def executive():
    return make_user(Role.EXECUTIVE)


@pytest.fixture
def cycle():
    return ReviewCycleFactory()


@pytest.fixture
def report():
    return ReportFactory()


@pytest.fixture
def published(report):
    PublishedReportFactory(report=report)
    return report


def create(by: object, cycle: object, **changes: object) -> Callable[[], object]:
    given = {"title": "Six-monthly report", "period_start": START, "period_end": END} | changes
    return lambda: services.report_create(by=by, cycle=cycle, **given)


def test_only_the_executive_starts_a_report(cycle):
    refused(create(make_user(Role.BOARD_MEMBER), cycle))


def test_a_report_period_ends_on_or_after_it_starts(executive, cycle):
    refused(create(executive, cycle, period_start=END, period_end=START), "period_end")


def test_a_report_title_holds_no_identifying_details(executive, cycle):
    refused(create(executive, cycle, title=IDENTIFYING), "title")


def test_a_report_needs_a_title(executive, cycle):
    refused(create(executive, cycle, title=""), "title")


def update(report: Report, by: object, **changes: object) -> Callable[[], object]:
    given = {"title": report.title, "cycle": report.cycle, "period_start": START, "period_end": END} | changes
    return lambda: services.report_update(report=report, by=by, expected_version=report.version, **given)


def test_a_report_period_stays_in_order_when_changed(executive, report):
    refused(update(report, executive, period_start=END, period_end=START), "period_end")


def test_only_the_executive_changes_a_report(report):
    refused(update(report, make_user(Role.BOARD_MEMBER), title="Changed"))


def test_a_published_report_is_frozen(executive, published):
    refused(update(published, executive, title="Changed"))


def test_a_published_report_takes_no_new_section(executive, published):
    refused(lambda: services.section_create(report=published, by=executive, heading="New", body="Text", position=1))


def test_a_published_reports_sections_are_frozen(executive, published):
    section = NarrativeSectionFactory(report=published)
    refused(
        lambda: services.section_update(
            section=section, by=executive, expected_version=section.version, heading="New", body="Text", position=1
        )
    )
    refused(lambda: services.section_remove(section=section, by=executive))


def test_a_section_holds_no_identifying_details(executive, report):
    refused(
        lambda: services.section_create(report=report, by=executive, heading="MASH", body=IDENTIFYING, position=1),
        "body",
    )


def test_only_the_executive_writes_sections(report):
    board_member = make_user(Role.BOARD_MEMBER)
    refused(lambda: services.section_create(report=report, by=board_member, heading="MASH", body="Text", position=1))
    section = NarrativeSectionFactory(report=report)
    refused(lambda: services.section_remove(section=section, by=board_member))


def test_a_published_report_is_published_again_only_to_replace_it_with_a_reason(executive, published):
    error = refused(
        lambda: services.publish(report=published, by=executive, today=END, expected_version=published.version),
        "replacement_reason",
    )
    assert error.error_dict["replacement_reason"][0].messages == [services.REPLACEMENT_NEEDS_REASON]


def test_a_replacement_reason_holds_no_identifying_details(executive, published):
    refused(
        lambda: services.publish(
            report=published,
            by=executive,
            today=END,
            expected_version=published.version,
            replacement_reason=IDENTIFYING,
        ),
        "replacement_reason",
    )


def test_a_report_changed_since_it_was_checked_is_not_published(executive, report):
    checked = report.version
    NarrativeSectionFactory(report=report)  # made directly: the service moves the version on
    services.section_create(report=report, by=executive, heading="Late", body="Added after the check.", position=2)
    with pytest.raises(EditConflict):
        services.publish(report=report, by=executive, today=END, expected_version=checked)
    assert not PublishedReport.objects.exists()


def test_only_the_executive_publishes(report):
    board_member = make_user(Role.BOARD_MEMBER)
    refused(lambda: services.publish(report=report, by=board_member, today=END, expected_version=report.version))


def test_publishing_again_replaces_the_current_publication_and_keeps_it(executive, published):
    first = published.publications.get()
    newer = services.publish(
        report=published,
        by=executive,
        today=END,
        expected_version=published.version,
        replacement_reason="The update was re-opened to correct a rating.",
    )
    first.refresh_from_db()
    assert first.replaced_at is not None
    assert not first.is_current
    assert newer.replaces == first
    assert newer.is_current
    assert newer.replacement_reason == "The update was re-opened to correct a rating."
    assert list(PublishedReport.objects.current()) == [newer]


def withdraw(published: PublishedReport, by: object, reason: str = "The figures for one round were wrong."):
    return lambda: services.withdraw(published=published, by=by, reason=reason)


def test_withdrawing_needs_a_reason(executive):
    error = refused(withdraw(PublishedReportFactory(), executive, "  "), "reason")
    assert error.error_dict["reason"][0].messages == [services.WITHDRAWAL_NEEDS_REASON]


def test_a_withdrawal_reason_holds_no_identifying_details(executive):
    refused(withdraw(PublishedReportFactory(), executive, IDENTIFYING), "reason")


def test_only_the_executive_withdraws(executive):
    refused(withdraw(PublishedReportFactory(), make_user(Role.BOARD_MEMBER)))


def test_only_the_current_publication_is_withdrawn(executive):
    withdrawn = PublishedReportFactory(withdrawn_at=timezone.now(), withdrawal_reason="Wrong figures.")
    refused(withdraw(withdrawn, executive))
    replaced = PublishedReportFactory(replaced_at=timezone.now())
    refused(withdraw(replaced, executive))


def test_a_withdrawn_publication_is_kept_and_its_report_may_be_corrected(executive, published):
    publication = published.publications.get()
    services.withdraw(published=publication, by=executive, reason="The figures for one round were wrong.")
    publication.refresh_from_db()
    assert publication.withdrawn_by == executive
    assert publication.withdrawal_reason
    assert not services.is_frozen(published)
    services.report_update(
        report=published,
        by=executive,
        expected_version=published.version,
        title="Corrected",
        cycle=published.cycle,
        period_start=START,
        period_end=END,
    )
    services.publish(report=published, by=executive, today=END, expected_version=published.version)
    assert PublishedReport.objects.filter(report=published).count() == 2
    assert PublishedReport.objects.current().get(report=published).title == "Corrected"
