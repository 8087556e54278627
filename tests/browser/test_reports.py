"""Dashboards and six-monthly reports in the browser, on the demo data (the seed's four
audit rounds, its action plan and the seed report, published): a Board member finds the
published report through the service navigation and downloads its PDF, its board summary
and its workbook; axe-core
finds no violation, and the browser no CSP problem or script error, on the dashboards,
the list behind a figure and every report page; each chart's accessible name begins with
its title (the name is the SVG's <title> then its <desc>) and a table of its figures
follows it; a figure on the action plan dashboard leads to its list with the keyboard
alone."""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from dscb.models import Role, User
from recommendations.models import ActionPlan, ReviewCycle
from reports.demo import TITLE as DEMO_TITLE
from reports.models import NarrativeSection, Report
from tests.browser.conftest import PageProblems, audit_page, make_role_user, sign_in_with_mfa
from tests.browser.test_case_audits import arrive, tab_to
from tests.demo_snapshot import load_demo
from tests.reports.conftest import pdf_text

MARCH_2011 = datetime.date(2011, 3, 4)
DRAFT_TITLE = "Analysis of multi-agency case audits, draft for the Board"
OVERALL_CHART = "Overall ratings of audit findings of 36 (using Ofsted descriptors)"
ROUNDS_CHART = "Overall grades in each round"
TREND_CHART = "Cases adequate or better overall, by round"
RAG_CHART = "RAG rating of recommendations, March 2011 update"
OPEN_CHART = "RAG rating so far, September 2011 update"


# --- The data every test starts from -------------------------------------------------------


def _seeds_plan() -> int:
    """The demo's first plan, the seed's (the second is invented)."""
    return ActionPlan.objects.order_by("pk").values_list("pk", flat=True)[0]


def _march_2011_report(title: str) -> Report:
    """A report for the March 2011 update over the audits the seed report covers."""
    return Report.objects.create(
        title=title,
        cycle=ReviewCycle.objects.get(title="March 2011 update"),
        period_start=datetime.date(2009, 1, 1),
        period_end=MARCH_2011,
    )


def _settle(page: Page) -> None:
    """Let the page finish loading, its icon too, before leaving it (a request cut short
    by the next navigation would count as a failed request)."""
    page.wait_for_load_state("networkidle")


def _sign_in(page: Page, live_server: Any, problems: PageProblems, role: Role) -> User:
    """Sign in with ``role``; the sign-in pages themselves are checked in test_accessibility.py."""
    user, secret = make_role_user(role)
    sign_in_with_mfa(page, live_server, user, secret)
    _settle(page)
    problems.clear()
    return user


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text)


# --- Checks --------------------------------------------------------------------------------


def _expect_charts(page: Page, titles: list[str]) -> None:
    """The page's charts, in order, are ``titles``: each an SVG image named by its title
    and described by its text alternative, followed by the table of its figures, captioned
    with the same title."""
    expect(page.locator("svg[role=img] > title")).to_have_text(titles)
    for title in titles:
        chart = page.get_by_role("img", name=title, exact=True)
        expect(chart).to_have_count(1)
        expect(chart).to_have_accessible_description(re.compile(r"\S"))
        # The table scrolls inside its own container, named like it.
        container = chart.locator("xpath=following-sibling::*[1]")
        expect(container).to_have_role("region")
        expect(container).to_have_accessible_name(f"{title}: the figures")
        table = container.locator("table")
        expect(table).to_have_role("table")
        expect(table).to_have_accessible_name(f"{title}: the figures")
        expect(table.locator("tbody tr").first).to_be_attached()


def _expect_error_summary(page: Page, *messages: str) -> None:
    """The GOV.UK error summary has focus and names each message; the title starts with
    "Error: "; every link in it leads to an element on the page."""
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    for message in messages:
        expect(summary).to_contain_text(message)
    expect(page).to_have_title(re.compile(r"^Error: "))
    targets = summary.get_by_role("link").evaluate_all(
        "(links) => links.map((a) => [a.getAttribute('href'), !!document.getElementById(a.hash.slice(1))])"
    )
    assert targets, f"{page.url}: the error summary has no links"
    assert all(found for _href, found in targets), f"{page.url}: links without a target: {targets}"


def _visit(page: Page, live_server: Any, path: str, heading: str) -> None:
    response = page.goto(f"{live_server.url}{path}")
    assert response is not None
    assert response.status == 200, f"{path}: {response.status}"
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)


# --- 1. A Board member downloads a published report ------------------------------------------


def test_board_member_downloads_a_published_report(
    page: Page, live_server: Any, page_problems: PageProblems, settings: Any
) -> None:
    load_demo(settings)
    report = Report.objects.get(title=DEMO_TITLE)  # the demo publishes the seed report
    _sign_in(page, live_server, page_problems, Role.BOARD_MEMBER)

    reports_link = page.get_by_role("navigation", name="Menu").get_by_role("link", name="Reports", exact=True)
    reports_link.click()
    arrive(page, f"{live_server.url}/reports/", "Six-monthly reports")
    expect(reports_link).to_have_attribute("aria-current", "page")
    main = page.get_by_role("main")
    published = main.get_by_role("table", name="Published reports, newest first")
    expect(published.get_by_role("row")).to_have_count(2)  # the header and the one report
    expect(published).to_contain_text(report.title)
    expect(published.get_by_role("row").nth(1)).to_contain_text("March 2011 update")
    # A Board member reads what was published: no drafts, nothing to start or change.
    expect(main.get_by_role("heading", name="Drafts")).to_have_count(0)
    expect(main.get_by_role("link", name="Start a six-monthly report")).to_have_count(0)
    expect(main.get_by_role("button")).to_have_count(0)
    expect(main.get_by_role("link", name=report.title, exact=True)).to_have_count(0)
    expect(main.locator(f'a[href^="/reports/{report.pk}/"]')).to_have_count(0)  # no way to the draft
    failures = audit_page(page, page_problems)
    assert not failures, "\n".join(failures)

    def download(link_text: str, filename: str) -> bytes:
        # Named for the report too, by visually hidden text: "Report (PDF): Analysis of ...".
        # The hidden text is positioned, so it counts as a block: a space comes before the colon.
        link = published.get_by_role("link", name=f"{link_text} of {report.title}", exact=True)
        with page.expect_download() as download_info:
            link.click()
        download = download_info.value
        assert download.failure() is None
        assert download.suggested_filename == filename
        with open(download.path(), "rb") as downloaded:
            return downloaded.read()

    slug = "analysis-of-multi-agency-case-audits-between-2009-2010"
    pdf = download("Report (PDF)", f"{slug}.pdf")
    assert pdf.startswith(b"%PDF")
    text = _squeeze(pdf_text(pdf))
    assert "36 children audited in 4 rounds" in text
    assert "OFFICIAL-SENSITIVE" in text

    summary = download("Board summary (PDF)", f"{slug}-board-summary.pdf")
    assert summary.startswith(b"%PDF")
    text = _squeeze(pdf_text(summary))
    assert "32 recommendations: 10 Green, 2 Amber, 4 Orange, 1 Red, 15 Not yet rated" in text
    assert "OFFICIAL-SENSITIVE" in text

    workbook = load_workbook(io.BytesIO(download("Spreadsheet (XLSX)", f"{slug}.xlsx")), read_only=True)
    assert workbook.sheetnames == ["Action plan", "Key", "Figures"]
    figures = {row[0]: row[1] for row in workbook["Figures"].iter_rows(min_row=2, values_only=True)}
    assert figures["children_audited"] == 36
    workbook.close()
    expect(page).to_have_url(f"{live_server.url}/reports/")  # the downloads never left the list
    page_problems.assert_none()


# --- 2. Every dashboard and report page passes axe-core, with no CSP problem -------------------


def test_dashboards_and_report_pages_are_accessible_to_the_executive(
    page: Page, live_server: Any, page_problems: PageProblems, settings: Any
) -> None:
    load_demo(settings)
    _sign_in(page, live_server, page_problems, Role.EXECUTIVE)
    draft = _march_2011_report(DRAFT_TITLE)
    for position, heading in ((1, "Multi-agency safeguarding hub (MASH)"), (2, "The Safeguarding Golden Rules")):
        NarrativeSection.objects.create(
            report=draft, heading=heading, body=f"{heading} made a difference.", position=position
        )
    failures: list[str] = []

    # The case audit dashboard, over the default period: every round so far.
    _visit(page, live_server, "/dashboards/audits/", "Case audits")
    expect(page.get_by_role("main")).to_contain_text("36 children audited")
    _expect_charts(page, [OVERALL_CHART, ROUNDS_CHART, TREND_CHART])
    # The findings by agency, each table described by the small-number rule under it, so
    # axe checks them too; in March 2009 the Police had fewer than 5 records.
    for name in (
        "Share of each agency's records graded adequate or better on each theme, all rounds",
        "Themes on which agencies' records were most often not adequate or better, most first",
        "Share of each agency's records with each checklist item, March 2009",
    ):
        table = page.get_by_role("table", name=re.compile("^" + re.escape(name)))
        expect(table).to_be_visible()
        expect(table).to_have_accessible_description(re.compile("^An agency with fewer than 5 records"))
    march_2009 = page.get_by_role("table", name="Share of each agency's records with each checklist item, March 2009")
    expect(march_2009.get_by_role("row", name=re.compile("^Police"))).to_contain_text("Fewer than 5")
    failures += audit_page(page, page_problems)

    # A period that is no date: the error summary, and the figures for the default period.
    page.get_by_role("group", name="From").get_by_label("Day").fill("31")
    page.get_by_role("group", name="From").get_by_label("Month").fill("2")
    page.get_by_role("group", name="From").get_by_label("Year").fill("2010")
    page.get_by_role("button", name="Show figures").click()
    expect(page).to_have_url(re.compile(r"/dashboards/audits/\?.*start_0=31"))
    _expect_error_summary(page, "From must be a real date")
    expect(page.locator(".govuk-form-group--error")).to_have_count(1)
    expect(page.get_by_role("main")).to_contain_text("36 children audited")
    failures += audit_page(page, page_problems)

    # The action plan dashboard and a list behind one of its figures.
    # Every plan: the seed's 32 recommendations and the invented plan's 6; then the seed's plan.
    _visit(page, live_server, "/dashboards/action-plan/", "Action plan")
    expect(page.get_by_role("main")).to_contain_text("38 recommendations in 2 action plans")
    failures += audit_page(page, page_problems)
    seeds = _seeds_plan()
    _visit(page, live_server, f"/dashboards/action-plan/?plan={seeds}", "Action plan")
    expect(page.get_by_role("main")).to_contain_text("Ratings from the March 2011 update")
    _expect_charts(page, [RAG_CHART, OPEN_CHART])
    failures += audit_page(page, page_problems)
    _visit(
        page,
        live_server,
        f"/dashboards/action-plan/recommendations/?rag=none&plan={seeds}",
        "Recommendations not yet rated",
    )
    expect(page.get_by_role("main")).to_contain_text("15 of 32 recommendations")
    expect(page.get_by_role("main").get_by_role("table").locator("tbody tr")).to_have_count(15)
    failures += audit_page(page, page_problems)

    # The reports: the list, with the demo's published report and this draft, the form to
    # start one, the draft and the form for its evidence of impact.
    _visit(page, live_server, "/reports/", "Six-monthly reports")
    main = page.get_by_role("main")
    expect(main.get_by_role("table", name="Published reports, newest first")).to_contain_text(DEMO_TITLE)
    expect(main.get_by_role("heading", name="Drafts")).to_be_visible()
    expect(main.get_by_role("link", name=DRAFT_TITLE)).to_have_attribute("href", f"/reports/{draft.pk}/")
    expect(main.get_by_role("link", name="Start a six-monthly report")).to_be_visible()
    failures += audit_page(page, page_problems)

    _visit(page, live_server, "/reports/new/", "Start a six-monthly report")
    failures += audit_page(page, page_problems)
    page.get_by_role("button", name="Create report").click()
    _expect_error_summary(page, "Enter the report's title")
    failures += audit_page(page, page_problems)

    _visit(page, live_server, f"/reports/{draft.pk}/", DRAFT_TITLE)
    sections = page.get_by_role("main").locator("h3")
    expect(sections).to_have_text(["Multi-agency safeguarding hub (MASH)", "The Safeguarding Golden Rules"])
    expect(page.get_by_role("button", name="Remove The Safeguarding Golden Rules")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("36 children audited in 4 rounds")
    _expect_charts(page, [OVERALL_CHART, TREND_CHART, RAG_CHART, ROUNDS_CHART])
    failures += audit_page(page, page_problems)

    _visit(page, live_server, f"/reports/{draft.pk}/sections/new/", "Evidence of impact")
    failures += audit_page(page, page_problems)
    page.get_by_role("button", name="Save section").click()
    _expect_error_summary(page, "Enter a heading", "Enter the evidence of impact")
    failures += audit_page(page, page_problems)

    assert not failures, "\n".join(failures)
    assert Report.objects.count() == 2  # the demo's and the draft: the empty submits saved nothing
    assert draft.sections.count() == 2


# --- 2b. The report in the board's own words -------------------------------------------------

OUR_WORDS = "The QAAC sub group has undertaken multi-agency case audits since April 2009."


def test_the_executive_puts_the_report_in_the_boards_own_words_and_resets_it(
    page: Page, live_server: Any, page_problems: PageProblems, settings: Any
) -> None:
    load_demo(settings)
    _sign_in(page, live_server, page_problems, Role.EXECUTIVE)
    draft = _march_2011_report(DRAFT_TITLE)
    failures: list[str] = []
    _visit(page, live_server, f"/reports/{draft.pk}/", DRAFT_TITLE)
    summary = page.locator("section").filter(has=page.get_by_role("heading", name="Summary", exact=True))
    expect(summary).to_contain_text("The audit team has undertaken multi-agency case audits since March 2009")
    words = page.get_by_role("main").locator("dl").filter(has_text="Introduction and who audited")
    expect(words.get_by_role("definition").first).to_have_text("Default")

    words.get_by_role("link", name="Change Introduction and who audited").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Introduction and who audited")
    text = page.get_by_label("Introduction and who audited")
    expect(text).to_have_value(re.compile("^The audit team has undertaken"))
    failures += audit_page(page, page_problems)

    # Emptied, it is refused beside the text; then the board's own words are kept.
    text.fill("")
    page.get_by_role("button", name="Save", exact=True).click()
    _expect_error_summary(page, "Enter the text, or reset the block to its default")
    failures += audit_page(page, page_problems)
    page.get_by_label("Introduction and who audited").fill(OUR_WORDS)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(DRAFT_TITLE)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("has been saved in your words")
    expect(summary).to_contain_text(OUR_WORDS)
    expect(summary).not_to_contain_text("The audit team has undertaken")
    expect(words.get_by_role("definition").first).to_have_text("Your words")
    failures += audit_page(page, page_problems)

    # Reset: the default, from the figures, is back.
    words.get_by_role("link", name="Change Introduction and who audited").click()
    expect(page.get_by_role("main")).to_contain_text("These are your words")
    failures += audit_page(page, page_problems)
    page.get_by_role("button", name="Reset to the default").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("has been reset to its default")
    expect(summary).to_contain_text("The audit team has undertaken multi-agency case audits since March 2009")
    expect(words.get_by_role("definition").first).to_have_text("Default")
    assert not failures, "\n".join(failures)
    assert not draft.prose.exists()


# --- 3. From a figure to its list with the keyboard alone -------------------------------------


def test_a_figure_leads_to_its_list_with_the_keyboard(
    page: Page, live_server: Any, page_problems: PageProblems, settings: Any
) -> None:
    load_demo(settings)
    _sign_in(page, live_server, page_problems, Role.BOARD_MEMBER)
    dashboard = f"{live_server.url}/dashboards/action-plan/"
    seeds = _seeds_plan()
    page.goto(f"{dashboard}?plan={seeds}")
    arrive(page, f"{dashboard}?plan={seeds}", "Action plan")
    figure = page.get_by_role("link", name="15 not yet rated", exact=True)
    tab_to(page, figure, at_most=30)
    page.keyboard.press("Enter")
    arrive(page, f"{dashboard}recommendations/?not_rated=1&plan={seeds}", "Recommendations not yet rated")
    expect(page.get_by_role("main")).to_contain_text("15 of 32 recommendations")
    expect(page.get_by_role("table", name="Recommendations not yet rated").locator("tbody tr")).to_have_count(15)
    failures = audit_page(page, page_problems)
    assert not failures, "\n".join(failures)
