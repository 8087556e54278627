"""Every change keeps who, when and what (SECURITY.md row 27): every model a person
changes through the service's pages is registered for history."""

from __future__ import annotations

import datetime

import pytest
from allauth.mfa.models import Authenticator
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.urls import reverse

from dscb.models import Agency, FormSubmission, Role, SecurityEvent, SentEmail, WorkerHeartbeat
from reports.models import DocumentJob, NarrativeSection, PublishedReport, Report
from tests.conftest import run_queued_tasks, sign_in
from tests.factories import ReviewCycleFactory

OUR_APPS = ("dscb", "audits", "recommendations", "reports")
# Models that hold no one's data and that nobody edits.
WITHOUT_HISTORY = {
    FormSubmission: "the one-time keys of forms already sent",
    SentEmail: "emails sent, written once and never changed",
    SecurityEvent: "security events, written once and never changed (append-only)",
    DocumentJob: "a document the worker makes: what it publishes keeps its history",
    WorkerHeartbeat: "a worker saying it is alive, every 15 seconds",
}
# Other apps' models people change on the service's pages: their authenticators.
THEIRS_PEOPLE_CHANGE = {Authenticator}


def test_every_model_people_change_keeps_its_history():
    ours = {model for model in apps.get_models() if model._meta.app_label in OUR_APPS}
    missing = sorted(
        model._meta.label
        for model in ours | THEIRS_PEOPLE_CHANGE
        if not auditlog.contains(model) and model not in WITHOUT_HISTORY
    )
    assert missing == []


def history_of(obj) -> list[tuple[int, int | None]]:
    return list(LogEntry.objects.get_for_object(obj).order_by("pk").values_list("action", "actor_id"))


@pytest.mark.django_db
def test_a_report_keeps_who_created_changed_and_published_it(client, user_with_role):
    executive = user_with_role(Role.EXECUTIVE)
    sign_in(client, executive)
    cycle = ReviewCycleFactory()
    day = {"period_start": datetime.date(2009, 1, 1), "period_end": datetime.date(2011, 3, 4)}
    dates = {
        f"{name}_{index}": part
        for name, value in day.items()
        for index, part in enumerate((value.day, value.month, value.year))
    }
    client.post(reverse("reports:report_create"), {"title": "Report", "cycle": cycle.pk, **dates})
    report = Report.objects.get()
    client.post(
        reverse("reports:report_edit", args=[report.pk]), {"title": "Renamed", "cycle": cycle.pk, **dates, "version": 1}
    )
    client.post(reverse("reports:section_add", args=[report.pk]), {"heading": "MASH", "body": "Words", "position": 1})
    section = NarrativeSection.objects.get()
    client.post(
        reverse("reports:section_edit", args=[report.pk, section.pk]),
        {"heading": "MASH", "body": "Better words", "position": 1, "version": 1},
    )
    client.post(reverse("reports:report_publish", args=[report.pk]), {"version": Report.objects.get().version})
    run_queued_tasks()  # the worker publishes, in the name of the person who asked
    create, update = LogEntry.Action.CREATE, LogEntry.Action.UPDATE
    assert history_of(report) == [(create, executive.pk), (update, executive.pk)]
    assert history_of(section) == [(create, executive.pk), (update, executive.pk)]
    assert history_of(PublishedReport.objects.get()) == [(create, executive.pk)]


@pytest.mark.django_db
def test_history_of_bulk_writes_matches_what_auditlog_writes_itself(django_assert_num_queries):
    from auditlog.context import set_actor

    from dscb.history import Change, record_changes, snapshot
    from tests.factories import UserFactory

    actor = UserFactory()
    with set_actor(actor, remote_addr="192.0.2.1"):
        by_signal = Agency.objects.create(name="Saved one by one", short_name="One")
        created = Agency.objects.bulk_create([Agency(name="Saved in bulk", short_name="Bulk")])[0]
        before = snapshot(created)
        created.name = "Renamed in bulk"
        Agency.objects.bulk_update([created], ["name"])
        unchanged = snapshot(by_signal)
        with django_assert_num_queries(1):
            written = record_changes(
                [Change(None, created), Change(before, created), Change(unchanged, by_signal), Change(created, None)]
            )
    assert written == 3  # the unchanged row is not history
    own = LogEntry.objects.get_for_object(by_signal).get()
    bulk = list(LogEntry.objects.get_for_object(created).order_by("pk"))
    assert [entry.action for entry in bulk] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE, LogEntry.Action.DELETE]
    assert {(entry.actor_id, entry.remote_addr) for entry in bulk} == {(own.actor_id, own.remote_addr)}
    assert bulk[1].changes_dict == {"name": ["Saved in bulk", "Renamed in bulk"]}
    assert set(bulk[0].changes_dict) == set(own.changes_dict)
