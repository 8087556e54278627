"""Stored files follow the rows that name them: a save that fails leaves no file behind.

A FileField writes its file when the row is saved, before the transaction commits. If
the save then fails, the file would stay on disk (or in the bucket) with nothing
pointing at it: personal data nobody can find, review or delete. ``files_kept_on_success``
removes what a failed block wrote; ``orphans`` finds what a process killed mid-save
left (``manage.py orphan_files``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

from django.apps import apps
from django.core.files.storage import Storage, default_storage
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import timezone

# Where the service's own uploads and documents go (the upload_to of every FileField).
STORED_FOLDERS = ("evidence", "reports")


class _Written:
    def __init__(self) -> None:
        self.files: list[FieldFile] = []

    def __call__(self, file: FieldFile) -> FieldFile:
        self.files.append(file)
        return file


@contextmanager
def files_kept_on_success() -> Iterator[_Written]:
    """Yields a function to register each file the block may write (before writing it);
    if the block raises, the registered files that were written are deleted before the
    error goes on."""
    written = _Written()
    try:
        yield written
    except BaseException:
        for file in written.files:
            # Until it is written, a FieldFile's name is the upload's own name: not ours to delete.
            if file.name and file._committed:  # type: ignore[attr-defined]  # set by FieldFile, absent from the stubs
                file.storage.delete(file.name)
        raise


def referenced_names() -> set[str]:
    """Every stored file name a row of one of the service's models points at."""
    names: set[str] = set()
    for model in apps.get_models():
        file_fields = [field.name for field in model._meta.get_fields() if isinstance(field, models.FileField)]
        if not file_fields:
            continue
        for row in model._default_manager.values_list(*file_fields):
            names.update(name for name in row if name)
    return names


def stored_names(storage: Storage = default_storage) -> Iterator[str]:
    def walk(folder: str) -> Iterator[str]:
        if not storage.exists(folder):
            return
        directories, files = storage.listdir(folder)
        for name in files:
            yield f"{folder}/{name}"
        for directory in directories:
            yield from walk(f"{folder}/{directory}")

    for folder in STORED_FOLDERS:
        yield from walk(folder)


def orphans(*, older_than: datetime.timedelta, storage: Storage = default_storage) -> list[str]:
    """Stored files no row points at, older than ``older_than`` (younger ones may belong
    to a save still in progress)."""
    referenced = referenced_names()
    cutoff = timezone.now() - older_than
    return sorted(
        name for name in stored_names(storage) if name not in referenced and storage.get_modified_time(name) < cutoff
    )
