"""Changes to reports. Publishing freezes a report: its documents and figures are
stored as they are now and never change, whatever happens to the data afterwards."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import slugify

from dscb.concurrency import create_versioned, save_versioned
from dscb.files import files_kept_on_success
from dscb.models import User
from reports import document, renderers
from reports.models import NarrativeSection, PublishedReport, Report

ALREADY_PUBLISHED = "This report has been published, so it cannot be changed. Start a new report instead."


def _lock_draft(report: Report) -> Report:
    """Read the report again under a row lock: a report published a moment ago, by
    someone else, is not changed or published again."""
    locked = Report.objects.select_for_update().select_related("cycle", "cycle__plan").get(pk=report.pk)
    if locked.publications.exists():
        raise ValidationError(ALREADY_PUBLISHED, code="published")
    return locked


@transaction.atomic
def report_create(*, report: Report, by: User) -> Report:
    return create_versioned(report, by=by)


@transaction.atomic
def report_update(*, report: Report, by: User, expected_version: int) -> Report:
    _lock_draft(report)
    return save_versioned(report, expected_version=expected_version, by=by)


@transaction.atomic
def section_create(*, section: NarrativeSection, by: User) -> NarrativeSection:
    _lock_draft(section.report)
    return create_versioned(section, by=by)


@transaction.atomic
def section_update(*, section: NarrativeSection, by: User, expected_version: int) -> NarrativeSection:
    _lock_draft(section.report)
    return save_versioned(section, expected_version=expected_version, by=by)


@transaction.atomic
def section_remove(*, section: NarrativeSection) -> None:
    _lock_draft(section.report)
    section.delete()


@transaction.atomic
def publish(*, report: Report, by: User, today: datetime.date) -> PublishedReport:
    """Render the report's PDF, board summary and workbook once, and store them with the
    figures behind them. Two Executives publishing at once: the second waits for the
    row lock, then is refused; the database allows one publication per report too."""
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
