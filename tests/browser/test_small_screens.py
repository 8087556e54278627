"""On a phone (390 pixels wide), on the demo data: the case audit dashboard and a round's
page never scroll sideways as a whole; each table scrolls inside its own container, which
takes keyboard focus and is named by the table's caption. A case is found by its board
reference from any case audit page, with the keyboard alone. axe-core finds no violation,
and the browser no CSP problem or script error, on any of these pages."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from audits.models import AuditCase, AuditRound
from dscb.models import Role
from tests.browser.conftest import PageProblems, audit_page
from tests.browser.test_case_audits import arrive, tab_to
from tests.browser.test_reports import _settle, _sign_in
from tests.demo_snapshot import load_demo

PHONE = {"width": 390, "height": 844}


def _page_width(page: Page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def _check_on_a_phone(page: Page, url: str, heading: str) -> tuple[int, list[str]]:
    """The page's width, and each table's container; the first wide table's, if any, scrolls
    with the arrow key. Returns the index of that table (-1: none is wide) and the failures."""
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, f"{url}: {response.status}"
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    _settle(page)
    failures = []
    if (width := _page_width(page)) > PHONE["width"]:
        failures.append(f"{url}: the page is {width} pixels wide on a {PHONE['width']} pixel screen")
    containers = page.locator(".app-table-container")
    assert containers.count() > 0, f"{url}: no table"
    for index in range(containers.count()):
        container = containers.nth(index)
        caption = container.locator("caption").inner_text().strip()
        expect(container).to_have_attribute("tabindex", "0")
        expect(container).to_have_role("region")
        expect(container).to_have_accessible_name(caption)
    wide = page.evaluate(
        """() => [...document.querySelectorAll('.app-table-container')]
                  .findIndex((c) => c.scrollWidth > c.clientWidth)"""
    )
    if wide >= 0:  # a table wider than the screen scrolls inside its container, with the keyboard
        container = containers.nth(wide)
        container.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(300)
        if container.evaluate("(c) => c.scrollLeft") <= 0:
            failures.append(f"{url}: a wide table did not scroll with the arrow key")
    return wide, failures


def test_the_dashboard_and_a_round_fit_a_phone(
    page: Page, live_server: Any, page_problems: PageProblems, settings: Any
) -> None:
    load_demo(settings)
    page.set_viewport_size(PHONE)
    failures: list[str] = []
    _sign_in(page, live_server, page_problems, Role.EXECUTIVE)
    wide, found = _check_on_a_phone(page, f"{live_server.url}/dashboards/audits/", "Case audits")
    assert wide >= 0, "the dashboard's tables of rounds should be wider than a phone"
    failures += found + audit_page(page, page_problems)
    page.context.clear_cookies()
    _sign_in(page, live_server, page_problems, Role.AUDIT_TEAM)
    audit_round = AuditRound.objects.filter(cases__isnull=False).order_by("-held_on").first()
    _wide, found = _check_on_a_phone(page, f"{live_server.url}/audits/rounds/{audit_round.pk}/", audit_round.title)
    failures += found + audit_page(page, page_problems)
    assert not failures, "\n".join(failures)


def test_a_case_is_found_by_its_board_reference_with_the_keyboard(
    page: Page, live_server: Any, page_problems: PageProblems, settings: Any
):
    load_demo(settings)
    _sign_in(page, live_server, page_problems, Role.AUDIT_TEAM)
    case = AuditCase.objects.order_by("reference").first()
    rounds = f"{live_server.url}/audits/"
    page.goto(rounds)
    arrive(page, rounds, "Case audits")
    search = page.get_by_label("Find a case by board reference")
    search.focus()
    page.keyboard.type(f"  {case.reference.lower()} ")
    page.keyboard.press("Enter")
    arrive(page, f"{live_server.url}/audits/cases/{case.pk}/", case.reference)
    failures = audit_page(page, page_problems)

    # Part of a reference: the cases containing it, each a link; the search keeps what was found.
    part = case.reference[:-2]
    search = page.get_by_label("Find a case by board reference")
    search.fill(part)
    tab_to(page, page.get_by_role("button", name="Find"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a case")
    expect(page.get_by_role("link", name=case.reference, exact=True)).to_be_visible()
    expect(page.get_by_label("Find a case by board reference")).to_have_value(part.upper())
    failures += audit_page(page, page_problems)

    page.get_by_label("Find a case by board reference").fill("NOBODY-HAS-THIS")
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_contain_text("No case found with board reference NOBODY-HAS-THIS")
    failures += audit_page(page, page_problems)
    assert not failures, "\n".join(failures)
