"""The action plan: recommendations, review cycles, ratings, evidence and the rules that
keep a completed update frozen."""

from __future__ import annotations

import datetime
import re

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dscb.concurrency import EditConflict
from dscb.models import Agency, Role
from recommendations import selectors, services, views
from recommendations.access import is_lead
from recommendations.lists import PlanList
from recommendations.models import Evidence, ProgressUpdate, Recommendation, ReviewCycle
from recommendations.selectors import Movement, movement
from tests.conftest import make_user, sign_in
from tests.factories import (
    MINIMAL_PDF,
    ActionPlanFactory,
    EvidenceFactory,
    PlanSectionFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    RecommendationLeadFactory,
    ReviewCycleFactory,
    UserFactory,
    rag,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def executive():
    return make_user(Role.EXECUTIVE, full_name="Eve Executive")


@pytest.fixture
def executive_client(client, executive):
    return sign_in(client, executive)


@pytest.fixture
def lead():
    return make_user(Role.PROFESSIONAL_LEAD, full_name="Lee Lead")


@pytest.fixture
def plan():
    return ActionPlanFactory()


def completed(cycle: ReviewCycle, on: datetime.date) -> ReviewCycle:
    cycle.state = ReviewCycle.State.COMPLETED
    cycle.completed_on = on
    cycle.save()
    return cycle


# --- Recommendations ------------------------------------------------------------------------


def test_numbers_sort_naturally_so_2_10_follows_2_9(executive_client, plan):
    section = PlanSectionFactory(plan=plan, number=2)
    for number in ("2.10", "2.9", "2.1", "2.11"):
        response = executive_client.post(
            reverse("recommendations:recommendation_create", args=[plan.pk]),
            {"section": section.pk, "number": number, "kind": "task", "text": f"Task {number}", "state": "open"},
        )
        assert response.status_code == 302, response.content.decode()
    assert list(plan.recommendations.values_list("number", flat=True)) == ["2.1", "2.9", "2.10", "2.11"]
    page = executive_client.get(reverse("recommendations:plan", args=[plan.pk])).content.decode()
    assert page.index(">2.9<") < page.index(">2.10<") < page.index(">2.11<")


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("two.ten", "Enter a number like 2.10"),
        ("2-10", "Enter a number like 2.10"),
        ("3.1", "A number in section 2 starts with 2."),
        ("2.4", "There is already a recommendation with this number in the plan"),
    ],
)
def test_a_malformed_or_duplicate_number_is_refused_beside_the_field(executive_client, plan, number, message):
    section = PlanSectionFactory(plan=plan, number=2)
    RecommendationFactory(section=section, number="2.4")
    response = executive_client.post(
        reverse("recommendations:recommendation_create", args=[plan.pk]),
        {"section": section.pk, "number": number, "kind": "task", "text": "Keep this text", "state": "open"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert message in content
    assert "Keep this text" in content
    assert plan.recommendations.count() == 1


def test_a_recommendation_keeps_who_changed_what(executive_client, executive, plan):
    recommendation = RecommendationFactory(section=PlanSectionFactory(plan=plan, number=1), number="1.1")
    executive_client.post(
        reverse("recommendations:recommendation_edit", args=[recommendation.pk]),
        {
            "version": 1,
            "section": recommendation.section_id,
            "number": "1.1",
            "kind": "recommendation",
            "text": "Develop a multi-agency team.",
            "state": "open",
            "target_date_0": "1",
            "target_date_1": "4",
            "target_date_2": "2011",
        },
    )
    recommendation.refresh_from_db()
    assert recommendation.target_date == datetime.date(2011, 4, 1)
    entry = LogEntry.objects.get_for_object(recommendation).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == executive
    assert "text" in entry.changes_dict
    page = executive_client.get(reverse("recommendations:recommendation_detail", args=[recommendation.pk]))
    assert "Eve Executive" in page.content.decode()


def test_two_people_saving_one_recommendation_the_second_is_told_and_keeps_their_words(executive_client, plan):
    recommendation = RecommendationFactory(section=PlanSectionFactory(plan=plan, number=1), number="1.1")
    other = make_user(Role.EXECUTIVE, full_name="Olu Other")
    data = {"version": 1, "section": recommendation.section_id, "number": "1.1", "kind": "task", "state": "open"}
    sign_in(executive_client.__class__(), other).post(
        reverse("recommendations:recommendation_edit", args=[recommendation.pk]), data | {"text": "Olu's words"}
    )
    response = executive_client.post(
        reverse("recommendations:recommendation_edit", args=[recommendation.pk]), data | {"text": "Eve's words"}
    )
    content = response.content.decode()
    assert "Olu Other saved this" in content
    assert "Eve&#x27;s words" in content
    recommendation.refresh_from_db()
    assert recommendation.text == "Olu's words"


# --- Ratings --------------------------------------------------------------------------------


def test_the_executive_rates_the_whole_plan_in_one_save(executive_client, plan):
    first, second, third = (
        RecommendationFactory(section=PlanSectionFactory(plan=plan, number=n), number=f"{n}.1") for n in (1, 2, 3)
    )
    cycle = ReviewCycleFactory(plan=plan)
    response = executive_client.post(
        reverse("recommendations:cycle_ratings", args=[cycle.pk]),
        {"version": 1, f"rag_{first.pk}": rag("Green").pk, f"rag_{second.pk}": rag("Red").pk, f"rag_{third.pk}": ""},
    )
    assert response.status_code == 302
    ratings = {update.recommendation: update.rag for update in ProgressUpdate.objects.filter(cycle=cycle)}
    assert ratings == {first: rag("Green"), second: rag("Red")}


def test_an_unknown_rag_is_refused_beside_its_row_and_nothing_is_saved(executive_client, plan):
    first, second = (
        RecommendationFactory(section=PlanSectionFactory(plan=plan, number=n), number=f"{n}.1") for n in (1, 2)
    )
    cycle = ReviewCycleFactory(plan=plan)
    response = executive_client.post(
        reverse("recommendations:cycle_ratings", args=[cycle.pk]),
        {"version": 1, f"rag_{first.pk}": rag("Green").pk, f"rag_{second.pk}": "purple"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Choose a RAG status for 2.1 from the list" in content
    assert f'href="#id_rag_{second.pk}"' in content
    assert f'<option value="{rag("Green").pk}" selected>' in content
    assert not ProgressUpdate.objects.exists()


def test_a_note_on_a_rating_holding_an_nhs_number_is_refused_beside_its_row(executive_client, plan):
    first, second = (
        RecommendationFactory(section=PlanSectionFactory(plan=plan, number=n), number=f"{n}.1") for n in (1, 2)
    )
    cycle = ReviewCycleFactory(plan=plan)
    response = executive_client.post(
        reverse("recommendations:cycle_ratings", args=[cycle.pk]),
        {
            "version": 1,
            f"rag_{first.pk}": rag("Green").pk,
            f"note_{first.pk}": "Agreed at the meeting",
            f"rag_{second.pk}": rag("Red").pk,
            f"note_{second.pk}": "Child 943 476 5919 not seen",
        },
    )
    content = response.content.decode()
    assert "looks like it contains an NHS number" in content
    assert "looks like it contains an NHS number" in content
    assert f'href="#id_note_{second.pk}"' in content
    assert 'value="Agreed at the meeting"' in content
    assert not ProgressUpdate.objects.exists()


def test_two_people_saving_the_ratings_page_the_second_is_refused(executive_client, plan):
    recommendation = RecommendationFactory(section=PlanSectionFactory(plan=plan, number=1), number="1.1")
    cycle = ReviewCycleFactory(plan=plan)
    services.ratings_save(
        cycle=cycle, by=make_user(Role.EXECUTIVE), expected_version=1, ratings={recommendation: (rag("Amber"), "")}
    )
    response = executive_client.post(
        reverse("recommendations:cycle_ratings", args=[cycle.pk]),
        {"version": 1, f"rag_{recommendation.pk}": rag("Red").pk},
    )
    assert "saved this at" in response.content.decode()
    assert ProgressUpdate.objects.get().rag == rag("Amber")


def test_a_completed_cycle_is_frozen_for_everyone(executive_client, executive, lead, plan):
    recommendation = RecommendationFactory(section=PlanSectionFactory(plan=plan, number=1), number="1.1", lead=lead)
    cycle = ReviewCycleFactory(plan=plan)
    services.ratings_save(cycle=cycle, by=executive, expected_version=1, ratings={recommendation: (rag("Amber"), "")})
    services.evidence_add(recommendation=recommendation, cycle=cycle, by=lead, text="Training delivered.")
    cycle.refresh_from_db()
    response = executive_client.post(
        reverse("recommendations:cycle_complete", args=[cycle.pk]), {"version": cycle.version}
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert (cycle.state, cycle.completed_on) == (ReviewCycle.State.COMPLETED, timezone.localdate())

    # No page can change it...
    refused = executive_client.post(
        reverse("recommendations:cycle_ratings", args=[cycle.pk]),
        {"version": cycle.version, f"rag_{recommendation.pk}": rag("Green").pk},
    )
    assert refused.status_code == 403
    evidence = Evidence.objects.get()
    executive_client.post(reverse("recommendations:evidence_remove", args=[evidence.pk]))
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    # ...nor any service.
    with pytest.raises(ValidationError, match="is completed"):
        services.ratings_save(
            cycle=cycle, by=executive, expected_version=cycle.version, ratings={recommendation: (rag("Green"), "")}
        )
    with pytest.raises(ValidationError, match="is completed"):
        services.evidence_add(recommendation=recommendation, cycle=cycle, by=lead, text="Late")
    assert ProgressUpdate.objects.get().rag == rag("Amber")
    assert Evidence.objects.count() == 1


def test_unrated_recommendations_are_not_yet_rated_never_a_colour(executive_client, plan):
    recommendation = RecommendationFactory(section=PlanSectionFactory(plan=plan, number=1), number="1.1")
    completed(ReviewCycleFactory(plan=plan), datetime.date(2011, 3, 4))
    page = executive_client.get(reverse("recommendations:plan", args=[plan.pk])).content.decode()
    assert "Not yet rated" in page
    row = selectors.recommendation_rows(plan, selectors.cycles(plan), today=datetime.date(2011, 4, 1))[0]
    assert (row.recommendation, row.rag) == (recommendation, None)


def test_only_one_update_is_open_at_a_time(executive_client, plan):
    ReviewCycleFactory(plan=plan, title="March 2011 update")
    response = executive_client.post(
        reverse("recommendations:cycle_create", args=[plan.pk]),
        {"title": "September 2011 update", "due_on_0": "30", "due_on_1": "9", "due_on_2": "2011"},
    )
    assert "Another update is still open" in response.content.decode()
    assert ReviewCycle.objects.count() == 1


# --- Completing an update -------------------------------------------------------------------


@pytest.fixture
def under_way(plan, executive):
    """Three recommendations rated in the completed March 2011 update (1.3 was not), and
    the open September 2011 update with 1.1 rated Green so far."""
    section = PlanSectionFactory(plan=plan, number=1)
    first, second, third = (
        RecommendationFactory(section=section, number=f"1.{n}", text=f"Recommendation one point {n}.")
        for n in (1, 2, 3)
    )
    march = completed(
        ReviewCycleFactory(plan=plan, title="March 2011 update", due_on=datetime.date(2011, 3, 4)),
        datetime.date(2011, 3, 4),
    )
    ProgressUpdateFactory(recommendation=first, cycle=march, rag=rag("Green"))
    ProgressUpdateFactory(recommendation=second, cycle=march, rag=rag("Amber"))
    september = ReviewCycleFactory(plan=plan, title="September 2011 update", due_on=datetime.date(2011, 9, 30))
    services.ratings_save(cycle=september, by=executive, expected_version=1, ratings={first: (rag("Green"), "")})
    september.refresh_from_db()
    return september, (first, second, third)


def row_of(html: str, number: str) -> str:
    """The table row headed by ``number``."""
    [row] = [row for row in html.split("<tr")[1:] if f">{number}</th>" in row]
    return row.split("</tr>")[0]


def ids_in(html: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', html)


def test_save_and_check_saves_the_ratings_then_shows_what_is_unrated_and_what_changed(executive_client, under_way):
    september, (first, second, third) = under_way
    ratings_url = reverse("recommendations:cycle_ratings", args=[september.pk])
    check_url = reverse("recommendations:cycle_complete", args=[september.pk])
    response = executive_client.post(
        ratings_url,
        {
            "version": september.version,
            f"rag_{first.pk}": "",  # both changed on the page, not saved yet
            f"rag_{second.pk}": rag("Red").pk,
            f"rag_{third.pk}": "",
            "then": "check",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == check_url
    ratings = dict(ProgressUpdate.objects.filter(cycle=september).values_list("recommendation", "rag"))
    assert ratings == {first.pk: None, second.pk: rag("Red").pk}

    page = executive_client.get(check_url).content.decode()
    assert "The ratings have been saved (2 changed)." in page
    assert "1 of 3 recommendations are rated; 2 are not yet rated." in page
    unrated = page[page.index('id="unrated"') : page.index('id="changed"')]
    assert f'href="{ratings_url}#id_rag_{first.pk}"' in unrated
    assert f'href="{ratings_url}#id_rag_{third.pk}"' in unrated
    assert "Green" in row_of(unrated, "1.1")  # what it was rated in March 2011
    assert "Not yet rated" in row_of(unrated, "1.3")
    assert "Recommendation one point 2." not in unrated
    changed = page[page.index('id="changed"') : page.index('id="complete"')]
    assert "Changed since the March 2011 update" in changed
    assert re.search(r"Amber.*Red.*Declined", row_of(changed, "1.2"), re.DOTALL)
    assert "Recommendation one point 1." not in changed  # listed as not yet rated instead
    assert "Recommendation one point 3." not in changed  # not rated then, not rated now
    assert "freezes its ratings and evidence" in page
    assert "Confirm and complete the update" in page
    assert f'name="version" value="{september.version + 1}"' in page
    september.refresh_from_db()
    assert september.is_open


def test_save_and_check_saves_nothing_and_stays_on_the_ratings_when_a_rating_is_wrong(executive_client, under_way):
    september, (first, second, _third) = under_way
    response = executive_client.post(
        reverse("recommendations:cycle_ratings", args=[september.pk]),
        {"version": september.version, f"rag_{first.pk}": "", f"rag_{second.pk}": "purple", "then": "check"},
    )
    assert response.status_code == 200
    assert "Choose a RAG status for 1.2 from the list" in response.content.decode()
    assert ProgressUpdate.objects.get(cycle=september, recommendation=first).rag == rag("Green")


def test_save_and_check_after_someone_else_saved_is_refused_like_save_ratings(executive_client, under_way):
    september, (first, _second, _third) = under_way
    response = executive_client.post(
        reverse("recommendations:cycle_ratings", args=[september.pk]),
        {"version": september.version - 1, f"rag_{first.pk}": rag("Red").pk, "then": "check"},
    )
    assert response.status_code == 200
    assert "saved this at" in response.content.decode()
    assert ProgressUpdate.objects.get(cycle=september, recommendation=first).rag == rag("Green")


def test_opening_the_check_changes_nothing(executive_client, under_way):
    september, _recommendations = under_way
    before = list(ProgressUpdate.objects.values_list("pk", "rag_id", "rated_at"))
    response = executive_client.get(reverse("recommendations:cycle_complete", args=[september.pk]))
    assert response.status_code == 200
    september.refresh_from_db()
    assert (september.state, september.version) == (ReviewCycle.State.OPEN, 2)
    assert list(ProgressUpdate.objects.values_list("pk", "rag_id", "rated_at")) == before


def test_confirming_completes_the_update(executive_client, executive, under_way):
    september, _recommendations = under_way
    response = executive_client.post(
        reverse("recommendations:cycle_complete", args=[september.pk]), {"version": september.version}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("recommendations:cycle_ratings", args=[september.pk])
    september.refresh_from_db()
    assert (september.state, september.completed_by) == (ReviewCycle.State.COMPLETED, executive)
    page = executive_client.get(response["Location"]).content.decode()
    assert "The September 2011 update is completed: its ratings and evidence are now frozen." in page


def test_a_second_complete_is_refused_with_a_message(executive_client, executive, under_way):
    september, _recommendations = under_way
    services.cycle_complete(cycle=september, by=executive, expected_version=september.version)
    september.refresh_from_db()
    completed_on = september.completed_on
    url = reverse("recommendations:cycle_complete", args=[september.pk])
    for send in (lambda: executive_client.post(url, {"version": september.version}), lambda: executive_client.get(url)):
        response = send()
        assert response.status_code == 302
        page = executive_client.get(response["Location"]).content.decode()
        assert "The September 2011 update was already completed on" in page
        assert "by Eve Executive: its ratings and evidence are frozen." in page
    september.refresh_from_db()
    assert (september.completed_on, september.version) == (completed_on, 3)


def test_an_update_completed_by_someone_else_a_moment_before_the_confirm_is_explained(
    executive_client, under_way, monkeypatch
):
    september, _recommendations = under_way
    # The page reads the update while it is still open; it is completed before the save.
    stale = ReviewCycle.objects.select_related("plan").get(pk=september.pk)
    services.cycle_complete(cycle=september, by=make_user(Role.EXECUTIVE), expected_version=september.version)
    monkeypatch.setattr(views, "cycle_for", lambda *args, **kwargs: stale)
    response = executive_client.post(
        reverse("recommendations:cycle_complete", args=[september.pk]), {"version": stale.version}
    )
    assert response.status_code == 302
    page = executive_client.get(response["Location"]).content.decode()
    assert "The September 2011 update is completed: its ratings and evidence can no longer change." in page


def test_ratings_saved_after_the_check_stop_the_complete_until_checked_again(executive_client, under_way):
    september, (first, _second, _third) = under_way
    checked = september.version
    services.ratings_save(
        cycle=september,
        by=make_user(Role.EXECUTIVE, full_name="Olu Other"),
        expected_version=checked,
        ratings={first: (rag("Red"), "")},
    )
    url = reverse("recommendations:cycle_complete", args=[september.pk])
    response = executive_client.post(url, {"version": checked})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Olu Other saved the ratings at" in page
    assert "so the update has not been completed" in page
    assert re.search(r"Green.*Red.*Declined", row_of(page, "1.1"), re.DOTALL)  # the page shows their change
    assert f'name="version" value="{checked + 1}"' in page
    september.refresh_from_db()
    assert september.is_open
    assert executive_client.post(url, {"version": checked + 1}).status_code == 302
    september.refresh_from_db()
    assert not september.is_open


def test_a_tampered_version_is_explained_not_a_server_error(executive_client, under_way):
    september, _recommendations = under_way
    response = executive_client.post(
        reverse("recommendations:cycle_complete", args=[september.pk]), {"version": "nine"}
    )
    assert response.status_code == 200
    assert "This page is out of date" in response.content.decode()
    september.refresh_from_db()
    assert september.is_open


def test_no_one_but_the_executive_checks_or_completes_an_update(client, lead, under_way):
    september, _recommendations = under_way
    sign_in(client, lead)
    url = reverse("recommendations:cycle_complete", args=[september.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"version": september.version}).status_code == 403
    september.refresh_from_db()
    assert september.is_open


def test_the_ratings_page_and_the_check_have_no_duplicate_ids(executive_client, under_way):
    september, _recommendations = under_way
    for name in ("recommendations:cycle_ratings", "recommendations:cycle_complete"):
        ids = ids_in(executive_client.get(reverse(name, args=[september.pk])).content.decode())
        assert ids, name
        assert len(ids) == len(set(ids)), (name, sorted(i for i in ids if ids.count(i) > 1))


# --- History and movement -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ("Red", "Amber", Movement.IMPROVED),
        ("Green", "Orange", Movement.DECLINED),
        ("Amber", "Amber", Movement.UNCHANGED),
        (None, "Green", Movement.NEWLY_RATED),
        ("Green", None, Movement.NO_LONGER_RATED),
        (None, None, Movement.NOT_RATED),
    ],
)
def test_movement_is_derived_from_the_ranks(before, after, expected):
    assert movement(rag(before) if before else None, rag(after) if after else None) is expected


def test_a_recommendations_rag_history_across_cycles(executive_client, plan):
    recommendation = RecommendationFactory(section=PlanSectionFactory(plan=plan, number=1), number="1.1")
    march = completed(
        ReviewCycleFactory(plan=plan, title="March 2011 update", due_on=datetime.date(2011, 3, 4)),
        datetime.date(2011, 3, 4),
    )
    september = completed(
        ReviewCycleFactory(plan=plan, title="September 2011 update", due_on=datetime.date(2011, 9, 30)),
        datetime.date(2011, 9, 30),
    )
    ProgressUpdateFactory(recommendation=recommendation, cycle=march, rag=rag("Orange"))
    ProgressUpdateFactory(recommendation=recommendation, cycle=september, rag=rag("Green"))
    history = selectors.rag_history(recommendation, selectors.cycles(plan))
    assert [(entry.cycle.title, entry.update.rag.label, entry.movement) for entry in history] == [
        ("March 2011 update", "Orange", None),
        ("September 2011 update", "Green", Movement.IMPROVED),
    ]
    page = executive_client.get(
        reverse("recommendations:recommendation_detail", args=[recommendation.pk])
    ).content.decode()
    assert "Improved since the update before" in page


def test_overdue_means_target_passed_and_not_green_or_closed(executive_client, plan):
    section = PlanSectionFactory(plan=plan, number=1)
    past = datetime.date(2011, 1, 1)
    late = RecommendationFactory(section=section, number="1.1", target_date=past)
    green = RecommendationFactory(section=section, number="1.2", target_date=past)
    done = RecommendationFactory(section=section, number="1.3", target_date=past, state=Recommendation.State.CLOSED)
    RecommendationFactory(section=section, number="1.4", target_date=datetime.date(2099, 1, 1))
    cycle = completed(ReviewCycleFactory(plan=plan), datetime.date(2011, 3, 4))
    ProgressUpdateFactory(recommendation=green, cycle=cycle, rag=rag("Green"))
    ProgressUpdateFactory(recommendation=late, cycle=cycle, rag=rag("Amber"))
    rows = selectors.recommendation_rows(plan, selectors.cycles(plan), today=datetime.date(2026, 1, 1))
    assert [row.recommendation for row in rows if row.overdue] == [late]
    page = executive_client.get(reverse("recommendations:overdue")).content.decode()
    assert f'recommendations/{late.pk}/"' in page
    assert f'recommendations/{done.pk}/"' not in page


# --- Evidence -------------------------------------------------------------------------------


def test_a_lead_adds_evidence_to_their_recommendation_and_proposes_a_rag(client, lead, plan):
    recommendation = RecommendationFactory(section=PlanSectionFactory(plan=plan, number=1), number="1.1", lead=lead)
    cycle = ReviewCycleFactory(plan=plan)
    sign_in(client, lead)
    response = client.post(
        reverse("recommendations:evidence_add", args=[recommendation.pk]),
        {
            "text": "Single report format agreed.",
            "url": "https://dscb.example.org/report-format",
            "upload": SimpleUploadedFile("format.pdf", MINIMAL_PDF),
            "proposed_rag": rag("Green").pk,
        },
    )
    assert response.status_code == 302
    update = ProgressUpdate.objects.get(cycle=cycle, recommendation=recommendation)
    assert update.proposed_rag == rag("Green")
    assert update.rag is None  # the Executive's rating is the one that counts
    evidence = update.evidence.get()
    assert (evidence.text, evidence.url, evidence.file_name, evidence.file_type) == (
        "Single report format agreed.",
        "https://dscb.example.org/report-format",
        "format.pdf",
        "application/pdf",
    )
    assert evidence.file.name.startswith("evidence/")
    assert "format" not in evidence.file.name  # stored under a random name


def test_a_lead_cannot_add_evidence_to_someone_elses_recommendation(client, lead, plan):
    recommendation = RecommendationFactory(
        section=PlanSectionFactory(plan=plan, number=1), number="1.1", lead=UserFactory()
    )
    ReviewCycleFactory(plan=plan)
    response = sign_in(client, lead).post(
        reverse("recommendations:evidence_add", args=[recommendation.pk]), {"text": "Mine"}
    )
    assert response.status_code == 403
    assert not Evidence.objects.exists()


def test_a_disguised_file_is_refused_and_nothing_is_stored(client, lead, plan, settings):
    recommendation = RecommendationFactory(section=PlanSectionFactory(plan=plan, number=1), number="1.1", lead=lead)
    ReviewCycleFactory(plan=plan)
    response = sign_in(client, lead).post(
        reverse("recommendations:evidence_add", args=[recommendation.pk]),
        {"text": "See attached", "upload": SimpleUploadedFile("minutes.pdf", b"<html><script>x()</script></html>")},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "must be a PDF, Word or Excel document" in content
    assert "See attached" in content
    assert not Evidence.objects.exists()
    assert (
        not any((settings.MEDIA_ROOT / "evidence").glob("*")) if (settings.MEDIA_ROOT / "evidence").exists() else True
    )


def test_evidence_files_are_downloaded_only_through_an_access_check(client, executive_client, plan):
    evidence = EvidenceFactory(
        update=ProgressUpdateFactory(
            recommendation=RecommendationFactory(section=PlanSectionFactory(plan=plan, number=1), number="1.1"),
            cycle=ReviewCycleFactory(plan=plan),
        ),
        file=SimpleUploadedFile("plan.pdf", MINIMAL_PDF),
        file_name="plan.pdf",
        file_type="application/pdf",
    )
    url = reverse("recommendations:evidence_download", args=[evidence.pk])
    response = executive_client.get(url)
    assert response["Content-Disposition"] == 'attachment; filename="plan.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == MINIMAL_PDF
    for role in (Role.AGENCY_AUDITOR, Role.ADMINISTRATOR):
        assert sign_in(client, make_user(role)).get(url).status_code == 404
    assert settings_media_not_served(client, evidence)


def settings_media_not_served(client, evidence) -> bool:
    """Nothing maps a URL to the upload folder: only the view above serves files."""
    return (
        client.get(f"/media/{evidence.file.name}").status_code == 404
        and client.get(f"/static/{evidence.file.name}").status_code == 404
    )


def test_an_update_with_evidence_and_a_proposal_needs_nothing_more_from_its_lead(client, lead, plan):
    mine = RecommendationFactory(section=PlanSectionFactory(plan=plan, number=1), number="1.1", lead=lead)
    waiting = RecommendationFactory(section=mine.section, number="1.2", lead=lead)
    cycle = ReviewCycleFactory(plan=plan)
    services.evidence_add(recommendation=mine, cycle=cycle, by=lead, text="Done", proposed_rag=rag("Green"))
    page = sign_in(client, lead).get(reverse("recommendations:mine")).content.decode()
    assert page.count("Needs evidence") == 1
    home = client.get(reverse("home")).content.decode()
    assert f'recommendations/{waiting.pk}/evidence/"' in home
    assert f'recommendations/{mine.pk}/evidence/"' not in home
    assert "1.2: add evidence and propose a RAG" in home
    assert "Nothing to do" in home


def test_the_plan_page_shows_all_the_evidence_so_far_newest_last(executive_client, lead, plan):
    recommendation = RecommendationFactory(section=PlanSectionFactory(plan=plan, number=1), number="1.1", lead=lead)
    september_2010 = completed(
        ReviewCycleFactory(plan=plan, title="September 2010 update", due_on=datetime.date(2010, 9, 30)),
        datetime.date(2010, 10, 4),
    )
    march_2011 = completed(
        ReviewCycleFactory(plan=plan, title="March 2011 update", due_on=datetime.date(2011, 3, 31)),
        datetime.date(2011, 3, 4),
    )
    # Written out of order: within an update, evidence keeps its position.
    earlier = ProgressUpdateFactory(recommendation=recommendation, cycle=september_2010, rag=rag("Red"))
    EvidenceFactory(update=earlier, text="Second point, September 2010.", position=2)
    EvidenceFactory(update=earlier, text="First point, September 2010.", position=1)
    EvidenceFactory(
        update=ProgressUpdateFactory(recommendation=recommendation, cycle=march_2011, rag=rag("Amber")),
        text="Third point, March 2011.",
        position=1,
    )
    september_2011 = ReviewCycleFactory(plan=plan, title="September 2011 update", due_on=datetime.date(2011, 9, 30))
    services.evidence_add(recommendation=recommendation, cycle=september_2011, by=lead, text="Fourth point, open.")
    in_order = [
        "First point, September 2010.",
        "Second point, September 2010.",
        "Third point, March 2011.",
        "Fourth point, open.",
    ]

    page = executive_client.get(reverse("recommendations:plan", args=[plan.pk])).content.decode()
    positions = [page.index(text) for text in in_order]
    assert positions == sorted(positions)
    [row] = selectors.recommendation_rows(plan, selectors.cycles(plan), today=datetime.date(2011, 9, 1))
    assert [item.text for item in row.evidence] == in_order
    assert row.rag == rag("Amber")  # the latest completed update's
    # As at March 2011 (a report's view), the open update's evidence is not shown yet,
    # but the lead is still known to have added some.
    [row] = selectors.recommendation_rows(
        plan, selectors.cycles(plan, as_of=march_2011), today=datetime.date(2011, 9, 1)
    )
    assert [item.text for item in row.evidence] == in_order[:3]
    assert not row.needs_evidence
    # A list that shows no evidence reads only the open update's, to know it has some.
    [row] = selectors.recommendation_rows(
        plan, selectors.cycles(plan), today=datetime.date(2011, 9, 1), with_evidence=False
    )
    assert row.evidence == []
    assert not row.needs_evidence
    assert row.rag == rag("Amber")


def test_conflict_is_an_edit_conflict_for_cycles_too(executive, plan):
    cycle = ReviewCycleFactory(plan=plan)
    services.cycle_complete(cycle=cycle, by=executive, expected_version=1)
    cycle = ReviewCycleFactory(plan=plan, title="Next")
    services.ratings_save(cycle=cycle, by=executive, expected_version=1, ratings={})
    with pytest.raises(EditConflict):
        services.ratings_save(cycle=cycle, by=executive, expected_version=1, ratings={})


def test_a_lead_takes_back_only_evidence_they_added(client, lead, executive, plan):
    recommendation = RecommendationFactory(section=PlanSectionFactory(plan=plan, number=1), number="1.1", lead=lead)
    cycle = ReviewCycleFactory(plan=plan)
    services.evidence_add(recommendation=recommendation, cycle=cycle, by=executive, text="Added by the Executive")
    services.evidence_add(recommendation=recommendation, cycle=cycle, by=lead, text="Added by the lead")
    theirs, mine = Evidence.objects.order_by("pk")
    sign_in(client, lead)
    page = client.get(reverse("recommendations:recommendation_detail", args=[recommendation.pk])).content.decode()
    assert reverse("recommendations:evidence_remove", args=[mine.pk]) in page
    assert reverse("recommendations:evidence_remove", args=[theirs.pk]) not in page
    assert client.post(reverse("recommendations:evidence_remove", args=[theirs.pk])).status_code == 403
    client.post(reverse("recommendations:evidence_remove", args=[mine.pk]))
    assert list(Evidence.objects.all()) == [theirs]


def test_a_wrong_file_is_reported_beside_the_file_field(client, lead, plan):
    recommendation = RecommendationFactory(section=PlanSectionFactory(plan=plan, number=1), number="1.1", lead=lead)
    ReviewCycleFactory(plan=plan)
    response = sign_in(client, lead).post(
        reverse("recommendations:evidence_add", args=[recommendation.pk]),
        {"upload": SimpleUploadedFile("minutes.pdf", b"<html></html>")},
    )
    assert response.context["form"].errors["upload"][0].startswith("The selected file must be a PDF")
    assert '<a href="#id_upload">The selected file must be' in response.content.decode()


def test_the_plan_filters_by_lead_and_by_agency_and_keeps_the_filter_in_the_url(executive_client, lead, plan):
    section = PlanSectionFactory(plan=plan, number=1)
    police = Agency.objects.get(short_name="Police")
    RecommendationFactory(section=section, number="1.1", lead=lead)
    role_led = RecommendationFactory(section=section, number="1.2", lead=lead)
    RecommendationLeadFactory(recommendation=role_led, person=None, role_title="Head of Safeguarding", agency=police)
    RecommendationFactory(section=section, number="1.3").agencies.set([police])
    RecommendationFactory(section=section, number="1.4")

    def numbers(**filters: str) -> list[str]:
        return [row.recommendation.number for row in PlanList(plan=plan, filters=filters).rows]

    assert numbers(lead=str(lead.pk)) == ["1.1", "1.2"]
    assert numbers(lead=f"{police.pk}:Head of Safeguarding") == ["1.2"]
    assert numbers(lead="none") == ["1.3", "1.4"]
    assert numbers(agency=str(police.pk)) == ["1.2", "1.3"]
    assert numbers(lead=str(lead.pk), agency=str(police.pk)) == ["1.2"]
    assert numbers(lead="nonsense", agency="police") == ["1.1", "1.2", "1.3", "1.4"]
    page = executive_client.get(
        reverse("recommendations:plan", args=[plan.pk]), {"lead": f"{police.pk}:Head of Safeguarding"}
    )
    content = page.content.decode()
    assert f'<option value="{police.pk}:Head of Safeguarding" selected>Head of Safeguarding, Police</option>' in content
    assert f"plan.csv?lead={police.pk}%3AHead+of+Safeguarding" in content
    assert f"Leads: {lead.get_full_name()}; Head of Safeguarding, Police" in content


def test_a_person_lead_adds_evidence_and_a_role_lead_gives_nobody_that_right(client, lead, plan):
    recommendation = RecommendationFactory(section=PlanSectionFactory(plan=plan, number=1), number="1.1")
    police = Agency.objects.get(short_name="Police")
    RecommendationLeadFactory(
        recommendation=recommendation, person=None, role_title="Head of Safeguarding", agency=police
    )
    assert not is_lead(lead, recommendation)
    RecommendationLeadFactory(recommendation=recommendation, person=lead)
    assert is_lead(lead, Recommendation.objects.get(pk=recommendation.pk))
    assert not is_lead(UserFactory(), recommendation)
