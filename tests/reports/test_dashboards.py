"""The dashboards: figures only, one query budget whatever the data, each figure a link
to the list behind it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from audits.models import AuditCase, ChecklistAnswer, ChecklistQuestion, RecordGrade, Theme
from dscb.models import Agency, Role
from recommendations.models import ActionPlan, PlanSection, Recommendation, RecommendationLead
from reports import selectors
from reports.selectors import Period
from tests.conftest import make_user, queries_for, sign_in
from tests.factories import (
    ActionPlanFactory,
    AgencyFactory,
    AuditCaseFactory,
    AuditRoundFactory,
    CaseRecordFactory,
    EscalationFactory,
    PlanSectionFactory,
    RecommendationFactory,
    ReviewCycleFactory,
    grade,
    police,
    rate_every_theme,
)
from tests.recommendations.test_query_counts import build_plan

pytestmark = pytest.mark.django_db

# session, user; first and last round; rounds; cases; grades below adequate; theme ratings;
# records per round and agency; checklist answers per round and agency; agencies' own grades;
# escalations; feedback given; most records in a case; grade scale's words, grades, themes, questions
AUDIT_DASHBOARD_QUERIES = 17
# session, user; plan with its audit rounds; cycles; RAG scale's words and statuses; the plan
# counted by the database in one grouped query; sections; leads' names
RAG_DASHBOARD_QUERIES = 10


def add_cases(count: int) -> None:
    """Finalised cases and drafts (counted apart), with more rounds and more agencies, each
    agency's records graded on every theme and answering every checklist question, the more
    cases there are."""
    agencies = [police(), *AgencyFactory.create_batch(count // 4)]
    rounds = [AuditRoundFactory(held_on=datetime.date(2010, 1 + n, 15)) for n in range(1 + count // 8)]
    themes, questions = list(Theme.objects.active()), list(ChecklistQuestion.objects.active())
    for index in range(count):
        state = AuditCase.State.FINALISED if index % 2 else AuditCase.State.DRAFT
        case = AuditCaseFactory(audit_round=rounds[index % len(rounds)], overall_grade=grade("Adequate"), state=state)
        rate_every_theme(case)
        for agency in (agencies[index % len(agencies)], agencies[(index + 1) % len(agencies)]):
            record = CaseRecordFactory(case=case, agency=agency)
            label = "Inadequate" if index % 3 else "Good"
            RecordGrade.objects.bulk_create(RecordGrade(record=record, theme=t, grade=grade(label)) for t in themes)
            ChecklistAnswer.objects.bulk_create(
                ChecklistAnswer(record=record, question=q, answer=ChecklistAnswer.Answer.YES) for q in questions
            )
        EscalationFactory(case=case)


@pytest.mark.parametrize("cases", [2, 40])
def test_the_audit_dashboard_costs_the_same_however_many_cases_rounds_and_agencies(client, cases):
    add_cases(cases)
    sign_in(client, make_user(Role.BOARD_MEMBER))
    assert queries_for(client, reverse("reports:audit_dashboard")) == AUDIT_DASHBOARD_QUERIES
    page = client.get(reverse("reports:audit_dashboard")).content.decode()
    assert "records graded adequate or better on each theme, all rounds" in page  # the breakdown, counted too


@pytest.mark.parametrize("size", [32, 320])
def test_the_rag_dashboard_costs_the_same_however_many_recommendations(client, size):
    build_plan(size)
    sign_in(client, make_user(Role.BOARD_MEMBER))
    assert queries_for(client, reverse("reports:rag_dashboard")) == RAG_DASHBOARD_QUERIES


def test_the_audit_dashboard_shows_the_seeds_figures_and_no_case(demo, client):
    sign_in(client, make_user(Role.BOARD_MEMBER))
    page = strip_tags(client.get(reverse("reports:audit_dashboard")).content.decode())
    assert "36 children audited" in " ".join(page.split())
    assert "Overall ratings of audit findings of 36" in page
    assert not any(reference in page for reference in AuditCase.objects.values_list("reference", flat=True))


def test_the_audit_dashboard_opens_on_the_latest_rounds_and_shows_earlier_ones_when_asked(client):
    held = [datetime.date(2015 + n // 4, 1 + 3 * (n % 4), 10) for n in range(10)]
    for held_on in held:
        AuditCaseFactory(audit_round=AuditRoundFactory(held_on=held_on), state=AuditCase.State.FINALISED)
    sign_in(client, make_user(Role.BOARD_MEMBER))

    page = " ".join(strip_tags(client.get(reverse("reports:audit_dashboard")).content.decode()).split())
    assert "8 rounds 8 children audited" in page
    assert f"Showing rounds held from {held[2]:%-d %B %Y} to" in page
    assert "the latest 8 rounds. Choose the dates to see earlier ones" in page

    chosen = {"start_0": "1", "start_1": "1", "start_2": "2015"}
    page = " ".join(strip_tags(client.get(reverse("reports:audit_dashboard"), chosen).content.decode()).split())
    assert "10 rounds 10 children audited" in page
    assert "the latest 8 rounds" not in page


def test_the_period_chooses_the_rounds(demo, client):
    figures = selectors.audit_figures(
        Period(datetime.date(2010, 9, 1), datetime.date(2010, 12, 31)), today=datetime.date(2011, 3, 4)
    )
    assert [f.audit_round.title for f in figures.rounds] == ["September 2010 (Integrated Children's Service)"]
    assert figures.cases == 8
    assert figures.inquiry.families == 2  # counted apart: November 2010
    assert figures.graded == 8  # the families never enter the grade figures
    sign_in(client, make_user(Role.BOARD_MEMBER))
    response = client.get(
        reverse("reports:audit_dashboard"),
        {"start_0": "1", "start_1": "9", "start_2": "2010", "end_0": "31", "end_1": "12", "end_2": "2010"},
    )
    assert "8 children audited" in " ".join(strip_tags(response.content.decode()).split())


def test_a_bad_period_is_reported_beside_the_field(demo, client):
    sign_in(client, make_user(Role.BOARD_MEMBER))
    response = client.get(reverse("reports:audit_dashboard"), {"start_0": "31", "start_1": "2", "start_2": "2010"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "From must be a real date" in content
    assert "govuk-error-summary" in content


def test_september_2010_checklist_figures(demo):
    figures = selectors.audit_figures(
        Period(datetime.date(2010, 9, 1), datetime.date(2010, 9, 30)), today=datetime.date(2011, 3, 4)
    )
    september = figures.rounds[0]
    by_text = {q.text: september.checklist_yes_share(q.pk) for q in figures.questions}
    assert by_text["Evidence of supervision or management oversight on file"] == 0.9
    assert by_text["Up-to-date CP plan and minutes on file"] == 1.0


def test_each_rag_figure_links_to_the_list_behind_it(demo, client):
    sign_in(client, make_user(Role.EXECUTIVE))
    seeds = ActionPlan.objects.order_by("pk").first()  # the demo's first plan: the seed's
    page = client.get(f"{reverse('reports:rag_dashboard')}?plan={seeds.pk}").content.decode()
    section_3 = PlanSection.objects.get(plan=seeds, number=3).pk
    for query, count in (("rag=none", 15), ("not_rated=1", 15), (f"section={section_3}", 5), ("overdue=1", 0)):
        assert f"{reverse('reports:rag_list')}?{query}&amp;plan={seeds.pk}" in page
        listing = client.get(f"{reverse('reports:rag_list')}?{query}&plan={seeds.pk}").content.decode()
        assert f"{count} of 32 recommendations" in listing


def test_a_list_without_a_figure_lists_every_recommendation_and_a_filter_that_means_nothing_is_ignored(demo, client):
    sign_in(client, make_user(Role.EXECUTIVE))
    seeds = ActionPlan.objects.order_by("pk").first()
    everything = client.get(reverse("reports:rag_list")).content.decode()
    assert f"{Recommendation.objects.count()} of {Recommendation.objects.count()} recommendations" in everything
    assert '<h1 class="govuk-heading-l">Every recommendation</h1>' in everything
    for nonsense in ("rag=not-a-status", "section=x", "lead=%3A", "agency=99999999999"):
        listing = client.get(f"{reverse('reports:rag_list')}?{nonsense}&plan={seeds.pk}").content.decode()
        assert "32 of 32" in listing


def test_a_recommendation_with_two_leads_counts_under_each_and_their_list_names_the_lead(client):
    plan, _open_cycle = build_plan(4)  # each led by one person and by the Head of Safeguarding, Police
    person = RecommendationLead.objects.filter(person__isnull=False).select_related("person").first().person
    figures = selectors.rag_figures(selectors.RagScope(plan=plan), today=datetime.date(2011, 9, 1))
    by_lead = {name: sum(counts.values()) for name, _key, counts in figures.by_lead()}
    assert by_lead == {person.get_full_name(): 4, "Head of Safeguarding, Police": 4}
    police = Agency.objects.get(short_name="Police")
    sign_in(client, make_user(Role.BOARD_MEMBER))
    page = client.get(reverse("reports:rag_list"), {"lead": f"{police.pk}:Head of Safeguarding"}).content.decode()
    assert "Recommendations led by Head of Safeguarding, Police" in page
    assert page.count(f"{person.get_full_name()}; Head of Safeguarding, Police") == 4


def _plan_from(kind: str, title: str, recommendations: int) -> ActionPlan:
    plan = ActionPlanFactory(title=title)
    section = PlanSectionFactory(plan=plan, number=1, source_kind=kind, source_name=title)
    for n in range(1, recommendations + 1):
        RecommendationFactory(plan=plan, section=section, number=f"1.{n}")
    ReviewCycleFactory(plan=plan)
    return plan


def test_the_dashboard_filtered_by_plan_or_kind_counts_only_those(client):
    sign_in(client, make_user(Role.EXECUTIVE))
    audits = _plan_from(PlanSection.SourceKind.CASE_AUDIT, "Case audits", 3)
    review = _plan_from(PlanSection.SourceKind.PRACTICE_REVIEW, "Child T review", 2)
    today = datetime.date(2024, 1, 1)
    assert selectors.rag_figures(selectors.RagScope(), today=today).total == 5
    assert selectors.rag_figures(selectors.RagScope(plan=review), today=today).total == 2
    assert selectors.rag_figures(selectors.RagScope(source_kind="case_audit"), today=today).total == 3
    assert selectors.rag_figures(selectors.RagScope(plan=audits, source_kind="practice_review"), today=today).total == 0
    page = client.get(reverse("reports:rag_dashboard"), {"plan": review.pk}).content.decode()
    assert "2 recommendations in “Child T review”" in page
    listing = client.get(reverse("reports:rag_list"), {"not_rated": "1", "plan": review.pk}).content.decode()
    assert "2 of 2 recommendations" in listing
    listing = client.get(reverse("reports:rag_list"), {"not_rated": "1", "kind": "case_audit"}).content.decode()
    assert "3 of 3 recommendations" in listing


DASHBOARD_QUERIES = 10
PLAN_LIST_QUERIES = 5


@pytest.mark.parametrize("plans", [1, 3])
def test_the_dashboard_and_the_plans_list_cost_the_same_for_one_plan_or_three(client, django_assert_num_queries, plans):
    sign_in(client, make_user(Role.EXECUTIVE))
    for n in range(plans):
        _plan_from(PlanSection.SourceKind.PRACTICE_REVIEW, f"Review {n}", 3)
    # session, user; plans, their cycles, the counts (one query), the scale's words and statuses, the
    # filter's plans, sections, and the leads' counts (one query: a recommendation counts under each lead)
    assert queries_for(client, reverse("reports:rag_dashboard")) == DASHBOARD_QUERIES
    # session, user; the plans with their counts, sections, cycles
    assert queries_for(client, reverse("recommendations:plan_list")) == PLAN_LIST_QUERIES
