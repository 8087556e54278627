from __future__ import annotations

import datetime
import logging
from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from dscb.files import orphans

logger = logging.getLogger("dscb.files")


class Command(BaseCommand):
    help = (
        "List stored files (evidence, published reports) that no record points at, left behind by a save "
        "that was cut short. With --delete, remove them. Files younger than --older-than-hours are left "
        "alone: they may belong to a save still in progress."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--delete", action="store_true", help="Remove the files listed.")
        parser.add_argument("--older-than-hours", type=int, default=24)

    def handle(self, *args: Any, delete: bool, older_than_hours: int, **options: Any) -> None:
        if older_than_hours < 1:
            raise CommandError("--older-than-hours must be at least 1.")
        found = orphans(older_than=datetime.timedelta(hours=older_than_hours))
        for name in found:
            self.stdout.write(name)
            if delete:
                default_storage.delete(name)
                logger.info("Removed a stored file no record points at: %s", name)
        verb = "removed" if delete else "found"
        self.stdout.write(f"{len(found)} file{'s' if len(found) != 1 else ''} with no record {verb}.")
