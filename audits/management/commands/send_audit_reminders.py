from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audits import notifications


class Command(BaseCommand):
    help = (
        "Email agency auditors whose returns in a round collecting returns are still waiting: once when "
        "they are due within AUDIT_REMINDER_DAYS, once more when overdue; and the audit team about each "
        "request for immediate intervention past its date. Run it daily; it never sends the same email twice."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days-before", type=int, default=settings.AUDIT_REMINDER_DAYS)
        parser.add_argument("--today", help="Pretend today is this date (YYYY-MM-DD), for testing a schedule.")

    def handle(self, *args: Any, days_before: int, today: str | None, **options: Any) -> None:
        try:
            day = datetime.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError:
            raise CommandError(f"--today must be a date like 2011-05-11, not {today!r}.") from None
        if days_before < 0:
            raise CommandError("--days-before cannot be negative.")
        sent = notifications.send_reminders(today=day, days_before=days_before)
        self.stdout.write(f"{len(sent)} email{'s' if len(sent) != 1 else ''} sent.")
