"""Reads about the board's people, for the sections' forms and pages."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

from allauth.mfa.models import Authenticator
from auditlog.models import LogEntry
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, Exists, F, Func, Model, OuterRef, Q, QuerySet
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from dscb.access import POLICY, Action
from dscb.models import Agency, SecurityEvent, SentEmail, User
from dscb.roles import ROLE_FIELDS, Role


def people_who_can(action: Action) -> QuerySet[User]:
    """Active people whose roles let them do ``action``: for choosing auditors, leads."""
    people = User.objects.filter(is_active=True)
    allowed = POLICY[action]
    if allowed is None:
        return people
    any_role = Q()
    for role in allowed:
        any_role |= Q(**{ROLE_FIELDS[role]: True})
    return people.filter(any_role)


def people_with_role(role: Role) -> QuerySet[User]:
    """Active people who hold ``role``: whom the service tells of what concerns that role."""
    return User.objects.filter(is_active=True, **{ROLE_FIELDS[role]: True}).order_by("pk")


EMAILS_SHOWN = 50


def emails_sent_to(person: User) -> list[SentEmail]:
    """The latest emails the service sent the person, newest first."""
    return list(SentEmail.objects.filter(recipient=person).only("subject", "sent_at", "address")[:EMAILS_SHOWN])


def security_events(
    *, kind: str = "", person: str = "", since: datetime.date | None = None, until: datetime.date | None = None
) -> QuerySet[SecurityEvent]:
    """Security events, newest first: of one kind, about an address containing ``person``
    (the one typed, or the account's), between two days (inclusive, local time)."""
    events = SecurityEvent.objects.all()
    if kind:
        events = events.filter(kind=kind)
    if person:
        events = events.filter(Q(email__icontains=person) | Q(user__email__icontains=person))
    if since:
        events = events.filter(at__gte=start_of(since))
    if until:
        events = events.filter(at__lt=start_of(until + datetime.timedelta(days=1)))
    return events.order_by("-at", "-pk")


def start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def with_two_step(people: QuerySet[User]) -> QuerySet[User]:
    """``people`` with their agency, ``has_two_step`` (whether each has set up an
    authenticator app) and ``has_authenticator`` (an app or recovery codes), in one query."""
    held = Authenticator.objects.filter(user=OuterRef("pk"))
    return people.select_related("agency").annotate(
        has_two_step=Exists(held.filter(type=Authenticator.Type.TOTP)), has_authenticator=Exists(held)
    )


def people(*, role: str = "", agency: Agency | None = None, active: str = "") -> QuerySet[User]:
    """Everyone the board has given an account, by name: holding ``role``, of ``agency``,
    and ``active`` or ``deactivated``."""
    found = User.objects.all()
    if role in Role.values:
        found = found.filter(**{ROLE_FIELDS[Role(role)]: True})
    if agency is not None:
        found = found.filter(agency=agency)
    if active:
        found = found.filter(is_active=active == "active")
    return found.order_by("full_name", "email", "pk")


def person_for_administrator(pk: int) -> User | None:
    """One person, for their page: with their agency and whether they have an app."""
    if not 0 < pk < 2**63:
        return None  # no such row; a bigger number would make SQLite raise, not miss
    return with_two_step(User.objects.filter(pk=pk)).first()


# --- Change history -------------------------------------------------------------------------

HISTORY_ROWS = 50  # saves shown
HISTORY_ROWS_PER_SAVE = 10  # read at most this many history rows a save, on average


@dataclass(frozen=True)
class HistoryEntry:
    """One save: when, by whom, and every row it created, changed or deleted."""

    timestamp: datetime.datetime
    actor: User | None
    changes: list[LogEntry]


def saves_in(rows: QuerySet[LogEntry]) -> list[HistoryEntry]:
    """``rows`` of history as saves, newest first: one entry per save (the rows of one
    request share its id; rows written outside a request, by the same person in the same
    second). Reads are not changes, and are left out."""
    newest = (
        rows.exclude(action=LogEntry.Action.ACCESS)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")[: HISTORY_ROWS * HISTORY_ROWS_PER_SAVE]
    )
    saves: dict[object, HistoryEntry] = {}
    for row in newest:
        key = row.cid or (row.actor_id, row.timestamp.replace(microsecond=0))
        if key not in saves:
            if len(saves) == HISTORY_ROWS:
                break
            saves[key] = HistoryEntry(timestamp=row.timestamp, actor=row.actor, changes=[])
        saves[key].changes.append(row)
    for entry in saves.values():
        entry.changes.reverse()  # in the order they were made
    return list(saves.values())


class _Names(Func):
    """True where a history row's ``additional_data`` names ``key`` = ``value``.

    Written out rather than ``additional_data__case_id=…`` so that the key is in the SQL
    itself: SQLite uses an index on an expression only when the query spells the same
    expression, and Django passes a JSON path as a bound parameter. Each vendor's SQL is
    the expression of the index dscb 0013 made for the key."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, key: str, value: int) -> None:
        if key not in INDEXED_KEYS:
            raise ValueError(f"No index for the history key {key!r}")
        super().__init__(F("additional_data"))
        self.key, self.value = key, int(value)

    def as_sql(  # type: ignore[override]
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, list[Any]]:
        column, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            return f"({column} -> '{self.key}') = %s::jsonb", [*params, json.dumps(self.value)]
        return f"JSON_EXTRACT({column}, '$.{self.key}') = %s", [*params, self.value]


# The keys of ``additional_data`` pages look history up by (models' get_additional_data);
# only these are spliced into SQL.
INDEXED_KEYS = frozenset({"case_id", "recommendation_id"})


def logged_about(*, key: str, pk: int) -> QuerySet[LogEntry]:
    """The history and reads of the object whose ``additional_data`` carries ``key`` = ``pk``
    (``case_id``: a case and everything in it; ``recommendation_id``: a recommendation and
    its updates), by the index on that key and the time."""
    return LogEntry.objects.filter(_Names(key, pk))


def history_of(instance: Model) -> list[HistoryEntry]:
    """Who changed ``instance`` (a person, a row of reference data) and when, newest first."""
    return saves_in(LogEntry.objects.get_for_object(instance))
