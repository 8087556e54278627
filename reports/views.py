"""Dashboards and the six-monthly report: aggregates only, never a child's case."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Max, Min
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audits import services as audit_services
from audits.models import AuditCase, AuditRound, LegalHold
from audits.services import board_reference
from dscb import access, lists, security
from dscb.access import Action, AuthenticatedRequest
from dscb.forms import OnceOnlyForm, save_or_report
from dscb.models import RetentionRule
from dscb.readlog import reads_personal_data, record_read
from dscb.services import retention_rule_update
from dscb.views import form_page
from recommendations.models import ActionPlan, ReviewCycle
from reports import document, prose, renderers, selectors, services, subject_access
from reports.access import (
    job_for,
    published_for,
    published_summary_for,
    report_for,
    section_for,
    subject_access_job_for,
    summary_round_for,
)
from reports.forms import (
    DraftForm,
    LearningSummaryForm,
    LegalHoldForm,
    LiftHoldForm,
    NarrativeSectionForm,
    PeriodForm,
    ProseForm,
    PublishForm,
    RagScopeForm,
    ReportForm,
    RetentionRuleForm,
    RetryForm,
    SubjectAccessForm,
    SummaryPublishForm,
    WithdrawForm,
)
from reports.lists import PublicationNotes, PublishedReports, RagList, with_notes
from reports.models import DocumentJob, LearningSummary, NarrativeSection, ProseBlock, PublishedReport, Report
from reports.prose import normalise
from reports.selectors import Period

DOWNLOADS = renderers.DOWNLOADS


# --- The audit dashboard --------------------------------------------------------------------


# The audit dashboard opens on the latest rounds: about two years of a board's quarterly
# audits, few enough for the trend across rounds and the tables by round to stay readable.
DASHBOARD_ROUNDS = 8


def report_period(until: datetime.date) -> Period:
    """A new report's audits: from the day after the last report's period ended (the
    first round ever held, before any report) to ``until``, so that each six-monthly
    report goes on where the one before stopped."""
    last_end = Report.objects.filter(period_end__lt=until).aggregate(last=Max("period_end"))["last"]
    if last_end is not None:
        return Period(last_end + datetime.timedelta(days=1), until)
    first = AuditRound.objects.filter(held_on__lte=until).aggregate(first=Min("held_on"))["first"]
    return Period(first or until, until)


def latest_rounds_period(today: datetime.date) -> Period:
    """From the first of the latest ``DASHBOARD_ROUNDS`` rounds to today (or to the last
    round, when one is planned after today)."""
    held = list(AuditRound.objects.order_by("-held_on").values_list("held_on", flat=True)[:DASHBOARD_ROUNDS])
    return Period(min(held, default=today), max([today, *held]))


@require_safe
@access.permission_required(Action.VIEW_AUDIT_DASHBOARD)
def audit_dashboard(request: AuthenticatedRequest) -> HttpResponse:
    today = timezone.localdate()
    period = latest_rounds_period(today)
    form = PeriodForm(request.GET or None, initial={"start": period.start, "end": period.end})
    chosen = form.is_valid() and any(form.cleaned_data.values())
    if chosen:
        period = Period(form.cleaned_data["start"] or period.start, form.cleaned_data["end"] or period.end)
    return render(
        request,
        "reports/audit_dashboard.html",
        {
            "form": form,
            "view": document.AuditView(selectors.audit_figures(period, today=today)),
            "latest_rounds": None if chosen else DASHBOARD_ROUNDS,
        },
    )


# --- The RAG dashboard ----------------------------------------------------------------------


def rag_scope(request: HttpRequest) -> tuple[RagScopeForm, selectors.RagScope]:
    """The dashboard's filter from the query string; a value that is not (or no longer) a
    plan or a kind is ignored, so an old link still shows every plan."""
    form = RagScopeForm(request.GET or None)
    if not form.is_valid():
        return form, selectors.RagScope()
    return form, selectors.RagScope(plan=form.cleaned_data["plan"], source_kind=form.cleaned_data["kind"])


@require_safe
@access.permission_required(Action.VIEW_RAG_DASHBOARD)
def rag_dashboard(request: AuthenticatedRequest) -> HttpResponse:
    form, scope = rag_scope(request)
    figures = selectors.rag_figures(scope, today=timezone.localdate())
    return render(
        request,
        "reports/rag_dashboard.html",
        {"form": form, "view": document.RagView(figures), "scope": urlencode(scope.query)},
    )


@require_safe
@access.permission_required(Action.VIEW_RAG_DASHBOARD)
def rag_list(request: AuthenticatedRequest) -> HttpResponse:
    """The recommendations behind a figure on the RAG dashboard, of the same plans and sources."""
    _form, scope = rag_scope(request)
    figures = selectors.rag_figures(scope, today=timezone.localdate())
    source = RagList(figures=figures, filters=request.GET)
    paging = source.paging(request.GET.get("page"))
    return render(
        request,
        "reports/rag_list.html",
        {
            "figures": figures,
            "source": source,
            "paging": paging,
            "table": source.page_table(paging),
            "filter_choices": source.filter_choices_here(),
            "scope": urlencode(scope.query),
        },
    )


@require_safe
@access.permission_required(Action.VIEW_RAG_DASHBOARD)
def rag_list_download(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    _form, scope = rag_scope(request)
    source = RagList(figures=selectors.rag_figures(scope, today=timezone.localdate()), filters=request.GET)
    return lists.download(request, source, kind)


# --- Reports --------------------------------------------------------------------------------


@require_safe
@access.permission_required(Action.READ_PUBLISHED_REPORTS)
def report_list(request: AuthenticatedRequest) -> HttpResponse:
    can_manage = access.can(request.user, Action.MANAGE_REPORTS)
    return render(
        request,
        "reports/report_list.html",
        {
            "published": PublishedReports(),
            # Never published, or withdrawn: the reports the Executive may still change.
            "drafts": (
                Report.objects.exclude(pk__in=PublishedReport.objects.current().values("report_id")).select_related(
                    "cycle__plan"
                )
                if can_manage
                else []
            ),
            "can_manage": can_manage,
            # Public-safe briefings, one a round: linked here for the Board to read and share.
            "learning": LearningSummary.objects.filter(state=LearningSummary.State.PUBLISHED)
            .select_related("audit_round")
            .order_by("-audit_round__held_on", "pk"),
        },
    )


@require_safe
@access.permission_required(Action.READ_PUBLISHED_REPORTS)
def published_list_download(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    return lists.download(request, PublishedReports(filters=request.GET), kind)


def report_page_context(report: Report) -> dict[str, object]:
    publications = [PublicationNotes.of(item) for item in with_notes(report.publications.all())]
    return {
        "report": report,
        "document": document.build(report, today=timezone.localdate()),
        "published": next((notes.publication for notes in publications if notes.publication.is_current), None),
        "publications": publications,
    }


def draft_or_refuse(request: HttpRequest, report: Report) -> HttpResponse | None:
    """A report with a current publication is what the Board reads: it is not changed
    (services.is_frozen). Withdrawn, it may be corrected and published again."""
    if services.is_frozen(report):
        messages.error(request, services.ALREADY_PUBLISHED)
        return redirect("reports:report_detail", report.pk)
    return None


def report_values(form: ReportForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in ("title", "cycle", "period_start", "period_end")}


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.MANAGE_REPORTS)
def report_create(request: AuthenticatedRequest) -> HttpResponse:
    latest = ReviewCycle.objects.order_by("-due_on").first()
    initial: dict[str, object] = {"cycle": latest.pk if latest else None}
    if latest:
        period = report_period(latest.due_on)
        initial |= {"period_start": period.start, "period_end": period.end}
    form = ReportForm(request.POST or None, initial=initial)

    def create() -> Report:
        form.instance = services.report_create(by=request.user, **report_values(form))
        return form.instance

    if form.is_valid() and save_or_report(form, create):
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
def report_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report = report_for(request.user, pk, queryset=Report.objects.select_related("cycle", "cycle__plan"))
    record_read(request, report)
    return render(request, "reports/report_detail.html", report_page_context(report))


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.MANAGE_REPORTS)
def report_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report = report_for(request.user, pk, write=True)
    if refused := draft_or_refuse(request, report):
        return refused
    form = ReportForm(request.POST or None, instance=report)
    if form.is_valid() and save_or_report(
        form,
        lambda: services.report_update(
            report=report, by=request.user, expected_version=form.cleaned_data["version"], **report_values(form)
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
def section_edit(request: AuthenticatedRequest, pk: int, section_pk: int | None = None) -> HttpResponse:
    report = report_for(request.user, pk, write=True)
    if refused := draft_or_refuse(request, report):
        return refused
    section = (
        section_for(request.user, section_pk, write=True, queryset=report.sections.all())
        if section_pk
        else NarrativeSection(report=report, position=report.sections.count() + 1)
    )
    form = NarrativeSectionForm(request.POST or None, instance=section)

    def save() -> NarrativeSection:
        values = {name: form.cleaned_data[name] for name in ("heading", "body", "position")}
        if section.pk:
            return services.section_update(
                section=section, by=request.user, expected_version=form.cleaned_data["version"], **values
            )
        form.instance = services.section_create(report=report, by=request.user, **values)
        return form.instance

    if form.is_valid() and save_or_report(form, save):
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
def section_remove(request: AuthenticatedRequest, pk: int, section_pk: int) -> HttpResponse:
    section = section_for(request.user, section_pk, write=True, queryset=NarrativeSection.objects.filter(report_id=pk))
    if refused := draft_or_refuse(request, section.report):
        return refused
    try:
        services.section_remove(section=section, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("reports:report_detail", pk)
    messages.success(request, f"“{section.heading}” has been removed.")
    return redirect("reports:report_detail", pk)


def prose_block(report: Report, block: str) -> prose.Block:
    blocks = document.build(report, today=timezone.localdate()).prose
    if block not in blocks:
        raise Http404
    return blocks[block]


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.MANAGE_REPORTS)
def prose_edit(request: AuthenticatedRequest, pk: int, block: str) -> HttpResponse:
    """A block of the report's prose, shown with its default (written from today's
    figures) so the Executive can see what it would go back to."""
    report = report_for(request.user, pk, write=True, queryset=Report.objects.select_related("cycle", "cycle__plan"))
    if refused := draft_or_refuse(request, report):
        return refused
    shown = prose_block(report, block)
    written = report.prose.filter(block=block).first()
    initial = {"body": shown.text, "version": written.version if written else 0}
    form = ProseForm(request.POST or None, initial=initial, label=shown.label)
    # A browser sends a textarea's lines ended with CR LF: the default sent back as it was
    # is still the default, and keeps following the figures.
    unchanged = normalise(request.POST.get("body", "")) == normalise(shown.default)
    if request.method == "POST" and not written and unchanged and form.is_valid():
        messages.success(request, f"“{shown.label}” is unchanged: it still follows the figures.")
        return redirect(f"{reverse('reports:report_detail', args=[report.pk])}#report-prose")
    if form.is_valid() and save_or_report(
        form,
        lambda: services.prose_save(
            report=report,
            by=request.user,
            block=block,
            body=form.cleaned_data["body"],
            expected_version=form.cleaned_data["version"],
        ),
    ):
        messages.success(request, f"“{shown.label}” has been saved in your words.")
        return redirect(f"{reverse('reports:report_detail', args=[report.pk])}#report-prose")
    return render(request, "reports/prose_edit.html", {"report": report, "prose_block": shown, "form": form})


@require_POST
@access.permission_required(Action.MANAGE_REPORTS)
def prose_reset(request: AuthenticatedRequest, pk: int, block: str) -> HttpResponse:
    report = report_for(request.user, pk, write=True)
    if refused := draft_or_refuse(request, report):
        return refused
    if block not in ProseBlock.values:
        raise Http404
    try:
        services.prose_reset(report=report, by=request.user, block=block)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"“{ProseBlock(block).label}” has been reset to its default, written from the figures."
        )
    return redirect(f"{reverse('reports:report_detail', args=[report.pk])}#report-prose")


@require_safe
@access.permission_required(Action.MANAGE_REPORTS)
@reads_personal_data
def report_download(request: AuthenticatedRequest, pk: int, kind: str) -> HttpResponse:
    """The draft's two-page board summary, made now from today's data. Every longer
    document is made by the worker (``draft_make``); only published ones are kept."""
    if kind not in DOWNLOADS:
        raise Http404
    if kind in services.DRAFT_DOCUMENTS:
        return redirect("reports:draft_make", pk, kind)
    report = report_for(request.user, pk, queryset=Report.objects.select_related("cycle", "cycle__plan"))
    record_read(request, report)
    built = document.build(report, today=timezone.localdate())
    response = HttpResponse(renderers.summary_pdf(built), content_type=DOWNLOADS[kind][0])
    response["Content-Disposition"] = f'attachment; filename="{renderers.draft_filename(report.pk, kind)}"'
    return response


def queue_job(form: OnceOnlyForm, ask: Callable[[], DocumentJob], otherwise: str) -> HttpResponse | None:
    """Ask for the job a valid form wants, once however often the form is sent, and go to
    its progress page (or ``otherwise``, when the earlier sending's job is not known).
    None, with the refusal on the form, when it is not asked for."""
    asked: list[DocumentJob] = []

    def make() -> DocumentJob:
        asked.append(ask())
        return asked[0]

    if not (form.is_valid() and save_or_report(form, make)):
        return None
    if not asked:  # sent before (a double click): the job that sending asked for
        earlier = form.earlier_submission()
        made = earlier.made() if earlier is not None else None
        asked = [made] if isinstance(made, DocumentJob) else []
    return redirect(asked[0] if asked else otherwise)


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.MANAGE_REPORTS)
def draft_make(request: AuthenticatedRequest, pk: int, kind: str) -> HttpResponse:
    """A draft document to preview, made in the background: a long report takes a minute."""
    if kind not in services.DRAFT_DOCUMENTS:
        raise Http404
    report = report_for(request.user, pk)
    label, _render = services.DRAFT_DOCUMENTS[kind]
    form = DraftForm(request.POST or None)
    ask = partial(services.draft_request, report=report, by=request.user, kind=kind)
    if queued := queue_job(form, ask, reverse("reports:report_detail", args=[report.pk])):
        return queued
    return form_page(
        request,
        form,
        title=f"Make a draft of {label}",
        caption=report.title,
        intro="The document is made from today's figures in the background: a long report takes up to a "
        "minute. The next page shows its progress, then a link to download it.",
        back_url=reverse("reports:report_detail", args=[report.pk]),
        submit="Make the document",
    )


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.MANAGE_REPORTS)
def report_publish(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Check before publishing (GOV.UK "check your answers"): what will be published,
    then an explicit confirm, which carries the report's version as checked. The worker
    then publishes it, checking again; the next page shows its progress."""
    report = report_for(request.user, pk, write=True, queryset=Report.objects.select_related("cycle", "cycle__plan"))
    current = report.publications.current().first()
    form = PublishForm(request.POST or None, initial={"version": report.version}, replacing=current is not None)

    def publish() -> DocumentJob:
        return services.publication_request(
            report=report,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            replacement_reason=form.cleaned_data.get("replacement_reason", ""),
        )

    if queued := queue_job(form, publish, reverse("reports:report_detail", args=[report.pk])):
        return queued
    built = document.build(report, today=timezone.localdate())
    return render(
        request,
        "reports/publish_check.html",
        {"report": report, "document": built, "current": current, "form": form},
    )


@dataclass(frozen=True)
class JobPage:
    """What the progress page of a job says, and where its links go."""

    title: str
    caption: str
    heading: str
    back_url: str
    back_text: str
    ready: str
    download_url: str
    download_text: str
    retry_url: str
    failed: str


def job_page(request: AuthenticatedRequest, job: DocumentJob, page: JobPage) -> HttpResponse:
    """A document being made in the background: its progress, then the document, or why
    it failed and a button to try again. The page checks again by itself (scripts on)."""
    return render(request, "reports/document_job.html", {"job": job, "page": page, "retry_form": RetryForm()})


@require_safe
@access.permission_required(Action.MANAGE_REPORTS)
def document_job(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    job = job_for(request.user, pk)
    report = job.of_report
    publishing = job.kind == DocumentJob.Kind.PUBLISH
    return job_page(
        request,
        job,
        JobPage(
            title=f"{'Publishing' if publishing else 'Draft of'} {report.title}",
            caption=report.title,
            heading="Publishing the report" if publishing else "A draft to preview",
            back_url=reverse("reports:report_detail", args=[report.pk]),
            back_text="Back to the report",
            ready="It shows the figures as they were",
            download_url=reverse("reports:document_job_file", args=[job.pk]),
            download_text="Download the draft",
            retry_url=reverse("reports:document_job_retry", args=[job.pk]),
            failed="The report has not been published" if publishing else "The document could not be made",
        ),
    )


@require_safe
@access.permission_required(Action.MANAGE_REPORTS)
@reads_personal_data
def document_job_file(request: AuthenticatedRequest, pk: int) -> FileResponse:
    job = job_for(request.user, pk)
    ready = job.kind == DocumentJob.Kind.DRAFT and job.state == DocumentJob.State.READY and job.file
    if not ready or job.document not in DOWNLOADS:
        raise Http404
    record_read(request, job.of_report)
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=renderers.draft_filename(job.of_report.pk, job.document),
        content_type=DOWNLOADS[job.document][0],
    )


@require_POST
@access.permission_required(Action.MANAGE_REPORTS)
def document_job_retry(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return retry(request, job_for(request.user, pk, write=True))


def retry(request: AuthenticatedRequest, job: DocumentJob) -> HttpResponse:
    """Queue a failed job again and go back to its progress page, with the refusal if any."""
    form = RetryForm(request.POST)
    if not (form.is_valid() and save_or_report(form, lambda: services.job_retry(job=job, by=request.user))):
        messages.error(request, " ".join(str(error) for error in form.non_field_errors()))
    return redirect(job)


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.MANAGE_REPORTS)
def published_withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    published = published_for(request.user, pk, write=True, queryset=PublishedReport.objects.select_related("report"))
    if not published.is_current:
        messages.error(request, "This publication has already been withdrawn or replaced.")
        return redirect("reports:report_list")
    form = WithdrawForm(request.POST or None)
    if form.is_valid() and save_or_report(
        form, lambda: services.withdraw(published=published, by=request.user, reason=form.cleaned_data["reason"])
    ):
        messages.success(
            request,
            f"“{published.title}” has been withdrawn. Board members still see it, marked withdrawn, with your reason.",
        )
        return redirect("reports:report_detail", published.report_id)
    return form_page(
        request,
        form,
        title="Withdraw this publication",
        caption=published.title,
        intro=f"Published on {date_format(timezone.localtime(published.published_at), 'j F Y')}. It is not deleted: "
        "board members still see it, marked withdrawn, and can download it. You can then correct the report and "
        "publish it again.",
        back_url=reverse("reports:report_detail", args=[published.report_id]),
        submit="Withdraw the publication",
    )


@require_safe
@access.permission_required(Action.READ_PUBLISHED_REPORTS, hidden=True)
@reads_personal_data
def published_download(request: AuthenticatedRequest, pk: int, kind: str) -> FileResponse:
    if kind not in DOWNLOADS:
        raise Http404
    published = published_for(request.user, pk)
    record_read(request, published)
    stored = {
        "pdf": published.pdf,
        "summary": published.summary_pdf,
        "xlsx": published.xlsx,
        "docx": published.docx,
        "summary-docx": published.summary_docx,
    }[kind]
    if not stored:  # published before the service wrote Word documents
        raise Http404
    content_type, _suffix = DOWNLOADS[kind]
    # Stored as "reports/<random>-<name>.pdf" (services.publish names it): offer "<name>.pdf".
    return FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=(stored.name or "").rsplit("/", 1)[-1].split("-", 1)[-1],
        content_type=content_type,
    )


# --- A round's learning summary -------------------------------------------------------------


def summary_of(audit_round: AuditRound) -> LearningSummary | None:
    return LearningSummary.objects.filter(audit_round=audit_round).select_related("published_by").first()


def draft_summary_or_refuse(request: HttpRequest, audit_round: AuditRound) -> LearningSummary | HttpResponse:
    """The round's summary, if there is one and it is not published; otherwise back to
    its page, saying why."""
    summary = summary_of(audit_round)
    if summary is None or summary.is_published:
        if summary is not None:
            messages.error(request, services.SUMMARY_PUBLISHED)
        return redirect("reports:learning_summary", audit_round.pk)
    return summary


@require_safe
@access.permission_required(Action.MANAGE_AUDITS)
@reads_personal_data
def learning_summary(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The round's learning summary: draft it, edit its blocks, preview, publish; and
    raise a recommendation into an action plan with the round as its source. Drafted
    from what the panel agreed on the round's cases, so its reading is kept."""
    audit_round = summary_round_for(request.user, pk)
    record_read(request, audit_round)
    return render(
        request,
        "reports/learning_summary.html",
        {
            "audit_round": audit_round,
            "summary": summary_of(audit_round),
            "small_number_rule": selectors.LEARNING_SMALL_NUMBER_RULE,
            "plans": ActionPlan.objects.order_by("pk")
            if access.can(request.user, Action.RAISE_RECOMMENDATIONS)
            else [],
        },
    )


@require_POST
@access.permission_required(Action.MANAGE_AUDITS)
def learning_draft(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Draft the round's summary. No one-time key: a round has one summary, so a second
    click is refused by the service (and the database)."""
    audit_round = summary_round_for(request.user, pk, write=True)
    try:
        services.summary_draft(audit_round=audit_round, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The learning summary has been drafted from the round's finalised cases.")
    return redirect("reports:learning_summary", audit_round.pk)


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.MANAGE_AUDITS)
def learning_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    audit_round = summary_round_for(request.user, pk, write=True)
    summary = draft_summary_or_refuse(request, audit_round)
    if isinstance(summary, HttpResponse):
        return summary
    form = LearningSummaryForm(request.POST or None, instance=summary)
    if form.is_valid() and save_or_report(
        form,
        lambda: services.summary_update(
            summary=summary, by=request.user, expected_version=form.cleaned_data["version"], **form.values()
        ),
    ):
        messages.success(request, "The learning summary has been saved.")
        return redirect("reports:learning_summary", audit_round.pk)
    return form_page(
        request,
        form,
        title="Change the learning summary",
        caption=audit_round.title,
        intro="It will be published for practitioners and the public. Say what was found across the cases: "
        "never name a child or a case, not even by its board reference.",
        back_url=reverse("reports:learning_summary", args=[audit_round.pk]),
        submit="Save summary",
    )


@require_safe
@access.permission_required(Action.MANAGE_AUDITS)
@reads_personal_data
def learning_preview(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The summary as a PDF, made now: what publishing would store."""
    audit_round = summary_round_for(request.user, pk)
    summary = summary_of(audit_round)
    if summary is None:
        raise Http404
    record_read(request, summary)
    response = HttpResponse(renderers.learning_pdf(summary), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="draft-learning-summary-{audit_round.pk}.pdf"'
    return response


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.MANAGE_AUDITS)
def learning_publish(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Check before publishing: every block as it will be published, the PDF's pages
    counted, then an explicit confirm carrying the summary's version as checked."""
    audit_round = summary_round_for(request.user, pk, write=True)
    summary = draft_summary_or_refuse(request, audit_round)
    if isinstance(summary, HttpResponse):
        return summary
    form = SummaryPublishForm(request.POST or None, initial={"version": summary.version})
    if form.is_valid() and save_or_report(
        form,
        lambda: services.summary_publish(
            summary=summary, by=request.user, expected_version=form.cleaned_data["version"]
        ),
    ):
        messages.success(request, "The learning summary has been published. It can no longer be changed.")
        return redirect("reports:learning_summary", audit_round.pk)
    return render(
        request,
        "reports/learning_publish_check.html",
        {
            "audit_round": audit_round,
            "summary": summary,
            "pages": renderers.learning_page_count(summary),
            "small_number_rule": selectors.LEARNING_SMALL_NUMBER_RULE,
            "form": form,
        },
    )


@require_safe
@access.permission_required(Action.READ_PUBLISHED_REPORTS, hidden=True)
@reads_personal_data
def learning_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """A round's published learning summary, as published: safe for a public website."""
    summary = published_summary_for(request.user, pk)
    record_read(request, summary)
    return FileResponse(
        summary.pdf.open("rb"),
        as_attachment=True,
        filename=(summary.pdf.name or "").rsplit("/", 1)[-1].split("-", 1)[-1],
        content_type="application/pdf",
    )


# --- Subject access -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.ADMINISTER)
def subject_access_export(request: AuthenticatedRequest) -> HttpResponse:
    """Everything held about one child, by board reference, as a ZIP to review and redact
    (reports.subject_access), made by the worker: a child audited over years is a long
    document. Each case in it is read, and asking for it is a security event."""
    form = SubjectAccessForm(request.POST or None)

    def ask() -> DocumentJob:
        cases = subject_access.cases_with(form.cleaned_data["reference"])
        security.require_recent_authentication(request)
        job = services.subject_access_request(reference=cases[0].reference, by=request.user)
        for case in cases:
            record_read(request, case)
        subject_access.subject_access_produced(request, job.reference, cases)
        return job

    if queued := queue_job(form, ask, reverse("reports:subject_access")):
        return queued
    return form_page(
        request,
        form,
        title="Subject access request",
        caption="Administration",
        intro="Everything the service holds about one child, found by their board reference, as a ZIP: a PDF to "
        "read, the same as JSON, and a README. It is made in the background, then yours to download for a day. "
        "Asking for it is recorded. Before release, review it and redact third-party details; answer within one "
        "month of the request.",
        back_url=reverse("administration"),
        submit="Produce the ZIP",
    )


@require_safe
@access.permission_required(Action.ADMINISTER)
def subject_access_job(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    job = subject_access_job_for(request.user, pk)
    reference = job.reference or "a child"
    return job_page(
        request,
        job,
        JobPage(
            title=f"Subject access export for {reference}",
            caption="Administration",
            heading=f"Subject access export for {reference}",
            back_url=reverse("reports:subject_access"),
            back_text="Back to subject access requests",
            ready="It holds everything kept about the child",
            download_url=reverse("reports:subject_access_file", args=[job.pk]),
            download_text="Download the ZIP",
            retry_url=reverse("reports:subject_access_retry", args=[job.pk]),
            failed="The export could not be made",
        ),
    )


@require_safe
@access.permission_required(Action.ADMINISTER)
@reads_personal_data
def subject_access_file(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """The ZIP, downloaded by the administrator who asked for it, until it is deleted a
    day after (reports.jobs.remove_old_files). Each download is a read of the cases."""
    job = subject_access_job_for(request.user, pk)
    if job.state != DocumentJob.State.READY or not job.file or not job.reference:
        raise Http404
    try:
        cases = subject_access.cases_with(job.reference)
    except ValidationError:
        raise Http404 from None  # the cases were erased since: so is what was kept about them
    for case in cases:
        record_read(request, case)
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=subject_access.file_name(job.reference, timezone.localdate(job.finished_at)),
        content_type="application/zip",
    )


@require_POST
@access.permission_required(Action.ADMINISTER)
def subject_access_retry(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return retry(request, subject_access_job_for(request.user, pk, write=True))


# --- Retention and legal holds --------------------------------------------------------------


@require_safe
@access.permission_required(Action.ADMINISTER)
def retention(request: AuthenticatedRequest) -> HttpResponse:
    """The retention schedule and the legal holds (reports.retention)."""
    holds = LegalHold.objects.select_related("audit_round", "case", "placed_by", "lifted_by").order_by(
        "lifted_at", "-placed_at", "-pk"
    )
    return render(
        request,
        "reports/retention.html",
        {
            "rules": RetentionRule.objects.all(),
            "active_holds": [hold for hold in holds if hold.is_active],
            "lifted_holds": [hold for hold in holds if not hold.is_active],
        },
    )


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.ADMINISTER)
def retention_rule_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(RetentionRule, pk=pk)
    form = RetentionRuleForm(request.POST or None, instance=rule)
    if form.is_valid() and save_or_report(
        form,
        lambda: retention_rule_update(
            rule=rule, years=form.cleaned_data["years"], by=request.user, expected_version=form.cleaned_data["version"]
        ),
    ):
        kept = f"{rule.years} years" if rule.years else "indefinitely"
        messages.success(request, f"{rule.get_kind_display()}: now kept {kept}.")
        return redirect("reports:retention")
    return form_page(
        request,
        form,
        title=f"How long to keep: {rule.get_kind_display().lower()}",
        caption="Retention and legal holds",
        intro=rule.description,
        back_url=reverse("reports:retention"),
        submit="Save the period",
    )


def _hold_place(request: AuthenticatedRequest, data: dict[str, Any], case: AuditCase | None) -> LegalHold:
    try:
        return audit_services.hold_place(
            by=request.user, reason=data["reason"], audit_round=data["audit_round"], case=case
        )
    except ValidationError as error:
        # The service names the case by its field; the form by what was typed.
        if hasattr(error, "error_dict") and "case" in error.error_dict:
            error.error_dict["reference"] = error.error_dict.pop("case")
        raise


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.ADMINISTER)
def legal_hold_place(request: AuthenticatedRequest) -> HttpResponse:
    form = LegalHoldForm(request.POST or None)
    if form.is_valid():
        typed = form.cleaned_data.get("reference", "").strip()  # absent when the form was sent before
        case = AuditCase.objects.filter(reference=board_reference(typed)).first() if typed else None
        if typed and case is None:
            form.add_error("reference", "No case has this board reference. Check the reference and try again")
        elif save_or_report(form, lambda: _hold_place(request, form.cleaned_data, case)):
            messages.success(request, "The legal hold has been placed: its data is kept until the hold is lifted.")
            return redirect("reports:retention")
    return form_page(
        request,
        form,
        title="Place a legal hold",
        caption="Retention and legal holds",
        intro="A hold keeps a round's or a case's detail past its retention date, until it is lifted. Placing it is "
        "recorded.",
        back_url=reverse("reports:retention"),
        submit="Place the hold",
    )


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.ADMINISTER)
def legal_hold_lift(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    hold = get_object_or_404(LegalHold.objects.select_related("audit_round", "case"), pk=pk)
    if not hold.is_active:
        messages.error(request, "This hold has already been lifted.")
        return redirect("reports:retention")
    form = LiftHoldForm(request.POST or None)
    if form.is_valid() and save_or_report(
        form, lambda: audit_services.hold_lift(hold=hold, by=request.user, reason=form.cleaned_data["reason"])
    ):
        messages.success(request, "The legal hold has been lifted.")
        return redirect("reports:retention")
    return form_page(
        request,
        form,
        title="Lift the legal hold",
        caption=f"Legal hold on {hold.held}",
        intro=f"Placed because: {hold.reason}",
        back_url=reverse("reports:retention"),
        submit="Lift the hold",
    )
