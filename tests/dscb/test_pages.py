"""The board's own pages: home, account, the footer pages and the error pages."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from dscb.models import Role
from dscb.roles import ROLE_DUTIES
from tests.conftest import ROLE_PERSONAS, Client, sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", list(ROLE_PERSONAS))
def test_the_home_page_describes_what_each_role_can_do(persona, persona_client):
    role = ROLE_PERSONAS[persona]
    response = persona_client(persona).get(reverse("home"))
    content = response.content.decode()
    assert response.status_code == 200
    assert role.label in content
    assert ROLE_DUTIES[role].replace("'", "&#x27;") in content
    for other in Role:
        if other is not role:
            assert ROLE_DUTIES[other].replace("'", "&#x27;") not in content


@pytest.mark.parametrize(("persona", "sees_administration"), [("administrator", True), ("board_member", False)])
def test_the_navigation_shows_only_what_the_person_may_use(persona, sees_administration, persona_client):
    content = persona_client(persona).get(reverse("home")).content.decode()
    assert ('href="/administration/"' in content) is sees_administration
    assert 'href="/account/"' in content
    assert 'data-testid="sign-out"' in content


def test_a_person_without_roles_is_told_to_ask_an_administrator(client):
    sign_in(client, UserFactory())
    assert b"You do not have a role yet" in client.get(reverse("home")).content


def test_the_home_page_needs_a_fixed_number_of_queries(client, django_assert_num_queries):
    sign_in(client, UserFactory(is_board_member=True))
    # session, user
    with django_assert_num_queries(2):
        client.get(reverse("home"))


def test_the_account_page_shows_the_persons_details(persona_client):
    content = persona_client("agency_auditor").get(reverse("account")).content.decode()
    assert "Agency auditor" in content
    assert "Police" in content
    assert "On, with an authenticator app" in content


@pytest.mark.parametrize("name", ["accessibility", "privacy"])
def test_the_footer_pages_are_open_to_everyone_and_name_the_board(client, settings, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert settings.BOARD_NAME in response.content.decode()
    assert b"govuk-footer" in response.content


def test_every_page_links_to_the_accessibility_statement_and_privacy_notice(client):
    content = client.get(reverse("account_login")).content.decode()
    assert f'href="{reverse("accessibility")}"' in content
    assert f'href="{reverse("privacy")}"' in content


def test_the_board_name_comes_from_the_setting(client, settings):
    settings.BOARD_NAME = "Anyshire Safeguarding Children Partnership"
    assert b"Anyshire Safeguarding Children Partnership" in client.get(reverse("account_login")).content


def test_demo_mode_labels_every_page(client, settings):
    settings.DEMO_MODE = True
    assert b"made-up demo data" in client.get(reverse("account_login")).content
    settings.DEMO_MODE = False
    assert b"made-up demo data" not in client.get(reverse("account_login")).content


def test_the_404_page_is_styled(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"govuk-template" in response.content


def test_the_403_page_is_styled(persona_client):
    response = persona_client("board_member").get(reverse("administration"))
    assert response.status_code == 403
    assert b"You do not have permission to see this page" in response.content


@pytest.mark.parametrize("path", ["/admin/", "/admin/login/"])
def test_there_is_no_django_admin_site(path, client, admin_client):
    # The service is managed on its own pages under Administration.
    assert client.get(path).status_code == 404
    assert admin_client.get(path).status_code == 404


def test_a_server_error_shows_a_reference_and_never_the_fault(settings, caplog):
    settings.ROOT_URLCONF = "tests.urls_with_fault"
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="dscb.security"):
        response = client.get("/broken/")
    content = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in content
    assert "SECRET-DETAIL" not in content
    assert "Traceback" not in content
    reference = caplog.records[0].getMessage().rsplit(" ", 1)[-1]
    assert len(reference) == 8
    assert reference in content


def test_refused_and_missing_pages_are_not_logged_as_faults(persona_client, caplog):
    client = persona_client("board_member")
    with caplog.at_level(logging.ERROR, logger="dscb.security"):
        client.get(reverse("administration"))
        client.get("/no-such-page/")
    assert [record for record in caplog.records if record.levelno >= logging.ERROR] == []


def test_the_change_password_form_is_worded_the_gov_uk_way(persona_client):
    content = persona_client("board_member").get(reverse("account_change_password")).content.decode()
    for label in ("Current password", "New password", "Confirm new password"):
        assert label in content
    assert "placeholder" not in content


@pytest.mark.parametrize(
    "marking",
    ['OFFICIAL-SENSITIVE"; } body { display: none } @page { x: "', 'OFFICIAL\\"\n}</style><script>', "OFFICIAL"],
)
def test_the_print_styles_hold_the_marking_as_one_css_string_whatever_it_says(client, settings, marking):
    settings.PROTECTIVE_MARKING = marking
    css = client.get(reverse("print_styles")).content.decode()
    assert css.count("content:") == 2
    for line in css.splitlines():
        if "content:" in line:
            string = line.split("content: ", 1)[1].split("; font:", 1)[0]
            # one string: quoted at both ends, no quote, backslash-quote or line break inside but escapes
            assert string.startswith('"')
            assert string.endswith('"')
            assert '"' not in string[1:-1]
            assert all(char.isalnum() or char in " \\" for char in string[1:-1])
