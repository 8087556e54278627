"""Carry forward: each row of an open update starts from last time's rating and note,
marked as last time's; the Executive confirms it (a row, or every row left untouched) or
changes it; nothing is rated silently."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from dscb.models import Role
from recommendations import selectors, services
from recommendations.forms import CONFIRM_UNTOUCHED
from recommendations.lists import CycleRatings
from recommendations.models import ActionPlan, Evidence, PlanSection, ProgressUpdate, Recommendation, ReviewCycle
from tests.conftest import make_user, queries_for, sign_in
from tests.factories import PlanSectionFactory, RecommendationFactory, ReviewCycleFactory, rag
from tests.service_rules import refusal_check

pytestmark = pytest.mark.django_db

refused = refusal_check([ActionPlan, PlanSection, Recommendation, ReviewCycle, ProgressUpdate, Evidence, LogEntry])


@pytest.fixture
def executive():
    return make_user(Role.EXECUTIVE, full_name="Eve Executive")


@pytest.fixture
def carried(executive):
    """1.1 Green ("On track.") and 1.2 Amber in the completed March 2011 update, 1.3 not
    rated then; the September 2011 update open, nothing rated in it yet."""
    section = PlanSectionFactory(number=1)
    first, second, third = (
        RecommendationFactory(section=section, number=f"1.{n}", text=f"Recommendation one point {n}.")
        for n in (1, 2, 3)
    )
    march = ReviewCycleFactory(plan=section.plan, title="March 2011 update", due_on=datetime.date(2011, 3, 4))
    services.ratings_save(
        cycle=march,
        by=executive,
        expected_version=march.version,
        ratings={first: (rag("Green"), "On track."), second: (rag("Amber"), "")},
    )
    march.refresh_from_db()
    services.cycle_complete(cycle=march, by=executive, expected_version=march.version)
    september = services.cycle_open(
        plan=section.plan, by=executive, title="September 2011 update", due_on=datetime.date(2011, 9, 30)
    )
    return september, (first, second, third)


def ratings_in(cycle: ReviewCycle) -> dict[str, tuple[str | None, str]]:
    return {
        update.recommendation.number: (update.rag.label if update.rag else None, update.rating_note)
        for update in cycle.updates.select_related("recommendation", "rag")
    }


def save(cycle: ReviewCycle, by: object, ratings: dict, **confirming: object) -> int:
    cycle.refresh_from_db()
    return services.ratings_save(cycle=cycle, by=by, expected_version=cycle.version, ratings=ratings, **confirming)


# --- The service's rules -------------------------------------------------------------------


def test_a_save_without_confirming_leaves_carried_rows_not_yet_rated(executive, carried):
    september, (first, second, third) = carried
    as_shown = {first: (rag("Green"), "On track."), second: (rag("Amber"), ""), third: (None, "")}
    assert save(september, executive, as_shown, carried=[first.pk, second.pk]) == 0
    assert ratings_in(september) == {}


def test_a_changed_carried_row_is_saved_as_a_change(executive, carried):
    september, (first, second, _third) = carried
    given = {first: (rag("Green"), "On track."), second: (rag("Red"), "Slipped.")}
    assert save(september, executive, given, carried=[first.pk, second.pk]) == 1
    assert ratings_in(september) == {"1.2": ("Red", "Slipped.")}


def test_confirming_a_row_copies_last_times_rating_and_note_with_who_and_when(executive, carried):
    september, (first, second, _third) = carried
    given = {first: (rag("Green"), "On track."), second: (rag("Amber"), "")}
    assert save(september, executive, given, carried=[first.pk, second.pk], confirm=[first.pk]) == 1
    assert ratings_in(september) == {"1.1": ("Green", "On track.")}
    update = ProgressUpdate.objects.get(cycle=september, recommendation=first)
    assert update.rated_by == executive
    assert update.rated_at is not None
    assert LogEntry.objects.get_for_object(update).get().action == LogEntry.Action.CREATE


def test_confirming_every_untouched_row_saves_the_changed_ones_as_changes(executive, carried):
    september, (first, second, third) = carried
    given = {first: (rag("Green"), "On track."), second: (rag("Red"), ""), third: (None, "")}
    assert save(september, executive, given, carried=[first.pk, second.pk], confirm_untouched=True) == 2
    assert ratings_in(september) == {"1.1": ("Green", "On track."), "1.2": ("Red", "")}


def test_ratings_confirm_confirms_every_row_still_carried(executive, carried):
    september, (first, _second, _third) = carried
    save(september, executive, {first: (rag("Red"), "")})
    september.refresh_from_db()
    services.ratings_confirm(cycle=september, by=executive, expected_version=september.version)
    assert ratings_in(september) == {"1.1": ("Red", ""), "1.2": ("Amber", "")}


def test_an_explicit_rating_with_nothing_shown_carried_is_a_rating(executive, carried):
    september, (first, _second, _third) = carried
    save(september, executive, {first: (rag("Green"), "On track.")})
    assert ratings_in(september) == {"1.1": ("Green", "On track.")}


def test_only_the_executive_confirms(carried):
    september, (first, _second, _third) = carried
    lead = make_user(Role.PROFESSIONAL_LEAD)
    refused(lambda: services.ratings_confirm(cycle=september, by=lead, expected_version=september.version))
    refused(
        lambda: services.ratings_confirm(
            cycle=september, by=lead, expected_version=september.version, recommendations=[first]
        )
    )


def test_only_an_open_update_is_confirmed(executive, carried):
    september, (first, _second, _third) = carried
    services.cycle_complete(cycle=september, by=executive, expected_version=september.version)
    september.refresh_from_db()
    refused(
        lambda: services.ratings_confirm(
            cycle=september, by=executive, expected_version=september.version, recommendations=[first]
        )
    )


def test_a_row_with_no_rating_last_time_cannot_be_confirmed(executive, carried):
    september, (_first, _second, third) = carried
    error = refused(
        lambda: services.ratings_confirm(
            cycle=september, by=executive, expected_version=september.version, recommendations=[third]
        ),
        f"rag_{third.pk}",
    )
    assert "has no rating from last time to confirm" in str(error)


def test_a_changed_row_cannot_be_confirmed_as_last_times(executive, carried):
    september, (first, _second, _third) = carried
    error = refused(
        lambda: services.ratings_save(
            cycle=september,
            by=executive,
            expected_version=september.version,
            ratings={first: (rag("Red"), "On track.")},
            carried=[first.pk],
            confirm=[first.pk],
        ),
        f"rag_{first.pk}",
    )
    assert "was changed from last time's rating" in str(error)


def test_a_retired_status_is_not_carried_forward(executive, carried):
    september, (first, _second, _third) = carried
    green = rag("Green")
    green.is_active = False
    green.save()
    refused(
        lambda: services.ratings_confirm(
            cycle=september, by=executive, expected_version=september.version, recommendations=[first]
        ),
        f"rag_{first.pk}",
    )


def test_a_row_already_rated_in_the_update_is_not_carried(executive, carried):
    september, (first, _second, _third) = carried
    save(september, executive, {first: (rag("Red"), "")})
    september.refresh_from_db()
    rows = {item.recommendation.number: item.carried for item in CycleRatings(cycle=september).rows}
    assert rows == {"1.1": False, "1.2": True, "1.3": False}


# --- The ratings page and the check before completing --------------------------------------


@pytest.fixture
def executive_client(client, executive):
    return sign_in(client, executive)


def test_the_ratings_page_shows_last_times_rating_selected_and_marked(executive_client, carried):
    september, (first, _second, third) = carried
    page = executive_client.get(reverse("recommendations:cycle_ratings", args=[september.pk])).content.decode()
    assert "2 recommendations start from their rating in the March 2011 update" in page
    assert "in the March 2011 update, “On track.”" in page
    assert f'name="confirm" value="{first.pk}"' in page
    assert "Confirm Green from the March 2011 update" in page
    assert f'<span class="govuk-visually-hidden"> for {first.number}</span>' in page
    assert f'value="{CONFIRM_UNTOUCHED}">Confirm all 2 left as in the March 2011 update' in page
    assert f'name="confirm" value="{third.pk}"' not in page
    assert f'<option value="{rag("Amber").pk}" selected>' in page
    assert f'id="id_note_{first.pk}" name="note_{first.pk}" type="text" value="On track."' in page


def test_save_then_confirm_one_then_confirm_all_through_the_page(executive_client, carried):
    september, (first, second, third) = carried
    url = reverse("recommendations:cycle_ratings", args=[september.pk])
    shown = {
        f"rag_{first.pk}": rag("Green").pk,
        f"note_{first.pk}": "On track.",
        f"rag_{second.pk}": rag("Amber").pk,
        f"rag_{third.pk}": "",
    }
    assert executive_client.post(url, shown | {"version": 1}).status_code == 302
    assert ratings_in(september) == {}
    september.refresh_from_db()
    response = executive_client.post(url, shown | {"version": september.version, "confirm": first.pk})
    assert response.status_code == 302
    assert ratings_in(september) == {"1.1": ("Green", "On track.")}
    page = executive_client.get(reverse("recommendations:cycle_complete", args=[september.pk])).content.decode()
    unrated = page[page.index('id="unrated"') : page.index('id="changed"')]
    assert "Not confirmed" in unrated
    assert "1.2" in unrated
    assert "Recommendation one point 1." not in unrated
    september.refresh_from_db()
    changed = shown | {f"rag_{third.pk}": rag("Red").pk}
    response = executive_client.post(url, changed | {"version": september.version, "confirm": CONFIRM_UNTOUCHED})
    assert response.status_code == 302
    assert ratings_in(september) == {"1.1": ("Green", "On track."), "1.2": ("Amber", ""), "1.3": ("Red", "")}


def test_a_board_member_reads_last_times_rating_beside_this_updates(client, executive, carried):
    september, (first, second, _third) = carried
    save(september, executive, {first: (rag("Red"), "")})
    sign_in(client, make_user(Role.BOARD_MEMBER))
    page = client.get(reverse("recommendations:cycle_ratings", args=[september.pk])).content.decode()
    cells = {number: page[page.index(f">{number}</a>") :].split("</tr>")[0] for number in (first.number, second.number)}
    green, amber, red = (rag(label) for label in ("Green", "Amber", "Red"))
    # 1.1: Green in March, Red in this update; 1.2: Amber in March, not rated yet.
    assert cells["1.1"].index(f"app-rag--{green.pk}") < cells["1.1"].index(f"app-rag--{red.pk}")
    assert f"app-rag--{amber.pk}" in cells["1.2"]
    assert cells["1.2"].count("app-rag--") == 1


def test_the_ratings_page_costs_the_same_with_rows_carried(executive_client, carried):
    september, (first, _second, _third) = carried
    url = reverse("recommendations:cycle_ratings", args=[september.pk])
    before = queries_for(executive_client, url)
    section = first.section
    for n in range(4, 24):
        RecommendationFactory(section=section, number=f"1.{n}")
    assert queries_for(executive_client, url) == before


def test_the_starting_point_rule():
    last = selectors.LastTime(rag_id=1, note="On track.")
    assert selectors.starting_point(None, last, {1}) == last
    assert selectors.starting_point(None, last, {2}) is None  # retired since
    assert selectors.starting_point(None, None, {1}) is None
    assert selectors.starting_point(ProgressUpdate(rating_note="Discussed."), last, {1}) is None
    assert selectors.starting_point(ProgressUpdate(rated_at=timezone.now()), last, {1}) == last
