"""The list cells written in Python (dscb.cells and each app's cells.py): what they say,
that they escape what they are given, and that a partial for one tag prints the same."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from audits import cells as audit_cells
from dscb import cells
from dscb.lists import Column
from tests.factories import EscalationFactory, grade

pytestmark = pytest.mark.django_db


def test_a_link_goes_to_the_rows_page_with_its_words_escaped():
    escalation = EscalationFactory()
    link = cells.link("audits:case_detail", lambda row: row.case_id)

    html = link(escalation, "<MACA-1>")

    assert html == (
        f'<a class="govuk-link" href="{reverse("audits:case_detail", args=[escalation.case_id])}">&lt;MACA-1&gt;</a>'
    )


def test_a_moment_is_shown_on_the_day_it_was_here_not_in_utc():
    # 23:30 UTC on 1 July is 00:30 on 2 July in London (summer time).
    late = datetime.datetime(2011, 7, 1, 23, 30, tzinfo=ZoneInfo("UTC"))

    assert cells.day(None, late) == "2 Jul 2011"
    assert cells.day(None, datetime.date(2011, 3, 4)) == "4 Mar 2011"
    assert cells.day(None, None) == ""


def test_a_plain_cell_prints_its_value_as_a_template_would():
    escaped = Column("Name", lambda row: row).cell("<b>Ann</b> & co")
    nothing = Column("Name", lambda row: None, numeric=True).cell("row")

    assert escaped == '<td class="govuk-table__cell">&lt;b&gt;Ann&lt;/b&gt; &amp; co</td>'
    assert nothing == '<td class="govuk-table__cell govuk-table__cell--numeric"></td>'


def test_the_grade_tag_partial_prints_the_lists_tag():
    good = grade("Good")

    assert audit_cells.grade_tag(good) == f'<strong class="govuk-tag app-grade app-grade--{good.pk}">Good</strong>'
    assert audit_cells.grade_tag(None) == "Not graded"
    for shown in (good, None):
        partial = render_to_string("audits/partials/grade_tag.html", {"grade": shown})
        assert partial.strip() == audit_cells.grade_tag(shown)


def test_only_the_audit_team_is_offered_to_update_or_withdraw_a_request():
    escalation = EscalationFactory(case__reference="MACA-<1>")
    edit = reverse("audits:escalation_edit", args=[escalation.pk])

    managed = audit_cells.escalation_status(can_manage=True)(escalation, "Open")
    read = audit_cells.escalation_status(can_manage=False)(escalation, "Open")

    assert managed.startswith('<strong class="govuk-tag govuk-tag--orange">Open</strong>')
    assert f'href="{edit}">Update<span class="govuk-visually-hidden"> the request on MACA-&lt;1&gt;</span>' in managed
    assert "Withdraw" in managed
    assert read == '<strong class="govuk-tag govuk-tag--orange">Open</strong>'
