"""The Executive's note on a rating is shown beside it (the recommendation's history, the
report, its PDF and its workbook), with a key that explains each status in the scale's
words as the update kept them."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dscb.models import Role
from recommendations import selectors
from recommendations.models import ProgressUpdate, RagStatus
from reports import document, renderers
from tests.conftest import make_user, sign_in
from tests.reports.conftest import MARCH_2011, pdf_text

pytestmark = pytest.mark.django_db

NOTE = "Agreed by the Board: training reached every team."


@pytest.fixture
def noted(march_2011_report):
    update = (
        ProgressUpdate.objects.select_related("recommendation", "rag")
        .filter(cycle=march_2011_report.cycle, rag__isnull=False)
        .order_by("recommendation__number_major", "recommendation__number_minor")
        .first()
    )
    update.rating_note = NOTE
    update.save()
    return march_2011_report, update


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_the_report_page_and_pdf_show_the_note_beside_the_rating_and_the_key(noted, client):
    report, update = noted
    [kept] = selectors.plan_scales(report.cycle)
    built = document.build(report, today=MARCH_2011)
    sign_in(client, make_user(Role.EXECUTIVE))
    page = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    row = page[page.index(f">{update.recommendation.number}</th>") :]
    row = row[: row.index("</tr>")]
    assert update.rag.label in row
    assert NOTE in row
    assert f"Key to the {kept.words.name}" in page
    for status in kept.statuses:
        assert status.label in page
        assert str(status.description) in page
    pdf = squeeze(pdf_text(renderers.pdf(built), layout=False))  # the note wraps in its narrow column
    assert f"Key to the {kept.words.name}" in pdf
    assert squeeze(NOTE) in pdf


def test_the_workbook_has_the_note_beside_the_rating_and_a_key_sheet(noted):
    report, update = noted
    [kept] = selectors.plan_scales(report.cycle)
    workbook = load_workbook(io.BytesIO(renderers.xlsx(document.build(report, today=MARCH_2011))))
    rows = list(workbook["Action plan"].iter_rows(values_only=True))
    heading = next(row for row in rows if row[0] == "No." and "Executive's note" in row)
    [first] = [row for row in rows if row[0] == update.recommendation.number]
    assert first[heading.index("Executive's note")] == NOTE
    key = list(workbook["Key"].iter_rows(values_only=True))
    assert [row[0] for row in key[2:]] == [*(status.label for status in kept.statuses), kept.not_rated]
    swatch = workbook["Key"].cell(row=3, column=1)
    assert swatch.fill.fgColor.rgb.lower().endswith(kept.statuses[0].colour.lstrip("#").lower())


def test_a_completed_updates_key_keeps_the_words_it_was_rated_in(noted, client):
    report, _update = noted
    first = RagStatus.objects.order_by("rank").first()
    kept_description = first.description
    first.description = "A meaning written after the update."
    first.save()
    sign_in(client, make_user(Role.EXECUTIVE))
    page = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert "A meaning written after the update." not in page
    assert kept_description in page


def test_the_recommendation_page_shows_the_note_beside_the_rating_in_its_history(noted, client):
    _report, update = noted
    sign_in(client, make_user(Role.BOARD_MEMBER))
    page = client.get(reverse("recommendations:recommendation_detail", args=[update.recommendation.pk]))
    html = page.content.decode()
    assert "Executive&#x27;s note" in html
    assert NOTE in html


def test_the_plan_page_has_the_key(noted, client):
    report, _update = noted
    [kept] = selectors.plan_scales(report.cycle)
    sign_in(client, make_user(Role.BOARD_MEMBER))
    html = client.get(reverse("recommendations:plan", args=[report.cycle.plan_id])).content.decode()
    assert f"Key to the {kept.words.name}" in html
    assert kept.not_rated in html
