"""A round's own checklist in the browser: the audit team plans a round with the default
set ticked, adds a question for the round's focus, and the round page counts it; the
agency record form then asks it. axe-core finds no violation, and the browser no CSP
problem or script error, on each page on the way."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from audits import selectors
from audits.models import AuditRound, ChecklistQuestion
from dscb.models import Role
from tests.browser.conftest import PageProblems, audit_page, make_role_user, sign_in_with_mfa
from tests.browser.test_case_audits import arrive
from tests.factories import AuditCaseFactory, police

FOCUS = "Domestic abuse: risk assessment (DASH) on file and shared"


def test_the_audit_team_adds_a_focus_question_and_the_record_form_asks_it(
    page: Page, live_server: Any, page_problems: PageProblems
) -> None:
    user, secret = make_role_user(Role.AUDIT_TEAM)
    sign_in_with_mfa(page, live_server, user, secret)
    page.wait_for_load_state("networkidle")
    page_problems.clear()
    failures: list[str] = []
    question = ChecklistQuestion.objects.get(text=FOCUS)
    default = list(selectors.default_questions())

    page.goto(f"{live_server.url}/audits/rounds/new/")
    arrive(page, f"{live_server.url}/audits/rounds/new/", "Plan an audit round")
    questions = page.get_by_role("group", name="Checklist questions this round asks")
    expect(questions).to_contain_text("The default set is ticked.")
    for asked in default:
        expect(questions.get_by_label(f"{asked.theme.name}: {asked.text}")).to_be_checked()
    focus_box = questions.get_by_label(f"{question.theme.name}: {question.text}")
    expect(focus_box).not_to_be_checked()
    failures += audit_page(page, page_problems)

    page.get_by_label("Title").fill("May 2011")
    page.locator("#id_held_on_0").fill("25")
    page.locator("#id_held_on_1").fill("5")
    page.locator("#id_held_on_2").fill("2011")
    page.get_by_label("Focus").fill("Domestic abuse")
    page.get_by_role("group", name="Agencies taking part").get_by_label(police().name, exact=True).check()
    focus_box.check()
    page.get_by_role("button", name="Save round").click()
    audit_round = AuditRound.objects.get(title="May 2011")
    arrive(page, f"{live_server.url}/audits/rounds/{audit_round.pk}/", "May 2011")
    expect(page.get_by_role("main")).to_contain_text(
        f"Checklist questions {len(default) + 1} (1 added for this round's focus)"
    )
    failures += audit_page(page, page_problems)

    case = AuditCaseFactory(audit_round=audit_round)
    case.expected_agencies.set([police()])
    page.goto(f"{live_server.url}/audits/cases/{case.pk}/records/new/")
    arrive(page, f"{live_server.url}/audits/cases/{case.pk}/records/new/", "Add an agency record")
    expect(page.get_by_role("group", name=FOCUS)).to_be_visible()
    failures += audit_page(page, page_problems)
    assert not failures, "\n".join(failures)
