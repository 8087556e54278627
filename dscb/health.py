"""``/health/``: whether this app server can do its work, for a load balancer or the
operator's monitoring. Public, as a load balancer does not sign in, so it says only "ok"
or "failed" for each part: no personal data, no error text, no version. It reads no
session and sets no cookie."""

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


def run_checks() -> dict[str, str]:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
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


@require_safe
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    results = run_checks()
    healthy = all(result == "ok" for result in results.values())
    return JsonResponse(results, status=200 if healthy else 503)
