"""The record of every email about the work: none goes twice, a failed one is not
recorded as sent, and each person sees what they were sent."""

from __future__ import annotations

import smtplib

import pytest
from django.urls import reverse

from dscb.emails import send_once, send_to_each
from dscb.models import SentEmail
from tests.conftest import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TEMPLATE = "dscb/email/authenticator_removed"


def context() -> dict[str, object]:
    return {"app_removed": True, "board_name": "Anyshire", "contact_email": "board@example.org", "link": "x"}


def test_an_email_goes_once_per_key_and_is_recorded(mailoutbox):
    person = UserFactory()
    first = send_once(key="thing:1", template=TEMPLATE, context=context(), to=person)
    again = send_once(key="thing:1", template=TEMPLATE, context=context(), to=person)

    assert first is not None
    assert again is None
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [person.email]
    assert SentEmail.objects.get().subject == mailoutbox[0].subject


def test_each_person_gets_their_own_copy_once(mailoutbox):
    people = UserFactory.create_batch(2)
    send_to_each(key="published:3", template=TEMPLATE, context=context(), people=people)
    send_to_each(key="published:3", template=TEMPLATE, context=context(), people=people)
    assert sorted(email.to[0] for email in mailoutbox) == sorted(person.email for person in people)


def test_nobody_inactive_is_emailed(mailoutbox):
    assert send_once(key="thing:2", template=TEMPLATE, context=context(), to=UserFactory(is_active=False)) is None
    assert mailoutbox == []
    assert not SentEmail.objects.exists()


def test_a_mail_server_that_fails_leaves_no_record_and_the_work_goes_on(monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr("dscb.emails.send_mail", refuse)
    person = UserFactory()
    assert send_once(key="thing:3", template=TEMPLATE, context=context(), to=person) is None
    assert not SentEmail.objects.exists()
    assert "could not be sent" in caplog.text


def test_the_account_page_lists_only_the_persons_own_emails(client):
    person, other = UserFactory(), UserFactory()
    send_once(key="mine", template=TEMPLATE, context=context(), to=person)
    send_once(key="theirs", template=TEMPLATE, context={**context(), "app_removed": False}, to=other)
    sign_in(client, person)

    content = client.get(reverse("account")).content.decode()

    assert "Emails sent to you" in content
    assert SentEmail.objects.get(key="mine").subject in content
    assert content.count(person.email) >= 1
    assert other.email not in content


def test_the_account_page_needs_a_fixed_number_of_queries(client, django_assert_num_queries):
    person = UserFactory()
    sign_in(client, person)
    for number in range(3):
        send_once(key=f"few:{number}", template=TEMPLATE, context=context(), to=person)
    with django_assert_num_queries(4) as few:  # session, user, authenticator, emails
        client.get(reverse("account"))
    for number in range(30):
        send_once(key=f"many:{number}", template=TEMPLATE, context=context(), to=person)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("account"))
