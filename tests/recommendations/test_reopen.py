"""Re-opening a completed update to put a mistake right: every rule of
``services.cycle_reopen`` called with no form, then the pages that show it."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from dscb.models import Role
from recommendations import services
from recommendations.models import CycleReopening, ReviewCycle
from tests.conftest import make_user, queries_for, sign_in
from tests.factories import PublishedReportFactory, ReportFactory, ReviewCycleFactory
from tests.service_rules import refusal_check

pytestmark = pytest.mark.django_db

REASON = "The rating of 2.3 was entered against 2.4."
refused = refusal_check([ReviewCycle, CycleReopening, LogEntry])


@pytest.fixture
def executive():
    return make_user(Role.EXECUTIVE, full_name="Erin Exec")


@pytest.fixture
def completed(executive):
    cycle = ReviewCycleFactory(title="March 2011 update")
    return services.cycle_complete(cycle=cycle, by=executive, expected_version=cycle.version)


def reopen(cycle: ReviewCycle, by: object, reason: str = REASON):
    return lambda: services.cycle_reopen(cycle=cycle, by=by, reason=reason, expected_version=cycle.version)


def test_only_the_executive_reopens_an_update(completed):
    refused(reopen(completed, make_user(Role.PROFESSIONAL_LEAD)))
    refused(reopen(completed, make_user(Role.BOARD_MEMBER)))


def test_only_a_completed_update_is_reopened(executive):
    refused(reopen(ReviewCycleFactory(), executive))


def test_reopening_needs_a_reason(executive, completed):
    error = refused(reopen(completed, executive, "   "), "reason")
    assert error.error_dict["reason"][0].messages == [services.REOPEN_NEEDS_REASON]


def test_a_reopening_reason_holds_no_identifying_details(executive, completed):
    refused(reopen(completed, executive, "Date of birth 12/03/2008"), "reason")


def test_an_update_is_not_reopened_while_another_of_its_plan_is_open(executive, completed):
    ReviewCycleFactory(plan=completed.plan, title="September 2011 update")
    error = refused(reopen(completed, executive))
    assert "The September 2011 update is open" in error.messages[0]


def test_reopening_opens_the_update_clears_its_kept_scale_and_keeps_every_reason(executive, completed):
    assert completed.scale is not None
    services.cycle_reopen(cycle=completed, by=executive, reason=REASON, expected_version=completed.version)
    completed.refresh_from_db()
    assert completed.is_open
    assert completed.completed_on is None
    assert completed.scale is None
    services.cycle_complete(cycle=completed, by=executive, expected_version=completed.version)
    completed.refresh_from_db()
    assert completed.scale is not None  # kept again on completing
    services.cycle_reopen(cycle=completed, by=executive, reason="Second look.", expected_version=completed.version)
    assert list(completed.reopenings.values_list("reason", flat=True)) == [REASON, "Second look."]
    assert LogEntry.objects.get_for_model(CycleReopening).count() == 2


def test_the_update_page_offers_reopening_to_the_executive_only(client, executive, completed):
    url = reverse("recommendations:cycle_ratings", args=[completed.pk])
    reopen_url = reverse("recommendations:cycle_reopen", args=[completed.pk])
    assert reopen_url in sign_in(client, executive).get(url).content.decode()
    assert reopen_url not in sign_in(client, make_user(Role.BOARD_MEMBER)).get(url).content.decode()


def test_the_update_page_shows_each_reopening(client, executive, completed):
    sign_in(client, executive)
    response = client.post(
        reverse("recommendations:cycle_reopen", args=[completed.pk]), {"reason": REASON, "version": completed.version}
    )
    assert response.status_code == 302
    page = client.get(reverse("recommendations:cycle_ratings", args=[completed.pk])).content.decode()
    today = timezone.localdate()
    assert f"Re-opened on {today.day} {today:%B %Y} by Erin Exec: {REASON}" in page


def test_the_reopen_form_asks_for_a_reason(client, executive, completed):
    sign_in(client, executive)
    response = client.post(reverse("recommendations:cycle_reopen", args=[completed.pk]), {"version": completed.version})
    assert response.status_code == 200
    assert "Enter why the update is being re-opened" in response.content.decode()
    completed.refresh_from_db()
    assert not completed.is_open


def test_a_report_published_from_a_reopened_update_says_so(client, executive, completed):
    published = PublishedReportFactory(
        report=ReportFactory(cycle=completed), published_at=timezone.now() - datetime.timedelta(days=1)
    )
    services.cycle_reopen(cycle=completed, by=executive, reason=REASON, expected_version=completed.version)
    sign_in(client, make_user(Role.BOARD_MEMBER))
    listing = client.get(reverse("reports:report_list")).content.decode()
    assert f"The update was re-opened afterwards, on {timezone.localdate():%-d %B %Y}: {REASON}" in listing
    sign_in(client, executive)
    page = client.get(reverse("reports:report_detail", args=[published.report_id])).content.decode()
    assert "The update was re-opened afterwards" in page


@pytest.mark.parametrize("size", [1, 6])
def test_the_update_page_costs_the_same_however_often_it_was_reopened(client, executive, completed, size):
    CycleReopening.objects.bulk_create(
        CycleReopening(cycle=completed, reason=f"Reason {n}", reopened_by=executive) for n in range(size)
    )
    sign_in(client, executive)
    # session, user; cycle; cycles; the plan's parts (it has no recommendations, so nothing more is
    # read of them; the scale is the update's own, kept); its re-openings with who re-opened them;
    # the filters' sections, leads and agencies
    assert queries_for(client, reverse("recommendations:cycle_ratings", args=[completed.pk])) == 9
