"""A report shows the action plan as at its own update: that update's ratings, and the
evidence recorded up to and including it. Work done in a later update never leaks
into it, on the page, in the PDF, in the workbook or in the figures."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dscb.models import Role, User
from recommendations import services as plan_services
from recommendations.models import Recommendation, ReviewCycle
from reports import document, renderers
from reports.models import Report
from tests.conftest import Client, make_user, sign_in
from tests.factories import rag
from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2011, 10, 3)
PLAN_SECTION = re.compile(r'<section class="app-report__section app-report__plan">.*?</section>', re.DOTALL)


def capture(report: Report, client: Client) -> dict[str, object]:
    """Everything a reader sees of ``report``: its figures, its plan rows' evidence, the
    page's plan table, every cell of the workbook and the PDF's text."""
    built = document.build(report, today=TODAY)
    workbook = load_workbook(io.BytesIO(renderers.xlsx(built)))
    page = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    return {
        "figures": built.figures(),
        "evidence": {
            row.recommendation.number: [(item.text, item.url, item.file_name) for item in row.evidence]
            for row in built.plan.rag.rows
        },
        "page": PLAN_SECTION.findall(page),
        "xlsx": {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook},
        "pdf": pdf_text(renderers.pdf(built)),
    }


def work_in(cycle: ReviewCycle, *, by: User, numbers: tuple[str, ...] = ("4.6", "4.7", "4.9")) -> None:
    """A lead's evidence and proposal, then the Executive's ratings, in ``cycle``."""
    recommendations = list(Recommendation.objects.filter(number__in=numbers))
    for recommendation in recommendations:
        plan_services.evidence_add(
            recommendation=recommendation,
            cycle=cycle,
            by=by,
            text=f"{cycle.title}: new work on {recommendation.number}.",
            url="https://example.org/later-work",
            proposed_rag=rag("Green"),
        )
    cycle.refresh_from_db()
    plan_services.ratings_save(
        cycle=cycle,
        by=by,
        expected_version=cycle.version,
        ratings={recommendation: (rag("Red"), "Rated in the later update") for recommendation in recommendations},
    )


@pytest.fixture
def executive() -> User:
    return make_user(Role.EXECUTIVE)


@pytest.fixture
def executive_client(client: Client, executive: User) -> Client:
    return sign_in(client, executive)


def test_the_march_2011_report_is_unchanged_by_work_in_the_september_2011_update(
    march_2011_report, executive, executive_client
):
    before = capture(march_2011_report, executive_client)
    march_evidence = before["evidence"]
    assert march_evidence["4.6"] == [("To be implemented from 1st April 2011.", "", "")]
    assert len(march_evidence["4.7"]) == 4
    assert "To be implemented from 1st April 2011." in before["page"][0]

    work_in(ReviewCycle.objects.get(title="September 2011 update"), by=executive)

    after = capture(march_2011_report, executive_client)
    for key in before:
        assert after[key] == before[key], f"the report's {key} changed"
    assert "new work on 4.6" not in after["pdf"]
    # The plan page, which is about now, does show the new work, after March's.
    plan_url = reverse("recommendations:plan", args=[march_2011_report.cycle.plan_id])
    plan_page = executive_client.get(plan_url).content.decode()
    assert plan_page.index("To be implemented from 1st April 2011.") < plan_page.index(
        "September 2011 update: new work on 4.6."
    )


def test_a_report_for_a_later_update_keeps_the_evidence_up_to_it_newest_last(
    march_2011_report, executive, executive_client
):
    september = ReviewCycle.objects.get(title="September 2011 update")
    work_in(september, by=executive, numbers=("4.6",))
    september.refresh_from_db()
    plan_services.cycle_complete(cycle=september, by=executive, expected_version=september.version)
    report = Report.objects.create(
        title="Six-monthly report, September 2011",
        cycle=september,
        period_start=datetime.date(2009, 1, 1),
        period_end=datetime.date(2011, 9, 30),
    )
    before = capture(report, executive_client)
    assert before["evidence"]["4.6"] == [
        ("To be implemented from 1st April 2011.", "", ""),
        ("September 2011 update: new work on 4.6.", "https://example.org/later-work", ""),
    ]
    assert before["figures"]["action_plan_update"] == "September 2011 update"

    march_2012 = plan_services.cycle_open(
        plan=september.plan, by=executive, title="March 2012 update", due_on=datetime.date(2012, 3, 30)
    )
    work_in(march_2012, by=executive)

    after = capture(report, executive_client)
    for key in before:
        assert after[key] == before[key], f"the report's {key} changed"
    # Nor has the March 2011 report taken in either later update.
    assert capture(march_2011_report, executive_client)["evidence"]["4.6"] == [
        ("To be implemented from 1st April 2011.", "", "")
    ]
