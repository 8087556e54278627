"""Reference data seeded by data migrations and kept by administrators."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from audits.models import Grade, Theme
from dscb.models import Agency
from recommendations.models import RagStatus

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


def test_an_administrator_can_rename_a_grade_and_the_change_is_kept_in_history(admin_client):
    adequate = Grade.objects.get(label="Adequate")
    response = admin_client.post(
        reverse("admin:audits_grade_change", args=[adequate.pk]),
        {
            "label": "Requires improvement",
            "rank": 3,
            "meets_threshold": "on",
            "colour": "#ffdd00",
            "text_colour": "#0b0c0c",
            "description": "",
            "is_active": "on",
            "version": adequate.version,
        },
    )
    assert response.status_code == 302
    adequate.refresh_from_db()
    assert adequate.label == "Requires improvement"
    entry = LogEntry.objects.get_for_object(adequate).latest("timestamp")
    assert entry.changes_dict["label"] == ["Adequate", "Requires improvement"]
    assert entry.actor is not None
    assert entry.actor.is_administrator


def test_reference_data_is_retired_not_deleted(admin_client):
    police = Agency.objects.get(short_name="Police")
    response = admin_client.post(reverse("admin:dscb_agency_delete", args=[police.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Agency.objects.filter(pk=police.pk).exists()


def test_a_rag_colour_must_be_a_hex_colour(admin_client):
    red = RagStatus.objects.get(label="Red")
    response = admin_client.post(
        reverse("admin:recommendations_ragstatus_change", args=[red.pk]),
        {
            "label": "Red",
            "rank": 4,
            "colour": "red",
            "text_colour": "#ffffff",
            "description": "x",
            "is_active": "on",
            "version": red.version,
        },
    )
    assert response.status_code == 200
    assert "Enter a colour as # and six hexadecimal digits" in response.content.decode()
    red.refresh_from_db()
    assert red.colour == "#d4351c"


def test_history_cannot_be_edited_or_deleted_through_the_admin(admin_client):
    entry = LogEntry.objects.first()
    assert admin_client.post(reverse("admin:auditlog_logentry_change", args=[entry.pk]), {}).status_code == 403
    assert (
        admin_client.post(reverse("admin:auditlog_logentry_delete", args=[entry.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert LogEntry.objects.filter(pk=entry.pk).exists()
