"""Action plan pages: the access policy, a form, a service, a redirect."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audits.models import Grade
from dscb import access
from dscb.access import Action
from dscb.concurrency import EditConflict
from dscb.forms import save_or_report
from dscb.readlog import reads_personal_data, record_read
from dscb.views import form_page
from recommendations import selectors, services
from recommendations.forms import (
    ActionPlanForm,
    CompleteCycleForm,
    EvidenceForm,
    RatingsForm,
    RecommendationForm,
    ReviewCycleForm,
)
from recommendations.models import ActionPlan, Evidence, Recommendation, ReviewCycle


@require_safe
def scale_styles(request: HttpRequest) -> HttpResponse:
    """The colours of the RAG statuses and grades, which are data, as a style sheet: the
    CSP allows no inline styles."""
    return render(
        request,
        "recommendations/scales.css",
        {"statuses": selectors.rag_statuses(), "grades": Grade.objects.all()},
        content_type="text/css",
    )


def plan_or_404() -> ActionPlan:
    plan = selectors.the_plan()
    if plan is None:
        raise Http404("There is no action plan yet.")
    return plan


@require_safe
@access.permission_required(Action.VIEW_ACTION_PLAN)
def plan_detail(request: HttpRequest) -> HttpResponse:
    plan = plan_or_404()
    plan_cycles = selectors.cycles(plan)
    rows = selectors.recommendation_rows(plan, plan_cycles, today=timezone.localdate())
    return render(
        request,
        "recommendations/plan_detail.html",
        {
            "plan": plan,
            "cycles": plan_cycles,
            "sections": selectors.rows_by_section(plan, rows),
            "can_manage": access.can(request.user, Action.MANAGE_ACTION_PLAN),
            "is_lead": access.can(request.user, Action.LEAD_RECOMMENDATIONS),
        },
    )


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.MANAGE_ACTION_PLAN)
def plan_edit(request: HttpRequest) -> HttpResponse:
    plan = plan_or_404()
    form = ActionPlanForm(request.POST or None, instance=plan)
    if form.is_valid() and save_or_report(
        form,
        lambda: services.plan_update(
            plan=form.instance,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            audit_rounds=form.cleaned_data["audit_rounds"],
        ),
    ):
        messages.success(request, "The action plan's header has been saved.")
        return redirect("recommendations:plan")
    return form_page(
        request, form, title="Change the action plan's header", back_url=reverse("recommendations:plan"), submit="Save"
    )


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.MANAGE_ACTION_PLAN)
def recommendation_create(request: HttpRequest) -> HttpResponse:
    plan = plan_or_404()
    form = RecommendationForm(request.POST or None, plan=plan)
    if form.is_valid() and save_or_report(
        form,
        lambda: services.recommendation_create(
            recommendation=form.instance, by=request.user, agencies=form.cleaned_data["agencies"]
        ),
    ):
        messages.success(request, f"Recommendation {form.instance.number} has been added.")
        return redirect("recommendations:recommendation_detail", form.instance.pk)
    return form_page(
        request,
        form,
        title="Add a recommendation",
        back_url=reverse("recommendations:plan"),
        submit="Add recommendation",
    )


@require_safe
@access.permission_required(Action.VIEW_ACTION_PLAN)
def recommendation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = access.recommendation_for(
        request.user, pk, queryset=Recommendation.objects.select_related("plan", "section", "lead", "updated_by")
    )
    plan_cycles = selectors.cycles(recommendation.plan)
    history = selectors.rag_history(recommendation, plan_cycles)
    row = selectors.recommendation_rows(
        recommendation.plan,
        plan_cycles,
        today=timezone.localdate(),
        recommendations=Recommendation.objects.filter(pk=recommendation.pk),
    )[0]
    return render(
        request,
        "recommendations/recommendation_detail.html",
        {
            "recommendation": recommendation,
            "row": row,
            "history": list(reversed(history)),
            "open_cycle": plan_cycles.open,
            "changes": selectors.recommendation_changes(recommendation),
            "can_manage": access.can(request.user, Action.MANAGE_ACTION_PLAN),
            "may_add_evidence": plan_cycles.open is not None and access.may_add_evidence(request.user, recommendation),
            # Evidence in the open update that this person may take back.
            "removable": {
                item.pk
                for entry in history
                if entry.cycle.is_open and entry.update
                for item in entry.update.evidence.all()
                if access.may_remove_evidence(request.user, item)
            },
        },
    )


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.MANAGE_ACTION_PLAN)
def recommendation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = access.recommendation_for(request.user, pk, queryset=Recommendation.objects.select_related("plan"))
    form = RecommendationForm(request.POST or None, instance=recommendation, plan=recommendation.plan)
    if form.is_valid() and save_or_report(
        form,
        lambda: services.recommendation_update(
            recommendation=form.instance,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            agencies=form.cleaned_data["agencies"],
        ),
    ):
        messages.success(request, f"Recommendation {form.instance.number} has been saved.")
        return redirect("recommendations:recommendation_detail", recommendation.pk)
    return form_page(
        request,
        form,
        title=f"Change recommendation {recommendation.number}",
        back_url=reverse("recommendations:recommendation_detail", args=[recommendation.pk]),
        submit="Save recommendation",
    )


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.ADD_EVIDENCE)
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = access.recommendation_for(
        request.user, pk, evidence=True, queryset=Recommendation.objects.select_related("plan")
    )
    cycle = selectors.cycles(recommendation.plan).open
    if cycle is None:
        messages.error(request, "No update is open, so evidence cannot be added now.")
        return redirect("recommendations:recommendation_detail", recommendation.pk)
    form = EvidenceForm(request.POST or None, request.FILES or None)
    if form.is_valid() and save_or_report(
        form,
        lambda: services.evidence_add(
            recommendation=recommendation,
            cycle=cycle,
            by=request.user,
            text=form.cleaned_data["text"],
            url=form.cleaned_data["url"],
            upload=form.cleaned_data["upload"],
            proposed_rag=form.cleaned_data["proposed_rag"],
        ),
    ):
        messages.success(request, f"Your evidence for {recommendation.number} has been added to the {cycle.title}.")
        return redirect("recommendations:recommendation_detail", recommendation.pk)
    if form.errors and "upload" in request.FILES:
        # A browser cannot keep a chosen file across pages: say so beside the field.
        form.add_error("upload", "Choose the file again: files are not kept when a form has a problem.")
    return form_page(
        request,
        form,
        title=f"Add evidence for {recommendation.number}",
        caption=cycle.title,
        intro=recommendation.text,
        back_url=reverse("recommendations:recommendation_detail", args=[recommendation.pk]),
        submit="Add evidence",
        multipart=True,
    )


@require_POST
@access.permission_required(Action.ADD_EVIDENCE)
def evidence_remove(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_object_or_404(Evidence.objects.select_related("update__recommendation", "update__cycle"), pk=pk)
    recommendation = access.recommendation_for(request.user, evidence.update.recommendation_id, evidence=True)
    if not access.may_remove_evidence(request.user, evidence):
        raise PermissionDenied
    try:
        services.evidence_remove(evidence=evidence)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The evidence has been removed.")
    return redirect("recommendations:recommendation_detail", recommendation.pk)


@require_safe
@access.permission_required(Action.VIEW_ACTION_PLAN, hidden=True)
@reads_personal_data
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(Evidence.objects.exclude(file=""), pk=pk)
    access.recommendation_for(request.user, evidence.update.recommendation_id)
    record_read(request, evidence)
    return FileResponse(
        evidence.file.open("rb"), as_attachment=True, filename=evidence.file_name, content_type=evidence.file_type
    )


# --- Review cycles --------------------------------------------------------------------------


@require_safe
@access.permission_required(Action.VIEW_ACTION_PLAN)
def cycle_list(request: HttpRequest) -> HttpResponse:
    plan = plan_or_404()
    return render(
        request,
        "recommendations/cycle_list.html",
        {
            "plan": plan,
            "cycles": selectors.cycles(plan),
            "can_manage": access.can(request.user, Action.MANAGE_ACTION_PLAN),
        },
    )


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.MANAGE_ACTION_PLAN)
def cycle_create(request: HttpRequest) -> HttpResponse:
    plan = plan_or_404()
    form = ReviewCycleForm(request.POST or None, plan=plan)
    if form.is_valid() and save_or_report(form, lambda: services.cycle_open(cycle=form.instance, by=request.user)):
        messages.success(request, f"The {form.instance.title} is open: leads can add evidence.")
        return redirect("recommendations:cycle_ratings", form.instance.pk)
    return form_page(
        request,
        form,
        title="Open a six-monthly update",
        intro=f"While it is open, leads add evidence and you set each recommendation's "
        f"{selectors.plan_words().short_name}. Completing it freezes both.",
        back_url=reverse("recommendations:cycle_list"),
        submit="Open update",
    )


# The second button of the ratings form: save, then check before completing.
CHECK_BEFORE_COMPLETING = "check"


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.VIEW_ACTION_PLAN)
def cycle_ratings(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole plan's RAG for one cycle on one page. Read-only once the cycle is
    completed, or for anyone but the Executive."""
    cycle = get_object_or_404(ReviewCycle.objects.select_related("plan", "completed_by"), pk=pk)
    editable = cycle.is_open and access.can(request.user, Action.MANAGE_ACTION_PLAN)
    if request.method == "POST" and not editable:
        raise PermissionDenied
    plan_cycles = selectors.cycles(cycle.plan)
    rows = selectors.recommendation_rows(cycle.plan, plan_cycles, today=timezone.localdate())
    updates = {
        update.recommendation_id: update
        for update in cycle.updates.select_related("rag", "proposed_rag").annotate(evidence_count=Count("evidence"))
    }
    scale = selectors.plan_scale(cycle)  # a completed update keeps the words it was rated in
    for update in updates.values():
        update.rag, update.proposed_rag = scale.status(update.rag), scale.status(update.proposed_rag)
    form = RatingsForm(
        request.POST or None,
        initial={"version": cycle.version},
        recommendations=[row.recommendation for row in rows],
        scale=scale,
        current={pk: (update.rag_id, update.rating_note) for pk, update in updates.items()},
    )
    if editable and form.is_valid():
        saved = {}
        if save_or_report(
            form,
            lambda: saved.setdefault(
                "changed",
                services.ratings_save(
                    cycle=cycle, by=request.user, expected_version=form.cleaned_data["version"], ratings=form.ratings()
                ),
            ),
        ):
            messages.success(request, f"The ratings have been saved ({saved['changed']} changed).")
            if request.POST.get("then") == CHECK_BEFORE_COMPLETING:
                return redirect("recommendations:cycle_complete", cycle.pk)
            return redirect("recommendations:cycle_ratings", cycle.pk)
    return render(
        request,
        "recommendations/cycle_ratings.html",
        {
            "cycle": cycle,
            "scale": scale,
            "form": form,
            "editable": editable,
            "rows": [
                {
                    "row": row,
                    "update": updates.get(row.recommendation.pk),
                    "field": form[f"rag_{row.recommendation.pk}"],
                    "note": form[f"note_{row.recommendation.pk}"],
                }
                for row in rows
            ],
            "check_before_completing": CHECK_BEFORE_COMPLETING,
            # In a meeting, the rating at the last completed update is the starting point.
            "previous_cycle": plan_cycles.latest_completed if cycle.is_open else None,
        },
    )


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.MANAGE_ACTION_PLAN)
def cycle_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """Check before completing (GOV.UK's "check your answers"): what is still not yet
    rated and what changed since the last completed update, then an explicit confirm.
    Completing freezes the update for good, so a GET changes nothing."""
    cycle = get_object_or_404(ReviewCycle.objects.select_related("plan", "completed_by"), pk=pk)
    if not cycle.is_open:
        messages.error(request, already_completed(cycle))
        return redirect("recommendations:cycle_ratings", cycle.pk)
    form = CompleteCycleForm(request.POST or None, initial={"version": cycle.version})
    if form.is_valid():
        try:
            services.cycle_complete(cycle=cycle, by=request.user, expected_version=form.cleaned_data["version"])
        except EditConflict as conflict:
            form.refused(conflict)
        except ValidationError as error:  # completed by someone else a moment ago
            messages.error(request, " ".join(error.messages))
            return redirect("recommendations:cycle_ratings", cycle.pk)
        else:
            messages.success(request, f"The {cycle.title} is completed: its ratings and evidence are now frozen.")
            return redirect("recommendations:cycle_ratings", cycle.pk)
    return render(
        request,
        "recommendations/cycle_complete.html",
        {"check": selectors.completion_check(cycle, today=timezone.localdate()), "form": form},
    )


def already_completed(cycle: ReviewCycle) -> str:
    who = f" by {cycle.completed_by.get_full_name()}" if cycle.completed_by else ""
    return (
        f"The {cycle.title} was already completed on {date_format(cycle.completed_on, 'DATE_FORMAT')}{who}: "
        "its ratings and evidence are frozen."
    )


# --- Lists ----------------------------------------------------------------------------------


@require_safe
@access.permission_required(Action.LEAD_RECOMMENDATIONS)
def my_recommendations(request: HttpRequest) -> HttpResponse:
    plan = plan_or_404()
    plan_cycles = selectors.cycles(plan)
    rows = selectors.recommendation_rows(
        plan, plan_cycles, today=timezone.localdate(), recommendations=selectors.led_by(request.user, plan)
    )
    return render(
        request,
        "recommendations/my_recommendations.html",
        {"rows": rows, "open_cycle": plan_cycles.open, "plan": plan},
    )


@require_safe
@access.permission_required(Action.VIEW_ACTION_PLAN)
def overdue(request: HttpRequest) -> HttpResponse:
    plan = plan_or_404()
    rows = selectors.recommendation_rows(plan, selectors.cycles(plan), today=timezone.localdate())
    return render(
        request,
        "recommendations/overdue.html",
        {"rows": [row for row in rows if row.overdue], "today": timezone.localdate()},
    )
