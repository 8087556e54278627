"""Walks every URL name as every persona and compares what happens with MATRIX."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from audits.models import LegalHold
from dscb.models import Agency, RetentionRule, User, WorkerHeartbeat
from dscb.reference import KINDS
from recommendations.models import ReviewCycle
from reports.models import ReportProse
from reports.services import DRAFT_DOCUMENTS
from reports.views import DOWNLOADS
from tests.conftest import PERSONAS
from tests.factories import (
    MINIMAL_PDF,
    AuditCaseFactory,
    AuditRoundFactory,
    CaseRecordFactory,
    EscalationFactory,
    EvidenceFactory,
    InquiryParticipantFactory,
    LearningSummaryFactory,
    NarrativeSectionFactory,
    ProgressUpdateFactory,
    PublishedLearningSummaryFactory,
    PublishedReportFactory,
    RecommendationFactory,
    ReportFactory,
    ReportProseFactory,
    ReviewCycleFactory,
    UserFactory,
    activate_totp,
    police,
    sample_document_jobs,
)
from tests.permissions import MATRIX, OK, REFERENCE_DATA, Outcome, redirect


def url_names(resolver: URLResolver | None = None, namespace: str = "") -> Iterator[str]:
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def sample_kwargs(persona: User | None = None) -> dict[str, dict[str, object]]:
    """Arguments for URLs that need them: real objects, so a page answers as it would.
    The persona, if an auditor, is assigned to the sample round; the sample record is
    Police's, the agency of the agency auditor persona."""
    someone = UserFactory()
    activate_totp(someone)
    audit_round = AuditRoundFactory(auditors=[persona] if persona else [])
    case = AuditCaseFactory(audit_round=audit_round)
    record = CaseRecordFactory(case=case, agency=police())
    escalation = EscalationFactory(case=case)
    participant = InquiryParticipantFactory(case__audit_round__auditors=[persona] if persona else [])
    recommendation = RecommendationFactory(lead=persona if persona and persona.is_professional_lead else None)
    cycle = ReviewCycleFactory(plan=recommendation.plan)
    evidence = EvidenceFactory(
        update=ProgressUpdateFactory(recommendation=recommendation, cycle=cycle),
        file=SimpleUploadedFile("policy.pdf", MINIMAL_PDF),
        file_name="policy.pdf",
        file_type="application/pdf",
    )
    completed = ReviewCycleFactory(state=ReviewCycle.State.COMPLETED, completed_on=cycle.due_on)
    report = ReportFactory(cycle=cycle)
    section = NarrativeSectionFactory(report=report)
    ReportProseFactory(report=report, block=ReportProse.Block.METHOD)
    published = PublishedReportFactory(report__cycle=cycle)  # a report of its own: the sample draft stays a draft
    learning = LearningSummaryFactory()
    published_learning = PublishedLearningSummaryFactory()
    hold = LegalHold.objects.create(case=case, reason="Complaint under investigation.", placed_by=someone)
    # And one lifted, so the page shows why holds were lifted too.
    LegalHold.objects.create(
        audit_round=audit_round,
        reason="Inquiry asked for these files.",
        placed_by=someone,
        lifted_by=someone,
        lifted_at=timezone.now(),
        lift_reason="Inquiry closed.",
    )
    # A worker running, so /health/ answers as it would in production.
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id="walk", defaults={"host": "test", "pid": 1, "started_at": now, "last_seen": now}
    )
    kwargs: dict[str, dict[str, object]] = {
        "reports:draft_make": {"pk": report.pk, "kind": "pdf"},
        **sample_document_jobs(
            report,
            executive=someone,
            administrator=persona if persona and persona.is_administrator else someone,
            reference=case.reference,
        ),
        "reports:retention_rule_edit": {"pk": RetentionRule.objects.get(kind=RetentionRule.Kind.CASE_AUDIT_DETAIL).pk},
        "reports:legal_hold_lift": {"pk": hold.pk},
        "reports:rag_list": {},
        "reports:report_detail": {"pk": report.pk},
        "reports:report_edit": {"pk": report.pk},
        "reports:section_add": {"pk": report.pk},
        "reports:section_edit": {"pk": report.pk, "section_pk": section.pk},
        "reports:section_remove": {"pk": report.pk, "section_pk": section.pk},
        "reports:prose_edit": {"pk": report.pk, "block": ReportProse.Block.INTRODUCTION},
        "reports:prose_reset": {"pk": report.pk, "block": ReportProse.Block.METHOD},
        "reports:report_download": {"pk": report.pk, "kind": "summary"},
        "reports:report_publish": {"pk": report.pk},
        "reports:published_download": {"pk": published.pk, "kind": "pdf"},
        "reports:published_withdraw": {"pk": published.pk},
        "reports:learning_summary": {"pk": learning.audit_round_id},
        "reports:learning_draft": {"pk": learning.audit_round_id},
        "reports:learning_edit": {"pk": learning.audit_round_id},
        "reports:learning_preview": {"pk": learning.audit_round_id},
        "reports:learning_publish": {"pk": learning.audit_round_id},
        "reports:learning_download": {"pk": published_learning.audit_round_id},
        "account_reset_password_from_key": {"uidb36": "1z", "key": "not-a-real-key"},
        "openid_connect_login": {"provider_id": "organisation"},
        "openid_connect_callback": {"provider_id": "organisation"},
        "audits:round_detail": {"pk": audit_round.pk},
        "audits:round_edit": {"pk": audit_round.pk},
        "audits:round_move_on": {"pk": audit_round.pk},
        "audits:round_reopen": {"pk": audit_round.pk},
        "audits:agency_return": {"pk": audit_round.pk, "agency": police().pk},
        "audits:return_upload": {"pk": audit_round.pk},
        # No upload is kept for the token: the audit team is sent to upload one.
        "audits:return_review": {"pk": audit_round.pk, "token": "no-such-upload"},
        "audits:case_create": {"pk": audit_round.pk},
        "audits:case_detail": {"pk": case.pk},
        "audits:case_print": {"pk": case.pk},
        "audits:case_edit": {"pk": case.pk},
        "audits:case_grades": {"pk": case.pk},
        "audits:case_finalise": {"pk": case.pk},
        "audits:case_reopen": {"pk": case.pk},
        "audits:case_feedback": {"pk": case.pk},
        "audits:record_create": {"pk": case.pk},
        "audits:escalation_create": {"pk": case.pk},
        "audits:record_detail": {"pk": record.pk},
        "audits:record_feedback": {"pk": record.pk},
        "audits:feedback_not_needed": {"pk": record.pk},
        "audits:escalation_edit": {"pk": escalation.pk},
        "audits:escalation_withdraw": {"pk": escalation.pk},
        "audits:participant_add": {"pk": participant.case_id},
        "audits:participant_remove": {"pk": participant.pk},
        "recommendations:plan": {"plan": recommendation.plan_id},
        "recommendations:plan_edit": {"plan": recommendation.plan_id},
        "recommendations:section_create": {"plan": recommendation.plan_id},
        "recommendations:plan_import": {"plan": recommendation.plan_id},
        "recommendations:plan_import_template": {"plan": recommendation.plan_id},
        # No upload is kept for the token: the Executive is sent to upload one.
        "recommendations:plan_import_columns": {"plan": recommendation.plan_id, "token": "no-such-upload"},
        "recommendations:plan_import_review": {"plan": recommendation.plan_id, "token": "no-such-upload"},
        "recommendations:recommendation_create": {"plan": recommendation.plan_id},
        "recommendations:cycle_list": {"plan": recommendation.plan_id},
        "recommendations:cycle_create": {"plan": recommendation.plan_id},
        "recommendations:recommendation_detail": {"pk": recommendation.pk},
        "recommendations:recommendation_edit": {"pk": recommendation.pk},
        "recommendations:evidence_add": {"pk": recommendation.pk},
        "recommendations:evidence_download": {"pk": evidence.pk},
        "recommendations:evidence_remove": {"pk": evidence.pk},
        "recommendations:evidence_mark_in_error": {"pk": evidence.pk},
        "recommendations:closure_propose": {"pk": recommendation.pk},
        "recommendations:closure_decide": {"pk": recommendation.pk},
        "recommendations:cycle_ratings": {"pk": cycle.pk},
        "recommendations:cycle_complete": {"pk": cycle.pk},
        "recommendations:cycle_reopen": {"pk": completed.pk},
        # Lists as CSV: the walk reads their text for case data (tests/test_page_walk.py).
        "audits:round_list_download": {"kind": "csv"},
        "audits:round_cases": {"pk": audit_round.pk},
        "audits:round_cases_download": {"pk": audit_round.pk, "kind": "csv"},
        "audits:returns_grid_download": {"pk": audit_round.pk, "kind": "csv"},
        "audits:feedback_owed": {"pk": audit_round.pk},
        "audits:feedback_owed_download": {"pk": audit_round.pk, "kind": "csv"},
        "audits:escalation_list": {"pk": audit_round.pk},
        "audits:escalation_list_download": {"pk": audit_round.pk, "kind": "csv"},
        "recommendations:plan_list_download": {"kind": "csv"},
        "recommendations:plan_download": {"plan": recommendation.plan_id, "kind": "csv"},
        "recommendations:mine_download": {"kind": "csv"},
        "recommendations:overdue_download": {"kind": "csv"},
        "recommendations:recommendation_history_download": {"pk": recommendation.pk, "kind": "csv"},
        "recommendations:cycle_ratings_download": {"pk": cycle.pk, "kind": "csv"},
        "reports:rag_list_download": {"kind": "csv"},
        "reports:published_list_download": {"kind": "csv"},
        "security_events_download": {"kind": "csv"},
        **{
            name: {"pk": someone.pk}
            for name in (
                "person_detail",
                "person_change",
                "person_deactivate",
                "person_reactivate",
                "person_authenticator_reset",
            )
        },
        "reference_data_list": {"kind": "agencies"},
        "reference_data_add": {"kind": "agencies"},
        "reference_data_change": {"kind": "agencies", "pk": Agency.objects.first().pk},
    }
    return kwargs


# Lists that answer only with a figure chosen on the RAG dashboard.
FIGURE_LISTS = {"reports:rag_list", "reports:rag_list_download"}


def outcome_of(response) -> Outcome:
    """The status, and for a redirect the URL name it leads to."""
    if response.status_code in (301, 302):
        location = response["Location"]
        try:
            return Outcome(302, resolve(urlsplit(location).path).view_name)
        except Resolver404:
            return Outcome(response.status_code, location)
    return Outcome(response.status_code)


def test_every_url_has_a_row_in_the_matrix():
    names = set(url_names())
    assert sorted(names - set(MATRIX)) == [], "URLs without a row in tests/permissions.py"
    assert sorted(set(MATRIX) - names) == [], "rows in tests/permissions.py for URLs that no longer exist"


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_url_answers_each_persona_as_the_matrix_says(persona, persona_client):
    client = persona_client(persona)
    kwargs = sample_kwargs(client.user)
    mismatches = []
    for name in sorted(url_names()):
        expected = MATRIX[name][persona]
        url = reverse(name, kwargs=kwargs.get(name))
        if name in FIGURE_LISTS:
            url += "?overdue=1"  # the list behind one of the dashboard's figures
        response = client.get(url)
        if response.streaming:  # a download: read it, so the test client closes its file
            b"".join(response.streaming_content)
        actual = outcome_of(response)
        if actual != expected:
            mismatches.append(f"{name}: expected {expected}, got {actual}")
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_kind_of_report_download_answers_as_its_urls_row_says(persona, persona_client):
    """The walk above asks for one kind of each download; every other kind (the Word
    documents too) answers each persona the same way."""
    client = persona_client(persona)
    report = ReportFactory()
    published = PublishedReportFactory(
        docx=SimpleUploadedFile("report.docx", b"PK\x03\x04"),
        summary_docx=SimpleUploadedFile("summary.docx", b"PK\x03\x04"),
    )
    mismatches = []
    for name, pk in (("reports:report_download", report.pk), ("reports:published_download", published.pk)):
        for kind in DOWNLOADS:
            response = client.get(reverse(name, kwargs={"pk": pk, "kind": kind}))
            if response.streaming:
                b"".join(response.streaming_content)
            expected = MATRIX[name][persona]
            if name == "reports:report_download" and kind in DRAFT_DOCUMENTS and expected == OK:
                # Every draft but the board summary is made by the worker: asked for on its own page.
                expected = redirect("reports:draft_make")
            if (actual := outcome_of(response)) != expected:
                mismatches.append(f"{name} {kind}: expected {expected}, got {actual}")
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("kind", REFERENCE_DATA)
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_kind_of_reference_data_answers_each_persona_as_its_row_says(kind, persona, persona_client):
    """The walk above opens the agencies' pages; every other kind's answer the same way,
    but for a scale's, whose one row has no list and no page for adding another."""
    client = persona_client(persona)
    row = KINDS[kind].rows().first()
    mismatches = []
    for name, expected in REFERENCE_DATA[kind].items():
        args = [kind, row.pk] if name == "reference_data_change" else [kind]
        if (actual := outcome_of(client.get(reverse(name, args=args)))) != expected[persona]:
            mismatches.append(f"{name} {kind}: expected {expected[persona]}, got {actual}")
    assert not mismatches, "\n".join(mismatches)
