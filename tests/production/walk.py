"""Use the service through nginx as a browser would, and check what only a real
production set-up shows (tests/production/check.sh starts it and calls this):

- plain HTTP is sent to HTTPS;
- sign-in with a password and an authenticator code;
- evidence of 9.5 MB uploaded through one app server downloads, byte for byte, from the other, and
  the file is in the bucket, not on an app server's disk. nginx balances the two in turn;
  which one served a request is read from that app server's own access log, found by
  the request id nginx gives every request, and nginx's log must name the same one;
- a report published by the worker (the progress page then offers it): the PDF downloads,
  is a PDF and is in the bucket;
- /health/ and /health/server/ answer 200 through nginx;
- a 12 MB upload is refused by nginx (413) and never reaches an app server;
- static files come from nginx (no app server logs them; none of Django's headers),
  hashed names cached for a year;
- sign-in throttling counts each client's own address: failed sign-ins from 127.0.0.2
  are throttled, a forged X-Forwarded-For does not get round it, and 127.0.0.3 can still
  sign in.

"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import re
import struct
import sys
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import boto3
import requests
from requests.adapters import HTTPAdapter

MB = 1024 * 1024


def fail(message: str) -> None:
    print(f"FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition: object, message: str) -> None:
    if not condition:
        fail(message)


def ok(message: str) -> None:
    print(f"  ok: {message}", flush=True)


def totp(secret: str) -> str:
    """RFC 6238 with allauth's defaults (SHA-1, 6 digits, 30 s), written out here so the
    check does not lean on the code it checks."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def a_pdf(size: int) -> bytes:
    """A file the evidence form takes for a PDF (it looks at the first bytes), different every run."""
    head = b"%PDF-1.4\n% production check " + uuid.uuid4().hex.encode() + b"\n"
    return head + os.urandom(size - len(head))


class Forms(HTMLParser):
    """The post forms of a page that post to the page itself, with their hidden fields:
    the CSRF token, a form's one-time key and version."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.forms: list[dict[str, str]] = []
        self._current: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form":
            own = (attributes.get("method") or "").lower() == "post" and attributes.get("action") in (
                None,
                "",
                self.path,
            )
            self._current = {} if own else None
        elif tag == "input" and self._current is not None and attributes.get("type") == "hidden":
            self._current[attributes.get("name") or ""] = attributes.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._current is not None:
            self.forms.append(self._current)
            self._current = None


class SourceAddressAdapter(HTTPAdapter):
    """Connections from a chosen local address (127.0.0.2...), as another client would make."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


class Browser:
    def __init__(self, origin: str, certificate: str, source_address: str | None = None) -> None:
        self.origin = origin
        # Given with each request: requests lets REQUESTS_CA_BUNDLE override a session's own.
        self.certificate = certificate
        self.session = requests.Session()
        if source_address:
            self.session.mount("https://", SourceAddressAdapter(source_address))

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        url = path if path.startswith("https://") else self.origin + path
        return self.session.get(url, allow_redirects=False, timeout=60, verify=self.certificate, **kwargs)

    def submit(
        self,
        path: str,
        fields: dict[str, str],
        files: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        """Load the page, fill in its form and send it, as a browser does (Origin and Referer too)."""
        page = self.get(path)
        check(page.status_code == 200, f"GET {path} answered {page.status_code}")
        parser = Forms(path)
        parser.feed(page.text)
        check(parser.forms, f"{path} has no form posting to itself")
        data = parser.forms[-1] | fields
        return self.session.post(
            self.origin + path,
            data=data,
            files=files,
            headers={"Origin": self.origin, "Referer": self.origin + path} | (headers or {}),
            allow_redirects=False,
            timeout=60,
            verify=self.certificate,
        )


class Logs:
    """The access logs: nginx's, and each app server's (web-<port>.log)."""

    def __init__(self, folder: Path, app_servers: list[str]) -> None:
        self.folder = folder
        self.app_servers = app_servers

    def app_server_log(self, server: str) -> str:
        return (self.folder / f"web-{server.rsplit(':', 1)[1]}.log").read_text(errors="replace")

    def lines_for(self, response: requests.Response) -> tuple[list[tuple[str, str]], list[str]]:
        """The app servers' log lines for this response's request (server, line), and nginx's."""
        request_id = response.headers.get("X-Request-ID", "")
        check(re.fullmatch(r"[0-9a-f]{32}", request_id), f"no request id from nginx: {dict(response.headers)}")
        marker = f"request={request_id}"
        for _ in range(50):  # an app server logs a request just after answering it
            servers = [
                (server, line)
                for server in self.app_servers
                for line in self.app_server_log(server).splitlines()
                if line.endswith(marker)
            ]
            nginx = [line for line in self.nginx_lines() if line.endswith(marker)]
            if servers and nginx:
                break
            time.sleep(0.1)
        return servers, nginx

    def served_by(self, response: requests.Response) -> str:
        """The app server that logged this request, which must be the one nginx names."""
        servers, nginx = self.lines_for(response)
        check(len(servers) == 1, f"the request is in the logs of {servers or 'no app server'}")
        check(len(nginx) == 1 and f"upstream={servers[0][0]} " in nginx[0], f"nginx says otherwise: {nginx}")
        return servers[0][0]

    def nginx_lines(self) -> list[str]:
        return (self.folder / "dscb.access.log").read_text().splitlines()

    def in_app_server_logs(self, text: str) -> bool:
        return any(text in self.app_server_log(server) for server in self.app_servers)


def sign_in(browser: Browser, email: str, password: str, secret: str) -> None:
    response = browser.submit("/accounts/login/", {"login": email, "password": password})
    check(response.status_code == 302, f"sign-in answered {response.status_code}")
    check(response.headers["Location"] == "/accounts/mfa/authenticate/", f"sign-in went to {response.headers}")
    response = browser.submit("/accounts/mfa/authenticate/", {"code": totp(secret)})
    check(response.status_code == 302 and response.headers["Location"] == "/", f"the code was refused: {response}")
    check(browser.get("/").status_code == 200, "the home page after signing in")


def failed_sign_in(browser: Browser, headers: dict[str, str] | None = None) -> tuple[str, requests.Response]:
    """One failed sign-in, for an address nobody has (so only the per-address limit can
    apply): "throttled" or "refused", and the response."""
    response = browser.submit(
        "/accounts/login/",
        {"login": f"nobody-{uuid.uuid4().hex[:8]}@example.org", "password": "not-the-password-1"},
        headers=headers,
    )
    check(response.status_code == 200, f"a failed sign-in answered {response.status_code}")
    return ("throttled" if "Too many failed" in response.text else "refused"), response


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--origin", required=True)
    parser.add_argument("--http-origin", required=True)
    parser.add_argument("--certificate", required=True)
    parser.add_argument("--seed", type=Path, required=True)
    parser.add_argument("--logs", type=Path, required=True)
    parser.add_argument("--app-servers", nargs=2, required=True)
    parser.add_argument("--static-root", type=Path, required=True)
    parser.add_argument("--media-root", type=Path, required=True)
    args = parser.parse_args()
    seed = json.loads(args.seed.read_text())
    logs = Logs(args.logs, args.app_servers)

    # Plain HTTP
    response = requests.get(args.http_origin + "/accounts/login/?next=/", allow_redirects=False, timeout=10)
    check(response.status_code == 301, f"plain HTTP answered {response.status_code}")
    check(response.headers["Location"] == args.origin + "/accounts/login/?next=/", response.headers["Location"])
    ok("plain HTTP is redirected to HTTPS")

    browser = Browser(args.origin, args.certificate)
    sign_in(browser, seed["email"], seed["password"], seed["totp_secret"])
    ok("signed in with a password and an authenticator code, over HTTPS with the certificate checked")

    # Evidence: uploaded through one app server, downloaded from the other
    recommendation = f"/action-plan/recommendations/{seed['recommendation']}/"
    # Nearly the largest file the service takes (EVIDENCE_MAX_UPLOAD_MB, 10): nginx lets it through.
    content = a_pdf(9 * MB + 512 * 1024)
    response = browser.submit(
        f"{recommendation}evidence/",
        {"text": "Chronology template, agreed by all agencies."},
        files={"upload": ("chronology.pdf", content, "application/pdf")},
    )
    check(response.status_code == 302, f"the evidence was not added ({response.status_code}): {response.text[:2000]}")
    uploaded_by = logs.served_by(response)
    page = browser.get(recommendation)
    download = re.search(r'href="(/action-plan/evidence/\d+/download/)"', page.text)
    check(download, "no download link for the evidence on the recommendation's page")
    assert download is not None
    for _ in range(4):
        response = browser.get(download.group(1))
        check(response.status_code == 200, f"the evidence download answered {response.status_code}")
        downloaded_by = logs.served_by(response)
        if downloaded_by != uploaded_by:
            break
    check(
        downloaded_by != uploaded_by, f"nginx sent every download to {uploaded_by}, the app server that took the upload"
    )
    check(response.content == content, "the evidence downloaded is not the file uploaded")
    ok(
        f"evidence of {len(content) / MB:.1f} MB uploaded through {uploaded_by} "
        f"downloads from {downloaded_by}, byte for byte"
    )

    s3 = boto3.client("s3", endpoint_url=seed["s3_endpoint"], region_name=seed["s3_region"])
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=seed["bucket"]).get("Contents", [])]
    stored = [key for key in keys if key.startswith("evidence/")]
    check(len(stored) == 1, f"the bucket holds {keys}")
    check(s3.get_object(Bucket=seed["bucket"], Key=stored[0])["Body"].read() == content, "the bucket's copy differs")
    check(not any(args.media_root.rglob("*")), f"files were written to MEDIA_ROOT: {list(args.media_root.rglob('*'))}")
    ok(f"the evidence is in the bucket ({stored[0]}), and nothing is on an app server's disk")

    # Publishing a report
    report = f"/reports/{seed['report']}/"
    response = browser.submit(f"{report}publish/", {})
    check(response.status_code == 302, f"publishing answered {response.status_code}: {response.text[:2000]}")
    # Queued: the browser waits on a progress page until the worker has made the documents.
    progress = response.headers["Location"]
    deadline = time.monotonic() + 60
    while True:
        page = browser.get(progress)
        check(page.status_code == 200, f"the progress page answered {page.status_code}")
        ready = re.search(r'<a\b[^>]*\bdata-document-ready\b[^>]*\bhref="([^"]+)"', page.text) or re.search(
            r'<a\b[^>]*\bhref="([^"]+)"[^>]*\bdata-document-ready\b', page.text
        )
        if ready:
            break
        check(time.monotonic() < deadline, "the report was not published within 60 s: is the worker running?")
        time.sleep(0.5)
    pdf_url = ready.group(1)
    response = browser.get(pdf_url)
    check(response.status_code == 200, f"the published PDF answered {response.status_code}")
    check(response.content.startswith(b"%PDF-"), f"the published report is not a PDF: {response.content[:40]!r}")
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=seed["bucket"]).get("Contents", [])]
    check(any(key.startswith("reports/") for key in keys), f"no published report in the bucket: {keys}")
    ok(f"the report was published: {pdf_url} is a PDF of {len(response.content)} bytes, kept in the bucket")

    # Health: the monitoring's check, with the worker, and the load balancer's, without it
    for path in ("/health/", "/health/server/"):
        response = requests.get(args.origin + path, verify=args.certificate, timeout=10)
        check(response.status_code == 200, f"{path} answered {response.status_code}: {response.text[:500]}")
        check(response.headers["Content-Type"].startswith("application/json"), f"{path} is not JSON")
        response.json()
        ok(f"{path} answers 200 through nginx: {response.text[:200]}")

    # Too big for nginx
    response = browser.submit(
        f"{recommendation}evidence/",
        {"text": "Too big"},
        files={"upload": ("big.pdf", a_pdf(12 * MB), "application/pdf")},
    )
    check(response.status_code == 413, f"a 12 MB upload answered {response.status_code}")
    request_id = response.headers.get("X-Request-ID", "")
    check(request_id and not logs.in_app_server_logs(f"request={request_id}"), "the 12 MB upload reached an app server")
    ok("a 12 MB upload is refused by nginx with 413 and never reaches an app server")

    # Static files
    home = browser.get("/")
    found = re.search(r'(?:href|src)="(/static/[^"]+\.[0-9a-f]{12}\.css)"', home.text)
    check(found, "the home page links no hashed stylesheet")
    assert found is not None
    static_path = found.group(1)
    response = browser.get(static_path)
    check(response.status_code == 200, f"{static_path} answered {response.status_code}")
    check(response.content == (args.static_root / static_path.removeprefix("/static/")).read_bytes(), "not the file")
    check("immutable" in response.headers.get("Cache-Control", ""), f"Cache-Control: {response.headers}")
    check("Cross-Origin-Opener-Policy" in home.headers, "the home page lacks Django's headers")
    check("Cross-Origin-Opener-Policy" not in response.headers, "the static file came through Django")
    check("X-Request-ID" not in response.headers, "the static file was proxied to an app server")
    check(not logs.in_app_server_logs(static_path), "an app server served the static file")
    check(any(f'"GET {static_path} ' in line and "upstream=- " in line for line in logs.nginx_lines()), "nginx log")
    ok(f"{static_path} is served by nginx, cached for a year ({response.headers['Cache-Control']})")

    # Throttling by each client's own address
    limit = 10  # ACCOUNT_RATE_LIMITS: 10 failed sign-ins a minute from one address
    second = Browser(args.origin, args.certificate, source_address="127.0.0.2")
    outcomes = [failed_sign_in(second)[0] for _ in range(limit + 1)]
    check(outcomes == ["refused"] * limit + ["throttled"], f"from 127.0.0.2: {outcomes}")
    forged, response = failed_sign_in(second, headers={"X-Forwarded-For": "198.51.100.7"})
    check(forged == "throttled", "a forged X-Forwarded-For got round the throttle")
    # The app server's log starts with the X-Forwarded-For it was given: nginx's alone.
    logged, _nginx = logs.lines_for(response)
    check(len(logged) == 1 and logged[0][1].startswith("127.0.0.2 "), f"X-Forwarded-For was not replaced: {logged}")
    check(
        failed_sign_in(Browser(args.origin, args.certificate, source_address="127.0.0.3"))[0] == "refused",
        "127.0.0.3 was throttled for 127.0.0.2's attempts",
    )
    address_lines = [line for line in logs.nginx_lines() if "/accounts/login/" in line]
    check(any(line.startswith("127.0.0.2 ") for line in address_lines), "nginx did not see 127.0.0.2")
    ok(
        "sign-in is throttled for 127.0.0.2 after 10 failures, not for 127.0.0.3; "
        "a client's own X-Forwarded-For is replaced by nginx"
    )


if __name__ == "__main__":
    main()
