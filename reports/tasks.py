"""The report app's background tasks, run by ``manage.py run_worker``."""

from __future__ import annotations

from django_tasks import task

from reports import jobs


@task(queue_name="documents")
def make_document(job_id: int) -> None:
    jobs.run(job_id)


@task(queue_name="documents")
def remove_old_documents() -> None:
    """A day after a draft or a subject access export was made, its file goes, whether
    or not anything else is asked for by then (reports.jobs.remove_old_files)."""
    jobs.remove_old_files()
