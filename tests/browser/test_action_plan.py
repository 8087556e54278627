"""The action plan in the browser: the Executive rates a six-monthly update on the bulk
ratings page with the keyboard alone, is refused once (an NHS number in a note), saves,
checks and completes the update; the Executive's change not yet saved is kept when they
save and check before completing, and the check lists what is unrated and what changed;
axe-core finds no violation, and the browser no CSP problem or script error, on every
action plan page for the Executive, a professional lead and a Board member; a lead adds
evidence with a real PDF upload that downloads intact."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Locator, Page, expect

from dscb.models import Role, User
from recommendations import services
from recommendations.models import Evidence, ProgressUpdate, Recommendation, ReviewCycle
from tests.browser.conftest import PageProblems, audit_page, make_role_user, sign_in_with_mfa
from tests.browser.test_case_audits import arrive, replace_text, tab_to
from tests.factories import (
    MINIMAL_PDF,
    ActionPlanFactory,
    EvidenceFactory,
    PlanSectionFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    ReviewCycleFactory,
    rag,
)

NHS_NUMBER_NOTE = "Seen with 943 476 5919"  # 943 476 5919 passes the modulus 11 check
NHS_NUMBER_MESSAGE = "This looks like it contains an NHS number."
NOT_AN_OFFICE_FILE = "The selected file must be a PDF, Word or Excel document, or a PNG or JPEG image."


# --- The plan every test starts from --------------------------------------------------------


def _action_plan(*, executive: User, lead: User | None = None, open_update: bool = True) -> dict[str, Any]:
    """Six recommendations over two sections (numbered so that 2.2 sorts before 2.10);
    two completed updates, "September 2010" and "March 2011", with ratings and evidence;
    and, unless ``open_update`` is False, the open "September 2011 update" (see
    ``_open_september_update``). ``lead`` leads 1.2, 2.1 and 2.10. Recommendation 1.2 is
    overdue: its date has passed and it is rated Amber; 1.1's date has passed too, but it
    is Green."""
    plan = ActionPlanFactory(
        professional_leads="Head of Safeguarding, Named Nurse", other_references="MACA 2009 to 2010"
    )
    sections = {
        1: PlanSectionFactory(plan=plan, number=1, title="2 December 2009"),
        2: PlanSectionFactory(plan=plan, number=2, title="22 September 2010"),
    }
    texts = {
        "1.1": "Agencies record the child's views at every core group.",
        "1.2": "Multi-agency training on neglect for all frontline staff.",
        "1.3": "Health visitors attend every initial child protection conference.",
        "2.1": "Police share domestic abuse notifications within one working day.",
        "2.2": "Schools record the reason for every absence of a child on a plan.",
        "2.10": "Core group minutes are circulated within ten working days.",
    }
    led = {"1.2", "2.1", "2.10"}
    recommendations = {
        number: RecommendationFactory(
            section=sections[int(number.split(".")[0])],
            number=number,
            text=text,
            lead=lead if lead is not None and number in led else None,
        )
        for number, text in texts.items()
    }
    # A change after creation, for the recommendation's "Changes" history.
    for number, target in (("1.1", datetime.date(2011, 1, 31)), ("1.2", datetime.date(2011, 2, 28))):
        recommendations[number].target_date = target
        recommendations[number].save()
    september_2010 = ReviewCycleFactory(
        plan=plan,
        title="September 2010 update",
        due_on=datetime.date(2010, 9, 30),
        state=ReviewCycle.State.COMPLETED,
        completed_on=datetime.date(2010, 10, 4),
        completed_by=executive,
    )
    march_2011 = ReviewCycleFactory(
        plan=plan,
        title="March 2011 update",
        due_on=datetime.date(2011, 3, 31),
        state=ReviewCycle.State.COMPLETED,
        completed_on=datetime.date(2011, 3, 4),
        completed_by=executive,
    )
    for cycle, ratings in (
        (september_2010, {"1.1": "Red", "1.2": "Red", "2.1": "Red"}),
        (march_2011, {"1.1": "Green", "1.2": "Amber", "2.1": "Orange", "2.10": "Red"}),
    ):
        for number, label in ratings.items():
            ProgressUpdateFactory(recommendation=recommendations[number], cycle=cycle, rag=rag(label))
    march_update = ProgressUpdate.objects.get(recommendation=recommendations["1.2"], cycle=march_2011)
    EvidenceFactory(update=march_update, text="Training delivered to 40 staff in January.")
    EvidenceFactory(
        update=march_update,
        text="",
        file=SimpleUploadedFile("attendance.pdf", MINIMAL_PDF, content_type="application/pdf"),
        file_name="attendance.pdf",
        file_type="application/pdf",
        file_size=len(MINIMAL_PDF),
    )
    EvidenceFactory(update=march_update, text="", url="https://example.org/neglect-training")
    data = {
        "plan": plan,
        "recommendations": recommendations,
        "september_2010": september_2010,
        "march_2011": march_2011,
        "open": None,
    }
    if open_update:
        _open_september_update(data)
    return data


def _open_september_update(data: dict[str, Any]) -> ReviewCycle:
    """The open "September 2011 update": 1.2 already has evidence and the lead's
    proposal (Green); 2.2 has been rated Orange so far."""
    recommendations = data["recommendations"]
    cycle = ReviewCycleFactory(plan=data["plan"], title="September 2011 update", due_on=datetime.date(2011, 9, 30))
    update = ProgressUpdateFactory(recommendation=recommendations["1.2"], cycle=cycle, proposed_rag=rag("Green"))
    EvidenceFactory(update=update, text="Refresher training booked for October.")
    EvidenceFactory(update=update, text="", url="https://example.org/training-calendar")
    ProgressUpdateFactory(recommendation=recommendations["2.2"], cycle=cycle, rag=rag("Orange"))
    data["open"] = cycle
    return cycle


def _settle(page: Page) -> None:
    """Let the page finish loading, its icon too, before a click leads away from it: an
    icon request cut short by the next navigation is reported as a failed request
    (net::ERR_ABORTED), which is no fault of the page."""
    page.wait_for_load_state("networkidle")


def _sign_in(page: Page, live_server: Any, problems: PageProblems, role: Role) -> User:
    """Sign in with ``role``; the sign-in pages themselves are checked in test_accessibility.py."""
    user, secret = make_role_user(role)
    sign_in_with_mfa(page, live_server, user, secret)
    _settle(page)
    problems.clear()
    return user


# --- Checking pages ---------------------------------------------------------------------------

Action = Callable[[Page], None]


def _audit_visits(page: Page, problems: PageProblems, live_server: Any, visits: list[tuple[Any, ...]]) -> list[str]:
    """Visit each (path, h1 text, action or None) and audit what is then on the page
    (every page must answer 200); returns the failures, for one assertion at the end."""
    failures: list[str] = []
    for path, heading, action in visits:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None
        assert response.status == 200, f"{path}: {response.status}"
        if action is not None:
            action(page)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        failures += audit_page(page, problems)
    return failures


def _shows(*texts: str, absent: tuple[str, ...] = ()) -> Action:
    """The page holds what it is meant to be audited with (and not ``absent``)."""

    def check(page: Page) -> None:
        main = page.get_by_role("main")
        for text in texts:
            expect(main).to_contain_text(text)
        for text in absent:
            expect(main).not_to_contain_text(text)

    return check


def _expect_error_summary(page: Page, *messages: str) -> None:
    """The GOV.UK error summary has focus, names each message, and every one of its links
    leads to an element on the page (the GOV.UK script then focuses it)."""
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


def _submit(button: str, *messages: str) -> Action:
    def submit(page: Page) -> None:
        page.get_by_role("button", name=button).click()
        _expect_error_summary(page, *messages)

    return submit


def _note(page: Page, number: str) -> Locator:
    return page.get_by_label(f"Note (optional) on the rating of {number}", exact=True)


def _rag_select(page: Page, number: str) -> Locator:
    return page.get_by_label(f"RAG for {number}", exact=True)


def _nhs_number_in_a_note(number: str) -> Action:
    """On the open ratings page: a note with an NHS number is refused beside its row."""

    def submit(page: Page) -> None:
        _note(page, number).fill(NHS_NUMBER_NOTE)
        page.get_by_role("button", name="Save ratings").first.click()
        _expect_error_summary(page, NHS_NUMBER_MESSAGE)
        expect(page.locator(".govuk-form-group--error")).to_have_count(1)

    return submit


def _confirm_after_someone_saved(cycle: ReviewCycle, by: User) -> Action:
    """On the check before completing: the ratings are saved by someone else before the
    confirm, which is refused with the reason, and the update stays open."""

    def submit(page: Page) -> None:
        cycle.refresh_from_db()
        services.ratings_save(cycle=cycle, by=by, expected_version=cycle.version, ratings={})
        page.get_by_role("button", name="Confirm and complete the update").click()
        _expect_error_summary(page, "so the update has not been completed")
        cycle.refresh_from_db()
        assert cycle.is_open

    return submit


# --- 1. Rating an update with the keyboard alone ----------------------------------------------


def test_executive_rates_an_update_with_the_keyboard_alone(
    page: Page, live_server: Any, page_problems: PageProblems
) -> None:
    executive = _sign_in(page, live_server, page_problems, Role.EXECUTIVE)
    data = _action_plan(executive=executive)
    recommendations, cycle = data["recommendations"], data["open"]
    pk = {number: recommendation.pk for number, recommendation in recommendations.items()}
    ratings_url = f"{live_server.url}/action-plan/updates/{cycle.pk}/"

    page.goto(ratings_url)
    arrive(page, ratings_url, "September 2011 update")
    # The last completed update's ratings sit beside the selects, as the starting point.
    table = page.get_by_role("table", name="RAG rating of each recommendation in the September 2011 update")
    expect(table.get_by_role("columnheader")).to_have_text(
        ["No.", "Recommendation", "Evidence this update", "March 2011 update", "Lead's proposal", "RAG"]
    )
    row_2_10 = table.get_by_role("row").filter(has=page.get_by_role("link", name="2.10", exact=True))
    expect(row_2_10.get_by_role("cell").nth(2)).to_have_text("Red")  # its March 2011 rating
    numbers = [link.strip() for link in table.locator("tbody th").all_inner_texts()]
    assert numbers == ["1.1", "1.2", "1.3", "2.1", "2.2", "2.10"], numbers  # 2.2 before 2.10
    expect(_rag_select(page, "2.2")).to_have_value(str(rag("Orange").pk))

    # Each row, in order: its number (a link), its RAG, its note. Type a label to choose
    # it in a closed native select, or step with the arrow keys.
    # A row showing last time's rating also has its confirm button after the note.
    chosen = {"1.1": "Green", "1.2": "Green", "2.1": "Red", "2.2": None, "2.10": "Orange"}
    tab_to(page, _rag_select(page, "1.1"), at_most=40)
    page.keyboard.type("Green")
    tab_to(page, _note(page, "1.1"))
    page.keyboard.type("Agreed at the March meeting")
    tab_to(page, _rag_select(page, "1.2"), at_most=3)
    page.keyboard.type("Green")  # Amber last time
    tab_to(page, _rag_select(page, "1.3"), at_most=4)  # left "Not yet rated"
    tab_to(page, _rag_select(page, "2.1"), at_most=3)
    page.keyboard.type("Red")
    tab_to(page, _note(page, "2.1"))
    page.keyboard.type(NHS_NUMBER_NOTE)
    tab_to(page, _rag_select(page, "2.2"), at_most=3)
    for _step in range(3):  # the scale is best first: Orange -> Amber -> Green -> Not yet rated
        page.keyboard.press("ArrowUp")
    tab_to(page, _rag_select(page, "2.10"), at_most=3)
    page.keyboard.press("ArrowUp")  # Red, last time's -> Orange

    def expect_choices_kept() -> None:
        for number in recommendations:
            label = chosen.get(number)
            expect(_rag_select(page, number)).to_have_value(str(rag(label).pk) if label else "")
        expect(_note(page, "1.1")).to_have_value("Agreed at the March meeting")

    expect_choices_kept()
    tab_to(page, page.get_by_role("button", name="Save ratings").last, at_most=3)
    page.keyboard.press("Enter")

    # Refused: the error summary has focus and links to the note; the message also sits
    # beside the note; every other value typed or chosen is kept; nothing is saved.
    arrive(page, ratings_url, "September 2011 update")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    _expect_error_summary(page, NHS_NUMBER_MESSAGE)
    summary_link = summary.get_by_role("link", name=NHS_NUMBER_MESSAGE, exact=False)
    expect(summary_link).to_have_count(1)
    expect(summary_link).to_have_attribute("href", f"#id_note_{pk['2.1']}")
    error_group = page.locator(".govuk-form-group--error")
    expect(error_group).to_have_count(1)
    expect(error_group.locator(".govuk-error-message")).to_contain_text(NHS_NUMBER_MESSAGE)
    expect(error_group.get_by_label("Note (optional) on the rating of 2.1", exact=True)).to_have_value(NHS_NUMBER_NOTE)
    expect_choices_kept()
    assert {u.recommendation.number: u.rag.label for u in cycle.updates.exclude(rag=None)} == {"2.2": "Orange"}
    failures = audit_page(page, page_problems)  # the page with its error, while we are here
    assert not failures, "\n".join(failures)

    # The summary's link takes focus to the note: retype it and save.
    tab_to(page, summary_link)
    page.keyboard.press("Enter")
    expect(_note(page, "2.1")).to_be_focused()
    replace_text(page, "Seen at home by the social worker")
    tab_to(page, page.get_by_role("button", name="Save ratings").last, at_most=10)
    page.keyboard.press("Enter")

    arrive(page, ratings_url, "September 2011 update")
    expect(page.get_by_role("alert")).to_contain_text("The ratings have been saved (5 changed).")
    saved = {
        update.recommendation.number: (update.rag.label if update.rag else None, update.rating_note)
        for update in cycle.updates.select_related("recommendation", "rag")
    }
    assert saved == {
        "1.1": ("Green", "Agreed at the March meeting"),
        "1.2": ("Green", ""),  # already held the lead's proposal and evidence
        "2.1": ("Red", "Seen at home by the social worker"),
        "2.2": (None, ""),  # its Orange taken away: not yet rated
        "2.10": ("Orange", ""),
    }  # 1.3: never rated, no row
    assert cycle.updates.get(recommendation=recommendations["1.2"]).proposed_rag == rag("Green")
    expect_choices_kept()  # as saved, read back
    expect(_note(page, "2.1")).to_have_value("Seen at home by the social worker")

    # Check before completing, then confirm: the update is frozen, and its ratings are
    # shown, not offered.
    tab_to(page, page.get_by_role("button", name="Save and check before completing"), at_most=40)
    page.keyboard.press("Enter")
    arrive(page, f"{ratings_url}complete/", "Check before completing the September 2011 update")
    expect(page.get_by_role("main")).to_contain_text("4 of 6 recommendations are rated; 2 are not yet rated.")
    complete = page.get_by_role("button", name="Confirm and complete the update")
    tab_to(page, complete, at_most=40)
    page.keyboard.press("Enter")
    arrive(page, ratings_url, "September 2011 update")
    expect(page.get_by_role("alert")).to_contain_text(
        "The September 2011 update is completed: its ratings and evidence are now frozen."
    )
    expect(page.get_by_role("main")).to_contain_text("Its ratings and evidence are frozen.")
    # Nothing to rate any more: only the filters' fields and button are left.
    ratings = page.get_by_role("main").locator("form[method=post]")
    expect(ratings).to_have_count(0)
    expect(page.get_by_role("main").get_by_role("button")).to_have_text(["Filter"])
    table = page.get_by_role("table", name="RAG rating of each recommendation in the September 2011 update")
    expect(table.get_by_role("columnheader")).to_have_text(
        ["No.", "Recommendation", "Evidence this update", "Lead's proposal", "RAG", "Note"]
    )
    for number, label in {**chosen, "1.3": None}.items():
        row = table.get_by_role("row").filter(has=page.get_by_role("link", name=number, exact=True))
        expect(row.get_by_role("cell").nth(4)).to_contain_text(label or "Not yet rated")
    expect(table).to_contain_text("Seen at home by the social worker")
    cycle.refresh_from_db()
    assert (cycle.state, cycle.completed_by) == (ReviewCycle.State.COMPLETED, executive)
    failures = audit_page(page, page_problems)
    assert not failures, "\n".join(failures)
    page_problems.assert_none()


def test_executive_checks_before_completing_and_their_unsaved_change_is_kept(
    page: Page, live_server: Any, page_problems: PageProblems
) -> None:
    executive = _sign_in(page, live_server, page_problems, Role.EXECUTIVE)
    data = _action_plan(executive=executive)
    recommendations, cycle = data["recommendations"], data["open"]
    ratings_url = f"{live_server.url}/action-plan/updates/{cycle.pk}/"

    page.goto(ratings_url)
    arrive(page, ratings_url, "September 2011 update")
    _settle(page)
    _rag_select(page, "2.10").select_option(label="Green")  # Red in March 2011; not saved yet
    page.get_by_role("button", name="Save and check before completing").click()

    # The change is saved, and the check shows what completing would freeze.
    arrive(page, f"{ratings_url}complete/", "Check before completing the September 2011 update")
    assert cycle.updates.get(recommendation=recommendations["2.10"]).rag == rag("Green")
    expect(page.get_by_role("alert")).to_contain_text("The ratings have been saved (1 changed).")
    main = page.get_by_role("main")
    expect(main).to_contain_text("2 of 6 recommendations are rated; 4 are not yet rated.")
    unrated = page.get_by_role("table", name="Recommendations not yet rated in the September 2011 update")
    expect(unrated.locator("tbody th")).to_have_text(["1.1", "1.2", "1.3", "2.1"])
    expect(unrated.get_by_role("row").filter(has=page.get_by_role("rowheader", name="1.1"))).to_contain_text("Green")
    expect(unrated.get_by_role("link", name="Rate 1.3", exact=True)).to_have_attribute(
        "href", f"/action-plan/updates/{cycle.pk}/#id_rag_{recommendations['1.3'].pk}"
    )
    changed = page.get_by_role("table", name="Ratings changed since the March 2011 update")
    expect(changed.locator("tbody th")).to_have_text(["2.2", "2.10"])
    expect(changed.get_by_role("row").filter(has=page.get_by_role("rowheader", name="2.10"))).to_have_text(
        re.compile(r"Red\s+Green\s+Improved")
    )
    expect(main).to_contain_text("freezes its ratings and evidence")
    failures = audit_page(page, page_problems)
    cycle.refresh_from_db()
    assert cycle.is_open  # looking changed nothing

    page.get_by_role("button", name="Confirm and complete the update").click()
    arrive(page, ratings_url, "September 2011 update")
    expect(page.get_by_role("alert")).to_contain_text(
        "The September 2011 update is completed: its ratings and evidence are now frozen."
    )
    cycle.refresh_from_db()
    assert (cycle.state, cycle.completed_by) == (ReviewCycle.State.COMPLETED, executive)
    ratings = {update.recommendation.number: update.rag.label for update in cycle.updates.exclude(rag=None)}
    assert ratings == {"2.2": "Orange", "2.10": "Green"}
    assert not failures, "\n".join(failures)
    page_problems.assert_none()


# --- 2. Every action plan page passes axe-core, with no CSP problem ---------------------------


def test_action_plan_pages_are_accessible_to_the_executive(
    page: Page, live_server: Any, page_problems: PageProblems
) -> None:
    executive = _sign_in(page, live_server, page_problems, Role.EXECUTIVE)
    data = _action_plan(executive=executive, lead=make_role_user(Role.PROFESSIONAL_LEAD)[0], open_update=False)
    recommendation = data["recommendations"]["1.2"]
    march_pk = data["march_2011"].pk
    plan = f"/action-plan/{data['plan'].pk}"

    # No update is open: the form to open one.
    failures = _audit_visits(
        page,
        page_problems,
        live_server,
        [
            (f"{plan}/updates/", "Six-monthly updates", _shows("March 2011 update", "Completed")),
            (f"{plan}/updates/new/", "Open a six-monthly update", None),
            (
                f"{plan}/updates/new/",
                "Open a six-monthly update",
                _submit(
                    "Open update", "Enter a title, like September 2011 update", "Enter the date the update is due by"
                ),
            ),
        ],
    )
    cycle = _open_september_update(data)
    failures += _audit_visits(
        page,
        page_problems,
        live_server,
        [
            (
                f"{plan}/",
                data["plan"].title,
                _shows(
                    "2 December 2009",
                    "22 September 2010",
                    "September 2011 update",
                    "Overdue",
                    "https://example.org/training-calendar",  # the open update's evidence, after March's
                ),
            ),
            (f"{plan}/edit/", "Change the action plan's header", None),
            (f"{plan}/recommendations/new/", "Add a recommendation", None),
            (
                f"{plan}/recommendations/new/",
                "Add a recommendation",
                _submit("Add recommendation", "Select the audit this comes from", "Enter the number, like 2.10"),
            ),
            (
                f"/action-plan/recommendations/{recommendation.pk}/",
                "Recommendation 1.2",
                _shows(
                    "September 2010 update",
                    "March 2011 update",
                    "Improved",  # Red in September 2010, Amber in March 2011
                    "attendance.pdf",
                    "https://example.org/neglect-training",
                    "Refresher training booked for October.",
                    "Overdue",
                    "by when",
                ),
            ),
            (f"/action-plan/recommendations/{recommendation.pk}/edit/", "Change recommendation 1.2", None),
            (f"{plan}/updates/", "Six-monthly updates", _shows("September 2011 update", "Open")),
            (f"/action-plan/updates/{cycle.pk}/", "September 2011 update", _shows("March 2011 update")),
            (f"/action-plan/updates/{cycle.pk}/", "September 2011 update", _nhs_number_in_a_note("2.1")),
            (
                f"/action-plan/updates/{cycle.pk}/complete/",
                "Check before completing the September 2011 update",
                _shows("Not yet rated", "Changed since the March 2011 update", "Confirm and complete the update"),
            ),
            (
                f"/action-plan/updates/{cycle.pk}/complete/",
                "Check before completing the September 2011 update",
                _confirm_after_someone_saved(cycle, executive),
            ),
            (
                f"/action-plan/updates/{march_pk}/",
                "March 2011 update",
                _shows("Its ratings and evidence are frozen."),
            ),
            ("/action-plan/overdue/", "Overdue recommendations", _shows("1.2", absent=("1.1",))),
        ],
    )
    expect(page.get_by_role("table", name="Overdue recommendations").get_by_role("row")).to_have_count(2)
    assert not failures, "\n".join(failures)
    assert ProgressUpdate.objects.filter(cycle=cycle, rating_note__contains="943").count() == 0


def test_action_plan_pages_are_accessible_to_a_professional_lead(
    page: Page, live_server: Any, page_problems: PageProblems
) -> None:
    lead = _sign_in(page, live_server, page_problems, Role.PROFESSIONAL_LEAD)
    data = _action_plan(executive=make_role_user(Role.EXECUTIVE)[0], lead=lead)
    recommendation = data["recommendations"]["2.10"]

    def disguised_upload(page: Page) -> None:
        page.get_by_label("File (optional)").set_input_files(
            {"name": "minutes.pdf", "mimeType": "application/pdf", "buffer": b"<html><body>Minutes</body></html>"}
        )
        page.get_by_role("button", name="Add evidence").click()
        _expect_error_summary(page, NOT_AN_OFFICE_FILE, "Choose the file again")

    failures = _audit_visits(
        page,
        page_problems,
        live_server,
        [
            (
                "/",
                settings.BOARD_NAME,
                _shows("Your recommendations", "2 of the 3 recommendations you lead still need something from you"),
            ),
            (
                "/action-plan/mine/",
                "My recommendations",
                _shows("September 2011 update", "Needs evidence", "Evidence added", "Overdue", absent=("1.1",)),
            ),
            (f"/action-plan/recommendations/{recommendation.pk}/evidence/", "Add evidence for 2.10", None),
            (
                f"/action-plan/recommendations/{recommendation.pk}/evidence/",
                "Add evidence for 2.10",
                _submit("Add evidence", "Enter the evidence, a link or a file, or propose a RAG"),
            ),
            (f"/action-plan/recommendations/{recommendation.pk}/evidence/", "Add evidence for 2.10", disguised_upload),
        ],
    )
    assert not failures, "\n".join(failures)
    # The home page's to-do list links to each recommendation still needing evidence.
    page.goto(f"{live_server.url}/")
    panel = page.get_by_role("main")
    for number in ("2.1", "2.10"):
        expect(panel.get_by_role("link", name=f"{number}: add evidence and propose a RAG")).to_have_attribute(
            "href", f"/action-plan/recommendations/{data['recommendations'][number].pk}/evidence/"
        )
    expect(panel.get_by_role("link", name="1.2", exact=True)).to_have_attribute(
        "href", f"/action-plan/recommendations/{data['recommendations']['1.2'].pk}/"
    )
    assert not Evidence.objects.filter(update__recommendation=recommendation).exists()
    page_problems.assert_none()


def test_action_plan_pages_are_accessible_to_a_board_member(
    page: Page, live_server: Any, page_problems: PageProblems
) -> None:
    _sign_in(page, live_server, page_problems, Role.BOARD_MEMBER)
    data = _action_plan(executive=make_role_user(Role.EXECUTIVE)[0])
    recommendation = data["recommendations"]["1.2"]
    plan = f"/action-plan/{data['plan'].pk}"

    failures = _audit_visits(
        page,
        page_problems,
        live_server,
        [
            (f"{plan}/", data["plan"].title, _shows("2 December 2009", "Refresher training booked for October.")),
            (
                f"/action-plan/recommendations/{recommendation.pk}/",
                "Recommendation 1.2",
                _shows("March 2011 update", "attendance.pdf", "Improved"),
            ),
        ],
    )
    # They read the plan; they change nothing in it.
    main = page.get_by_role("main")
    expect(main.get_by_role("button")).to_have_count(0)
    expect(main.get_by_role("link", name=re.compile("^(Add evidence|Change the recommendation)"))).to_have_count(0)
    assert not failures, "\n".join(failures)


# --- 3. A lead adds evidence with a PDF, which downloads intact --------------------------------


def test_professional_lead_adds_a_pdf_as_evidence_downloads_it_and_removes_it(
    page: Page, live_server: Any, page_problems: PageProblems
) -> None:
    lead = _sign_in(page, live_server, page_problems, Role.PROFESSIONAL_LEAD)
    data = _action_plan(executive=make_role_user(Role.EXECUTIVE)[0], lead=lead)
    recommendation: Recommendation = data["recommendations"]["2.10"]
    detail_url = f"{live_server.url}/action-plan/recommendations/{recommendation.pk}/"

    page.goto(detail_url)
    _settle(page)
    page.get_by_role("link", name="Add evidence to the September 2011 update").click()
    arrive(page, f"{detail_url}evidence/", "Add evidence for 2.10")
    _settle(page)
    page.get_by_label("Evidence", exact=True).fill("Minutes of the core group audit, September 2011.")
    page.get_by_label("File (optional)").set_input_files(
        {"name": "minutes.pdf", "mimeType": "application/pdf", "buffer": MINIMAL_PDF}
    )
    page.get_by_label("Your proposed RAG (optional)").select_option(label="Amber")
    page.get_by_role("button", name="Add evidence").click()

    arrive(page, detail_url, "Recommendation 2.10")
    expect(page.get_by_role("alert")).to_contain_text(
        "Your evidence for 2.10 has been added to the September 2011 update."
    )
    history = page.get_by_role("table").filter(has=page.get_by_role("columnheader", name="Lead's proposal"))
    this_update = history.get_by_role("row").filter(has=page.get_by_role("rowheader", name="September 2011 update"))
    expect(this_update).to_contain_text("Amber")
    expect(this_update).to_contain_text("Not yet rated")  # a proposal is not the Executive's rating
    expect(page.get_by_role("main")).to_contain_text("Minutes of the core group audit, September 2011.")
    evidence = Evidence.objects.get(update__recommendation=recommendation, update__cycle=data["open"])
    assert (evidence.file_name, evidence.file_type, evidence.file_size) == (
        "minutes.pdf",
        "application/pdf",
        len(MINIMAL_PDF),
    )
    assert evidence.update.proposed_rag == rag("Amber")
    assert evidence.update.rag is None  # a proposal is not the Executive's rating

    link = page.get_by_role("link", name="minutes.pdf", exact=True).first  # in the history table and the evidence list
    expect(link).to_have_attribute("href", f"/action-plan/evidence/{evidence.pk}/download/")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename == "minutes.pdf"
    with open(download.path(), "rb") as downloaded:
        assert downloaded.read() == MINIMAL_PDF

    # Added by mistake: the lead takes it back, after a check (a form that once lost its CSRF token).
    page.get_by_role("link", name="Remove this evidence").click()
    arrive(page, f"{live_server.url}/action-plan/evidence/{evidence.pk}/remove/", "Are you sure")
    page.get_by_role("button", name="Remove evidence").click()
    arrive(page, detail_url, "Recommendation 2.10")
    expect(page.get_by_role("alert")).to_contain_text("The evidence has been removed.")
    expect(page.get_by_role("main")).not_to_contain_text("Minutes of the core group audit, September 2011.")
    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    assert not default_storage.exists(evidence.file.name)
    page_problems.assert_none()
