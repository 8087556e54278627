"""The case audits' emails: whom each goes to, when, and the key that stops it going
twice (README, "Emails the service sends"). The services call these once their work is
done; nothing here decides anything."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings

from audits import selectors
from audits.models import AuditRound, Escalation
from audits.selectors import ReturnStatus
from dscb.emails import link_to, send_once, send_once_to_address, send_to_each
from dscb.roles import Role
from dscb.selectors import people_with_role

if TYPE_CHECKING:
    from collections.abc import Iterable

    from audits.models import AuditCase
    from dscb.models import Agency, SentEmail, User

# The returns still to come from an agency, for a reminder.
WAITING = {ReturnStatus.NOT_STARTED, ReturnStatus.IN_PROGRESS, ReturnStatus.OVERDUE}


def _context(**values: object) -> dict[str, object]:
    return {"board_name": settings.BOARD_NAME, **values}


def auditors_assigned(audit_round: AuditRound, people: Iterable[User]) -> None:
    """Each auditor newly assigned to a round: what is expected of them and by when."""
    for person in people:
        send_once(
            key=f"round-assigned:{audit_round.pk}:to:{person.pk}",
            template="audits/email/round_assigned",
            context=_context(
                audit_round=audit_round, agency=person.agency, link=link_to("audits:round_detail", audit_round.pk)
            ),
            to=person,
        )


def return_complete(case: AuditCase, agency: Agency) -> None:
    """The audit team, when an agency's return for a case is complete."""
    records = [record for record in selectors.case_records(case) if record.agency_id == agency.pk]
    status = selectors.return_status(
        expected=True, records=records, scales=selectors.scales(case.audit_round), overdue=False
    )
    if status != ReturnStatus.COMPLETE:
        return
    send_to_each(
        key=f"return-complete:{case.pk}:{agency.pk}",
        template="audits/email/return_complete",
        context=_context(
            case=case, agency=agency, audit_round=case.audit_round, link=link_to("audits:case_detail", case.pk)
        ),
        people=people_with_role(Role.AUDIT_TEAM),
    )


def escalation_raised(escalation: Escalation) -> None:
    """The person asked to act, at the address the audit team typed: the board reference,
    what is asked and by when. No link (they may have no account) and nothing else about
    the child."""
    send_once_to_address(
        key=f"escalation-raised:{escalation.pk}",
        template="audits/email/escalation_raised",
        context=_context(escalation=escalation),
        address=escalation.to_email,
    )


def send_reminders(*, today: datetime.date, days_before: int) -> list[SentEmail]:
    """Each agency auditor of a round collecting returns, for their agency's returns still
    waiting: once when they are due within ``days_before`` days, once more when overdue.
    The audit team, once, for each request for immediate intervention past its date."""
    sent: list[SentEmail] = []
    collecting = AuditRound.objects.filter(state=AuditRound.State.COLLECTING, returns_due_on__isnull=False)
    for audit_round in collecting:
        due = audit_round.returns_due_on or today
        if today > due:
            kind = "overdue"
        elif (due - today).days <= days_before:
            kind = "due"
        else:
            continue
        grid = selectors.round_progress(audit_round, today=today).grid
        for auditor in audit_round.auditors.filter(is_active=True, agency__isnull=False).select_related("agency"):
            agency_pk = auditor.agency_id
            waiting = [row.case.reference for row in grid if row.statuses.get(agency_pk or 0) in WAITING]
            if not waiting:
                continue
            email = send_once(
                key=f"returns-{kind}:{audit_round.pk}:to:{auditor.pk}",
                template="audits/email/returns_reminder",
                context=_context(
                    audit_round=audit_round,
                    agency=auditor.agency,
                    waiting=waiting,
                    overdue=kind == "overdue",
                    link=link_to("audits:round_detail", audit_round.pk),
                ),
                to=auditor,
            )
            if email is not None:
                sent.append(email)
    team = list(people_with_role(Role.AUDIT_TEAM))
    for escalation in Escalation.objects.overdue(today).select_related("case", "to_agency"):
        sent += send_to_each(
            key=f"escalation-overdue:{escalation.pk}",
            template="audits/email/escalation_overdue",
            context=_context(escalation=escalation, link=link_to("audits:case_detail", escalation.case_id)),
            people=team,
        )
    return sent
