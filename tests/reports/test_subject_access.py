"""Subject access: everything held about one child, by board reference, in one ZIP."""

from __future__ import annotations

import datetime
import io
import json
import zipfile

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from audits.models import AuditCase, AuditRound, CaseReopening, ChecklistQuestion, Feedback, RecordGrade
from dscb.models import Role, SecurityEvent
from reports import jobs
from reports.models import DocumentJob
from reports.subject_access import UNKNOWN_REFERENCE, subject_access_data, subject_access_zip
from tests.conftest import Client, make_user, run_queued_tasks, sign_in
from tests.factories import (
    AuditCaseFactory,
    AuditRoundFactory,
    CaseRecordFactory,
    EscalationFactory,
    InquiryParticipantFactory,
    grade,
    police,
    rate_every_theme,
)
from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2011, 3, 4)


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zipped(reference: str, by) -> dict[str, bytes]:
    return unzip(subject_access_zip(subject_access_data(reference, by=by, today=TODAY)))


def exported(reference: str, by) -> dict:
    return json.loads(zipped(reference, by)["subject-access.json"])


@pytest.fixture
def child():
    """A child audited in a case audit round, with everything a case can hold; the reads
    and changes are made by named people so the history and the reads say who."""
    auditor = make_user(Role.AUDIT_TEAM, full_name="Ann Auditor")
    with set_actor(auditor):
        case = AuditCaseFactory(
            reference="MACA-2010-09-03",
            audit_round=AuditRoundFactory(title="September 2010"),
            findings="Strategy discussion held late.",
            strengths="Good chronology.",
            overall_grade=grade("Adequate"),
        )
        rate_every_theme(case, "Good")
        record = CaseRecordFactory(case=case, findings="Police records were up to date.")
        question = ChecklistQuestion.objects.active().first()
        record.answers.create(question=question, answer="partly", comment="Minutes on file, plan not.")
        RecordGrade.objects.create(record=record, theme=question.theme, grade=grade("Inadequate"))
        Feedback.objects.create(
            record=record, recipient="practitioner", given_on=datetime.date(2010, 10, 1), given_by=auditor
        )
        EscalationFactory(case=case, reason="The plan has not been reviewed since June.", raised_by=auditor)
        case.findings = "Strategy discussion held late; plan reviewed after the audit."
        case.save()
        CaseReopening.objects.create(case=case, reason="A grade was entered wrongly.", reopened_by=auditor)
    reader = make_user(Role.AUDIT_TEAM, full_name="Rita Reader")
    assert sign_in(Client(), reader).get(reverse("audits:case_detail", args=[case.pk])).status_code == 200
    return case


@pytest.fixture
def inquiry_child():
    """A child in an Appreciative Inquiry round, with a participant."""
    participant = InquiryParticipantFactory(
        case__reference="AI-2010-11-01", case__audit_round__title="November 2010 (AI)", role="Health visitor"
    )
    return participant.case


@pytest.fixture
def administrator():
    return make_user(Role.ADMINISTRATOR, full_name="Ada Admin")


def test_the_zip_holds_a_pdf_the_json_and_a_readme(child, administrator):
    files = zipped("MACA-2010-09-03", administrator)
    assert sorted(files) == ["README.txt", "subject-access.json", "subject-access.pdf"]
    assert files["subject-access.pdf"].startswith(b"%PDF")
    readme = files["README.txt"].decode()
    assert "MACA-2010-09-03" in readme
    assert "redact third-party details" in readme
    assert "one month" in readme


def test_the_json_holds_everything_in_the_case(child, administrator):
    data = exported("MACA-2010-09-03", administrator)
    assert data["reference"] == "MACA-2010-09-03"
    assert data["produced_on"] == "2011-03-04"
    assert data["produced_by"] == "Ada Admin"
    [case] = data["cases"]
    assert case["round"]["title"] == "September 2010"
    assert case["round"]["held_on"] == "2010-09-22"
    assert case["plan_started_on"] == "2010-01-04"
    assert case["categories"] == ["neglect"]
    assert case["overall_grade"] == "Adequate"
    assert case["findings"] == "Strategy discussion held late; plan reviewed after the audit."
    assert {rating["grade"] for rating in case["theme_grades"]} == {"Good"}
    assert len(case["theme_grades"]) == 5
    [record] = case["records"]
    assert record["agency"] == police().name
    assert record["findings"] == "Police records were up to date."
    assert [g["grade"] for g in record["grades"]] == ["Inadequate"]
    [answer] = record["answers"]
    assert (answer["answer"], answer["comment"]) == ("Partly", "Minutes on file, plan not.")
    assert record["feedback"] == [
        {"recipient": "The practitioner", "given_on": "2010-10-01", "given_by": "Ann Auditor", "notes": ""}
    ]
    [escalation] = case["requests_for_intervention"]
    assert escalation["reason"] == "The plan has not been reviewed since June."
    assert escalation["due_by"] == "2010-09-30"
    assert escalation["raised_by"] == "Ann Auditor"
    assert [r["reason"] for r in case["reopenings"]] == ["A grade was entered wrongly."]
    # The history: the change to the findings, by whom, before and after.
    changed = [entry for entry in case["history"] if entry["action"] == "update" and "findings" in entry["changes"]]
    assert changed
    assert changed[0]["by"] == "Ann Auditor"
    assert changed[0]["changes"]["findings"] == [
        "Strategy discussion held late.",
        "Strategy discussion held late; plan reviewed after the audit.",
    ]
    assert any(entry["object"].startswith("Police") and entry["action"] == "create" for entry in case["history"])
    # Who read it, and when.
    assert [read["by"] for read in case["reads"]] == ["Rita Reader"]
    datetime.datetime.fromisoformat(case["reads"][0]["at"])


def test_an_appreciative_inquiry_case_has_its_participants(inquiry_child, administrator):
    data = exported("ai-2010-11-01 ", administrator)
    [case] = data["cases"]
    assert case["round"]["kind"] == AuditRound.Kind.APPRECIATIVE_INQUIRY.label
    assert [(p["agency"], p["role"]) for p in case["participants"]] == [(police().name, "Health visitor")]


def test_another_childs_data_is_left_out(child, administrator):
    other = AuditCaseFactory(
        reference="MACA-2010-09-04", audit_round=child.audit_round, findings="Another child's findings."
    )
    CaseRecordFactory(case=other, findings="Another child's police record.")
    EscalationFactory(case=other, reason="Another child's plan.")
    files = zipped("MACA-2010-09-03", administrator)
    everything = files["subject-access.json"].decode() + pdf_text(files["subject-access.pdf"], layout=False)
    assert "MACA-2010-09-04" not in everything
    assert "Another child" not in everything
    assert [case["reference"] for case in json.loads(files["subject-access.json"])["cases"]] == ["MACA-2010-09-03"]


def test_the_pdf_shows_the_reference_marking_and_findings(child, administrator, settings):
    settings.PROTECTIVE_MARKING = "OFFICIAL-SENSITIVE"
    pdf = zipped("MACA-2010-09-03", administrator)["subject-access.pdf"]
    text = " ".join(pdf_text(pdf, layout=False).split())  # a long cell wraps over lines
    assert "Subject access export: MACA-2010-09-03" in text
    assert "OFFICIAL-SENSITIVE" in text
    assert "plan reviewed after the audit" in text
    assert "Police records were up to date." in text
    assert "Rita Reader" in text


def test_a_reference_is_found_however_it_is_typed(child, administrator):
    data = exported(" maca-2010-09-03", administrator)
    assert data["reference"] == "MACA-2010-09-03"


def test_an_unknown_reference_is_refused(child, administrator):
    with pytest.raises(ValidationError) as refused:
        subject_access_data("MACA-2010-09-99", by=administrator, today=TODAY)
    assert refused.value.message_dict == {"reference": [UNKNOWN_REFERENCE]}


# --- The page -------------------------------------------------------------------------------


@pytest.fixture
def admin_client(administrator):
    return sign_in(Client(), administrator)


def test_the_page_offers_the_form(admin_client):
    page = admin_client.get(reverse("reports:subject_access")).content.decode()
    assert "Board reference" in page
    assert "redact" in page


def ask(client, reference: str):
    """Ask for the export, as the form does; the worker makes it."""
    response = client.post(reverse("reports:subject_access"), {"reference": reference})
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    return response


def test_the_worker_makes_the_zip_and_the_page_links_to_it_and_the_reads_are_recorded(child, admin_client):
    response = ask(admin_client, "maca-2010-09-03")
    job = DocumentJob.objects.get(kind=DocumentJob.Kind.SUBJECT_ACCESS)
    assert response["Location"] == reverse("reports:subject_access_job", args=[job.pk])
    # Asking is what is recorded: a read of the case, and a security event.
    [event] = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SUBJECT_ACCESS_EXPORT)
    assert (event.user, event.detail) == (admin_client.user, {"cases": [child.pk]})
    assert "MACA" not in str(event.detail)
    page = admin_client.get(response["Location"]).content.decode()
    assert "Waiting to start" in page
    assert reverse("reports:subject_access_file", args=[job.pk]) not in page

    assert run_queued_tasks() == 1
    page = admin_client.get(response["Location"]).content.decode()
    assert "Subject access export for MACA-2010-09-03" in page
    assert reverse("reports:subject_access_file", args=[job.pk]) in page
    download = admin_client.get(reverse("reports:subject_access_file", args=[job.pk]))
    assert download["Content-Type"] == "application/zip"
    today = timezone.localdate().isoformat()
    assert download["Content-Disposition"] == f'attachment; filename="subject-access-MACA-2010-09-03-{today}.zip"'
    files = unzip(b"".join(download.streaming_content))
    assert "subject-access.pdf" in files
    # The export is itself a read of the case: it holds its own.
    data = json.loads(files["subject-access.json"])
    assert [read["by"] for read in data["cases"][0]["reads"]] == ["Rita Reader", "Ada Admin"]
    assert "MACA" not in job.file.name  # stored without the child's reference
    # Each download is a read of the case too.
    reads = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_pk=str(child.pk), actor=admin_client.user)
    assert reads.count() == 2  # asking, then downloading


def test_only_the_administrator_who_asked_sees_the_export(child, admin_client, client):
    ask(admin_client, "MACA-2010-09-03")
    run_queued_tasks()
    job = DocumentJob.objects.get(kind=DocumentJob.Kind.SUBJECT_ACCESS)
    sign_in(client, make_user(Role.ADMINISTRATOR))
    for name in ("reports:subject_access_job", "reports:subject_access_file"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("reports:subject_access_retry", args=[job.pk])).status_code == 404
    # Nor is it one of the Executive's documents.
    executive = sign_in(Client(), make_user(Role.EXECUTIVE))
    for name in ("reports:document_job", "reports:document_job_file"):
        assert executive.get(reverse(name, args=[job.pk])).status_code == 404


def test_an_export_of_cases_erased_since_is_not_served(child, admin_client):
    ask(admin_client, "MACA-2010-09-03")
    run_queued_tasks()
    job = DocumentJob.objects.get(kind=DocumentJob.Kind.SUBJECT_ACCESS)
    AuditCase.objects.filter(reference="MACA-2010-09-03").update(reference="MACA-2010-09-33")
    assert admin_client.get(reverse("reports:subject_access_file", args=[job.pk])).status_code == 404


def test_asking_again_while_it_is_being_made_gives_the_same_export(child, admin_client):
    first, second = ask(admin_client, "MACA-2010-09-03"), ask(admin_client, "maca-2010-09-03 ")
    assert first["Location"] == second["Location"]
    assert DocumentJob.objects.filter(kind=DocumentJob.Kind.SUBJECT_ACCESS).count() == 1


def test_the_zip_and_the_reference_are_deleted_a_day_after(child, admin_client):
    ask(admin_client, "MACA-2010-09-03")
    run_queued_tasks()
    job = DocumentJob.objects.get(kind=DocumentJob.Kind.SUBJECT_ACCESS)
    stored = job.file.name
    assert job.file.storage.exists(stored)
    assert jobs.remove_old_files(now=job.finished_at + jobs.DRAFTS_KEPT * 2) == 1
    job.refresh_from_db()
    assert (job.file.name, job.reference) == ("", "")
    assert not job.file.storage.exists(stored)
    page = admin_client.get(reverse("reports:subject_access_job", args=[job.pk])).content.decode()
    assert "It was deleted a day after it was made" in page
    assert "MACA-2010-09-03" not in page
    assert admin_client.get(reverse("reports:subject_access_file", args=[job.pk])).status_code == 404


def test_the_worker_deletes_the_zip_a_day_after_even_if_nothing_else_is_asked_for(child, admin_client):
    ask(admin_client, "MACA-2010-09-03")
    assert run_queued_tasks() == 1  # the export; the removal waits a day
    job = DocumentJob.objects.get(kind=DocumentJob.Kind.SUBJECT_ACCESS)
    deferred = DBTaskResult.objects.get(task_path="reports.tasks.remove_old_documents")
    assert deferred.run_after > job.finished_at + jobs.DRAFTS_KEPT
    # A day later:
    DocumentJob.objects.filter(pk=job.pk).update(finished_at=job.finished_at - jobs.DRAFTS_KEPT * 2)
    DBTaskResult.objects.filter(pk=deferred.pk).update(run_after=timezone.now())
    assert run_queued_tasks() == 1
    job.refresh_from_db()
    assert (job.file.name, job.reference) == ("", "")


def test_an_export_that_failed_is_shown_and_made_when_tried_again(child, admin_client, monkeypatch):
    def broken(data):
        raise RuntimeError("WeasyPrint fell over")

    ask(admin_client, "MACA-2010-09-03")
    monkeypatch.setattr("reports.subject_access.subject_access_zip", broken)
    run_queued_tasks()
    job = DocumentJob.objects.get(kind=DocumentJob.Kind.SUBJECT_ACCESS)
    assert job.state == DocumentJob.State.FAILED
    page = admin_client.get(reverse("reports:subject_access_job", args=[job.pk])).content.decode()
    assert "The export could not be made" in page
    assert "WeasyPrint" not in page
    monkeypatch.undo()
    retried = admin_client.post(reverse("reports:subject_access_retry", args=[job.pk]))
    assert retried["Location"] == reverse("reports:subject_access_job", args=[job.pk])
    run_queued_tasks()
    job.refresh_from_db()
    assert job.state == DocumentJob.State.READY


def test_an_export_deleted_after_it_failed_is_asked_for_again(child, admin_client, monkeypatch):
    monkeypatch.setattr("reports.subject_access.subject_access_zip", lambda data: 1 / 0)
    ask(admin_client, "MACA-2010-09-03")
    run_queued_tasks()
    job = DocumentJob.objects.get(kind=DocumentJob.Kind.SUBJECT_ACCESS)
    jobs.remove_old_files(now=job.finished_at + jobs.DRAFTS_KEPT * 2)
    response = admin_client.post(reverse("reports:subject_access_retry", args=[job.pk]), follow=True)
    assert "This export was deleted a day after it was asked for" in response.content.decode()
    job.refresh_from_db()
    assert job.state == DocumentJob.State.FAILED


def test_an_unknown_reference_is_refused_beside_the_field_and_kept(child, admin_client):
    response = admin_client.post(reverse("reports:subject_access"), {"reference": "MACA-2010-09-99"})
    assert response.status_code == 200
    page = response.content.decode()
    assert UNKNOWN_REFERENCE in page
    assert 'value="MACA-2010-09-99"' in page
    assert "<title>Error:" in page


def test_an_empty_reference_is_refused(admin_client):
    page = admin_client.post(reverse("reports:subject_access"), {"reference": ""}).content.decode()
    assert "Enter the child&#x27;s board reference" in page


def test_the_audit_team_may_not_produce_one(child, client):
    sign_in(client, make_user(Role.AUDIT_TEAM))
    reads = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()
    assert client.post(reverse("reports:subject_access"), {"reference": child.reference}).status_code == 403
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == reads


def test_administrators_find_it_under_administration(admin_client):
    assert f'href="{reverse("administration")}"' in admin_client.get(reverse("home")).content.decode()
    assert f'href="{reverse("reports:subject_access")}"' in admin_client.get(reverse("administration")).content.decode()


def test_markup_in_a_case_reads_as_typed_and_fetches_nothing(administrator, caplog):
    hostile = '<img src="http://169.254.169.254/"> & </td></table><h1>Fake</h1>'
    AuditCaseFactory(reference="MACA-2010-09-07", findings=hostile)
    pdf = zipped("MACA-2010-09-07", administrator)["subject-access.pdf"]
    # Wrapped lines break anywhere in the markup: compare without spaces.
    assert hostile.replace(" ", "") in "".join(pdf_text(pdf, layout=False).split())
    assert "refused to fetch" not in caplog.text
