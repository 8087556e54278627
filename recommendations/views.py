"""Action plan pages: the access policy, a form, a service, a redirect."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audits.models import Grade
from dscb import access, lists
from dscb.access import Action, AuthenticatedRequest
from dscb.concurrency import EditConflict
from dscb.forms import save_or_report
from dscb.readlog import reads_personal_data, record_read
from dscb.views import form_page
from recommendations import selectors, services
from recommendations.access import (
    cycle_for,
    evidence_for,
    may_add_evidence,
    may_remove_evidence,
    recommendation_for,
)
from recommendations.forms import (
    ActionPlanForm,
    CompleteCycleForm,
    EvidenceForm,
    PlanSectionForm,
    RatingsForm,
    RecommendationForm,
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


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.MANAGE_ACTION_PLAN)
def section_create(request: AuthenticatedRequest, plan: int) -> HttpResponse:
    action_plan = plan_or_404(plan)
    form = PlanSectionForm(request.POST or None, plan=action_plan)

    def create() -> PlanSection:
        form.instance = services.section_create(plan=action_plan, by=request.user, **form.values())
        return form.instance

    if form.is_valid() and save_or_report(form, create):
        messages.success(request, f"Section {form.instance.number} has been added.")
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
    source = PlanList(plan=action_plan)
    return render(
        request,
        "recommendations/plan_detail.html",
        {
            "plan": action_plan,
            "cycles": source.cycles,
            "source": source,
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
@access.permission_required(Action.MANAGE_ACTION_PLAN)
def recommendation_create(request: AuthenticatedRequest, plan: int) -> HttpResponse:
    action_plan = plan_or_404(plan)
    form = RecommendationForm(request.POST or None, plan=action_plan)

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
        request.user, pk, queryset=Recommendation.objects.select_related("plan", "section", "lead", "updated_by")
    )
    history = RecommendationHistory(recommendation=recommendation)
    plan_cycles = history.cycles
    # Evidence in the open update that this person may take back.
    history.removable = {
        item.pk
        for entry in history.rows
        if entry.cycle.is_open and entry.update
        for item in entry.update.evidence.all()
        if may_remove_evidence(request.user, item)
    }
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
            "open_cycle": plan_cycles.open,
            "changes": selectors.recommendation_changes(recommendation),
            "can_manage": access.can(request.user, Action.MANAGE_ACTION_PLAN),
            "may_add_evidence": plan_cycles.open is not None and may_add_evidence(request.user, recommendation),
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


@require_POST
@access.permission_required(Action.ADD_EVIDENCE)
def evidence_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    evidence = evidence_for(request.user, pk, write=True)
    recommendation = recommendation_for(request.user, evidence.update.recommendation_id, write=True)
    try:
        services.evidence_remove(evidence=evidence, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The evidence has been removed.")
    return redirect("recommendations:recommendation_detail", recommendation.pk)


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
# Two fields a row, and Django refuses a form of more than DATA_UPLOAD_MAX_NUMBER_FIELDS
# (1,000): a plan longer than this is rated a section at a time.
RATINGS_PER_PAGE = 400


@dataclass(frozen=True)
class RatingsPage:
    number: int
    rows: list[selectors.RecommendationRow]

    @property
    def label(self) -> str:
        first, last = self.rows[0].recommendation, self.rows[-1].recommendation
        return f"{first.number} to {last.number}" if first != last else first.number


def ratings_pages(rows: list[selectors.RecommendationRow]) -> list[RatingsPage]:
    """All rows on one page while they fit; otherwise a page per section, a section too
    long for one page split over several."""
    if len(rows) <= RATINGS_PER_PAGE:
        return [RatingsPage(1, rows)]
    chunks: list[list[selectors.RecommendationRow]] = []
    for _section, section_rows in groupby(rows, key=lambda row: row.recommendation.section_id):
        listed = list(section_rows)
        chunks += [listed[start : start + RATINGS_PER_PAGE] for start in range(0, len(listed), RATINGS_PER_PAGE)]
    return [RatingsPage(number, chunk) for number, chunk in enumerate(chunks, start=1)]


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.VIEW_ACTION_PLAN)
def cycle_ratings(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The whole plan's RAG for one cycle on one page. Read-only once the cycle is
    completed, or for anyone but the Executive."""
    cycle = cycle_for(request.user, pk, queryset=ReviewCycle.objects.select_related("plan", "completed_by"))
    editable = cycle.is_open and access.can(request.user, Action.MANAGE_ACTION_PLAN)
    if request.method == "POST" and not editable:
        raise PermissionDenied
    ratings = CycleRatings(cycle=cycle)
    updates = ratings.updates
    scale = ratings.scale
    for update in updates.values():
        update.rag, update.proposed_rag = scale.status(update.rag), scale.status(update.proposed_rag)
    pages = ratings_pages([item.row for item in ratings.rows])
    page = pages[min(max(_page_number(request), 1), len(pages)) - 1]
    on_page = {row.recommendation.pk for row in page.rows}
    page_items = [item for item in ratings.rows if item.row.recommendation.pk in on_page]
    form = RatingsForm(
        request.POST or None,
        initial={"version": cycle.version},
        recommendations=[item.row.recommendation for item in page_items],
        scale=scale,
        current={pk: (update.rag_id, update.rating_note) for pk, update in updates.items()},
    )
    if editable and form.is_valid():
        saved: dict[str, int] = {}
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
            here = reverse("recommendations:cycle_ratings", args=[cycle.pk])
            return redirect(f"{here}?page={page.number}" if len(pages) > 1 else here)
    return render(
        request,
        "recommendations/cycle_ratings.html",
        {
            "cycle": cycle,
            "scale": scale,
            "form": form,
            "editable": editable,
            "ratings": ratings,
            "rows": [
                {
                    "row": item.row,
                    "update": item.update,
                    "field": form[f"rag_{item.row.recommendation.pk}"],
                    "note": form[f"note_{item.row.recommendation.pk}"],
                }
                for item in page_items
            ]
            if editable
            else [],
            "check_before_completing": CHECK_BEFORE_COMPLETING,
            "pages": pages if len(pages) > 1 else [],
            "page": page,
            "previous_cycle": ratings.previous_cycle,
        },
    )


def _page_number(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("page", "1"))
    except ValueError:
        return 1


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


def already_completed(cycle: ReviewCycle) -> str:
    who = f" by {cycle.completed_by.get_full_name()}" if cycle.completed_by else ""
    when = f" on {date_format(cycle.completed_on, 'DATE_FORMAT')}" if cycle.completed_on else ""
    return f"The {cycle.title} was already completed{when}{who}: its ratings and evidence are frozen."


# --- Lists ----------------------------------------------------------------------------------


@require_safe
@access.permission_required(Action.LEAD_RECOMMENDATIONS)
def my_recommendations(request: AuthenticatedRequest) -> HttpResponse:
    source = MyRecommendations(user=request.user, filters=request.GET)
    return render(
        request, "recommendations/my_recommendations.html", {"source": source, "open_cycles": source.open_cycles}
    )


@require_safe
@access.permission_required(Action.LEAD_RECOMMENDATIONS)
def my_recommendations_download(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    return lists.download(request, MyRecommendations(user=request.user, filters=request.GET), kind)


@require_safe
@access.permission_required(Action.VIEW_ACTION_PLAN)
def overdue(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "recommendations/overdue.html", {"source": OverdueList(filters=request.GET)})


@require_safe
@access.permission_required(Action.VIEW_ACTION_PLAN)
def overdue_download(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    return lists.download(request, OverdueList(filters=request.GET), kind)
