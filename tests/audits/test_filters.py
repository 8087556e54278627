"""The round list and a round's cases, narrowed by their filters: the page, its
downloads and the filter form agree, and a filter nobody could choose is ignored."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.models import AuditCase, AuditRound, Theme, ThemeRating
from dscb.models import Agency, Role
from tests.conftest import make_user, sign_in
from tests.factories import AuditCaseFactory, AuditRoundFactory, CaseRecordFactory, grade, police

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor_client(client):
    return sign_in(client, make_user(Role.AUDIT_TEAM))


def downloaded(client, url: str, column: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return sorted(row[column] for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def rounds_found(client, query: dict[str, str]) -> list[str]:
    page = client.get(reverse("audits:round_list"), query).content.decode()
    listed = downloaded(
        client,
        reverse("audits:round_list_download", kwargs={"kind": "csv"})
        + "?"
        + "&".join(f"{name}={value}" for name, value in query.items()),
        "Round",
    )
    assert all(title in page for title in listed)
    return listed


def test_the_round_list_filters_by_year_kind_and_state(auditor_client):
    AuditRoundFactory(title="Old audit", held_on=datetime.date(2009, 5, 1))
    AuditRoundFactory(title="New audit", held_on=datetime.date(2011, 5, 1))
    AuditRoundFactory(title="New inquiry", held_on=datetime.date(2011, 6, 1), kind=AuditRound.Kind.APPRECIATIVE_INQUIRY)
    state = AuditRound.State.values[-1]
    AuditRoundFactory(title="Done audit", held_on=datetime.date(2011, 7, 1), state=state)
    assert rounds_found(auditor_client, {"year": "2011"}) == ["Done audit", "New audit", "New inquiry"]
    assert rounds_found(auditor_client, {"year": "2011", "kind": AuditRound.Kind.CASE_AUDIT}) == [
        "Done audit",
        "New audit",
    ]
    assert rounds_found(auditor_client, {"state": state}) == ["Done audit"]
    page = auditor_client.get(reverse("audits:round_list"), {"year": "1999"}).content.decode()
    assert "No rounds match these filters." in page
    assert "Clear the filters" in page


def test_the_round_list_offers_the_years_there_are_rounds_in_and_every_state(auditor_client):
    AuditRoundFactory(held_on=datetime.date(2009, 5, 1))
    page = auditor_client.get(reverse("audits:round_list")).content.decode()
    assert '<option value="2009">2009</option>' in page
    for value, words in AuditRound.State.choices:
        assert f'<option value="{value}">{words}</option>' in page


@pytest.mark.parametrize("query", [{"year": "20x1"}, {"kind": "nonsense"}, {"state": "'; drop"}, {"year": "99999"}])
def test_a_filter_nobody_could_choose_is_ignored(auditor_client, query):
    AuditRoundFactory(title="Kept")
    assert rounds_found(auditor_client, query) == ["Kept"]


@pytest.fixture
def round_of_cases():
    audit_round = AuditRoundFactory()
    gp = Agency.objects.get(short_name="GP")
    below = grade("Inadequate") if not grade("Inadequate").meets_threshold else None
    assert below is not None
    theme = Theme.objects.active().first()
    weak = AuditCaseFactory(audit_round=audit_round, reference="CASE-WEAK", overall_grade=below)
    ThemeRating.objects.create(case=weak, theme=theme, grade=below)
    CaseRecordFactory(case=weak, agency=gp)
    good = AuditCaseFactory(
        audit_round=audit_round, reference="CASE-GOOD", overall_grade=grade("Good"), state=AuditCase.State.FINALISED
    )
    ThemeRating.objects.create(case=good, theme=theme, grade=grade("Good"))
    CaseRecordFactory(case=good, agency=police())
    AuditCaseFactory(audit_round=audit_round, reference="CASE-NONE")
    return audit_round, {"below": theme, "gp": gp, "weak_grade": below}


def cases_found(client, audit_round, query: dict[str, object]) -> list[str]:
    query = {name: str(value) for name, value in query.items()}
    page = client.get(reverse("audits:round_cases", args=[audit_round.pk]), query)
    assert page.status_code == 200
    suffix = "?" + "&".join(f"{name}={value}" for name, value in query.items())
    listed = downloaded(
        client,
        reverse("audits:round_cases_download", kwargs={"pk": audit_round.pk, "kind": "csv"}) + suffix,
        "Board reference",
    )
    content = page.content.decode()
    assert [reference for reference in ("CASE-GOOD", "CASE-NONE", "CASE-WEAK") if reference in content] == listed
    if listed and query and all(value.isdigit() or value in ("yes", "no") for value in query.values()):
        [link] = re.findall(r'href="[^"]*/cases\.csv\?([^"]*)"', content)  # the downloads keep the filters
        assert all(f"{name}={value}" in link for name, value in query.items())
    return listed


def test_a_rounds_cases_filter_by_grade_theme_state_and_agency(auditor_client, round_of_cases):
    audit_round, chosen = round_of_cases
    assert cases_found(auditor_client, audit_round, {}) == ["CASE-GOOD", "CASE-NONE", "CASE-WEAK"]
    assert cases_found(auditor_client, audit_round, {"grade": chosen["weak_grade"].pk}) == ["CASE-WEAK"]
    assert cases_found(auditor_client, audit_round, {"below": chosen["below"].pk}) == ["CASE-WEAK"]
    assert cases_found(auditor_client, audit_round, {"finalised": "yes"}) == ["CASE-GOOD"]
    assert cases_found(auditor_client, audit_round, {"finalised": "no"}) == ["CASE-NONE", "CASE-WEAK"]
    assert cases_found(auditor_client, audit_round, {"agency": chosen["gp"].pk}) == ["CASE-WEAK"]
    assert cases_found(auditor_client, audit_round, {"agency": police().pk, "finalised": "no"}) == []
    assert cases_found(auditor_client, audit_round, {"grade": "x", "below": "", "agency": "1e9"}) == [
        "CASE-GOOD",
        "CASE-NONE",
        "CASE-WEAK",
    ]


def test_the_cases_page_says_when_no_case_matches(auditor_client, round_of_cases):
    audit_round, _chosen = round_of_cases
    page = auditor_client.get(
        reverse("audits:round_cases", args=[audit_round.pk]), {"agency": police().pk, "finalised": "no"}
    ).content.decode()
    assert "No cases match these filters." in page


def test_the_round_page_links_to_its_filtered_cases(auditor_client, round_of_cases):
    audit_round, _chosen = round_of_cases
    page = auditor_client.get(reverse("audits:round_detail", args=[audit_round.pk])).content.decode()
    assert reverse("audits:round_cases", args=[audit_round.pk]) in page


def test_an_appreciative_inquirys_cases_offer_no_grade_filters(auditor_client):
    audit_round = AuditRoundFactory(kind=AuditRound.Kind.APPRECIATIVE_INQUIRY)
    AuditCaseFactory(audit_round=audit_round)
    page = auditor_client.get(reverse("audits:round_cases", args=[audit_round.pk])).content.decode()
    assert 'name="grade"' not in page
    assert 'name="below"' not in page
    assert 'name="agency"' in page


def test_the_filtered_cases_page_costs_the_same_however_many_cases(auditor_client):
    counts = []
    audit_round = AuditRoundFactory()
    url = reverse("audits:round_cases", args=[audit_round.pk]) + "?finalised=no&agency=1&below=1&grade=1"
    for size in (2, 10):
        AuditCaseFactory.create_batch(size, audit_round=audit_round)
        with CaptureQueriesContext(connection) as captured:
            assert auditor_client.get(url).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
