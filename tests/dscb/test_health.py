"""/health/ tells the operator's monitoring whether the service can work: database, file
store and a background worker, each "ok" or "failed", and nothing else. /health/server/
tells a load balancer whether this app server can: the same without the worker, which
every app server shares."""

from __future__ import annotations

import datetime
import logging
from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from dscb.models import WorkerHeartbeat
from tests.conftest import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SECRET_DETAIL = "password authentication failed for user board_secret"


def heartbeat(*, seconds_ago: float) -> WorkerHeartbeat:
    seen = timezone.now() - datetime.timedelta(seconds=seconds_ago)
    return WorkerHeartbeat.objects.create(worker_id="worker-a", host="app-1", pid=42, started_at=seen, last_seen=seen)


def test_it_answers_ok_for_each_part_when_all_work(client):
    heartbeat(seconds_ago=10)

    response = client.get(reverse("health"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"database": "ok", "storage": "ok", "worker": "ok"}


def test_it_writes_no_cookie_and_may_not_be_cached(client):
    heartbeat(seconds_ago=10)

    response = client.get(reverse("health"))

    assert response.cookies == {}
    assert "no-store" in response["Cache-Control"]


def test_it_takes_one_query_without_a_session(client, django_assert_num_queries):
    heartbeat(seconds_ago=10)
    with django_assert_num_queries(1):  # the heartbeat; no session, no user
        client.get(reverse("health"))


def test_it_answers_a_signed_in_person_without_mfa_too(client, settings):
    settings.MFA_REQUIRED = True
    heartbeat(seconds_ago=10)
    sign_in(client, UserFactory(), mfa=False)

    assert client.get(reverse("health")).status_code == 200


def test_it_refuses_a_post(client):
    assert client.post(reverse("health")).status_code == 405


def test_a_database_failure_is_named_without_its_detail(client, caplog):
    heartbeat(seconds_ago=10)
    with (
        caplog.at_level(logging.WARNING, logger="dscb.health"),
        mock.patch("dscb.health.connection.ensure_connection", side_effect=OperationalError(SECRET_DETAIL)),
    ):
        response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.json() == {"database": "failed", "storage": "ok", "worker": "unknown"}
    assert SECRET_DETAIL not in response.content.decode()
    assert "Health check database failed" in caplog.text


def test_a_file_store_failure_is_named(client):
    heartbeat(seconds_ago=10)
    with mock.patch("dscb.health.default_storage.exists", side_effect=OSError("bucket unreachable")):
        response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "storage": "failed", "worker": "ok"}
    assert "bucket" not in response.content.decode()


def test_an_unwritable_upload_folder_fails(client, settings, tmp_path):
    heartbeat(seconds_ago=10)
    settings.MEDIA_ROOT = tmp_path / "not-a-folder"
    settings.MEDIA_ROOT.write_text("a file where the folder should be")

    assert client.get(reverse("health")).json()["storage"] == "failed"


def test_an_upload_folder_not_made_yet_is_fine_where_it_can_be_made(client, settings, tmp_path):
    heartbeat(seconds_ago=10)
    settings.MEDIA_ROOT = tmp_path / "uploads" / "evidence"

    assert client.get(reverse("health")).json()["storage"] == "ok"


def test_a_stale_heartbeat_fails_the_worker(client, settings):
    settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS = 60
    heartbeat(seconds_ago=61)

    response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "storage": "ok", "worker": "failed"}


def test_no_heartbeat_at_all_fails_the_worker(client):
    response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.json()["worker"] == "failed"


def test_the_worker_is_not_checked_when_the_setting_is_zero(client, settings):
    settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS = 0

    response = client.get(reverse("health"))

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "storage": "ok"}


@pytest.mark.parametrize("name", ["health", "health_server"])
def test_it_answers_plain_http_when_https_is_enforced(client, settings, name):
    settings.SECURE_SSL_REDIRECT = True
    heartbeat(seconds_ago=10)

    assert client.get(reverse(name)).status_code == 200
    assert client.get(reverse("accessibility")).status_code == 301


def test_the_load_balancers_check_keeps_an_app_server_in_while_the_worker_is_down(client, settings):
    settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS = 60
    heartbeat(seconds_ago=61)

    assert client.get(reverse("health")).status_code == 503
    response = client.get(reverse("health_server"))

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "storage": "ok"}
    assert response.cookies == {}
    assert "no-store" in response["Cache-Control"]


def test_the_load_balancers_check_takes_out_an_app_server_whose_file_store_fails(client):
    heartbeat(seconds_ago=10)
    with mock.patch("dscb.health.default_storage.exists", side_effect=OSError("bucket gone")):
        response = client.get(reverse("health_server"))

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "storage": "failed"}


def test_the_load_balancers_check_answers_a_signed_in_person_without_mfa_and_refuses_a_post(client, settings):
    settings.MFA_REQUIRED = True
    sign_in(client, UserFactory(), mfa=False)

    assert client.get(reverse("health_server")).status_code == 200
    assert client.post(reverse("health_server")).status_code == 405
