"""Security events are rows: who, what, when and from where (SECURITY.md rows 29 and 30),
kept as they happened, listed and downloaded by administrators."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from dscb.models import Role, SecurityEvent
from dscb.security import Kind, record
from tests.conftest import Client, make_user, sign_in
from tests.factories import TEST_PASSWORD, AuditCaseFactory, UserFactory, activate_totp, totp_code
from tests.test_lists import csv_rows, xlsx_rows

pytestmark = pytest.mark.django_db

KEPT = "Security events are kept as they happened: they are never changed or deleted."


def events(kind: Kind) -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(kind=kind).select_related("user"))


def post_sign_in(client: Client, email: str, password: str):
    return client.post(reverse("account_login"), {"login": email, "password": password})


# --- Each event is recorded by doing the real thing ------------------------------------------


def test_a_sign_in_is_recorded_with_the_person_and_their_address(settings):
    settings.MFA_REQUIRED = False
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    person = UserFactory(is_board_member=True)
    client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert post_sign_in(client, person.email, TEST_PASSWORD).status_code == 302
    [event] = events(Kind.SIGN_IN)
    assert (event.user, event.email, event.ip) == (person, person.email, "203.0.113.7")
    assert timezone.now() - event.at < datetime.timedelta(minutes=1)


def test_a_failed_sign_in_keeps_the_address_typed_and_never_the_password(client):
    post_sign_in(client, "Nobody@Example.org", "a-secret-that-must-not-be-kept")
    [event] = events(Kind.SIGN_IN_FAILED)
    assert (event.user, event.email, event.ip) == (None, "nobody@example.org", "127.0.0.1")
    assert "a-secret-that-must-not-be-kept" not in str(event.detail)
    assert not events(Kind.SIGN_IN)


def test_a_sign_in_refused_for_too_many_failures_is_a_lockout(client, settings):
    person = UserFactory()
    for _ in range(settings.LOGIN_ATTEMPTS_LIMIT):
        post_sign_in(client, person.email, "not-the-password")
    assert len(events(Kind.SIGN_IN_FAILED)) == settings.LOGIN_ATTEMPTS_LIMIT
    response = post_sign_in(client, person.email, TEST_PASSWORD)
    assert b"Too many failed login attempts" in response.content
    [event] = events(Kind.LOCKED_OUT)
    assert (event.email, event.ip) == (person.email, "127.0.0.1")
    assert not events(Kind.SIGN_IN)


def test_a_wrong_security_code_at_sign_in_is_recorded_and_never_the_code(client):
    person = UserFactory(is_executive=True)
    activate_totp(person)
    assert post_sign_in(client, person.email, TEST_PASSWORD)["Location"] == reverse("mfa_authenticate")
    client.post(reverse("mfa_authenticate"), {"code": "123456"})
    [event] = events(Kind.MFA_FAILED)
    assert (event.user, event.detail, event.ip) == (person, {"type": "totp"}, "127.0.0.1")
    assert "123456" not in str(event.detail)


def test_a_password_change_is_recorded(client):
    person = UserFactory(is_board_member=True)
    sign_in(client, person)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": TEST_PASSWORD, "password1": "a new long passphrase", "password2": "a new long passphrase"},
    )
    assert response.status_code == 302
    [event] = events(Kind.PASSWORD_CHANGED)
    assert event.user == person
    assert "a new long passphrase" not in str(event.detail)


def test_a_password_reset_by_link_is_recorded(client, mailoutbox):
    person = UserFactory()
    client.post(reverse("account_reset_password"), {"email": person.email})
    link = next(line for line in mailoutbox[0].body.splitlines() if "/accounts/password/reset/key/" in line)
    path = link[link.index("/accounts/") :].strip()
    form_page = client.get(path, follow=True)
    client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
        {"password1": "a brand new passphrase", "password2": "a brand new passphrase"},
    )
    [event] = events(Kind.PASSWORD_RESET)
    assert event.user == person


# A real transaction, so allauth's on-commit steps (the signal among them) run inside the
# request as in production; the serialized rollback restores the reference data.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_setting_up_and_removing_an_authenticator_app_is_recorded(client, settings):
    person = UserFactory(is_executive=True)
    post_sign_in(client, person.email, TEST_PASSWORD)
    page = client.get(reverse("mfa_activate_totp"))
    secret = re.search(rb'data-testid="totp-secret">([A-Z2-7]+)<', page.content).group(1).decode()
    assert client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)}).status_code == 302
    added = events(Kind.MFA_ADDED)
    assert sorted((event.user.pk, event.detail["type"]) for event in added) == [
        (person.pk, "recovery_codes"),
        (person.pk, "totp"),
    ]

    settings.MFA_REQUIRED = False  # where it is required, nobody removes their own
    assert client.post(reverse("mfa_deactivate_totp")).status_code == 302
    removed = events(Kind.MFA_REMOVED)
    assert {event.detail["type"] for event in removed} == {"totp", "recovery_codes"}
    assert {event.user for event in removed} == {person}


def test_a_download_of_case_data_is_recorded(audit_team_client):
    case = AuditCaseFactory()
    audit_round = case.audit_round
    before = SecurityEvent.objects.count()
    url = reverse("audits:round_cases_download", kwargs={"pk": audit_round.pk, "kind": "csv"})
    response = audit_team_client.get(url)
    assert response.status_code == 200
    [event] = events(Kind.CASE_DATA_DOWNLOAD)
    assert SecurityEvent.objects.count() == before + 1
    assert event.user == audit_team_client.user
    assert event.detail == {"list": "round-cases", "format": "csv", "of": f"audit round {audit_round.pk}", "rows": 1}


def test_a_download_of_a_list_without_case_data_is_not_a_case_data_download(client):
    sign_in(client, make_user(Role.EXECUTIVE))
    assert client.get(reverse("recommendations:plan_list_download", kwargs={"kind": "csv"})).status_code == 200
    assert not events(Kind.CASE_DATA_DOWNLOAD)


# --- Append-only -----------------------------------------------------------------------------


def test_an_event_is_never_changed_or_deleted():
    event = record(Kind.SIGN_IN_FAILED, email="someone@example.org")
    event.email = "someone.else@example.org"
    with pytest.raises(PermissionDenied, match=KEPT):
        event.save()
    with pytest.raises(PermissionDenied, match=KEPT):
        event.delete()
    with pytest.raises(PermissionDenied, match=KEPT):
        SecurityEvent.objects.filter(pk=event.pk).update(email="x@example.org")
    with pytest.raises(PermissionDenied, match=KEPT):
        SecurityEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(PermissionDenied, match=KEPT):
        SecurityEvent.objects.bulk_update([event], ["email"])
    assert SecurityEvent.objects.get(pk=event.pk).email == "someone@example.org"


def test_there_is_no_admin_site_to_change_events_in(admin_client):
    event = record(Kind.SIGN_IN_FAILED, email="someone@example.org")
    assert admin_client.get("/admin/").status_code == 404
    assert admin_client.post(f"/admin/dscb/securityevent/{event.pk}/delete/", {"post": "yes"}).status_code == 404
    assert SecurityEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.postgresql
def test_on_postgresql_the_database_refuses_to_change_or_delete_an_event():
    event = record(Kind.SIGN_IN_FAILED, email="someone@example.org")
    for statement in ("UPDATE dscb_securityevent SET email = 'x'", "DELETE FROM dscb_securityevent"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert SecurityEvent.objects.get(pk=event.pk).email == "someone@example.org"


# --- The page for administrators ---------------------------------------------------------------


def seed_events() -> None:
    old = datetime.datetime(2026, 1, 10, 9, 30, tzinfo=datetime.UTC)  # GMT: London's time in January
    for kind, email, at in (
        (Kind.SIGN_IN_FAILED, "guess@example.org", old),
        (Kind.LOCKED_OUT, "guess@example.org", old + datetime.timedelta(days=1)),
        (Kind.SIGN_IN_FAILED, "jo.bloggs@example.org", old + datetime.timedelta(days=20)),
    ):
        SecurityEvent.objects.create(kind=kind, email=email, at=at, ip="203.0.113.7")


def shown(response) -> list[tuple[str, str]]:
    content = response.content.decode()
    rows = re.findall(r'<th scope="row" class="govuk-table__header">([^<]+)</th><td[^>]*>([^<]+)</td>', content)
    return [(when[:10], kind) for when, kind in rows]


def test_the_page_lists_events_newest_first(admin_client):
    seed_events()
    response = admin_client.get(reverse("security_events"))
    assert response.status_code == 200
    assert shown(response)[-3:] == [
        ("2026-01-30", "Sign-in failed"),
        ("2026-01-11", "Sign-in refused: too many failures"),
        ("2026-01-10", "Sign-in failed"),
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": "locked_out"}, [("2026-01-11", "Sign-in refused: too many failures")]),
        ({"person": "BLOGGS"}, [("2026-01-30", "Sign-in failed")]),
        (
            {"since_0": "11", "since_1": "1", "since_2": "2026", "until_0": "11", "until_1": "1", "until_2": "2026"},
            [("2026-01-11", "Sign-in refused: too many failures")],
        ),
        (
            {"kind": "sign_in_failed", "until_0": "29", "until_1": "1", "until_2": "2026"},
            [("2026-01-10", "Sign-in failed")],
        ),
    ],
)
def test_the_filters_narrow_the_page_and_its_downloads(admin_client, query, expected):
    seed_events()
    assert shown(admin_client.get(reverse("security_events"), query)) == expected
    for kind, read in (("csv", csv_rows), ("xlsx", xlsx_rows)):
        response = admin_client.get(reverse("security_events_download", kwargs={"kind": kind}), query)
        assert response["Content-Disposition"].startswith('attachment; filename="security-events-')
        assert [(row["When"][:10], row["Event"]) for row in read(response.content)] == expected


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"since_0": "31", "since_1": "2", "since_2": "2026"}, "since", "From must be a real date"),
        ({"until_0": "1", "until_2": "2026"}, "until", "To must include a month"),
        (
            {"since_0": "2", "since_1": "1", "since_2": "2026", "until_0": "1", "until_1": "1", "until_2": "2026"},
            "until",
            "To must be the same as or after From",
        ),
        ({"kind": "no_such_kind"}, "kind", "Select a valid choice"),
        ({"person": "x" * 300}, "person", "at most 254 characters"),
    ],
)
def test_a_filter_given_wrongly_is_shown_beside_its_field_and_the_rest_still_apply(admin_client, query, field, message):
    seed_events()
    response = admin_client.get(reverse("security_events"), query | {"person": query.get("person", "guess")})
    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    assert message in str(response.context["form"].errors[field])
    assert "<title>Error: Security events" in content
    # The wrong filter is left out; the address filter (for "guess") still applies. A wrong
    # address leaves every event: the three seeded and the administrator's own sign-in.
    assert len(shown(response)) == (4 if field == "person" else 2)


def test_what_was_typed_in_the_filters_is_kept(admin_client):
    response = admin_client.get(reverse("security_events"), {"person": "jo.bl", "since_0": "31", "since_1": "2"})
    content = response.content.decode()
    assert 'value="jo.bl"' in content
    assert 'value="31"' in content


def test_the_page_costs_the_same_queries_however_many_events(admin_client, django_assert_num_queries):
    for count in (3, 150):
        for n in range(count):
            record(Kind.SIGN_IN, user=admin_client.user) if n % 2 else record(Kind.SIGN_IN_FAILED, email=f"{n}@x.org")
        # session and user; the page's count and ids; its rows with who did them
        with django_assert_num_queries(5):
            assert admin_client.get(reverse("security_events")).status_code == 200


def test_a_long_list_is_shown_a_page_at_a_time(admin_client):
    for n in range(120):
        record(Kind.SIGN_IN_FAILED, email=f"guess.{n}@example.org")
    first = admin_client.get(reverse("security_events"), {"kind": "sign_in_failed"}).content.decode()
    assert "Showing 1 to 100 of 120 events" in first
    assert "?kind=sign_in_failed&amp;page=2" in first
    second = admin_client.get(reverse("security_events"), {"kind": "sign_in_failed", "page": "2"}).content.decode()
    assert "Showing 101 to 120 of 120 events" in second


def test_only_administrators_see_the_page_and_its_link(admin_client, audit_team_client):
    assert f'href="{reverse("security_events")}"' in admin_client.get(reverse("administration")).content.decode()
    assert "Security events" not in audit_team_client.get(reverse("home")).content.decode()
    assert audit_team_client.get(reverse("security_events")).status_code == 403
    download = reverse("security_events_download", kwargs={"kind": "csv"})
    assert audit_team_client.get(download).status_code == 403


def test_what_someone_typed_at_sign_in_is_shown_as_text(admin_client):
    # The sign-in form lets only a well-formed address through to a failure; were anything
    # else kept, the page would still show it as text.
    record(Kind.SIGN_IN_FAILED, email='<script>alert("x")</script>@example.org')
    content = admin_client.get(reverse("security_events")).content.decode()
    assert "<script>alert" not in content
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;@example.org" in content
