"""The retention schedule and legal holds, for administrators (reports.views)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from audits.models import AuditRound, LegalHold
from audits.services import case_remove_detail
from dscb.models import RetentionRule, SecurityEvent
from tests.factories import AuditCaseFactory, AuditRoundFactory

pytestmark = pytest.mark.django_db


def rule(kind=RetentionRule.Kind.CASE_AUDIT_DETAIL) -> RetentionRule:
    return RetentionRule.objects.get(kind=kind)


def test_the_page_shows_the_default_schedule_and_the_holds(admin_client):
    case = AuditCaseFactory(reference="MACA-2010-09-07")
    LegalHold.objects.create(case=case, reason="Complaint under investigation.", placed_by=admin_client.user)
    response = admin_client.get(reverse("reports:retention"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Case audit detail" in page
    assert "6 years" in page
    assert "Case: MACA-2010-09-07" in page
    assert "Complaint under investigation." in page
    assert reverse("reports:legal_hold_lift", args=[LegalHold.objects.get().pk]) in page


def test_the_administration_page_links_administrators_to_it(admin_client):
    assert reverse("reports:retention") in admin_client.get(reverse("administration")).content.decode()


def test_changing_a_period_saves_it_and_records_the_event(admin_client):
    url = reverse("reports:retention_rule_edit", args=[rule().pk])
    response = admin_client.post(url, {"years": "7", "version": str(rule().version)})
    assert response.status_code == 302
    assert rule().years == 7
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.RETENTION_CHANGED).count() == 1


def test_an_empty_period_keeps_indefinitely(admin_client):
    url = reverse("reports:retention_rule_edit", args=[rule().pk])
    admin_client.post(url, {"years": "", "version": str(rule().version)})
    assert rule().years is None
    assert "Indefinitely" in admin_client.get(reverse("reports:retention")).content.decode()


@pytest.mark.parametrize(("typed", "message"), [("0", "1 or more"), ("-2", "1 or more"), ("six", "whole number")])
def test_a_bad_period_is_refused_beside_the_field_and_kept(admin_client, typed, message):
    url = reverse("reports:retention_rule_edit", args=[rule().pk])
    response = admin_client.post(url, {"years": typed, "version": str(rule().version)})
    assert response.status_code == 200
    assert message in str(response.context["form"].errors["years"])
    assert f'value="{typed}"' in response.content.decode()
    assert rule().years == 6


def test_placing_a_hold_on_a_case_by_its_reference(admin_client):
    case = AuditCaseFactory(reference="MACA-2010-09-07")
    response = admin_client.post(
        reverse("reports:legal_hold_place"), {"audit_round": "", "reference": " maca-2010-09-07 ", "reason": "A claim."}
    )
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    assert (hold.case, hold.reason, hold.placed_by) == (case, "A claim.", admin_client.user)
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LEGAL_HOLD_PLACED).count() == 1


def test_placing_a_hold_on_a_round(admin_client):
    audit_round = AuditRoundFactory()
    admin_client.post(reverse("reports:legal_hold_place"), {"audit_round": audit_round.pk, "reason": "An inquiry."})
    assert LegalHold.objects.get().audit_round == audit_round


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"reference": "MACA-1999-01-01", "reason": "A claim."}, "reference", "No case has this board reference"),
        ({"reference": "", "reason": "A claim."}, "audit_round", "Choose a round"),
        ({"reference": "MACA-2010-09-07", "reason": ""}, "reason", "Enter why"),
    ],
)
def test_a_hold_refused_says_why_beside_the_field(admin_client, data, field, message):
    AuditCaseFactory(reference="MACA-2010-09-07")
    response = admin_client.post(reverse("reports:legal_hold_place"), data)
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert not LegalHold.objects.exists()


def test_a_case_held_twice_is_refused_beside_the_reference(admin_client):
    case = AuditCaseFactory(reference="MACA-2010-09-07")
    LegalHold.objects.create(case=case, reason="First.", placed_by=admin_client.user)
    response = admin_client.post(reverse("reports:legal_hold_place"), {"reference": case.reference, "reason": "Again."})
    assert "already under a legal hold" in str(response.context["form"].errors["reference"])


def test_lifting_a_hold(admin_client):
    hold = LegalHold.objects.create(case=AuditCaseFactory(), reason="A claim.", placed_by=admin_client.user)
    url = reverse("reports:legal_hold_lift", args=[hold.pk])
    assert admin_client.post(url, {"reason": ""}).status_code == 200
    response = admin_client.post(url, {"reason": "Claim settled."})
    assert response.status_code == 302
    hold.refresh_from_db()
    assert (hold.is_active, hold.lift_reason, hold.lifted_by) == (False, "Claim settled.", admin_client.user)
    # Lifted already: the page says so instead of offering the form.
    assert admin_client.get(url).status_code == 302


def test_other_people_cannot_reach_the_pages(audit_team_client):
    assert audit_team_client.get(reverse("reports:retention")).status_code == 403


def test_a_removed_case_page_says_when_its_detail_went(audit_team_client):
    audit_round = AuditRoundFactory(state=AuditRound.State.COMPLETED, completed_on=datetime.date(2010, 10, 1))
    case = AuditCaseFactory(audit_round=audit_round, findings="Strategy discussion held late.")
    case_remove_detail(case=case, on=datetime.date(2017, 6, 1))
    page = audit_team_client.get(reverse("audits:case_detail", args=[case.pk])).content.decode()
    assert "removed under the retention schedule on 1 June 2017" in page
    assert "Strategy discussion held late." not in page
