"""The case audit lists' cells and the grade tag, written in Python (format_html) as
dscb.cells explains. The grade tag's partial (grade_tag.html) prints the same function."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString

from audits import selectors
from audits.models import Escalation, Grade
from audits.selectors import FeedbackOwed
from dscb import cells
from dscb.lists import id_url

ESCALATION_COLOURS = {"Resolved": "green", "Withdrawn": "grey", "Overdue": "red", "Acknowledged": "yellow"}
RETURN_COLOURS = {"Complete": "green", "Overdue": "red", "In progress": "light-blue"}


def grade_tag(grade: Grade | None) -> SafeString:
    """A grade with its word, never colour alone (its colours are data:
    recommendations/scales.css); no grade is named by the grade scale."""
    if grade:
        return format_html('<strong class="govuk-tag app-grade app-grade--{}">{}</strong>', grade.pk, grade.label)
    return format_html("{}", selectors.grade_scale().not_rated)


def case_state(case: object, value: str) -> SafeString:
    return cells.tag(value, "green" if getattr(case, "is_finalised", False) else "grey")


def return_status(row: object, value: str) -> SafeString:
    if value == "Not expected":
        return format_html('<span class="govuk-hint govuk-!-margin-0">{}</span>', value)
    return cells.tag(value, RETURN_COLOURS.get(value, "grey"))


def escalation_status(*, can_manage: bool) -> cells.Html:
    """The request's status and, for the audit team, links to update or withdraw it."""
    edit_url, withdraw_url = id_url("audits:escalation_edit"), id_url("audits:escalation_withdraw")

    def html(escalation: Escalation, value: str) -> SafeString:
        status = cells.tag(value, ESCALATION_COLOURS.get(value, "orange"))
        if not can_manage or escalation.withdrawn_on is not None:
            return status

        def action(url: str, words: str) -> SafeString:
            return format_html(
                ' <a class="govuk-link govuk-!-margin-left-2" href="{}">{}'
                '<span class="govuk-visually-hidden"> the request on {}</span></a>',
                url,
                words,
                escalation.case.reference,
            )

        update = action(edit_url(escalation.pk), "Update")
        withdraw = action(withdraw_url(escalation.pk), "Withdraw") if escalation.resolved_on is None else ""
        return format_html("{}{}{}", status, update, withdraw)

    return html


def feedback_record(*, can_manage: bool) -> cells.Html:
    """The agency record and, for the audit team, links to give feedback or say none is needed."""
    feedback_url, not_needed_url = id_url("audits:record_feedback"), id_url("audits:feedback_not_needed")

    def html(owed: FeedbackOwed, value: str) -> SafeString:
        if not can_manage:
            return format_html("{}", value)
        return format_html(
            '<a class="govuk-link" href="{}">{}</a> <a class="govuk-link govuk-!-margin-left-2" href="{}">Not needed'
            '<span class="govuk-visually-hidden">: feedback on {}, {}</span></a>',
            feedback_url(owed.record.pk),
            value,
            not_needed_url(owed.record.pk),
            owed.record.case.reference,
            value,
        )

    return html
