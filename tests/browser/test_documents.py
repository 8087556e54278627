"""Long documents in the browser: the Executive asks for a draft PDF, waits on the
progress page, which checks again by itself and then offers the file; a publication the
worker could not finish is shown as failed with a reference and published when tried
again. axe-core finds no violation on each page and state on the way."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from dscb.models import Role
from reports import services
from reports.models import DocumentJob, PublishedReport
from tests.browser.conftest import PageProblems, audit_page
from tests.browser.test_case_audits import arrive
from tests.browser.test_reports import _settle, _sign_in
from tests.conftest import run_queued_tasks
from tests.factories import ReportFactory


def _audit(page: Page, problems: PageProblems, failures: list[str]) -> None:
    _settle(page)
    failures.extend(audit_page(page, problems))


def test_executive_previews_a_draft_pdf_made_in_the_background(
    page: Page, live_server: Any, page_problems: PageProblems
) -> None:
    report = ReportFactory(title="Six-monthly report to the Board")
    _sign_in(page, live_server, page_problems, Role.EXECUTIVE)
    failures: list[str] = []
    page.goto(f"{live_server.url}/reports/{report.pk}/")
    page.get_by_role("link", name="PDF", exact=True).click()
    arrive(page, f"{live_server.url}/reports/{report.pk}/drafts/pdf/", "Make a draft of the report (PDF)")
    _audit(page, page_problems, failures)
    page.get_by_role("button", name="Make the document").click()
    job = DocumentJob.objects.get()
    arrive(page, f"{live_server.url}/reports/documents/{job.pk}/", "A draft to preview")
    progress = page.locator("#document-progress")
    expect(progress).to_have_attribute("aria-live", "polite")
    expect(progress).to_contain_text("Waiting to start")
    _audit(page, page_problems, failures)

    assert run_queued_tasks() == 1
    ready = progress.locator("a[data-document-ready]")
    expect(ready).to_have_text("Download the draft", timeout=15_000)
    expect(progress).not_to_contain_text("Check again")
    _audit(page, page_problems, failures)
    with page.expect_download() as download_info:
        ready.click()
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename == f"draft-report-{report.pk}.pdf"
    assert not failures, "\n".join(failures)


def test_a_publication_that_failed_is_tried_again_and_published(
    page: Page, live_server: Any, page_problems: PageProblems, monkeypatch: Any
) -> None:
    report = ReportFactory(title="Six-monthly report to the Board")
    _sign_in(page, live_server, page_problems, Role.EXECUTIVE)
    failures: list[str] = []
    page.goto(f"{live_server.url}/reports/{report.pk}/publish/")
    page.get_by_role("button", name="Publish").click()
    job = DocumentJob.objects.get()
    arrive(page, f"{live_server.url}/reports/documents/{job.pk}/", "Publishing the report")

    working = services.PUBLISHED_DOCUMENTS

    def out_of_disk(document: object) -> bytes:
        raise OSError("No space left on device")

    monkeypatch.setattr(services, "PUBLISHED_DOCUMENTS", [(*working[0][:3], out_of_disk), *working[1:]])
    run_queued_tasks()
    progress = page.locator("#document-progress")
    expect(progress).to_contain_text("The report has not been published", timeout=15_000)
    expect(progress).to_contain_text("Reference:")
    expect(progress).not_to_contain_text("No space left")
    _audit(page, page_problems, failures)

    monkeypatch.setattr(services, "PUBLISHED_DOCUMENTS", working)
    page.get_by_role("button", name="Try again").click()
    arrive(page, f"{live_server.url}/reports/documents/{job.pk}/", "Publishing the report")
    expect(progress).to_contain_text("Waiting to start")
    run_queued_tasks()
    expect(progress.locator("a[data-document-ready]")).to_be_visible(timeout=15_000)
    assert PublishedReport.objects.get().report == report
    _audit(page, page_problems, failures)
    assert not failures, "\n".join(failures)
