"""Findings broken down by agency: per agency and theme, the share of its records graded at
or above the threshold; the themes most often below it; per round, the checklist per agency.
A figure from fewer than 5 records reads "fewer than 5" on the dashboard, the report page,
its PDF and its workbook, and its number appears nowhere."""

from __future__ import annotations

import datetime
import io
import re
from html import unescape

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audits.models import AuditCase, ChecklistAnswer, ChecklistQuestion, Grade, RecordGrade, Theme
from dscb.models import Agency, Role
from reports import document, renderers, selectors
from reports.selectors import Figure, Period
from tests.conftest import make_user, sign_in
from tests.factories import (
    AgencyFactory,
    AuditCaseFactory,
    AuditRoundFactory,
    CaseRecordFactory,
    ReportFactory,
    grade,
    police,
    rate_every_theme,
)
from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2011, 3, 4)
PERIOD = Period(datetime.date(2010, 1, 1), TODAY)
WITHHELD = "Fewer than 5"
# The small agency's figures, were they shown: 1 of its 4 records meets the threshold and answers yes.
SMALL_AGENCYS_SHARE = "25%"


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def words(html: str) -> str:
    """A page's text, each cell's apart."""
    return squeeze(unescape(re.sub(r"<[^>]+>", " ", html)))


def add_record(case: AuditCase, agency: Agency, label: str, *, yes: bool) -> None:
    """A record graded ``label`` on every theme, answering every checklist question."""
    record = CaseRecordFactory(case=case, agency=agency)
    RecordGrade.objects.bulk_create(
        RecordGrade(record=record, theme=theme, grade=grade(label)) for theme in Theme.objects.active()
    )
    answer = ChecklistAnswer.Answer.YES if yes else ChecklistAnswer.Answer.NO
    ChecklistAnswer.objects.bulk_create(
        ChecklistAnswer(record=record, question=question, answer=answer)
        for question in ChecklistQuestion.objects.active()
    )


@pytest.fixture
def small_agency() -> Agency:
    """September 2010, five finalised cases graded Good. The Police have 5 records: 4 Good
    (answering yes), 1 Inadequate (no): 80%. The small agency has 4: 1 Good (yes), 3
    Inadequate (no): 25%, withheld. A draft case's records are not counted at all."""
    small = AgencyFactory(name="Small Agency", short_name="Small")
    september = AuditRoundFactory(title="September 2010", held_on=datetime.date(2010, 9, 22))
    for index in range(5):
        case = AuditCaseFactory(audit_round=september, overall_grade=grade("Good"), state=AuditCase.State.FINALISED)
        rate_every_theme(case, "Good")
        add_record(case, police(), "Good" if index else "Inadequate", yes=bool(index))
        if index < 4:
            add_record(case, small, "Inadequate" if index else "Good", yes=not index)
    draft = AuditCaseFactory(audit_round=september, overall_grade=grade("Good"), state=AuditCase.State.DRAFT)
    for _ in range(3):
        add_record(draft, small, "Good", yes=True)
    return small


def figures() -> selectors.AuditFigures:
    return selectors.audit_figures(PERIOD, today=TODAY)


def shown(row: selectors.AgencyRow) -> list[float | int | str | None]:
    return [figure.data for figure in row.figures]


def test_an_agency_with_fewer_than_5_records_has_every_figure_withheld(small_agency):
    audit = figures()
    rows = {row.agency: row for row in audit.agency_theme_rows()}
    assert list(rows) == [police().name, "Small Agency"]  # the agencies' own order
    assert shown(rows[police().name]) == [0.8] * Theme.objects.active().count()
    assert rows["Small Agency"].withheld
    assert shown(rows["Small Agency"]) == ["fewer than 5"] * Theme.objects.active().count()
    checklist = {row.agency: row for row in audit.agency_checklist_rows(audit.rounds[0])}
    assert shown(checklist[police().name]) == [0.8] * ChecklistQuestion.objects.active().count()
    assert shown(checklist["Small Agency"]) == ["fewer than 5"] * ChecklistQuestion.objects.active().count()


def test_an_agency_with_5_records_shows_its_figures(small_agency):
    case = AuditCase.objects.filter(state=AuditCase.State.FINALISED).first()
    add_record(case, small_agency, "Good", yes=True)
    audit = figures()
    rows = {row.agency: row for row in audit.agency_theme_rows()}
    assert not rows["Small Agency"].withheld
    assert shown(rows["Small Agency"]) == [0.4] * Theme.objects.active().count()
    checklist = {row.agency: row for row in audit.agency_checklist_rows(audit.rounds[0])}
    assert shown(checklist["Small Agency"]) == [0.4] * ChecklistQuestion.objects.active().count()


def test_a_figure_drawn_from_fewer_than_5_records_is_withheld_even_for_a_large_agency(small_agency):
    # The Police's answers to one question: not applicable on 2 of its 5 records, so 3 left.
    question = ChecklistQuestion.objects.active().first()
    two = ChecklistAnswer.objects.filter(record__agency=police(), question=question, answer="yes")[:2]
    ChecklistAnswer.objects.filter(pk__in=[answer.pk for answer in two]).update(
        answer=ChecklistAnswer.Answer.NOT_APPLICABLE
    )
    audit = figures()
    police_row = next(row for row in audit.agency_checklist_rows(audit.rounds[0]) if row.agency == police().name)
    assert police_row.figures[0] == Figure(withheld=True)
    assert police_row.figures[1] == Figure(0.8)
    # Not applicable to anyone: nothing to count, "Not asked".
    ChecklistAnswer.objects.filter(question=question).update(answer=ChecklistAnswer.Answer.NOT_APPLICABLE)
    audit = figures()
    police_row = next(row for row in audit.agency_checklist_rows(audit.rounds[0]) if row.agency == police().name)
    assert police_row.figures[0] == Figure(None)


def test_the_share_is_counted_by_meets_threshold_not_by_the_grades_label(small_agency):
    Grade.objects.filter(label="Good").update(label="Meets expectations")
    assert shown(figures().agency_theme_rows()[0])[0] == 0.8
    # A board deciding that Inadequate meets its threshold changes the figures, with no code change.
    Grade.objects.filter(label="Inadequate").update(meets_threshold=True)
    assert shown(figures().agency_theme_rows()[0])[0] == 1.0


def test_the_themes_most_often_below_the_threshold_come_first_and_small_counts_are_withheld(small_agency):
    themes = list(Theme.objects.active())
    # The Police's Good records become Inadequate on the third theme (4 more) and on the last (2 more).
    RecordGrade.objects.filter(record__agency=police(), theme=themes[2], grade__label="Good").update(
        grade=grade("Inadequate")
    )
    for record_grade in RecordGrade.objects.filter(record__agency=police(), theme=themes[-1], grade__label="Good")[:2]:
        RecordGrade.objects.filter(pk=record_grade.pk).update(grade=grade("Inadequate"))
    below = figures().themes_below_threshold()
    # 1 Police and 3 small agency's records below on every theme: 4, withheld; then 8 and 6 records.
    assert [(row.theme, row.below.data) for row in below[:2]] == [(themes[2], 8), (themes[-1], 6)]
    assert below[0].share == Figure(8 / 9)
    assert [(row.theme, row.below.data, row.share.data) for row in below[2:]] == [
        (theme, "fewer than 5", "fewer than 5") for theme in themes[:2] + themes[3:-1]
    ]  # in the themes' own order: their place tells nothing


def test_the_dashboard_shows_the_breakdown_with_the_rule_under_each_table_and_no_withheld_number(small_agency, client):
    sign_in(client, make_user(Role.BOARD_MEMBER))
    html = client.get(reverse("reports:audit_dashboard")).content.decode()
    page = words(html)
    assert "Share of each agency's records graded adequate or better on each theme, all rounds" in page
    assert f"{police().name} 80% 80% 80% 80% 80%" in page
    assert f"Small Agency {' '.join([WITHHELD] * 5)}" in page
    assert "Share of each agency's records with each checklist item, September 2010" in page
    assert f"Small Agency {' '.join([WITHHELD] * ChecklistQuestion.objects.active().count())}" in page
    # The rule, under each of the three tables, and each table described by it.
    assert page.count(selectors.SMALL_NUMBER_RULE) == 3
    for key in ("agency-themes", "themes-below", "agency-checklist-1"):
        assert f'aria-describedby="{key}-rule"' in html
        assert f'id="{key}-rule"' in html
    assert SMALL_AGENCYS_SHARE not in page


def test_the_report_page_pdf_and_workbook_withhold_the_small_agencys_figures(small_agency, client):
    report = ReportFactory(title="Six-monthly report", period_start=PERIOD.start, period_end=PERIOD.end)
    built = document.build(report, today=TODAY)
    sign_in(client, make_user(Role.EXECUTIVE))
    page = words(client.get(reverse("reports:report_detail", args=[report.pk])).content.decode())
    pdf = squeeze(pdf_text(renderers.pdf(built), layout=False))
    for text in (page, pdf):
        assert "Findings by agency" in text
        assert WITHHELD in text
        assert "shows “fewer than 5” instead of a figure" in text
        assert SMALL_AGENCYS_SHARE not in text
    assert f"{police().name} 80% 80% 80% 80% 80% Small Agency {' '.join([WITHHELD] * 5)}" in page
    workbook = load_workbook(io.BytesIO(renderers.xlsx(built)))
    cells = {row[0]: row[1] for row in workbook["Figures"].iter_rows(min_row=2, values_only=True)}
    theme = Theme.objects.active().first().name
    assert cells[f"themes_meeting_threshold_by_agency {police().name} {theme}"] == 0.8
    assert cells[f"themes_meeting_threshold_by_agency Small Agency {theme}"] == "fewer than 5"
    question = ChecklistQuestion.objects.active().first().text
    assert cells[f"rounds 1 checklist_yes_by_agency Small Agency {question}"] == "fewer than 5"
    assert cells["small_number_rule"] == selectors.SMALL_NUMBER_RULE
    assert 0.25 not in cells.values()
