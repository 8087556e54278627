"""Publishing through the check before publishing, withdrawing and replacing a
publication, and what board members then see. (The rules themselves are tested in
test_service_rules.py.)"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from dscb.models import Role
from reports import services
from reports.models import DocumentJob, PublishedReport
from tests.conftest import make_user, queries_for, run_queued_tasks, sign_in
from tests.factories import PublishedLearningSummaryFactory, PublishedReportFactory, ReportFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def executive():
    return make_user(Role.EXECUTIVE)


def test_the_check_before_publishing_shows_what_will_be_published(march_2011_report, client, executive):
    sign_in(client, executive)
    response = client.get(reverse("reports:report_publish", args=[march_2011_report.pk]))
    page = response.content.decode()
    assert "Check before publishing" in page
    assert march_2011_report.title in page
    assert "March 2011 update" in page
    assert "recommendations:" in page  # the plan's figures in brief
    # Rendering a long report takes a minute: the check page leaves it to the worker.
    assert "Made when you publish" in page
    assert not PublishedReport.objects.exists()  # looking changes nothing


def test_confirming_publishes_once_however_often_it_is_sent(client, executive):
    report = ReportFactory()
    sign_in(client, executive)
    url = reverse("reports:report_publish", args=[report.pk])
    form = client.get(url).context["form"]
    data = {"version": report.version, "submission_key": str(form["submission_key"].value())}
    first, second = client.post(url, data), client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert DocumentJob.objects.filter(report=report).count() == 1
    run_queued_tasks()
    assert PublishedReport.objects.filter(report=report).count() == 1


def test_a_report_changed_after_the_check_is_not_published(client, executive):
    report = ReportFactory()
    sign_in(client, executive)
    url = reverse("reports:report_publish", args=[report.pk])
    checked = report.version
    services.section_create(report=report, by=executive, heading="Late", body="Added after the check.", position=1)
    response = client.post(url, {"version": checked})
    assert response.status_code == 200
    assert "after you opened it" in response.content.decode()
    assert not PublishedReport.objects.exists()


def test_withdrawing_asks_why_and_keeps_the_publication_for_the_board(client, executive):
    published = PublishedReportFactory()
    sign_in(client, executive)
    url = reverse("reports:published_withdraw", args=[published.pk])
    response = client.post(url, {"reason": ""})
    assert "Enter why the publication is being withdrawn" in response.content.decode()
    assert client.post(url, {"reason": "The figures for one round were wrong."}).status_code == 302
    sign_in(client, make_user(Role.BOARD_MEMBER))
    listing = client.get(reverse("reports:report_list")).content.decode()
    assert f"Withdrawn on {timezone.localdate():%-d %B %Y}: The figures for one round were wrong." in listing
    download = client.get(reverse("reports:published_download", args=[published.pk, "pdf"]))
    assert download.status_code == 200
    download.close()


def test_a_replaced_publication_says_when_and_why(client, executive):
    old = PublishedReportFactory(replaced_at=timezone.now())
    PublishedReportFactory(report=old.report, replaces=old, replacement_reason="The update was re-opened.")
    sign_in(client, make_user(Role.BOARD_MEMBER))
    listing = client.get(reverse("reports:report_list")).content.decode()
    assert f"Replaced on {timezone.localdate():%-d %B %Y}: The update was re-opened." in listing
    assert listing.count("Current") == 1


def test_a_withdrawn_report_is_a_draft_again_for_the_executive(client, executive):
    published = PublishedReportFactory(withdrawn_at=timezone.now(), withdrawal_reason="Wrong figures.")
    sign_in(client, executive)
    listing = client.get(reverse("reports:report_list")).content.decode()
    assert reverse("reports:report_detail", args=[published.report_id]) in listing
    page = client.get(reverse("reports:report_detail", args=[published.report_id])).content.decode()
    assert reverse("reports:report_edit", args=[published.report_id]) in page
    assert "Withdrawn on" in page


@pytest.mark.parametrize("size", [2, 12])
def test_the_report_list_costs_the_same_however_many_publications(client, executive, size):
    for n in range(size):
        old = PublishedReportFactory(withdrawn_at=timezone.now(), withdrawal_reason=f"Reason {n}")
        PublishedReportFactory(report=old.report)
        PublishedLearningSummaryFactory()
    sign_in(client, executive)
    # session, user; the publications with their reports, updates and who published them;
    # the updates' re-openings; the drafts; the rounds' published learning summaries
    assert queries_for(client, reverse("reports:report_list")) == 6
