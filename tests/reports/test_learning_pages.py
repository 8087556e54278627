"""The pages of a round's learning summary: the audit team drafts, edits, checks and
publishes it; board members download the published PDF; a recommendation raised from
the round is added to an action plan with the round as its source."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audits.models import AuditCase
from recommendations.models import PlanSection, Recommendation
from reports.models import LearningSummary
from tests.factories import (
    ActionPlanFactory,
    AuditCaseFactory,
    AuditRoundFactory,
    LearningSummaryFactory,
    PlanSectionFactory,
    PublishedLearningSummaryFactory,
    rate_every_theme,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit_round():
    audit_round = AuditRoundFactory(title="September 2010")
    for case in AuditCaseFactory.create_batch(
        5, audit_round=audit_round, state=AuditCase.State.FINALISED, strengths="Prompt information sharing."
    ):
        rate_every_theme(case)
    return audit_round


def test_the_audit_team_drafts_the_summary_from_the_round_page(persona_client, audit_round):
    client = persona_client("audit_team")
    round_page = client.get(reverse("audits:round_detail", args=[audit_round.pk])).content.decode()
    assert reverse("reports:learning_summary", args=[audit_round.pk]) in round_page
    response = client.post(reverse("reports:learning_draft", args=[audit_round.pk]))
    assert response["Location"] == reverse("reports:learning_summary", args=[audit_round.pk])
    summary = LearningSummary.objects.get(audit_round=audit_round)
    assert "Prompt information sharing." in summary.worked_well
    page = client.get(response["Location"]).content.decode()
    assert "Prompt information sharing." in page


def test_a_second_draft_is_refused_on_the_page(persona_client, audit_round):
    client = persona_client("audit_team")
    LearningSummaryFactory(audit_round=audit_round)
    response = client.post(reverse("reports:learning_draft", args=[audit_round.pk]), follow=True)
    assert "already has a learning summary" in response.content.decode()
    assert LearningSummary.objects.count() == 1


def test_a_board_reference_typed_in_a_block_is_refused_beside_it(persona_client):
    client = persona_client("audit_team")
    summary = LearningSummaryFactory()
    url = reverse("reports:learning_edit", args=[summary.audit_round_id])
    response = client.post(
        url,
        {
            "title": summary.title,
            "findings": summary.findings,
            "worked_well": "As in MACA-2010-09-03, information was shared promptly.",
            "version": summary.version,
        },
    )
    assert response.status_code == 200
    assert "contains a board reference" in str(response.context["form"].errors["worked_well"])
    summary.refresh_from_db()
    assert summary.version == 1


def test_the_audit_team_checks_and_publishes_then_board_members_download_it(persona_client):
    client = persona_client("audit_team")
    summary = LearningSummaryFactory()
    check = client.get(reverse("reports:learning_publish", args=[summary.audit_round_id]))
    assert "1 page" in check.content.decode()
    response = client.post(
        reverse("reports:learning_publish", args=[summary.audit_round_id]), {"version": summary.version}
    )
    assert response.status_code == 302
    summary.refresh_from_db()
    assert summary.is_published
    # Published, it is final: the edit page sends the audit team back.
    edit = client.get(reverse("reports:learning_edit", args=[summary.audit_round_id]))
    assert edit["Location"] == reverse("reports:learning_summary", args=[summary.audit_round_id])
    board_member = persona_client("board_member")
    listing = board_member.get(reverse("reports:report_list")).content.decode()
    assert reverse("reports:learning_download", args=[summary.audit_round_id]) in listing
    download = board_member.get(reverse("reports:learning_download", args=[summary.audit_round_id]))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_draft_summary_is_not_downloadable_as_published(persona_client):
    summary = LearningSummaryFactory()
    response = persona_client("board_member").get(reverse("reports:learning_download", args=[summary.audit_round_id]))
    assert response.status_code == 404


def test_a_published_summary_is_not_published_again(persona_client):
    summary = PublishedLearningSummaryFactory()
    response = persona_client("audit_team").post(
        reverse("reports:learning_publish", args=[summary.audit_round_id]), {"version": summary.version}
    )
    assert response["Location"] == reverse("reports:learning_summary", args=[summary.audit_round_id])


# --- Raising a recommendation with the round as its source ---------------------------------


def test_the_summary_page_links_each_plan_with_the_round(persona_client, audit_round):
    plan = ActionPlanFactory()
    url = f"{reverse('recommendations:recommendation_create', args=[plan.pk])}?round={audit_round.pk}"
    page = persona_client("audit_team").get(reverse("reports:learning_summary", args=[audit_round.pk]))
    assert url in page.content.decode()


def test_with_no_action_plan_the_summary_page_says_who_starts_one(persona_client, audit_round):
    page = persona_client("audit_team").get(reverse("reports:learning_summary", args=[audit_round.pk]))
    assert "No action plan has been started yet: the Board Executive starts one." in page.content.decode()


def test_a_recommendation_raised_from_a_round_has_its_section_chosen(persona_client, audit_round):
    section = PlanSectionFactory(audit_round=audit_round, number=3)
    PlanSectionFactory(plan=section.plan, number=4)
    url = reverse("recommendations:recommendation_create", args=[section.plan_id])
    response = persona_client("executive").get(f"{url}?round={audit_round.pk}")
    assert response.context["form"]["section"].value() == section.pk


@pytest.mark.parametrize("persona", ["executive", "audit_team"])
def test_a_round_with_no_section_in_the_plan_is_added_first_then_the_recommendation(
    persona_client, audit_round, persona
):
    client = persona_client(persona)
    plan = ActionPlanFactory()
    response = client.get(f"{reverse('recommendations:recommendation_create', args=[plan.pk])}?round={audit_round.pk}")
    section_url = f"{reverse('recommendations:section_create', args=[plan.pk])}?round={audit_round.pk}"
    assert response["Location"] == section_url
    form = client.get(section_url).context["form"]
    assert form["audit_round"].value() == audit_round.pk
    assert form["source_kind"].value() == PlanSection.SourceKind.CASE_AUDIT
    data = {
        "number": "5",
        "title": "September 2010",
        "source_kind": "case_audit",
        "audit_round": audit_round.pk,
        "item_heading": "Recommendations",
        "submission_key": form["submission_key"].value(),
    }
    saved = client.post(section_url, data)
    assert (
        saved["Location"]
        == f"{reverse('recommendations:recommendation_create', args=[plan.pk])}?round={audit_round.pk}"
    )
    section = PlanSection.objects.get(plan=plan, audit_round=audit_round)
    assert client.get(saved["Location"]).context["form"]["section"].value() == section.pk
    assert not Recommendation.objects.filter(plan=plan).exists()


def test_a_round_parameter_that_is_not_a_case_audit_round_is_ignored(persona_client):
    plan = ActionPlanFactory()
    url = reverse("recommendations:recommendation_create", args=[plan.pk])
    response = persona_client("executive").get(f"{url}?round=nonsense")
    assert response.status_code == 200
    assert response.context["form"]["section"].value() is None


def test_the_audit_team_raises_a_recommendation_only_into_the_rounds_section(persona_client, audit_round):
    client = persona_client("audit_team")
    section = PlanSectionFactory(audit_round=audit_round, number=3)
    other = PlanSectionFactory(plan=section.plan, number=4)
    url = f"{reverse('recommendations:recommendation_create', args=[section.plan_id])}?round={audit_round.pk}"
    form = client.get(url).context["form"]
    assert list(form.fields["section"].queryset) == [section]
    refused = client.post(url, {"section": other.pk, "number": "4.1", "kind": "task", "text": "Keep this text"})
    assert refused.status_code == 200
    assert "Keep this text" in refused.content.decode()
    assert refused.context["form"].errors["section"]
    raised = client.post(url, {"section": section.pk, "number": "3.1", "kind": "task", "text": "Train on neglect"})
    recommendation = Recommendation.objects.get(plan=section.plan)
    assert raised["Location"] == reverse("recommendations:recommendation_detail", args=[recommendation.pk])
    assert recommendation.section.audit_round == audit_round


def test_the_audit_team_adds_a_section_only_from_the_round(persona_client, audit_round):
    client = persona_client("audit_team")
    plan = ActionPlanFactory()
    url = f"{reverse('recommendations:section_create', args=[plan.pk])}?round={audit_round.pk}"
    form = client.get(url).context["form"]
    assert list(form.fields["audit_round"].queryset) == [audit_round]
    assert [value for value, _ in form.fields["source_kind"].choices] == [PlanSection.SourceKind.CASE_AUDIT]
    data = {
        "number": "5",
        "title": "A review",
        "source_kind": "rapid_review",
        "source_name": "Review of child A",
        "item_heading": "Recommendations",
        "submission_key": form["submission_key"].value(),
    }
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert set(refused.context["form"].errors) >= {"source_kind"}
    assert not PlanSection.objects.filter(plan=plan).exists()


@pytest.mark.parametrize("query", ["", "?round=nonsense"])
@pytest.mark.parametrize("name", ["recommendations:recommendation_create", "recommendations:section_create"])
def test_the_audit_team_changes_a_plan_only_from_a_round(persona_client, name, query):
    plan = ActionPlanFactory()
    response = persona_client("audit_team").get(f"{reverse(name, args=[plan.pk])}{query}")
    assert response.status_code == 403
