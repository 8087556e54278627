"""Changes to reports. Publishing freezes a report: its documents and figures are
stored as they are now and never change, whatever happens to the data afterwards."""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import slugify

from dscb.concurrency import create_versioned, save_versioned
from dscb.models import User
from reports import document, renderers
from reports.models import NarrativeSection, PublishedReport, Report


@transaction.atomic
def report_create(*, report: Report, by: User) -> Report:
    return create_versioned(report, by=by)


@transaction.atomic
def report_update(*, report: Report, by: User, expected_version: int) -> Report:
    return save_versioned(report, expected_version=expected_version, by=by)


@transaction.atomic
def section_save(*, section: NarrativeSection) -> NarrativeSection:
    section.full_clean()
    section.save()
    return section


@transaction.atomic
def section_remove(*, section: NarrativeSection) -> None:
    section.delete()


@transaction.atomic
def publish(*, report: Report, by: User, today: datetime.date) -> PublishedReport:
    """Render the report's PDF, board summary and workbook once, and store them with the
    figures behind them."""
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
    published.pdf.save(f"{name}.pdf", ContentFile(renderers.pdf(built)), save=False)
    published.summary_pdf.save(f"{name}-board-summary.pdf", ContentFile(renderers.summary_pdf(built)), save=False)
    published.xlsx.save(f"{name}.xlsx", ContentFile(renderers.xlsx(built)), save=False)
    published.full_clean()
    published.save()
    return published
