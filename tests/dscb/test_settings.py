"""Settings come from the environment and refuse what they cannot understand."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.formats import date_format

from dscb import settings as production_settings
from dscb.settings import env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parents[2]
OUR_VARIABLES = {
    "SECRET_KEY",
    "DEBUG",
    "DEMO_MODE",
    "MFA_REQUIRED",
    "SECURE_SSL_REDIRECT",
    "EMAIL_BACKEND",
    "BOARD_NAME",
    "DATABASE_URL",
    "ALLOWED_HOSTS",
    "DJANGO_SETTINGS_MODULE",
    "OIDC_ISSUER",
    "OIDC_CLIENT_ID",
    "OIDC_CLIENT_SECRET",
    "OIDC_ALLOWED_DOMAINS",
    "OIDC_PROVIDER_NAME",
    "OIDC_MFA_AMR",
    "OIDC_MFA_ACR",
    "LOCAL_PASSWORDS",
    # Set by the browser tests for Playwright; never in a deployment.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def run_python(code: str, **environment: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter with only ``environment`` set of ours."""
    env = {key: value for key, value in os.environ.items() if key not in OUR_VARIABLES}
    env.update(environment, DJANGO_SETTINGS_MODULE="dscb.settings")
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def production_environment(tmp_path: Path) -> dict[str, str]:
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "audit.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    }


def test_env_bool_refuses_a_value_it_cannot_read(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG must be true or false"):
        env_bool("SOME_FLAG", False)


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("1", True), ("Yes", True), ("off", False), ("", False)])
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", not expected) is expected


@pytest.mark.parametrize("raw", ["thirty", "3.5", "-1"])
def test_env_int_refuses_what_is_not_a_whole_number_in_range(monkeypatch, raw):
    monkeypatch.setenv("SOME_NUMBER", raw)
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER"):
        env_int("SOME_NUMBER", 30, minimum=1)


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("SOME_HOSTS", "a.example.org, b.example.org,,")
    assert env_list("SOME_HOSTS", []) == ["a.example.org", "b.example.org"]


def test_the_service_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = run_python("import django; django.setup()")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_a_short_secret_key_is_refused():
    result = run_python("import django; django.setup()", SECRET_KEY="too-short")
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_a_bad_value_stops_the_service_with_the_variable_named(tmp_path):
    result = run_python("import django; django.setup()", **production_environment(tmp_path), DEBUG="sometimes")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_debug_is_off_unless_asked_for(tmp_path):
    result = run_python(
        "from django.conf import settings; print(settings.DEBUG, settings.MFA_REQUIRED)",
        **production_environment(tmp_path),
    )
    assert result.stdout.split() == ["False", "True"], result.stderr


def test_postgresql_is_used_when_database_url_names_it(tmp_path):
    environment = production_environment(tmp_path) | {"DATABASE_URL": "postgres://audit:pw@db.example.org:5432/audit"}
    result = run_python(
        "from django.conf import settings; d = settings.DATABASES['default']; print(d['ENGINE'], d['NAME'], d['HOST'])",
        **environment,
    )
    assert result.stdout.split() == ["django.db.backends.postgresql", "audit", "db.example.org"], result.stderr


def test_sqlite_in_the_project_folder_is_the_default():
    result = run_python(
        "from django.conf import settings; d = settings.DATABASES['default']; print(d['ENGINE'], d['NAME'])",
        DEBUG="true",
    )
    assert result.stdout.split() == ["django.db.backends.sqlite3", str(BASE_DIR / "db.sqlite3")], result.stderr


def test_check_deploy_reports_no_issues_with_production_settings(tmp_path):
    result = run_python(
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        **production_environment(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_uk_time_zone_language_and_dates():
    assert settings.TIME_ZONE == "Europe/London"
    assert settings.LANGUAGE_CODE == "en-gb"
    assert date_format(date(2011, 3, 4)) == "4 March 2011"
    assert date_format(date(2011, 3, 4), "SHORT_DATE_FORMAT") == "04/03/2011"


def test_passwords_are_hashed_with_argon2_first():
    # Read from the settings module: the tests themselves swap in a fast hasher.
    assert production_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_the_trusted_proxy_count_comes_from_the_environment_and_is_off_by_default(tmp_path):
    code = "from django.conf import settings; print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)"
    assert run_python(code, **production_environment(tmp_path)).stdout.split() == ["0"]
    behind_nginx = run_python(code, **production_environment(tmp_path), TRUSTED_PROXY_COUNT="1")
    assert behind_nginx.stdout.split() == ["1"], behind_nginx.stderr
    negative = run_python(code, **production_environment(tmp_path), TRUSTED_PROXY_COUNT="-1")
    assert negative.returncode != 0
    assert "TRUSTED_PROXY_COUNT must be at least 0" in negative.stderr


# --- The organisation's identity provider (OpenID Connect) -----------------------------------

OIDC_ENVIRONMENT = {
    "OIDC_ISSUER": "https://login.northshire.gov.uk/realms/staff",
    "OIDC_CLIENT_ID": "safeguarding-audit",
    "OIDC_CLIENT_SECRET": "a-client-secret",
    "OIDC_ALLOWED_DOMAINS": "Northshire.gov.uk, @northshire-ccg.nhs.uk",
    "OIDC_PROVIDER_NAME": "Sign in with Northshire County Council",
}
PRINT_OIDC = """
import json
from django.conf import settings as s
app = s.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"]
print(json.dumps({"apps": app, "form_action": s.CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"],
    "amr": sorted(s.OIDC_MFA_AMR), "acr": sorted(s.OIDC_MFA_ACR), "local": s.LOCAL_PASSWORDS,
    "store_tokens": s.SOCIALACCOUNT_STORE_TOKENS, "reauth": list(s.ACCOUNT_REAUTHENTICATION_METHODS)}))
"""


def test_without_an_issuer_there_is_no_provider(tmp_path):
    result = run_python(PRINT_OIDC, **production_environment(tmp_path))
    printed = json.loads(result.stdout)
    assert printed["apps"] == []
    assert printed["form_action"] == ["'self'"]
    assert printed["local"] is True
    assert printed["reauth"] == ["password", "mfa"]


def test_an_issuer_configures_allauths_own_provider(tmp_path):
    result = run_python(PRINT_OIDC, **production_environment(tmp_path), **OIDC_ENVIRONMENT)
    printed = json.loads(result.stdout)
    assert printed["apps"] == [
        {
            "provider_id": "organisation",
            "name": "Sign in with Northshire County Council",
            "client_id": "safeguarding-audit",
            "secret": "a-client-secret",
            "settings": {
                "server_url": "https://login.northshire.gov.uk/realms/staff",
                "verified_email": ["northshire.gov.uk", "northshire-ccg.nhs.uk"],
            },
        }
    ]
    assert printed["form_action"] == ["'self'", "https://login.northshire.gov.uk"]
    assert printed["amr"] == ["face", "fpt", "hwk", "mfa", "otp", "sms", "swk"]
    assert printed["acr"] == []
    assert printed["store_tokens"] is False


def test_the_mfa_values_and_local_passwords_come_from_the_environment(tmp_path):
    environment = OIDC_ENVIRONMENT | {"OIDC_MFA_AMR": "mfa", "OIDC_MFA_ACR": "urn:a, urn:b", "LOCAL_PASSWORDS": "false"}
    result = run_python(PRINT_OIDC, **production_environment(tmp_path), **environment)
    printed = json.loads(result.stdout)
    assert (printed["amr"], printed["acr"], printed["local"]) == (["mfa"], ["urn:a", "urn:b"], False)
    assert printed["reauth"] == ["mfa"]


@pytest.mark.parametrize(
    ("leave_out", "message"),
    [("OIDC_ALLOWED_DOMAINS", "OIDC_ALLOWED_DOMAINS must list"), ("OIDC_CLIENT_ID", "OIDC_CLIENT_ID must be set")],
)
def test_an_issuer_without_what_it_needs_stops_the_service(tmp_path, leave_out, message):
    environment = {key: value for key, value in OIDC_ENVIRONMENT.items() if key != leave_out}
    result = run_python("import django; django.setup()", **production_environment(tmp_path), **environment)
    assert result.returncode != 0
    assert message in result.stderr


def test_an_issuer_that_is_not_an_address_stops_the_service(tmp_path):
    environment = OIDC_ENVIRONMENT | {"OIDC_ISSUER": "login.northshire.gov.uk"}
    result = run_python("import django; django.setup()", **production_environment(tmp_path), **environment)
    assert result.returncode != 0
    assert "OIDC_ISSUER must be the provider's https:// address" in result.stderr


def test_no_local_passwords_without_a_provider_stops_the_service(tmp_path):
    result = run_python("import django; django.setup()", **production_environment(tmp_path), LOCAL_PASSWORDS="false")
    assert result.returncode != 0
    assert "LOCAL_PASSWORDS=false needs OIDC_ISSUER" in result.stderr
