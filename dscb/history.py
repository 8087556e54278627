"""History for writes made in bulk.

``bulk_create`` and ``bulk_update`` send no model signals, so django-auditlog writes no
history for them. Services that save many rows at once describe each change here, and
the history rows go in with one query, looking exactly as auditlog's own: same diff, same
actor and address from the request (auditlog's middleware context).
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from auditlog.cid import get_cid
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.db.models.signals import pre_save
from django.http import HttpRequest, HttpResponse
from django.utils.encoding import smart_str

_save = ContextVar[str | None]("dscb_save", default=None)


def save_id() -> str | None:
    """The history's correlation id (auditlog's ``cid``, AUDITLOG_CID_GETTER): one per
    request, so the history can show everything one save changed as one entry."""
    return _save.get()


class SaveIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _save.set(uuid.uuid4().hex)
        try:
            return self.get_response(request)
        finally:
            _save.reset(token)


@dataclass(frozen=True)
class Change:
    """One row's change: ``before`` is None for a created row, ``after`` None for a deleted one."""

    before: Model | None
    after: Model | None

    @property
    def action(self) -> int:
        if self.before is None:
            return LogEntry.Action.CREATE
        if self.after is None:
            return LogEntry.Action.DELETE
        return LogEntry.Action.UPDATE


M = TypeVar("M", bound=Model)


def snapshot(instance: M) -> M:
    """A copy of ``instance`` as it is now, to compare with after changing it."""
    return copy.copy(instance)


def _entry(change: Change) -> LogEntry | None:
    instance: Any = change.after if change.after is not None else change.before
    changes = model_instance_diff(
        change.before, change.after, use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES
    )
    if not changes:
        return None
    entry = LogEntry(
        content_type=ContentType.objects.get_for_model(instance),  # cached after the first
        object_pk=str(instance.pk),
        object_id=instance.pk if isinstance(instance.pk, int) else None,
        object_repr=smart_str(instance),
        action=change.action,
        changes=changes,
        cid=get_cid(),
        # As auditlog's own: what the object's pages find its history by.
        additional_data=instance.get_additional_data() if hasattr(instance, "get_additional_data") else None,
    )
    # auditlog sets the actor and address in a pre_save receiver; bulk_create sends none.
    pre_save.send(sender=LogEntry, instance=entry, raw=False, using="default", update_fields=None)
    return entry


def record_changes(changes: Iterable[Change]) -> int:
    """Write the history of ``changes`` (rows already saved) in one query. Returns how many
    history rows were written: a change that changed nothing is not history."""
    entries = [entry for change in changes if (entry := _entry(change)) is not None]
    if entries:
        LogEntry.objects.bulk_create(entries)
    return len(entries)
