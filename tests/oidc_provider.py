"""A real OpenID Connect provider for the tests (tests/oidc/provider.mjs: panva's
oidc-provider on Node.js), started on a free port of 127.0.0.1 and stopped after.

Without Node.js or the provider's packages (``npm ci`` in tests/oidc, which bin/test
runs) the tests that need it skip, except under CI=true, where they fail."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess  # nosec B404: the test's own provider, started with fixed arguments
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PROVIDER_DIR = Path(__file__).resolve().parent / "oidc"
CLIENT_ID = "dscb-tests"
CLIENT_SECRET = "test-only-client-secret"  # nosec B105
STARTUP_SECONDS = 15


@dataclass(frozen=True)
class TestProvider:
    issuer: str
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET


def missing() -> str:
    """Why the provider cannot run here, or "" when it can."""
    if shutil.which("node") is None:
        return "Node.js is not installed (apt-get install nodejs npm)"
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        return "the test identity provider is not installed: (cd tests/oidc && npm ci), as bin/test does"
    return ""


def skip_or_fail_without_provider() -> None:
    reason = missing()
    if not reason:
        return
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_provider(*, redirect_uri: str) -> Iterator[TestProvider]:
    skip_or_fail_without_provider()
    port = free_port()
    command = [
        str(shutil.which("node")),
        "provider.mjs",
        f"--port={port}",
        f"--client-id={CLIENT_ID}",
        f"--client-secret={CLIENT_SECRET}",
        f"--redirect-uri={redirect_uri}",
    ]
    process = subprocess.Popen(  # noqa: S603  # nosec B603
        command, cwd=PROVIDER_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        yield TestProvider(issuer=_wait_until_ready(process))
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_ready(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + STARTUP_SECONDS
    seen = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        if line.startswith("ready "):
            return line.split(" ", 1)[1].strip()
    raise RuntimeError("The test identity provider did not start:\n" + "".join(seen))


def provider_settings(settings: Any, provider: TestProvider | None, **overrides: Any) -> None:
    """Point the service at ``provider`` (or at an issuer that is never contacted, for
    tests that stand in for the network), as OIDC_* in the environment would."""
    issuer = provider.issuer if provider is not None else "https://login.example.org"
    settings.OIDC_ISSUER = issuer
    settings.OIDC_ALLOWED_DOMAINS = overrides.pop("allowed_domains", ["northshire.gov.uk"])
    settings.OIDC_PROVIDER_NAME = overrides.pop("name", "Sign in with Northshire County Council")
    for name, value in overrides.items():
        setattr(settings, name, value)
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": settings.OIDC_PROVIDER_ID,
                    "name": settings.OIDC_PROVIDER_NAME,
                    "client_id": provider.client_id if provider else CLIENT_ID,
                    "secret": provider.client_secret if provider else CLIENT_SECRET,
                    "settings": {"server_url": issuer, "verified_email": settings.OIDC_ALLOWED_DOMAINS},
                }
            ],
        }
    }
