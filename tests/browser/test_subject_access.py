"""An administrator answers a subject access request in the browser: the form from the
home page, a reference no case has refused beside the field, then the export made by the
worker on its progress page and the ZIP downloaded from it (axe-core clean in each state)."""

from __future__ import annotations

import zipfile
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import Page, expect

from dscb.models import Role, SecurityEvent
from reports.models import DocumentJob
from tests.browser.conftest import PageProblems, audit_page, make_role_user, sign_in_with_mfa
from tests.conftest import run_queued_tasks
from tests.factories import TEST_PASSWORD, AuditCaseFactory


def test_an_administrator_downloads_a_childs_subject_access_zip(
    page: Page, live_server: Any, page_problems: PageProblems
) -> None:
    AuditCaseFactory(reference="MACA-2010-09-05", findings="Agreed: adequate.")
    user, secret = make_role_user(Role.ADMINISTRATOR)
    sign_in_with_mfa(page, live_server, user, secret)
    page_problems.clear()

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Answer a subject access request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Subject access request")
    failures = audit_page(page, page_problems)

    page.get_by_label("Board reference").fill("MACA-2010-09-99")
    page.get_by_role("button", name="Produce the ZIP").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Subject access request")
    expect(page.locator(".govuk-error-summary")).to_contain_text("No case has this board reference")
    expect(page.locator(".govuk-error-message")).to_contain_text("No case has this board reference")
    expect(page.get_by_label("Board reference")).to_have_value("MACA-2010-09-99")
    failures += audit_page(page, page_problems)

    page.get_by_label("Board reference").fill("maca-2010-09-05")
    page.get_by_role("button", name="Produce the ZIP").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Subject access export for MACA-2010-09-05")
    job = DocumentJob.objects.get(kind=DocumentJob.Kind.SUBJECT_ACCESS)
    assert page.url == f"{live_server.url}/subject-access/{job.pk}/"
    progress = page.locator("#document-progress")
    expect(progress).to_contain_text("Waiting to start")
    failures += audit_page(page, page_problems)

    assert run_queued_tasks() == 1
    ready = progress.locator("a[data-document-ready]")
    expect(ready).to_have_text("Download the ZIP", timeout=15_000)
    failures += audit_page(page, page_problems)
    assert not failures, "\n".join(failures)
    with page.expect_download() as download_info:
        ready.click()
    download = download_info.value
    assert download.suggested_filename.startswith("subject-access-MACA-2010-09-05-")
    with zipfile.ZipFile(download.path()) as archive:
        assert sorted(archive.namelist()) == ["README.txt", "subject-access.json", "subject-access.pdf"]
        assert "Agreed: adequate." in archive.read("subject-access.json").decode()
    page_problems.assert_none()


def age_the_sign_in(page: Page, minutes: int = 6) -> None:
    """Make the browser's session look signed in ``minutes`` ago (it stays alive)."""
    [cookie] = [cookie for cookie in page.context.cookies() if cookie["name"] == settings.SESSION_COOKIE_NAME]
    session = SessionStore(session_key=cookie["value"])
    for entry in session["account_authentication_methods"]:
        entry["at"] -= minutes * 60
    session.save()


def test_an_export_long_after_signing_in_asks_for_the_password_then_is_made(
    page: Page, live_server: Any, page_problems: PageProblems
) -> None:
    AuditCaseFactory(reference="MACA-2010-09-06")
    user, secret = make_role_user(Role.ADMINISTRATOR)
    sign_in_with_mfa(page, live_server, user, secret)
    age_the_sign_in(page)
    page.goto(f"{live_server.url}/subject-access/")
    page.get_by_label("Board reference").fill("MACA-2010-09-06")
    page.get_by_role("button", name="Produce the ZIP").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".govuk-error-message")).to_be_visible()
    failures = audit_page(page, page_problems)
    assert not failures, "\n".join(failures)

    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Subject access export for MACA-2010-09-06")
    run_queued_tasks()
    with page.expect_download() as download_info:
        page.locator("a[data-document-ready]").click(timeout=15_000)
    assert download_info.value.suggested_filename.startswith("subject-access-MACA-2010-09-06-")
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.REAUTHENTICATED, user=user).count() == 1
