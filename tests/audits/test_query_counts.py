"""Pages run a fixed number of queries however much data there is."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audits.models import MAX_RECORDS_PER_CASE, Feedback
from dscb.models import Role
from tests.conftest import make_user, queries_for, sign_in
from tests.factories import (
    AuditCaseFactory,
    AuditRoundFactory,
    CaseRecordFactory,
    EscalationFactory,
    grade,
    rate_every_theme,
)

pytestmark = pytest.mark.django_db

# session, user, case with its expected agencies, the read logged; themes, grades, questions;
# the round's agencies; records with their grades, answers and feedback; agreed grades,
# participants, escalations, re-openings, history;
# the grade scale's words (what is not graded yet is named by them)
CASE_PAGE_QUERIES = 19
# session, user, round with its agencies, auditors and re-openings, the read logged; cases (how many, the first
# page's ids, then its rows); open escalations; records with their feedback (feedback still to give: how many,
# the first page's ids, its rows and their feedback); the grade scale's words (cases not graded);
# its steps and returns: cases with their expected agencies, records with grades, answers and
# feedback, themes, grades, questions
ROUND_PAGE_QUERIES = 25
# session, user, rounds with their counts, the years there are rounds in (the filters)
ROUND_LIST_QUERIES = 4
# session, user, case with its expected agencies, the read logged; themes, grades, questions;
# agreed grades; records with their grades, answers and feedback; the grade scale's words
CASE_GRADES_PAGE_QUERIES = 14


def fill_case(case, records: int, auditor) -> None:
    from audits.models import ChecklistAnswer, ChecklistQuestion, RecordGrade, Theme

    rate_every_theme(case)
    for record in CaseRecordFactory.create_batch(records, case=case):
        RecordGrade.objects.bulk_create(
            RecordGrade(record=record, theme=theme, grade=grade("Good")) for theme in Theme.objects.active()
        )
        ChecklistAnswer.objects.bulk_create(
            ChecklistAnswer(record=record, question=question, answer="yes")
            for question in ChecklistQuestion.objects.active()
        )
        Feedback.objects.create(
            record=record, recipient="practitioner", given_on=case.plan_started_on, given_by=auditor
        )
    EscalationFactory.create_batch(2, case=case)


@pytest.fixture
def auditor_client(client):
    user = make_user(Role.AUDIT_TEAM)
    sign_in(client, user)
    client.auditor = user
    return client


def test_the_case_page_costs_the_same_with_twenty_records_as_with_two(auditor_client, django_assert_num_queries):
    small = AuditCaseFactory()
    fill_case(small, 2, auditor_client.auditor)
    large = AuditCaseFactory()
    fill_case(large, MAX_RECORDS_PER_CASE, auditor_client.auditor)
    expected = queries_for(auditor_client, reverse("audits:case_detail", args=[small.pk]))
    with django_assert_num_queries(expected):
        auditor_client.get(reverse("audits:case_detail", args=[large.pk]))
    assert expected == CASE_PAGE_QUERIES


def test_the_agree_grades_page_costs_the_same_with_twenty_records_as_with_two(
    auditor_client, django_assert_num_queries
):
    small = AuditCaseFactory()
    fill_case(small, 2, auditor_client.auditor)
    large = AuditCaseFactory()
    fill_case(large, MAX_RECORDS_PER_CASE, auditor_client.auditor)
    expected = queries_for(auditor_client, reverse("audits:case_grades", args=[small.pk]))
    with django_assert_num_queries(expected):
        auditor_client.get(reverse("audits:case_grades", args=[large.pk]))
    assert expected == CASE_GRADES_PAGE_QUERIES


def test_the_round_page_costs_the_same_however_many_cases(auditor_client, django_assert_num_queries):
    small = AuditRoundFactory()
    fill_case(AuditCaseFactory(audit_round=small), 2, auditor_client.auditor)
    large = AuditRoundFactory()
    for n in range(8):
        # Both rounds have a case not graded yet: its words are read once, however many there are.
        overall = grade("Adequate") if n else None
        fill_case(AuditCaseFactory(audit_round=large, overall_grade=overall), 5, auditor_client.auditor)
    expected = queries_for(auditor_client, reverse("audits:round_detail", args=[small.pk]))
    with django_assert_num_queries(expected):
        auditor_client.get(reverse("audits:round_detail", args=[large.pk]))
    assert expected == ROUND_PAGE_QUERIES


def test_the_round_list_costs_the_same_however_many_rounds(auditor_client, django_assert_num_queries):
    AuditRoundFactory()
    expected = queries_for(auditor_client, reverse("audits:round_list"))
    for _ in range(6):
        AuditCaseFactory.create_batch(3, audit_round=AuditRoundFactory())
    with django_assert_num_queries(expected):
        auditor_client.get(reverse("audits:round_list"))
    assert expected == ROUND_LIST_QUERIES


def test_the_record_form_costs_the_same_however_many_answers(auditor_client, django_assert_num_queries):
    small = CaseRecordFactory()
    large = AuditCaseFactory()
    fill_case(large, 1, auditor_client.auditor)
    expected = queries_for(auditor_client, reverse("audits:record_detail", args=[small.pk]))
    url = reverse("audits:record_detail", args=[large.records.get().pk])
    with django_assert_num_queries(expected):
        auditor_client.get(url)


def test_the_home_page_panel_costs_the_same_however_many_escalations_and_rounds(
    auditor_client, django_assert_num_queries
):
    EscalationFactory()
    fill_case(AuditCaseFactory(audit_round=AuditRoundFactory()), 1, auditor_client.auditor)
    expected = queries_for(auditor_client, reverse("home"))
    EscalationFactory.create_batch(10)
    for _ in range(4):
        fill_case(AuditCaseFactory(audit_round=AuditRoundFactory()), 3, auditor_client.auditor)
    with django_assert_num_queries(expected):
        auditor_client.get(reverse("home"))


# --- Writes ---------------------------------------------------------------------------------
# Saving an agency record with a grade on every theme and every checklist answer costs a fixed
# number of queries: grades and answers are written one query per table, their history in one.
RECORD_SAVE_QUERIES = 25


def record_form_post(*, agency, version=None, answer: str = "yes", grade_label: str = "Good") -> dict[str, object]:
    from audits import selectors

    scales = selectors.scales()
    data: dict[str, object] = {"agency": agency.pk, "subject": "child", "records_read": "3", "findings": "Seen."}
    if version is not None:
        data["version"] = version
    for theme in scales.themes:
        data[f"grade_{theme.pk}"] = grade(grade_label).pk
    for question in scales.questions:
        data[f"answer_{question.pk}"] = answer
        data[f"comment_{question.pk}"] = ""
    return data


def test_saving_a_record_with_five_grades_and_the_checklist_costs_a_fixed_number_of_queries(
    auditor_client, django_assert_max_num_queries
):
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from audits import selectors
    from audits.models import CaseRecord, ChecklistAnswer, RecordGrade
    from tests.factories import police

    scales = selectors.scales()
    assert (len(scales.themes), len(scales.questions)) >= (5, 7)
    # A running server has read these once, on its first save: they are cached from then on.
    ContentType.objects.get_for_models(CaseRecord, RecordGrade, ChecklistAnswer)
    case = AuditCaseFactory()
    url = reverse("audits:record_create", args=[case.pk])
    data = record_form_post(agency=police())
    auditor_client.get(url)  # the one-time key
    with django_assert_max_num_queries(RECORD_SAVE_QUERIES):
        response = auditor_client.post(url, data)
    assert response.status_code == 302
    record = case.records.get()
    created = LogEntry.objects.filter(action=LogEntry.Action.CREATE, actor=auditor_client.auditor)
    assert created.filter(content_type__model="recordgrade").count() == len(scales.themes)
    assert created.filter(content_type__model="checklistanswer").count() == len(scales.questions)
    assert created.filter(additional_data__case_id=case.pk).count() == 1 + len(scales.themes) + len(scales.questions)

    url = reverse("audits:record_detail", args=[record.pk])
    data = record_form_post(agency=police(), version=record.version, answer="partly", grade_label="Adequate")
    with django_assert_max_num_queries(RECORD_SAVE_QUERIES):
        response = auditor_client.post(url, data)
    assert response.status_code == 302
    assert RecordGrade.objects.filter(record=record, grade=grade("Adequate")).count() == len(scales.themes)
    assert ChecklistAnswer.objects.filter(record=record, answer="partly").count() == len(scales.questions)
    changed = LogEntry.objects.filter(action=LogEntry.Action.UPDATE, actor=auditor_client.auditor)
    assert changed.filter(content_type__model="recordgrade").count() == len(scales.themes)
    assert changed.filter(content_type__model="checklistanswer").count() == len(scales.questions)
    assert changed.get(content_type__model="recordgrade", object_id=record.grades.first().pk).changes_dict["grade"]


def test_agreeing_a_cases_grades_costs_a_fixed_number_of_queries(auditor_client, django_assert_max_num_queries):
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from audits import selectors
    from audits.models import AuditCase, ThemeRating

    themes = selectors.scales().themes
    ContentType.objects.get_for_models(AuditCase, ThemeRating)  # cached in a running server
    case = AuditCaseFactory()
    url = reverse("audits:case_grades", args=[case.pk])
    for version, label in ((1, "Good"), (2, "Adequate")):  # first agreed, then changed
        data = {f"theme_{theme.pk}": grade(label).pk for theme in themes}
        data.update({"overall_grade": grade(label).pk, "findings": "Agreed.", "version": version})
        with django_assert_max_num_queries(RECORD_SAVE_QUERIES):
            response = auditor_client.post(url, data)
        assert response.status_code == 302
        assert ThemeRating.objects.filter(case=case, grade=grade(label)).count() == len(themes)
    history = LogEntry.objects.filter(content_type__model="themerating", actor=auditor_client.auditor)
    assert history.filter(action=LogEntry.Action.CREATE).count() == len(themes)
    assert history.filter(action=LogEntry.Action.UPDATE, additional_data__case_id=case.pk).count() == len(themes)
