"""Each list of the service beside a Django admin changelist showing the same rows, a page
of the same size (dscb.lists.PER_PAGE): the cost of a list done the plainest way Django
knows. One admin site per list, so each model's changelist can be narrowed as its list is
(to the sample round, plan or update, to the overdue ones)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from audits.models import AuditCase, AuditRound, Escalation
from dscb.lists import PER_PAGE
from dscb.models import SecurityEvent, User
from recommendations.models import ActionPlan, Recommendation

# The sample objects' keys, set by measure() before the first request.
SAMPLE: dict[str, dict[str, Any]] = {}


class BenchSite(admin.AdminSite):
    """Anyone signed in: the bench measures the changelist, not the admin's permissions
    (the service's User has no is_staff)."""

    def has_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active


class BenchAdmin(admin.ModelAdmin):
    list_per_page = PER_PAGE
    show_full_result_count = False
    narrow: Callable[[QuerySet[Any]], QuerySet[Any]] = staticmethod(lambda queryset: queryset)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.narrow(super().get_queryset(request))

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return True

    has_module_permission = has_view_permission

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    has_add_permission = has_change_permission  # type: ignore[assignment]
    has_delete_permission = has_change_permission


def _overdue(queryset: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
    return queryset.filter(target_date__lt=timezone.localdate()).exclude(state=Recommendation.State.CLOSED)


@dataclass(frozen=True)
class Comparison:
    list_name: str  # the service's list, a URL name
    model: type[Model]
    list_display: tuple[str, ...]
    narrow: Callable[[QuerySet[Any]], QuerySet[Any]]
    query: str = ""  # the service list's query string
    select_related: tuple[str, ...] = ()


COMPARISONS = {
    "rounds": Comparison(
        "audits:round_list", AuditRound, ("title", "held_on", "kind", "state"), lambda queryset: queryset
    ),
    "cases": Comparison(
        "audits:round_cases",
        AuditCase,
        (
            "reference",
            "category_neglect",
            "category_physical",
            "category_emotional",
            "category_sexual",
            "overall_grade",
            "state",
        ),
        lambda queryset: queryset.filter(audit_round_id=SAMPLE["audits:round_cases"]["pk"]),
        select_related=("overall_grade",),
    ),
    "escalations": Comparison(
        "audits:escalation_list",
        Escalation,
        ("case", "to_agency", "to_role", "due_by"),
        lambda queryset: queryset.filter(case__audit_round_id=SAMPLE["audits:escalation_list"]["pk"]),
        select_related=("case", "to_agency"),
    ),
    "plans": Comparison("recommendations:plan_list", ActionPlan, ("title", "director_lead"), lambda queryset: queryset),
    "plan": Comparison(
        "recommendations:plan",
        Recommendation,
        ("number", "text", "section", "target_date", "state"),
        lambda queryset: queryset.filter(plan_id=SAMPLE["recommendations:plan"]["plan"]),
        select_related=("section",),
    ),
    "overdue": Comparison(
        "recommendations:overdue",
        Recommendation,
        ("number", "text", "plan", "target_date", "state"),
        _overdue,
        select_related=("plan",),
    ),
    "rag_overdue": Comparison(
        "reports:rag_list",
        Recommendation,
        ("number", "text", "plan", "target_date", "state"),
        _overdue,
        query="?overdue=1",
        select_related=("plan",),
    ),
    # The ratings page lists every recommendation of the update's plan still open.
    "ratings": Comparison(
        "recommendations:cycle_ratings",
        Recommendation,
        ("number", "text", "section", "target_date", "state"),
        lambda queryset: queryset.filter(plan_id=SAMPLE["recommendations:plan"]["plan"]).exclude(
            state=Recommendation.State.CLOSED
        ),
        select_related=("section",),
    ),
    "people": Comparison("people", User, ("email", "full_name", "is_active"), lambda queryset: queryset),
    "security_events": Comparison(
        "security_events", SecurityEvent, ("at", "kind", "user"), lambda queryset: queryset, select_related=("user",)
    ),
}


def _site(slug: str, comparison: Comparison) -> BenchSite:
    site = BenchSite(name=f"bench_admin_{slug}")
    model_admin = type(
        f"{slug.title()}Admin",
        (BenchAdmin,),
        {
            "list_display": comparison.list_display,
            "list_select_related": comparison.select_related or False,
            "narrow": staticmethod(comparison.narrow),
        },
    )
    site.register(comparison.model, model_admin)
    return site


SITES = {slug: _site(slug, comparison) for slug, comparison in COMPARISONS.items()}


def measure(
    clients: Any, kwargs: dict[str, dict[str, object]], repeat: int
) -> dict[str, tuple[int, float, int, float, int]]:
    """{list: (rows on the page, list seconds, list queries, admin seconds, admin queries)}."""
    from django.urls import reverse

    from bench.pages import PERSONA_ORDER, measure_get
    from tests.permissions import MATRIX, OK

    SAMPLE.update(kwargs)
    results = {}
    for slug, comparison in COMPARISONS.items():
        persona = next(p for p in PERSONA_ORDER if MATRIX[comparison.list_name].get(p) == OK)
        client = clients(persona)
        url = reverse(comparison.list_name, kwargs=kwargs.get(comparison.list_name)) + comparison.query
        seconds, queries, _response = measure_get(client, url, repeat)
        meta = comparison.model._meta
        admin_url = reverse(f"bench_admin_{slug}:{meta.app_label}_{meta.model_name}_changelist")
        admin_seconds, admin_queries, response = measure_get(client, admin_url, repeat)
        if response.status_code != 200:
            raise SystemExit(f"The admin changelist {admin_url} answered {response.status_code}")
        rows = min(PER_PAGE, comparison.narrow(comparison.model._default_manager.all()).count())
        results[comparison.list_name + comparison.query] = (rows, seconds, queries, admin_seconds, admin_queries)
    return results
