"""Putting mistakes right in the browser, on the demo data (the seed's March 2011 update,
completed, with the seed report published from it, and the September 2011 update open):
the Executive re-opens the March 2011 update with a reason, refused first without one and
while the September update is open, and the update's page and the published report then
say so; the Executive withdraws the published report with a reason and publishes it again
through the check before publishing, and a Board member sees the current publication and
the withdrawn one, marked, and downloads both; the Executive replaces a current publication
with a reason, asked for first, and the Board sees the older one marked replaced and why.
axe-core finds no violation, and the browser no CSP problem or script error, on each page
on the way."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from dscb.models import Role
from recommendations import services as plan_services
from recommendations.models import ReviewCycle
from reports.demo import TITLE as DEMO_TITLE
from reports.models import DocumentJob, PublishedReport, Report
from tests.browser.conftest import PageProblems, audit_page
from tests.browser.test_case_audits import arrive
from tests.browser.test_reports import _expect_error_summary, _settle, _sign_in
from tests.conftest import run_queued_tasks
from tests.demo_snapshot import load_demo

REASON = "The rating of 2.3 was entered against 2.4."
WITHDRAWAL = "The figures for the September 2010 round were wrong."
REPLACEMENT = "The Executive corrected two ratings after the meeting."


def _audit(page: Page, problems: PageProblems, failures: list[str]) -> None:
    _settle(page)
    failures.extend(audit_page(page, problems))


def _published_by_the_worker(page: Page, live_server: Any, problems: PageProblems, failures: list[str]) -> None:
    """After **Publish**: the progress page waits for the worker, then, checking again by
    itself, offers the published report; its link leads on to the reports."""
    job = DocumentJob.objects.latest("pk")
    arrive(page, f"{live_server.url}/reports/documents/{job.pk}/", "Publishing the report")
    progress = page.locator("#document-progress")
    expect(progress).to_contain_text("Waiting to start")
    _audit(page, problems, failures)
    assert run_queued_tasks() == 1  # the worker, between two of the page's checks
    expect(progress).to_contain_text("Published", timeout=15_000)
    expect(progress.locator("a[data-document-ready]")).to_have_text("Download the published report (PDF)")
    _audit(page, problems, failures)
    page.get_by_role("link", name="Go to six-monthly reports").click()
    arrive(page, f"{live_server.url}/reports/", "Six-monthly reports")


def test_executive_reopens_an_update_with_a_reason(
    page: Page, live_server: Any, page_problems: PageProblems, settings: Any
) -> None:
    load_demo(settings)
    executive = _sign_in(page, live_server, page_problems, Role.EXECUTIVE)
    march = ReviewCycle.objects.get(title="March 2011 update")
    failures: list[str] = []

    page.goto(f"{live_server.url}/action-plan/updates/{march.pk}/")
    page.get_by_role("link", name="Re-open this update").click()
    arrive(page, f"{live_server.url}/action-plan/updates/{march.pk}/reopen/", "Re-open the March 2011 update")
    _audit(page, page_problems, failures)

    # No reason: asked for one, beside the field.
    page.get_by_role("button", name="Re-open the update").click()
    _expect_error_summary(page, "Enter why the update is being re-opened")
    _audit(page, page_problems, failures)

    # While the September update is open, the service says which one stands in the way.
    page.get_by_label("Why are you re-opening this update?").fill(REASON)
    page.get_by_role("button", name="Re-open the update").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The September 2011 update is open")
    expect(page.get_by_label("Why are you re-opening this update?")).to_have_value(REASON)

    september = ReviewCycle.objects.get(title="September 2011 update")
    plan_services.cycle_complete(cycle=september, by=executive, expected_version=september.version)
    page.get_by_role("button", name="Re-open the update").click()
    arrive(page, f"{live_server.url}/action-plan/updates/{march.pk}/", "March 2011 update")
    main = page.get_by_role("main")
    expect(main).to_contain_text("The March 2011 update is open again")
    expect(main).to_contain_text(f"by {executive.get_full_name()}: {REASON}")
    expect(main).to_contain_text("Re-opened on ")
    expect(main.get_by_role("button", name="Save ratings").first).to_be_visible()
    _audit(page, page_problems, failures)

    # The report published from it stays as published, and says the update was re-opened.
    page.goto(f"{live_server.url}/reports/")
    expect(page.get_by_role("table", name="Published reports, newest first")).to_contain_text(
        f"The update was re-opened afterwards, on {march.reopenings.get().reopened_at:%-d %B %Y}: {REASON}"
    )
    _audit(page, page_problems, failures)
    assert not failures, "\n".join(failures)


def test_executive_withdraws_and_replaces_a_publication_and_the_board_sees_both(
    page: Page, live_server: Any, page_problems: PageProblems, settings: Any
) -> None:
    load_demo(settings)
    _sign_in(page, live_server, page_problems, Role.EXECUTIVE)
    report = Report.objects.get(title=DEMO_TITLE)
    first = report.publications.get()
    failures: list[str] = []

    page.goto(f"{live_server.url}/reports/{report.pk}/")
    page.get_by_role("link", name="Withdraw this publication").click()
    arrive(page, f"{live_server.url}/published/{first.pk}/withdraw/", "Withdraw this publication")
    _audit(page, page_problems, failures)
    page.get_by_role("button", name="Withdraw the publication").click()
    _expect_error_summary(page, "Enter why the publication is being withdrawn")
    page.get_by_label("Why are you withdrawing this publication?").fill(WITHDRAWAL)
    page.get_by_role("button", name="Withdraw the publication").click()
    arrive(page, f"{live_server.url}/reports/{report.pk}/", report.title)
    expect(page.get_by_role("main")).to_contain_text(f"Withdrawn on {timezone.localdate():%-d %B %Y}")
    expect(page.get_by_role("main")).to_contain_text(WITHDRAWAL)
    _audit(page, page_problems, failures)

    # Corrected (here: nothing to correct), then checked and published again.
    page.get_by_role("link", name="Check and publish the report").click()
    arrive(page, f"{live_server.url}/reports/{report.pk}/publish/", "Check before publishing")
    summary = page.locator(".govuk-summary-list")
    expect(summary).to_contain_text(report.title)
    expect(summary).to_contain_text("March 2011 update")
    _audit(page, page_problems, failures)
    page.get_by_role("button", name="Publish").click()
    _published_by_the_worker(page, live_server, page_problems, failures)
    assert PublishedReport.objects.filter(report=report).count() == 2
    current = PublishedReport.objects.current().get(report=report)

    # A Board member sees the current publication and the withdrawn one, marked as such.
    page.context.clear_cookies()
    _sign_in(page, live_server, page_problems, Role.BOARD_MEMBER)
    page.goto(f"{live_server.url}/reports/")
    published = page.get_by_role("table", name="Published reports, newest first")
    rows = published.get_by_role("row")
    expect(rows).to_have_count(3)
    expect(rows.nth(1)).to_contain_text("Current")
    expect(rows.nth(2)).to_contain_text(f"Withdrawn on {timezone.localdate():%-d %B %Y}")
    expect(rows.nth(2)).to_contain_text(WITHDRAWAL)
    _audit(page, page_problems, failures)
    for publication in (current, first):
        with page.expect_download() as download_info:
            page.locator(f'a[href="/published/{publication.pk}/pdf/"]').click()
        assert download_info.value.failure() is None
    assert not failures, "\n".join(failures)


def test_executive_replaces_the_current_publication_with_a_reason(
    page: Page, live_server: Any, page_problems: PageProblems, settings: Any
) -> None:
    load_demo(settings)
    _sign_in(page, live_server, page_problems, Role.EXECUTIVE)
    report = Report.objects.get(title=DEMO_TITLE)
    first = report.publications.get()
    failures: list[str] = []

    page.goto(f"{live_server.url}/reports/{report.pk}/")
    page.get_by_role("link", name="Publish a replacement with today's figures").click()
    arrive(page, f"{live_server.url}/reports/{report.pk}/publish/", "Check before publishing")
    expect(page.get_by_role("main")).to_contain_text("This replaces the current publication")
    _audit(page, page_problems, failures)

    # No reason: asked for one, beside the field, and nothing published.
    page.get_by_role("button", name="Publish").click()
    _expect_error_summary(page, "Enter why")
    assert report.publications.count() == 1
    _audit(page, page_problems, failures)
    page.get_by_label("Why does this publication replace the current one?").fill(REPLACEMENT)
    page.get_by_role("button", name="Publish").click()
    _published_by_the_worker(page, live_server, page_problems, failures)

    current = PublishedReport.objects.current().get(report=report)
    assert (current.replaces, current.replacement_reason) == (first, REPLACEMENT)
    page.context.clear_cookies()
    _sign_in(page, live_server, page_problems, Role.BOARD_MEMBER)
    page.goto(f"{live_server.url}/reports/")
    rows = page.get_by_role("table", name="Published reports, newest first").get_by_role("row")
    expect(rows).to_have_count(3)
    expect(rows.nth(1)).to_contain_text("Current")
    expect(rows.nth(2)).to_contain_text(f"Replaced on {timezone.localdate():%-d %B %Y}: {REPLACEMENT}")
    _audit(page, page_problems, failures)
    assert not failures, "\n".join(failures)
