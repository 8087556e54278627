from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dscb.demo import DEMO_PASSWORD, create_demo_accounts


class Command(BaseCommand):
    help = "Load the demo accounts and data. Refuses to run unless DEBUG is on. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "Refusing to load demo data: DEBUG is off, so this looks like a real installation. "
                "Demo accounts share one published password."
            )
        users = create_demo_accounts()
        self.stdout.write(self.style.SUCCESS("Demo accounts (all with the password below):"))
        for user in users:
            self.stdout.write(f"  {user.email:<30} {', '.join(user.role_labels)}")
        self.stdout.write(f"  Password: {DEMO_PASSWORD}")
