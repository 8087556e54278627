from __future__ import annotations

import os
from typing import Any

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from dscb.workers import Heartbeat


class Command(db_worker.Command):
    help = (
        "Run the background tasks queued in the database (publishing reports, long documents), "
        "every queue unless --queue-name says which, and keep a heartbeat row so /health/ can "
        "tell that a worker is running. Takes db_worker's options."
    )

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        # One worker for every queue is enough for a board; larger sites split them.
        parser.set_defaults(queue_name="*")

    def handle(self, *args: Any, worker_id: str, reload: bool, batch: bool, **options: Any) -> None:
        # With --reload the first process only watches the files and restarts a second
        # one, which runs the tasks: only that one is a worker worth a heartbeat.
        watcher = reload and not batch and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        if watcher:
            super().handle(*args, worker_id=worker_id, reload=reload, batch=batch, **options)
            return
        heartbeat = Heartbeat(worker_id=worker_id)
        heartbeat.start()
        try:
            super().handle(*args, worker_id=worker_id, reload=reload, batch=batch, **options)
        finally:
            heartbeat.stop()
