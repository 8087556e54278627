from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reports import retention


class Command(BaseCommand):
    help = (
        "Carry out the retention schedule (Administration, Retention and legal holds): list, per kind of "
        "record, what is past its date and what a legal hold keeps; with --apply, remove it. Without --apply "
        "nothing changes. Each run is a security event with its counts. Schedule it monthly with --apply."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--apply", action="store_true", help="Remove what is listed (otherwise a dry run).")
        parser.add_argument("--today", help="Pretend today is this date (YYYY-MM-DD), to see what a date would remove.")

    def handle(self, *args: Any, apply: bool, today: str | None, **options: Any) -> None:
        try:
            now = (
                timezone.make_aware(datetime.datetime.combine(datetime.date.fromisoformat(today), datetime.time()))
                if today
                else timezone.now()
            )
        except ValueError:
            raise CommandError(f"--today must be a date like 2016-05-11, not {today!r}.") from None
        result = retention.run(now=now, apply=apply)
        verb = "removed" if apply else "would be removed"
        self.stdout.write(("Applied" if apply else "Dry run: nothing changed") + f", as of {now:%Y-%m-%d}.")
        for due in result.kinds:
            if due.before is None:
                self.stdout.write(f"{due.label}: kept indefinitely.")
                continue
            line = f"{due.label} (kept {due.years} years, from before {due.before:%Y-%m-%d}): {due.due} {verb}"
            if due.kind == retention.RetentionKind.CASE_AUDIT_DETAIL:
                line += f", {due.held} kept under a legal hold"
            self.stdout.write(line + ".")
        if apply:
            self.stdout.write(f"Change history and reads removed with the cases: {result.history_removed}.")
        else:
            self.stdout.write("Run again with --apply to remove them.")
