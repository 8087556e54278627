"""Long documents are made by the task worker, never in a web request: publishing a
report, and a draft to preview. The page shows progress, then the document; a failure is
shown with its reason and can be tried again."""

from __future__ import annotations

import os

import lxml.html
import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import reverse

from dscb.models import Role
from reports import jobs, renderers, services
from reports.models import DocumentJob, PublishedReport, Report
from tests.conftest import draft_download, make_user, run_queued_tasks, sign_in
from tests.factories import PublishedReportFactory, ReportFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def executive():
    return make_user(Role.EXECUTIVE, full_name="Ann Exec")


def progress_of(client, job: DocumentJob):
    response = client.get(reverse("reports:document_job", args=[job.pk]))
    assert response.status_code == 200
    return lxml.html.fromstring(response.content).get_element_by_id("document-progress")


def test_publishing_queues_the_work_then_the_page_shows_the_published_report(client, executive):
    report = ReportFactory()
    sign_in(client, executive)
    response = client.post(reverse("reports:report_publish", args=[report.pk]), {"version": report.version})
    job = DocumentJob.objects.get()
    assert response["Location"] == reverse("reports:document_job", args=[job.pk])
    assert not PublishedReport.objects.exists()  # the request rendered nothing

    waiting = progress_of(client, job)
    assert waiting.get("data-document-progress") == "pending"
    assert "Waiting to start" in waiting.text_content()
    assert not waiting.xpath(".//*[@data-document-ready]")

    assert run_queued_tasks() == 1
    job.refresh_from_db()
    assert job.state == DocumentJob.State.READY
    assert job.attempts == 1
    published = PublishedReport.objects.get()
    assert job.published == published
    assert published.published_by == executive
    done = progress_of(client, job)
    assert done.get("data-document-progress") == "done"
    link = done.xpath(".//*[@data-document-ready]")[0]
    assert link.get("href") == reverse("reports:published_download", args=[published.pk, "pdf"])
    pdf = client.get(link.get("href"))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_the_page_says_which_document_is_being_made(client, executive):
    report = ReportFactory()
    job = services.publication_request(report=report, by=executive, expected_version=report.version)
    DocumentJob.objects.filter(pk=job.pk).update(
        state=DocumentJob.State.RUNNING, step=2, steps=6, step_label="Making the board summary (PDF)"
    )
    sign_in(client, executive)
    text = " ".join(progress_of(client, job).text_content().split())
    assert "Making the board summary (PDF) (step 2 of 6)." in text
    assert "Check again" in text


def test_a_report_changed_after_it_was_queued_is_not_published_and_the_page_says_why(client, executive):
    report = ReportFactory()
    sign_in(client, executive)
    client.post(reverse("reports:report_publish", args=[report.pk]), {"version": report.version})
    services.section_create(report=report, by=executive, heading="Late", body="Added while queued.", position=1)
    run_queued_tasks()
    job = DocumentJob.objects.get()
    assert job.state == DocumentJob.State.FAILED
    assert not PublishedReport.objects.exists()
    region = progress_of(client, job)
    assert jobs.CHANGED_SINCE_CHECKED in region.text_content()
    assert region.xpath(f".//a[@href='{reverse('reports:report_publish', args=[report.pk])}']")
    # Tried again as it was checked, it fails again for the same reason: nothing is published.
    assert client.post(reverse("reports:document_job_retry", args=[job.pk])).status_code == 302
    run_queued_tasks()
    job.refresh_from_db()
    assert (job.state, job.attempts) == (DocumentJob.State.FAILED, 2)
    assert not PublishedReport.objects.exists()


def test_a_document_that_failed_is_shown_with_a_reference_and_made_when_tried_again(
    client, executive, monkeypatch, caplog
):
    report = ReportFactory()
    sign_in(client, executive)
    client.post(reverse("reports:report_publish", args=[report.pk]), {"version": report.version})

    def broken(document):
        raise RuntimeError("the disk is full")

    working = services.PUBLISHED_DOCUMENTS
    monkeypatch.setattr(services, "PUBLISHED_DOCUMENTS", [("pdf", ".pdf", "the report (PDF)", broken), *working[1:]])
    run_queued_tasks()
    job = DocumentJob.objects.get()
    assert job.state == DocumentJob.State.FAILED
    assert "the disk is full" not in job.error  # the log has it; the person reads a reference
    reference = job.error.rsplit("Reference: ", 1)[1].rstrip(".")
    assert any(reference in record.getMessage() for record in caplog.records)
    page = progress_of(client, job)
    assert "The report has not been published" in page.text_content()
    assert not PublishedReport.objects.exists()
    assert not default_storage.exists("reports") or default_storage.listdir("reports") == ([], [])

    monkeypatch.setattr(services, "PUBLISHED_DOCUMENTS", working)
    client.post(reverse("reports:document_job_retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.state == DocumentJob.State.QUEUED
    assert job.error == ""
    run_queued_tasks()
    job.refresh_from_db()
    assert job.state == DocumentJob.State.READY
    assert job.published == PublishedReport.objects.get()


def test_only_a_failed_document_is_tried_again(client, executive):
    report = ReportFactory()
    job = services.publication_request(report=report, by=executive, expected_version=report.version)
    sign_in(client, executive)
    response = client.post(reverse("reports:document_job_retry", args=[job.pk]), follow=True)
    assert "Only a document that failed can be tried again." in response.content.decode()
    assert DocumentJob.objects.get().state == DocumentJob.State.QUEUED


def test_one_publication_of_a_report_at_a_time(executive):
    report = ReportFactory()
    services.publication_request(report=report, by=executive, expected_version=report.version)
    with pytest.raises(services.ValidationError, match="already being published"):
        services.publication_request(report=report, by=executive, expected_version=report.version)


def test_replacing_a_publication_needs_a_reason_when_asked_and_the_worker_keeps_it(client, executive):
    published = PublishedReportFactory()
    report = published.report
    sign_in(client, executive)
    url = reverse("reports:report_publish", args=[report.pk])
    refused = client.post(url, {"version": report.version})
    assert refused.status_code == 200
    assert "Enter why this publication replaces the current one" in refused.content.decode()
    assert not DocumentJob.objects.exists()
    client.post(url, {"version": report.version, "replacement_reason": "A round's figures were wrong."})
    run_queued_tasks()
    newer = PublishedReport.objects.exclude(pk=published.pk).get()
    assert newer.replaces == published
    assert newer.replacement_reason == "A round's figures were wrong."


@pytest.mark.parametrize("kind", ["pdf", "xlsx", "docx", "summary-docx"])
def test_a_long_draft_is_made_by_the_worker_and_downloaded_from_its_page(client, executive, kind):
    report = ReportFactory()
    sign_in(client, executive)
    # The old address of each download now leads to the page that asks the worker for it.
    old = client.get(reverse("reports:report_download", args=[report.pk, kind]))
    assert old["Location"] == reverse("reports:draft_make", args=[report.pk, kind])
    assert client.get(old["Location"]).status_code == 200
    response = draft_download(client, report.pk, kind)
    content_type, ending = renderers.DOWNLOADS[kind]
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="draft-report-{report.pk}{ending}"'
    assert b"".join(response.streaming_content)[:4] in (b"%PDF", b"PK\x03\x04")


def test_asking_again_while_a_draft_is_being_made_gives_the_same_one(client, executive):
    report = ReportFactory()
    sign_in(client, executive)
    url = reverse("reports:draft_make", args=[report.pk, "pdf"])
    first, second = client.post(url), client.post(url)
    assert first["Location"] == second["Location"]
    assert DocumentJob.objects.count() == 1


def test_the_board_summary_is_still_made_at_once(client, executive):
    report = ReportFactory()
    sign_in(client, executive)
    response = client.get(reverse("reports:report_download", args=[report.pk, "summary"]))
    assert response["Content-Type"] == "application/pdf"
    assert not DocumentJob.objects.exists()


def test_an_unknown_document_is_not_found(client, executive):
    report = ReportFactory()
    sign_in(client, executive)
    assert client.get(reverse("reports:draft_make", args=[report.pk, "exe"])).status_code == 404
    assert client.post(reverse("reports:draft_make", args=[report.pk, "summary"])).status_code == 404
    with pytest.raises(services.ValidationError):
        services.draft_request(report=report, by=executive, kind="exe")


def test_a_draft_not_yet_made_is_not_found(client, executive):
    report = ReportFactory()
    job = services.draft_request(report=report, by=executive, kind="pdf")
    sign_in(client, executive)
    assert client.get(reverse("reports:document_job_file", args=[job.pk])).status_code == 404


def test_drafts_are_deleted_a_day_after_they_were_made(client, executive):
    report = ReportFactory()
    sign_in(client, executive)
    assert b"".join(draft_download(client, report.pk, "xlsx").streaming_content).startswith(b"PK")
    job = DocumentJob.objects.get()
    stored = job.file.name
    assert job.file.storage.exists(stored)
    assert jobs.remove_old_files(now=job.finished_at + jobs.DRAFTS_KEPT / 2) == 0
    assert jobs.remove_old_files(now=job.finished_at + jobs.DRAFTS_KEPT * 2) == 1
    job.refresh_from_db()
    assert not job.file
    assert not job.file.storage.exists(stored)
    assert client.get(reverse("reports:document_job_file", args=[job.pk])).status_code == 404


def test_the_progress_script_stops_once_the_document_is_ready(client, executive):
    # The page marks itself pending only while there is something to wait for.
    report = ReportFactory()
    job = services.draft_request(report=report, by=executive, kind="xlsx")
    sign_in(client, executive)
    assert progress_of(client, job).get("data-document-progress") == "pending"
    run_queued_tasks()
    assert progress_of(client, job).get("data-document-progress") == "done"


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_renders_in_a_child_process_that_exits(settings, monkeypatch, tmp_path):
    """The worker's own memory stays bounded: each document is laid out in a child
    process, which ends with the job; one killed midway leaves the job failed."""
    if connection.vendor != "postgresql":
        pytest.skip("a child process shares no uncommitted data: run against PostgreSQL (.ci/run does)")
    settings.DOCUMENTS_IN_CHILD_PROCESS = True
    executive = make_user(Role.EXECUTIVE)
    report = ReportFactory()
    pids = tmp_path / "pids"
    real_xlsx = renderers.xlsx

    def xlsx_noting_the_process(document):
        with pids.open("a") as handle:
            handle.write(f"{os.getpid()}\n")
        return real_xlsx(document)

    monkeypatch.setitem(services.DRAFT_DOCUMENTS, "xlsx", ("the spreadsheet", xlsx_noting_the_process))
    job = services.draft_request(report=report, by=executive, kind="xlsx")
    run_queued_tasks()
    job.refresh_from_db()
    assert job.state == DocumentJob.State.READY, job.error
    assert [int(pid) for pid in pids.read_text().split()] != [os.getpid()]
    assert job.file.storage.exists(job.file.name)

    def killed(document):
        os._exit(137)  # as the kernel's out-of-memory killer would end it

    monkeypatch.setitem(services.DRAFT_DOCUMENTS, "xlsx", ("the spreadsheet", killed))
    job = services.draft_request(report=Report.objects.get(), by=executive, kind="xlsx")
    run_queued_tasks()
    job.refresh_from_db()
    assert job.state == DocumentJob.State.FAILED
    assert job.error == jobs.STOPPED
