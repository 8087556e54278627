"""Saves that overlap, on PostgreSQL: the same form sent three times at once creates one
thing; two Executives publishing at once publish once; two people saving the same
evidence of impact or feedback at once, or two administrators the same grade on its
reference data page, never both win; the last two administrators deactivating each other
at once leave one. Each request runs in its own thread (its own database
connection), held at a barrier until all have arrived, so they truly overlap. SQLite
ignores row locks: these run in .ci/run's PostgreSQL pass."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.urls import reverse

from audits import services as audit_services
from audits.models import Escalation, Feedback, Grade
from dscb import forms as dscb_forms
from dscb import reference
from dscb import services as dscb_services
from dscb.models import Role, User
from reports import services as report_services
from reports.models import DocumentJob, NarrativeSection
from tests.conftest import Client, make_user, sign_in
from tests.factories import (
    AuditCaseFactory,
    CaseRecordFactory,
    NarrativeSectionFactory,
    ReportFactory,
    police,
)

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def at_a_barrier(monkeypatch, module: object, name: str, parties: int) -> None:
    """Make ``module.name`` wait until ``parties`` threads have called it."""
    barrier = threading.Barrier(parties, timeout=30)
    original: Callable = getattr(module, name)

    def wait_then_call(*args, **kwargs):
        barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wait_then_call)


def send_together(requests: list[tuple[Client, str, dict]]) -> list:
    responses: list = [None] * len(requests)

    def send(index: int, client: Client, url: str, data: dict) -> None:
        try:
            responses[index] = client.post(url, data)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(index, *request)) for index, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return responses


def people(role: Role, *names: str) -> list[Client]:
    return [sign_in(Client(), make_user(role, full_name=name)) for name in names]


def day(name: str, value: datetime.date) -> dict[str, str]:
    return {f"{name}_0": str(value.day), f"{name}_1": str(value.month), f"{name}_2": str(value.year)}


def test_a_request_for_immediate_intervention_clicked_three_times_at_once_is_raised_once(monkeypatch):
    case = AuditCaseFactory()
    (auditor,) = people(Role.AUDIT_TEAM, "Ann Auditor")
    url = reverse("audits:escalation_create", args=[case.pk])
    key = str(auditor.get(url).context["form"][dscb_forms.SUBMISSION_KEY].value())
    submission = {
        **day("raised_on", datetime.date(2010, 9, 23)),
        "to_agency": police().pk,
        "to_role": "Team manager",
        "reason": "The plan needs reviewing now.",
        **day("due_by", datetime.date(2010, 9, 30)),
        dscb_forms.SUBMISSION_KEY: key,
    }
    at_a_barrier(monkeypatch, dscb_forms, "_save_once", 3)
    responses = send_together([(auditor, url, submission)] * 3)
    assert [response.status_code for response in responses] == [302, 302, 302]
    assert Escalation.objects.filter(case=case).count() == 1


def test_two_executives_publishing_at_once_publish_once(monkeypatch):
    report = ReportFactory()
    url = reverse("reports:report_publish", args=[report.pk])
    at_a_barrier(monkeypatch, report_services, "_refuse_unless_executive", 2)
    # Both checked the same report: the second waits for the report's row lock, then finds
    # it being published.
    responses = send_together(
        [(client, url, {"version": report.version}) for client in people(Role.EXECUTIVE, "Ann Exec", "Bea Exec")]
    )
    assert sorted(response.status_code for response in responses) == [200, 302]
    refused = next(response for response in responses if response.status_code == 200).content.decode()
    assert report_services.BEING_PUBLISHED in refused
    assert DocumentJob.objects.filter(report=report).count() == 1


def test_two_people_saving_one_section_of_evidence_of_impact_never_both_win(monkeypatch):
    section = NarrativeSectionFactory()
    url = reverse("reports:section_edit", args=[section.report_id, section.pk])
    at_a_barrier(monkeypatch, report_services, "_lock_draft", 2)
    ann, bea = people(Role.EXECUTIVE, "Ann Exec", "Bea Exec")
    responses = send_together(
        [
            (ann, url, {"heading": "MASH", "body": "Ann's words", "position": "1", "version": "1"}),
            (bea, url, {"heading": "MASH", "body": "Bea's words", "position": "1", "version": "1"}),
        ]
    )
    assert sorted(response.status_code for response in responses) == [200, 302]
    saved = NarrativeSection.objects.get(pk=section.pk)
    assert saved.version == 2
    refused = next(response for response in responses if response.status_code == 200).content.decode()
    winner = "Ann Exec" if saved.body == "Ann's words" else "Bea Exec"
    assert f"{winner} saved this at" in refused


def test_two_people_recording_the_same_feedback_at_once_never_both_win(monkeypatch):
    record = CaseRecordFactory()
    url = reverse("audits:record_feedback", args=[record.pk])
    ann, bea = people(Role.AUDIT_TEAM, "Ann Auditor", "Bea Other")
    versions = {f"{recipient}_version": "0" for recipient in Feedback.Recipient.values}

    def feedback(client: Client, notes: str) -> dict:
        return {
            **day("practitioner_given_on", datetime.date(2010, 10, 1)),
            "practitioner_given_by": client.user.pk,
            "practitioner_notes": notes,
            **versions,
        }

    at_a_barrier(monkeypatch, audit_services, "feedback_record", 2)
    responses = send_together([(ann, url, feedback(ann, "Ann's notes")), (bea, url, feedback(bea, "Bea's notes"))])
    assert sorted(response.status_code for response in responses) == [200, 302]
    saved = Feedback.objects.get(record=record)
    refused = next(response for response in responses if response.status_code == 200).content.decode()
    assert f"{saved.given_by.get_full_name()} saved this at" in refused


def test_two_administrators_saving_one_grade_at_once_never_both_win(monkeypatch):
    grade = Grade.objects.get(label="Adequate")
    url = reverse("reference_data_change", args=["grades", grade.pk])
    # Both have read the row for their save before either claims its version.
    at_a_barrier(monkeypatch, reference, "save_versioned", 2)
    ann, bea = people(Role.ADMINISTRATOR, "Ann Admin", "Bea Admin")
    shown = {"label": "Adequate", "rank": "3", "meets_threshold": "on", "colour": grade.colour}
    shown |= {"text_colour": grade.text_colour, "is_active": "on", "version": "1"}
    responses = send_together(
        [(ann, url, shown | {"description": "Ann's words"}), (bea, url, shown | {"description": "Bea's words"})]
    )
    assert sorted(response.status_code for response in responses) == [200, 302]
    saved = Grade.objects.get(pk=grade.pk)
    assert saved.version == 2
    refused = next(response for response in responses if response.status_code == 200).content.decode()
    winner = "Ann Admin" if saved.description == "Ann's words" else "Bea Admin"
    assert f"{winner} saved this at" in refused


def test_the_last_two_administrators_deactivating_each_other_at_once_leave_one(monkeypatch):
    ann, bea = people(Role.ADMINISTRATOR, "Ann Admin", "Bea Admin")
    # Both have read the other's row before either counts the administrators left.
    at_a_barrier(monkeypatch, dscb_services, "_administrators_left", 2)
    responses = send_together(
        [
            (ann, reverse("person_deactivate", args=[bea.user.pk]), {"version": "1"}),
            (bea, reverse("person_deactivate", args=[ann.user.pk]), {"version": "1"}),
        ]
    )
    assert sorted(response.status_code for response in responses) == [200, 302]
    assert User.objects.filter(is_active=True, is_administrator=True).count() == 1
    refused = next(response for response in responses if response.status_code == 200).content.decode()
    assert "This is the only active administrator" in refused
