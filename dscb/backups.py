"""Backups and the restore drill (SECURITY.md row 42; NDG data security standard 7).

A backup is a folder: ``database.dump`` (``pg_dump -Fc``), ``row-counts.tsv`` (every
table's rows, counted in the same snapshot as the dump), ``files/`` (a copy of every
file in the file store, local folder or S3 alike) and ``files.sha256`` (their checksums,
in ``sha256sum`` format). The drill restores it into a new database on the same server
and a new folder, and compares: a backup nobody has restored is only a hope.

The SQL below is fixed text: table names reach PostgreSQL only through ``format('%I')``
or ``psycopg2.sql.Identifier``, which quote them.
"""

from __future__ import annotations

import datetime
import glob
import hashlib
import os
import secrets
import shutil
import subprocess  # nosec B404: runs pg_dump and pg_restore, with argument lists, never a shell
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg2
from django.core.files.storage import Storage, default_storage
from django.db import connection
from psycopg2 import sql
from psycopg2.extensions import ISOLATION_LEVEL_REPEATABLE_READ

DUMP = "database.dump"
ROW_COUNTS = "row-counts.tsv"
FILES = "files"
MANIFEST = "files.sha256"
CHUNK = 1024 * 1024

# Every table of the schema with its rows, in one statement.
ROW_COUNTS_SQL = """
SELECT table_name,
       (xpath('/row/n/text()',
              query_to_xml(format('SELECT count(*) AS n FROM %I.%I', table_schema, table_name), false, true, '')
       ))[1]::text::bigint
FROM information_schema.tables
WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
ORDER BY table_name
"""


def counted(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


class BackupError(Exception):
    """Something the operator must put right; the message says what."""


@dataclass(frozen=True)
class Difference:
    kind: str  # "table" or "file"
    name: str
    in_backup: str
    restored: str


@dataclass(frozen=True)
class DrillResult:
    tables: int
    rows: int
    files: int
    differences: list[Difference]


def postgres_tool(name: str) -> str:
    """pg_dump and pg_restore from the PATH, or from Debian's versioned folder."""
    found = shutil.which(name)
    if found:
        return found
    # /usr/lib/postgresql/<version>/bin/<name>: the newest version reads every older dump.
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda path: int(Path(path).parts[4]))
    if not candidates:
        raise BackupError(f"{name} was not found: install the PostgreSQL client (Debian: postgresql-client).")
    return candidates[-1]


def database_settings(database: str | None = None) -> dict[str, Any]:
    """How to reach the service's database (or another on the same server), for
    psycopg2 and, as libpq's variables, for pg_dump and pg_restore."""
    if connection.vendor != "postgresql":
        raise BackupError("Backups and the restore drill need PostgreSQL: DATABASE_URL points at another database.")
    settings_dict = connection.settings_dict
    params = {
        "dbname": database or settings_dict["NAME"],
        "host": settings_dict.get("HOST") or None,
        "port": str(settings_dict.get("PORT") or "") or None,
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
        **{key: value for key, value in (settings_dict.get("OPTIONS") or {}).items() if key == "sslmode"},
    }
    return {key: value for key, value in params.items() if value is not None}


def libpq_environment(params: dict[str, Any]) -> dict[str, str]:
    # In the environment, not on the command line, where other users could read the password.
    names = {
        "dbname": "PGDATABASE",
        "host": "PGHOST",
        "port": "PGPORT",
        "user": "PGUSER",
        "password": "PGPASSWORD",  # nosec B105: the variable's name, not a password
        "sslmode": "PGSSLMODE",
    }
    return {**os.environ, **{names[key]: str(value) for key, value in params.items()}}


def row_counts(cursor: Any) -> dict[str, int]:
    cursor.execute(ROW_COUNTS_SQL)
    return {table: int(count) for table, count in cursor.fetchall()}


def stored_names(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file in the store, for a local folder and an S3 bucket alike."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return  # a local store nothing was uploaded to yet
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from stored_names(storage, f"{folder}/{sub}" if folder else sub)


def inside(root: Path, name: str) -> Path:
    path = (root / name).resolve()
    if not path.is_relative_to(root.resolve()):
        raise BackupError(f"Refusing a file name that leads outside the backup: {name!r}")
    return path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def backup(directory: Path, *, storage: Storage | None = None) -> tuple[int, int, int]:
    """Write a backup into ``directory`` (new or empty). The database first, then the
    files: a file is stored before its row is committed, so every file the dump names
    is in the copy (any extra are files no row names yet, or any more).
    Returns the tables, rows and files backed up."""
    storage = storage or default_storage
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: give each backup a new folder.")
    directory.mkdir(parents=True, exist_ok=True)
    params = database_settings()

    # One snapshot for the dump and the counts, so they agree however busy the service is.
    source = psycopg2.connect(**params)
    try:
        source.set_session(isolation_level=ISOLATION_LEVEL_REPEATABLE_READ, readonly=True)
        with source.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
            subprocess.run(  # noqa: S603  # nosec B603: a fixed program and arguments, no shell
                [postgres_tool("pg_dump"), "-Fc", "--snapshot", snapshot, "-f", str(directory / DUMP)],
                env=libpq_environment(params),
                check=True,
            )
            counts = row_counts(cursor)
        source.rollback()
    finally:
        source.close()
    (directory / ROW_COUNTS).write_text("".join(f"{table}\t{count}\n" for table, count in counts.items()))

    files_root = directory / FILES
    files_root.mkdir()
    manifest = []
    for name in stored_names(storage):
        target = inside(files_root, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with storage.open(name, "rb") as source_file, target.open("wb") as copy:
            for chunk in source_file.chunks(CHUNK):
                digest.update(chunk)
                copy.write(chunk)
        manifest.append(f"{digest.hexdigest()}  {name}\n")
    (directory / MANIFEST).write_text("".join(manifest))
    return len(counts), sum(counts.values()), len(manifest)


def read_manifest(directory: Path) -> dict[str, str]:
    entries = {}
    for line in (directory / MANIFEST).read_text().splitlines():
        checksum, name = line.split("  ", 1)
        entries[name] = checksum
    return entries


def read_row_counts(directory: Path) -> dict[str, int]:
    counts = {}
    for line in (directory / ROW_COUNTS).read_text().splitlines():
        table, count = line.split("\t")
        counts[table] = int(count)
    return counts


def compare(expected: dict[str, Any], found: dict[str, Any], kind: str) -> list[Difference]:
    return [
        Difference(kind, name, str(expected.get(name, "missing")), str(found.get(name, "missing")))
        for name in sorted(expected.keys() | found.keys())
        if expected.get(name) != found.get(name)
    ]


# The test of the drill itself changes the restored copy here, to see it caught.
Tamper = Callable[[dict[str, Any], Path], None]


def restore_drill(directory: Path, *, tamper: Tamper | None = None) -> DrillResult:
    """Restore the backup in ``directory`` into a new database on the same server
    (``pg_restore --no-owner``) and a new folder, compare every table's rows and every
    file's checksum with what the backup recorded, then drop both."""
    for part in (DUMP, ROW_COUNTS, MANIFEST, FILES):
        if not (directory / part).exists():
            raise BackupError(f"{directory} is not a backup: it has no {part}.")
    expected_counts = read_row_counts(directory)
    expected_files = read_manifest(directory)
    params = database_settings()
    scratch = f"restore_drill_{datetime.datetime.now(tz=datetime.UTC):%Y%m%d%H%M%S}_{secrets.token_hex(3)}"
    scratch_params = database_settings(scratch)

    admin = psycopg2.connect(**params)
    admin.autocommit = True
    folder = Path(tempfile.mkdtemp(prefix="restore-drill-files-"))
    try:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
        try:
            subprocess.run(  # noqa: S603  # nosec B603: a fixed program and arguments, no shell
                [
                    postgres_tool("pg_restore"),
                    "--no-owner",
                    "--no-acl",
                    "--exit-on-error",
                    "-d",
                    scratch,
                    str(directory / DUMP),
                ],
                env=libpq_environment(scratch_params),
                check=True,
            )
            files_root = directory / FILES
            for name in expected_files:
                target = inside(folder, name)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(inside(files_root, name), target)
            if tamper:
                tamper(scratch_params, folder)
            restored = psycopg2.connect(**scratch_params)
            try:
                with restored.cursor() as cursor:
                    restored_counts = row_counts(cursor)
            finally:
                restored.close()
            restored_files = {
                str(path.relative_to(folder)): sha256_of(path) for path in folder.rglob("*") if path.is_file()
            }
        finally:
            with admin.cursor() as cursor:
                cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch)))
    finally:
        admin.close()
        shutil.rmtree(folder, ignore_errors=True)
    differences = compare(expected_counts, restored_counts, "table") + compare(expected_files, restored_files, "file")
    return DrillResult(
        tables=len(expected_counts),
        rows=sum(expected_counts.values()),
        files=len(expected_files),
        differences=differences,
    )
