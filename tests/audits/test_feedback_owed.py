"""Feedback still to give is found in the database: a round whose feedback is all given, or
said not to be needed, builds no row for those records."""

from __future__ import annotations

import datetime

import pytest
from django.db.models.signals import post_init

from audits.models import AuditRound, CaseRecord, Feedback
from audits.selectors import feedback_owed
from tests.conftest import make_user
from tests.factories import AuditCaseFactory, CaseRecordFactory

pytestmark = pytest.mark.django_db


def give(record: CaseRecord, *recipients: str) -> None:
    giver = make_user()
    for recipient in recipients:
        Feedback.objects.create(record=record, recipient=recipient, given_on=datetime.date(2010, 10, 1), given_by=giver)


def test_only_the_records_still_owed_feedback_are_read():
    case = AuditCaseFactory()
    all_given, not_needed, owed = CaseRecordFactory.create_batch(3, case=case)
    give(all_given, *Feedback.Recipient.values)
    CaseRecord.objects.filter(pk=not_needed.pk).update(feedback_not_needed="Shared at the panel already.")
    give(owed, Feedback.Recipient.PRACTITIONER)
    built = []

    def count(sender, instance, **kwargs):
        built.append(instance.pk)

    post_init.connect(count, sender=CaseRecord)
    try:
        found = feedback_owed(rounds=AuditRound.objects.filter(pk=case.audit_round_id))
    finally:
        post_init.disconnect(count, sender=CaseRecord)
    assert [(item.record.pk, item.recipients) for item in found] == [(owed.pk, ["Their manager", "The agency"])]
    assert built == [owed.pk]
