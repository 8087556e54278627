"""Subject access (UK GDPR Article 15; SECURITY.md row 34): everything the service holds
about one child, found by the board reference, as one ZIP an administrator gives to the
board's information governance lead to review, redact and release.

The ZIP holds ``subject-access.pdf`` (to read), ``subject-access.json`` (the same, for a
machine: the keys below are the format and stay stable) and ``README.txt`` (what is in
it, and what must be redacted before release). It lives in ``reports`` because it reads
the cases (``audits``) and renders its PDF through the one WeasyPrint path
(``reports.renderers``), whose URL fetcher serves only our static files.

JSON format ``FORMAT``: ``reference``, ``produced_on`` (ISO date), ``produced_at`` (ISO
date and time), ``produced_by``, ``board``, and ``cases``, one per audited case with:
``reference``, ``round`` (``title``, ``held_on``, ``kind``, ``state``), ``state``,
``categories``, ``plan_started_on``, ``sibling_records_read``, ``parent_records_read``,
``expected_agencies``, ``overall_grade``, ``findings``, ``strengths``,
``areas_for_development``, ``seen_as_stuck``, ``what_is_working``, ``desired_outcomes``,
``theme_grades`` (``theme``, ``grade``), ``records`` (``agency``, ``subject``,
``records_read``, ``findings``, ``strengths``, ``areas_for_development``,
``feedback_not_needed``, ``grades``, ``answers`` (``theme``, ``question``, ``answer``,
``comment``), ``feedback`` (``recipient``, ``given_on``, ``given_by``, ``notes``)),
``requests_for_intervention``, ``participants`` (``agency``, ``role``), ``reopenings``
(``reopened_at``, ``reopened_by``, ``reason``), ``history`` (``at``, ``by``, ``action``,
``object``, ``changes``: field to [before, after]) and ``reads`` (``at``, ``by``,
``object``). Dates are ISO 8601; what was never given is null or "".
"""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from auditlog.models import LogEntry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from audits.models import AuditCase, CaseRecord, ChecklistAnswer
from audits.services import board_reference
from dscb import security
from dscb.selectors import logged_about
from reports.renderers import pdf_html, write_tagged

if TYPE_CHECKING:
    from dscb.models import User

# The security log (dscb.readlog, dscb.signals): who produced an export, and of which cases.

FORMAT = "dscb-subject-access/1"
UNKNOWN_REFERENCE = "No case has this board reference. Check the reference and try again"

README = """\
Subject access export: board reference {reference}
Produced on {produced_on} by {produced_by}, {board}.
Protective marking: {marking}

This ZIP holds everything the service keeps about the child audited under this board
reference, in every round they were audited:

  subject-access.pdf   the same content, to read and print
  subject-access.json  the same content for a machine (format {format}; the keys are
                       described at the top of reports/subject_access.py)
  README.txt           this file

For each case: the round, the child protection plan's categories and start date, the
grades agreed on each theme and overall, the findings, each agency's records (their
grades, checklist answers and findings), the feedback given, the requests for immediate
intervention, the Appreciative Inquiry participants (by agency and role), the times the
case was re-opened, the history of every change (who, when, what) and every time the
case or anything in it was read (who and when), this export included.

BEFORE RELEASE
This is not yet fit to send to the requester. Someone trained in data protection must
review all of it and redact third-party details: the names of practitioners, managers
and staff (in the history, the reads, the feedback and free text), other family members
(siblings, parents and carers, other adults) and anything else about another person,
unless they consented or it is reasonable to disclose without consent (Data Protection
Act 2018, Schedule 2, paragraph 16). Consider whether any exemption applies, for example
where disclosure would be likely to cause serious harm.

Answer the request within one month of receiving it (UK GDPR Article 12(3)). Keep this
file as securely as the case itself, and delete it once the request is closed.
"""


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _person(user: User | None) -> str:
    return str(user) if user is not None else ""


def _cases(reference: str) -> QuerySet[AuditCase]:
    return AuditCase.objects.filter(reference=board_reference(reference)).order_by("audit_round__held_on", "pk")


def _found(cases: QuerySet[AuditCase]) -> list[AuditCase]:
    found = list(cases)
    if not found:
        raise ValidationError({"reference": UNKNOWN_REFERENCE}, code="unknown")
    return found


def cases_with(reference: str) -> list[AuditCase]:
    """The cases with ``reference`` (however it was typed), and nothing in them: what asking
    for an export checks and records; a ValidationError keyed "reference" when there are none."""
    return _found(_cases(reference))


def cases_for(reference: str) -> list[AuditCase]:
    """The cases with ``reference`` (however it was typed), with everything in them; a
    ValidationError keyed "reference" when there are none."""
    records = CaseRecord.objects.select_related("agency").prefetch_related(
        "grades__theme",
        "grades__grade",
        Prefetch(
            "answers",
            queryset=ChecklistAnswer.objects.select_related("question__theme").order_by(
                "question__theme__position", "question__position", "question__pk"
            ),
        ),
        "feedback__given_by",
    )
    return _found(
        _cases(reference)
        .select_related("audit_round", "overall_grade")
        .prefetch_related(
            "expected_agencies",
            "theme_ratings__theme",
            "theme_ratings__grade",
            Prefetch("records", queryset=records),
            "escalations__to_agency",
            "escalations__raised_by",
            "participants__agency",
            "reopenings__reopened_by",
        )
    )


def _log(case: AuditCase) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The case's history (every change to it and everything in it) and its reads, oldest first."""
    history, reads = [], []
    entries = (
        logged_about(key="case_id", pk=case.pk).select_related("actor", "content_type").order_by("timestamp", "pk")
    )
    for entry in entries:
        base = {"at": entry.timestamp.isoformat(), "by": _person(entry.actor), "object": entry.object_repr}
        if entry.action == LogEntry.Action.ACCESS:
            reads.append(base)
        else:
            history.append(base | {"action": entry.get_action_display(), "changes": entry.changes_dict})
    return history, reads


def _record(record: CaseRecord) -> dict[str, Any]:
    return {
        "agency": record.agency.name,
        "subject": record.get_subject_display(),
        "records_read": record.records_read,
        "findings": record.findings,
        "strengths": record.strengths,
        "areas_for_development": record.areas_for_development,
        "feedback_not_needed": record.feedback_not_needed,
        "grades": [
            {"theme": g.theme.name, "grade": g.grade.label}
            for g in sorted(record.grades.all(), key=lambda g: g.theme.position)
        ],
        "answers": [
            {
                "theme": answer.question.theme.name,
                "question": answer.question.text,
                "answer": answer.get_answer_display(),
                "comment": answer.comment,
            }
            for answer in record.answers.all()
        ],
        "feedback": [
            {
                "recipient": feedback.get_recipient_display(),
                "given_on": _date(feedback.given_on),
                "given_by": _person(feedback.given_by),
                "notes": feedback.notes,
            }
            for feedback in record.feedback.all()
        ],
    }


def _case(case: AuditCase) -> dict[str, Any]:
    history, reads = _log(case)
    audit_round = case.audit_round
    return {
        "reference": case.reference,
        "round": {
            "title": audit_round.title,
            "held_on": _date(audit_round.held_on),
            "kind": audit_round.get_kind_display(),
            "state": audit_round.get_state_display(),
        },
        "state": case.get_state_display(),
        "categories": case.categories,
        "plan_started_on": _date(case.plan_started_on),
        "sibling_records_read": case.sibling_records_read,
        "parent_records_read": case.parent_records_read,
        "expected_agencies": [agency.name for agency in case.expected_agencies.all()],
        "overall_grade": case.overall_grade.label if case.overall_grade else None,
        "findings": case.findings,
        "strengths": case.strengths,
        "areas_for_development": case.areas_for_development,
        "seen_as_stuck": case.seen_as_stuck,
        "what_is_working": case.what_is_working,
        "desired_outcomes": case.desired_outcomes,
        "theme_grades": [{"theme": r.theme.name, "grade": r.grade.label} for r in case.theme_ratings.all()],
        "records": [_record(record) for record in case.records.all()],
        "requests_for_intervention": [
            {
                "raised_on": _date(escalation.raised_on),
                "raised_by": _person(escalation.raised_by),
                "to_agency": escalation.to_agency.name,
                "to_role": escalation.to_role,
                "to_email": escalation.to_email,
                "reason": escalation.reason,
                "due_by": _date(escalation.due_by),
                "acknowledged_on": _date(escalation.acknowledged_on),
                "action_taken": escalation.action_taken,
                "outcome": escalation.outcome,
                "resolved_on": _date(escalation.resolved_on),
                "withdrawn_on": _date(escalation.withdrawn_on),
                "withdrawal_reason": escalation.withdrawal_reason,
            }
            for escalation in case.escalations.all()
        ],
        "participants": [{"agency": p.agency.name, "role": p.role} for p in case.participants.all()],
        "reopenings": [
            {"reopened_at": r.reopened_at.isoformat(), "reopened_by": _person(r.reopened_by), "reason": r.reason}
            for r in case.reopenings.all()
        ],
        "history": history,
        "reads": reads,
    }


def subject_access_data(reference: str, *, by: User, today: datetime.date) -> dict[str, Any]:
    """Everything about the child with ``reference``, as the JSON says (see the module's doc)."""
    cases = cases_for(reference)
    return {
        "format": FORMAT,
        "reference": cases[0].reference,
        "produced_on": today.isoformat(),
        "produced_at": timezone.now().isoformat(),
        "produced_by": _person(by),
        "board": settings.BOARD_NAME,
        "cases": [_case(case) for case in cases],
    }


def subject_access_pdf(data: dict[str, Any]) -> bytes:
    html = render_to_string("reports/pdf/subject_access.html", {"data": data, "marking": settings.PROTECTIVE_MARKING})
    return write_tagged(pdf_html(html))


def subject_access_zip(data: dict[str, Any]) -> bytes:
    """The ZIP of ``subject_access_data``: the PDF, the JSON and a README."""
    readme = README.format(
        reference=data["reference"],
        produced_on=data["produced_on"],
        produced_by=data["produced_by"],
        board=data["board"],
        marking=settings.PROTECTIVE_MARKING,
        format=FORMAT,
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme)
        archive.writestr("subject-access.json", json.dumps(data, indent=2, ensure_ascii=False))
        archive.writestr("subject-access.pdf", subject_access_pdf(data))
    return buffer.getvalue()


def file_name(reference: str, made_on: datetime.date) -> str:
    return f"subject-access-{board_reference(reference)}-{made_on.isoformat()}.zip"


def subject_access_produced(request: HttpRequest, reference: str, cases: Sequence[AuditCase]) -> None:
    """Producing an export is a security event, kept by case number, not reference: no
    case data in the security log (SECURITY.md row 31)."""
    security.record(
        security.Kind.SUBJECT_ACCESS_EXPORT,
        request=request,
        user=request.user,
        cases=[case.pk for case in cases],
    )
