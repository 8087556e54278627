from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dscb.backups import DUMP, FILES, MANIFEST, BackupError, backup, counted


class Command(BaseCommand):
    help = (
        f"Back up the database (pg_dump -Fc into DIR/{DUMP}) and every file in the file store "
        f"(into DIR/{FILES}/, checksums in DIR/{MANIFEST}). DIR must be new or empty. "
        "Check the backup with `manage.py restore_drill DIR`."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory", type=Path)

    def handle(self, *args: Any, directory: Path, **options: Any) -> None:
        try:
            tables, rows, files = backup(directory)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Backed up {counted(tables, 'table')} ({counted(rows, 'row')}) and {counted(files, 'file')} "
            f"into {directory}."
        )
