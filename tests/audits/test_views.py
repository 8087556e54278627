"""The case audit pages, used as the audit team and agency auditors use them."""

from __future__ import annotations

import datetime
import re

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils.html import strip_tags

from audits import selectors
from audits.models import (
    AuditCase,
    AuditRound,
    CaseRecord,
    ChecklistAnswer,
    ChecklistQuestion,
    Escalation,
    Feedback,
    RecordGrade,
)
from dscb.models import Agency, Role
from tests.conftest import make_user, sign_in
from tests.factories import (
    AuditCaseFactory,
    AuditRoundFactory,
    CaseRecordFactory,
    EscalationFactory,
    grade,
    police,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor():
    return make_user(Role.AUDIT_TEAM, full_name="Ann Auditor")


@pytest.fixture
def auditor_client(client, auditor):
    return sign_in(client, auditor)


@pytest.fixture
def agency_auditor():
    return make_user(Role.AGENCY_AUDITOR, full_name="Pat Police")


def date_fields(name: str, value: datetime.date) -> dict[str, str]:
    return {f"{name}_0": str(value.day), f"{name}_1": str(value.month), f"{name}_2": str(value.year)}


def record_post(*, agency: Agency, version: int | None = None, **overrides: str) -> dict[str, object]:
    scales = selectors.scales()
    data: dict[str, object] = {
        "agency": agency.pk,
        "subject": "child",
        "records_read": "3",
        "findings": "Chronology kept up to date.",
        "strengths": "",
        "areas_for_development": "",
    }
    if version is not None:
        data["version"] = version
    for theme in scales.themes:
        data[f"grade_{theme.pk}"] = grade("Good").pk
    for question in scales.questions:
        data[f"answer_{question.pk}"] = "yes"
        data[f"comment_{question.pk}"] = ""
    data.update(overrides)
    return data


def test_the_audit_team_plans_a_round(auditor_client, agency_auditor):
    response = auditor_client.post(
        reverse("audits:round_create"),
        {
            "title": "March 2011",
            **date_fields("held_on", datetime.date(2011, 3, 16)),
            "kind": "case_audit",
            "focus": "Neglect",
            "agencies": [police().pk, Agency.objects.get(short_name="GP").pk],
            "auditors": [agency_auditor.pk],
            "questions": [question.pk for question in selectors.default_questions()],
        },
    )
    audit_round = AuditRound.objects.get(title="March 2011")
    assert response["Location"] == reverse("audits:round_detail", args=[audit_round.pk])
    assert audit_round.held_on == datetime.date(2011, 3, 16)
    assert set(audit_round.agencies.values_list("short_name", flat=True)) == {"Police", "GP"}
    assert list(audit_round.auditors.all()) == [agency_auditor]
    assert set(audit_round.questions.all()) == set(selectors.default_questions())


def question_boxes(content: str) -> dict[str, str]:
    """The round form's checklist question boxes, by the question's pk."""
    boxes = re.findall(r'<input[^>]*name="questions"[^>]*>', content)
    return {re.search(r'value="(\d+)"', box)[1]: box for box in boxes}  # type: ignore[index]


def focus_question() -> ChecklistQuestion:
    return ChecklistQuestion.objects.get(text="Domestic abuse: MARAC referral considered where the risk is high")


def test_a_new_round_offers_the_default_set_ticked_and_the_focus_questions_to_add(auditor_client):
    content = auditor_client.get(reverse("audits:round_create")).content.decode()
    boxes = question_boxes(content)
    default = {str(question.pk) for question in selectors.default_questions()}
    assert {value for value, box in boxes.items() if " checked" in box} == default
    assert str(focus_question().pk) in boxes
    page = " ".join(strip_tags(content).split())
    assert f"{focus_question().theme.name}: {focus_question().text}" in page
    assert "The default set is ticked. Add questions for the round's focus" in page


def test_the_audit_team_adds_a_focus_question_and_the_round_page_counts_it(auditor_client):
    audit_round = AuditRoundFactory(questions=list(selectors.default_questions()))
    default = [question.pk for question in selectors.default_questions()]
    response = auditor_client.post(
        reverse("audits:round_edit", args=[audit_round.pk]),
        {
            "title": audit_round.title,
            **date_fields("held_on", audit_round.held_on),
            "kind": "case_audit",
            "focus": "Domestic abuse",
            "agencies": [police().pk],
            "questions": [*default, focus_question().pk],
            "version": audit_round.version,
        },
    )
    assert response.status_code == 302
    assert focus_question() in audit_round.questions.all()
    page = " ".join(
        strip_tags(auditor_client.get(reverse("audits:round_detail", args=[audit_round.pk])).content.decode()).split()
    )
    assert f"Checklist questions {len(default) + 1} (1 added for this round's focus)" in page
    case = AuditCaseFactory(audit_round=audit_round)
    form = auditor_client.get(reverse("audits:record_create", args=[case.pk])).content.decode()
    assert f'name="answer_{focus_question().pk}"' in form


def test_a_question_answered_in_the_round_cannot_be_unticked(auditor_client, auditor):
    audit_round = AuditRoundFactory()
    record = CaseRecordFactory(case=AuditCaseFactory(audit_round=audit_round))
    ChecklistAnswer.objects.create(record=record, question=focus_question(), answer="yes")
    response = auditor_client.post(
        reverse("audits:round_edit", args=[audit_round.pk]),
        {
            "title": audit_round.title,
            **date_fields("held_on", audit_round.held_on),
            "kind": "case_audit",
            "agencies": [police().pk],
            "questions": [question.pk for question in selectors.default_questions()],
            "version": audit_round.version,
        },
    )
    assert response.status_code == 200
    assert f"“{focus_question().text}” is answered in this round: it stays" in response.content.decode()
    assert focus_question() in audit_round.questions.all()


def test_a_round_with_an_impossible_date_is_refused_beside_the_field_keeping_what_was_typed(auditor_client):
    response = auditor_client.post(
        reverse("audits:round_create"),
        {"title": "Odd round", "held_on_0": "31", "held_on_1": "2", "held_on_2": "2011", "kind": "case_audit"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Date of the audit must be a real date" in content
    assert '<a href="#id_held_on_0">' in content
    assert 'value="Odd round"' in content
    assert 'value="31"' in content
    assert not AuditRound.objects.filter(title="Odd round").exists()


def test_a_case_is_added_by_board_reference(auditor_client):
    audit_round = AuditRoundFactory()
    response = auditor_client.post(
        reverse("audits:case_create", args=[audit_round.pk]),
        {
            "reference": "maca-2011-03-01 ",
            "categories": ["neglect", "emotional"],
            **date_fields("plan_started_on", datetime.date(2010, 6, 1)),
            "sibling_records_read": "2",
            "parent_records_read": "1",
        },
    )
    case = AuditCase.objects.get(reference="MACA-2011-03-01")
    assert response["Location"] == reverse("audits:case_detail", args=[case.pk])
    assert case.categories == ["neglect", "emotional abuse"]
    assert (case.sibling_records_read, case.parent_records_read) == (2, 1)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("reference", "Jane Smith", "Enter a board reference in the form MACA-2010-09-03"),
        ("reference", "9434765919", "Enter a board reference in the form MACA-2010-09-03"),
    ],
)
def test_a_case_reference_that_is_not_a_board_reference_is_refused(auditor_client, field, value, message):
    audit_round = AuditRoundFactory()
    response = auditor_client.post(
        reverse("audits:case_create", args=[audit_round.pk]),
        {field: value, "categories": ["neglect"], **date_fields("plan_started_on", datetime.date(2010, 6, 1))},
    )
    assert message in response.content.decode()
    assert not AuditCase.objects.exists()


def test_findings_holding_an_nhs_number_or_a_date_of_birth_are_refused(auditor_client):
    case = AuditCaseFactory()
    for text, message in (
        ("Seen at GP, NHS 943 476 5919", "looks like it contains an NHS number"),
        ("Child DOB 02/03/2007", "looks like it contains a date of birth"),
    ):
        response = auditor_client.post(reverse("audits:case_grades", args=[case.pk]), {"version": 1, "findings": text})
        content = response.content.decode()
        assert message in content
        assert "Use the board reference instead" in content
    case.refresh_from_db()
    assert case.findings == ""


def test_an_agency_record_is_entered_with_its_grades_and_answers(auditor_client):
    case = AuditCaseFactory()
    response = auditor_client.post(reverse("audits:record_create", args=[case.pk]), record_post(agency=police()))
    assert response["Location"] == reverse("audits:case_detail", args=[case.pk])
    record = case.records.get()
    assert record.records_read == 3
    assert RecordGrade.objects.filter(record=record, grade=grade("Good")).count() == 5
    asked = selectors.scales(case.audit_round)
    assert ChecklistAnswer.objects.filter(record=record, answer="yes").count() == len(asked.questions)
    assert selectors.record_completeness(record, asked).is_complete


def test_a_record_for_an_agency_not_in_the_round_is_refused(auditor_client):
    case = AuditCaseFactory()
    probation = Agency.objects.get(short_name="Probation")
    response = auditor_client.post(reverse("audits:record_create", args=[case.pk]), record_post(agency=probation))
    assert response.status_code == 200
    assert "Probation is not taking part in this round" in response.content.decode()
    assert not CaseRecord.objects.exists()


def test_a_record_is_changed_and_an_answer_removed(auditor_client):
    record = CaseRecordFactory()
    auditor_client.post(reverse("audits:record_detail", args=[record.pk]), record_post(agency=police(), version=1))
    question = selectors.scales().questions[0]
    data = record_post(agency=police(), version=2, records_read="4")
    data.pop(f"answer_{question.pk}")
    response = auditor_client.post(reverse("audits:record_detail", args=[record.pk]), data)
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.records_read == 4
    assert not record.answers.filter(question=question).exists()


def test_a_save_after_someone_elses_is_refused_and_keeps_what_was_typed(auditor_client, auditor):
    other = make_user(Role.AUDIT_TEAM, full_name="Bea Other")
    record = CaseRecordFactory()
    sign_in(other_client := auditor_client.__class__(), other)
    other_client.post(
        reverse("audits:record_detail", args=[record.pk]), record_post(agency=police(), version=1, records_read="5")
    )
    response = auditor_client.post(
        reverse("audits:record_detail", args=[record.pk]),
        record_post(agency=police(), version=1, records_read="7", findings="My own careful findings"),
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Bea Other saved this" in content
    assert "My own careful findings" in content
    assert 'name="version" value="2"' in content
    record.refresh_from_db()
    assert record.records_read == 5
    # Having seen the message, saving again goes through.
    auditor_client.post(
        reverse("audits:record_detail", args=[record.pk]),
        record_post(agency=police(), version=2, records_read="7"),
    )
    record.refresh_from_db()
    assert record.records_read == 7


def test_the_audit_team_agrees_grades_then_finalises(auditor_client):
    case = AuditCaseFactory()
    auditor_client.post(reverse("audits:record_create", args=[case.pk]), record_post(agency=police()))
    scales = selectors.scales()
    data = {"version": 1, "overall_grade": grade("Adequate").pk, "findings": "Plan reviewed on time."}
    data |= {f"theme_{theme.pk}": grade("Adequate").pk for theme in scales.themes}
    assert auditor_client.post(reverse("audits:case_grades", args=[case.pk]), data).status_code == 302
    case.refresh_from_db()
    response = auditor_client.post(reverse("audits:case_finalise", args=[case.pk]), {"version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.is_finalised
    page = auditor_client.get(reverse("audits:case_detail", args=[case.pk])).content.decode()
    assert "This case is finalised and read-only" in page
    assert auditor_client.get(reverse("audits:case_grades", args=[case.pk]))["Location"] == reverse(
        "audits:case_detail", args=[case.pk]
    )


def test_finalising_an_incomplete_case_says_what_is_missing(auditor_client):
    case = AuditCaseFactory()
    response = auditor_client.post(reverse("audits:case_finalise", args=[case.pk]), {"version": 1}, follow=True)
    content = response.content.decode()
    assert "The case could not be finalised" in content
    assert "Add the overall grade" in content
    case.refresh_from_db()
    assert not case.is_finalised


# The versions of each recipient's feedback the form was opened with: none recorded yet.
NO_FEEDBACK_YET = {f"{recipient}_version": 0 for recipient in Feedback.Recipient.values}


def test_feedback_given_is_recorded_and_no_longer_owed(auditor_client, auditor):
    record = CaseRecordFactory()
    round_page = reverse("audits:round_detail", args=[record.case.audit_round_id])
    assert "The practitioner, Their manager, The agency" in auditor_client.get(round_page).content.decode()
    response = auditor_client.post(
        reverse("audits:record_feedback", args=[record.pk]),
        {
            **date_fields("practitioner_given_on", datetime.date(2010, 10, 1)),
            "practitioner_given_by": auditor.pk,
            "practitioner_notes": "Discussed in supervision.",
            **NO_FEEDBACK_YET,
        },
    )
    assert response.status_code == 302
    feedback = Feedback.objects.get(record=record)
    assert (feedback.recipient, feedback.given_by) == ("practitioner", auditor)
    content = auditor_client.get(round_page).content.decode()
    assert "Their manager, The agency" in content
    assert "The practitioner, Their manager" not in content


def test_feedback_needs_both_a_date_and_who_gave_it(auditor_client):
    record = CaseRecordFactory()
    response = auditor_client.post(
        reverse("audits:record_feedback", args=[record.pk]),
        date_fields("manager_given_on", datetime.date(2010, 10, 1)) | NO_FEEDBACK_YET,
    )
    assert "Select who gave feedback to their manager" in response.content.decode()
    assert not Feedback.objects.exists()


def test_an_escalation_is_raised_and_shown_until_resolved(auditor_client):
    case = AuditCaseFactory(audit_round__held_on=datetime.date(2010, 9, 22))
    response = auditor_client.post(
        reverse("audits:escalation_create", args=[case.pk]),
        {
            **date_fields("raised_on", datetime.date(2010, 9, 23)),
            "to_agency": police().pk,
            "to_role": "Detective sergeant",
            "reason": "Plan not reviewed after new incident.",
            **date_fields("due_by", datetime.date(2010, 9, 30)),
        },
    )
    assert response.status_code == 302
    escalation = Escalation.objects.get()
    round_page = auditor_client.get(reverse("audits:round_detail", args=[case.audit_round_id])).content.decode()
    home_page = auditor_client.get(reverse("home")).content.decode()
    for page in (round_page, home_page):
        assert "Detective sergeant" in page
        assert "Overdue" in page
    auditor_client.post(
        reverse("audits:escalation_edit", args=[escalation.pk]),
        {
            "version": 1,
            **date_fields("raised_on", datetime.date(2010, 9, 23)),
            "to_agency": police().pk,
            "to_role": "Detective sergeant",
            "reason": "Plan not reviewed after new incident.",
            **date_fields("due_by", datetime.date(2010, 9, 30)),
            **date_fields("acknowledged_on", datetime.date(2010, 9, 24)),
            "action_taken": "Strategy discussion held.",
            "outcome": "Plan updated.",
            **date_fields("resolved_on", datetime.date(2010, 9, 28)),
        },
    )
    escalation.refresh_from_db()
    assert escalation.resolved_on == datetime.date(2010, 9, 28)
    assert "Detective sergeant" not in auditor_client.get(reverse("home")).content.decode()


def test_an_escalation_due_before_it_was_raised_is_refused(auditor_client):
    case = AuditCaseFactory()
    response = auditor_client.post(
        reverse("audits:escalation_create", args=[case.pk]),
        {
            **date_fields("raised_on", datetime.date(2010, 9, 23)),
            "to_agency": police().pk,
            "to_role": "Team manager",
            "reason": "Urgent",
            **date_fields("due_by", datetime.date(2010, 9, 1)),
        },
    )
    assert "The date due must be on or after the date raised" in response.content.decode()
    assert not Escalation.objects.exists()


def test_reopening_a_finalised_case_asks_for_the_reason(auditor_client):
    case = AuditCaseFactory(state=AuditCase.State.FINALISED)
    empty = auditor_client.post(reverse("audits:case_reopen", args=[case.pk]), {"version": 1, "reason": ""})
    assert "Enter why the case needs to be re-opened" in empty.content.decode()
    auditor_client.post(reverse("audits:case_reopen", args=[case.pk]), {"version": 1, "reason": "GP record found."})
    case.refresh_from_db()
    assert not case.is_finalised
    assert "GP record found." in auditor_client.get(reverse("audits:case_detail", args=[case.pk])).content.decode()


def test_an_appreciative_inquiry_family_is_recorded_without_grades(auditor_client):
    audit_round = AuditRoundFactory(kind=AuditRound.Kind.APPRECIATIVE_INQUIRY)
    auditor_client.post(
        reverse("audits:case_create", args=[audit_round.pk]),
        {
            "reference": "AI-2010-11-01",
            "categories": ["neglect"],
            **date_fields("plan_started_on", datetime.date(2009, 6, 15)),
            "sibling_records_read": "0",
            "parent_records_read": "2",
            "seen_as_stuck": "yes",
            "what_is_working": "School attendance is better.",
            "desired_outcomes": "Fewer professionals.",
        },
    )
    case = AuditCase.objects.get(reference="AI-2010-11-01")
    assert case.seen_as_stuck is True
    auditor_client.post(reverse("audits:participant_add", args=[case.pk]), {"agency": police().pk, "role": "PCSO"})
    page = auditor_client.get(reverse("audits:case_detail", args=[case.pk])).content.decode()
    assert "PCSO" in page
    assert "Agreed grades" not in page
    assert auditor_client.get(reverse("audits:case_grades", args=[case.pk])).status_code == 403


def test_the_case_page_shows_its_history_to_the_audit_team(auditor_client, auditor):
    case = AuditCaseFactory()
    auditor_client.post(reverse("audits:case_grades", args=[case.pk]), {"version": 1, "findings": "Drift in the plan."})
    content = auditor_client.get(reverse("audits:case_detail", args=[case.pk])).content.decode()
    assert "History" in content
    assert "Ann Auditor" in content
    assert "Drift in the plan." in content


def test_the_history_shows_one_entry_per_save_listing_what_it_changed(auditor_client):
    case = AuditCaseFactory()
    auditor_client.post(reverse("audits:record_create", args=[case.pk]), record_post(agency=police()))
    record = case.records.get()
    changed = record_post(agency=police(), version=record.version, findings="Chronology gaps found.")
    changed[f"answer_{selectors.scales().questions[0].pk}"] = "no"
    auditor_client.post(reverse("audits:record_detail", args=[record.pk]), changed)
    page = auditor_client.get(reverse("audits:case_detail", args=[case.pk])).content.decode()
    history = page[page.index('id="history"') :]
    rows = history.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0].count("<tr ")
    assert rows == 3  # the case (made here, outside a request); the record with its 5 grades and 7 answers; its change
    assert "Findings: Chronology kept up to date. → Chronology gaps found." in " ".join(history.split())
    assert "Answer: Yes → No" in history


def test_every_view_of_a_case_is_logged_as_a_read(auditor_client, auditor):
    case = AuditCaseFactory()
    reads = LogEntry.objects.filter(action=LogEntry.Action.ACCESS)
    auditor_client.get(reverse("audits:case_detail", args=[case.pk]))
    auditor_client.get(reverse("audits:case_detail", args=[case.pk]))
    assert reads.count() == 2
    assert {entry.actor for entry in reads} == {auditor}
    assert {entry.object_pk for entry in reads} == {str(case.pk)}


# --- Agency auditors --------------------------------------------------------------------------


def test_an_agency_auditor_sees_only_the_rounds_they_are_assigned_to(client, agency_auditor):
    mine = AuditRoundFactory(title="Mine", auditors=[agency_auditor])
    AuditRoundFactory(title="Not mine")
    content = sign_in(client, agency_auditor).get(reverse("audits:round_list")).content.decode()
    assert "Mine" in content
    assert "Not mine" not in content
    assert client.get(reverse("audits:round_detail", args=[mine.pk])).status_code == 200


def test_an_agency_auditor_edits_their_agencys_records_and_reads_the_rest(client, agency_auditor):
    case = AuditCaseFactory(audit_round=AuditRoundFactory(auditors=[agency_auditor]))
    own = CaseRecordFactory(case=case, agency=police())
    other = CaseRecordFactory(case=case, agency=Agency.objects.get(short_name="GP"))
    sign_in(client, agency_auditor)
    assert (
        client.post(reverse("audits:record_detail", args=[own.pk]), record_post(agency=police(), version=1)).status_code
        == 302
    )
    read_only = client.get(reverse("audits:record_detail", args=[other.pk]))
    assert "You can read this record but not change it" in read_only.content.decode()
    gp = Agency.objects.get(short_name="GP")
    assert (
        client.post(reverse("audits:record_detail", args=[other.pk]), record_post(agency=gp, version=1)).status_code
        == 403
    )
    other.refresh_from_db()
    assert other.version == 1


def test_an_agency_auditor_adds_records_only_for_their_own_agency(client, agency_auditor):
    case = AuditCaseFactory(audit_round=AuditRoundFactory(auditors=[agency_auditor]))
    sign_in(client, agency_auditor)
    gp = Agency.objects.get(short_name="GP")
    response = client.post(reverse("audits:record_create", args=[case.pk]), record_post(agency=gp))
    assert response.status_code == 200
    assert not CaseRecord.objects.exists()
    client.post(reverse("audits:record_create", args=[case.pk]), record_post(agency=police()))
    assert case.records.get().agency == police()


def test_an_agency_auditor_cannot_change_the_agreed_grades(client, agency_auditor):
    case = AuditCaseFactory(audit_round=AuditRoundFactory(auditors=[agency_auditor]))
    sign_in(client, agency_auditor)
    response = client.post(
        reverse("audits:case_grades", args=[case.pk]), {"version": 1, "overall_grade": grade("Good").pk}
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.overall_grade is None
    page = client.get(reverse("audits:case_detail", args=[case.pk])).content.decode()
    assert "Agree the grades and findings" not in page
    assert 'id="history"' not in page


@pytest.mark.parametrize("name", ["audits:case_detail", "audits:case_edit", "audits:record_create"])
def test_cases_outside_an_agency_auditors_rounds_do_not_exist_for_them(client, agency_auditor, name):
    case = AuditCaseFactory()
    assert sign_in(client, agency_auditor).get(reverse(name, args=[case.pk])).status_code == 404


def test_records_outside_an_agency_auditors_rounds_do_not_exist_for_them(client, agency_auditor):
    record = CaseRecordFactory(agency=police())
    sign_in(client, agency_auditor)
    for name in ("audits:record_detail", "audits:record_feedback"):
        assert client.get(reverse(name, args=[record.pk])).status_code == 404


@pytest.mark.parametrize("role", [Role.EXECUTIVE, Role.BOARD_MEMBER, Role.ADMINISTRATOR, Role.PROFESSIONAL_LEAD])
def test_executive_and_board_members_never_open_a_childs_case(client, role):
    record = CaseRecordFactory()
    escalation = EscalationFactory(case=record.case)
    sign_in(client, make_user(role))
    for url in (
        reverse("audits:round_detail", args=[record.case.audit_round_id]),
        reverse("audits:case_detail", args=[record.case_id]),
        reverse("audits:record_detail", args=[record.pk]),
        reverse("audits:escalation_edit", args=[escalation.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("audits:round_list")).status_code == 403


def test_an_extra_field_in_a_post_changes_nothing(auditor_client):
    audit_round = AuditRoundFactory()
    auditor_client.post(
        reverse("audits:case_create", args=[audit_round.pk]),
        {
            "reference": "MACA-2011-03-02",
            "categories": ["neglect"],
            **date_fields("plan_started_on", datetime.date(2010, 6, 1)),
            "sibling_records_read": "0",
            "parent_records_read": "0",
            "state": "finalised",
            "version": "99",
            "overall_grade": grade("Outstanding").pk,
        },
    )
    case = AuditCase.objects.get(reference="MACA-2011-03-02")
    assert (case.state, case.version, case.overall_grade) == (AuditCase.State.DRAFT, 1, None)


def test_a_question_retired_since_the_round_was_planned_stays_ticked_on_its_form(auditor_client):
    question = focus_question()
    audit_round = AuditRoundFactory(questions=[question])
    question.is_active = False
    question.save()
    content = auditor_client.get(reverse("audits:round_edit", args=[audit_round.pk])).content.decode()
    assert " checked" in question_boxes(content)[str(question.pk)]
    new_round = auditor_client.get(reverse("audits:round_create")).content.decode()
    assert str(question.pk) not in question_boxes(new_round)  # offered to no new round


# --- The home page's to-do list -------------------------------------------------------------


def test_the_audit_teams_home_page_lists_each_round_in_progress_with_its_next_step(auditor_client):
    planned = AuditRoundFactory(title="June 2011")
    collecting = AuditRoundFactory(
        title="May 2011", state=AuditRound.State.COLLECTING, returns_due_on=datetime.date(2011, 5, 11)
    )
    AuditCaseFactory(audit_round=collecting).expected_agencies.set([police()])
    AuditRoundFactory(title="March 2009", state=AuditRound.State.COMPLETED)
    page = auditor_client.get(reverse("home")).content.decode()
    assert "Next: Enter the date the agencies&#x27; returns are due" in page
    assert f'href="{reverse("audits:round_detail", args=[planned.pk])}"' in page
    assert "May 2011" in page
    assert "Collecting returns" in page
    assert "1 agency return overdue." in page  # due in 2011, not started
    assert "March 2009" not in page


def test_an_agency_auditors_home_page_lists_their_returns_and_what_to_do_without_cases(client, agency_auditor):
    waiting = AuditRoundFactory(title="May 2011", returns_due_on=datetime.date(2011, 5, 11))
    waiting.auditors.set([agency_auditor])
    case = AuditCaseFactory(audit_round=waiting, reference="MACA-2011-05-01")
    case.expected_agencies.set([police()])
    empty = AuditRoundFactory(title="June 2011")
    empty.auditors.set([agency_auditor])
    AuditRoundFactory(title="Not theirs")
    page = sign_in(client, agency_auditor).get(reverse("home")).content.decode()
    assert "Your agency's returns" in page
    assert "1 return to complete, due by 11 May 2011: MACA-2011-05-01." in page
    assert "No cases have been added to this round yet." in page
    assert "Not theirs" not in page
