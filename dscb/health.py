"""Whether the service can do its work. ``/health/server/`` is for a load balancer: can
this app server answer (database, file store)? ``/health/`` is for the operator's
monitoring, and adds the background worker, which is shared by every app server: were a
load balancer to act on it, a stopped worker would take every app server out.

Public, as a load balancer does not sign in, so each says only "ok" or "failed" for each
part: no personal data, no error text, no version. Neither reads a session or sets a cookie."""

from __future__ import annotations

import datetime
import logging
import os
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from dscb.workers import worker_seen_since

logger = logging.getLogger("dscb.health")

# A name no upload is ever given (they are random): asking whether it exists reads the
# store without writing to it.
PROBE_NAME = "health-check-probe"


def database_answers() -> bool:
    connection.ensure_connection()
    # PostgreSQL: runs SELECT 1 on the open connection. SQLite: the file opened.
    return connection.is_usable()


def storage_answers() -> bool:
    # S3: a HEAD request, which fails on wrong credentials, a missing bucket or no network.
    default_storage.exists(PROBE_NAME)
    if isinstance(default_storage, FileSystemStorage):
        # A local folder answers "no such file" even when it is missing or unwritable:
        # check the folder, or the one it will be made in on the first upload.
        folder = Path(default_storage.location)
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        return folder.is_dir() and os.access(folder, os.R_OK | os.W_OK | os.X_OK)
    return True


def worker_alive() -> bool:
    max_age = datetime.timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS)
    return worker_seen_since(timezone.now() - max_age)


CHECKS: dict[str, Callable[[], bool]] = {
    "database": database_answers,
    "storage": storage_answers,
    "worker": worker_alive,
}


# What a load balancer needs to know of an app server.
SERVER_CHECKS = ("database", "storage")


def run_checks(names: tuple[str, ...] = tuple(CHECKS)) -> dict[str, str]:
    results: dict[str, str] = {}
    for name in names:
        check = CHECKS[name]
        if name == "worker" and not settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS:
            continue  # an installation that runs no worker
        if name == "worker" and results["database"] != "ok":
            results[name] = "unknown"  # its heartbeat is in the database
            continue
        try:
            passed = check()
        except Exception:  # a check that cannot complete has failed, whatever the cause
            logger.warning("Health check %s failed", name, exc_info=True)
            passed = False
        else:
            if not passed:
                logger.warning("Health check %s failed", name)
        results[name] = "ok" if passed else "failed"
    return results


def answer(results: dict[str, str]) -> JsonResponse:
    healthy = all(result == "ok" for result in results.values())
    return JsonResponse(results, status=200 if healthy else 503)


@require_safe
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    return answer(run_checks())


@require_safe
@never_cache
def server_health(request: HttpRequest) -> JsonResponse:
    return answer(run_checks(SERVER_CHECKS))
