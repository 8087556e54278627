"""A real OpenID Connect provider for the tests (tests/oidc/provider.mjs: panva's
oidc-provider on Node.js), started on a free port of 127.0.0.1 and stopped after.

Without Node.js or the provider's packages (``npm ci`` in tests/oidc, which bin/test
runs) the tests that need it skip, except under CI=true, where they fail."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess  # nosec B404: the test's own provider, started with fixed arguments
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

PROVIDER_DIR = Path(__file__).resolve().parent / "oidc"
CLIENT_ID = "dscb-tests"
CLIENT_SECRET = "test-only-client-secret"  # nosec B105
STARTUP_SECONDS = 15


@dataclass(frozen=True)
class IdentityProvider:
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
def running_provider(*, redirect_uri: str) -> Iterator[IdentityProvider]:
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
    output: list[str] = []
    ready = threading.Event()
    # Read everything it prints, so that a full pipe never stalls it; "ready" starts the tests.
    reader = threading.Thread(target=_read_output, args=(process, output, ready), daemon=True)
    reader.start()
    try:
        if not ready.wait(STARTUP_SECONDS):
            raise RuntimeError("The test identity provider did not start:\n" + "".join(output))
        announced = next(line for line in output if line.startswith("ready "))
        yield IdentityProvider(issuer=announced.split(" ", 1)[1].strip())
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join(timeout=5)
        assert process.stdout is not None
        process.stdout.close()


def _read_output(process: subprocess.Popen[str], output: list[str], ready: threading.Event) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        output.append(line)
        if line.startswith("ready "):
            ready.set()


def provider_settings(settings: Any, provider: IdentityProvider | None, **overrides: Any) -> None:
    """Point the service at ``provider`` (or at an issuer that is never contacted, for
    tests that stand in for the network), as OIDC_* in the environment would."""
    issuer = provider.issuer if provider is not None else "https://login.example.org"
    settings.OIDC_ISSUER = issuer
    settings.OIDC_ALLOWED_DOMAINS = overrides.pop("allowed_domains", ["northshire.gov.uk"])
    settings.OIDC_PROVIDER_NAME = overrides.pop("name", "Sign in with Northshire County Council")
    for name, value in overrides.items():
        setattr(settings, name, value)
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(issuer))
    settings.CONTENT_SECURITY_POLICY = {
        **settings.CONTENT_SECURITY_POLICY,
        "DIRECTIVES": {**directives, "form-action": [*directives["form-action"], origin]},
    }
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
