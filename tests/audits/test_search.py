"""Finding a case by its board reference, from any case audit page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audits import selectors
from dscb.models import Role
from tests.conftest import make_user, sign_in
from tests.factories import AuditCaseFactory, AuditRoundFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("audits:case_search")


@pytest.fixture
def auditor_client(client):
    return sign_in(client, make_user(Role.AUDIT_TEAM))


def test_every_case_audit_page_offers_the_search(auditor_client):
    audit_round = AuditRoundFactory()
    for url in (reverse("audits:round_list"), reverse("audits:round_detail", args=[audit_round.pk])):
        page = auditor_client.get(url).content.decode()
        assert f'action="{SEARCH}"' in page
        assert 'name="reference"' in page
        assert "Find a case by board reference" in page


def test_pages_outside_case_audits_do_not_offer_it(auditor_client):
    assert f'action="{SEARCH}"' not in auditor_client.get(reverse("home")).content.decode()


def test_the_exact_reference_however_typed_opens_the_case(auditor_client):
    case = AuditCaseFactory(reference="DSCB-0042")
    response = auditor_client.get(SEARCH, {"reference": "  dscb-0042 "})
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:case_detail", args=[case.pk])


def test_part_of_a_reference_lists_the_cases_containing_it(auditor_client):
    AuditCaseFactory(reference="DSCB-0042")
    AuditCaseFactory(reference="DSCB-1042")
    AuditCaseFactory(reference="DSCB-7777")
    page = auditor_client.get(SEARCH, {"reference": "042"}).content.decode()
    assert "DSCB-0042" in page
    assert "DSCB-1042" in page
    assert "DSCB-7777" not in page


def test_a_reference_nobody_has_says_so(auditor_client):
    AuditCaseFactory(reference="DSCB-0042")
    page = auditor_client.get(SEARCH, {"reference": "zz-9"}).content.decode()
    assert "No case found with board reference ZZ-9" in page


def test_an_agency_auditor_learns_nothing_of_a_case_outside_their_rounds(client):
    auditor = make_user(Role.AGENCY_AUDITOR)
    theirs = AuditRoundFactory(auditors=[auditor])
    AuditCaseFactory(reference="DSCB-0001", audit_round=theirs)
    AuditCaseFactory(reference="DSCB-0002")  # a round they are not on
    sign_in(client, auditor)
    exact = client.get(SEARCH, {"reference": "DSCB-0002"})
    assert exact.status_code == 200
    assert "No case found with board reference DSCB-0002" in exact.content.decode()
    partial = client.get(SEARCH, {"reference": "DSCB-000"}).content.decode()
    assert "DSCB-0001" in partial
    assert "DSCB-0002" not in partial
    assert client.get(SEARCH, {"reference": "dscb-0001"}).status_code == 302


@pytest.mark.parametrize(
    "typed", ["", "   ", "%", "_", "\x00", "a\x00b", "' OR 1=1 --", "<script>alert(1)</script>", "x" * 5000, "ü" * 40]
)
def test_any_input_answers_a_page(auditor_client, typed):
    AuditCaseFactory(reference="DSCB-0042")
    response = auditor_client.get(SEARCH, {"reference": typed})
    assert response.status_code == 200
    assert "<script>alert" not in response.content.decode()


def test_a_percent_sign_is_not_a_wildcard(auditor_client):
    AuditCaseFactory(reference="DSCB-0042")
    assert "DSCB-0042" not in auditor_client.get(SEARCH, {"reference": "%"}).content.decode()


def test_the_search_runs_a_fixed_number_of_queries(auditor_client, django_assert_num_queries):
    for number in range(selectors.SEARCH_RESULTS + 5):
        AuditCaseFactory(reference=f"DSCB-{number:04d}")
    auditor_client.get(SEARCH, {"reference": "dscb"})  # warm the session
    with django_assert_num_queries(4):  # session, user, exact, partial
        page = auditor_client.get(SEARCH, {"reference": "dscb"}).content.decode()
    assert page.count("DSCB-") >= selectors.SEARCH_RESULTS
    assert f"the first {selectors.SEARCH_RESULTS} are shown" in page
