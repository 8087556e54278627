"""Publishing the longest report through the task worker, and the worker's memory.

    DATABASE_URL=postgres://... .venv/bin/python bench/grow.py stress
    DATABASE_URL=postgres://... .venv/bin/python bench/publish.py

Asks for a publication of a report over every round and the stress plan (the issue's
363-page report at full scale), as the Executive's **Publish** does, then runs
``manage.py run_worker --batch`` as a process of its own and samples, every 0.2 s, the
resident memory of the worker and of the child process each document is laid out in.
Prints: how long the web request took (it renders nothing), how long the worker took,
the PDF's pages, the worker's peak memory and its memory at the end (which stays about
where it started: the layout's memory goes with the child), and the child's peak.
Honours DATABASE_URL as bench/grow.py does; the database must have been grown first.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import subprocess  # nosec B404
import sys
import time
from pathlib import Path

import pikepdf  # requirements-dev.txt, as the tests read PDFs

sys.path.insert(0, str(Path(__file__).resolve().parent))
from grow import ROOT, setup_django

MB = 1024 * 1024


def rss(pid: int) -> int:
    """Resident memory of a process in bytes, 0 once it has gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
            return [int(child) for child in handle.read().split()]
    except FileNotFoundError:
        return []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.parse_args()
    setup_django()
    from django.db.models import Count
    from django.utils import timezone

    from audits.models import AuditRound
    from dscb.models import User
    from recommendations.models import ReviewCycle
    from reports import services
    from reports.models import DocumentJob, PublishedReport, Report

    executive = User.objects.filter(is_executive=True, is_active=True).order_by("pk").first()
    first_round = AuditRound.objects.order_by("held_on").values_list("held_on", flat=True).first()
    # The largest plan's latest update: at the stress shape, the seed plan's 1,600 recommendations.
    cycle = ReviewCycle.objects.annotate(size=Count("plan__recommendations")).order_by("-size", "-due_on").first()
    report = Report.objects.create(
        title=f"Bench report {timezone.now():%Y%m%d%H%M%S}",
        cycle=cycle,
        period_start=first_round or datetime.date(2009, 1, 1),
        period_end=timezone.localdate(),
    )
    started = time.perf_counter()
    job = services.publication_request(report=report, by=executive, expected_version=report.version)
    asked = time.perf_counter() - started

    env = {**os.environ, "DOCUMENTS_IN_CHILD_PROCESS": "true"}
    started = time.perf_counter()
    worker = subprocess.Popen(  # noqa: S603  # nosec B603: the service's own command
        [sys.executable, str(ROOT / "manage.py"), "run_worker", "--batch", "--interval", "0"],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    worker_ready = worker_peak = worker_last = child_peak = 0
    while worker.poll() is None:
        now = rss(worker.pid)
        worker_peak = max(worker_peak, now)
        worker_last = now or worker_last
        forked = children(worker.pid)
        if not forked and not child_peak:
            worker_ready = now or worker_ready  # started, before its first job's child
        for child in forked:
            child_peak = max(child_peak, rss(child))
        time.sleep(0.2)
    took = time.perf_counter() - started
    job.refresh_from_db()
    if job.state != DocumentJob.State.READY:
        sys.exit(f"the job {job.state}: {job.error}")
    published = PublishedReport.objects.get(pk=job.published_id)
    with published.pdf.open("rb") as pdf:
        pages = len(pikepdf.open(io.BytesIO(pdf.read())).pages)
    print(f"report over {report.period_start} to {report.period_end}, plan of {cycle.plan}")
    print(f"the publish request (queues the job, renders nothing): {asked * 1000:.0f} ms")
    print(f"the worker, start to finish (five documents): {took:.1f} s")
    print(f"the published PDF: {published.pdf.size / MB:.1f} MB, {pages} pages")
    print(
        f"worker memory: {worker_ready / MB:.0f} MB before the job, {worker_peak / MB:.0f} MB at its peak, "
        f"{worker_last / MB:.0f} MB after the job"
    )
    print(f"child memory at its peak (the layout, given back when it exits): {child_peak / MB:.0f} MB")


if __name__ == "__main__":
    main()
