"""Changes to reports: one named, atomic function each, taking plain values and
checking every rule itself (refusals are ``ValidationError`` keyed by field). Publishing
freezes a report: its documents and figures are stored as they are now and never change,
whatever happens to the data afterwards.

- ``report_create``: by the Executive; a title with no identifying details; an action
  plan update; the audit period ends on or after it starts.
- ``report_update``: as ``report_create``; the report has no current publication (never
  published, or its publication withdrawn).
- ``section_create``, ``section_update``: by the Executive; the report has no current
  publication; a heading and a body with no identifying details. A change to a section
  is a change to the report (its version moves on), so a check before publishing sees it.
- ``section_remove``: by the Executive; the report has no current publication.
- ``prose_save``: by the Executive; the report has no current publication; one of the
  report's prose blocks; some text, with no identifying details and no board reference;
  as the person found it (``expected_version``: the block's version, or 0 for a block
  showing its default). The block keeps these words until it is reset.
- ``prose_reset``: by the Executive; the report has no current publication. The block
  goes back to its default, written from the figures.
- ``publish``: by the Executive; the report is as checked (its version); if it has a
  current publication, a reason for replacing it, with no identifying details: the new
  publication replaces it (the database allows one current publication per report).
- ``publication_request``: as ``publish``, checked when asked; one publication of a report
  at a time. The task worker then publishes (``publish``, checked again).
- ``draft_request``: by the Executive; a document the worker makes of the draft.
- ``job_retry``: by the Executive; a job that failed, queued again as it was asked for.
- ``withdraw``: by the Executive; the publication is current; a reason with no
  identifying details. Nothing is deleted: it stays downloadable, marked withdrawn.
- ``summary_draft``: by the audit team; a case audit round (not an Appreciative
  Inquiry: it has no grades), with a finalised case and no learning summary yet.
  Drafted from the round's data (``selectors.learning_draft``).
- ``summary_update``: by the audit team; the summary is not published; as checked (its
  version); every block with no identifying details and no board reference.
- ``summary_publish``: by the audit team; as ``summary_update``, every block checked
  again; the PDF is stored and the summary never changes afterwards.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import partial
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Field
from django.utils import timezone
from django.utils.text import slugify

from audits.models import AuditCase, AuditRound
from dscb.access import Action, can
from dscb.concurrency import EditConflict, create_versioned, save_versioned
from dscb.files import files_kept_on_success
from dscb.models import User
from recommendations.models import ReviewCycle
from reports import document, notifications, renderers, selectors, subject_access
from reports.models import (
    DocumentJob,
    LearningSummary,
    NarrativeSection,
    ProseBlock,
    PublishedReport,
    Report,
    ReportProse,
)
from reports.prose import normalise

ALREADY_PUBLISHED = (
    "This report has been published, so it cannot be changed. To correct it, withdraw the publication "
    "with a reason: the report can then be changed and published again."
)
REPLACEMENT_NEEDS_REASON = "Enter why this publication replaces the current one"
WITHDRAWAL_NEEDS_REASON = "Enter why the publication is being withdrawn"
EXECUTIVE_ONLY = "Only the Board Executive can prepare and publish reports."
ADMINISTRATOR_ONLY = "Only an administrator can answer a subject access request."
EXPORT_DELETED = "This export was deleted a day after it was asked for. Ask for it again."


def _refuse_unless_executive(by: User) -> None:
    if not can(by, Action.MANAGE_REPORTS):
        raise ValidationError(EXECUTIVE_ONLY, code="not_allowed")


def _lock_draft(report: Report) -> Report:
    """Read the report again under a row lock: a report published a moment ago, by
    someone else, is not changed or published again."""
    locked = Report.objects.select_for_update().select_related("cycle", "cycle__plan").get(pk=report.pk)
    if is_frozen(locked):
        raise ValidationError(ALREADY_PUBLISHED, code="published")
    return locked


def is_frozen(report: Report) -> bool:
    """A report with a current publication is what the Board reads: it is not changed.
    Withdrawn, it may be corrected and published again."""
    return report.publications.current().exists()


def _report_changed(report: Report, by: User) -> None:
    """A change to a report's sections moves the report's version on, so publishing
    after a check made before it is refused."""
    Report.objects.filter(pk=report.pk).update(version=F("version") + 1, updated_at=timezone.now(), updated_by=by)
    report.refresh_from_db(fields=["version", "updated_at", "updated_by"])


def _check_reason(model_field: str, reason: str, missing: str, *, key: str = "reason") -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({key: [missing]})
    try:
        field = cast("Field[Any, Any]", PublishedReport._meta.get_field(model_field))
        field.clean(reason, None)
    except ValidationError as error:
        raise ValidationError({key: error.messages}) from None
    return reason


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
    create_versioned(section, by=by)
    _report_changed(report, by)
    return section


@transaction.atomic
def section_update(
    *, section: NarrativeSection, by: User, expected_version: int, heading: str, body: str, position: int
) -> NarrativeSection:
    _refuse_unless_executive(by)
    _lock_draft(section.report)
    section.heading, section.body, section.position = heading, body, position
    save_versioned(section, expected_version=expected_version, by=by)
    _report_changed(section.report, by)
    return section


@transaction.atomic
def section_remove(*, section: NarrativeSection, by: User) -> None:
    _refuse_unless_executive(by)
    _lock_draft(section.report)
    section.delete()
    _report_changed(section.report, by)


PROSE_NEEDS_TEXT = "Enter the text, or reset the block to its default"


def _check_block(block: str) -> None:
    if block not in ProseBlock.values:
        raise ValidationError({"block": ["Choose one of the report's blocks"]})


@transaction.atomic
def prose_save(*, report: Report, by: User, block: str, body: str, expected_version: int) -> ReportProse:
    _refuse_unless_executive(by)
    report = _lock_draft(report)
    _check_block(block)
    body = normalise(body)
    if not body:
        raise ValidationError({"body": [PROSE_NEEDS_TEXT]})
    written = ReportProse.objects.filter(report=report, block=block).select_related("updated_by").first()
    # Someone else changed, or reset, the block after the person opened it.
    if written is not None and expected_version == 0:
        raise EditConflict(saved_by=written.updated_by, saved_at=written.updated_at, version=written.version)
    if written is None and expected_version != 0:
        raise EditConflict(saved_by=report.updated_by, saved_at=report.updated_at, version=0)
    if written is None:
        written = create_versioned(ReportProse(report=report, block=block, body=body), by=by)
    else:
        written.body = body
        save_versioned(written, expected_version=expected_version, by=by)
    _report_changed(report, by)
    return written


@transaction.atomic
def prose_reset(*, report: Report, by: User, block: str) -> None:
    _refuse_unless_executive(by)
    report = _lock_draft(report)
    _check_block(block)
    deleted, _ = ReportProse.objects.filter(report=report, block=block).delete()
    if deleted:
        _report_changed(report, by)


# The documents a publication stores: the field, how its file name ends, and what makes it.
PUBLISHED_DOCUMENTS: list[tuple[str, str, str, Callable[[document.ReportDocument], bytes]]] = [
    ("pdf", ".pdf", "the report (PDF)", renderers.pdf),
    ("summary_pdf", "-board-summary.pdf", "the board summary (PDF)", renderers.summary_pdf),
    ("xlsx", ".xlsx", "the spreadsheet", renderers.xlsx),
    ("docx", ".docx", "the report (Word)", renderers.docx),
    ("summary_docx", "-board-summary.docx", "the board summary (Word)", renderers.summary_docx),
]
# A draft made to preview: its renderer and the label its progress shows. The board summary's
# PDF (two pages) is made in the request; everything longer goes to the worker.
DRAFT_DOCUMENTS: dict[str, tuple[str, Callable[[document.ReportDocument], bytes]]] = {
    "pdf": ("the report (PDF)", renderers.pdf),
    "xlsx": ("the spreadsheet", renderers.xlsx),
    "docx": ("the report (Word)", renderers.docx),
    "summary-docx": ("the board summary (Word)", renderers.summary_docx),
}
BEING_PUBLISHED = "This report is already being published: wait for that to finish."
Progress = Callable[[int, int, str], None]


def _check_publishable(report: Report, *, expected_version: int, replacement_reason: str) -> str:
    """The rules of publishing, on the report as it is now (locked by the caller when it
    matters): as checked, and a reason to replace a current publication. The reason, cleaned."""
    if report.version != expected_version:
        raise EditConflict(saved_by=report.updated_by, saved_at=report.updated_at, version=report.version)
    if report.publications.current().exists():
        return _check_reason(
            "replacement_reason", replacement_reason, REPLACEMENT_NEEDS_REASON, key="replacement_reason"
        )
    return ""


def publish(
    *,
    report: Report,
    by: User,
    today: datetime.date,
    expected_version: int,
    replacement_reason: str = "",
    progress: Progress | None = None,
) -> PublishedReport:
    """Render the report's PDF, board summary, workbook and Word documents once, and store them with the
    figures behind them. ``expected_version`` is the report's as checked before
    publishing: a report changed since is refused (``EditConflict``). A report already
    published is published again only to replace its current publication, with a
    reason; the one replaced stays, marked as replaced. The documents are rendered
    before the report is locked (a long report takes a minute), then the rules are
    checked again under the lock: two Executives publishing at once, the second is
    refused. Run by the task worker (``jobs``); ``progress`` hears of each document."""
    _refuse_unless_executive(by)
    report = Report.objects.select_related("cycle", "cycle__plan", "updated_by").get(pk=report.pk)
    _check_publishable(report, expected_version=expected_version, replacement_reason=replacement_reason)
    built = document.build(report, today=today)
    name = slugify(report.title)[:60] or "report"
    rendered: list[tuple[str, str, bytes]] = []
    for number, (field, ending, label, render) in enumerate(PUBLISHED_DOCUMENTS, start=1):
        if progress:
            progress(number, len(PUBLISHED_DOCUMENTS) + 1, f"Making {label}")
        rendered.append((field, f"{name}{ending}", render(built)))
    if progress:
        progress(len(PUBLISHED_DOCUMENTS) + 1, len(PUBLISHED_DOCUMENTS) + 1, "Storing the documents")
    with transaction.atomic():
        locked = Report.objects.select_for_update(of=("self",)).select_related("updated_by").get(pk=report.pk)
        current = locked.publications.current().select_for_update().first()
        reason = _check_publishable(locked, expected_version=expected_version, replacement_reason=replacement_reason)
        report = save_versioned(locked, expected_version=expected_version, by=by, fields=[])
        published = PublishedReport(
            report=report,
            title=report.title,
            period=str(built.period),
            cycle_title=built.cycle.title if built.cycle else "",
            published_by=by,
            figures=built.figures(),
            replaces=current,
            replacement_reason=reason,
        )
        if current is not None:
            current.replaced_at = published.published_at
            current.save(update_fields=["replaced_at"])
        with files_kept_on_success() as written:
            for field, file_name, content in rendered:
                stored = getattr(published, field)
                written(stored)
                stored.save(file_name, ContentFile(content), save=False)
            published.full_clean()
            published.save()
        transaction.on_commit(partial(notifications.published, published))
    return published


def _enqueue(job: DocumentJob) -> None:
    # Queued in the database in the caller's transaction: the worker sees it once committed.
    from reports.tasks import make_document

    make_document.enqueue(job.pk)


@transaction.atomic
def publication_request(
    *, report: Report, by: User, expected_version: int, replacement_reason: str = ""
) -> DocumentJob:
    """Ask the worker to publish the report: the rules are checked now, so a refusal is
    shown on the check page with what was entered, and again when the worker publishes.
    One publication of a report at a time."""
    _refuse_unless_executive(by)
    locked = Report.objects.select_for_update(of=("self",)).select_related("updated_by").get(pk=report.pk)
    reason = _check_publishable(locked, expected_version=expected_version, replacement_reason=replacement_reason)
    if locked.document_jobs.pending().filter(kind=DocumentJob.Kind.PUBLISH).exists():
        raise ValidationError(BEING_PUBLISHED, code="being_published")
    job = DocumentJob.objects.create(
        report=locked,
        kind=DocumentJob.Kind.PUBLISH,
        requested_by=by,
        expected_version=expected_version,
        replacement_reason=reason,
        steps=len(PUBLISHED_DOCUMENTS) + 1,
    )
    _enqueue(job)
    return job


@transaction.atomic
def draft_request(*, report: Report, by: User, kind: str) -> DocumentJob:
    """Ask the worker for a draft document of the report as it is today. The same person
    asking again for the same document while one is being made gets that one."""
    _refuse_unless_executive(by)
    if kind not in DRAFT_DOCUMENTS:
        raise ValidationError("Choose a document to make.", code="unknown_document")
    pending = report.document_jobs.pending().filter(kind=DocumentJob.Kind.DRAFT, document=kind, requested_by=by).first()
    if pending is not None:
        return pending
    job = DocumentJob.objects.create(report=report, kind=DocumentJob.Kind.DRAFT, document=kind, requested_by=by)
    _enqueue(job)
    return job


@transaction.atomic
def subject_access_request(*, reference: str, by: User) -> DocumentJob:
    """Ask the worker for the subject access export of the child with ``reference``
    (reports.subject_access): everything held about them is a long document. Refused,
    keyed "reference", when no case has it; the same person asking again while one is
    being made gets that one."""
    if not can(by, Action.ADMINISTER):
        raise ValidationError(ADMINISTRATOR_ONLY, code="not_allowed")
    reference = subject_access.cases_with(reference)[0].reference
    pending = (
        DocumentJob.objects.pending()
        .filter(kind=DocumentJob.Kind.SUBJECT_ACCESS, reference=reference, requested_by=by)
        .first()
    )
    if pending is not None:
        return pending
    job = DocumentJob.objects.create(
        kind=DocumentJob.Kind.SUBJECT_ACCESS, document="zip", reference=reference, requested_by=by, steps=2
    )
    _enqueue(job)
    return job


@transaction.atomic
def job_retry(*, job: DocumentJob, by: User) -> DocumentJob:
    """Queue a failed job again, as it was asked for: by the person who may ask for it."""
    if job.kind == DocumentJob.Kind.SUBJECT_ACCESS:
        if not can(by, Action.ADMINISTER):
            raise ValidationError(ADMINISTRATOR_ONLY, code="not_allowed")
    else:
        _refuse_unless_executive(by)
    locked = DocumentJob.objects.select_for_update().get(pk=job.pk)
    if locked.state != DocumentJob.State.FAILED:
        raise ValidationError("Only a document that failed can be tried again.", code="not_failed")
    if locked.kind == DocumentJob.Kind.SUBJECT_ACCESS and not locked.reference:
        raise ValidationError(EXPORT_DELETED, code="deleted")
    if (
        locked.kind == DocumentJob.Kind.PUBLISH
        and locked.of_report.document_jobs.pending().filter(kind=DocumentJob.Kind.PUBLISH).exists()
    ):
        raise ValidationError(BEING_PUBLISHED, code="being_published")
    locked.state = DocumentJob.State.QUEUED
    locked.error = ""
    locked.step = 0
    locked.step_label = ""
    locked.started_at = locked.finished_at = None
    locked.save(update_fields=["state", "error", "step", "step_label", "started_at", "finished_at"])
    _enqueue(locked)
    return locked


@transaction.atomic
def withdraw(
    *, published: PublishedReport, by: User, reason: str, at: datetime.datetime | None = None
) -> PublishedReport:
    """Withdraw the current publication of a report, with a reason. It is never deleted:
    board members still see it, marked withdrawn, and may download it. The report can
    then be corrected and published again."""
    _refuse_unless_executive(by)
    locked = PublishedReport.objects.select_for_update().get(pk=published.pk)
    if not locked.is_current:
        raise ValidationError(
            "Only the current publication of a report can be withdrawn: this one has been withdrawn or replaced.",
            code="not_current",
        )
    locked.withdrawal_reason = _check_reason("withdrawal_reason", reason, WITHDRAWAL_NEEDS_REASON)
    locked.withdrawn_at = at or timezone.now()
    locked.withdrawn_by = by
    locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    transaction.on_commit(partial(notifications.withdrawn, locked))
    return locked


# --- A round's learning summary -------------------------------------------------------------

SUMMARY_BLOCKS = ("title", "focus", "findings", "worked_well", "development", "recommendations")
AUDIT_TEAM_ONLY = "Only the audit team can prepare and publish a round's learning summary."
SUMMARY_NEEDS_FINALISED_CASE = "A learning summary is drafted from the round's finalised cases: finalise a case first."
SUMMARY_EXISTS = "This round already has a learning summary."
SUMMARY_FOR_CASE_AUDITS = "A learning summary is drafted from a case audit's grades: an Appreciative Inquiry has none."
SUMMARY_PUBLISHED = "This learning summary has been published, so it cannot be changed."


def _refuse_unless_audit_team(by: User) -> None:
    if not can(by, Action.MANAGE_AUDITS):
        raise ValidationError(AUDIT_TEAM_ONLY, code="not_allowed")


def _lock_summary(summary: LearningSummary) -> LearningSummary:
    """Read the summary again under a row lock: one published a moment ago, by someone
    else, is not changed or published again."""
    locked = LearningSummary.objects.select_for_update().select_related("audit_round").get(pk=summary.pk)
    if locked.is_published:
        raise ValidationError(SUMMARY_PUBLISHED, code="published")
    return locked


@transaction.atomic
def summary_draft(*, audit_round: AuditRound, by: User) -> LearningSummary:
    """Draft the round's learning summary from its finalised cases, for the audit team
    to edit. Drafted texts naming a case by its board reference are left out."""
    _refuse_unless_audit_team(by)
    locked = AuditRound.objects.select_for_update().get(pk=audit_round.pk)
    if locked.is_appreciative_inquiry:
        raise ValidationError(SUMMARY_FOR_CASE_AUDITS, code="appreciative_inquiry")
    if LearningSummary.objects.filter(audit_round=locked).exists():
        raise ValidationError(SUMMARY_EXISTS, code="exists")
    if not locked.cases.filter(state=AuditCase.State.FINALISED).exists():
        raise ValidationError(SUMMARY_NEEDS_FINALISED_CASE, code="no_finalised_case")
    draft = selectors.learning_draft(locked)
    summary = LearningSummary(audit_round=locked, **{name: getattr(draft, name) for name in SUMMARY_BLOCKS})
    return create_versioned(summary, by=by)


@transaction.atomic
def summary_update(*, summary: LearningSummary, by: User, expected_version: int, **blocks: str) -> LearningSummary:
    """Change any of the blocks (``SUMMARY_BLOCKS``); each is checked for identifying
    details and board references, and refused beside its own name."""
    _refuse_unless_audit_team(by)
    if unknown := set(blocks) - set(SUMMARY_BLOCKS):
        raise TypeError(f"Not a block of a learning summary: {', '.join(sorted(unknown))}")
    locked = _lock_summary(summary)
    for name, value in blocks.items():
        setattr(locked, name, value.strip())
    saved = save_versioned(locked, expected_version=expected_version, by=by)
    summary.refresh_from_db()
    return saved


@transaction.atomic
def summary_publish(*, summary: LearningSummary, by: User, expected_version: int) -> LearningSummary:
    """Render the summary's PDF once, store it, and freeze the summary: published, it is
    final. ``expected_version`` is the summary's as checked before publishing."""
    _refuse_unless_audit_team(by)
    locked = _lock_summary(summary)
    locked.full_clean()  # every block checked again, as published
    locked.state = LearningSummary.State.PUBLISHED
    locked.published_at = timezone.now()
    locked.published_by = by
    name = slugify(locked.title)[:60] or "learning-summary"
    with files_kept_on_success() as written:
        written(locked.pdf)
        locked.pdf.save(f"{name}.pdf", ContentFile(renderers.learning_pdf(locked)), save=False)
        save_versioned(locked, expected_version=expected_version, by=by)
    summary.refresh_from_db()
    return locked
