from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from dscb.demo import DEMO_ACCOUNTS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Load the demo accounts and data. Refuses to run unless DEBUG is on. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "Refusing to load demo data: DEBUG is off, so this looks like a real installation. "
                "Demo accounts share one published password."
            )
        # Each of this project's apps brings its own demo data in its `demo.load()`, in
        # INSTALLED_APPS order, so the accounts exist before the audits that name them.
        with transaction.atomic():
            for app_config in apps.get_app_configs():
                ours = Path(app_config.path).parent == settings.BASE_DIR
                if ours and module_has_submodule(app_config.module, "demo"):
                    import_module(f"{app_config.name}.demo").load()
        self.stdout.write(self.style.SUCCESS("Demo accounts (all with the password below):"))
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.email:<30} {account.description}")
        self.stdout.write(f"  Password: {DEMO_PASSWORD}")
