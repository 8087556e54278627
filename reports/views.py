"""Dashboards and the six-monthly report: aggregates only, never a child's case."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Max, Min
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audits.models import AuditRound
from dscb import access
from dscb.access import Action
from dscb.forms import save_or_report
from dscb.readlog import reads_personal_data, record_read
from dscb.views import form_page
from recommendations import selectors as plan_selectors
from recommendations.models import ReviewCycle
from recommendations.selectors import RecommendationRow
from reports import document, renderers, selectors, services
from reports.document import link_value
from reports.forms import NarrativeSectionForm, PeriodForm, ReportForm
from reports.models import NarrativeSection, PublishedReport, Report
from reports.selectors import Period

# Each download: its content type and how its file name ends ("draft-report-1.pdf").
DOWNLOADS: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", ".pdf"),
    "summary": ("application/pdf", "-board-summary.pdf"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
}


# --- The audit dashboard --------------------------------------------------------------------


def default_period(today: datetime.date) -> Period:
    """From the first round ever held to today."""
    first = AuditRound.objects.aggregate(first=Min("held_on"), last=Max("held_on"))
    return Period(first["first"] or today, max(today, first["last"] or today))


@require_safe
@access.permission_required(Action.VIEW_AUDIT_DASHBOARD)
def audit_dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    period = default_period(today)
    form = PeriodForm(request.GET or None, initial={"start": period.start, "end": period.end})
    if form.is_valid():
        period = Period(form.cleaned_data["start"] or period.start, form.cleaned_data["end"] or period.end)
    return render(
        request,
        "reports/audit_dashboard.html",
        {"form": form, "view": document.AuditView(selectors.audit_figures(period, today=today))},
    )


# --- The RAG dashboard ----------------------------------------------------------------------


def rag_figures_or_404(today: datetime.date) -> selectors.RagFigures:
    plan = plan_selectors.the_plan()
    if plan is None:
        raise Http404("There is no action plan yet.")
    return selectors.rag_figures(plan, today=today)


@require_safe
@access.permission_required(Action.VIEW_RAG_DASHBOARD)
def rag_dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request, "reports/rag_dashboard.html", {"view": document.RagView(rag_figures_or_404(timezone.localdate()))}
    )


# The figures on the RAG dashboard link here: each query parameter narrows the list.
ROW_FILTERS: dict[str, Callable[[RecommendationRow, str], bool]] = {
    "rag": lambda row, value: link_value(row.rag.pk if row.rag else None) == value,
    "open_rag": lambda row, value: link_value(row.open_rag.pk if row.open_rag else None) == value,
    "from": lambda row, value: link_value(row.previous_rag.pk if row.previous_rag else None) == value,
    "section": lambda row, value: str(row.recommendation.section.number) == value,
    "lead": lambda row, value: str(row.recommendation.lead_id or "none") == value,
    "overdue": lambda row, value: row.overdue,
    "not_rated": lambda row, value: row.rag is None,
}


@require_safe
@access.permission_required(Action.VIEW_RAG_DASHBOARD)
def rag_list(request: HttpRequest) -> HttpResponse:
    """The recommendations behind a figure on the RAG dashboard."""
    figures = rag_figures_or_404(timezone.localdate())
    rows = figures.rows
    chosen = [name for name in (*ROW_FILTERS, "not_updated") if name in request.GET]
    if not chosen:
        raise Http404("No figure chosen.")
    for name in chosen:
        if name == "not_updated":
            not_updated = {row.recommendation.pk for row in figures.not_updated}
            rows = [row for row in rows if row.recommendation.pk in not_updated]
        else:
            rows = [row for row in rows if ROW_FILTERS[name](row, request.GET[name])]
    return render(
        request,
        "reports/rag_list.html",
        {"figures": figures, "rows": rows, "description": describe(figures, request.GET, chosen)},
    )


def describe(figures: selectors.RagFigures, query: dict, chosen: list[str]) -> str:
    """The list's heading, in words: "Recommendations rated Amber from audit 2"."""
    not_rated = figures.scale.not_rated
    labels = {"none": not_rated} | {
        link_value(status.pk): status.label for status in [*figures.statuses, *figures.open_scale.statuses]
    }
    leads = {str(lead_id or "none"): name for name, lead_id, _ in figures.by_lead()}
    words = {
        "rag": lambda value: not_rated.lower() if value == "none" else f"rated {labels.get(value, value)}",
        "open_rag": lambda value: f"rated {labels.get(value, value)} in the open update",
        "from": lambda value: f"rated {labels.get(value, value)} in the update before",
        "section": lambda value: f"from audit {value}",
        "lead": lambda value: f"led by {leads.get(value, 'nobody named')}",
        "overdue": lambda value: "overdue",
        "not_rated": lambda value: not_rated.lower(),
        "not_updated": lambda value: "not updated in the open update",
    }
    return "Recommendations " + ", ".join(words[name](query[name]) for name in chosen)


# --- Reports --------------------------------------------------------------------------------


@require_safe
@access.permission_required(Action.READ_PUBLISHED_REPORTS)
def report_list(request: HttpRequest) -> HttpResponse:
    can_manage = access.can(request.user, Action.MANAGE_REPORTS)
    return render(
        request,
        "reports/report_list.html",
        {
            "published": PublishedReport.objects.select_related("published_by"),
            "drafts": Report.objects.filter(publications__isnull=True).select_related("cycle") if can_manage else [],
            "can_manage": can_manage,
        },
    )


def report_page_context(report: Report) -> dict[str, object]:
    return {
        "report": report,
        "document": document.build(report, today=timezone.localdate()),
        "published": report.publications.first(),
    }


def draft_or_refuse(request: HttpRequest, report: Report) -> HttpResponse | None:
    """A published report is what the Board saw: it is not changed or published again.
    Start a new report for the next update instead."""
    if report.publications.exists():
        messages.error(request, services.ALREADY_PUBLISHED)
        return redirect("reports:report_detail", report.pk)
    return None


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.MANAGE_REPORTS)
def report_create(request: HttpRequest) -> HttpResponse:
    latest = ReviewCycle.objects.order_by("-due_on").first()
    initial = {"cycle": latest.pk if latest else None}
    if latest:
        initial |= {"period_start": default_period(latest.due_on).start, "period_end": latest.due_on}
    form = ReportForm(request.POST or None, initial=initial)
    if form.is_valid() and save_or_report(form, lambda: services.report_create(report=form.instance, by=request.user)):
        messages.success(request, "The report has been created. Add its evidence of impact, then publish it.")
        return redirect("reports:report_detail", form.instance.pk)
    return form_page(
        request,
        form,
        title="Start a six-monthly report",
        back_url=reverse("reports:report_list"),
        submit="Create report",
    )


@require_safe
@access.permission_required(Action.MANAGE_REPORTS)
@reads_personal_data
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(Report.objects.select_related("cycle", "cycle__plan"), pk=pk)
    record_read(request, report)
    return render(request, "reports/report_detail.html", report_page_context(report))


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.MANAGE_REPORTS)
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(Report, pk=pk)
    if refused := draft_or_refuse(request, report):
        return refused
    form = ReportForm(request.POST or None, instance=report)
    if form.is_valid() and save_or_report(
        form,
        lambda: services.report_update(
            report=form.instance, by=request.user, expected_version=form.cleaned_data["version"]
        ),
    ):
        messages.success(request, "The report has been saved.")
        return redirect("reports:report_detail", report.pk)
    return form_page(
        request,
        form,
        title="Change the report",
        back_url=reverse("reports:report_detail", args=[report.pk]),
        submit="Save report",
    )


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.MANAGE_REPORTS)
def section_edit(request: HttpRequest, pk: int, section_pk: int | None = None) -> HttpResponse:
    report = get_object_or_404(Report, pk=pk)
    if refused := draft_or_refuse(request, report):
        return refused
    section = (
        get_object_or_404(NarrativeSection, pk=section_pk, report=report)
        if section_pk
        else NarrativeSection(report=report, position=report.sections.count() + 1)
    )
    form = NarrativeSectionForm(request.POST or None, instance=section)
    if form.is_valid() and save_or_report(
        form,
        lambda: (
            services.section_update(
                section=form.instance, by=request.user, expected_version=form.cleaned_data["version"]
            )
            if section.pk
            else services.section_create(section=form.instance, by=request.user)
        ),
    ):
        messages.success(request, f"“{form.instance.heading}” has been saved.")
        return redirect("reports:report_detail", report.pk)
    return form_page(
        request,
        form,
        title="Evidence of impact",
        caption=report.title,
        intro="A section of the report's evidence of impact, such as the work of the multi-agency safeguarding hub.",
        back_url=reverse("reports:report_detail", args=[report.pk]),
        submit="Save section",
    )


@require_POST
@access.permission_required(Action.MANAGE_REPORTS)
def section_remove(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    section = get_object_or_404(NarrativeSection.objects.select_related("report"), pk=section_pk, report_id=pk)
    if refused := draft_or_refuse(request, section.report):
        return refused
    try:
        services.section_remove(section=section)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("reports:report_detail", pk)
    messages.success(request, f"“{section.heading}” has been removed.")
    return redirect("reports:report_detail", pk)


@require_safe
@access.permission_required(Action.MANAGE_REPORTS)
@reads_personal_data
def report_download(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The draft as a document, made now from today's data (only published ones are kept)."""
    if kind not in DOWNLOADS:
        raise Http404
    report = get_object_or_404(Report.objects.select_related("cycle", "cycle__plan"), pk=pk)
    record_read(request, report)
    built = document.build(report, today=timezone.localdate())
    render_bytes = {"pdf": renderers.pdf, "summary": renderers.summary_pdf, "xlsx": renderers.xlsx}[kind]
    content_type, suffix = DOWNLOADS[kind]
    response = HttpResponse(render_bytes(built), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="draft-report-{report.pk}{suffix}"'
    return response


@require_POST
@access.permission_required(Action.MANAGE_REPORTS)
def report_publish(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(Report.objects.select_related("cycle", "cycle__plan"), pk=pk)
    if refused := draft_or_refuse(request, report):
        return refused
    try:
        services.publish(report=report, by=request.user, today=timezone.localdate())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("reports:report_detail", report.pk)
    messages.success(request, "The report has been published. Board members can now download it.")
    return redirect("reports:report_list")


@require_safe
@access.permission_required(Action.READ_PUBLISHED_REPORTS, hidden=True)
@reads_personal_data
def published_download(request: HttpRequest, pk: int, kind: str) -> FileResponse:
    if kind not in DOWNLOADS:
        raise Http404
    published = get_object_or_404(PublishedReport, pk=pk)
    record_read(request, published)
    stored = {"pdf": published.pdf, "summary": published.summary_pdf, "xlsx": published.xlsx}[kind]
    content_type, _suffix = DOWNLOADS[kind]
    # Stored as "reports/<random>-<name>.pdf" (services.publish names it): offer "<name>.pdf".
    return FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=stored.name.rsplit("/", 1)[-1].split("-", 1)[-1],
        content_type=content_type,
    )
