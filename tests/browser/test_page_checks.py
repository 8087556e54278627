"""The checks the other browser tests rely on can fail: axe-core sees a violation and
the problem collector sees a CSP violation, a script error and a missing file."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

from tests.browser.conftest import PageProblems, audit_page, axe_violations

BREAK_THE_PAGE = """() => {
  const image = document.createElement("img");
  image.src = "https://example.com/tracker.png";  // img-src 'self' blocks it; no alt text
  document.querySelector("main").append(image);
  const style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = "/static/css/no-such-file.css";
  document.head.append(style);
  setTimeout(() => { throw new Error("deliberate test error"); }, 0);
}"""


def test_axe_and_the_problem_collector_report_what_they_see(
    page: Page, live_server: Any, page_problems: PageProblems
) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    assert axe_violations(page) == []

    with page.expect_response("**/no-such-file.css"):
        page.evaluate(BREAK_THE_PAGE)
    page.wait_for_function("() => document.querySelector('main img').complete")
    page.wait_for_timeout(100)

    assert "image-alt" in {violation["id"] for violation in axe_violations(page)}
    assert any("img-src" in message for message in page_problems.csp_violations), page_problems
    assert any("deliberate test error" in message for message in page_problems.script_errors), page_problems
    assert any("404 for" in message and "no-such-file.css" in message for message in page_problems.failed_requests)
    failures = audit_page(page, page_problems)
    assert len(failures) >= 4, failures
    assert page_problems.all() == []  # audit_page starts the next page afresh
