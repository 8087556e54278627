"""The demo the tests copy in (tests/demo_snapshot.py) is the demo `seed_demo` loads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from dscb.demo import DEMO_ACCOUNTS
from dscb.models import User
from reports.models import Report
from tests.demo_snapshot import _tables, load_demo
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def rows_per_table() -> dict[str, int]:
    return {table.model._meta.db_table: table.model._base_manager.count() for table in _tables()}


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(path for path in root.rglob("*") if path.is_file())


def without_random_prefix(paths: list[Path]) -> list[str]:
    # Stored names begin with a random part, so that no name can be guessed.
    return sorted(re.sub(r"^[0-9a-f]{32}-", "", path.name) for path in paths)


def test_the_copied_demo_has_every_row_and_file_the_command_loads(settings):
    before = rows_per_table()
    with transaction.atomic():
        load_demo(settings)
        copied, copied_files = rows_per_table(), stored_files(settings)
        transaction.set_rollback(True)
    for path in copied_files:
        path.unlink()
    assert rows_per_table() == before

    settings.DEBUG = True
    call_command("seed_demo")

    assert rows_per_table() == copied
    assert without_random_prefix(stored_files(settings)) == without_random_prefix(copied_files)
    assert len(copied_files) == 5  # the published report's documents


def test_a_test_that_wrote_rows_first_gets_the_whole_demo_but_its_report_around_them(settings):
    with transaction.atomic():
        load_demo(settings, report=False)  # a copy of the demo taken from the empty state
        transaction.set_rollback(True)
    someone = UserFactory(email="first@example.org")  # takes an id that copy gave the demo's first account

    load_demo(settings, report=False)

    assert User.objects.filter(email__endswith="@example.org").count() == len(DEMO_ACCOUNTS) + 1
    assert User.objects.get(pk=someone.pk).email == "first@example.org"
    assert not Report.objects.exists()
