"""Reference data administrators keep on the service's own pages (dscb.reference_views):
the agencies, and whatever other kinds each app registers when it is ready (themes,
grades, checklist questions, RAG statuses, the words of the two scales), as
dscb.navigation's entries are. ``dscb`` knows nothing of the other apps' models.

Rows are retired (untick "active"), never deleted: past records keep them. Every save
is versioned (dscb.concurrency): one made after someone else's is refused."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from dscb import request_cache
from dscb.access import Action, can
from dscb.concurrency import Versioned, create_versioned, save_versioned

if TYPE_CHECKING:
    from dscb.models import User

ADMINISTRATORS_ONLY = "Only an administrator can change reference data."
ONE_ROW_ONLY = "A scale has one set of words: change them rather than adding another."


@dataclass(frozen=True)
class ReferenceKind:
    """One kind of reference data, and how its pages show it."""

    slug: str  # its part of the address: /administration/reference-data/<slug>/
    model: type[Versioned]
    title: str  # "Agencies"
    noun: str  # "agency": "Add an agency", "Change the agency"
    description: str  # on the index, under the kind's link
    # What the form edits, in this order; the first names the row in the list.
    fields: tuple[str, ...]
    # The list's columns after the name and before "Status" (field names).
    columns: tuple[str, ...] = ()
    # A scale's words: one row, changed, never added to (its list goes to its one row).
    single_row: bool = False
    related: tuple[str, ...] = ()  # followed by the list's one query
    # Fields this row shows but that may no longer change (the model's clean refuses them too).
    locked: Callable[[Any], Collection[str]] = field(default=lambda row: ())
    locked_hint: str = ""

    def rows(self) -> QuerySet[Versioned]:
        """Every row, retired ones too, in the order the service uses them."""
        return self.model._default_manager.select_related(*self.related)

    @property
    def add_title(self) -> str:
        article = "an" if self.noun[0].lower() in "aeiou" else "a"
        return f"Add {article} {self.noun}"


KINDS: dict[str, ReferenceKind] = {}


def register(*kinds: ReferenceKind) -> None:
    for kind in kinds:
        KINDS.setdefault(kind.slug, kind)


def kind_named(slug: str) -> ReferenceKind | None:
    return KINDS.get(slug)


def _refuse_unless_administrator(by: User) -> None:
    if not can(by, Action.ADMINISTER):
        raise ValidationError(ADMINISTRATORS_ONLY, code="not_allowed")


@transaction.atomic
def reference_create(*, kind: ReferenceKind, by: User, values: Mapping[str, object]) -> Versioned:
    """Add a row of ``kind`` with ``values`` (one for each of its fields)."""
    _refuse_unless_administrator(by)
    if kind.single_row:
        raise ValidationError(ONE_ROW_ONLY, code="one_row")
    row = kind.model(**{name: values[name] for name in kind.fields})
    return create_versioned(row, by=by)


@transaction.atomic
def reference_update(
    *, kind: ReferenceKind, row: Versioned, by: User, expected_version: int, values: Mapping[str, object]
) -> Versioned:
    """Change ``row`` to ``values``, unless someone saved it since ``expected_version``.
    Only the kind's fields are written: the rest of the row is left as it is now."""
    _refuse_unless_administrator(by)
    fields = [name for name in kind.fields if name in values]
    for name in fields:
        setattr(row, name, values[name])
    save_versioned(row, expected_version=expected_version, by=by, fields=fields)
    if kind.single_row:
        request_cache.forget()  # the words this request read are out of date now
    return row
