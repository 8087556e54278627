"""The panel agrees a case's grades on one page, each theme beside what every agency's
records say on it; a theme where the agencies' grades lie far apart is flagged; a refused
finalise lists what is missing, each item a link to where it is added."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from audits import selectors
from audits.models import AuditRound, ChecklistAnswer, Grade, RecordGrade, Theme
from dscb.models import Agency, Role
from tests.conftest import make_user, sign_in
from tests.factories import AuditCaseFactory, AuditRoundFactory, CaseRecordFactory, grade, police, rate_every_theme

# --- The rule: how many levels apart -----------------------------------------------------------


def levels(*ranks: int) -> list[Grade]:
    return [Grade(label=f"Level {rank}", rank=rank, meets_threshold=rank < 3) for rank in ranks]


SCALE = levels(1, 2, 3, 4)


@pytest.mark.parametrize(
    ("ranks", "apart"),
    [((), 0), ((2,), 0), ((2, 2, 2), 0), ((2, 3), 1), ((1, 3), 2), ((3, 1, 2), 2), ((1, 4, 4), 3)],
)
def test_levels_apart_counts_the_levels_between_the_best_and_the_worst(ranks, apart):
    assert selectors.levels_apart(levels(*ranks), scale=SCALE) == apart


def test_levels_apart_counts_levels_not_rank_numbers():
    scale = levels(1, 2, 5, 10)  # an administrator left gaps between the ranks
    assert selectors.levels_apart(levels(2, 5), scale=scale) == 1
    assert selectors.levels_apart(levels(1, 10), scale=scale) == 3


def test_a_grade_retired_from_the_scale_still_counts_by_its_rank():
    assert selectors.levels_apart(levels(1, 5), scale=SCALE) == 4
    assert selectors.levels_apart(levels(4, 5), scale=SCALE) == 1


def test_two_levels_apart_or_more_is_flagged_and_one_is_not():
    theme = Theme(name="Record keeping", position=1)
    flagged = [
        selectors.ThemeComparison(theme=theme, questions=[], records=[], levels_apart=apart).grades_differ
        for apart in range(4)
    ]
    assert flagged == [False, False, True, True]


# --- The page ----------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor_client(client):
    return sign_in(client, make_user(Role.AUDIT_TEAM, full_name="Ann Auditor"))


def graded_record(case, agency: Agency, grades: dict[Theme, str], *, findings: str, answer: str = "yes", comment=""):
    record = CaseRecordFactory(case=case, agency=agency, findings=findings)
    RecordGrade.objects.bulk_create(
        RecordGrade(record=record, theme=theme, grade=grade(label)) for theme, label in grades.items()
    )
    ChecklistAnswer.objects.bulk_create(
        ChecklistAnswer(record=record, question=question, answer=answer, comment=comment)
        for question in selectors.scales().questions
    )
    return record


def section(content: str, theme: Theme) -> str:
    """The part of the page about ``theme``: from its heading to the next section's."""
    start = content.index(f'id="{selectors.theme_anchor(theme)}"')
    return content[start : content.index("</section>", start)]


def row(part: str, agency: Agency) -> str:
    """The table row of ``agency``'s record in one theme's part of the page."""
    header = part.index(f">{agency.name}</th>")
    return part[part.rindex("<tr", 0, header) : part.index("</tr>", header)]


def grade_tag(label: str) -> str:
    return f'app-grade app-grade--{grade(label).pk}">{label}</strong>'


def test_each_theme_shows_every_agencys_grade_findings_and_answers_beside_its_field(auditor_client):
    case = AuditCaseFactory()
    themes = selectors.scales().themes
    first, second = themes[0], themes[1]
    gp = Agency.objects.get(short_name="GP")
    # First theme: two levels apart (flagged). Second: one level apart (not flagged).
    graded_record(
        case, police(), {first: "Outstanding", second: "Good"}, findings="Police chronology up to date.", comment="Seen"
    )
    graded_record(case, gp, {first: "Adequate", second: "Adequate"}, findings="GP letters on file.", answer="partly")
    content = auditor_client.get(reverse("audits:case_grades", args=[case.pk])).content.decode()

    for theme in themes:
        part = section(content, theme)
        police_row, gp_row = row(part, police()), row(part, gp)
        assert "Police chronology up to date." in police_row
        assert "GP letters on file." in gp_row
        for question in (q for q in selectors.scales(case.audit_round).questions if q.theme_id == theme.pk):
            assert f">{escape(question.text)}</th>" in part
        assert police_row.count('Yes<br><span class="govuk-body-s">Seen</span>') >= 1  # with the comment
        assert gp_row.count("Partly") >= 1
        assert f'name="theme_{theme.pk}"' in part  # the field to agree it, right there
        assert part.index("</table>") < part.index(f'name="theme_{theme.pk}"')
    first_part, second_part = section(content, first), section(content, second)
    assert grade_tag("Outstanding") in row(first_part, police())
    assert grade_tag("Adequate") in row(first_part, gp)
    assert "Agencies' grades differ by 2 levels on this theme" in first_part
    assert grade_tag("Good") in row(second_part, police())
    assert grade_tag("Adequate") in row(second_part, gp)
    assert "grades differ" not in second_part
    assert content.count("grades differ by") == 1
    assert 'id="overall"' in content
    assert content.index(f'name="theme_{themes[-1].pk}"') < content.index('name="overall_grade"')


def test_the_page_still_saves_the_agreed_grades(auditor_client):
    case = AuditCaseFactory()
    themes = selectors.scales().themes
    data = {"version": 1, "overall_grade": grade("Good").pk, "findings": "Agreed."}
    data |= {f"theme_{theme.pk}": grade("Good").pk for theme in themes}
    response = auditor_client.post(reverse("audits:case_grades", args=[case.pk]), data)
    assert response["Location"] == reverse("audits:case_detail", args=[case.pk])
    assert case.theme_ratings.filter(grade=grade("Good")).count() == len(themes)


def test_a_refused_save_shows_the_error_summary_and_each_error_beside_its_field(auditor_client):
    case = AuditCaseFactory()
    theme = selectors.scales().themes[0]
    data = {"version": 1, f"theme_{theme.pk}": "999999", "findings": "Agreed."}
    content = auditor_client.post(reverse("audits:case_grades", args=[case.pk]), data).content.decode()
    assert "<title>Error: Agree the grades and findings" in content
    assert "There is a problem" in content
    assert f'href="#id_theme_{theme.pk}_1"' in content
    assert content.count("Select one of the grades shown") == 2  # in the summary and beside the field
    assert content.count('name="version"') == 1


def test_a_case_without_records_says_there_is_nothing_to_compare(auditor_client):
    case = AuditCaseFactory()
    content = auditor_client.get(reverse("audits:case_grades", args=[case.pk])).content.decode()
    assert "No agency records have been added yet" in content
    assert "grades differ" not in content


# --- Finalising refused ------------------------------------------------------------------------


def links(content: str) -> dict[str, str]:
    """The error summary's links: their words and where they lead."""
    start = content.index('class="govuk-error-summary"')
    summary = content[start : content.index("</ul>", start)]
    return {text: href for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', summary)}


def test_a_refused_finalise_links_each_missing_item_to_where_it_is_added(auditor_client):
    case = AuditCaseFactory()
    scales = selectors.scales()
    record = CaseRecordFactory(case=case)
    rate_every_theme(case)
    case.theme_ratings.filter(theme=scales.themes[1]).delete()
    response = auditor_client.post(reverse("audits:case_finalise", args=[case.pk]), {"version": case.version})
    assert response["Location"] == reverse("audits:case_detail", args=[case.pk]) + "?finalise=refused"
    content = auditor_client.get(response["Location"]).content.decode()
    assert "<title>Error: Case" in content
    assert "There is a problem" in content
    assert "The case could not be finalised." in content
    grades_page = reverse("audits:case_grades", args=[case.pk])
    record_page = reverse("audits:record_detail", args=[record.pk])
    theme = scales.themes[1]
    question = scales.questions[0]
    found = links(content)
    assert found[f"Add the agreed grade for {theme.name.lower()}"] == f"{grades_page}#theme-{theme.pk}"
    assert found["Add the overall grade"] == f"{grades_page}#overall"
    assert found[f"Add Police: The child: a grade for {scales.themes[0].name.lower()}"] == (
        f"{record_page}#id_grade_{scales.themes[0].pk}_1"
    )
    assert found[f"Add Police: The child: an answer to “{question.text}”"] == f"{record_page}#id_answer_{question.pk}_1"
    assert len(found) == 1 + 1 + len(scales.themes) + len(scales.questions)
    case.refresh_from_db()
    assert not case.is_finalised

    # Each link's place is on the page it leads to.
    assert f'id="theme-{theme.pk}"' in auditor_client.get(grades_page).content.decode()
    assert 'id="overall"' in auditor_client.get(grades_page).content.decode()
    record_form = auditor_client.get(record_page).content.decode()
    for href in found.values():
        if href.startswith(record_page):
            assert f'id="{href.split("#")[1]}"' in record_form, href


def test_a_case_with_no_records_links_to_adding_one(auditor_client):
    case = AuditCaseFactory()
    response = auditor_client.post(reverse("audits:case_finalise", args=[case.pk]), {"version": case.version})
    found = links(auditor_client.get(response["Location"]).content.decode())
    assert found["Add at least one agency record"] == reverse("audits:record_create", args=[case.pk])


def test_the_case_page_shows_no_error_summary_unless_finalising_was_refused(auditor_client):
    case = AuditCaseFactory()
    url = reverse("audits:case_detail", args=[case.pk])
    assert "There is a problem" not in auditor_client.get(url).content.decode()
    # Still listed under the finalise button, each a link.
    assert f'href="{reverse("audits:record_create", args=[case.pk])}">at least one agency record' in (
        auditor_client.get(url).content.decode()
    )


def test_an_out_of_date_finalise_says_so_in_a_message(auditor_client):
    case = AuditCaseFactory()
    response = auditor_client.post(
        reverse("audits:case_finalise", args=[case.pk]), {"version": case.version + 5}, follow=True
    )
    content = response.content.decode()
    assert "The case could not be finalised" in content


def test_an_appreciative_inquiry_links_each_missing_fact_to_its_field(auditor_client):
    case = AuditCaseFactory(audit_round=AuditRoundFactory(kind=AuditRound.Kind.APPRECIATIVE_INQUIRY))
    response = auditor_client.post(reverse("audits:case_finalise", args=[case.pk]), {"version": case.version})
    found = links(auditor_client.get(response["Location"]).content.decode())
    details = reverse("audits:case_edit", args=[case.pk])
    assert found == {
        "Add the participants": reverse("audits:participant_add", args=[case.pk]),
        "Add whether professionals saw the case as stuck": f"{details}#id_seen_as_stuck_1",
        "Add what is working": f"{details}#id_what_is_working",
        "Add the desired outcomes agreed": f"{details}#id_desired_outcomes",
    }
    form = auditor_client.get(details).content.decode()
    for href in (href for href in found.values() if "#" in href):
        assert f'id="{href.split("#")[1]}"' in form, href
