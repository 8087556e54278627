"""Two administrators editing the same person in the admin site: the second save is refused
beside the form, with everything they typed kept, never silently overwriting the first
(ASVS 2.3.4); their next save goes through."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django import forms
from django.contrib.auth.hashers import make_password
from django.db import models
from django.urls import reverse
from django.utils.html import escape

from dscb import admin as dscb_admin
from dscb.concurrency import EditConflict
from dscb.models import User
from tests.conftest import Client
from tests.factories import UserFactory

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


# Each model an administrator edits in the admin site, one of its rows, and a text field to
# change. (Reference data has its own pages: tests/dscb/test_reference_data.py.)
EDITED: dict[type[models.Model], tuple[Callable[[], models.Model], str]] = {
    User: (lambda: UserFactory(full_name="Carol Lead", is_professional_lead=True), "full_name"),
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
    person = UserFactory(full_name="Carol Lead", job_title="Lead")
    url = reverse("admin:dscb_user_change", args=[person.pk])
    data = as_posted(change_form(admin_client.get(url)))
    del data["version"]
    response = admin_client.post(url, data | {"job_title": "Changed"})
    assert "This page is out of date. Reload it, then make your changes again." in response.content.decode()
    person.refresh_from_db()
    assert (person.job_title, person.version) == ("Lead", 1)


def test_an_administrators_save_leaves_what_the_form_does_not_show_as_it_is_now(admin_client, monkeypatch):
    person = UserFactory(full_name="Carol Lead", is_executive=True)
    url = reverse("admin:dscb_user_change", args=[person.pk])
    data = as_posted(change_form(admin_client.get(url)))
    held = dscb_admin.hold_version

    def person_changes_their_password_first(instance, **kwargs):
        # After the admin read the row for this save, before the check locked it.
        User.objects.filter(pk=person.pk).update(password=make_password("a brand new passphrase"))
        held(instance, **kwargs)

    monkeypatch.setattr(dscb_admin, "hold_version", person_changes_their_password_first)
    assert admin_client.post(url, data | {"job_title": "Head of service"}).status_code == 302
    person.refresh_from_db()
    assert person.job_title == "Head of service"
    assert person.check_password("a brand new passphrase")
