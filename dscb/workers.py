"""Background workers saying they are alive (``manage.py run_worker``), and the health
check asking whether one is."""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading

from django.db import DatabaseError, connection
from django.utils import timezone

from dscb.models import WorkerHeartbeat

logger = logging.getLogger("dscb.workers")

# Often enough that a health check allowing a minute (WORKER_HEARTBEAT_MAX_AGE_SECONDS)
# sees a live worker even if a beat or two is lost to a busy database.
HEARTBEAT_SECONDS = 15.0
# A worker stopped for this long is gone, not paused: its row says nothing useful.
STALE_AFTER = datetime.timedelta(days=1)

# Held while a beat is written. The worker forks a child for each document
# (reports.jobs): a fork while the heartbeat thread held a lock inside the database
# driver or the logging module would leave that lock held for ever in the child, so a
# fork waits for the beat in progress, and none starts until the fork is done.
BEATING = threading.Lock()
os.register_at_fork(before=BEATING.acquire, after_in_parent=BEATING.release, after_in_child=BEATING.release)


def worker_seen_since(moment: datetime.datetime) -> bool:
    return WorkerHeartbeat.objects.filter(last_seen__gte=moment).exists()


class Heartbeat:
    """Renews one worker's row every ``interval`` seconds from a daemon thread, which has
    a database connection of its own (Django's are per thread) and closes it when it
    stops. The first beat is written at once, by the caller, before any task runs."""

    def __init__(self, *, worker_id: str, interval: float = HEARTBEAT_SECONDS) -> None:
        self.worker_id = worker_id
        self.interval = interval
        self.host = socket.gethostname()[:255]
        self.pid = os.getpid()
        self.started_at = timezone.now()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def beat(self) -> None:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={"host": self.host, "pid": self.pid, "started_at": self.started_at, "last_seen": timezone.now()},
        )

    def start(self) -> None:
        removed, _ = WorkerHeartbeat.objects.filter(last_seen__lt=timezone.now() - STALE_AFTER).delete()
        if removed:
            logger.info("Removed %d heartbeat(s) of workers not seen for a day", removed)
        self.beat()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{self.worker_id}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.interval + 5)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                with BEATING:
                    try:
                        self.beat()
                    except DatabaseError:
                        # A database restart must not end the heartbeat for good: drop the
                        # broken connection and try again at the next beat.
                        logger.warning("Worker %s could not write its heartbeat", self.worker_id, exc_info=True)
                        connection.close()
        finally:
            connection.close()
