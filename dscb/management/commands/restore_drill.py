from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dscb.backups import BackupError, counted, restore_drill


class Command(BaseCommand):
    help = (
        "Restore the backup in DIR (made by `manage.py backup`) into a new database on the same "
        "server and a new folder, compare every table's rows and every file's checksum with the "
        "backup's, then drop them. Prints the differences; fails unless there are none."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory", type=Path)

    def handle(self, *args: Any, directory: Path, **options: Any) -> None:
        try:
            result = restore_drill(directory)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored {directory}: {counted(result.tables, 'table')} ({counted(result.rows, 'row')}) "
            f"and {counted(result.files, 'file')} compared."
        )
        if result.differences:
            width = max(len(difference.name) for difference in result.differences)
            self.stdout.write(f"{'what':<6} {'name':<{width}}  {'in backup':>12}  {'restored':>12}")
            for difference in result.differences:
                in_backup, restored = difference.in_backup[:12], difference.restored[:12]
                self.stdout.write(f"{difference.kind:<6} {difference.name:<{width}}  {in_backup:>12}  {restored:>12}")
        summary = counted(len(result.differences), "difference")
        if result.differences:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
