"""Two people saving the same case or record at the same moment, on PostgreSQL: one save
wins, the other is refused naming who saved first and keeping what they typed. Never a
silent overwrite (SECURITY.md row 39). SQLite ignores row locks, so this runs on
PostgreSQL only; the same rule is tested one save after another in test_services.py."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audits import services
from audits.models import AuditCase, CaseRecord
from dscb.models import Role
from tests.audits.test_views import record_post
from tests.conftest import Client, make_user, sign_in
from tests.factories import AuditCaseFactory, CaseRecordFactory, police
from tests.test_concurrent_saves import at_a_barrier, send_together

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def post_together(monkeypatch, requests: list[tuple[Client, str, dict]]) -> list:
    """Send the requests from separate threads (separate database connections), held
    at a barrier inside the save, just before it takes its lock, until all have
    arrived: so both have read the same version and truly overlap."""
    at_a_barrier(monkeypatch, services, "_lock_case", len(requests))
    return send_together(requests)


def two_auditors() -> tuple[Client, Client]:
    return (
        sign_in(Client(), make_user(Role.AUDIT_TEAM, full_name="Ann Auditor")),
        sign_in(Client(), make_user(Role.AUDIT_TEAM, full_name="Bea Other")),
    )


def test_two_people_saving_one_record_at_once_one_wins_and_the_other_is_told(monkeypatch):
    record = CaseRecordFactory()
    ann, bea = two_auditors()
    url = reverse("audits:record_detail", args=[record.pk])
    responses = post_together(
        monkeypatch,
        [
            (ann, url, record_post(agency=police(), version=1, records_read="4", findings="Ann's findings")),
            (bea, url, record_post(agency=police(), version=1, records_read="9", findings="Bea's findings")),
        ],
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200, 302]
    refused = next(response for response in responses if response.status_code == 200).content.decode()
    saved = CaseRecord.objects.get(pk=record.pk)
    winner, loser = ("Ann", "Bea") if saved.findings == "Ann's findings" else ("Bea", "Ann")
    winner_name = {"Ann": "Ann Auditor", "Bea": "Bea Other"}[winner]
    assert f"{winner_name} saved this at" in refused
    assert f"{loser}&#x27;s findings" in refused
    assert saved.version == 2
    assert saved.records_read == (4 if winner == "Ann" else 9)


def test_two_people_agreeing_a_cases_grades_at_once_never_both_win(monkeypatch):
    case = AuditCaseFactory()
    ann, bea = two_auditors()
    url = reverse("audits:case_grades", args=[case.pk])
    responses = post_together(
        monkeypatch,
        [(ann, url, {"version": 1, "findings": "Ann's view"}), (bea, url, {"version": 1, "findings": "Bea's view"})],
    )
    assert sorted(response.status_code for response in responses) == [200, 302]
    case = AuditCase.objects.get(pk=case.pk)
    assert case.version == 2
    assert case.findings in {"Ann's view", "Bea's view"}
