from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from dscb.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from dscb.models import Role, User

pytestmark = pytest.mark.django_db


def test_the_demo_command_refuses_to_run_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_the_demo_command_creates_one_account_per_role_and_prints_them(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    output = capsys.readouterr().out
    users = {user.email: user for user in User.objects.all()}
    assert len(users) == len(DEMO_ACCOUNTS) == len(Role)
    assert {role for user in users.values() for role in user.roles} == set(Role)
    assert users["agency.auditor@example.org"].agency.short_name == "Police"
    for email in users:
        assert email in output
        assert users[email].check_password(DEMO_PASSWORD)
    assert DEMO_PASSWORD in output


def test_running_the_demo_command_twice_duplicates_nothing(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    assert User.objects.count() == len(DEMO_ACCOUNTS)
