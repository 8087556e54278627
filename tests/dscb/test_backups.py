"""Backups and the restore drill (SECURITY.md row 42): a backup restored into a new
database and folder has every table's rows and every file's checksum, and the drill
notices when it does not."""

from __future__ import annotations

import io
from pathlib import Path

import psycopg2
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from dscb import backups
from dscb.models import WorkerHeartbeat
from tests.factories import UserFactory


def test_it_lists_every_file_of_a_local_store_however_deep(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    for name in ("top.pdf", "evidence/2026/12/a.pdf", "evidence/b.docx"):
        storage.save(name, ContentFile(b"x"))

    assert list(backups.stored_names(storage)) == ["top.pdf", "evidence/b.docx", "evidence/2026/12/a.pdf"]


def test_a_store_nothing_was_uploaded_to_has_no_files(tmp_path):
    assert list(backups.stored_names(FileSystemStorage(location=tmp_path / "not-made-yet"))) == []


def test_a_file_name_leading_outside_the_backup_is_refused(tmp_path):
    with pytest.raises(backups.BackupError):
        backups.inside(tmp_path, "../elsewhere")


@pytest.mark.django_db
def test_it_refuses_a_database_other_than_postgresql(tmp_path):
    if connection.vendor == "postgresql":
        pytest.skip("this run is on PostgreSQL")
    with pytest.raises(CommandError, match="need PostgreSQL"):
        call_command("backup", str(tmp_path / "backup"))


def test_the_drill_refuses_a_folder_that_is_not_a_backup(tmp_path):
    with pytest.raises(CommandError, match="is not a backup"):
        call_command("restore_drill", str(tmp_path))


def some_data() -> None:
    UserFactory.create_batch(3)
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="worker-a", host="app-1", pid=1, started_at=now, last_seen=now)
    default_storage.save("evidence/policy.pdf", ContentFile(b"%PDF-1.4 policy"))
    default_storage.save("published/report.pdf", ContentFile(b"%PDF-1.4 report"))


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restores_with_no_differences(tmp_path):
    some_data()
    out = io.StringIO()

    call_command("backup", str(tmp_path / "backup"), stdout=out)
    call_command("restore_drill", str(tmp_path / "backup"), stdout=out)

    text = out.getvalue()
    assert "and 2 files into" in text
    assert text.strip().endswith("0 differences")
    manifest = (tmp_path / "backup" / backups.MANIFEST).read_text()
    assert "  evidence/policy.pdf\n" in manifest
    assert (tmp_path / "backup" / "files" / "published" / "report.pdf").read_bytes() == b"%PDF-1.4 report"
    counts = backups.read_row_counts(tmp_path / "backup")
    assert counts["dscb_user"] == 3
    assert counts["dscb_workerheartbeat"] == 1


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_drill_finds_a_missing_row_and_a_changed_or_extra_file(tmp_path):
    some_data()
    backups.backup(tmp_path / "backup")

    def tamper(scratch_params: dict, folder: Path) -> None:
        with psycopg2.connect(**scratch_params) as restored, restored.cursor() as cursor:
            cursor.execute("DELETE FROM dscb_workerheartbeat")
        restored.close()
        (folder / "evidence" / "policy.pdf").write_bytes(b"%PDF-1.4 altered")
        (folder / "stray.txt").write_text("not in the backup")

    result = backups.restore_drill(tmp_path / "backup", tamper=tamper)

    assert [(d.kind, d.name, d.in_backup, d.restored) for d in result.differences if d.kind == "table"] == [
        ("table", "dscb_workerheartbeat", "1", "0")
    ]
    assert [(d.name, d.in_backup) for d in result.differences if d.kind == "file"] == [
        ("evidence/policy.pdf", backups.sha256_of(tmp_path / "backup" / "files" / "evidence" / "policy.pdf")),
        ("stray.txt", "missing"),
    ]
    assert not any(name.startswith("restore_drill_") for name in databases())


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_drill_command_fails_and_prints_the_differences(tmp_path):
    some_data()
    backups.backup(tmp_path / "backup")
    (tmp_path / "backup" / "files" / "evidence" / "policy.pdf").write_bytes(b"changed after the backup")
    out = io.StringIO()

    with pytest.raises(CommandError, match=r"^1 difference$"):
        call_command("restore_drill", str(tmp_path / "backup"), stdout=out)

    assert "file   evidence/policy.pdf" in out.getvalue()


def databases() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database")
        return [name for (name,) in cursor.fetchall()]
