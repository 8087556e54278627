"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Every test in this folder is marked ``browser`` and runs against a transactional
database (the live server's thread must see committed rows). The database is
flushed after each transactional test, which would also remove the agencies that a
data migration seeds, so the tests ask for a serialized rollback: Django restores
the migrated rows before each test (see ``_serialized_rollback_survives_playwright``
for what that takes once Playwright is running).

A missing /usr/bin/chromium skips these tests, except under CI=true, where it fails them.

Run with ``.venv/bin/python -m pytest tests/browser -p no:xdist -q``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from dscb.models import ROLE_FIELDS, Agency, Role, User
from tests.factories import TEST_PASSWORD, UserFactory, activate_totp, totp_code

# Playwright's sync API runs an event loop in the test thread; Django would otherwise
# refuse ORM calls from it ("You cannot call this from an async context").
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

BROWSER_TESTS = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
AXE_SCRIPT = BROWSER_TESTS / "vendor" / "axe.min.js"
NO_CHROMIUM = "Debian's chromium is not installed: apt-get install chromium"


def chromium_installed() -> bool:
    return CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


@pytest.hookimpl(tryfirst=True)  # before pytest-django reads the django_db marks to order tests
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_without_chromium = not chromium_installed() and not running_in_ci()
    for item in items:
        if BROWSER_TESTS not in item.path.parents:
            continue
        item.add_marker(pytest.mark.browser)
        item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))
        if skip_without_chromium:
            item.add_marker(pytest.mark.skip(reason=NO_CHROMIUM))


@pytest.fixture(scope="session", autouse=True)
def _chromium_required_in_ci() -> None:
    # Outside CI a missing Chromium skips these tests (marked at collection, above);
    # in CI it is an error, so that the browser tests can never be skipped silently.
    if not chromium_installed():
        pytest.fail(f"CI=true but {CHROMIUM} is missing. {NO_CHROMIUM}", pytrace=False)


@pytest.fixture(scope="session", autouse=True)
def _serialized_rollback_survives_playwright(
    _chromium_required_in_ci: None, django_db_setup: None, request: pytest.FixtureRequest
) -> None:
    """Keep ``serialized_rollback`` working once Playwright has started.

    Playwright's sync API leaves its event loop marked as running in the test
    thread. Django keeps database connections in an asgiref ``Local`` that, when a
    loop is running, switches to separate, context-local storage: from then on the
    tests get new connection objects, without the ``_test_serialized_contents``
    that Django stored on the old ones when it created the test database. Every
    transactional test would then start from an empty database, missing the rows
    the data migrations seed (the Police agency, for one), whenever another test
    created the database before the browser tests began (a run of all of tests/).
    So: read the serialized contents before Playwright starts, then hand them to
    the connections the tests will see.
    """
    from django.db import connections

    contents = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    request.getfixturevalue("playwright")
    for alias, serialized in contents.items():
        connections[alias]._test_serialized_contents = serialized


@pytest.fixture(scope="session")
def base_url(pytestconfig: pytest.Config) -> str | None:
    # pytest-playwright 0.10 defines its fallback ``base_url`` fixture as an instance
    # method of a plugin class, which pytest 9 deprecates with a warning that
    # pyproject.toml's ``filterwarnings = error`` turns into an error at set-up.
    # The tests use ``live_server.url``; this keeps ``--base-url`` working.
    return pytestconfig.getoption("--base-url", None) or None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # No bypass_csp: the pages must work under their real Content Security Policy.
    # The session and CSRF cookies are Secure (DEBUG is off). They still work here
    # because the live server is http://localhost, which Chromium treats as a secure
    # context; test_sign_in.py would fail at the first POST if that changed.
    return {**browser_context_args, "locale": "en-GB", "viewport": {"width": 1280, "height": 900}}


# --- Content Security Policy violations and script errors -------------------------------

# Chromium logs its own console error for each violation ("... violates the following
# Content Security Policy directive ..."); this listener logs each one again in our own
# words, so that a change in Chromium's wording cannot hide a violation.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  const blocked = event.blockedURI || "inline";
  console.error(`Content Security Policy violation: ${event.violatedDirective} blocked ${blocked}`);
});
"""


@dataclass
class PageProblems:
    """What went wrong in the browser while a test ran, each with the page's address:
    CSP violations, script errors (uncaught, or logged to the console) and files the
    page needed but could not load. The page itself answering 403 or 404 on purpose
    is not a problem."""

    csp_violations: list[str] = field(default_factory=list)
    script_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def all(self) -> list[str]:
        return [*self.csp_violations, *self.script_errors, *self.failed_requests]

    def clear(self) -> None:
        self.csp_violations.clear()
        self.script_errors.clear()
        self.failed_requests.clear()

    def assert_none(self) -> None:
        problems = self.all()
        assert not problems, "Problems in the browser:\n" + "\n".join(problems)


@pytest.fixture
def page_problems(page: Page) -> PageProblems:
    """Collects CSP violations, script errors and failed requests on ``page``; call
    ``page_problems.assert_none()`` after the pages (``audit_page`` includes them)."""
    problems = PageProblems()
    page.add_init_script(_CSP_LISTENER)

    def on_console(message: Any) -> None:
        if message.type != "error":
            return
        if "Content Security Policy" in message.text:
            problems.csp_violations.append(f"{page.url}: {message.text}")
        elif not message.text.startswith("Failed to load resource"):  # reported by on_response
            problems.script_errors.append(f"{page.url}: console error: {message.text}")

    def on_response(response: Any) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            problems.failed_requests.append(f"{page.url}: {response.status} for {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.script_errors.append(f"{page.url}: uncaught {error}"))
    page.on("response", on_response)

    def on_request_failed(request: Any) -> None:
        # A request the browser itself cancelled because the test moved to the next page
        # (the icon, a style sheet) is not a fault of the service; any other failure is.
        if request.failure != "net::ERR_ABORTED":
            problems.failed_requests.append(f"{page.url}: {request.failure} for {request.url}")

    page.on("requestfailed", on_request_failed)
    return problems


# --- axe-core -----------------------------------------------------------------------------

_RUN_AXE = """
async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target, html: n.html})),
  }));
}
"""


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run the vendored axe-core on the page as it is now and return its violations,
    each with its id, impact, help text and the CSS targets of the failing nodes.

    ``page.add_script_tag`` is blocked by the page's CSP, but a script evaluated
    through the DevTools protocol is not, so the library is evaluated directly."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    return page.evaluate(_RUN_AXE)


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}: {node['html'][:200]}")
    return "\n".join(lines)


def audit_page(page: Page, problems: PageProblems) -> list[str]:
    """axe-core violations, CSP violations and script errors on the page as it is now,
    as readable lines (none when all is well). Clears ``problems`` for the next page."""
    failures = []
    violations = axe_violations(page)
    if violations:
        failures.append(f"axe-core violations on {page.url}:\n{describe_violations(violations)}")
    failures.extend(problems.all())
    problems.clear()
    return failures


# --- People and signing in ------------------------------------------------------------------


def make_role_user(role: Role) -> tuple[User, str]:
    """A person with ``role`` and an authenticator app; returns them and the app's secret."""
    fields: dict[str, Any] = {ROLE_FIELDS[role]: True}
    if role is Role.AGENCY_AUDITOR:
        fields["agency"] = Agency.objects.get(short_name="Police")
    user = UserFactory(**fields)
    return user, activate_totp(user)


def sign_in_with_password(page: Page, live_server: Any, user: User) -> None:
    """Sign in by email address and password; stops at whatever page comes next."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_in_with_mfa(page: Page, live_server: Any, user: User, secret: str) -> None:
    """The real sign-in: password, then a code from the authenticator app, ending on Home."""
    sign_in_with_password(page, live_server, user)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    page.get_by_label("Security code").fill(totp_code(secret))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(settings.BOARD_NAME)
    # Let Home finish loading (style sheets, icon) before the test moves on, or the
    # browser cancels those requests and they count as failures.
    page.wait_for_load_state("load")
