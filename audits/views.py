"""Case audit pages. Views stay thin: the access policy, a form, a service, a redirect."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audits import returns, selectors, services
from audits.access import case_for, escalation_for, may_edit_agency_records, participant_for, record_for, round_for
from audits.forms import (
    AuditCaseForm,
    AuditRoundForm,
    CaseGradesForm,
    CaseRecordForm,
    EscalationForm,
    FeedbackForm,
    FeedbackNotNeededForm,
    FinaliseCaseForm,
    MoveRoundOnForm,
    OfferedChoiceField,
    ParticipantForm,
    ReopenCaseForm,
    ReopenRoundForm,
    ReturnConfirmForm,
    ReturnUploadForm,
    WithdrawEscalationForm,
)
from audits.lists import (
    CaseEscalations,
    FeedbackStillToGive,
    InRound,
    ReturnsGrid,
    RoundCases,
    RoundEscalations,
    RoundList,
)
from audits.models import AuditCase, AuditRound, CaseRecord, Escalation, InquiryParticipant
from dscb import access, lists, security
from dscb.access import Action, AuthenticatedRequest
from dscb.forms import field_as, save_or_report
from dscb.imports import DryRun, ImportRefused, Sheet, keep_upload, kept_upload
from dscb.models import Agency
from dscb.readlog import reads_personal_data, record_read
from dscb.views import form_page


def editable_case(request: HttpRequest, case: AuditCase) -> HttpResponse | None:
    """A finalised case, or any case of a completed round, is read-only: send the person
    back to it with the reason."""
    if case.audit_round.is_completed or case.is_finalised:
        messages.error(
            request, services.ROUND_IS_COMPLETED if case.audit_round.is_completed else services.CASE_IS_FINALISED
        )
        return redirect("audits:case_detail", case.pk)
    return None


def editable_round(request: HttpRequest, audit_round: AuditRound) -> HttpResponse | None:
    """A completed round is read-only: send the person back to it with the reason."""
    if audit_round.is_completed:
        messages.error(request, services.ROUND_IS_COMPLETED)
        return redirect("audits:round_detail", audit_round.pk)
    return None


SEARCH_LENGTH = 100  # longer than any board reference
ROUND_FIELDS = ["title", "held_on", "kind", "focus", "agencies", "auditors", "questions"]
DATE_FIELDS = ["returns_due_on", "panel_on", "feedback_due_on"]
ESCALATION_FIELDS = ["raised_on", "to_agency", "to_role", "to_email", "reason", "due_by"]


def typed(form: BaseForm, names: list[str]) -> dict[str, Any]:
    """The values ``form`` read for ``names``, as keyword arguments for a service."""
    return {name: form.cleaned_data[name] for name in names}


def case_details(form: AuditCaseForm) -> services.CaseDetails:
    typed_in = form.cleaned_data
    return services.CaseDetails(
        reference=typed_in["reference"],
        categories=typed_in["categories"],
        plan_started_on=typed_in["plan_started_on"],
        sibling_records_read=typed_in["sibling_records_read"],
        parent_records_read=typed_in["parent_records_read"],
        seen_as_stuck=typed_in.get("seen_as_stuck"),
        what_is_working=typed_in.get("what_is_working", ""),
        desired_outcomes=typed_in.get("desired_outcomes", ""),
        expected_agencies=list(typed_in["expected_agencies"]),
    )


def record_details(form: CaseRecordForm) -> services.RecordDetails:
    return services.RecordDetails(
        **typed(form, ["agency", "subject", "records_read", "findings", "strengths", "areas_for_development"]),
        grades=form.theme_grades(),
        answers=form.checklist_answers(),
    )


# --- Rounds ---------------------------------------------------------------------------------


@require_safe
@access.permission_required(Action.VIEW_AUDITS)
def round_list(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "audits/round_list.html",
        {
            "rounds": RoundList(user=request.user, filters=request.GET),
            "can_manage": access.can(request.user, Action.MANAGE_AUDITS),
        },
    )


@require_safe
@access.permission_required(Action.VIEW_AUDITS)
def round_list_download(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    return lists.download(request, RoundList(user=request.user, filters=request.GET), kind)


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.MANAGE_AUDITS)
def round_create(request: AuthenticatedRequest) -> HttpResponse:
    form = AuditRoundForm(request.POST or None)

    def create() -> AuditRound:
        form.instance = services.round_create(
            by=request.user, dates=services.RoundDates(**typed(form, DATE_FIELDS)), **typed(form, ROUND_FIELDS)
        )
        return form.instance

    if form.is_valid() and save_or_report(form, create):
        messages.success(request, f"The round {form.instance} has been planned.")
        return redirect("audits:round_detail", form.instance.pk)
    return form_page(
        request, form, title="Plan an audit round", back_url=reverse("audits:round_list"), submit="Save round"
    )


def round_page(
    request: AuthenticatedRequest, audit_round: AuditRound, *, refused: list[str] | None = None
) -> HttpResponse:
    """The round page: its steps as a task list, the grid of returns and its lists. When
    moving on was refused, ``refused`` says why, above what the step still needs."""
    record_read(request, audit_round)
    returns = ReturnsGrid(user=request.user, audit_round=audit_round)
    cases = RoundCases(user=request.user, audit_round=audit_round)
    feedback_owed = FeedbackStillToGive(user=request.user, audit_round=audit_round)
    # Their first page only: the rest are on each list's own page.
    cases_paging, owed_paging = cases.paging(None), feedback_owed.paging(None)
    return render(
        request,
        "audits/round_detail.html",
        {
            "audit_round": audit_round,
            "progress": returns.progress,
            "returns": returns,
            "refused": refused,
            "cases": cases,
            "cases_paging": cases_paging,
            "cases_table": cases.page_table(cases_paging),
            "escalations": RoundEscalations(user=request.user, audit_round=audit_round, filters={"open": "1"}),
            "feedback_owed": feedback_owed,
            "owed_paging": owed_paging,
            "owed_table": feedback_owed.page_table(owed_paging),
            "can_manage": access.can(request.user, Action.MANAGE_AUDITS),
            "move_on_form": MoveRoundOnForm(initial={"version": audit_round.version}),
        },
    )


@require_safe
@access.permission_required(Action.VIEW_AUDITS, hidden=True)
@reads_personal_data
def round_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return round_page(request, round_for(request.user, pk, queryset=selectors.round_page_queryset()))


@require_POST
@access.permission_required(Action.VIEW_AUDITS, hidden=True)
@reads_personal_data
def round_move_on(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    audit_round = round_for(request.user, pk, write=True, queryset=selectors.round_page_queryset())
    form = MoveRoundOnForm(request.POST)
    if form.is_valid() and save_or_report(
        form,
        lambda: services.round_move_on(
            audit_round=audit_round, by=request.user, expected_version=form.cleaned_data["version"]
        ),
    ):
        messages.success(request, f"The round is now at its step: {audit_round.get_state_display().lower()}.")
        return redirect("audits:round_detail", audit_round.pk)
    audit_round.refresh_from_db()
    return round_page(
        request,
        audit_round,
        refused=[str(error) for error in form.non_field_errors()]
        or ["The round could not move on: reload the page and try again."],
    )


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.VIEW_AUDITS, hidden=True)
def round_reopen(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    audit_round = round_for(request.user, pk, write=True)
    if not audit_round.is_completed:
        return redirect("audits:round_detail", audit_round.pk)
    form = ReopenRoundForm(request.POST or None, initial={"version": audit_round.version})
    if form.is_valid() and save_or_report(
        form,
        lambda: services.round_reopen(
            audit_round=audit_round,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        ),
    ):
        messages.success(request, f"The round {audit_round} has been re-opened. The reason has been kept.")
        return redirect("audits:round_detail", audit_round.pk)
    return form_page(
        request,
        form,
        title="Re-open the round",
        caption=audit_round.title,
        intro="A completed round is read-only. Say why it needs to change: the reason is kept with the round.",
        back_url=reverse("audits:round_detail", args=[audit_round.pk]),
        submit="Re-open round",
    )


def round_source(request: AuthenticatedRequest, pk: int, source: type[InRound]) -> InRound:
    """One of a round's lists, for whoever may open the round, filtered as asked."""
    audit_round = round_for(request.user, pk)
    return source(user=request.user, audit_round=audit_round, filters=request.GET)


# The round's lists share these two views; each URL names its list (and its page's template).
@require_safe
@access.permission_required(Action.VIEW_AUDITS, hidden=True)
@reads_personal_data
def in_round_list(request: AuthenticatedRequest, pk: int, source: type[InRound], template: str) -> HttpResponse:
    listed = round_source(request, pk, source)
    record_read(request, listed.audit_round)
    paging = listed.paging(request.GET.get("page"))
    return render(
        request,
        template,
        {"audit_round": listed.audit_round, "source": listed, "paging": paging, "table": listed.page_table(paging)},
    )


@require_safe
@access.permission_required(Action.VIEW_AUDITS, hidden=True)
@reads_personal_data
def in_round_download(request: AuthenticatedRequest, pk: int, kind: str, source: type[InRound]) -> HttpResponse:
    return lists.download(request, round_source(request, pk, source), kind)


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.VIEW_AUDITS, hidden=True)
def round_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    audit_round = round_for(request.user, pk, write=True)
    if refused := editable_round(request, audit_round):
        return refused
    form = AuditRoundForm(request.POST or None, instance=audit_round)
    if form.is_valid():
        saved = save_or_report(
            form,
            lambda: services.round_update(
                audit_round=audit_round,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                dates=services.RoundDates(**typed(form, DATE_FIELDS)),
                **typed(form, ROUND_FIELDS),
            ),
        )
        if saved:
            messages.success(request, "The round has been saved.")
            return redirect("audits:round_detail", audit_round.pk)
    return form_page(
        request,
        form,
        title="Change the round",
        caption=audit_round.title,
        back_url=reverse("audits:round_detail", args=[audit_round.pk]),
        submit="Save round",
    )


# --- Cases ----------------------------------------------------------------------------------


@require_safe
@access.permission_required(Action.VIEW_AUDITS)
def case_search(request: AuthenticatedRequest) -> HttpResponse:
    """A case by its board reference: straight to it when one the person may open has
    exactly that reference, otherwise the ones whose reference contains what was typed.
    Whatever was typed, the answer is a page: a reference is short and never has a NUL."""
    typed_in = request.GET.get("reference", "").replace("\x00", "")[:SEARCH_LENGTH]
    found = selectors.case_search(request.user, services.board_reference(typed_in))
    if found.exact is not None:
        return redirect("audits:case_detail", found.exact.pk)
    return render(
        request,
        "audits/case_search.html",
        {"found": found, "case_search_reference": found.reference, "limit": selectors.SEARCH_RESULTS},
    )


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.VIEW_AUDITS, hidden=True)
def case_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    audit_round = round_for(request.user, pk, write=True)
    if refused := editable_round(request, audit_round):
        return refused
    form = AuditCaseForm(request.POST or None, audit_round=audit_round)

    def create() -> AuditCase:
        form.instance = services.case_create(audit_round=audit_round, by=request.user, details=case_details(form))
        return form.instance

    if form.is_valid() and save_or_report(form, create):
        messages.success(request, f"Case {form.instance.reference} has been added.")
        return redirect("audits:case_detail", form.instance.pk)
    noun = "family" if audit_round.is_appreciative_inquiry else "child"
    return form_page(
        request,
        form,
        title=f"Add a {noun} audited",
        caption=audit_round.title,
        intro="Identify the child by board reference only: never by name, NHS number or date of birth.",
        back_url=reverse("audits:round_detail", args=[audit_round.pk]),
        submit="Add case",
    )


@require_safe
@access.permission_required(Action.VIEW_AUDITS, hidden=True)
@reads_personal_data
def case_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = case_for(request.user, pk, queryset=selectors.case_page_queryset())
    record_read(request, case)
    scales = selectors.scales(case.audit_round)
    records = selectors.case_records(case)
    ratings = selectors.case_ratings(case)
    participants = list(case.participants.select_related("agency"))
    can_manage = access.can(request.user, Action.MANAGE_AUDITS)
    read_only = case.is_finalised or case.audit_round.is_completed
    record_rows = [
        {
            "record": record,
            "grades": {grade.theme_id: grade.grade for grade in record.grades.all()},
            "complete": selectors.record_completeness(record, scales).is_complete,
            "may_edit": may_edit_agency_records(request.user, record.agency_id),
            "feedback_given": len(record.feedback.all()),
        }
        for record in records
    ]
    completeness = selectors.case_completeness(
        case, records=records, ratings=ratings, participant_count=len(participants), scales=scales
    )
    return render(
        request,
        "audits/case_detail.html",
        {
            "case": case,
            "audit_round": case.audit_round,
            "scales": scales,
            "record_rows": record_rows,
            "ratings": [(theme, ratings.get(theme.pk)) for theme in scales.themes],
            "participants": participants,
            "escalations": CaseEscalations(user=request.user, case=case),
            "reopenings": list(case.reopenings.select_related("reopened_by")),
            "completeness": completeness,
            "finalise_refused": can_manage
            and not case.is_finalised
            and not completeness.is_complete
            and request.GET.get("finalise") == "refused",
            "history": selectors.case_history(case) if can_manage else [],
            "can_manage": can_manage,
            "read_only": read_only,
            "may_add_record": not read_only
            and any(may_edit_agency_records(request.user, agency.pk) for agency in case.audit_round.agencies.all()),
            "plan_months": case.plan_months_at(case.audit_round.held_on),
            "finalise_form": FinaliseCaseForm(initial={"version": case.version}),
        },
    )


@require_safe
@access.permission_required(Action.VIEW_AUDITS, hidden=True)
@reads_personal_data
def case_print(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The case on paper: its grades and findings, the protective marking on every page,
    no navigation and no history."""
    case = case_for(request.user, pk, queryset=selectors.case_page_queryset())
    record_read(request, case)
    scales = selectors.scales()
    ratings = selectors.case_ratings(case)
    return render(
        request,
        "audits/case_print.html",
        {
            "case": case,
            "audit_round": case.audit_round,
            "themes": scales.themes,
            "ratings": [(theme, ratings.get(theme.pk)) for theme in scales.themes],
            "records": [
                (record, [(theme, grades.get(theme.pk)) for theme in scales.themes])
                for record in selectors.case_records(case)
                for grades in [{grade.theme_id: grade.grade for grade in record.grades.all()}]
            ],
            "marking": settings.PROTECTIVE_MARKING,
            "printed_at": timezone.localtime(),
        },
    )


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.VIEW_AUDITS, hidden=True)
@reads_personal_data
def case_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = case_for(request.user, pk, write=True, queryset=selectors.case_page_queryset())
    if refused := editable_case(request, case):
        return refused
    form = AuditCaseForm(request.POST or None, instance=case, audit_round=case.audit_round)
    if form.is_valid() and save_or_report(
        form,
        lambda: services.case_update(
            case=case, by=request.user, expected_version=form.cleaned_data["version"], details=case_details(form)
        ),
    ):
        messages.success(request, "The case details have been saved.")
        return redirect("audits:case_detail", case.pk)
    record_read(request, case)
    return form_page(
        request,
        form,
        title="Change the case details",
        caption=case.reference,
        back_url=reverse("audits:case_detail", args=[case.pk]),
        submit="Save details",
    )


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.VIEW_AUDITS, hidden=True)
@reads_personal_data
def case_grades(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = case_for(request.user, pk, write=True, queryset=selectors.case_page_queryset())
    if refused := editable_case(request, case):
        return refused
    if case.audit_round.is_appreciative_inquiry:
        raise PermissionDenied  # Appreciative Inquiry cases carry no grades.
    scales = selectors.scales(case.audit_round)
    form = CaseGradesForm(
        request.POST or None,
        instance=case,
        themes=scales.themes,
        grades=scales.grades,
        ratings={theme_id: grade.pk for theme_id, grade in selectors.case_ratings(case).items()},
    )
    if form.is_valid() and save_or_report(
        form,
        lambda: services.case_agree_grades(
            case=case,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            theme_grades=form.theme_grades(),
            **typed(form, ["overall_grade", "findings", "strengths", "areas_for_development"]),
        ),
    ):
        messages.success(request, "The agreed grades and findings have been saved.")
        return redirect("audits:case_detail", case.pk)
    record_read(request, case)
    comparisons = selectors.theme_comparisons(selectors.case_records(case), scales)
    return render(
        request,
        "audits/case_grades.html",
        {
            "case": case,
            "form": form,
            "has_records": any(comparison.records for comparison in comparisons),
            "sections": [
                (comparison, selectors.theme_anchor(comparison.theme), form.theme_helpers[comparison.theme.pk])
                for comparison in comparisons
            ],
            "overall_anchor": selectors.OVERALL_ANCHOR,
            "levels_to_flag": selectors.LEVELS_APART_TO_FLAG,
            "scale": selectors.grade_scale(),
        },
    )


@require_POST
@access.permission_required(Action.VIEW_AUDITS, hidden=True)
def case_finalise(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = case_for(request.user, pk, write=True, queryset=selectors.case_page_queryset())
    form = FinaliseCaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The case could not be finalised: reload the page and try again.")
    elif save_or_report(
        form, lambda: services.case_finalise(case=case, by=request.user, expected_version=form.cleaned_data["version"])
    ):
        messages.success(request, f"Case {case.reference} has been finalised. It is now read-only.")
    elif form.has_error(NON_FIELD_ERRORS, code="incomplete"):
        # The case page lists what is missing as errors, each linked to where it is added.
        return redirect(reverse("audits:case_detail", args=[case.pk]) + "?finalise=refused")
    else:
        messages.error(request, "The case could not be finalised. " + " ".join(map(str, form.non_field_errors())))
    return redirect("audits:case_detail", case.pk)


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.VIEW_AUDITS, hidden=True)
@reads_personal_data
def case_reopen(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = case_for(request.user, pk, write=True, queryset=selectors.case_page_queryset())
    if not case.is_finalised:
        return redirect("audits:case_detail", case.pk)
    if refused := editable_round(request, case.audit_round):
        return refused
    form = ReopenCaseForm(request.POST or None, initial={"version": case.version})
    if form.is_valid() and save_or_report(
        form,
        lambda: services.case_reopen(
            case=case,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        ),
    ):
        messages.success(request, f"Case {case.reference} has been re-opened. The reason has been kept.")
        return redirect("audits:case_detail", case.pk)
    record_read(request, case)
    return form_page(
        request,
        form,
        title="Re-open the case",
        caption=case.reference,
        intro="A finalised case is read-only. Say why it needs to change: the reason is kept with the case.",
        back_url=reverse("audits:case_detail", args=[case.pk]),
        submit="Re-open case",
    )


# --- Agency records -------------------------------------------------------------------------


def _record_form(request: HttpRequest, case: AuditCase, record: CaseRecord | None) -> CaseRecordForm:
    scales = selectors.scales(case.audit_round)
    # The agencies whose records this person may enter (services.record_create says why not).
    agencies = [
        agency for agency in case.audit_round.agencies.all() if may_edit_agency_records(request.user, agency.pk)
    ]
    return CaseRecordForm(
        request.POST or None,
        instance=record or CaseRecord(case=case),
        agencies=agencies,
        themes=scales.themes,
        questions=scales.questions,
        grades=scales.grades,
    )


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.VIEW_AUDITS, hidden=True)
@reads_personal_data
def record_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = case_for(request.user, pk, queryset=selectors.case_page_queryset())
    if refused := editable_case(request, case):
        return refused
    form = _record_form(request, case, None)
    if not field_as(form, "agency", OfferedChoiceField).offered:  # only "Select an agency"
        raise PermissionDenied  # An agency auditor whose agency is not taking part.

    def create() -> CaseRecord:
        form.instance = services.record_create(case=case, by=request.user, details=record_details(form))
        return form.instance

    if form.is_valid() and save_or_report(form, create):
        messages.success(request, f"The {form.instance.agency.short_name} record has been added.")
        return redirect("audits:case_detail", case.pk)
    record_read(request, case)
    return form_page(
        request,
        form,
        title="Add an agency record",
        caption=case.reference,
        intro="You can save a record before every question is answered and come back to it.",
        back_url=reverse("audits:case_detail", args=[case.pk]),
        submit="Save record",
    )


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.VIEW_AUDITS, hidden=True)
@reads_personal_data
def record_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    record = record_for(request.user, pk, queryset=selectors.record_page_queryset())
    case = record.case
    may_edit = (
        may_edit_agency_records(request.user, record.agency_id)
        and not case.is_finalised
        and not case.audit_round.is_completed
    )
    if not may_edit:
        if request.method == "POST":
            raise PermissionDenied
        scales = selectors.scales(case.audit_round)
        grades = {grade.pk: grade for grade in scales.grades}
        answers = {answer.question_id: answer for answer in record.answers.all()}
        record_grades = {grade.theme_id: grades.get(grade.grade_id) for grade in record.grades.all()}
        record_read(request, record)
        return render(
            request,
            "audits/record_detail.html",
            {
                "record": record,
                "case": case,
                "themes": [
                    (
                        theme,
                        record_grades.get(theme.pk),
                        [
                            (question, answers.get(question.pk))
                            for question in scales.questions
                            if question.theme_id == theme.pk
                        ],
                    )
                    for theme in scales.themes
                ],
            },
        )
    form = _record_form(request, case, record)
    if form.is_valid() and save_or_report(
        form,
        lambda: services.record_update(
            record=record,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            details=record_details(form),
        ),
    ):
        messages.success(request, f"The {record.agency.short_name} record has been saved.")
        return redirect("audits:case_detail", case.pk)
    record_read(request, record)
    return form_page(
        request,
        form,
        title=f"{record.agency.name} record",
        caption=case.reference,
        back_url=reverse("audits:case_detail", args=[case.pk]),
        submit="Save record",
    )


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.VIEW_AUDITS, hidden=True)
@reads_personal_data
def record_feedback(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    record = record_for(request.user, pk, queryset=selectors.record_page_queryset())
    access.require(request.user, Action.MANAGE_AUDITS)
    if refused := editable_round(request, record.case.audit_round):
        return refused
    given = {feedback.recipient: feedback for feedback in record.feedback.all()}
    form = FeedbackForm(
        request.POST or None, record=record, given=given, givers=selectors.feedback_givers(record.case.audit_round)
    )
    if form.is_valid() and save_or_report(
        form,
        lambda: services.feedback_record(
            record=record, by=request.user, entries=form.entries(), versions=form.versions()
        ),
    ):
        messages.success(request, "The feedback given has been recorded.")
        return redirect("audits:case_detail", record.case_id)
    record_read(request, record)
    return form_page(
        request,
        form,
        title="Feedback given",
        caption=f"{record.case.reference}: {record}",
        intro="Record the feedback given on this record's findings to the practitioner, their manager and the agency.",
        back_url=reverse("audits:case_detail", args=[record.case_id]),
        submit="Save feedback",
    )


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.VIEW_AUDITS, hidden=True)
@reads_personal_data
def case_feedback(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The feedback given on every one of a case's records, on one page, saved together:
    all of it or none, each refusal beside its own record's fields."""
    case = case_for(request.user, pk, write=True, queryset=selectors.case_page_queryset())
    if refused := editable_round(request, case.audit_round):
        return refused
    records = selectors.case_records(case)
    givers = selectors.feedback_givers(case.audit_round)
    forms = {}
    for record in records:
        record.case = case
        forms[record.pk] = FeedbackForm(
            request.POST or None,
            prefix=f"record-{record.pk}",
            record=record,
            given={feedback.recipient: feedback for feedback in record.feedback.all()},
            givers=givers,
        )
    valid = [form.is_valid() for form in forms.values()]  # every form, so each shows its errors
    if request.method == "POST" and all(valid):
        try:
            services.case_feedback_record(
                case=case,
                by=request.user,
                feedback={
                    form.record: services.RecordFeedback(entries=form.entries(), versions=form.versions())
                    for form in forms.values()
                },
            )
        except services.FeedbackConflict as conflict:
            forms[conflict.record.pk].add_error(None, conflict.message)
            forms[conflict.record.pk].take_latest_version(conflict)
        except ValidationError as error:
            for key, errors in error.error_dict.items():
                record_pk, _, field = key.removeprefix("record-").partition("-")
                form = forms.get(int(record_pk)) if record_pk.isdigit() else None
                if form is None:
                    next(iter(forms.values())).add_error(None, errors)
                else:
                    form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "The feedback given has been recorded.")
            return redirect("audits:case_detail", case.pk)
    record_read(request, case)
    return render(
        request,
        "audits/case_feedback.html",
        {
            "case": case,
            "forms": list(forms.values()),
            "has_errors": any(form.errors for form in forms.values()),
        },
    )


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.VIEW_AUDITS, hidden=True)
@reads_personal_data
def feedback_not_needed(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    record = record_for(request.user, pk, queryset=selectors.record_page_queryset())
    access.require(request.user, Action.MANAGE_AUDITS)
    if refused := editable_round(request, record.case.audit_round):
        return refused
    form = FeedbackNotNeededForm(
        request.POST or None, initial={"reason": record.feedback_not_needed, "version": record.version}
    )
    if form.is_valid() and save_or_report(
        form,
        lambda: services.feedback_not_needed(
            record=record,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        ),
    ):
        messages.success(
            request,
            "The reason no feedback is needed has been kept."
            if record.feedback_not_needed
            else "Feedback is owed again.",
        )
        return redirect("audits:round_detail", record.case.audit_round_id)
    record_read(request, record)
    return form_page(
        request,
        form,
        title="Feedback not needed",
        caption=f"{record.case.reference}: {record}",
        intro="The round can be completed when every agency record's feedback is recorded, "
        "or the audit team has said why none is needed.",
        back_url=reverse("audits:record_feedback", args=[record.pk]),
        submit="Save",
    )


# --- Escalations ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.VIEW_AUDITS, hidden=True)
@reads_personal_data
def escalation_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = case_for(request.user, pk, write=True, queryset=selectors.case_page_queryset())
    form = EscalationForm(
        request.POST or None,
        instance=Escalation(case=case),
        initial={"raised_on": timezone.localdate()},
        agencies=list(Agency.objects.active()),
    )
    if form.is_valid() and save_or_report(
        form, lambda: services.escalation_raise(case=case, by=request.user, **typed(form, ESCALATION_FIELDS))
    ):
        messages.success(request, "The request for immediate intervention has been recorded.")
        return redirect("audits:case_detail", case.pk)
    record_read(request, case)
    return form_page(
        request,
        form,
        title="Request immediate intervention",
        caption=case.reference,
        intro="Use this when a child's plan needs action now, for example to have the plan reviewed and updated.",
        back_url=reverse("audits:case_detail", args=[case.pk]),
        submit="Record the request",
    )


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.VIEW_AUDITS, hidden=True)
@reads_personal_data
def escalation_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    escalation = escalation_for(request.user, pk, write=True)
    case = case_for(request.user, escalation.case_id, queryset=selectors.case_page_queryset())
    asked = Agency.objects.active() | Agency.objects.filter(pk=escalation.to_agency_id)
    form = EscalationForm(request.POST or None, instance=escalation, agencies=list(asked))
    if form.is_valid() and save_or_report(
        form,
        lambda: services.escalation_update(
            escalation=escalation,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            **typed(form, [*ESCALATION_FIELDS, "acknowledged_on", "action_taken", "outcome", "resolved_on"]),
        ),
    ):
        messages.success(request, "The request for immediate intervention has been updated.")
        return redirect("audits:case_detail", case.pk)
    record_read(request, escalation)
    return form_page(
        request,
        form,
        title="Request for immediate intervention",
        caption=case.reference,
        intro="Record when it was acknowledged, the action taken and the outcome, then resolve it.",
        back_url=reverse("audits:case_detail", args=[case.pk]),
        submit="Save",
    )


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.VIEW_AUDITS, hidden=True)
@reads_personal_data
def escalation_withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    escalation = escalation_for(request.user, pk, write=True)
    if not escalation.is_open:
        return redirect("audits:case_detail", escalation.case_id)
    form = WithdrawEscalationForm(request.POST or None, initial={"version": escalation.version})
    if form.is_valid() and save_or_report(
        form,
        lambda: services.escalation_withdraw(
            escalation=escalation,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        ),
    ):
        messages.success(
            request, "The request for immediate intervention has been withdrawn. The reason has been kept."
        )
        return redirect("audits:case_detail", escalation.case_id)
    record_read(request, escalation)
    return form_page(
        request,
        form,
        title="Withdraw the request for immediate intervention",
        caption=escalation.case.reference,
        intro=f"Asked of {escalation.to_role}, {escalation.to_agency.name}, on {escalation.raised_on:%-d %B %Y}. "
        "A withdrawn request is kept, with the reason.",
        back_url=reverse("audits:case_detail", args=[escalation.case_id]),
        submit="Withdraw the request",
    )


# --- Appreciative Inquiry participants ------------------------------------------------------


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.VIEW_AUDITS, hidden=True)
@reads_personal_data
def participant_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = case_for(request.user, pk, write=True, queryset=selectors.case_page_queryset())
    if refused := editable_case(request, case):
        return refused
    if not case.audit_round.is_appreciative_inquiry:
        raise PermissionDenied
    form = ParticipantForm(request.POST or None, instance=InquiryParticipant(case=case))
    if form.is_valid() and save_or_report(
        form, lambda: services.participant_add(case=case, **typed(form, ["agency", "role"]))
    ):
        messages.success(request, "The participant has been added.")
        return redirect("audits:case_detail", case.pk)
    record_read(request, case)
    return form_page(
        request,
        form,
        title="Add a participant",
        caption=case.reference,
        back_url=reverse("audits:case_detail", args=[case.pk]),
        submit="Add participant",
    )


@require_POST
@access.permission_required(Action.VIEW_AUDITS, hidden=True)
def participant_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    participant = participant_for(request.user, pk, write=True)
    case = participant.case
    try:
        services.participant_remove(participant=participant)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The participant has been removed.")
    return redirect("audits:case_detail", case.pk)


# --- Agency returns by spreadsheet ---------------------------------------------------------
# For an agency without an account: the audit team downloads its return, the agency fills it
# in offline, and the audit team uploads it; the file is kept between the dry run and the
# import as dscb.imports keeps every upload.

RETURN_KEY = "agency-return:"
RETURN_GONE = "That upload is no longer kept. Upload the return again."


def _kept_return(request: AuthenticatedRequest, audit_round: AuditRound, token: str) -> dict[str, Any] | None:
    return kept_upload(request.session, RETURN_KEY, token, round=audit_round.pk, user=request.user.pk)


@require_safe
@access.permission_required(Action.VIEW_AUDITS, hidden=True)
@reads_personal_data
def agency_return(request: AuthenticatedRequest, pk: int, agency: int) -> HttpResponse:
    """The return to send an agency, filled in with what it has returned: sent back
    unchanged, it changes nothing."""
    audit_round = round_for(request.user, pk, write=True)
    taking_part = get_object_or_404(audit_round.agencies.all(), pk=agency)
    security.require_recent_authentication(request)
    record_read(request, audit_round)
    security.record(
        security.Kind.CASE_DATA_DOWNLOAD,
        request=request,
        user=request.user,
        list="agency return",
        format="xlsx",
        of=f"audit round {audit_round.pk}, agency {taking_part.pk}",
    )
    response = HttpResponse(returns.return_xlsx(audit_round, taking_part), content_type=lists.CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="{returns.file_name(audit_round, taking_part)}"'
    return response


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.VIEW_AUDITS, hidden=True)
def return_upload(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    audit_round = round_for(request.user, pk, write=True)
    if refused := editable_round(request, audit_round):
        return refused
    posted = request.method == "POST"
    form = ReturnUploadForm(request.POST if posted else None, request.FILES if posted else None)
    if form.is_valid():
        upload = form.cleaned_data["upload"]
        try:
            sheet = returns.read_upload(upload)
            agency = returns.return_of(audit_round, sheet)
        except ImportRefused as refused_file:
            form.add_error("upload", refused_file.message)
        else:
            token = secrets.token_urlsafe(16)
            result = returns.dry_run(audit_round=audit_round, by=request.user, sheet=sheet)
            kept = {
                "round": audit_round.pk,
                "user": request.user.pk,
                "agency": agency.pk,
                "file": (upload.name or "")[:100],
                "sheet": sheet.to_data(),
                "result": result.to_data(),
            }
            keep_upload(request.session, RETURN_KEY, token, kept)
            return redirect("audits:return_review", audit_round.pk, token)
    return render(
        request,
        "audits/return_upload.html",
        {"audit_round": audit_round, "form": form, "agencies": audit_round.agencies.all()},
    )


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.VIEW_AUDITS, hidden=True)
@reads_personal_data
def return_review(request: AuthenticatedRequest, pk: int, token: str) -> HttpResponse:
    """The dry run, as found when the return was uploaded; confirmed, the import runs
    again, checked anew, and imports every row without a problem."""
    audit_round = round_for(request.user, pk, write=True)
    kept = _kept_return(request, audit_round, token)
    if kept is None:
        messages.info(request, RETURN_GONE)
        return redirect("audits:return_upload", audit_round.pk)
    if refused := editable_round(request, audit_round):
        return refused
    record_read(request, audit_round)
    result = DryRun.from_data(kept["result"])
    form = ReturnConfirmForm(request.POST or None)
    done: list[DryRun] = []

    def run_import() -> None:
        try:
            done.append(
                returns.import_return(audit_round=audit_round, by=request.user, sheet=Sheet.from_data(kept["sheet"]))
            )
        except ImportRefused as refused_file:
            raise ValidationError(refused_file.message) from None

    if form.is_valid() and save_or_report(form, run_import):
        request.session.pop(RETURN_KEY + token, None)
        messages.success(request, returns.summary(done[0]) if done else "The return has been imported already.")
        return redirect("audits:round_detail", audit_round.pk)
    return render(
        request,
        "audits/return_review.html",
        {
            "audit_round": audit_round,
            "agency": audit_round.agencies.filter(pk=kept["agency"]).first(),
            "result": result,
            "form": form,
            "file_name": kept.get("file", ""),
        },
    )
