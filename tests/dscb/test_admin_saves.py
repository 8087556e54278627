"""Two administrators editing the same thing in the admin site: the second save is refused
beside the form, with everything they typed kept, never silently overwriting the first
(ASVS 2.3.4); their next save goes through."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django import forms
from django.db import models
from django.urls import reverse
from django.utils.html import escape

from audits.models import ChecklistQuestion, Grade, Theme
from dscb.concurrency import EditConflict
from dscb.models import Agency
from recommendations.models import RagStatus
from tests.conftest import Client

pytestmark = pytest.mark.django_db


def as_posted(form: forms.BaseForm) -> dict[str, object]:
    """What a browser sends for ``form`` as the page shows it."""
    data: dict[str, object] = {}
    for field in form:
        value = field.value()
        if isinstance(field.field, forms.BooleanField):
            if value:
                data[field.html_name] = "on"
        else:
            data[field.html_name] = "" if value is None else value
    return data


def change_form(response) -> forms.BaseForm:
    assert response.status_code == 200
    return response.context["adminform"].form


def changelist_data(response) -> dict[str, object]:
    assert response.status_code == 200
    formset = response.context["cl"].formset
    data = as_posted(formset.management_form)
    for form in formset.forms:
        data |= as_posted(form)
    return data | {"_save": "Save"}


def first_link_after(html: str, text: str) -> str:
    assert text in html
    return re.search(r'href="([^"]+)"', html[html.index(text) :]).group(1)


# Each model an administrator edits, one of its rows, and a text field to change.
EDITED: dict[type[models.Model], tuple[Callable[[], models.Model], str]] = {
    Agency: (lambda: Agency.objects.get(short_name="Police"), "name"),
    Theme: (lambda: Theme.objects.get(name="Record keeping"), "description"),
    Grade: (lambda: Grade.objects.get(label="Adequate"), "description"),
    ChecklistQuestion: (lambda: ChecklistQuestion.objects.first(), "text"),
    RagStatus: (lambda: RagStatus.objects.get(label="Amber"), "description"),
}


def administrators(persona_client, count: int = 2) -> list[Client]:
    return [persona_client("administrator") for _ in range(count)]


@pytest.mark.parametrize("model", EDITED, ids=lambda model: model.__name__)
def test_the_second_administrator_to_save_is_refused_then_saves_again(model, persona_client):
    make, field = EDITED[model]
    obj = make()
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    ann, bea = administrators(persona_client)
    anns, beas = (as_posted(change_form(client.get(url))) for client in (ann, bea))
    assert anns["version"] == beas["version"] == 1

    assert ann.post(url, anns | {field: "Ann's words"}).status_code == 302
    refused = bea.post(url, beas | {field: "Bea's words"})

    obj.refresh_from_db()
    assert (getattr(obj, field), obj.version, obj.updated_by) == ("Ann's words", 2, ann.user)
    shown = change_form(refused)
    conflict = EditConflict(saved_by=ann.user, saved_at=obj.updated_at, version=2)
    assert shown.non_field_errors() == [conflict.message]
    assert escape(conflict.message) in refused.content.decode()
    # What Bea typed is still there, now carrying the version Ann saved.
    again = as_posted(shown)
    assert (again[field], again["version"]) == ("Bea's words", "2")

    assert bea.post(url, again).status_code == 302
    obj.refresh_from_db()
    assert (getattr(obj, field), obj.version, obj.updated_by) == ("Bea's words", 3, bea.user)


def test_a_change_form_sent_without_its_version_saves_nothing(admin_client):
    grade = Grade.objects.get(label="Adequate")
    url = reverse("admin:audits_grade_change", args=[grade.pk])
    data = as_posted(change_form(admin_client.get(url)))
    del data["version"]
    response = admin_client.post(url, data | {"description": "Changed"})
    assert "This page is out of date. Reload it, then make your changes again." in response.content.decode()
    grade.refresh_from_db()
    assert (grade.description, grade.version) == ("", 1)


def test_an_added_row_records_who_added_it(admin_client):
    response = admin_client.post(
        reverse("admin:recommendations_ragstatus_add"),
        {"label": "Blue", "rank": 9, "colour": "#1d70b8", "text_colour": "#ffffff", "description": "Done"},
    )
    assert response.status_code == 302
    blue = RagStatus.objects.get(label="Blue")
    assert (blue.version, blue.updated_by) == (1, admin_client.user)


@pytest.mark.parametrize(
    ("model", "row"),
    [(Agency, lambda: Agency.objects.get(short_name="Police")), (ChecklistQuestion, ChecklistQuestion.objects.first)],
    ids=["Agency", "ChecklistQuestion"],
)
def test_a_stale_row_in_a_changelist_is_refused_then_saved(model, row, persona_client):
    obj = row()
    changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    change = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
    ann, bea = administrators(persona_client)
    listed = ann.get(changelist)
    index = list(listed.context["cl"].result_list).index(obj)
    anns = changelist_data(listed)
    assert f'name="form-{index}-version" value="1"' in listed.content.decode()

    beas = as_posted(change_form(bea.get(change)))
    assert bea.post(change, beas | {"position": "40"}).status_code == 302
    refused = ann.post(changelist, anns | {f"form-{index}-position": "50"})

    obj.refresh_from_db()
    assert (obj.position, obj.version) == (40, 2)
    conflict = EditConflict(saved_by=bea.user, saved_at=obj.updated_at, version=2)
    formset = refused.context["cl"].formset
    assert formset.forms[index].non_field_errors() == [conflict.message]
    # The message is beside the row it is about, although its new position moved it.
    assert first_link_after(refused.content.decode(), escape(conflict.message)) == change

    again = changelist_data(refused)
    assert (again[f"form-{index}-position"], again[f"form-{index}-version"]) == ("50", "2")
    assert ann.post(changelist, again).status_code == 302
    obj.refresh_from_db()
    assert (obj.position, obj.version, obj.updated_by) == (50, 3, ann.user)


def test_a_changelist_save_is_not_refused_for_a_row_left_alone(persona_client):
    police, health = Agency.objects.get(short_name="Police"), Agency.objects.exclude(short_name="Police").first()
    changelist = reverse("admin:dscb_agency_changelist")
    ann, bea = administrators(persona_client)
    listed = ann.get(changelist)
    rows = list(listed.context["cl"].result_list)
    anns = changelist_data(listed)

    change = reverse("admin:dscb_agency_change", args=[police.pk])
    assert bea.post(change, as_posted(change_form(bea.get(change))) | {"name": "Police service"}).status_code == 302
    assert ann.post(changelist, anns | {f"form-{rows.index(health)}-position": "60"}).status_code == 302

    police.refresh_from_db()
    health.refresh_from_db()
    assert (police.name, police.version, police.updated_by) == ("Police service", 2, bea.user)
    assert (health.position, health.version, health.updated_by) == (60, 2, ann.user)
