"""Case data leaves the service in bulk only after a recent authentication (ASVS 7.5.3,
SECURITY.md row 36), and sign-outs, refusals and re-authentications are security events
(ASVS 16.3, row 29)."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from audits.models import AuditCase
from dscb.models import Agency, Role, SecurityEvent
from dscb.security import Kind
from reports.models import DocumentJob
from tests.conftest import Client, make_user, sign_in
from tests.factories import TEST_PASSWORD, AuditCaseFactory, AuditRoundFactory

pytestmark = pytest.mark.django_db


def kinds() -> list[str]:
    return list(SecurityEvent.objects.order_by("pk").values_list("kind", flat=True))


def signed_in_long_ago(client: Client, user, *, minutes: int = 6) -> Client:
    """``client`` signed in (password and code) ``minutes`` ago, the session still alive."""
    sign_in(client, user)
    session = client.session
    for entry in session["account_authentication_methods"]:
        entry["at"] = time.time() - minutes * 60
    session.save()
    return client


def reauthenticate(client: Client, response) -> object:
    """Follow the service to the password page it sent ``client`` to and enter it."""
    assert response.status_code == 302
    page = response["Location"]
    assert page.startswith(reverse("account_reauthenticate"))
    assert client.get(page).status_code == 200
    return client.post(page, {"password": TEST_PASSWORD})


@pytest.fixture
def audit_case() -> AuditCase:
    return AuditCaseFactory()


def round_cases_csv(audit_case: AuditCase) -> str:
    return reverse("audits:round_cases_download", kwargs={"pk": audit_case.audit_round.pk, "kind": "csv"})


# --- Re-authentication before bulk exports --------------------------------------------------


def test_a_case_data_download_soon_after_signing_in_needs_nothing_more(client, audit_case):
    sign_in(client, make_user(Role.AUDIT_TEAM))
    response = client.get(round_cases_csv(audit_case))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


def test_a_case_data_download_long_after_signing_in_asks_for_the_password_first(client, audit_case):
    signed_in_long_ago(client, make_user(Role.AUDIT_TEAM))
    url = round_cases_csv(audit_case)
    response = client.get(url)
    assert not SecurityEvent.objects.filter(kind=Kind.CASE_DATA_DOWNLOAD).exists()

    back = reauthenticate(client, response)
    assert back.status_code == 302
    assert back["Location"] == url
    download = client.get(url)
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    assert kinds()[-2:] == [Kind.REAUTHENTICATED, Kind.CASE_DATA_DOWNLOAD]


def test_a_wrong_password_on_the_way_to_a_download_gives_nothing(client, audit_case):
    signed_in_long_ago(client, make_user(Role.AUDIT_TEAM))
    page = client.get(round_cases_csv(audit_case))["Location"]
    response = client.post(page, {"password": "not the password"})
    assert response.status_code == 200
    assert b"govuk-error-message" in response.content
    assert client.get(round_cases_csv(audit_case)).status_code == 302
    assert Kind.REAUTHENTICATED not in kinds()


def test_a_list_without_case_data_downloads_without_asking_again(client):
    signed_in_long_ago(client, make_user(Role.EXECUTIVE))
    assert client.get(reverse("recommendations:plan_list_download", kwargs={"kind": "csv"})).status_code == 200


def test_an_agency_return_is_case_data_asked_for_again_and_recorded(client):
    police = Agency.objects.get(short_name="Police")
    audit_round = AuditRoundFactory(agencies=[police])
    signed_in_long_ago(client, make_user(Role.AUDIT_TEAM))
    url = reverse("audits:agency_return", args=[audit_round.pk, police.pk])
    assert reauthenticate(client, client.get(url))["Location"] == url
    assert client.get(url).status_code == 200
    event = SecurityEvent.objects.get(kind=Kind.CASE_DATA_DOWNLOAD)
    assert event.detail == {
        "list": "agency return",
        "format": "xlsx",
        "of": f"audit round {audit_round.pk}, agency {police.pk}",
    }


def test_a_subject_access_export_asks_again_then_answers_the_request_as_posted(client, audit_case):
    signed_in_long_ago(client, make_user(Role.ADMINISTRATOR))
    response = client.post(reverse("reports:subject_access"), {"reference": audit_case.reference})
    assert not SecurityEvent.objects.filter(kind=Kind.SUBJECT_ACCESS_EXPORT).exists()
    # The form's request is kept while the password is asked for, and answered after it.
    answered = reauthenticate(client, response)
    job = DocumentJob.objects.get(kind=DocumentJob.Kind.SUBJECT_ACCESS, reference=audit_case.reference)
    assert (answered.status_code, answered["Location"]) == (302, reverse("reports:subject_access_job", args=[job.pk]))
    assert SecurityEvent.objects.filter(kind=Kind.SUBJECT_ACCESS_EXPORT).count() == 1


def test_someone_with_only_an_authenticator_app_enters_a_code_instead(client, audit_case):
    from allauth.mfa.models import Authenticator

    person = make_user(Role.AUDIT_TEAM)
    person.set_unusable_password()
    person.save(update_fields=["password"])
    signed_in_long_ago(client, person)
    response = client.get(round_cases_csv(audit_case))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    assert Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists()


# --- Sign-outs and refusals ------------------------------------------------------------------


def test_signing_out_is_recorded(client):
    person = make_user(Role.BOARD_MEMBER)
    sign_in(client, person)
    assert client.post(reverse("account_logout")).status_code == 302
    event = SecurityEvent.objects.get(kind=Kind.SIGN_OUT)
    assert (event.user, event.email, event.ip) == (person, person.email, "127.0.0.1")


def test_a_page_refused_to_someone_signed_in_is_recorded_with_its_path_not_its_query(client):
    person = make_user(Role.BOARD_MEMBER)
    sign_in(client, person)
    assert client.get(reverse("security_events") + "?person=secret").status_code == 403
    event = SecurityEvent.objects.get(kind=Kind.ACCESS_REFUSED)
    assert event.user == person
    assert event.detail == {"status": 403, "method": "GET", "path": reverse("security_events")}


def test_a_case_outside_someones_scope_is_a_refusal_too(client, audit_case):
    person = make_user(Role.EXECUTIVE)
    sign_in(client, person)
    url = reverse("audits:case_detail", args=[audit_case.pk])
    assert client.get(url).status_code == 404
    event = SecurityEvent.objects.get(kind=Kind.ACCESS_REFUSED)
    assert (event.user, event.detail["status"], event.detail["path"]) == (person, 404, url)


def test_an_anonymous_visitors_missing_page_is_not_an_event_but_a_refused_post_is(client):
    assert client.get("/no-such-page/").status_code == 404
    assert not SecurityEvent.objects.exists()
    # The tests' client checks CSRF tokens as a browser's request would be checked.
    assert (
        client.post(reverse("account_login"), {"login": "a@example.org", "password": "x"}, csrf=False).status_code
        == 403
    )
    event = SecurityEvent.objects.get(kind=Kind.ACCESS_REFUSED)
    assert (event.user, event.detail) == (
        None,
        {"status": 403, "method": "POST", "path": "/accounts/login/", "reason": "csrf"},
    )
