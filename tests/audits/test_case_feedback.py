"""The feedback given on every one of a case's records, on one page, saved together."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from audits import services
from audits.models import CaseRecord, Feedback
from dscb.models import Agency, Role
from tests.conftest import make_user, queries_for, sign_in
from tests.factories import AuditCaseFactory, CaseRecordFactory, police

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor():
    return make_user(Role.AUDIT_TEAM, full_name="Ann Auditor")


@pytest.fixture
def auditor_client(client, auditor):
    return sign_in(client, auditor)


@pytest.fixture
def records() -> list[CaseRecord]:
    case = AuditCaseFactory(audit_round__held_on=datetime.date(2010, 9, 22))
    return [
        CaseRecordFactory(case=case, agency=police()),
        CaseRecordFactory(case=case, agency=Agency.objects.get(short_name="GP")),
    ]


def fields(record: CaseRecord, recipient: str, *, on: datetime.date | None, by=None, notes: str = "") -> dict:
    prefix = f"record-{record.pk}-{recipient}"
    day = {} if on is None else {f"{prefix}_given_on_0": on.day, f"{prefix}_given_on_1": on.month}
    return {
        **day,
        **({f"{prefix}_given_on_2": on.year} if on else {}),
        f"{prefix}_given_by": by.pk if by else "",
        f"{prefix}_notes": notes,
    }


def versions(*records: CaseRecord) -> dict[str, int]:
    return {
        f"record-{record.pk}-{recipient}_version": 0 for record in records for recipient in Feedback.Recipient.values
    }


def url(records: list[CaseRecord]) -> str:
    return reverse("audits:case_feedback", args=[records[0].case_id])


def test_the_case_page_links_to_it(auditor_client, records):
    page = auditor_client.get(reverse("audits:case_detail", args=[records[0].case_id])).content.decode()
    assert url(records) in page


def test_it_shows_every_records_three_recipients(auditor_client, records):
    page = auditor_client.get(url(records)).content.decode()
    for record in records:
        assert str(record) in page
        for recipient in Feedback.Recipient.values:
            assert f'name="record-{record.pk}-{recipient}_given_by"' in page


def test_feedback_on_every_record_is_saved_together(auditor_client, auditor, records):
    police_record, gp_record = records
    response = auditor_client.post(
        url(records),
        {
            **fields(police_record, "practitioner", on=datetime.date(2010, 10, 1), by=auditor, notes="Went well."),
            **fields(gp_record, "agency", on=datetime.date(2010, 10, 2), by=auditor),
            **versions(*records),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:case_detail", args=[police_record.case_id])
    given = sorted(Feedback.objects.values_list("record_id", "recipient", "given_on", "notes"))
    assert given == [
        (police_record.pk, "practitioner", datetime.date(2010, 10, 1), "Went well."),
        (gp_record.pk, "agency", datetime.date(2010, 10, 2), ""),
    ]


def test_one_refusal_saves_nothing_and_shows_beside_its_record_keeping_what_was_typed(auditor_client, auditor, records):
    police_record, gp_record = records
    response = auditor_client.post(
        url(records),
        {
            **fields(police_record, "practitioner", on=datetime.date(2010, 10, 1), by=auditor, notes="Kept text"),
            **fields(gp_record, "manager", on=datetime.date(2010, 9, 1), by=auditor),  # before the audit
            **versions(*records),
        },
    )
    assert response.status_code == 200
    assert not Feedback.objects.exists()
    page = response.content.decode()
    assert "Error: Feedback given on every record" in page
    assert "on or after the date of the audit" in page
    # The error sits with the GP record's manager date, and the summary links to it.
    assert f'href="#id_record-{gp_record.pk}-manager_given_on_0"' in page
    group = f'id="div_id_record-{gp_record.pk}-manager_given_on" class="govuk-form-group govuk-form-group--error"'
    assert group in page
    assert "Kept text" in page


def test_a_service_refusal_is_keyed_by_its_record(auditor, records):
    police_record, gp_record = records
    with pytest.raises(services.ValidationError) as refused:
        services.case_feedback_record(
            case=police_record.case,
            by=auditor,
            feedback={
                police_record: services.RecordFeedback(
                    entries={"practitioner": services.FeedbackEntry(datetime.date(2010, 10, 1), auditor)},
                    versions={},
                ),
                gp_record: services.RecordFeedback(
                    entries={"manager": services.FeedbackEntry(datetime.date(2010, 10, 1), None)}, versions={}
                ),
            },
        )
    assert list(refused.value.error_dict) == [services.case_feedback_key(gp_record, "manager_given_by")]
    assert not Feedback.objects.exists()


def test_feedback_on_another_cases_record_is_refused(auditor, records):
    elsewhere = CaseRecordFactory()
    with pytest.raises(services.ValidationError):
        services.case_feedback_record(
            case=records[0].case,
            by=auditor,
            feedback={
                elsewhere: services.RecordFeedback(
                    entries={"agency": services.FeedbackEntry(datetime.date(2010, 10, 1), auditor)}, versions={}
                )
            },
        )
    assert not Feedback.objects.exists()


def test_someone_elses_save_meanwhile_is_reported_on_that_record(auditor_client, auditor, records):
    police_record, gp_record = records
    Feedback.objects.create(record=gp_record, recipient="agency", given_on=datetime.date(2010, 10, 3), given_by=auditor)
    response = auditor_client.post(
        url(records),
        {
            **fields(police_record, "practitioner", on=datetime.date(2010, 10, 1), by=auditor),
            **fields(gp_record, "agency", on=datetime.date(2010, 10, 4), by=auditor),
            **versions(*records),  # opened before the agency's feedback was recorded
        },
    )
    assert response.status_code == 200
    assert "after you opened it" in response.content.decode()
    assert Feedback.objects.count() == 1
    assert Feedback.objects.get().given_on == datetime.date(2010, 10, 3)


def test_an_agency_auditor_may_not_record_it(client, records):
    auditor = make_user(Role.AGENCY_AUDITOR)
    records[0].case.audit_round.auditors.add(auditor)
    sign_in(client, auditor)
    assert client.get(url(records)).status_code == 403
    assert client.post(url(records), versions(*records)).status_code == 403


def test_the_page_costs_the_same_however_many_records(auditor_client, records):
    counts = []
    for agency in ("EY&F", "Probation"):
        counts.append(queries_for(auditor_client, url(records)))
        CaseRecordFactory(case=records[0].case, agency=Agency.objects.get(short_name=agency))
    assert counts[0] == counts[1]
