"""Case audits in the browser: an audit team member completes a case with the keyboard
alone; axe-core finds no violation, and the browser no CSP problem or script error, on
every case audit page; an agency auditor may change only their own agency's records
and cannot reach a round they are not assigned to."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.conf import settings
from playwright.sync_api import Locator, Page, expect

from audits import selectors
from audits.models import (
    AuditCase,
    CaseRecord,
    CaseReopening,
    ChecklistAnswer,
    ChecklistQuestion,
    Feedback,
    RecordGrade,
    Theme,
    ThemeRating,
)
from dscb.models import Agency, Role
from tests.browser.conftest import PageProblems, audit_page, make_role_user, sign_in_with_mfa
from tests.factories import (
    AuditCaseFactory,
    AuditRoundFactory,
    CaseRecordFactory,
    EscalationFactory,
    InquiryParticipantFactory,
    grade,
    police,
    rate_every_theme,
)

NHS_NUMBER = "943 476 5919"  # passes the modulus 11 check
NHS_NUMBER_MESSAGE = "This looks like it contains an NHS number."


def agency(short_name: str) -> Agency:
    return Agency.objects.get(short_name=short_name)


# --- Keyboard helpers: every key goes through page.keyboard -------------------------------


def _describe_focus(page: Page) -> str:
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          if (!el || el === document.body) return "nothing (the body)";
          const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
          const text = (label || el.innerText || el.value || "").trim().replace(/\\s+/g, " ");
          const type = el.type ? ` type=${el.type}` : "";
          const name = el.name ? ` name=${el.name}` : "";
          return `<${el.tagName.toLowerCase()}${type}${name}> ${text.slice(0, 80)}`;
        }"""
    )


def _is_focused(target: Locator) -> bool:
    return target.evaluate("(el) => el === document.activeElement")


def tab_to(page: Page, target: Locator, *, at_most: int = 1) -> None:
    """Press Tab until ``target`` has focus: at most ``at_most`` times (once: it must be next)."""
    passed = []
    for _ in range(at_most):
        page.keyboard.press("Tab")
        if _is_focused(target):
            return
        passed.append(_describe_focus(page))
    raise AssertionError(
        f"Tab pressed {at_most} times did not reach {target}; focus went to:\n  " + "\n  ".join(passed)
    )


def tab_into_group(page: Page, group: Locator, *, at_most: int = 1) -> None:
    """Tab until focus is on one of the radios of ``group`` (a fieldset)."""
    passed = []
    for _ in range(at_most):
        page.keyboard.press("Tab")
        if group.evaluate("(el) => el.contains(document.activeElement) && document.activeElement.type === 'radio'"):
            return
        passed.append(_describe_focus(page))
    raise AssertionError(
        f"Tab pressed {at_most} times did not reach the radios of {group}; focus went to:\n  " + "\n  ".join(passed)
    )


def choose_radio(page: Page, group: Locator, option: str) -> None:
    """With focus on a radio of ``group``, select ``option`` with the arrow keys, or
    with Space when focus is already on it."""
    radios = group.get_by_role("radio")
    labels = [label.strip() for label in group.locator(".govuk-radios__label").all_inner_texts()]
    assert option in labels, f"{option!r} is not one of {labels}"
    current = radios.evaluate_all("(els) => els.indexOf(document.activeElement)")
    assert current >= 0, f"focus is not on a radio of {group}: {_describe_focus(page)}"
    steps = labels.index(option) - current
    if steps == 0:
        page.keyboard.press("Space")
    for _ in range(abs(steps)):
        page.keyboard.press("ArrowRight" if steps > 0 else "ArrowLeft")
    target = group.get_by_role("radio", name=option, exact=True)
    expect(target).to_be_checked()
    expect(target).to_be_focused()


def replace_text(page: Page, text: str) -> None:
    """Type ``text`` over whatever the focused field holds."""
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def group(page: Page, legend: str) -> Locator:
    return page.get_by_role("group", name=legend, exact=True)


def arrive(page: Page, url: str, heading: str) -> None:
    """Wait for the page a key press led to, its scripts run (they may move focus)."""
    expect(page).to_have_url(url)
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)


# --- 1. Completing a case with the keyboard alone --------------------------------------------


def test_audit_team_member_completes_a_case_with_the_keyboard_alone(
    page: Page, live_server: Any, page_problems: PageProblems
) -> None:
    user, secret = make_role_user(Role.AUDIT_TEAM)
    # The round asks the default set, as a round planned with no questions chosen does.
    audit_round = AuditRoundFactory(
        title="September 2010 (Integrated Children's Service)", questions=list(selectors.default_questions())
    )
    assert audit_round.agencies.filter(pk=police().pk).exists()
    case = AuditCaseFactory(audit_round=audit_round, reference="KBD-2010-09-01")
    themes = list(Theme.objects.active())
    questions = selectors.round_questions(audit_round)
    assert len(themes) == 5  # the seeded reference data
    assert len(questions) == 7

    sign_in_with_mfa(page, live_server, user, secret)
    case_url = f"{live_server.url}/audits/cases/{case.pk}/"
    page.goto(case_url)
    arrive(page, case_url, "Draft")
    expect(page.get_by_test_id("still-missing")).to_contain_text("at least one agency record")

    # (a) An agency record: the agency, whose records, the number read, a grade on each
    # theme and an answer to every checklist question.
    tab_to(page, page.get_by_role("link", name="Add an agency record"), at_most=60)
    page.keyboard.press("Enter")
    arrive(page, f"{live_server.url}/audits/cases/{case.pk}/records/new/", "Add an agency record")

    agency_select = page.get_by_label("Agency", exact=True)
    tab_to(page, agency_select, at_most=30)
    page.keyboard.type("Police")
    expect(agency_select).to_have_value(str(police().pk))

    tab_into_group(page, group(page, "Whose records"))
    choose_radio(page, group(page, "Whose records"), "The child")  # Space on the first option

    records_read = page.get_by_label("Number of records read", exact=True)
    tab_to(page, records_read)
    replace_text(page, "3")

    grades_chosen = ["Good", "Adequate", "Outstanding", "Inadequate", "Adequate"]
    answers_chosen = ["Yes", "Partly", "No", "Not applicable", "Yes", "Yes", "Partly"]
    answer_for = dict(zip(questions, answers_chosen, strict=True))
    for theme, label in zip(themes, grades_chosen, strict=True):
        grade_group = group(page, f"Grade for {theme.name.lower()}")
        tab_into_group(page, grade_group)
        choose_radio(page, grade_group, label)
        for question in [q for q in questions if q.theme_id == theme.pk]:
            answer_group = group(page, question.text)
            tab_into_group(page, answer_group)
            choose_radio(page, answer_group, answer_for[question])
            tab_to(page, page.get_by_label(f"Comment on “{question.text}” (optional)"))
            if question.text.startswith("Evidence of supervision"):
                page.keyboard.type("Supervision notes seen for the last three months.")

    tab_to(page, page.get_by_label("Findings", exact=True))
    page.keyboard.type("Police records show the plan was followed.")
    tab_to(page, page.get_by_role("button", name="Save record"), at_most=3)
    page.keyboard.press("Enter")

    arrive(page, case_url, f"Case {case.reference}")
    expect(page.get_by_role("alert")).to_contain_text("The Police record has been added.")
    record = CaseRecord.objects.get(case=case)
    assert (record.agency, record.subject, record.records_read) == (police(), CaseRecord.Subject.CHILD, 3)
    assert {g.theme_id: g.grade.label for g in RecordGrade.objects.filter(record=record)} == {
        theme.pk: label for theme, label in zip(themes, grades_chosen, strict=True)
    }
    assert {a.question_id: a.get_answer_display() for a in ChecklistAnswer.objects.filter(record=record)} == {
        question.pk: answer for question, answer in answer_for.items()
    }
    records_table = page.get_by_role("table", name="What each agency's records show, graded on each theme")
    row = records_table.get_by_role("row").filter(has=page.get_by_role("link", name=re.compile(r"^Police\b")))
    expect(row).to_contain_text("Complete")
    expect(page.get_by_test_id("still-missing")).not_to_contain_text("Police")
    expect(page.get_by_test_id("still-missing")).to_contain_text("the overall grade")

    # (b) The agreed grades and findings, first with an NHS number in the findings.
    tab_to(page, page.get_by_role("link", name="Agree the grades and findings"), at_most=60)
    page.keyboard.press("Enter")
    arrive(page, f"{live_server.url}/audits/cases/{case.pk}/grades/", "Agree the grades and findings")
    agreed = ["Good", "Adequate", "Good", "Adequate", "Inadequate"]
    for index, (theme, label) in enumerate(zip(themes, agreed, strict=True)):
        agreed_group = group(page, f"Agreed grade for {theme.name.lower()}")
        # Past the table of the agencies' grades, which takes focus so it can scroll on a small screen.
        tab_into_group(page, agreed_group, at_most=40 if index == 0 else 2)
        choose_radio(page, agreed_group, label)
    tab_into_group(page, group(page, "Overall grade"))
    choose_radio(page, group(page, "Overall grade"), "Adequate")
    findings = page.get_by_label("Case findings", exact=True)
    tab_to(page, findings)
    page.keyboard.type(f"Agreed plan reviewed for NHS number {NHS_NUMBER}.")
    tab_to(page, page.get_by_label("Strengths", exact=True))
    page.keyboard.type("Agencies shared information quickly.")
    tab_to(page, page.get_by_label("Areas for development", exact=True))
    page.keyboard.type("Core group minutes were late.")
    tab_to(page, page.get_by_role("button", name="Save grades and findings"))
    page.keyboard.press("Enter")

    # Refused: the GOV.UK error summary has focus and names the problem, the message
    # also sits beside the field, and nothing typed or chosen has been lost.
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(NHS_NUMBER_MESSAGE)
    expect(page).to_have_title(re.compile(r"^Error: Agree the grades and findings\b"))
    findings_group = page.locator(".govuk-form-group--error")
    expect(findings_group).to_have_count(1)
    expect(findings_group.locator(".govuk-error-message")).to_contain_text(NHS_NUMBER_MESSAGE)
    expect(findings_group.get_by_label("Case findings", exact=True)).to_have_value(
        f"Agreed plan reviewed for NHS number {NHS_NUMBER}."
    )
    for theme, label in zip(themes, agreed, strict=True):
        expect(
            group(page, f"Agreed grade for {theme.name.lower()}").get_by_role("radio", name=label, exact=True)
        ).to_be_checked()
    expect(group(page, "Overall grade").get_by_role("radio", name="Adequate", exact=True)).to_be_checked()
    expect(page.get_by_label("Strengths", exact=True)).to_have_value("Agencies shared information quickly.")
    expect(page.get_by_label("Areas for development", exact=True)).to_have_value("Core group minutes were late.")
    case.refresh_from_db()
    assert (case.findings, case.overall_grade, case.theme_ratings.count()) == ("", None, 0)
    failures = audit_page(page, page_problems)  # the form with an error, while we are here
    assert not failures, "\n".join(failures)

    # The link in the error summary takes focus to the field; fix it and save.
    tab_to(page, summary.get_by_role("link", name=NHS_NUMBER_MESSAGE, exact=False))
    page.keyboard.press("Enter")
    expect(page.get_by_label("Case findings", exact=True)).to_be_focused()
    replace_text(page, "The plan was reviewed and updated on time.")
    tab_to(page, page.get_by_role("button", name="Save grades and findings"), at_most=3)
    page.keyboard.press("Enter")

    arrive(page, case_url, f"Case {case.reference}")
    expect(page.get_by_role("alert")).to_contain_text("The agreed grades and findings have been saved.")
    case.refresh_from_db()
    assert case.findings == "The plan was reviewed and updated on time."
    assert case.strengths == "Agencies shared information quickly."
    assert case.overall_grade == grade("Adequate")
    assert {r.theme_id: r.grade.label for r in ThemeRating.objects.filter(case=case)} == {
        theme.pk: label for theme, label in zip(themes, agreed, strict=True)
    }
    expect(page.get_by_test_id("still-missing")).to_have_count(0)
    expect(page.get_by_text("Everything needed is in place.")).to_be_visible()

    # (c) Finalise.
    tab_to(page, page.get_by_role("button", name="Finalise case"), at_most=60)
    page.keyboard.press("Enter")
    arrive(page, case_url, f"Case {case.reference}")
    expect(page.get_by_role("alert")).to_contain_text(f"Case {case.reference} has been finalised.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Finalised")
    expect(page.get_by_text("Before the case can be finalised")).to_have_count(0)
    expect(page.get_by_test_id("still-missing")).to_have_count(0)
    expect(page.get_by_role("button", name="Finalise case")).to_have_count(0)
    case.refresh_from_db()
    assert case.state == AuditCase.State.FINALISED
    page_problems.assert_none()


# --- 2. Every case audit page passes axe-core, with no CSP problem ---------------------------


def _check_pages(page: Page, problems: PageProblems, live_server: Any, visits: list[tuple[Any, ...]]) -> list[str]:
    """Visit each (path, status, h1 text, action or None) and audit it; returns the failures."""
    failures: list[str] = []
    for path, status, heading, action in visits:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None
        assert response.status == status, f"{path}: {response.status}"
        if action is not None:
            action(page)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        failures += audit_page(page, problems)
    return failures


def _submit_empty(button: str, first_error: str) -> Any:
    """Submit the form as it is; the error summary takes focus, and each of its links
    leads to a field on the page (the GOV.UK script focuses it)."""

    def submit(page: Page) -> None:
        page.get_by_role("button", name=button).click()
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_be_focused()
        expect(page.get_by_role("alert")).to_contain_text(first_error)
        targets = summary.get_by_role("link").evaluate_all(
            "(links) => links.map((a) => [a.getAttribute('href'), !!document.getElementById(a.hash.slice(1))])"
        )
        assert targets, f"{page.url}: the error summary has no links"
        assert all(found for _href, found in targets), f"{page.url}: links without a target: {targets}"

    return submit


def _shows(*texts: str) -> Any:
    """Check that the page holds what it is meant to be audited with."""

    def check(page: Page) -> None:
        for text in texts:
            expect(page.get_by_role("main")).to_contain_text(text)

    return check


def _round_with_a_busy_case(auditor: Any = None) -> dict[str, Any]:
    """A case audit round with a draft case holding a few records (one with feedback
    given, one graded and answered), an open, overdue escalation, a re-opening and a
    history; a finalised case; and an Appreciative Inquiry case with a participant."""
    audit_round = AuditRoundFactory(
        title="September 2010 (Integrated Children's Service)",
        focus="Neglect cases open for more than a year.",
        auditors=[auditor] if auditor else None,
    )
    case = AuditCaseFactory(audit_round=audit_round, reference="AXE-2010-09-01")
    case.sibling_records_read = 2
    case.save()  # an update in the history
    rate_every_theme(case, "Good")
    police_record = CaseRecordFactory(case=case, records_read=4, findings="Plan followed.")
    for theme in Theme.objects.active():
        RecordGrade.objects.create(record=police_record, theme=theme, grade=grade("Adequate"))
    for question in ChecklistQuestion.objects.active():
        ChecklistAnswer.objects.create(record=police_record, question=question, answer="yes", comment="Seen.")
    gp_record = CaseRecordFactory(
        case=case, agency=agency("GP"), subject=CaseRecord.Subject.PARENT_OR_CARER, findings="Letters on file."
    )
    RecordGrade.objects.create(record=gp_record, theme=Theme.objects.active().first(), grade=grade("Inadequate"))
    escalation = EscalationFactory(case=case, due_by=datetime.date(2010, 9, 30))
    Feedback.objects.create(
        record=police_record,
        recipient=Feedback.Recipient.PRACTITIONER,
        given_on=datetime.date(2010, 10, 1),
        given_by=escalation.raised_by,
        notes="Discussed at supervision.",
    )
    CaseReopening.objects.create(case=case, reason="A record was missed.", reopened_by=escalation.raised_by)
    finalised = AuditCaseFactory(audit_round=audit_round, state=AuditCase.State.FINALISED)
    participant = InquiryParticipantFactory()
    return {
        "round": audit_round,
        "case": case,
        "police_record": police_record,
        "gp_record": gp_record,
        "escalation": escalation,
        "finalised": finalised,
        "inquiry_case": participant.case,
    }


def test_case_audit_pages_are_accessible_to_the_audit_team(
    page: Page, live_server: Any, page_problems: PageProblems
) -> None:
    user, secret = make_role_user(Role.AUDIT_TEAM)
    data = _round_with_a_busy_case()
    round_pk, case_pk = data["round"].pk, data["case"].pk
    inquiry = data["inquiry_case"]
    sign_in_with_mfa(page, live_server, user, secret)
    page_problems.clear()

    visits = [
        ("/audits/", 200, "Case audits", None),
        ("/audits/rounds/new/", 200, "Plan an audit round", None),
        ("/audits/rounds/new/", 200, "Plan an audit round", _submit_empty("Save round", "Enter a title for the round")),
        (
            f"/audits/rounds/{round_pk}/",
            200,
            data["round"].title,
            _shows(data["case"].reference, "Overdue", "GP: A parent or carer", "Their manager, The agency"),
        ),
        (f"/audits/rounds/{round_pk}/edit/", 200, "Change the round", None),
        (f"/audits/rounds/{round_pk}/cases/new/", 200, "Add a child audited", None),
        (
            f"/audits/rounds/{round_pk}/cases/new/",
            200,
            "Add a child audited",
            _submit_empty("Add case", "Enter the board reference"),
        ),
        (
            f"/audits/cases/{case_pk}/",
            200,
            f"Case {data['case'].reference}",
            _shows("Incomplete", "1 of 3 given", "Overdue", "A record was missed.", "Sibling records read: 0 → 2"),
        ),
        (f"/audits/cases/{case_pk}/edit/", 200, "Change the case details", None),
        (f"/audits/cases/{case_pk}/grades/", 200, "Agree the grades and findings", None),
        (f"/audits/cases/{case_pk}/records/new/", 200, "Add an agency record", None),
        (
            f"/audits/cases/{case_pk}/records/new/",
            200,
            "Add an agency record",
            _submit_empty("Save record", "Select the agency whose records these are"),
        ),
        (f"/audits/records/{data['police_record'].pk}/", 200, "Police record", None),
        (f"/audits/records/{data['police_record'].pk}/feedback/", 200, "Feedback given", None),
        (f"/audits/cases/{case_pk}/feedback/", 200, "Feedback given on every record", None),
        ("/audits/?kind=case_audit", 200, "Case audits", None),
        (f"/audits/rounds/{round_pk}/cases/?finalised=no", 200, "Cases", _shows(data["case"].reference)),
        (f"/audits/search/?reference={data['case'].reference[:-1]}", 200, "Find a case", None),
        ("/audits/search/?reference=nobody-has-this", 200, "Find a case", _shows("No case found")),
        (f"/audits/cases/{case_pk}/escalations/new/", 200, "Request immediate intervention", None),
        (
            f"/audits/cases/{case_pk}/escalations/new/",
            200,
            "Request immediate intervention",
            _submit_empty("Record the request", "Select the agency asked to act"),
        ),
        (f"/audits/escalations/{data['escalation'].pk}/", 200, "Request for immediate intervention", None),
        (f"/audits/cases/{data['finalised'].pk}/", 200, "Finalised", None),
        (f"/audits/cases/{data['finalised'].pk}/reopen/", 200, "Re-open the case", None),
        (
            f"/audits/cases/{data['finalised'].pk}/reopen/",
            200,
            "Re-open the case",
            _submit_empty("Re-open case", "Enter why the case needs to be re-opened"),
        ),
        (f"/audits/rounds/{inquiry.audit_round_id}/", 200, inquiry.audit_round.title, None),
        (f"/audits/cases/{inquiry.pk}/", 200, f"Case {inquiry.reference}", _shows("Social worker")),
        (f"/audits/rounds/{inquiry.audit_round_id}/cases/new/", 200, "Add a family", None),
        (f"/audits/cases/{inquiry.pk}/participants/new/", 200, "Add a participant", None),
        (
            f"/audits/cases/{inquiry.pk}/participants/new/",
            200,
            "Add a participant",
            _submit_empty("Add participant", "Select the participant's agency"),
        ),
    ]
    failures = _check_pages(page, page_problems, live_server, visits)
    assert not failures, "\n".join(failures)


def test_case_audit_pages_are_accessible_to_an_agency_auditor(
    page: Page, live_server: Any, page_problems: PageProblems
) -> None:
    user, secret = make_role_user(Role.AGENCY_AUDITOR)
    data = _round_with_a_busy_case(auditor=user)
    sign_in_with_mfa(page, live_server, user, secret)
    page_problems.clear()

    failures = _check_pages(
        page,
        page_problems,
        live_server,
        [
            (f"/audits/records/{data['gp_record'].pk}/", 200, "Health: GP record", None),
            ("/", 200, settings.BOARD_NAME, None),
        ],
    )
    # The home page's panel lists the overdue request in the auditor's round.
    panel_table = page.get_by_role("table", name="Requests for immediate intervention")
    expect(panel_table).to_contain_text(data["case"].reference)
    expect(panel_table).to_contain_text("Overdue")
    assert not failures, "\n".join(failures)


# --- 3. An agency auditor changes only their own agency's records -----------------------------


def test_agency_auditor_changes_only_their_own_agencys_records(
    page: Page, live_server: Any, page_problems: PageProblems
) -> None:
    user, secret = make_role_user(Role.AGENCY_AUDITOR)
    data = _round_with_a_busy_case(auditor=user)
    other_round = AuditRoundFactory(title="March 2011")
    other_case = AuditCaseFactory(audit_round=other_round)
    sign_in_with_mfa(page, live_server, user, secret)

    # Their own agency's record: the form, agency fixed, with a save button.
    page.goto(f"{live_server.url}/audits/records/{data['police_record'].pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Police record")
    expect(page.get_by_label("Agency", exact=True)).to_be_disabled()
    expect(page.get_by_label("Number of records read", exact=True)).to_have_value("4")
    expect(page.get_by_role("button", name="Save record")).to_be_visible()
    expect(page.get_by_text("You can read this record but not change it")).to_have_count(0)

    # Another agency's record: read-only, no form.
    page.goto(f"{live_server.url}/audits/records/{data['gp_record'].pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Health: GP record")
    expect(page.get_by_text("You can read this record but not change it")).to_be_visible()
    expect(page.get_by_role("main").locator("form")).to_have_count(0)
    expect(page.get_by_role("main")).to_contain_text("Letters on file.")

    # The case page says which record they may change.
    page.goto(f"{live_server.url}/audits/cases/{data['case'].pk}/")
    expect(page.get_by_role("link", name="Police record for the child (change)", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="GP record for a parent or carer (view)", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Agree the grades and findings")).to_have_count(0)

    # A round they are not assigned to, and a case in it, do not exist for them.
    for path in (f"/audits/rounds/{other_round.pk}/", f"/audits/cases/{other_case.pk}/"):
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None
        assert response.status == 404, path
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
        expect(page.get_by_role("main")).not_to_contain_text(other_round.title)
    page_problems.assert_none()


# --- 4. A button clicked three times does its work once ---------------------------------------


def test_a_request_for_immediate_intervention_clicked_three_times_is_raised_once(
    page: Page, live_server: Any, page_problems: PageProblems
) -> None:
    user, secret = make_role_user(Role.AUDIT_TEAM)
    case = AuditCaseFactory()
    sign_in_with_mfa(page, live_server, user, secret)
    page.goto(f"{live_server.url}/audits/cases/{case.pk}/escalations/new/")
    page.wait_for_load_state("load")
    page.get_by_label("To agency").select_option(label="Police")
    page.get_by_label("To role").fill("Team manager")
    page.get_by_label("Reason").fill("The plan needs reviewing now.")
    due_by = group(page, "Due by")
    raised_on = datetime.date.fromisoformat(
        "-".join(
            group(page, "Date raised").get_by_label(part, exact=True).input_value().zfill(width)
            for part, width in (("Year", 4), ("Month", 2), ("Day", 2))
        )
    )
    due = raised_on + datetime.timedelta(days=7)
    for part, value in (("Day", due.day), ("Month", due.month), ("Year", due.year)):
        due_by.get_by_label(part, exact=True).fill(str(value))

    page.get_by_role("button", name="Record the request").click(click_count=3)

    arrive(page, f"{live_server.url}/audits/cases/{case.pk}/", case.reference)
    expect(page.get_by_role("alert")).to_contain_text("The request for immediate intervention has been recorded.")
    assert case.escalations.count() == 1
    page_problems.assert_none()
