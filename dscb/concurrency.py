"""Two people editing the same thing: the second save is refused, never a silent
overwrite (ASVS 2.3.4). Every editable row carries a version; a save names the
version the person started from, and claims the next one in one conditional UPDATE,
which PostgreSQL (row lock) and SQLite (database lock) both make atomic."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format

if TYPE_CHECKING:
    from dscb.models import User


class Versioned(models.Model):
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )

    class Meta:
        abstract = True


class EditConflict(Exception):
    def __init__(self, *, saved_by: User | None, saved_at: datetime, version: int) -> None:
        self.saved_by = saved_by
        self.saved_at = saved_at
        self.version = version
        super().__init__(self.message)

    @property
    def message(self) -> str:
        who = self.saved_by.get_full_name() if self.saved_by else "Someone else"
        when = date_format(timezone.localtime(self.saved_at), "DATETIME_FORMAT")
        return (
            f"{who} saved this at {when}, after you opened it, so your changes have not been saved. "
            "Everything you entered is still below: check their changes, then save again."
        )


V = TypeVar("V", bound=Versioned)


VERSION_FIELDS = ("version", "updated_at", "updated_by")


def save_versioned(
    instance: V,
    *,
    expected_version: int,
    by: User,
    fields: Collection[str] | None = None,
    clean: Callable[[], None] | None = None,
) -> V:
    """Save ``instance`` if nobody has saved it since ``expected_version``; otherwise
    raise ``EditConflict`` naming who did. Call inside the caller's transaction so a
    refusal, or any later failure, leaves nothing saved. ``fields``, if given, are the
    only columns written besides the version's own. ``clean``, if given, checks the row
    instead of its ``full_clean`` (a caller that has checked the related rows itself)."""
    model = type(instance)
    with transaction.atomic():
        claimed = model._default_manager.filter(pk=instance.pk, version=expected_version).update(
            version=expected_version + 1
        )
        if not claimed:
            current = model._default_manager.select_related("updated_by").get(pk=instance.pk)
            raise EditConflict(saved_by=current.updated_by, saved_at=current.updated_at, version=current.version)
        instance.version = expected_version + 1
        instance.updated_by = by
        instance.updated_at = timezone.now()
        (clean or instance.full_clean)()
        instance.save(update_fields=None if fields is None else [*fields, *VERSION_FIELDS])
    return instance


def create_versioned(instance: V, *, by: User, clean: Callable[[], None] | None = None) -> V:
    instance.updated_by = by
    instance.updated_at = timezone.now()
    (clean or instance.full_clean)()
    instance.save()
    return instance
