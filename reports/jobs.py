"""Documents made in the background: what the task worker does with a ``DocumentJob``.

A long report is a few hundred pages: WeasyPrint takes a minute and several hundred
megabytes to lay it out, and a Python process keeps memory it has used. So the worker
renders each job in a child process (``os.fork``) that exits when the job is done:
the worker itself stays small however many reports it makes. The child records its
progress and its outcome on the job; the worker only waits, and marks the job failed
if the child died without saying (killed for memory, say).
"""

from __future__ import annotations

import datetime
import logging
import multiprocessing
import uuid

from auditlog.context import set_actor
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import close_old_connections, connections, transaction
from django.utils import timezone

from dscb import request_cache
from dscb.concurrency import EditConflict
from reports import document, renderers, services, subject_access
from reports.models import DocumentJob

logger = logging.getLogger(__name__)

CHANGED_SINCE_CHECKED = (
    "The report was changed after you checked it, so it has not been published. Check it again, then publish it."
)
DRAFTS_KEPT = datetime.timedelta(days=1)
STOPPED = "The document could not be finished. Try again; if it fails again, tell the service's administrator."


def run(job_id: int) -> None:
    """Make the job's document, in a child process unless settings say otherwise (the
    test suite, whose database the child could not see)."""
    if not _start(job_id):
        return
    if not settings.DOCUMENTS_IN_CHILD_PROCESS:
        make(job_id)
        return
    # The child must open its own database connections, never share the worker's; the fork
    # waits for a heartbeat being written (dscb.workers.BEATING), so no lock goes over half-held.
    connections.close_all()
    child = multiprocessing.get_context("fork").Process(target=_child, args=(job_id,), daemon=False)
    child.start()
    child.join()
    close_old_connections()
    if child.exitcode != 0:
        job = DocumentJob.objects.get(pk=job_id)
        if job.state == DocumentJob.State.RUNNING:
            logger.error("Document job %s: the child process ended with %s", job_id, child.exitcode)
            _finish(job, state=DocumentJob.State.FAILED, error=STOPPED)


def _child(job_id: int) -> None:
    try:
        make(job_id)
    finally:
        connections.close_all()


@transaction.atomic
def _start(job_id: int) -> bool:
    job = DocumentJob.objects.select_for_update().filter(pk=job_id).first()
    if job is None or job.state != DocumentJob.State.QUEUED:
        return False  # gone, or already done by an earlier attempt
    job.state = DocumentJob.State.RUNNING
    job.started_at = timezone.now()
    job.attempts += 1
    job.save(update_fields=["state", "started_at", "attempts"])
    return True


def _finish(job: DocumentJob, *, state: str, error: str = "", **fields: object) -> None:
    job.state = state
    job.error = error[:500]
    job.finished_at = timezone.now()
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=["state", "error", "finished_at", *fields])


def make(job_id: int) -> None:
    """Make the job's document and record the outcome on the job. A rule's refusal (the
    report changed since it was checked) is shown to the person as it is; anything
    else is logged with a reference they can quote."""
    job = DocumentJob.objects.select_related("report", "requested_by").get(pk=job_id)

    def progress(step: int, steps: int, label: str) -> None:
        DocumentJob.objects.filter(pk=job.pk).update(step=step, steps=steps, step_label=label[:100])

    try:
        # What the worker saves is the person's change, as if they had saved it themselves;
        # what a request reads once (a scale's words), the job reads once too.
        with set_actor(job.requested_by), request_cache.kept():
            _make(job, progress)
    except EditConflict:
        _finish(job, state=DocumentJob.State.FAILED, error=CHANGED_SINCE_CHECKED)
    except ValidationError as refusal:
        _finish(job, state=DocumentJob.State.FAILED, error=" ".join(refusal.messages))
    except Exception:
        reference = uuid.uuid4().hex[:8]
        logger.exception("Document job %s failed (reference %s)", job.pk, reference)
        _finish(job, state=DocumentJob.State.FAILED, error=f"{STOPPED} Reference: {reference}.")


def _make(job: DocumentJob, progress: services.Progress) -> None:
    if job.kind == DocumentJob.Kind.SUBJECT_ACCESS:
        progress(1, 2, "Gathering everything held about the child")
        data = subject_access.subject_access_data(
            job.reference, by=job.requested_by, today=timezone.localdate(job.requested_at)
        )
        progress(2, 2, "Making the PDF and the ZIP")
        # Stored without the reference in its name; downloaded with it.
        job.file.save(f"subject-access-{job.pk}.zip", ContentFile(subject_access.subject_access_zip(data)), save=False)
        _finish(job, state=DocumentJob.State.READY, file=job.file)
        _remove_when_a_day_old()
        return
    if job.kind == DocumentJob.Kind.PUBLISH:
        published = services.publish(
            report=job.of_report,
            by=job.requested_by,
            today=timezone.localdate(),
            expected_version=job.expected_version or 0,
            replacement_reason=job.replacement_reason,
            progress=progress,
        )
        _finish(job, state=DocumentJob.State.READY, published=published)
        return
    label, render = services.DRAFT_DOCUMENTS[job.document]
    progress(1, 1, f"Making {label}")
    content = render(document.build(job.of_report, today=timezone.localdate()))
    job.file.save(renderers.draft_filename(job.of_report.pk, job.document), ContentFile(content), save=False)
    _finish(job, state=DocumentJob.State.READY, file=job.file)
    _remove_when_a_day_old()


def _remove_when_a_day_old() -> None:
    """Remove what is a day old now, and ask the worker to look again once the file just
    made is a day old too."""
    from reports.tasks import remove_old_documents  # the tasks call this module

    remove_old_files()
    remove_old_documents.using(run_after=timezone.now() + DRAFTS_KEPT + datetime.timedelta(minutes=1)).enqueue()


def remove_old_files(now: datetime.datetime | None = None) -> int:
    """Drafts are for previewing, and a subject access export is for the person who asked
    to download: each file is deleted a day after it was made, and with an export, the
    child's board reference (a case erased later must leave no trace here)."""
    removed = 0
    old = DocumentJob.objects.filter(
        kind__in=[DocumentJob.Kind.DRAFT, DocumentJob.Kind.SUBJECT_ACCESS],
        finished_at__lt=(now or timezone.now()) - DRAFTS_KEPT,
    ).exclude(file="", reference="")
    for job in old:
        if job.file:
            job.file.delete(save=False)
        job.reference = ""
        job.save(update_fields=["file", "reference"])
        removed += 1
    return removed
