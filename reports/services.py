"""Changes to reports: one named, atomic function each, taking plain values and
checking every rule itself (refusals are ``ValidationError`` keyed by field). Publishing
freezes a report: its documents and figures are stored as they are now and never change,
whatever happens to the data afterwards.

- ``report_create``: by the Executive; a title with no identifying details; an action
  plan update; the audit period ends on or after it starts.
- ``report_update``: as ``report_create``; the report is not yet published.
- ``section_create``, ``section_update``: by the Executive; the report is not yet
  published; a heading and a body with no identifying details.
- ``section_remove``: by the Executive; the report is not yet published.
- ``publish``: by the Executive; the report is not yet published (the database allows one
  publication per report too).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import slugify

from dscb.access import Action, can
from dscb.concurrency import create_versioned, save_versioned
from dscb.files import files_kept_on_success
from dscb.models import User
from recommendations.models import ReviewCycle
from reports import document, renderers
from reports.models import NarrativeSection, PublishedReport, Report

ALREADY_PUBLISHED = "This report has been published, so it cannot be changed. Start a new report instead."
EXECUTIVE_ONLY = "Only the Board Executive can prepare and publish reports."


def _refuse_unless_executive(by: User) -> None:
    if not can(by, Action.MANAGE_REPORTS):
        raise ValidationError(EXECUTIVE_ONLY, code="not_allowed")


def _lock_draft(report: Report) -> Report:
    """Read the report again under a row lock: a report published a moment ago, by
    someone else, is not changed or published again."""
    locked = Report.objects.select_for_update().select_related("cycle", "cycle__plan").get(pk=report.pk)
    if locked.publications.exists():
        raise ValidationError(ALREADY_PUBLISHED, code="published")
    return locked


def _check_period(period_start: datetime.date, period_end: datetime.date) -> None:
    if period_end < period_start:
        raise ValidationError({"period_end": ["The last date must be on or after the first date"]})


@transaction.atomic
def report_create(
    *, by: User, title: str, cycle: ReviewCycle, period_start: datetime.date, period_end: datetime.date
) -> Report:
    _refuse_unless_executive(by)
    _check_period(period_start, period_end)
    report = Report(title=title, cycle=cycle, period_start=period_start, period_end=period_end)
    return create_versioned(report, by=by)


@transaction.atomic
def report_update(
    *,
    report: Report,
    by: User,
    expected_version: int,
    title: str,
    cycle: ReviewCycle,
    period_start: datetime.date,
    period_end: datetime.date,
) -> Report:
    _refuse_unless_executive(by)
    _lock_draft(report)
    _check_period(period_start, period_end)
    report.title, report.cycle, report.period_start, report.period_end = title, cycle, period_start, period_end
    return save_versioned(report, expected_version=expected_version, by=by)


@transaction.atomic
def section_create(*, report: Report, by: User, heading: str, body: str, position: int) -> NarrativeSection:
    _refuse_unless_executive(by)
    _lock_draft(report)
    section = NarrativeSection(report=report, heading=heading, body=body, position=position)
    return create_versioned(section, by=by)


@transaction.atomic
def section_update(
    *, section: NarrativeSection, by: User, expected_version: int, heading: str, body: str, position: int
) -> NarrativeSection:
    _refuse_unless_executive(by)
    _lock_draft(section.report)
    section.heading, section.body, section.position = heading, body, position
    return save_versioned(section, expected_version=expected_version, by=by)


@transaction.atomic
def section_remove(*, section: NarrativeSection, by: User) -> None:
    _refuse_unless_executive(by)
    _lock_draft(section.report)
    section.delete()


@transaction.atomic
def publish(*, report: Report, by: User, today: datetime.date) -> PublishedReport:
    """Render the report's PDF, board summary and workbook once, and store them with the
    figures behind them. Two Executives publishing at once: the second waits for the
    row lock, then is refused; the database allows one publication per report too."""
    _refuse_unless_executive(by)
    report = _lock_draft(report)
    built = document.build(report, today=today)
    name = slugify(report.title)[:60] or "report"
    published = PublishedReport(
        report=report,
        title=report.title,
        period=str(built.period),
        cycle_title=built.cycle.title if built.cycle else "",
        published_by=by,
        figures=built.figures(),
    )
    documents = [
        (published.pdf, f"{name}.pdf", renderers.pdf),
        (published.summary_pdf, f"{name}-board-summary.pdf", renderers.summary_pdf),
        (published.xlsx, f"{name}.xlsx", renderers.xlsx),
    ]
    with files_kept_on_success() as written:
        for stored, file_name, render in documents:
            written(stored)
            stored.save(file_name, ContentFile(render(built)), save=False)
        published.full_clean()
        published.save()
    return published
