"""Reference data seeded by data migrations and kept by administrators on the service's
own pages (Administration → Reference data): one set of pages for every kind."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils.html import escape

from audits.models import (
    QUESTION_ANSWERED,
    RANK_BELOW_ONE,
    ChecklistAnswer,
    ChecklistQuestion,
    Grade,
    GradeScale,
    Theme,
)
from dscb import reference, request_cache
from dscb.concurrency import EditConflict
from dscb.forms import SUBMISSION_KEY
from dscb.models import Agency
from dscb.reference import KINDS, ONE_ROW_ONLY, ReferenceKind
from recommendations.models import PlanScale, RagStatus
from tests.factories import CaseRecordFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_agencies_from_the_design_are_seeded():
    names = list(Agency.objects.values_list("short_name", flat=True))
    assert names[0] == "Police"
    assert {"EY&F", "ICS", "GP", "Health Visiting", "School Nursing", "DPT", "Education", "Probation", "YOS"} <= set(
        names
    )
    assert Agency.objects.active().count() == len(names) == 12


def test_the_five_themes_are_seeded_in_the_seed_reports_order():
    assert list(Theme.objects.values_list("name", flat=True)) == [
        "Record keeping",
        "Multi-agency working",
        "Identification of risk to children",
        "Effectiveness of child protection meetings",
        "Supervision and management oversight",
    ]


def test_the_ofsted_grades_are_seeded_best_first_with_the_threshold():
    assert list(Grade.objects.values_list("label", "rank", "meets_threshold")) == [
        ("Outstanding", 1, True),
        ("Good", 2, True),
        ("Adequate", 3, True),
        ("Inadequate", 4, False),
    ]


def test_the_rag_statuses_are_seeded_best_first_with_their_meaning_and_not_yet_rated_is_not_one():
    assert list(RagStatus.objects.values_list("label", "rank", "counts_as_done", "needs_attention")) == [
        ("Green", 1, True, False),
        ("Amber", 2, False, False),
        ("Orange", 3, False, False),
        ("Red", 4, False, True),
    ]
    assert all(status.colour.startswith("#") and status.description for status in RagStatus.objects.all())
    assert not RagStatus.objects.filter(label__icontains="not yet").exists()


def kind_of(model: type) -> ReferenceKind:
    return next(kind for kind in KINDS.values() if kind.model is model)


def change_url(obj) -> str:
    return reverse("reference_data_change", args=[kind_of(type(obj)).slug, obj.pk])


def as_shown(obj, **changes: object) -> dict[str, object]:
    """The change form of ``obj`` as a browser sends it, with ``changes``."""
    kind = kind_of(type(obj))
    values = {**model_to_dict(obj, fields=kind.fields), **changes}
    data = {name: ("on" if value is True else "" if value is None else value) for name, value in values.items()}
    return {name: value for name, value in data.items() if value is not False} | {"version": obj.version}


def error_beside(html: str, field: str, message: str) -> bool:
    """``message`` is shown in ``field``'s own form group, not only in the summary."""
    group = html[html.index(f'id="div_id_{field}"') :]
    group = group[: group.index("</div> <div id=") if "</div> <div id=" in group else len(group)]
    return "govuk-error-message" in group and escape(message) in group


# Every kind, each shown by a row the seed holds.
KIND_SLUGS = ["agencies", "themes", "grades", "grade-scale", "checklist-questions", "rag-statuses", "plan-scale"]


def test_every_kind_is_registered_once_in_the_order_of_the_apps():
    assert list(KINDS) == KIND_SLUGS


def test_every_kind_keeps_its_history():
    assert all(auditlog.contains(kind.model) for kind in KINDS.values())


def test_administration_links_to_the_reference_data(admin_client):
    link = f'href="{reverse("reference_data")}">Reference data</a>'
    assert link in admin_client.get(reverse("administration")).content.decode()


def test_the_index_links_to_every_kind(admin_client):
    html = admin_client.get(reverse("reference_data")).content.decode()
    for kind in KINDS.values():
        assert f'href="{reverse("reference_data_list", args=[kind.slug])}">{escape(kind.title)}</a>' in html


@pytest.mark.parametrize("slug", [slug for slug in KIND_SLUGS if not KINDS[slug].single_row])
def test_each_kinds_list_shows_every_row_in_order_with_its_status(slug, admin_client):
    kind = KINDS[slug]
    rows = list(kind.rows())
    retired = rows[-1]
    type(retired).objects.filter(pk=retired.pk).update(is_active=False)
    response = admin_client.get(reverse("reference_data_list", args=[slug]))
    assert response.status_code == 200
    html = response.content.decode()
    name = kind.fields[0]
    positions = [html.index(f'href="{change_url(row)}">{escape(getattr(row, name))}</a>') for row in rows]
    assert positions == sorted(positions)
    assert html.count('<th scope="row"') == len(rows)
    assert html.count(">Retired</strong>") == 1
    assert f'href="{reverse("reference_data_add", args=[slug])}">{escape(kind.add_title)}</a>' in html


@pytest.mark.parametrize("slug", KIND_SLUGS)
def test_each_kinds_change_page_shows_its_fields_and_version(slug, admin_client):
    kind = KINDS[slug]
    row = kind.rows().first()
    response = admin_client.get(reverse("reference_data_change", args=[slug, row.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    assert [name for name in form.fields if name != "version"] == list(kind.fields)
    assert form["version"].value() == row.version
    html = response.content.decode()
    assert "govuk-back-link" in html
    assert f'<h1 class="govuk-heading-l">{escape(f"Change the {kind.noun}")}</h1>' in html


@pytest.mark.parametrize("slug", ["grade-scale", "plan-scale"])
def test_a_scale_has_only_its_change_page(slug, admin_client):
    only = KINDS[slug].model.objects.get()
    listed = admin_client.get(reverse("reference_data_list", args=[slug]))
    assert listed.status_code == 302
    assert listed["Location"] == reverse("reference_data_change", args=[slug, only.pk])
    assert admin_client.get(reverse("reference_data_add", args=[slug])).status_code == 404
    assert admin_client.post(reverse("reference_data_add", args=[slug]), {"name": "Another"}).status_code == 404
    assert KINDS[slug].model.objects.count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "/administration/reference-data/people/",
        "/administration/reference-data/people/add/",
        "/administration/reference-data/people/1/",
        "/administration/reference-data/grades/999999/",
        f"/administration/reference-data/grades/{2**63}/",
        f"/administration/reference-data/grades/{10**30}/",
        "/administration/reference-data/grades/1/delete/",
    ],
)
def test_an_unknown_kind_or_row_is_not_found(url, admin_client):
    assert admin_client.get(url).status_code == 404
    # The list takes no POST (405); the others have nothing to save to.
    assert admin_client.post(url, {"label": "x"}).status_code in (404, 405)


def test_an_administrator_adds_an_agency_and_who_added_it_is_kept(admin_client):
    url = reverse("reference_data_add", args=["agencies"])
    key = admin_client.get(url).context["form"][SUBMISSION_KEY].value()
    data = {"name": "Fire and Rescue Service", "short_name": "Fire", "position": "20", "is_active": "on"}
    response = admin_client.post(url, data | {SUBMISSION_KEY: str(key)})
    assert response.status_code == 302
    assert response["Location"] == reverse("reference_data_list", args=["agencies"])
    fire = Agency.objects.get(short_name="Fire")
    assert (fire.name, fire.position, fire.is_active, fire.version) == ("Fire and Rescue Service", 20, True, 1)
    assert fire.updated_by == admin_client.user
    listed = admin_client.get(response["Location"]).content.decode()
    assert "“Fire and Rescue Service” has been added." in listed
    assert f'href="{change_url(fire)}">Fire and Rescue Service</a>' in listed
    # Sent again (the back button), the same form adds nothing more.
    assert admin_client.post(url, data | {SUBMISSION_KEY: str(key)}).status_code == 302
    assert Agency.objects.filter(short_name="Fire").count() == 1


# A row of each kind that can be added, as its add page sends it.
ADDED = {
    "agencies": {"name": "Fire and Rescue Service", "short_name": "Fire", "position": "20", "is_active": "on"},
    "themes": {"name": "Voice of the child", "description": "Heard and recorded.", "position": "6", "is_active": "on"},
    "grades": {"label": "Exceptional", "rank": "9", "colour": "#00703c", "text_colour": "#ffffff", "is_active": "on"},
    "checklist-questions": {"text": "Child seen alone", "position": "9", "in_default_set": "on", "is_active": "on"},
    "rag-statuses": {"label": "Blue", "rank": "9", "colour": "#1d70b8", "text_colour": "#ffffff", "is_active": "on"},
}


@pytest.mark.parametrize("slug", ADDED)
def test_each_kind_adds_a_row_that_its_list_then_shows(slug, admin_client):
    kind = KINDS[slug]
    url = reverse("reference_data_add", args=[slug])
    page = admin_client.get(url)
    assert [name for name in page.context["form"].fields if name != SUBMISSION_KEY] == [*kind.fields, "version"]
    data = ADDED[slug] | ({"theme": Theme.objects.first().pk} if slug == "checklist-questions" else {})
    before = kind.model.objects.count()
    response = admin_client.post(url, data | {SUBMISSION_KEY: page.context["form"][SUBMISSION_KEY].value()})
    assert response.status_code == 302
    assert kind.model.objects.count() == before + 1
    added = kind.model.objects.get(**{kind.fields[0]: data[kind.fields[0]]})
    assert (added.version, added.updated_by) == (1, admin_client.user)
    assert f'href="{change_url(added)}"' in admin_client.get(response["Location"]).content.decode()


def test_an_administrator_renames_a_grade_and_the_change_is_kept_in_history(admin_client):
    adequate = Grade.objects.get(label="Adequate")
    response = admin_client.post(change_url(adequate), as_shown(adequate, label="Requires improvement"))
    assert response.status_code == 302
    adequate.refresh_from_db()
    assert (adequate.label, adequate.version, adequate.updated_by) == ("Requires improvement", 2, admin_client.user)
    entry = LogEntry.objects.get_for_object(adequate).latest("timestamp")
    assert entry.changes_dict["label"] == ["Adequate", "Requires improvement"]
    assert entry.actor == admin_client.user
    # ...and shown on the grade's page, with who made it.
    page = admin_client.get(change_url(adequate)).content.decode()
    history = page[page.index('id="history"') :]
    assert "Who changed what in this grade, newest first" in history
    assert admin_client.user.get_full_name() in history
    assert "Label: Adequate → Requires improvement" in history


def test_reference_data_is_retired_not_deleted(admin_client):
    question = ChecklistQuestion.objects.first()
    response = admin_client.post(change_url(question), as_shown(question, is_active=False))
    assert response.status_code == 302
    question.refresh_from_db()
    assert not question.is_active
    listed = admin_client.get(reverse("reference_data_list", args=["checklist-questions"])).content.decode()
    row = listed[listed.index(f'href="{change_url(question)}"') :]
    assert row[: row.index("</tr>")].count(">Retired</strong>") == 1


def test_changing_a_scales_words_forgets_the_words_this_request_read(admin_client, monkeypatch):
    forgotten = []
    monkeypatch.setattr(request_cache, "forget", lambda: forgotten.append(True))
    scale = PlanScale.objects.get()
    response = admin_client.post(change_url(scale), as_shown(scale, short_name="BRAG", name="BRAG rating"))
    assert response.status_code == 302
    assert response["Location"] == reverse("reference_data")
    scale.refresh_from_db()
    assert (scale.short_name, scale.name) == ("BRAG", "BRAG rating")
    assert forgotten == [True]
    # The next page uses the new words.
    assert "BRAG" in admin_client.get(reverse("recommendations:plan_list")).content.decode()


def test_the_second_administrator_to_save_is_refused_then_saves_again(persona_client):
    grade = Grade.objects.get(label="Adequate")
    url = change_url(grade)
    ann, bea = persona_client("administrator"), persona_client("administrator")
    assert ann.get(url).status_code == bea.get(url).status_code == 200
    assert ann.post(url, as_shown(grade, description="Ann's words")).status_code == 302
    refused = bea.post(url, as_shown(grade, description="Bea's words"))

    grade.refresh_from_db()
    assert (grade.description, grade.version, grade.updated_by) == ("Ann's words", 2, ann.user)
    assert refused.status_code == 200
    conflict = EditConflict(saved_by=ann.user, saved_at=grade.updated_at, version=2)
    assert refused.context["form"].non_field_errors() == [conflict.message]
    html = refused.content.decode()
    assert escape(conflict.message) in html
    # What Bea typed is still there, now carrying the version Ann saved.
    form = refused.context["form"]
    assert (form["description"].value(), form["version"].value()) == ("Bea's words", "2")
    assert bea.post(url, as_shown(grade, description="Bea's words") | {"version": "2"}).status_code == 302
    grade.refresh_from_db()
    assert (grade.description, grade.version, grade.updated_by) == ("Bea's words", 3, bea.user)


def test_a_change_sent_without_its_version_saves_nothing(admin_client):
    theme = Theme.objects.get(name="Record keeping")
    data = as_shown(theme, description="Changed")
    del data["version"]
    response = admin_client.post(change_url(theme), data)
    assert response.status_code == 200
    assert "This page is out of date. Reload it, then make your changes again." in response.content.decode()
    theme.refresh_from_db()
    assert (theme.description, theme.version) == ("", 1)


@pytest.mark.parametrize(
    ("make", "changes", "field", "message"),
    [
        (lambda: RagStatus.objects.get(label="Red"), {"colour": "red"}, "colour", "Enter a colour as # and six"),
        (lambda: Grade.objects.get(label="Good"), {"rank": "1"}, "rank", "Grade with this Rank already exists."),
        (lambda: Grade.objects.get(label="Good"), {"rank": "0"}, "rank", RANK_BELOW_ONE),
        (lambda: RagStatus.objects.get(label="Red"), {"rank": "0"}, "rank", RANK_BELOW_ONE),
        (lambda: Theme.objects.first(), {"position": "2"}, "position", "Theme with this Position already exists."),
        (lambda: Agency.objects.get(short_name="Police"), {"name": ""}, "name", "Enter the name"),
        (lambda: Agency.objects.get(short_name="Police"), {"position": "x"}, "position", "Enter a whole number."),
        (lambda: GradeScale.objects.get(), {"plural": "g" * 61}, "plural", "at most 60 characters"),
    ],
    ids=["colour", "unique rank", "grade rank 0", "RAG rank 0", "unique position", "required", "number", "length"],
)
def test_a_wrong_value_is_refused_beside_its_field_keeping_what_was_typed(make, changes, field, message, admin_client):
    row = make()
    before = model_to_dict(row)
    response = admin_client.post(change_url(row), as_shown(row, **changes))
    assert response.status_code == 200
    html = response.content.decode()
    assert error_beside(html, field, message), html[html.index(f'id="div_id_{field}"') :][:1500]
    assert "govuk-error-summary" in html
    assert response.context["form"][field].value() == changes[field]
    row.refresh_from_db()
    assert model_to_dict(row) == before


def test_a_question_with_answers_keeps_its_words_and_theme(admin_client):
    question = ChecklistQuestion.objects.first()
    ChecklistAnswer.objects.create(record=CaseRecordFactory(), question=question, answer="yes")
    other_theme = Theme.objects.exclude(pk=question.theme_id).first()
    page = admin_client.get(change_url(question))
    assert page.context["form"].fields["text"].disabled
    assert escape(QUESTION_ANSWERED) in page.content.decode()
    # What is sent for them is ignored; the rest is saved.
    data = as_shown(question, text="Reworded", theme=other_theme.pk, position=9)
    assert admin_client.post(change_url(question), data).status_code == 302
    question.refresh_from_db()
    assert (question.text, question.theme_id, question.position) != ("Reworded", other_theme.pk, 9)
    assert question.position == 9


def test_the_service_refuses_rewording_a_question_with_answers():
    question = ChecklistQuestion.objects.first()
    ChecklistAnswer.objects.create(record=CaseRecordFactory(), question=question, answer="yes")
    administrator = UserFactory(is_administrator=True)
    with pytest.raises(ValidationError) as refused:
        reference.reference_update(
            kind=KINDS["checklist-questions"],
            row=question,
            by=administrator,
            expected_version=question.version,
            values={"text": "Reworded"},
        )
    assert refused.value.message_dict == {"text": [QUESTION_ANSWERED]}
    question.refresh_from_db()
    assert (question.text, question.version) != ("Reworded", 2)


def test_the_service_refuses_anyone_but_an_administrator_and_a_second_scale():
    executive = UserFactory(is_executive=True)
    police = Agency.objects.get(short_name="Police")
    with pytest.raises(ValidationError):
        reference.reference_update(
            kind=KINDS["agencies"], row=police, by=executive, expected_version=1, values={"name": "Changed"}
        )
    with pytest.raises(ValidationError, match=ONE_ROW_ONLY):
        reference.reference_create(
            kind=KINDS["plan-scale"], by=UserFactory(is_administrator=True), values={"name": "Another"}
        )
    assert Agency.objects.get(pk=police.pk).name == police.name
    assert PlanScale.objects.count() == 1


@pytest.mark.parametrize("slug", ["agencies", "checklist-questions"])
def test_a_lists_query_count_does_not_grow_with_its_rows(slug, admin_client, django_assert_num_queries):
    url = reverse("reference_data_list", args=[slug])
    admin_client.get(url)  # the first request in a test warms what is kept per process
    with django_assert_num_queries(3):  # session, user, the rows (with their theme)
        admin_client.get(url)
    theme = Theme.objects.first()
    for n in range(40):
        Agency.objects.create(name=f"Agency {n}", short_name=f"A{n}", position=30 + n)
        ChecklistQuestion.objects.create(theme=theme, text=f"Question {n}", position=30 + n)
    with django_assert_num_queries(3):
        response = admin_client.get(url)
    assert response.content.decode().count('<th scope="row"') == KINDS[slug].rows().count()
