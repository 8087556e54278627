"""The load test: people of four roles signing in (password, then the code from their
authenticator app) and going about their pages, against a running service with the data
bench/grow.py made (its bench accounts: bench-<role>-NN@example.org, one per simulated
person, since a code is accepted once).

    bench/load.sh [BASE_URL]           # 5, 20 and 50 people, with memory sampled
    .bench-venv/bin/locust -f bench/locustfile.py --host https://127.0.0.1:8443 --headless -u 5 -r 1 -t 20s

Pages are named by their URL with ids as [id], so each kind of page has one row of figures.
Certificates are not checked (the deploy/ set-up's is a throwaway one).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import random
import re
import struct
import time
import warnings

from locust import HttpUser, between, task
from requests.adapters import HTTPAdapter

try:
    from bench.grow import BENCH_ACCOUNTS_PER_ROLE, BENCH_PASSWORD, BENCH_TOTP_SECRET, bench_account
except ImportError:  # run from bench/ itself
    from grow import BENCH_ACCOUNTS_PER_ROLE, BENCH_PASSWORD, BENCH_TOTP_SECRET, bench_account  # type: ignore[no-redef]

warnings.filterwarnings("ignore", message="Unverified HTTPS request")

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Each role's accounts, handed out in turn to the people locust starts in this process.
ACCOUNTS = {
    role: itertools.cycle(range(1, BENCH_ACCOUNTS_PER_ROLE + 1))
    for role in ("audit-team", "executive", "lead", "board")
}


# Each person's own address on the loopback network (127.0.0.2 onwards), as people at their
# own computers have: the service counts sign-ins by address (allauth allows 30 a minute
# from one), and through nginx it sees the address each connection comes from.
ADDRESSES = (f"127.0.{n // 250}.{n % 250 + 2}" for n in itertools.count())


class FromAddress(HTTPAdapter):
    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def totp(secret: str, at: float | None = None) -> str:
    """RFC 6238, as authenticator apps compute it: 30 seconds, six digits, SHA-1."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def links(html: str, pattern: str) -> list[str]:
    return sorted(set(re.findall(rf'href="({pattern})"', html)))


class Person(HttpUser):
    abstract = True
    role = ""
    wait_time = between(2, 8)  # reading a page before the next

    def on_start(self) -> None:
        self.client.verify = False
        if self.host.split("://", 1)[-1].startswith(("127.", "localhost")):
            self.client.mount(self.host, FromAddress(next(ADDRESSES)))
        self.email = bench_account(self.role, next(ACCOUNTS[self.role]))
        self.sign_in()
        self.found: dict[str, list[str]] = {}

    def post_form(self, path: str, page: str, data: dict[str, str], name: str):
        token = CSRF.search(page)
        if token is None:
            raise RuntimeError(f"No form on {path}")
        return self.client.post(
            path,
            data={"csrfmiddlewaretoken": token.group(1), **data},
            headers={"Referer": f"{self.host}{path}"},
            name=name,
        )

    def sign_in(self) -> None:
        """The sign-in journey: the password page, then the code page."""
        page = self.client.get("/accounts/login/", name="sign in: password page").text
        response = self.post_form(
            "/accounts/login/", page, {"login": self.email, "password": BENCH_PASSWORD}, "sign in: password"
        )
        for _attempt in range(3):
            if "/mfa/authenticate/" not in response.url:
                break
            # The same account signed in less than 30 s ago has used this code: wait for the next.
            code = totp(BENCH_TOTP_SECRET)
            response = self.post_form(urlpath(response.url), response.text, {"code": code}, "sign in: code")
            if "/mfa/authenticate/" in response.url:
                time.sleep(30 - time.time() % 30 + 1)
        if "/mfa/" in response.url or "/login/" in response.url:
            raise RuntimeError(f"{self.email} could not sign in: ended on {response.url}")

    def page(self, path: str, name: str | None = None) -> str:
        with self.client.get(path, name=name or path, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
            elif "/login/" in response.url:
                response.failure("signed out")
            return response.text

    def some(self, key: str, path: str, pattern: str, name: str | None = None) -> str | None:
        """One of the links matching ``pattern`` on ``path`` (read once, then remembered)."""
        if key not in self.found:
            self.found[key] = links(self.page(path, name), pattern)
        return random.choice(self.found[key]) if self.found[key] else None  # noqa: S311  # nosec B311


def urlpath(url: str) -> str:
    return "/" + url.split("://", 1)[-1].split("/", 1)[-1]


class AuditTeam(Person):
    role = "audit-team"

    @task(3)
    def round_and_case(self) -> None:
        audit_round = self.some("rounds", "/audits/", r"/audits/rounds/[0-9]+/")
        if audit_round:
            html = self.page(audit_round, "/audits/rounds/[id]/")
            cases = links(html, r"/audits/cases/[0-9]+/")
            if cases:
                self.page(random.choice(cases), "/audits/cases/[id]/")  # noqa: S311  # nosec B311

    @task(2)
    def rounds(self) -> None:
        self.page("/audits/")

    @task(1)
    def dashboard(self) -> None:
        self.page("/dashboards/audits/")

    @task(1)
    def search(self) -> None:
        self.page("/audits/search/?q=MACA-2010", "/audits/search/?q=[reference]")


class Executive(Person):
    role = "executive"

    @task(3)
    def plan(self) -> None:
        plan = self.some("plans", "/action-plan/", r"/action-plan/[0-9]+/")
        if plan:
            html = self.page(plan, "/action-plan/[id]/")
            recommendations = links(html, r"/action-plan/recommendations/[0-9]+/")
            if recommendations:
                self.page(random.choice(recommendations), "/action-plan/recommendations/[id]/")  # noqa: S311  # nosec B311

    @task(2)
    def ratings(self) -> None:
        plan = self.some("plans", "/action-plan/", r"/action-plan/[0-9]+/")
        if plan:
            update = self.some(
                f"updates {plan}", f"{plan}updates/", r"/action-plan/updates/[0-9]+/", "/action-plan/[id]/updates/"
            )
            if update:
                self.page(update, "/action-plan/updates/[id]/")

    @task(1)
    def overdue(self) -> None:
        self.page("/action-plan/overdue/")

    @task(1)
    def dashboard(self) -> None:
        self.page("/dashboards/action-plan/")

    @task(1)
    def reports(self) -> None:
        self.page("/reports/")


class Lead(Person):
    role = "lead"

    @task(3)
    def mine(self) -> None:
        self.page("/action-plan/mine/")

    @task(2)
    def recommendation(self) -> None:
        plan = self.some("plans", "/action-plan/", r"/action-plan/[0-9]+/")
        if plan:
            recommendation = self.some(
                f"in {plan}", plan, r"/action-plan/recommendations/[0-9]+/", "/action-plan/[id]/"
            )
            if recommendation:
                self.page(recommendation, "/action-plan/recommendations/[id]/")

    @task(1)
    def home(self) -> None:
        self.page("/")


class BoardMember(Person):
    role = "board"

    @task(2)
    def dashboards(self) -> None:
        self.page("/dashboards/action-plan/")
        self.page("/dashboards/audits/")

    @task(2)
    def overdue_figure(self) -> None:
        self.page(
            "/dashboards/action-plan/recommendations/?overdue=1", "/dashboards/action-plan/recommendations/?overdue=1"
        )

    @task(1)
    def reports(self) -> None:
        self.page("/reports/")
