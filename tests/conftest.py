from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import connection
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client as DjangoClient
from django.test.utils import CaptureQueriesContext
from django.utils.http import urlencode

from dscb.forms import SUBMISSION_KEY
from dscb.models import ROLE_FIELDS, Agency, Role, User
from tests.factories import UserFactory, activate_totp


class Client(DjangoClient):
    """The suite's one test client. Like a browser in production, it must send a CSRF
    token with every POST (Django's own client skips the check unless asked). It holds
    the CSRF cookie a page would have set and sends the token from it, as a page's form
    would; ``csrf=False`` posts without one. Whether every form on every page really
    carries its token (and a create form its one-time key) is checked by
    tests/test_page_walk.py."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(enforce_csrf_checks=True, **kwargs)
        self.cookies[settings.CSRF_COOKIE_NAME] = _get_new_csrf_string()

    def post(self, path: str, data: object = None, *args: object, csrf: bool = True, **kwargs: object):
        # Like a form freshly loaded, every post carries a new one-time key (dscb.forms.once_only),
        # which forms that do not create anything ignore; pass ``submission_key`` to send one again.
        fresh = {SUBMISSION_KEY: str(uuid.uuid4())}
        if data is None or isinstance(data, dict):
            data = (
                fresh
                | ({"csrfmiddlewaretoken": self.cookies[settings.CSRF_COOKIE_NAME].value} if csrf else {})
                | (data or {})
            )
        elif isinstance(data, str):  # an encoded body: the token goes in the header, as a script sends it
            data = f"{data}&{urlencode(fresh)}" if data else data  # an empty body stays empty
            if csrf:
                kwargs["headers"] = {
                    **(kwargs.get("headers") or {}),
                    "X-CSRFToken": self.cookies[settings.CSRF_COOKIE_NAME].value,
                }
        return super().post(path, data, *args, **kwargs)


@pytest.fixture
def client() -> Client:
    """pytest-django's ``client``, checking CSRF as production does."""
    return Client()


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    # Production serves hashed files collected by `collectstatic`; tests read the folders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _uploads_in_a_temporary_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 takes a fifth of a second a hash by design; tests create hundreds of people.
    # test_accounts.py checks the production hasher itself.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_in(client: Client, user: User, *, mfa: bool = True) -> Client:
    """Sign ``client`` in as ``user`` the way allauth records it: by password and,
    unless ``mfa`` is false, by an authenticator code."""
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    client.user = user
    session = client.session
    now = time.time()
    records = [{"method": "password", "at": now, "email": user.email}]
    if mfa:
        records.append({"method": "mfa", "at": now, "id": 0, "type": "totp"})
    session["account_authentication_methods"] = records
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client


def queries_for(client: Client, url: str) -> int:
    """How many queries a GET of ``url`` runs (and that it answers 200)."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def make_user(role: Role | None = None, **fields: object) -> User:
    if role is not None:
        fields[ROLE_FIELDS[role]] = True
    if role is Role.AGENCY_AUDITOR:
        fields.setdefault("agency", Agency.objects.get(short_name="Police"))
    user = UserFactory(**fields)
    activate_totp(user)
    return user


@pytest.fixture
def user_with_role(db) -> Callable[..., User]:
    return make_user


# Personas: one signed-in client per role, each with MFA passed.
ROLE_PERSONAS: dict[str, Role] = {
    "administrator": Role.ADMINISTRATOR,
    "audit_team": Role.AUDIT_TEAM,
    "agency_auditor": Role.AGENCY_AUDITOR,
    "professional_lead": Role.PROFESSIONAL_LEAD,
    "executive": Role.EXECUTIVE,
    "board_member": Role.BOARD_MEMBER,
}
# "no_role": an active account the board has given no role yet.
PERSONAS = ("anonymous", *ROLE_PERSONAS, "no_role", "without_mfa", "deactivated")


@pytest.fixture
def persona_client(db) -> Callable[[str], Client]:
    def build(persona: str) -> Client:
        client = Client()
        client.user = None
        if persona == "anonymous":
            return client
        if persona in ROLE_PERSONAS:
            return sign_in(client, make_user(ROLE_PERSONAS[persona]))
        if persona == "no_role":
            return sign_in(client, make_user())
        if persona == "without_mfa":
            # Signed in with a password only, and no authenticator set up yet.
            return sign_in(client, UserFactory(is_audit_team=True), mfa=False)
        if persona == "deactivated":
            user = make_user(Role.AUDIT_TEAM)
            sign_in(client, user)
            user.is_active = False
            user.save(update_fields=["is_active"])
            return client
        raise ValueError(persona)

    return build


@pytest.fixture
def admin_client(persona_client) -> Client:
    return persona_client("administrator")


@pytest.fixture
def audit_team_client(persona_client) -> Client:
    return persona_client("audit_team")


@pytest.fixture
def board_client(persona_client) -> Client:
    return persona_client("board_member")


def pytest_runtest_setup(item):
    """Tests marked ``postgresql`` need PostgreSQL's row locks. Elsewhere they skip with
    a reason on a developer's machine, and fail under CI=true, which must run them."""
    if not item.get_closest_marker("postgresql"):
        return
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    if os.environ.get("CI") == "true":
        pytest.fail("CI must run this test on PostgreSQL: set DATABASE_URL=postgres://...")
    pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://...")


def run_queued_tasks() -> int:
    """What `manage.py run_worker` does, in the test's own transaction: run every task
    queued in the database, in order. (The worker's loop also recycles database
    connections, which would end the test's transaction.) How many ran."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    while (queued := DBTaskResult.objects.ready().first()) is not None:
        queued.claim(worker.worker_id)
        worker.run_task(queued)
        ran += 1
    return ran


@pytest.fixture
def run_tasks() -> Callable[[], int]:
    return run_queued_tasks


def draft_download(client: Client, report_pk: int, kind: str):
    """A draft document as the Executive gets it: the two-page board summary at once, any
    other asked of the worker (which the test runs), then downloaded from its job."""
    from django.urls import reverse

    from reports.models import DocumentJob

    if kind == "summary":
        return client.get(reverse("reports:report_download", args=[report_pk, kind]))
    asked = client.post(reverse("reports:draft_make", args=[report_pk, kind]))
    assert asked.status_code == 302, asked
    run_queued_tasks()
    job = DocumentJob.objects.filter(report_id=report_pk, document=kind).latest("pk")
    assert asked["Location"] == reverse("reports:document_job", args=[job.pk])
    assert job.state == DocumentJob.State.READY, job.error
    return client.get(reverse("reports:document_job_file", args=[job.pk]))
