"""The case page and the recommendation page read their history by an index
(dscb/migrations/0013_history_indexes.py), so they stay fast as the log grows."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from audits.models import AuditCase
from audits.selectors import case_history
from dscb.selectors import logged_about
from recommendations.selectors import recommendation_changes
from tests.factories import AuditCaseFactory, RecommendationFactory

ROWS = 20_000


def fill_the_log(*, case_id: int, recommendation_id: int) -> None:
    """A log of ``ROWS`` rows over a thousand cases and recommendations, reads and rows
    without a key among them; a few about the case and the recommendation looked at."""
    content_type = ContentType.objects.get_for_model(AuditCase)
    now = timezone.now()
    data: list[dict[str, int] | None] = [None]
    data += [{"case_id": n} for n in range(case_id + 1, case_id + 1001)]
    data += [{"recommendation_id": n} for n in range(recommendation_id + 1, recommendation_id + 1001)]
    data += [{"case_id": case_id}, {"recommendation_id": recommendation_id}]
    LogEntry.objects.bulk_create(
        LogEntry(
            content_type=content_type,
            object_pk=str(n),
            object_id=n,
            object_repr="row",
            action=LogEntry.Action.ACCESS if n % 5 == 0 else LogEntry.Action.UPDATE,
            changes={"findings": ["", "changed"]},
            additional_data=data[n % len(data)],
            timestamp=now - datetime.timedelta(minutes=n),
        )
        for n in range(ROWS)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def history_queries(read: Callable[[], Any]) -> list[tuple[str, Any]]:
    """The queries of the log ``read`` runs, as run: the SQL and its bound parameters."""
    run: list[tuple[str, Any]] = []

    def keep(execute, sql, params, many, context):
        run.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        read()
    return [(sql, params) for sql, params in run if 'FROM "auditlog_logentry"' in sql]


def plan(sql: str, params: Any) -> str:
    explain = "EXPLAIN " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(explain + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def assert_read_by_index(read: Callable[[], Any], index: str) -> None:
    queries = history_queries(read)
    assert len(queries) == 1
    shown = plan(*queries[0])
    if connection.vendor == "postgresql":
        # A bitmap scan and a sort, for the few rows of one case, is PostgreSQL's choice too.
        assert "Seq Scan on auditlog_logentry" not in shown, shown
        assert f"Index Scan on {index}" in shown or f"Index Scan using {index} on auditlog_logentry" in shown, shown
    else:
        assert f"SEARCH auditlog_logentry USING INDEX {index} (<expr>=?)" in shown, shown
        assert "TEMP B-TREE" not in shown, shown  # newest first, in the index's order


@pytest.fixture
def big_log() -> tuple[AuditCase, Any]:
    case = AuditCaseFactory()
    recommendation = RecommendationFactory()
    fill_the_log(case_id=case.pk, recommendation_id=recommendation.pk)
    return case, recommendation


@pytest.mark.django_db
def test_on_sqlite_the_case_and_recommendation_pages_read_history_by_its_index(big_log):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's plan; the PostgreSQL test reads PostgreSQL's")
    case, recommendation = big_log
    assert_read_by_index(lambda: case_history(case), "auditlog_logentry_case_id_time")
    assert_read_by_index(lambda: recommendation_changes(recommendation), "auditlog_logentry_recommendation_id_time")


@pytest.mark.postgresql
@pytest.mark.django_db
def test_on_postgresql_the_case_and_recommendation_pages_read_history_by_its_index(big_log):
    case, recommendation = big_log
    assert_read_by_index(lambda: case_history(case), "auditlog_logentry_case_id_time")
    assert_read_by_index(lambda: recommendation_changes(recommendation), "auditlog_logentry_recommendation_id_time")


@pytest.mark.django_db
def test_logged_about_finds_what_the_json_lookup_finds():
    fill_the_log(case_id=7, recommendation_id=7)
    for key, pk in (("case_id", 7), ("case_id", 8), ("recommendation_id", 7), ("case_id", 999_999)):
        expected = set(LogEntry.objects.filter(**{f"additional_data__{key}": pk}).values_list("pk", flat=True))
        assert set(logged_about(key=key, pk=pk).values_list("pk", flat=True)) == expected
        assert expected or pk == 999_999


def test_only_the_indexed_keys_are_looked_up():
    with pytest.raises(ValueError, match="No index"):
        logged_about(key="case_id') OR 1=1 --", pk=1)
