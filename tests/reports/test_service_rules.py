"""Every rule of the report services, called directly with no form: each refuses, says
which field is wrong where there is one, and writes nothing. (The list of rules is the
docstring of reports/services.py.)"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from auditlog.models import LogEntry

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


def test_a_report_is_published_once(executive, published):
    refused(lambda: services.publish(report=published, by=executive, today=END))


def test_only_the_executive_publishes(report):
    board_member = make_user(Role.BOARD_MEMBER)
    refused(lambda: services.publish(report=report, by=board_member, today=END))
