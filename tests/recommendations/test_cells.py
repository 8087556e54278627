"""The tags and cells the action plan's lists write in Python (recommendations.cells),
which the partials for one tag or one point of evidence print too."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from dscb.lists import id_url
from recommendations import cells
from tests.factories import EvidenceFactory, rag

pytestmark = pytest.mark.django_db


def test_a_url_reversed_once_is_the_url_reverse_gives_for_each_id():
    url = id_url("recommendations:recommendation_detail")

    for pk in (1, 7, 42, 987654321, 1234567890):
        assert url(pk) == reverse("recommendations:recommendation_detail", args=[pk])


def test_a_rating_tag_says_its_word_and_no_rating_says_the_scales_words():
    amber = rag("Amber")

    assert cells.rag_tag(amber) == f'<strong class="govuk-tag app-rag app-rag--{amber.pk}">Amber</strong>'
    assert cells.rag_tag(None, "Not rated then") == '<strong class="govuk-tag govuk-tag--grey">Not rated then</strong>'
    assert cells.rag_tag(None) == '<strong class="govuk-tag govuk-tag--grey">Not yet rated</strong>'
    assert render_to_string("recommendations/partials/rag_tag.html", {"rag": amber}).strip() == cells.rag_tag(amber)


def test_evidence_added_in_error_is_struck_through_with_why_its_words_link_and_file_escaped():
    item = EvidenceFactory(
        text="Seen <b>first</b>\nthen second",
        url="https://example.org/?a=1&b=2",
        file="evidence/policy.pdf",
        file_name="policy <1>.pdf",
        file_size=2048,
        marked_in_error_at=timezone.now(),
        marked_in_error_reason="Wrong <recommendation>",
    )
    item.in_cycle_title = "March 2011 update"

    html = cells.evidence_item(item, marked=True)

    assert html.startswith(
        '<span class="app-evidence__update">March 2011 update:</span> '
        "<strong>Added in error</strong> (Wrong &lt;recommendation&gt;): <del>"
    )
    assert "Seen &lt;b&gt;first&lt;/b&gt;<br>then second" in html
    assert '<br><a class="govuk-link" href="https://example.org/?a=1&amp;b=2" rel="noreferrer noopener">' in html
    download = reverse("recommendations:evidence_download", args=[item.pk])
    assert f'<br><a class="govuk-link" href="{download}" download>policy &lt;1&gt;.pdf</a> (2.0\xa0KB)' in html
    assert html.endswith("</del>")
    partial = render_to_string("recommendations/partials/evidence_item.html", {"item": item, "marked": True})
    assert partial.strip() == html


def test_a_point_of_evidence_with_words_alone_has_no_link_nor_mark():
    item = EvidenceFactory(text="Policy updated.")

    assert cells.evidence_item(item).strip() == "Policy updated."
