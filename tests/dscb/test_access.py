"""The one access policy, and that views use it rather than testing roles themselves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import URLPattern, URLResolver, get_resolver

from dscb import access
from dscb.access import POLICY, Action
from dscb.models import ROLE_FIELDS, Role
from tests.factories import UserFactory

BASE_DIR = Path(__file__).resolve().parents[2]
OUR_APPS = ("dscb", "audits", "recommendations", "reports")


def user_with(*roles: Role, **fields: object):
    return UserFactory.build(**{ROLE_FIELDS[role]: True for role in roles}, **fields)


@pytest.mark.parametrize("role", list(Role))
def test_only_administrators_may_administer(role):
    assert access.can(user_with(role), Action.ADMINISTER) is (role is Role.ADMINISTRATOR)


@pytest.mark.parametrize("role", list(Role))
def test_everyone_with_an_account_may_use_the_service(role):
    assert access.can(user_with(role), Action.USE_SERVICE)


def test_a_person_without_roles_may_use_the_service_but_do_nothing_else():
    person = user_with()
    assert access.can(person, Action.USE_SERVICE)
    assert not any(access.can(person, action) for action in Action if action is not Action.USE_SERVICE)


def test_several_roles_add_up():
    person = user_with(Role.BOARD_MEMBER, Role.ADMINISTRATOR)
    assert access.can(person, Action.ADMINISTER)
    assert person.roles == {Role.BOARD_MEMBER, Role.ADMINISTRATOR}


def test_anonymous_and_deactivated_people_may_do_nothing():
    for person in (AnonymousUser(), user_with(*Role, is_active=False)):
        assert not any(access.can(person, action) for action in Action)


def test_every_action_has_a_policy_row():
    assert set(POLICY) == set(Action)


def our_views(resolver: URLResolver | None = None):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from our_views(pattern)
        elif isinstance(pattern, URLPattern) and pattern.callback.__module__.split(".")[0] in OUR_APPS:
            yield pattern


# Open to everyone: the footer pages, the RAG colours style sheet every page links to, and
# the print style sheet (the protective marking, a setting).
# The health checks are for a load balancer and monitoring, which do not sign in: they say only "ok" or "failed".
PUBLIC_VIEWS = {"accessibility", "privacy", "scale_styles", "print_styles", "health", "health_server"}


def test_every_one_of_our_views_names_its_action_in_the_access_policy():
    unguarded = [
        pattern.name
        for pattern in our_views()
        if pattern.name not in PUBLIC_VIEWS and not isinstance(getattr(pattern.callback, "access_action", None), Action)
    ]
    assert unguarded == []


ROLE_TEST = re.compile(r"\b(" + "|".join(ROLE_FIELDS.values()) + r")\b")
# Where role columns may be named: the model, the policy and the demo data.
MAY_NAME_ROLES = {"dscb/roles.py", "dscb/models.py", "dscb/access.py", "dscb/demo.py"}


def test_no_view_or_template_tests_roles_itself():
    offenders = []
    for path in [*BASE_DIR.glob("*/*.py"), *BASE_DIR.glob("*/**/*.html")]:
        relative = path.relative_to(BASE_DIR).as_posix()
        if not relative.startswith((*OUR_APPS, "templates")) or "migrations" in relative:
            continue
        if relative in MAY_NAME_ROLES:
            continue
        if ROLE_TEST.search(path.read_text()):
            offenders.append(relative)
    assert offenders == []


# The project's URL conf includes the sections; nothing else in ``dscb`` may know them.
SECTION_NAME = re.compile(r"""["'](audits|recommendations|reports)[:.]""")


def test_the_board_names_no_section_url_or_module():
    """The sections register their navigation, home panels and exemptions with ``dscb``
    when they are ready (imports are checked by `lint-imports`, strings by this test)."""
    offenders = [
        path.relative_to(BASE_DIR).as_posix()
        for path in (BASE_DIR / "dscb").rglob("*.py")
        if "migrations" not in path.parts and path.name != "urls.py" and SECTION_NAME.search(path.read_text())
    ]
    assert offenders == []
