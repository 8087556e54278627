"""Action plan pages: the access policy, a form, a service, a redirect."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods, require_safe

from audits.models import AuditRound, Grade
from dscb import access, lists
from dscb.access import Action, AuthenticatedRequest
from dscb.concurrency import EditConflict
from dscb.forms import save_or_report
from dscb.imports import DryRun, ImportRefused, Sheet, keep_upload, kept_upload
from dscb.readlog import reads_personal_data, record_read
from dscb.views import form_page
from recommendations import cells, imports, selectors, services
from recommendations.access import (
    cycle_for,
    evidence_for,
    may_add_evidence,
    may_propose_closure,
    may_remove_evidence,
    recommendation_for,
)
from recommendations.forms import (
    CONFIRM_UNTOUCHED,
    ActionPlanForm,
    ClosureDecideForm,
    ClosureDecision,
    ClosureProposeForm,
    CompleteCycleForm,
    EvidenceForm,
    EvidenceInErrorForm,
    ImportColumnsForm,
    ImportConfirmForm,
    ImportUploadForm,
    PlanSectionForm,
    RatingsForm,
    RecommendationForm,
    ReopenCycleForm,
    ReviewCycleForm,
)
from recommendations.lists import (
    CycleRatings,
    MyRecommendations,
    OverdueList,
    PlanIndex,
    PlanList,
    RecommendationHistory,
)
from recommendations.models import ActionPlan, Evidence, PlanSection, Recommendation, ReviewCycle


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


def round_asked_for(request: HttpRequest) -> AuditRound | None:
    """A case audit round named by ``?round=<pk>`` (a recommendation raised from the
    round's page or its learning summary), or None: a value that is not one is ignored."""
    value = request.GET.get("round", "")
    if not value.isdecimal():
        return None
    return AuditRound.objects.filter(pk=int(value), kind=AuditRound.Kind.CASE_AUDIT).first()


def recommendation_create_url(plan: ActionPlan, audit_round: AuditRound) -> str:
    return f"{reverse('recommendations:recommendation_create', args=[plan.pk])}?{urlencode({'round': audit_round.pk})}"


def plan_or_404(pk: int) -> ActionPlan:
    plan = ActionPlan.objects.prefetch_related("audit_rounds").filter(pk=pk).first()
    if plan is None:
        raise Http404("There is no such action plan.")
    return plan


@require_safe
@access.permission_required(Action.VIEW_ACTION_PLAN)
def plan_list(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "recommendations/plan_list.html",
        {"source": PlanIndex(), "can_manage": access.can(request.user, Action.MANAGE_ACTION_PLAN)},
    )


@require_safe
@access.permission_required(Action.VIEW_ACTION_PLAN)
def plan_list_download(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    return lists.download(request, PlanIndex(filters=request.GET), kind)


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.MANAGE_ACTION_PLAN)
def plan_create(request: AuthenticatedRequest) -> HttpResponse:
    form = ActionPlanForm(request.POST or None)

    def create() -> ActionPlan:
        form.instance = services.plan_create(
            by=request.user,
            title=form.cleaned_data["title"],
            professional_leads=form.cleaned_data["professional_leads"],
            director_lead=form.cleaned_data["director_lead"],
            review_frequency=form.cleaned_data["review_frequency"],
            other_references=form.cleaned_data["other_references"],
            audit_rounds=list(form.cleaned_data["audit_rounds"]),
        )
        return form.instance

    if form.is_valid() and save_or_report(form, create):
        messages.success(request, f"The action plan “{form.instance.title}” has been started. Add its first section.")
        return redirect("recommendations:section_create", form.instance.pk)
    return form_page(
        request,
        form,
        title="Start an action plan",
        intro="For the recommendations of a review, an inspection or a priority of the partnership: each plan has "
        "its own sections, leads and six-monthly updates.",
        back_url=reverse("recommendations:plan_list"),
        submit="Start action plan",
    )


def round_raised_from(request: AuthenticatedRequest) -> AuditRound | None:
    """The round a recommendation is raised from; the audit team, who may not change the
    plan otherwise, may add to it only from a round."""
    source_round = round_asked_for(request)
    if source_round is None and not access.can(request.user, Action.MANAGE_ACTION_PLAN):
        raise PermissionDenied
    return source_round


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.RAISE_RECOMMENDATIONS)
def section_create(request: AuthenticatedRequest, plan: int) -> HttpResponse:
    action_plan = plan_or_404(plan)
    source_round = round_raised_from(request)
    initial = (
        {"source_kind": PlanSection.SourceKind.CASE_AUDIT, "audit_round": source_round.pk, "title": source_round.title}
        if source_round
        else {}
    )
    form = PlanSectionForm(
        request.POST or None,
        plan=action_plan,
        initial=initial,
        only_round=None if access.can(request.user, Action.MANAGE_ACTION_PLAN) else source_round,
    )

    def create() -> PlanSection:
        form.instance = services.section_create(plan=action_plan, by=request.user, **form.values())
        return form.instance

    if form.is_valid() and save_or_report(form, create):
        messages.success(request, f"Section {form.instance.number} has been added.")
        if source_round and form.instance.audit_round_id == source_round.pk:
            # Raising a recommendation from a round: on to the recommendation, its source chosen.
            return redirect(recommendation_create_url(action_plan, source_round))
        return redirect("recommendations:plan", action_plan.pk)
    return form_page(
        request,
        form,
        title="Add a section",
        caption=action_plan.title,
        intro="A section holds the recommendations of one source: a case audit, a review or an inspection.",
        back_url=reverse("recommendations:plan", args=[action_plan.pk]),
        submit="Add section",
    )


@require_safe
@access.permission_required(Action.VIEW_ACTION_PLAN)
def plan_detail(request: AuthenticatedRequest, plan: int) -> HttpResponse:
    action_plan = plan_or_404(plan)
    source = PlanList(plan=action_plan, filters=request.GET)
    paging = source.paging(request.GET.get("page"))
    return render(
        request,
        "recommendations/plan_detail.html",
        {
            "plan": action_plan,
            "cycles": source.cycles,
            "source": source,
            "paging": paging,
            "sections": source.sections(paging),
            "filter_choices": source.filter_choices_here(),
            "can_manage": access.can(request.user, Action.MANAGE_ACTION_PLAN),
            "is_lead": access.can(request.user, Action.LEAD_RECOMMENDATIONS),
        },
    )


@require_safe
@access.permission_required(Action.VIEW_ACTION_PLAN)
def plan_download(request: AuthenticatedRequest, plan: int, kind: str) -> HttpResponse:
    return lists.download(request, PlanList(plan=plan_or_404(plan), filters=request.GET), kind)


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.MANAGE_ACTION_PLAN)
def plan_edit(request: AuthenticatedRequest, plan: int) -> HttpResponse:
    action_plan = plan_or_404(plan)
    form = ActionPlanForm(request.POST or None, instance=action_plan)
    if form.is_valid() and save_or_report(
        form,
        lambda: services.plan_update(
            plan=action_plan,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            title=form.cleaned_data["title"],
            professional_leads=form.cleaned_data["professional_leads"],
            director_lead=form.cleaned_data["director_lead"],
            review_frequency=form.cleaned_data["review_frequency"],
            other_references=form.cleaned_data["other_references"],
            audit_rounds=list(form.cleaned_data["audit_rounds"]),
        ),
    ):
        messages.success(request, "The action plan's header has been saved.")
        return redirect("recommendations:plan", action_plan.pk)
    return form_page(
        request,
        form,
        title="Change the action plan's header",
        back_url=reverse("recommendations:plan", args=[action_plan.pk]),
        submit="Save",
    )


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.RAISE_RECOMMENDATIONS)
def recommendation_create(request: AuthenticatedRequest, plan: int) -> HttpResponse:
    action_plan = plan_or_404(plan)
    source_round = round_raised_from(request)
    initial: dict[str, object] = {}
    if source_round:
        section = action_plan.sections.filter(audit_round=source_round).order_by("number").first()
        if section is None and request.method == "GET":
            messages.info(
                request,
                f"This plan has no section for the round “{source_round.title}” yet. Add one, then the recommendation.",
            )
            return redirect(
                f"{reverse('recommendations:section_create', args=[action_plan.pk])}?round={source_round.pk}"
            )
        initial["section"] = section.pk if section else None
    form = RecommendationForm(
        request.POST or None,
        plan=action_plan,
        initial=initial,
        only_round=None if access.can(request.user, Action.MANAGE_ACTION_PLAN) else source_round,
    )

    def create() -> Recommendation:
        form.instance = services.recommendation_create(plan=action_plan, by=request.user, values=form.values())
        return form.instance

    if form.is_valid() and save_or_report(form, create):
        messages.success(request, f"Recommendation {form.instance.number} has been added.")
        return redirect("recommendations:recommendation_detail", form.instance.pk)
    return form_page(
        request,
        form,
        title="Add a recommendation",
        caption=action_plan.title,
        back_url=reverse("recommendations:plan", args=[action_plan.pk]),
        submit="Add recommendation",
    )


@require_safe
@access.permission_required(Action.VIEW_ACTION_PLAN)
def recommendation_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    recommendation = recommendation_for(
        request.user,
        pk,
        queryset=Recommendation.objects.select_related(
            "plan", "section", "updated_by", "closed_in", "closure_proposed_by", "closure_decided_by"
        ).prefetch_related(selectors.leads_prefetch()),
    )
    history = RecommendationHistory(recommendation=recommendation)
    plan_cycles = history.cycles
    evidence = selectors.evidence_by_update(history.rows)
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
            "history": history,
            "evidence": evidence,
            # What this person may do to each point: remove it while its update is open,
            # mark it as added in error once the update is completed.
            "removable": {
                item.pk
                for group in evidence
                if group.cycle.is_open
                for item in group.items
                if may_remove_evidence(request.user, item)
            },
            "markable": {
                item.pk
                for group in evidence
                if not group.cycle.is_open
                for item in group.items
                if not item.in_error and may_remove_evidence(request.user, item)
            },
            "open_cycle": plan_cycles.open,
            "changes": selectors.recommendation_changes(recommendation),
            "can_manage": access.can(request.user, Action.MANAGE_ACTION_PLAN),
            "may_add_evidence": plan_cycles.open is not None and may_add_evidence(request.user, recommendation),
            "may_propose_closure": recommendation.state == Recommendation.State.OPEN
            and may_propose_closure(request.user, recommendation),
        },
    )


@require_safe
@access.permission_required(Action.VIEW_ACTION_PLAN)
def recommendation_history_download(request: AuthenticatedRequest, pk: int, kind: str) -> HttpResponse:
    recommendation = recommendation_for(request.user, pk, queryset=Recommendation.objects.select_related("plan"))
    return lists.download(request, RecommendationHistory(recommendation=recommendation, filters=request.GET), kind)


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.MANAGE_ACTION_PLAN)
def recommendation_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    recommendation = recommendation_for(
        request.user, pk, write=True, queryset=Recommendation.objects.select_related("plan")
    )
    form = RecommendationForm(request.POST or None, instance=recommendation, plan=recommendation.plan)
    if form.is_valid() and save_or_report(
        form,
        lambda: services.recommendation_update(
            recommendation=recommendation,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            values=form.values(),
        ),
    ):
        messages.success(request, f"Recommendation {recommendation.number} has been saved.")
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
def evidence_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    recommendation = recommendation_for(
        request.user, pk, write=True, queryset=Recommendation.objects.select_related("plan")
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


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.ADD_EVIDENCE)
def evidence_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Check, then remove: only while its update is open (then it is marked instead)."""
    evidence = evidence_for(request.user, pk, write=True)
    recommendation = evidence.update.recommendation
    back = redirect("recommendations:recommendation_detail", recommendation.pk)
    if not evidence.update.cycle.is_open:
        messages.error(
            request,
            f"The {evidence.update.cycle.title} is completed: its evidence cannot be removed, "
            "only marked as added in error.",
        )
        return back
    if request.method == "POST":
        try:
            services.evidence_remove(evidence=evidence, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "The evidence has been removed.")
        return back
    return render(
        request,
        "recommendations/evidence_action.html",
        {
            "evidence": evidence,
            "recommendation": recommendation,
            "title": "Are you sure you want to remove this evidence?",
            "intro": f"It was added to the {evidence.update.cycle.title}, which is still open. "
            "Removing it cannot be undone.",
            "submit": "Remove evidence",
        },
    )


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.ADD_EVIDENCE)
def evidence_mark_in_error(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Evidence of a completed update stays: it is marked as added in error, with why."""
    evidence = evidence_for(
        request.user, pk, write=True, queryset=Evidence.objects.select_related("update__recommendation__plan")
    )
    recommendation = evidence.update.recommendation
    cycle = evidence.update.cycle
    try:
        services.ensure_markable_in_error(evidence)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
        return redirect("recommendations:recommendation_detail", recommendation.pk)
    form = EvidenceInErrorForm(request.POST or None)
    if form.is_valid() and save_or_report(
        form,
        lambda: services.evidence_mark_in_error(evidence=evidence, by=request.user, reason=form.cleaned_data["reason"]),
    ):
        messages.success(request, "The evidence has been marked as added in error.")
        return redirect("recommendations:recommendation_detail", recommendation.pk)
    return render(
        request,
        "recommendations/evidence_action.html",
        {
            "evidence": evidence,
            "recommendation": recommendation,
            "form": form,
            "title": "Mark evidence as added in error",
            "intro": f"The {cycle.title} is completed, so its evidence stays on the recommendation's page, "
            "struck through with your reason. Reports of later updates leave it out.",
            "submit": "Mark as added in error",
        },
    )


# --- Closing on evidence of impact ----------------------------------------------------------


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.ADD_EVIDENCE)
def closure_propose(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    recommendation = recommendation_for(
        request.user, pk, write=True, queryset=Recommendation.objects.select_related("plan")
    )
    back_url = reverse("recommendations:recommendation_detail", args=[recommendation.pk])
    if recommendation.state != Recommendation.State.OPEN:
        messages.error(
            request, f"Recommendation {recommendation.number} is {recommendation.get_state_display().lower()}."
        )
        return redirect(back_url)
    form = ClosureProposeForm(
        request.POST or None,
        initial={"version": recommendation.version, "impact_statement": recommendation.impact_statement},
    )
    if form.is_valid() and save_or_report(
        form,
        lambda: services.closure_propose(
            recommendation=recommendation,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            impact_statement=form.cleaned_data["impact_statement"],
        ),
    ):
        messages.success(
            request, f"Closing {recommendation.number} has been proposed: the Executive will accept or return it."
        )
        return redirect(back_url)
    return form_page(
        request,
        form,
        title=f"Propose closing {recommendation.number}",
        caption=recommendation.text[:120],
        intro="A recommendation is closed on evidence of impact: say what has changed because of it. "
        "The Executive accepts the proposal or returns it with a reason.",
        back_url=back_url,
        submit="Propose closure",
    )


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.MANAGE_ACTION_PLAN)
def closure_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    recommendation = recommendation_for(
        request.user,
        pk,
        write=True,
        queryset=Recommendation.objects.select_related("plan", "section", "closure_proposed_by"),
    )
    back_url = reverse("recommendations:recommendation_detail", args=[recommendation.pk])
    if recommendation.state != Recommendation.State.PROPOSED:
        messages.error(request, f"Recommendation {recommendation.number} is not proposed for closure.")
        return redirect(back_url)
    form = ClosureDecideForm(request.POST or None, initial={"version": recommendation.version})

    def decide() -> Recommendation:
        data = form.cleaned_data
        if data["decision"] == ClosureDecision.ACCEPT:
            return services.closure_accept(
                recommendation=recommendation, by=request.user, expected_version=data["version"]
            )
        return services.closure_return(
            recommendation=recommendation, by=request.user, expected_version=data["version"], reason=data["reason"]
        )

    if form.is_valid() and save_or_report(form, decide):
        if recommendation.is_closed:
            closed_in = f" in the {recommendation.closed_in.title}" if recommendation.closed_in else ""
            messages.success(request, f"Recommendation {recommendation.number} is closed{closed_in}.")
        else:
            messages.success(request, f"Closing {recommendation.number} has been returned to the lead.")
        return redirect(back_url)
    return render(
        request,
        "recommendations/closure_decide.html",
        {"recommendation": recommendation, "form": form, "back_url": back_url},
    )


@require_safe
@access.permission_required(Action.VIEW_ACTION_PLAN, hidden=True)
@reads_personal_data
def evidence_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    evidence = evidence_for(request.user, pk, queryset=Evidence.objects.exclude(file=""))
    record_read(request, evidence)
    return FileResponse(
        evidence.file.open("rb"), as_attachment=True, filename=evidence.file_name, content_type=evidence.file_type
    )


# --- Review cycles --------------------------------------------------------------------------


@require_safe
@access.permission_required(Action.VIEW_ACTION_PLAN)
def cycle_list(request: AuthenticatedRequest, plan: int) -> HttpResponse:
    action_plan = plan_or_404(plan)
    return render(
        request,
        "recommendations/cycle_list.html",
        {
            "plan": action_plan,
            "cycles": selectors.cycles(action_plan),
            "can_manage": access.can(request.user, Action.MANAGE_ACTION_PLAN),
        },
    )


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.MANAGE_ACTION_PLAN)
def cycle_create(request: AuthenticatedRequest, plan: int) -> HttpResponse:
    action_plan = plan_or_404(plan)
    form = ReviewCycleForm(request.POST or None, plan=action_plan)

    def open_cycle() -> ReviewCycle:
        form.instance = services.cycle_open(
            plan=action_plan, by=request.user, title=form.cleaned_data["title"], due_on=form.cleaned_data["due_on"]
        )
        return form.instance

    if form.is_valid() and save_or_report(form, open_cycle):
        messages.success(request, f"The {form.instance.title} is open: leads can add evidence.")
        return redirect("recommendations:cycle_ratings", form.instance.pk)
    return form_page(
        request,
        form,
        title="Open a six-monthly update",
        caption=action_plan.title,
        intro=f"While it is open, leads add evidence and you set each recommendation's "
        f"{selectors.plan_words().short_name}. Completing it freezes both.",
        back_url=reverse("recommendations:cycle_list", args=[action_plan.pk]),
        submit="Open update",
    )


# The second button of the ratings form: save, then check before completing.
CHECK_BEFORE_COMPLETING = "check"


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.VIEW_ACTION_PLAN)
def cycle_ratings(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The whole plan's RAG for one cycle on one page. Read-only once the cycle is
    completed, or for anyone but the Executive."""
    cycle = cycle_for(request.user, pk, queryset=ReviewCycle.objects.select_related("plan", "completed_by"))
    editable = cycle.is_open and access.can(request.user, Action.MANAGE_ACTION_PLAN)
    if request.method == "POST" and not editable:
        raise PermissionDenied
    ratings = CycleRatings(cycle=cycle, filters=request.GET)
    page = ratings.page(request.GET.get("page"))
    form = RatingsForm(
        request.POST or None,
        initial={"version": cycle.version},
        recommendations=[item.recommendation for item in page.rows],
        scale=ratings.scale,
        current={
            item.recommendation.pk: (item.row.rag.pk, item.row.rating_note)
            if item.carried and item.row.rag
            else ((item.update.rag_id, item.update.rating_note) if item.update else (None, ""))
            for item in page.rows
        },
    )
    if editable and form.is_valid():
        saved: dict[str, int] = {}
        confirm, confirm_untouched = form.confirmations()
        if save_or_report(
            form,
            lambda: saved.setdefault(
                "changed",
                services.ratings_save(
                    cycle=cycle,
                    by=request.user,
                    expected_version=form.cleaned_data["version"],
                    ratings=form.ratings(),
                    carried=[item.recommendation.pk for item in page.carried],
                    confirm=confirm,
                    confirm_untouched=confirm_untouched,
                ),
            ),
        ):
            messages.success(request, f"The ratings have been saved ({saved['changed']} changed).")
            if request.POST.get("then") == CHECK_BEFORE_COMPLETING:
                return redirect("recommendations:cycle_complete", cycle.pk)
            here = reverse("recommendations:cycle_ratings", args=[cycle.pk])
            kept = {**ratings.filters, **({"page": page.number} if len(ratings.pages) > 1 else {})}
            return redirect(f"{here}?{urlencode(kept)}" if kept else here)
    return render(
        request,
        "recommendations/cycle_ratings.html",
        {
            "cycle": cycle,
            "scale": ratings.scale,
            "form": form,
            "editable": editable,
            "ratings": ratings,
            "rows": [
                {
                    "item": item,
                    "row": item.row,
                    "update": item.update,
                    "url": cells.recommendation_url()(item.recommendation.pk),
                    "field": form[f"rag_{item.recommendation.pk}"],
                    "options": form.options(form[f"rag_{item.recommendation.pk}"]),
                    "note": form[f"note_{item.recommendation.pk}"],
                }
                for item in page.rows
            ]
            if editable
            else [],
            "table": None if editable else ratings.table(page.rows),
            "check_before_completing": CHECK_BEFORE_COMPLETING,
            "confirm_untouched": CONFIRM_UNTOUCHED,
            "pages": [(each, ratings.page_url(each)) for each in ratings.pages] if len(ratings.pages) > 1 else [],
            "filter_choices": ratings.filter_choices_here(),
            "page": page,
            "previous_cycle": ratings.previous_cycle,
            "reopenings": cycle.reopenings.select_related("reopened_by"),
            "may_reopen": not cycle.is_open and access.can(request.user, Action.MANAGE_ACTION_PLAN),
        },
    )


@require_safe
@access.permission_required(Action.VIEW_ACTION_PLAN)
def cycle_ratings_download(request: AuthenticatedRequest, pk: int, kind: str) -> HttpResponse:
    cycle = cycle_for(request.user, pk, queryset=ReviewCycle.objects.select_related("plan"))
    return lists.download(request, CycleRatings(cycle=cycle, filters=request.GET), kind)


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.MANAGE_ACTION_PLAN)
def cycle_complete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Check before completing (GOV.UK's "check your answers"): what is still not yet
    rated and what changed since the last completed update, then an explicit confirm.
    Completing freezes the update for good, so a GET changes nothing."""
    cycle = cycle_for(request.user, pk, write=True, queryset=ReviewCycle.objects.select_related("plan", "completed_by"))
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


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.MANAGE_ACTION_PLAN)
def cycle_reopen(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Re-open a completed update, with a reason, to put a mistake right."""
    cycle = cycle_for(request.user, pk, write=True, queryset=ReviewCycle.objects.select_related("plan"))
    if cycle.is_open:
        messages.error(request, f"The {cycle.title} is open already.")
        return redirect("recommendations:cycle_ratings", cycle.pk)
    form = ReopenCycleForm(request.POST or None, initial={"version": cycle.version})
    if form.is_valid() and save_or_report(
        form,
        lambda: services.cycle_reopen(
            cycle=cycle,
            by=request.user,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        ),
    ):
        messages.success(request, f"The {cycle.title} is open again. Complete it again when it is put right.")
        return redirect("recommendations:cycle_ratings", cycle.pk)
    return form_page(
        request,
        form,
        title=f"Re-open the {cycle.title}",
        caption="Action plan",
        intro="Leads can add evidence and you can change ratings again until you complete it again. "
        "Reports already published from it stay as published, and say that it was re-opened.",
        back_url=reverse("recommendations:cycle_ratings", args=[cycle.pk]),
        submit="Re-open the update",
    )


def already_completed(cycle: ReviewCycle) -> str:
    who = f" by {cycle.completed_by.get_full_name()}" if cycle.completed_by else ""
    when = f" on {date_format(cycle.completed_on, 'DATE_FORMAT')}" if cycle.completed_on else ""
    return f"The {cycle.title} was already completed{when}{who}: its ratings and evidence are frozen."


# --- Lists ----------------------------------------------------------------------------------


@require_safe
@access.permission_required(Action.LEAD_RECOMMENDATIONS)
def my_recommendations(request: AuthenticatedRequest) -> HttpResponse:
    source = MyRecommendations(user=request.user, filters=request.GET)
    paging = source.paging(request.GET.get("page"))
    return render(
        request,
        "recommendations/my_recommendations.html",
        {"source": source, "paging": paging, "table": source.page_table(paging), "open_cycles": source.open_cycles},
    )


@require_safe
@access.permission_required(Action.LEAD_RECOMMENDATIONS)
def my_recommendations_download(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    return lists.download(request, MyRecommendations(user=request.user, filters=request.GET), kind)


@require_safe
@access.permission_required(Action.VIEW_ACTION_PLAN)
def overdue(request: AuthenticatedRequest) -> HttpResponse:
    source = OverdueList(filters=request.GET)
    paging = source.paging(request.GET.get("page"))
    return render(
        request,
        "recommendations/overdue.html",
        {
            "source": source,
            "paging": paging,
            "table": source.page_table(paging),
            "filter_choices": source.filter_choices(source.plans),
        },
    )


@require_safe
@access.permission_required(Action.VIEW_ACTION_PLAN)
def overdue_download(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    return lists.download(request, OverdueList(filters=request.GET), kind)


# --- Importing the plan from a spreadsheet --------------------------------------------------
# The file is kept between the dry run and the import as dscb.imports keeps every upload.

IMPORT_KEY = "plan-import:"
IMPORT_GONE = "That upload is no longer kept. Upload the spreadsheet again."


def _kept_import(request: AuthenticatedRequest, plan: ActionPlan, token: str) -> dict[str, Any] | None:
    return kept_upload(request.session, IMPORT_KEY, token, plan=plan.pk, user=request.user.pk)


def _dry_run(request: AuthenticatedRequest, plan: ActionPlan, token: str, kept: dict[str, Any]) -> HttpResponse:
    """Run the dry run again with the import's settings, keep what it found, and show it."""
    result = imports.dry_run(
        plan=plan,
        by=request.user,
        sheet=Sheet.from_data(kept["sheet"]),
        settings=imports.Settings.from_data(kept["settings"]),
    )
    kept["result"] = result.to_data()
    keep_upload(request.session, IMPORT_KEY, token, kept)
    return redirect("recommendations:plan_import_review", plan.pk, token)


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.MANAGE_ACTION_PLAN)
def plan_import(request: AuthenticatedRequest, plan: int) -> HttpResponse:
    action_plan = plan_or_404(plan)
    posted = request.method == "POST"
    form = ImportUploadForm(request.POST if posted else None, request.FILES if posted else None)
    if form.is_valid():
        upload = form.cleaned_data["upload"]
        try:
            sheet = imports.read_upload(upload)
        except ImportRefused as refused:
            form.add_error("upload", refused.message)
        else:
            settings = imports.settings_for(action_plan, sheet)
            token = secrets.token_urlsafe(16)
            kept = {
                "plan": action_plan.pk,
                "user": request.user.pk,
                "file": (upload.name or "")[:100],
                "sheet": sheet.to_data(),
                "settings": settings.to_data(),
            }
            if imports.needs_matching(action_plan, sheet, settings):
                keep_upload(request.session, IMPORT_KEY, token, kept)
                return redirect("recommendations:plan_import_columns", action_plan.pk, token)
            return _dry_run(request, action_plan, token, kept)
    return render(
        request,
        "recommendations/import_upload.html",
        {"plan": action_plan, "form": form, "fields": imports.FIELDS},
    )


@require_safe
@access.permission_required(Action.MANAGE_ACTION_PLAN)
@reads_personal_data
def plan_import_template(request: AuthenticatedRequest, plan: int) -> HttpResponse:
    """The template to fill in, holding the plan as it is: imported again, it changes nothing."""
    action_plan = plan_or_404(plan)
    record_read(request, action_plan)
    response = HttpResponse(imports.template_xlsx(action_plan), content_type=lists.CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = (
        f'attachment; filename="action-plan-{action_plan.pk}-{timezone.localdate():%Y-%m-%d}.xlsx"'
    )
    return response


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.MANAGE_ACTION_PLAN)
def plan_import_columns(request: AuthenticatedRequest, plan: int, token: str) -> HttpResponse:
    action_plan = plan_or_404(plan)
    kept = _kept_import(request, action_plan, token)
    if kept is None:
        messages.info(request, IMPORT_GONE)
        return redirect("recommendations:plan_import", action_plan.pk)
    sheet = Sheet.from_data(kept["sheet"])
    settings = imports.Settings.from_data(kept["settings"])
    [scale] = selectors.plan_scales(None)
    form = ImportColumnsForm(
        request.POST or None,
        headers=sheet.headers,
        columns=settings.columns,
        unknown=imports.unknown_statuses(sheet, settings),
        statuses=settings.statuses,
        scale=scale,
        initial={"update_date": settings.update_date},
    )
    if form.is_valid():
        settings = imports.Settings(
            columns=form.columns(), statuses=form.statuses(), update_date=form.cleaned_data["update_date"]
        )
        # The statuses are matched again with the columns just chosen: a new status column may have others.
        saved = save_or_report(
            form,
            lambda: imports.save_mapping(plan=action_plan, by=request.user, headers=sheet.headers, settings=settings),
        )
        if saved:
            kept["settings"] = settings.to_data()
            unmatched = set(imports.unknown_statuses(sheet, settings)) - set(form.unknown.values())
            if unmatched:  # a status column chosen just now: its labels not on the scale are matched next
                keep_upload(request.session, IMPORT_KEY, token, kept)
                messages.info(request, "Now say what each status not on the scale means.")
                return redirect("recommendations:plan_import_columns", action_plan.pk, token)
            return _dry_run(request, action_plan, token, kept)
    return render(
        request,
        "recommendations/import_columns.html",
        {"plan": action_plan, "form": form, "file_name": kept.get("file", ""), "sheet": sheet, "token": token},
    )


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.MANAGE_ACTION_PLAN)
def plan_import_review(request: AuthenticatedRequest, plan: int, token: str) -> HttpResponse:
    """The dry run, as found when the file was uploaded or its columns matched; confirmed,
    the import runs again, checked anew, and imports every row without a problem."""
    action_plan = plan_or_404(plan)
    kept = _kept_import(request, action_plan, token)
    if kept is None or "result" not in kept:
        messages.info(request, IMPORT_GONE)
        return redirect("recommendations:plan_import", action_plan.pk)
    result = DryRun.from_data(kept["result"])
    form = ImportConfirmForm(request.POST or None)
    done: list[DryRun] = []

    def run_import() -> None:
        done.append(
            imports.import_plan(
                plan=action_plan,
                by=request.user,
                sheet=Sheet.from_data(kept["sheet"]),
                settings=imports.Settings.from_data(kept["settings"]),
            )
        )

    if form.is_valid() and save_or_report(form, run_import):
        request.session.pop(IMPORT_KEY + token, None)
        messages.success(request, imports.summary(done[0]) if done else "The spreadsheet has been imported already.")
        return redirect("recommendations:plan", action_plan.pk)
    return render(
        request,
        "recommendations/import_review.html",
        {
            "plan": action_plan,
            "result": result,
            "form": form,
            "file_name": kept.get("file", ""),
            "token": token,
            "settings": imports.Settings.from_data(kept["settings"]),
        },
    )
