"""The report app's background tasks, run by ``manage.py run_worker``."""

from __future__ import annotations

from django_tasks import task

from reports import jobs


@task(queue_name="documents")
def make_document(job_id: int) -> None:
    jobs.run(job_id)
