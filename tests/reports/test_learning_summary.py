"""A round's learning summary: drafted from the round's finalised cases, edited in blocks
that refuse identifying details and board references, published as a public-safe PDF and
frozen. Every rule of the summary services is called here with no form (the list of
rules is the docstring of reports/services.py)."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.models import AuditCase, AuditRound, GradeScale
from dscb.concurrency import EditConflict
from dscb.models import Role
from reports import renderers, services
from reports.models import LearningSummary
from tests.conftest import make_user, queries_for
from tests.factories import (
    AuditCaseFactory,
    AuditRoundFactory,
    LearningSummaryFactory,
    PlanSectionFactory,
    PublishedLearningSummaryFactory,
    RecommendationFactory,
    rate_every_theme,
)
from tests.reports.conftest import pdf_text, poppler
from tests.service_rules import refusal_check

pytestmark = pytest.mark.django_db

refused = refusal_check([LearningSummary, LogEntry])


@pytest.fixture
def audit_team():
    return make_user(Role.AUDIT_TEAM)


def finalised_cases(audit_round, count: int, *, label: str = "Adequate", **fields) -> list[AuditCase]:
    cases = AuditCaseFactory.create_batch(count, audit_round=audit_round, state=AuditCase.State.FINALISED, **fields)
    for case in cases:
        rate_every_theme(case, label)
    return cases


@pytest.fixture
def audit_round():
    audit_round = AuditRoundFactory(title="September 2010", focus="Neglect and information sharing.")
    finalised_cases(audit_round, 4, strengths="Agencies shared information promptly.")
    finalised_cases(audit_round, 2, label="Inadequate", areas_for_development="Plans were not reviewed on time.")
    return audit_round


# --- Drafting -------------------------------------------------------------------------------


def test_the_draft_states_each_themes_share_meeting_the_threshold_in_the_scales_words(audit_round, audit_team):
    GradeScale.objects.update(threshold_phrase="good enough or better")
    summary = services.summary_draft(audit_round=audit_round, by=audit_team)
    assert summary.title == "Learning from audit: September 2010"
    assert summary.focus == "Neglect and information sharing."
    assert "4 of 6 cases (67%) were graded good enough or better." in summary.findings
    assert "adequate" not in summary.findings.lower()
    assert summary.state == LearningSummary.State.DRAFT


def test_the_draft_withholds_shares_for_a_round_of_fewer_than_5_cases(audit_team):
    audit_round = AuditRoundFactory()
    finalised_cases(audit_round, 4)
    summary = services.summary_draft(audit_round=audit_round, by=audit_team)
    assert "Fewer than 5 cases were audited" in summary.findings
    assert " of 4 " not in summary.findings


def test_the_draft_counts_finalised_cases_only(audit_round, audit_team):
    AuditCaseFactory.create_batch(3, audit_round=audit_round, strengths="Not agreed yet.")
    summary = services.summary_draft(audit_round=audit_round, by=audit_team)
    assert "of 6 cases" in summary.findings
    assert "Not agreed yet." not in summary.worked_well


def test_the_draft_gathers_strengths_and_areas_for_development_once_each(audit_round, audit_team):
    summary = services.summary_draft(audit_round=audit_round, by=audit_team)
    assert summary.worked_well == "Agencies shared information promptly."
    assert summary.development == "Plans were not reviewed on time."


def test_the_draft_leaves_out_any_text_naming_a_case(audit_round, audit_team):
    case = audit_round.cases.first()
    AuditCase.objects.filter(pk=case.pk).update(strengths=f"In {case.reference} the GP was quick.")
    summary = services.summary_draft(audit_round=audit_round, by=audit_team)
    assert case.reference not in summary.worked_well
    assert "Agencies shared information promptly." in summary.worked_well


def test_the_draft_lists_the_recommendations_whose_source_is_the_round(audit_round, audit_team):
    section = PlanSectionFactory(audit_round=audit_round)
    RecommendationFactory(section=section, plan=section.plan, text="Review plans within three months.")
    RecommendationFactory(text="From another source.")
    summary = services.summary_draft(audit_round=audit_round, by=audit_team)
    assert summary.recommendations == "Review plans within three months."


def test_a_summary_is_drafted_only_by_the_audit_team(audit_round):
    executive = make_user(Role.EXECUTIVE)
    refused(lambda: services.summary_draft(audit_round=audit_round, by=executive))


def test_a_round_with_no_finalised_case_has_no_summary_drafted(audit_team):
    audit_round = AuditRoundFactory()
    AuditCaseFactory(audit_round=audit_round)
    error = refused(lambda: services.summary_draft(audit_round=audit_round, by=audit_team))
    assert error.messages == [services.SUMMARY_NEEDS_FINALISED_CASE]


def test_an_appreciative_inquiry_has_no_summary_drafted(audit_round, audit_team):
    AuditRound.objects.filter(pk=audit_round.pk).update(kind=AuditRound.Kind.APPRECIATIVE_INQUIRY)
    audit_round.refresh_from_db()
    refused(lambda: services.summary_draft(audit_round=audit_round, by=audit_team))


def test_a_round_has_one_summary(audit_round, audit_team):
    LearningSummaryFactory(audit_round=audit_round)
    refused(lambda: services.summary_draft(audit_round=audit_round, by=audit_team))


# --- Editing --------------------------------------------------------------------------------


def test_the_audit_team_edits_a_block(audit_team):
    summary = LearningSummaryFactory()
    services.summary_update(summary=summary, by=audit_team, expected_version=1, worked_well="Prompt sharing.")
    summary.refresh_from_db()
    assert (summary.worked_well, summary.version) == ("Prompt sharing.", 2)


@pytest.mark.parametrize("block", services.SUMMARY_BLOCKS)
def test_a_board_reference_in_any_block_is_refused_beside_it(block, audit_team):
    summary = LearningSummaryFactory()
    refused(
        lambda: services.summary_update(
            summary=summary, by=audit_team, expected_version=1, **{block: "As MACA-2010-09-03 showed."}
        ),
        field=block,
    )


@pytest.mark.parametrize("block", services.SUMMARY_BLOCKS)
def test_identifying_details_in_any_block_are_refused_beside_it(block, audit_team):
    summary = LearningSummaryFactory()
    refused(
        lambda: services.summary_update(
            summary=summary, by=audit_team, expected_version=1, **{block: "Date of birth 12/03/2008"}
        ),
        field=block,
    )


def test_only_the_audit_team_edits_a_summary():
    summary, executive = LearningSummaryFactory(), make_user(Role.EXECUTIVE)
    refused(lambda: services.summary_update(summary=summary, by=executive, expected_version=1, focus="Changed."))


def test_a_published_summary_is_not_changed(audit_team):
    summary = PublishedLearningSummaryFactory()
    error = refused(lambda: services.summary_update(summary=summary, by=audit_team, expected_version=1, focus="New."))
    assert error.messages == [services.SUMMARY_PUBLISHED]


def test_an_edit_from_an_old_version_is_refused(audit_team):
    summary = LearningSummaryFactory()
    LearningSummary.objects.filter(pk=summary.pk).update(version=2)
    with pytest.raises(EditConflict):
        services.summary_update(summary=summary, by=audit_team, expected_version=1, focus="New.")


# --- Publishing -----------------------------------------------------------------------------


def test_publishing_stores_the_pdf_and_freezes_the_summary(audit_team):
    summary = LearningSummaryFactory()
    services.summary_publish(summary=summary, by=audit_team, expected_version=1)
    summary.refresh_from_db()
    assert summary.is_published
    assert (summary.published_by, summary.version) == (audit_team, 2)
    with summary.pdf.open("rb") as stored:
        assert stored.read().startswith(b"%PDF")
    with pytest.raises(ValidationError):
        services.summary_update(summary=summary, by=audit_team, expected_version=2, focus="Changed.")


def test_a_summary_is_published_once(audit_team):
    summary = PublishedLearningSummaryFactory()
    refused(lambda: services.summary_publish(summary=summary, by=audit_team, expected_version=1))


def test_only_the_audit_team_publishes_a_summary():
    summary, board_member = LearningSummaryFactory(), make_user(Role.BOARD_MEMBER)
    refused(lambda: services.summary_publish(summary=summary, by=board_member, expected_version=1))


def test_a_summary_changed_since_its_check_is_not_published(audit_team):
    summary = LearningSummaryFactory()
    LearningSummary.objects.filter(pk=summary.pk).update(version=2)
    with pytest.raises(EditConflict):
        services.summary_publish(summary=summary, by=audit_team, expected_version=1)
    summary.refresh_from_db()
    assert not summary.is_published
    assert not summary.pdf


def test_a_board_reference_saved_around_the_services_is_refused_on_publishing(audit_team):
    summary = LearningSummaryFactory()
    LearningSummary.objects.filter(pk=summary.pk).update(development="As MACA-2010-09-03 showed.")
    refused(lambda: services.summary_publish(summary=summary, by=audit_team, expected_version=1), field="development")


# --- The PDF --------------------------------------------------------------------------------


def test_the_pdf_names_no_case_has_its_headings_and_fits_two_pages(audit_round, audit_team, settings):
    section = PlanSectionFactory(audit_round=audit_round)
    RecommendationFactory(section=section, plan=section.plan, text="Review plans within three months.")
    summary = services.summary_draft(audit_round=audit_round, by=audit_team)
    pdf = renderers.learning_pdf(summary)
    text = " ".join(pdf_text(pdf, layout=False).split())
    for heading in ("Headline findings", "What worked well", "Areas for development", "Recommendations made"):
        assert heading in text
    assert f"Published by {settings.BOARD_NAME}" in text
    assert "OFFICIAL" not in text
    assert not any(reference in text for reference in audit_round.cases.values_list("reference", flat=True))
    pages = int(next(line for line in poppler("pdfinfo", pdf).splitlines() if line.startswith("Pages:")).split()[1])
    assert pages <= 2
    assert renderers.learning_page_count(summary) == pages


# --- Queries --------------------------------------------------------------------------------


def test_drafting_costs_the_same_however_many_cases_and_recommendations(audit_team):
    counts = []
    for size in (5, 15):
        audit_round = AuditRoundFactory()
        finalised_cases(audit_round, size, strengths="Prompt sharing.")
        section = PlanSectionFactory(audit_round=audit_round)
        for n in range(size):
            RecommendationFactory(section=section, plan=section.plan, number=f"{section.number}.{n + 1}")
        with CaptureQueriesContext(connection) as captured:
            services.summary_draft(audit_round=audit_round, by=audit_team)
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_the_summary_page_costs_the_same_however_long_the_round(persona_client):
    client = persona_client("audit_team")
    counts = []
    for size in (5, 15):
        audit_round = AuditRoundFactory()
        finalised_cases(audit_round, size)
        LearningSummaryFactory(audit_round=audit_round)
        counts.append(queries_for(client, reverse("reports:learning_summary", args=[audit_round.pk])))
    assert counts[0] == counts[1]
