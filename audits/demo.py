"""Demo case audits, shaped on the seed report (../shared/seed): four rounds of multi-
agency case audits between March 2009 and September 2010, 36 children in all, two
Appreciative Inquiry families, two requests for immediate intervention, and checklist
answers that give the report's "90% of files had evidence of supervision" and "100% had
up-to-date minutes and CP plan" for September 2010. Everything else is made up, but
deterministic: the same every time. Loaded only by `manage.py seed_demo`, and only
through the services, so the demo obeys every rule a person entering it would."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from audits import selectors, services
from audits.models import AuditCase, AuditRound, CaseRecord, ChecklistAnswer, ChecklistQuestion, Feedback, Grade, Theme
from dscb.models import Agency, User

SUPERVISION = "Evidence of supervision or management oversight on file"
MINUTES_AND_PLAN = "Up-to-date CP plan and minutes on file"
CATEGORIES = [
    ["neglect"],
    ["emotional"],
    ["physical"],
    ["neglect", "emotional"],
    ["sexual"],
    ["neglect"],
    ["physical", "emotional"],
    ["emotional"],
]
RECORD_AGENCIES = ["Police", "EY&F", "GP", "Health Visiting", "Education", "School Nursing", "DPT"]


@dataclass(frozen=True)
class DemoRound:
    title: str
    held_on: datetime.date
    prefix: str
    focus: str
    # Overall grade of each case, in order.
    overall: tuple[str, ...]
    # Share of agency records with evidence of supervision, and with up-to-date minutes and plan.
    supervision_share: float
    minutes_share: float
    lead_agency: str = "EY&F"


ROUNDS = (
    DemoRound(
        "March 2009",
        datetime.date(2009, 3, 25),
        "MACA-2009-03",
        "The initial multi-agency case audit: eight children subject to a child protection plan.",
        ("Inadequate", "Adequate", "Inadequate", "Inadequate", "Adequate", "Inadequate", "Adequate", "Inadequate"),
        0.45,
        0.6,
    ),
    DemoRound(
        "December 2009",
        datetime.date(2009, 12, 9),
        "MACA-2009-12",
        "Chronologies, neglect and the quality of recording.",
        (
            "Adequate",
            "Inadequate",
            "Adequate",
            "Adequate",
            "Good",
            "Adequate",
            "Inadequate",
            "Adequate",
            "Adequate",
            "Adequate",
        ),
        0.6,
        0.7,
    ),
    DemoRound(
        "April 2010",
        datetime.date(2010, 4, 21),
        "MACA-2010-04",
        "Children subject to a plan for more than a year, and the use of Appreciative Inquiry.",
        (
            "Adequate",
            "Good",
            "Adequate",
            "Adequate",
            "Inadequate",
            "Adequate",
            "Good",
            "Adequate",
            "Adequate",
            "Adequate",
        ),
        0.75,
        0.85,
    ),
    DemoRound(
        "September 2010 (Integrated Children's Service)",
        datetime.date(2010, 9, 22),
        "MACA-2010-09",
        "Children with additional needs known to the Integrated Children's Service.",
        ("Good", "Adequate", "Adequate", "Adequate", "Adequate", "Adequate", "Adequate", "Adequate"),
        0.9,
        1.0,
        lead_agency="ICS",
    ),
)

FINDINGS = {
    "Outstanding": "Exemplary multi-agency practice throughout the plan.",
    "Good": "Agencies worked well together; the plan was specific and reviewed on time.",
    "Adequate": "The plan kept the child safe, with gaps in recording and shared chronology.",
    "Inadequate": "Risks were not shared promptly and the plan had not been reviewed when it should have been.",
}


def _exact_share(count: int, share: float) -> list[bool]:
    """``count`` answers of which exactly round(count * share) are yes, spread evenly."""
    yes = round(count * share)
    return [(index * yes) // count != ((index + 1) * yes) // count for index in range(count)]


def load() -> None:
    create_demo_audits()


@transaction.atomic
def create_demo_audits() -> None:
    if AuditRound.objects.filter(title=ROUNDS[0].title).exists():
        return  # Loaded before: running the demo command again adds nothing.
    agencies = {agency.short_name: agency for agency in Agency.objects.all()}
    grades = {grade.label: grade for grade in Grade.objects.all()}
    themes = list(Theme.objects.active())
    auditor = User.objects.get(email="auditor@example.org")
    agency_auditor = User.objects.get(email="agency.auditor@example.org")

    for round_index, spec in enumerate(ROUNDS):
        audit_round = services.round_create(
            by=auditor,
            title=spec.title,
            held_on=spec.held_on,
            focus=spec.focus,
            agencies=[agencies[name] for name in [*RECORD_AGENCIES, spec.lead_agency, "Probation", "YOS"]],
            auditors=[auditor, agency_auditor] if round_index == len(ROUNDS) - 1 else [auditor],
            dates=_dates(spec.held_on),
        )
        questions = selectors.round_questions(audit_round)
        # The other agencies whose records are read: never the lead agency's twice.
        other_agencies = [name for name in RECORD_AGENCIES if name != spec.lead_agency]
        records_per_case = 5
        total_records = len(spec.overall) * records_per_case
        supervision = _exact_share(total_records, spec.supervision_share)
        minutes = _exact_share(total_records, spec.minutes_share)
        record_number = 0
        cases: list[tuple[AuditCase, list[str]]] = []
        for case_index in range(len(spec.overall)):
            record_agencies = [
                spec.lead_agency if index == 0 else other_agencies[(case_index + index) % len(other_agencies)]
                for index in range(records_per_case)
            ]
            cases.append(
                (
                    services.case_create(
                        audit_round=audit_round,
                        by=auditor,
                        details=services.CaseDetails(
                            reference=f"{spec.prefix}-{case_index + 1:02d}",
                            categories=CATEGORIES[case_index % len(CATEGORIES)],
                            plan_started_on=spec.held_on - datetime.timedelta(days=70 + 45 * case_index),
                            sibling_records_read=case_index % 3,
                            parent_records_read=1 + case_index % 2,
                            expected_agencies=[agencies[name] for name in record_agencies],
                        ),
                    ),
                    record_agencies,
                )
            )
        audit_round = _move_on(audit_round, auditor)  # collecting returns
        for case_index, ((case, record_agencies), overall) in enumerate(zip(cases, spec.overall, strict=True)):
            # September 2010: each adequate case fell short of adequate on exactly one theme.
            below_threshold_theme = themes[case_index % len(themes)] if overall == "Adequate" else None
            agreed: dict[Theme, Grade | None] = {}
            for theme_index, theme in enumerate(themes):
                if spec.prefix == "MACA-2010-09":
                    label = (
                        "Inadequate"
                        if theme == below_threshold_theme
                        else ("Good" if overall == "Good" else "Adequate")
                    )
                elif overall == "Inadequate":
                    label = "Inadequate" if theme_index % 2 == 0 else "Adequate"
                else:
                    label = overall if theme_index != 2 else "Adequate"
                agreed[theme] = grades[label]

            for record_index, agency_name in enumerate(record_agencies):
                answers: dict[ChecklistQuestion, tuple[str, str]] = {}
                for question in questions:
                    if question.text == SUPERVISION:
                        value = supervision[record_number]
                    elif question.text == MINUTES_AND_PLAN:
                        value = minutes[record_number]
                    else:
                        value = (record_number + question.pk) % 4 != 0
                    answers[question] = (ChecklistAnswer.Answer.YES if value else ChecklistAnswer.Answer.NO, "")
                record = services.record_create(
                    case=case,
                    by=auditor,
                    details=services.RecordDetails(
                        agency=agencies[agency_name],
                        subject=CaseRecord.Subject.CHILD if record_index < 3 else CaseRecord.Subject.PARENT_OR_CARER,
                        records_read=1 + (case_index + record_index) % 3,
                        findings=f"{agency_name} records: {FINDINGS[overall]}",
                        grades=agreed,
                        answers=answers,
                    ),
                )
                # The most recent round still owes some feedback to managers and agencies.
                owed = spec.prefix == "MACA-2010-09" and case_index >= 6
                given_on = spec.held_on + datetime.timedelta(days=14)
                services.feedback_record(
                    record=record,
                    by=auditor,
                    entries={
                        recipient: services.FeedbackEntry(given_on=given_on, given_by=auditor)
                        for recipient in Feedback.Recipient.values
                        if not owed or recipient == Feedback.Recipient.PRACTITIONER
                    },
                    versions={},
                )
                record_number += 1
            case = services.case_agree_grades(
                case=case,
                by=auditor,
                expected_version=case.version,
                theme_grades=agreed,
                overall_grade=grades[overall],
                findings=FINDINGS[overall],
                strengths="Regular core group meetings with good attendance." if overall != "Inadequate" else "",
                areas_for_development="Keep a shared multi-agency chronology and record supervision decisions.",
            )
            services.case_finalise(case=case, by=auditor, expected_version=case.version)
        audit_round = _move_on(audit_round, auditor)  # moderation
        audit_round = _move_on(audit_round, auditor)  # feedback
        if not selectors.round_progress(audit_round, today=timezone.localdate()).needs:
            _move_on(audit_round, auditor)  # completed; the latest round still owes feedback

    _create_escalations(agencies, auditor)
    _create_appreciative_inquiry(agencies, auditor)
    _create_round_at_the_panel(agencies, grades, themes, auditor)
    _create_round_collecting_returns(agencies, grades, themes, auditor, agency_auditor)
    _create_planned_round(agencies, auditor, agency_auditor)


def _add_return(
    case: AuditCase,
    agency: Agency,
    auditor: User,
    *,
    grade: Grade,
    themes: list[Theme],
    questions: list[ChecklistQuestion],
) -> None:
    services.record_create(
        case=case,
        by=auditor,
        details=services.RecordDetails(
            agency=agency,
            subject=CaseRecord.Subject.CHILD,
            records_read=2,
            findings=f"{agency.short_name} records: {FINDINGS.get(grade.label, '')}",
            grades=dict.fromkeys(themes, grade),
            answers=dict.fromkeys(questions, (ChecklistAnswer.Answer.YES, "")),
        ),
    )


def _create_round_at_the_panel(
    agencies: dict[str, Agency],
    grades: dict[str, Grade],
    themes: list[Theme],
    auditor: User,
) -> None:
    """April 2011: every return in, one case's grades agreed (ready to finalise), the panel
    still to meet on the other.
    On the second case the agencies' grades differ by two levels, for the panel to moderate."""
    held_on = datetime.date(2011, 4, 20)
    taking_part = [agencies[name] for name in ("Police", "EY&F", "Health Visiting")]
    audit_round = services.round_create(
        by=auditor,
        title="April 2011",
        held_on=held_on,
        focus="Children on a plan for neglect.",
        agencies=taking_part,
        auditors=[auditor],
        dates=_dates(held_on),
    )
    questions = selectors.round_questions(audit_round)
    cases = [
        services.case_create(
            audit_round=audit_round,
            by=auditor,
            details=services.CaseDetails(
                reference=f"MACA-2011-04-0{number}",
                categories=["neglect"],
                plan_started_on=held_on - datetime.timedelta(days=120 * number),
                expected_agencies=taking_part,
            ),
        )
        for number in (1, 2)
    ]
    audit_round = _move_on(audit_round, auditor)  # collecting returns
    labels = [grade.label for grade in grades.values()]
    for case_number, case in enumerate(cases):
        for agency_number, agency in enumerate(taking_part):
            # The second case: the best grade from one agency, two levels lower from another.
            label = labels[min(agency_number * 2, len(labels) - 1)] if case_number else labels[1]
            _add_return(case, agency, auditor, grade=grades[label], themes=themes, questions=questions)
    audit_round = _move_on(audit_round, auditor)  # moderation
    first = AuditCase.objects.get(pk=cases[0].pk)
    services.case_agree_grades(
        case=first,
        by=auditor,
        expected_version=first.version,
        theme_grades=dict.fromkeys(themes, grades[labels[1]]),
        overall_grade=grades[labels[1]],
        findings="Agencies worked well together on a clear plan.",
    )


def _create_round_collecting_returns(
    agencies: dict[str, Agency],
    grades: dict[str, Grade],
    themes: list[Theme],
    auditor: User,
    agency_auditor: User,
) -> None:
    """May 2011: returns overdue from some agencies, the Police's in for one case of two.
    Its focus is domestic abuse: it asks the domestic abuse questions too."""
    held_on = datetime.date(2011, 5, 25)
    taking_part = [agencies[name] for name in ("Police", "EY&F", "GP", "Education")]
    focus_questions = ChecklistQuestion.objects.active().filter(
        in_default_set=False, text__startswith="Domestic abuse:"
    )
    audit_round = services.round_create(
        by=auditor,
        title="May 2011",
        held_on=held_on,
        focus="Children on a plan for emotional abuse where domestic abuse is a factor.",
        agencies=taking_part,
        auditors=[auditor, agency_auditor],
        dates=_dates(held_on),
        questions=[*selectors.default_questions(), *focus_questions],
    )
    questions = selectors.round_questions(audit_round)
    cases = [
        services.case_create(
            audit_round=audit_round,
            by=auditor,
            details=services.CaseDetails(
                reference=f"MACA-2011-05-0{number}",
                categories=["emotional"],
                plan_started_on=held_on - datetime.timedelta(days=90 * number),
                expected_agencies=taking_part[: 2 + number],
            ),
        )
        for number in (1, 2)
    ]
    _move_on(audit_round, auditor)  # collecting returns
    _add_return(
        cases[0], agencies["Police"], auditor, grade=grades[list(grades)[1]], themes=themes, questions=questions
    )
    services.record_create(
        case=cases[0],
        by=auditor,
        details=services.RecordDetails(
            agency=agencies["EY&F"], subject=CaseRecord.Subject.CHILD, records_read=1, findings="Started: to finish."
        ),
    )


def _dates(held_on: datetime.date) -> services.RoundDates:
    """Returns due a fortnight before the audit day (the panel), feedback four weeks after."""
    return services.RoundDates(
        returns_due_on=held_on - datetime.timedelta(days=14),
        panel_on=held_on,
        feedback_due_on=held_on + datetime.timedelta(days=28),
    )


def _move_on(audit_round: AuditRound, auditor: User) -> AuditRound:
    audit_round.refresh_from_db()
    return services.round_move_on(audit_round=audit_round, by=auditor, expected_version=audit_round.version)


def _create_escalations(agencies: dict[str, Agency], auditor: User) -> None:
    """The seed: "in two cases the audit team requested immediate intervention to make
    sure the child protection plan was reviewed and updated"."""
    for reference, raised_on in (
        ("MACA-2009-03-03", datetime.date(2009, 3, 26)),
        ("MACA-2009-03-08", datetime.date(2009, 3, 27)),
    ):
        escalation = services.escalation_raise(
            case=AuditCase.objects.select_related("audit_round").get(reference=reference),
            by=auditor,
            raised_on=raised_on,
            to_agency=agencies["EY&F"],
            to_role="Practice manager",
            reason="The child protection plan had not been reviewed in time and no longer reflected the risks.",
            due_by=raised_on + datetime.timedelta(days=7),
        )
        services.escalation_update(
            escalation=escalation,
            by=auditor,
            expected_version=escalation.version,
            raised_on=escalation.raised_on,
            to_agency=escalation.to_agency,
            to_role=escalation.to_role,
            reason=escalation.reason,
            due_by=escalation.due_by,
            acknowledged_on=raised_on + datetime.timedelta(days=1),
            action_taken="Review conference brought forward; core group reconvened.",
            outcome="The plan was reviewed and updated, with named leads for each action.",
            resolved_on=raised_on + datetime.timedelta(days=6),
        )


def _create_appreciative_inquiry(agencies: dict[str, Agency], auditor: User) -> None:
    """Two families, each on a plan for more than 12 months and seen as "stuck"."""
    held_on = datetime.date(2010, 11, 17)
    audit_round = services.round_create(
        by=auditor,
        title="Appreciative Inquiry, November 2010",
        held_on=held_on,
        kind=AuditRound.Kind.APPRECIATIVE_INQUIRY,
        focus="Families on a child protection plan for more than 12 months, seen by professionals as stuck.",
        agencies=[agencies[name] for name in ("EY&F", "Police", "Health Visiting", "Education", "DPT")],
        auditors=[auditor],
        dates=_dates(held_on),
    )
    families = (
        ("AI-2010-11-01", datetime.date(2009, 6, 15), ["neglect"]),
        ("AI-2010-11-02", datetime.date(2009, 2, 2), ["emotional", "neglect"]),
    )
    for reference, plan_started_on, categories in families:
        case = services.case_create(
            audit_round=audit_round,
            by=auditor,
            details=services.CaseDetails(
                reference=reference,
                categories=categories,
                plan_started_on=plan_started_on,
                parent_records_read=2,
                sibling_records_read=1,
                seen_as_stuck=True,
                what_is_working="Regular contact with the health visitor; the school reports better attendance.",
                desired_outcomes="A plan shared with the family, fewer professionals, and clear steps to step down.",
            ),
        )
        for agency_name, role in (
            ("EY&F", "Social worker"),
            ("Health Visiting", "Health visitor"),
            ("Education", "Designated teacher"),
        ):
            services.participant_add(case=case, agency=agencies[agency_name], role=role)
        services.case_finalise(case=case, by=auditor, expected_version=case.version)
    for _ in range(4):
        audit_round = _move_on(audit_round, auditor)  # collecting, moderation, feedback, completed


def _create_planned_round(agencies: dict[str, Agency], auditor: User, agency_auditor: User) -> None:
    """A round not yet started, so the demo shows planning and entering a case."""
    services.round_create(
        by=auditor,
        title="June 2011",
        held_on=datetime.date(2011, 6, 15),
        focus="Children subject to a plan under the category of sexual abuse.",
        agencies=[agencies[name] for name in ("Police", "EY&F", "GP", "Education", "Probation")],
        auditors=[auditor, agency_auditor],
        dates=services.RoundDates(returns_due_on=datetime.date(2011, 6, 1)),
    )
