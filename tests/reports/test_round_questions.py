"""A round's own checklist in the figures: a question asked in some rounds only counts in
those, and reads "Not asked" in the others, never as a share of records that could not
answer it; the checklist's columns are the questions the period's rounds asked."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from audits import selectors as audit_selectors
from audits.models import AuditCase, AuditRound, ChecklistAnswer, ChecklistQuestion
from dscb.models import Role
from reports import selectors
from reports.selectors import Figure, Period
from tests.conftest import make_user, sign_in
from tests.factories import AuditCaseFactory, AuditRoundFactory, CaseRecordFactory, grade, police, rate_every_theme

pytestmark = pytest.mark.django_db

PERIOD = Period(datetime.date(2010, 1, 1), datetime.date(2011, 3, 4))
DASH = "Domestic abuse: risk assessment (DASH) on file and shared"


def finalised_round(title: str, held_on: datetime.date, questions: list[ChecklistQuestion]) -> AuditRound:
    """Five finalised cases, each with a Police record answering yes to every question asked."""
    audit_round = AuditRoundFactory(title=title, held_on=held_on, questions=questions)
    for _ in range(5):
        case = AuditCaseFactory(audit_round=audit_round, overall_grade=grade("Good"), state=AuditCase.State.FINALISED)
        rate_every_theme(case, "Good")
        record = CaseRecordFactory(case=case, agency=police())
        ChecklistAnswer.objects.bulk_create(
            ChecklistAnswer(record=record, question=question, answer=ChecklistAnswer.Answer.YES)
            for question in questions
        )
    return audit_round


@pytest.fixture
def rounds() -> tuple[AuditRound, AuditRound]:
    default = list(audit_selectors.default_questions())
    dash = ChecklistQuestion.objects.get(text=DASH)
    return (
        finalised_round("September 2010", datetime.date(2010, 9, 22), default),
        finalised_round("January 2011", datetime.date(2011, 1, 19), [*default, dash]),
    )


def test_a_question_counts_only_in_the_rounds_that_asked_it(rounds):
    september, january = rounds
    dash = ChecklistQuestion.objects.get(text=DASH)
    figures = selectors.audit_figures(PERIOD, today=PERIOD.end)
    by_round = {f.audit_round: f for f in figures.rounds}
    assert by_round[january].checklist_yes_share(dash.pk) == 1.0
    assert by_round[september].checklist_yes_share(dash.pk) is None  # not asked: not 0%, not missing
    default = list(audit_selectors.default_questions())
    assert all(by_round[september].checklist_yes_share(question.pk) == 1.0 for question in default)
    # The columns: the questions asked in the period, in their order; a focus question no round asked is not one.
    assert figures.questions == sorted([*default, dash], key=lambda q: (q.theme.position, q.position, q.pk))
    [police_row] = figures.agency_checklist_rows(by_round[september])
    assert police_row.figures[figures.questions.index(dash)] == Figure()  # nothing to count, nothing withheld
    [police_row] = figures.agency_checklist_rows(by_round[january])
    assert police_row.figures[figures.questions.index(dash)] == Figure(1.0)


def test_the_dashboard_says_not_asked_for_a_round_that_did_not_ask_it(rounds, client):
    sign_in(client, make_user(Role.BOARD_MEMBER))
    response = client.get(
        reverse("reports:audit_dashboard"),
        {"start_0": "1", "start_1": "1", "start_2": "2010", "end_0": "4", "end_1": "3", "end_2": "2011"},
    )
    page = response.content.decode()
    assert DASH in page
    checklist = page.split("Share of agency records with each checklist item, by round", 1)[1].split("</table>")[0]
    september = checklist.split("September 2010", 1)[1].split("</tr>")[0]
    january = checklist.split("January 2011", 1)[1].split("</tr>")[0]
    assert september.count("Not asked") == 1
    assert "Not asked" not in january
