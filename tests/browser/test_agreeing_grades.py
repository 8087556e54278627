"""The panel agrees a case's grades in the browser: each theme shows every agency's grade,
findings and checklist answers beside the field to agree it, a theme where the agencies'
grades lie two or more levels apart is flagged in words, and a refused finalise lists what
is missing as links that land on each fix. axe-core finds no violation on either page."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from audits.models import AuditCase, ChecklistAnswer, ChecklistQuestion, RecordGrade, Theme, ThemeRating
from dscb.models import Agency, Role
from tests.browser.conftest import PageProblems, audit_page, make_role_user, sign_in_with_mfa
from tests.browser.test_case_audits import arrive, group
from tests.factories import AuditCaseFactory, CaseRecordFactory, grade, police


def _case_with_two_agencies() -> tuple[AuditCase, list[Theme]]:
    """Police and GP records: two levels apart on the first theme, one on the others; the
    last question of the checklist left unanswered by the GP."""
    case = AuditCaseFactory(reference="PANEL-2010-09-01")
    themes = list(Theme.objects.active())
    questions = list(ChecklistQuestion.objects.active())
    police_record = CaseRecordFactory(case=case, findings="Police chronology up to date.")
    gp_record = CaseRecordFactory(case=case, agency=Agency.objects.get(short_name="GP"), findings="Letters on file.")
    for theme in themes:
        RecordGrade.objects.create(record=police_record, theme=theme, grade=grade("Outstanding"))
        gp_grade = "Adequate" if theme == themes[0] else "Good"
        RecordGrade.objects.create(record=gp_record, theme=theme, grade=grade(gp_grade))
    for question in questions:
        ChecklistAnswer.objects.create(record=police_record, question=question, answer="yes", comment="Seen.")
    for question in questions[:-1]:
        ChecklistAnswer.objects.create(record=gp_record, question=question, answer="partly")
    return case, themes


def test_the_panel_compares_the_agencies_and_agrees_the_grades(
    page: Page, live_server: Any, page_problems: PageProblems
) -> None:
    user, secret = make_role_user(Role.AUDIT_TEAM)
    case, themes = _case_with_two_agencies()
    sign_in_with_mfa(page, live_server, user, secret)
    page_problems.clear()

    case_url = f"{live_server.url}/audits/cases/{case.pk}/"
    page.goto(case_url)
    page.get_by_role("link", name="Agree the grades and findings").click()
    arrive(page, f"{live_server.url}/audits/cases/{case.pk}/grades/", "Agree the grades and findings")

    # Each theme: both agencies side by side, with their grades, findings and answers.
    for index, theme in enumerate(themes):
        region = page.get_by_role("region", name=theme.name, exact=True)
        table = region.get_by_role("table")
        expect(table.get_by_role("row")).to_have_count(3)  # the header and one row per agency
        police_row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=police().name))
        gp_row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Health: GP"))
        expect(police_row).to_contain_text("Outstanding")
        expect(police_row).to_contain_text("Police chronology up to date.")
        expect(police_row).to_contain_text("Seen.")
        expect(gp_row).to_contain_text("Adequate" if index == 0 else "Good")
        expect(gp_row).to_contain_text("Letters on file.")
        if ChecklistAnswer.objects.filter(record__agency__short_name="GP", question__theme=theme).exists():
            expect(gp_row).to_contain_text("Partly")
        else:
            expect(gp_row).to_contain_text("Not answered")
        warning = region.get_by_text("Agencies' grades differ by")
        if index == 0:
            expect(warning).to_contain_text("differ by 2 levels on this theme")
        else:
            expect(warning).to_have_count(0)
    failures = audit_page(page, page_problems)
    assert not failures, "\n".join(failures)

    # Agree each theme's grade right beside the comparison, then the case as a whole.
    agreed = ["Good", "Good", "Outstanding", "Good", "Adequate"]
    for theme, label in zip(themes, agreed, strict=True):
        region = page.get_by_role("region", name=theme.name, exact=True)
        agreed_group = region.get_by_role("group", name=f"Agreed grade for {theme.name.lower()}", exact=True)
        agreed_group.get_by_role("radio", name=label, exact=True).check()
    group(page, "Overall grade").get_by_role("radio", name="Good", exact=True).check()
    page.get_by_label("Case findings", exact=True).fill("Agencies mostly agree; police records are strongest.")
    page.get_by_role("button", name="Save grades and findings").click()

    arrive(page, case_url, f"Case {case.reference}")
    expect(page.get_by_role("alert")).to_contain_text("The agreed grades and findings have been saved.")
    assert {rating.theme_id: rating.grade.label for rating in ThemeRating.objects.filter(case=case)} == {
        theme.pk: label for theme, label in zip(themes, agreed, strict=True)
    }
    case.refresh_from_db()
    assert case.overall_grade == grade("Good")
    page_problems.assert_none()


def test_a_refused_finalise_links_to_each_fix(page: Page, live_server: Any, page_problems: PageProblems) -> None:
    user, secret = make_role_user(Role.AUDIT_TEAM)
    case, themes = _case_with_two_agencies()
    gp_record = case.records.get(agency__short_name="GP")
    last_question = ChecklistQuestion.objects.active().last()
    assert last_question is not None
    sign_in_with_mfa(page, live_server, user, secret)
    page_problems.clear()

    case_url = f"{live_server.url}/audits/cases/{case.pk}/"
    page.goto(case_url)
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Finalise case").click()

    # The error summary, focused, lists each thing missing as a link.
    arrive(page, f"{case_url}?finalise=refused", f"Case {case.reference}")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("There is a problem")
    expect(page).to_have_title(re.compile(rf"^Error: Case {case.reference}\b"))
    expect(summary.get_by_role("link")).to_have_count(len(themes) + 2)  # each theme, overall, the GP answer
    failures = audit_page(page, page_problems)
    assert not failures, "\n".join(failures)
    case.refresh_from_db()
    assert case.state == AuditCase.State.DRAFT

    # The agreed grade for a theme: the agree-grades page, at that theme.
    summary.get_by_role("link", name=f"Add the agreed grade for {themes[2].name.lower()}").click()
    arrive(page, f"{live_server.url}/audits/cases/{case.pk}/grades/#theme-{themes[2].pk}", "Agree the grades")
    expect(page.get_by_role("heading", name=themes[2].name, exact=True)).to_be_in_viewport()

    # The overall grade: the same page, at the case as a whole.
    page.go_back()
    arrive(page, f"{case_url}?finalise=refused", f"Case {case.reference}")
    summary.get_by_role("link", name="Add the overall grade").click()
    arrive(page, f"{live_server.url}/audits/cases/{case.pk}/grades/#overall", "Agree the grades")
    expect(page.get_by_role("heading", name="The case as a whole")).to_be_in_viewport()

    # The GP's unanswered question: the GP record's form, at that question.
    page.go_back()
    arrive(page, f"{case_url}?finalise=refused", f"Case {case.reference}")
    summary.get_by_role("link", name=f"Add GP: The child: an answer to “{last_question.text}”").click()
    record_url = f"{live_server.url}/audits/records/{gp_record.pk}/#id_answer_{last_question.pk}_1"
    arrive(page, record_url, "Health: GP record")
    question_group = group(page, last_question.text)
    expect(question_group).to_be_in_viewport()
    question_group.get_by_role("radio", name="Yes", exact=True).check()
    page.get_by_role("button", name="Save record").click()
    # (The browser keeps the record page's fragment through the redirect.)
    expect(page).to_have_url(re.compile(rf"^{re.escape(case_url)}(#|$)"))
    expect(page.get_by_role("alert")).to_contain_text("The GP record has been saved.")
    expect(page.get_by_test_id("still-missing")).not_to_contain_text("GP")
    page_problems.assert_none()
