"""A round's lists of cases and of feedback still to give show 100 rows a page, each page
costing the same queries however long the list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import queries_for
from tests.factories import AuditCaseFactory, AuditRoundFactory, CaseRecordFactory

pytestmark = pytest.mark.django_db

ROW = '<tr class="govuk-table__row">'


def round_of(size: int):
    audit_round = AuditRoundFactory()
    for case in AuditCaseFactory.create_batch(size, audit_round=audit_round):
        CaseRecordFactory(case=case)
    return audit_round


@pytest.mark.parametrize("name", ["audits:round_cases", "audits:feedback_owed"])
def test_a_rounds_list_is_shown_a_hundred_rows_a_page(audit_team_client, name):
    audit_round = round_of(130)
    url = reverse(name, args=[audit_round.pk])
    first = audit_team_client.get(url).content.decode()
    assert first.count(ROW) == 1 + 100
    assert "Showing 1 to 100 of 130" in first
    assert 'href="?page=2"' in first
    second = audit_team_client.get(url + "?page=2").content.decode()
    assert second.count(ROW) == 1 + 30
    assert "Showing 101 to 130 of 130" in second


@pytest.mark.parametrize("name", ["audits:round_cases", "audits:feedback_owed"])
def test_a_rounds_list_page_costs_the_same_for_a_few_rows_or_many(audit_team_client, name):
    few, many = round_of(3), round_of(130)
    assert queries_for(audit_team_client, reverse(name, args=[few.pk])) == queries_for(
        audit_team_client, reverse(name, args=[many.pk])
    )


def test_the_round_page_shows_the_first_hundred_cases_and_where_the_rest_are(audit_team_client):
    audit_round = round_of(130)
    page = audit_team_client.get(reverse("audits:round_detail", args=[audit_round.pk])).content.decode()
    assert "Showing 1 to 100 of 130 cases" in page
    assert f'href="{reverse("audits:round_cases", args=[audit_round.pk])}?page=2"' in page
    assert "Showing 1 to 100 of 130 agency records" in page
    assert f'href="{reverse("audits:feedback_owed", args=[audit_round.pk])}?page=2"' in page
