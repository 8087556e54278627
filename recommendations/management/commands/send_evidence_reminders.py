from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from recommendations import services


class Command(BaseCommand):
    help = (
        "Email leads whose recommendations still lack evidence in an open update: once when it is due "
        "within EVIDENCE_REMINDER_DAYS, once more when it is overdue. Run it daily; it never sends the "
        "same reminder twice."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days-before", type=int, default=settings.EVIDENCE_REMINDER_DAYS)
        parser.add_argument("--today", help="Pretend today is this date (YYYY-MM-DD), for testing a schedule.")

    def handle(self, *args: Any, days_before: int, today: str | None, **options: Any) -> None:
        try:
            day = datetime.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError:
            raise CommandError(f"--today must be a date like 2011-09-16, not {today!r}.") from None
        if days_before < 0:
            raise CommandError("--days-before cannot be negative.")
        sent = services.send_reminders(today=day, days_before=days_before)
        self.stdout.write(f"{len(sent)} reminder{'s' if len(sent) != 1 else ''} sent.")
