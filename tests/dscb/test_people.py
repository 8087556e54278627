"""Administrators manage people in the service's own pages: the list, inviting someone,
their details and roles, deactivating and reactivating, resetting a lost authenticator.
Every rule is the service's; every change is a security event."""

from __future__ import annotations

import logging
import re

import pytest
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.urls import reverse

from dscb import services
from dscb.concurrency import EditConflict
from dscb.models import Agency, Role, SecurityEvent, User
from dscb.security import Kind
from dscb.services import PersonDetails
from tests.conftest import Client, make_user, sign_in
from tests.factories import TEST_PASSWORD, UserFactory, activate_totp, police

pytestmark = pytest.mark.django_db


def events(kind: Kind) -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(kind=kind).select_related("user").order_by("pk"))


def details_of(person: User, **changes: object) -> PersonDetails:
    values: dict[str, object] = {
        "email": person.email,
        "full_name": person.full_name,
        "job_title": person.job_title,
        "agency": person.agency,
        "roles": person.roles,
    }
    return PersonDetails(**(values | changes))  # type: ignore[arg-type]


def form_data(person: User, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "email": person.email,
        "full_name": person.full_name,
        "job_title": person.job_title,
        "agency": person.agency_id or "",
        "roles": [role.value for role in person.roles],
        "version": person.version,
    }
    return data | changes


def checked(content: str) -> list[str]:
    """The roles ticked on a page."""
    return re.findall(r'name="roles"[^>]*value="([a-z_]+)"\s*checked="checked"', content)


def invitation(**changes: object) -> dict[str, object]:
    return {
        "email": "New.Auditor@Example.org",
        "full_name": "New Auditor",
        "job_title": "Safeguarding lead",
        "agency": police().pk,
        "roles": ["agency_auditor"],
    } | changes


# --- The landing page and the navigation -----------------------------------------------------


def test_the_administration_page_links_to_people_security_events_and_subject_access(admin_client):
    response = admin_client.get(reverse("administration"))
    content = response.content.decode()
    assert response.status_code == 200
    for name in ("people", "security_events", "reports:subject_access"):
        assert f'href="{reverse(name)}"' in content
    assert 'data-testid="administration-reference-data"' in content
    assert 'data-testid="administration-retention"' in content


def test_the_navigation_and_home_page_lead_administrators_to_the_administration_page(admin_client):
    content = admin_client.get(reverse("home")).content.decode()
    assert content.count(f'href="{reverse("administration")}"') == 2  # the menu and the home page
    content = admin_client.get(reverse("people")).content.decode()
    assert f'<a class="govuk-service-navigation__link" href="{reverse("administration")}" aria-current' in content


# --- The list --------------------------------------------------------------------------------


def test_the_list_shows_each_persons_roles_agency_two_step_verification_and_account(admin_client):
    auditor = make_user(Role.AGENCY_AUDITOR, full_name="Alice Auditor")
    UserFactory(full_name="Bob Board", is_board_member=True, is_active=False)
    content = admin_client.get(reverse("people")).content.decode()
    assert f'href="{reverse("person_detail", args=[auditor.pk])}">Alice Auditor</a>' in content
    assert '<th scope="col" class="govuk-table__header">Two-step verification</th>' in content
    alice = content[content.index("Alice Auditor") :]
    alice = alice[: alice.index("</tr>")]
    assert all(text in alice for text in (auditor.email, "Police", "Agency auditor", "Set up", "Active", "Never"))
    bob = content[content.index("Bob Board") :]
    bob = bob[: bob.index("</tr>")]
    assert all(text in bob for text in ("Board member", "Not set up", "Deactivated"))


def test_the_list_is_filtered_by_role_agency_and_account(admin_client):
    auditor = make_user(Role.AGENCY_AUDITOR, full_name="Alice Auditor")
    UserFactory(full_name="Bob Board", is_board_member=True, is_active=False)
    UserFactory(full_name="Carol Executive", is_executive=True)
    url = reverse("people")

    def names(query: dict[str, object]) -> set[str]:
        content = admin_client.get(url, query).content.decode()
        return {name for name in ("Alice Auditor", "Bob Board", "Carol Executive") if name in content}

    assert names({"role": "agency_auditor"}) == {"Alice Auditor"}
    assert names({"agency": auditor.agency_id}) == {"Alice Auditor"}
    assert names({"active": "deactivated"}) == {"Bob Board"}
    assert names({"active": "active", "role": "executive"}) == {"Carol Executive"}


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"role": "pope"}, "role", "Select a role shown"),
        ({"agency": "99999999999999999999999"}, "agency", "Select an agency shown"),
        ({"agency": "nonsense"}, "agency", "Select an agency shown"),
        ({"active": "maybe"}, "active", "Select active, deactivated or both"),
    ],
)
def test_a_filter_given_wrongly_is_shown_beside_its_field_and_the_rest_apply(admin_client, query, field, message):
    UserFactory(full_name="Carol Executive", is_executive=True)
    response = admin_client.get(reverse("people"), query | {"role": "executive"} if field != "role" else query)
    content = response.content.decode()
    assert response.status_code == 200
    assert f'<span id="id_{field}_1_error" class="govuk-error-message">' in content
    assert message in content
    assert "There is a problem" in content
    assert "Carol Executive" in content


@pytest.mark.parametrize("size", [3, 30])
def test_the_list_costs_the_same_queries_at_any_size(admin_client, django_assert_num_queries, size):
    agencies = list(Agency.objects.all()[:2])
    for number in range(size):
        person = UserFactory(is_executive=True, agency=agencies[number % 2])
        if number % 2:
            activate_totp(person)
    # session, user, count, the page's ids, its rows; the agency filter's choices
    with django_assert_num_queries(6):
        assert admin_client.get(reverse("people")).status_code == 200


def test_a_long_list_is_paged_and_keeps_its_filters(admin_client, monkeypatch):
    monkeypatch.setattr("dscb.lists.PER_PAGE", 5)
    UserFactory.create_batch(7, is_executive=True)
    content = admin_client.get(reverse("people"), {"role": "executive"}).content.decode()
    assert "Showing 1 to 5 of 7 people" in content
    assert "?role=executive&amp;page=2" in content


# --- Inviting --------------------------------------------------------------------------------


def test_the_invite_page_offers_each_role_with_its_hint(admin_client):
    content = admin_client.get(reverse("person_invite")).content.decode()
    for role in Role:
        assert role.label in content
    assert "Enters their agency&#x27;s records for the rounds they are assigned to. Needs an agency." in content


def test_inviting_someone_creates_them_without_a_password_emails_them_and_records_it(
    admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("person_invite"), invitation())
    invited = User.objects.get(email="new.auditor@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("person_detail", args=[invited.pk])
    assert (invited.full_name, invited.job_title, invited.agency, invited.roles) == (
        "New Auditor",
        "Safeguarding lead",
        police(),
        {Role.AGENCY_AUDITOR},
    )
    assert not invited.has_usable_password()
    assert invited.updated_by == admin_client.user
    assert [message.to for message in mailoutbox] == [["new.auditor@example.org"]]
    assert "/accounts/password/reset/key/" in mailoutbox[0].body
    [invited_event] = events(Kind.PERSON_INVITED)
    assert (invited_event.user, invited_event.email) == (admin_client.user, invited.email)
    [roles_event] = events(Kind.ROLE_CHANGED)
    assert roles_event.detail == {"before": [], "after": ["Agency auditor"]}
    page = admin_client.get(response["Location"]).content.decode()
    assert "an email has been sent to new.auditor@example.org to choose a password" in page


def test_without_local_passwords_the_invitation_says_how_to_sign_in_instead(
    admin_client, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.LOCAL_PASSWORDS = False
    settings.OIDC_PROVIDER_NAME = "Sign in with Northshire County Council"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("person_invite"), invitation())
    [message] = mailoutbox
    assert message.to == ["new.auditor@example.org"]
    assert "/accounts/password/reset/key/" not in message.body
    assert '"Sign in with Northshire County Council"' in message.body
    assert reverse("account_login") in message.body
    page = admin_client.get(response["Location"]).content.decode()
    assert "an email has been sent to new.auditor@example.org saying how to sign in" in page


def test_an_address_already_in_use_is_refused_beside_the_field_whatever_its_case(admin_client):
    UserFactory(email="taken@example.org")
    response = admin_client.post(reverse("person_invite"), invitation(email="Taken@Example.ORG"))
    content = response.content.decode()
    assert response.status_code == 200
    assert '<span id="id_email_1_error" class="govuk-error-message">' in content
    assert services.DUPLICATE_EMAIL in content
    assert 'value="Taken@Example.ORG"' in content  # nothing typed is lost
    assert 'value="New Auditor"' in content
    assert User.objects.filter(email__iexact="taken@example.org").count() == 1
    assert not events(Kind.PERSON_INVITED)


def test_an_agency_auditor_without_an_agency_is_refused_beside_the_agency(admin_client):
    response = admin_client.post(reverse("person_invite"), invitation(agency=""))
    content = response.content.decode()
    assert response.status_code == 200
    assert '<span id="id_agency_1_error" class="govuk-error-message">' in content
    assert services.AGENCY_NEEDED in content
    assert checked(content) == ["agency_auditor"]  # nothing typed is lost
    assert not User.objects.filter(email="new.auditor@example.org").exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"email": "not an address"},
        {"email": ""},
        {"full_name": ""},
        {"roles": ["pope"]},
        {"agency": "99999999999999999999999"},
        {"agency": "-1"},
        {"email": "x" * 300 + "@example.org"},
        {"full_name": "\x00"},
    ],
)
def test_whatever_is_typed_the_invite_page_answers_with_the_form(admin_client, changes):
    response = admin_client.post(reverse("person_invite"), invitation(**changes))
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert User.objects.count() == 1  # the administrator only


def test_the_rules_are_the_services_whatever_calls_it(rf):
    administrator = make_user(Role.ADMINISTRATOR)
    request = rf.post("/")
    with pytest.raises(ValidationError) as refused:
        services.person_invite(
            by=administrator,
            details=PersonDetails(
                email=administrator.email.upper(), full_name="", roles=frozenset({Role.AGENCY_AUDITOR})
            ),
            request=request,
        )
    assert refused.value.message_dict == {
        "email": [services.DUPLICATE_EMAIL],
        "full_name": [services.NAME_NEEDED],
        "agency": [services.AGENCY_NEEDED],
    }


# --- The person's page and changing details and roles ----------------------------------------


def test_the_persons_page_shows_their_details_and_what_can_be_done(admin_client):
    person = make_user(Role.AGENCY_AUDITOR, full_name="Alice Auditor", job_title="Designated nurse")
    response = admin_client.get(reverse("person_detail", args=[person.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    for text in ("Alice Auditor", person.email, "Designated nurse", "Police", "Agency auditor", "Set up", "Active"):
        assert text in content
    for name in ("person_change", "person_deactivate", "person_authenticator_reset"):
        assert f'href="{reverse(name, args=[person.pk])}"' in content
    assert reverse("person_reactivate", args=[person.pk]) not in content


def test_an_administrator_is_not_offered_deactivating_themselves(admin_client):
    content = admin_client.get(reverse("person_detail", args=[admin_client.user.pk])).content.decode()
    assert "You cannot deactivate your own account." in content
    assert reverse("person_deactivate", args=[admin_client.user.pk]) not in content


@pytest.mark.parametrize("pk", [999999, 2**63, 2**70])
def test_a_person_who_does_not_exist_is_not_found(admin_client, pk):
    for name in ("person_detail", "person_change", "person_deactivate", "person_reactivate"):
        assert admin_client.get(reverse(name, args=[pk])).status_code == 404
    assert admin_client.post(reverse("person_authenticator_reset", args=[pk])).status_code == 404


def test_changing_roles_saves_them_and_records_the_change(admin_client):
    person = UserFactory(full_name="Carol Lead", is_executive=True)
    url = reverse("person_change", args=[person.pk])
    assert checked(admin_client.get(url).content.decode()) == ["executive"]
    response = admin_client.post(url, form_data(person, roles=["executive", "audit_team"], job_title="Head"))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.roles == {Role.EXECUTIVE, Role.AUDIT_TEAM}
    assert (person.job_title, person.version, person.updated_by) == ("Head", 2, admin_client.user)
    [changed] = events(Kind.ROLE_CHANGED)
    assert (changed.user, changed.email, changed.ip) == (admin_client.user, person.email, "127.0.0.1")
    assert changed.detail == {"before": ["Executive member"], "after": ["Audit team member", "Executive member"]}


def test_the_persons_page_shows_who_changed_their_account_and_how(admin_client):
    person = UserFactory(full_name="Carol Lead", job_title="Lead", is_executive=True)
    admin_client.post(reverse("person_change", args=[person.pk]), form_data(person, job_title="Head of service"))
    page = admin_client.get(reverse("person_detail", args=[person.pk])).content.decode()
    history = page[page.index('id="history"') :]
    assert "Who changed what in this person's account, newest first" in history
    assert admin_client.user.get_full_name() in history
    assert "Job title: Lead → Head of service" in history


def test_an_edit_that_leaves_the_roles_alone_records_nothing(admin_client):
    person = UserFactory(is_executive=True)
    before = SecurityEvent.objects.count()
    response = admin_client.post(reverse("person_change", args=[person.pk]), form_data(person, job_title="Head"))
    assert response.status_code == 302
    assert SecurityEvent.objects.count() == before


def test_changing_an_address_replaces_the_verified_address(admin_client):
    person = UserFactory(email="old.address@example.org", is_executive=True)
    response = admin_client.post(
        reverse("person_change", args=[person.pk]), form_data(person, email="New.Address@Example.org")
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.email == "new.address@example.org"
    assert list(person.emailaddress_set.values_list("email", "verified", "primary")) == [
        ("new.address@example.org", True, True)
    ]


def test_a_save_after_someone_elses_is_refused_keeping_what_was_typed(admin_client):
    person = UserFactory(full_name="Carol Lead", is_executive=True)
    url = reverse("person_change", args=[person.pk])
    opened = form_data(person)
    other = make_user(Role.ADMINISTRATOR)
    services.person_update(person=person, by=other, expected_version=1, details=details_of(person, job_title="Theirs"))
    response = admin_client.post(url, opened | {"job_title": "Mine"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "after you opened it, so your changes have not been saved" in content
    assert 'value="Mine"' in content
    person.refresh_from_db()
    assert person.job_title == "Theirs"
    # The next save goes through, with the version the refusal carried.
    assert admin_client.post(url, opened | {"job_title": "Mine", "version": 2}).status_code == 302
    person.refresh_from_db()
    assert person.job_title == "Mine"


def test_a_save_leaves_the_persons_password_as_it_is_now(admin_client):
    person = UserFactory(is_executive=True)
    opened = form_data(person)
    User.objects.filter(pk=person.pk).update(password="changed-since")
    assert (
        admin_client.post(reverse("person_change", args=[person.pk]), opened | {"job_title": "Head"}).status_code == 302
    )
    person.refresh_from_db()
    assert person.password == "changed-since"


def test_an_administrator_cannot_remove_their_own_administrator_role(admin_client):
    me = admin_client.user
    make_user(Role.ADMINISTRATOR)  # not the last one
    response = admin_client.post(reverse("person_change", args=[me.pk]), form_data(me, roles=["executive"]))
    assert response.status_code == 200
    assert '<span id="id_roles_1_error" class="govuk-error-message">' in response.content.decode()
    assert services.OWN_ADMINISTRATOR_ROLE in response.content.decode()
    me.refresh_from_db()
    assert me.is_administrator


def test_the_last_active_administrator_keeps_the_role():
    only = make_user(Role.ADMINISTRATOR)
    other = make_user(Role.ADMINISTRATOR)
    services.person_deactivate(person=other, by=only, expected_version=other.version)
    # ``other`` is inactive, yet acting (say, a script): ``only`` is the last active one.
    with pytest.raises(ValidationError) as refused:
        services.person_update(
            person=only, by=other, expected_version=only.version, details=details_of(only, roles=frozenset())
        )
    assert refused.value.message_dict == {"roles": [services.LAST_ADMINISTRATOR]}
    with pytest.raises(ValidationError) as refused:
        services.person_deactivate(person=only, by=other, expected_version=only.version)
    assert refused.value.message_dict == {"is_active": [services.LAST_ADMINISTRATOR_ACCOUNT]}
    only.refresh_from_db()
    assert only.is_administrator
    assert only.is_active


def test_an_administrator_may_remove_another_administrators_role_when_others_remain(admin_client):
    other = make_user(Role.ADMINISTRATOR)
    response = admin_client.post(reverse("person_change", args=[other.pk]), form_data(other, roles=["executive"]))
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.roles == {Role.EXECUTIVE}


def test_a_change_is_refused_for_an_agency_auditor_without_an_agency(admin_client):
    person = make_user(Role.AGENCY_AUDITOR)
    response = admin_client.post(reverse("person_change", args=[person.pk]), form_data(person, agency=""))
    assert services.AGENCY_NEEDED in response.content.decode()
    person.refresh_from_db()
    assert person.agency == police()


def test_a_change_sent_twice_with_one_version_saves_once(admin_client):
    person = UserFactory(is_executive=True)
    url = reverse("person_change", args=[person.pk])
    assert admin_client.post(url, form_data(person, job_title="First")).status_code == 302
    assert admin_client.post(url, form_data(person, job_title="Second")).status_code == 200
    person.refresh_from_db()
    assert person.job_title == "First"
    with pytest.raises(EditConflict):
        services.person_update(person=person, by=admin_client.user, expected_version=1, details=details_of(person))


# --- Deactivating and reactivating -----------------------------------------------------------


def test_deactivating_asks_first_then_ends_the_persons_sessions_and_is_recorded(admin_client):
    person = make_user(Role.EXECUTIVE)
    their_client = sign_in(Client(), person)
    assert their_client.get(reverse("home")).status_code == 200
    url = reverse("person_deactivate", args=[person.pk])
    page = admin_client.get(url).content.decode()
    assert "govuk-button--warning" in page
    assert person.is_active  # the page asks; it changes nothing
    response = admin_client.post(url, {"version": person.version})
    assert response.status_code == 302
    person.refresh_from_db()
    assert not person.is_active
    assert [(event.user, event.email) for event in events(Kind.ACCOUNT_DEACTIVATED)] == [
        (admin_client.user, person.email)
    ]
    assert their_client.get(reverse("home"))["Location"].startswith(reverse("account_login"))
    refused = Client().post(reverse("account_login"), {"login": person.email, "password": TEST_PASSWORD})
    assert refused["Location"] == reverse("account_inactive")


def test_reactivating_lets_them_sign_in_again_and_is_recorded(admin_client):
    person = make_user(Role.EXECUTIVE, is_active=False)
    response = admin_client.post(reverse("person_reactivate", args=[person.pk]), {"version": person.version})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.is_active
    assert [event.email for event in events(Kind.ACCOUNT_REACTIVATED)] == [person.email]
    assert not events(Kind.ROLE_CHANGED)


def test_an_administrator_cannot_deactivate_themselves(admin_client):
    me = admin_client.user
    make_user(Role.ADMINISTRATOR)
    response = admin_client.post(reverse("person_deactivate", args=[me.pk]), {"version": me.version})
    assert response.status_code == 200
    assert services.OWN_ACCOUNT in response.content.decode()
    me.refresh_from_db()
    assert me.is_active
    assert not events(Kind.ACCOUNT_DEACTIVATED)


def test_asking_to_deactivate_someone_already_deactivated_goes_to_their_page(admin_client):
    person = UserFactory(is_active=False)
    response = admin_client.get(reverse("person_deactivate", args=[person.pk]))
    assert response["Location"] == reverse("person_detail", args=[person.pk])
    response = admin_client.get(reverse("person_reactivate", args=[make_user(Role.EXECUTIVE).pk]))
    assert response.status_code == 302


def test_a_deactivation_sent_without_its_version_is_refused(admin_client):
    person = UserFactory(is_executive=True)
    response = admin_client.post(reverse("person_deactivate", args=[person.pk]), {"version": "nonsense"})
    assert response.status_code == 200
    assert "This page is out of date" in response.content.decode()
    person.refresh_from_db()
    assert person.is_active


def test_a_deactivation_confirmed_after_someone_elses_change_is_refused_then_goes_through(admin_client):
    person = UserFactory(is_executive=True)
    url = reverse("person_deactivate", args=[person.pk])
    services.person_update(
        person=person, by=make_user(Role.ADMINISTRATOR), expected_version=1, details=details_of(person, job_title="New")
    )
    response = admin_client.post(url, {"version": 1})
    content = response.content.decode()
    assert "after you opened it" in content
    assert 'name="version" value="2"' in content
    person.refresh_from_db()
    assert person.is_active
    assert admin_client.post(url, {"version": 2}).status_code == 302
    person.refresh_from_db()
    assert not person.is_active


# --- Resetting an authenticator --------------------------------------------------------------


def test_resetting_an_authenticator_removes_app_and_codes_tells_them_and_is_recorded(
    admin_client, client, settings, caplog, mailoutbox, django_capture_on_commit_callbacks
):
    person = UserFactory(is_executive=True)
    secret = activate_totp(person)
    url = reverse("person_authenticator_reset", args=[person.pk])
    assert "Reset authenticator" in admin_client.get(url).content.decode()
    with caplog.at_level(logging.INFO, logger="dscb.security"), django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url)
    assert response["Location"] == reverse("person_detail", args=[person.pk])
    assert not Authenticator.objects.filter(user=person).exists()
    [event] = events(Kind.AUTHENTICATOR_RESET)
    assert (event.user, event.email, event.detail) == (
        admin_client.user,
        person.email,
        {"removed": ["recovery_codes", "totp"]},
    )
    assert [message.to for message in mailoutbox] == [[person.email]]
    assert mailoutbox[0].subject.endswith("Your authenticator app has been removed")
    body = mailoutbox[0].body
    assert "An administrator removed your authenticator app" in body
    assert "You will set up a new authenticator app the next time you sign in" in body
    assert settings.BOARD_CONTACT_EMAIL in body
    assert f"reset by administrator {admin_client.user.pk}: user {person.pk}" in caplog.text
    assert secret not in caplog.text + body
    # At their next sign-in they are asked to set up a new app, not for a code.
    response = client.post(reverse("account_login"), {"login": person.email, "password": TEST_PASSWORD})
    assert client.get(response["Location"])["Location"] == reverse("mfa_activate_totp")


def test_resetting_when_there_is_nothing_to_reset_says_so(admin_client, mailoutbox):
    person = UserFactory(is_executive=True)
    content = admin_client.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert reverse("person_authenticator_reset", args=[person.pk]) not in content
    response = admin_client.post(reverse("person_authenticator_reset", args=[person.pk]))
    assert response.status_code == 200
    assert services.NO_AUTHENTICATOR in response.content.decode()
    assert not events(Kind.AUTHENTICATOR_RESET)
    assert not mailoutbox


@pytest.mark.parametrize("persona", ["audit_team", "executive", "board_member", "no_role"])
def test_only_administrators_reach_the_people_pages(persona, persona_client):
    client = persona_client(persona)
    person = make_user(Role.EXECUTIVE)
    assert client.get(reverse("people")).status_code == 403
    assert client.post(reverse("person_deactivate", args=[person.pk]), {"version": 1}).status_code == 403
    person.refresh_from_db()
    assert person.is_active
