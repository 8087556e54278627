"""The service's own emails: plain text, so what people typed reads as they typed it."""

from __future__ import annotations

import logging
from smtplib import SMTPException
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template import Context, Engine
from django.urls import reverse

if TYPE_CHECKING:
    from collections.abc import Iterable

    from dscb.models import SentEmail, User

logger = logging.getLogger(__name__)


def link_to(view_name: str, *args: object) -> str:
    """The full address of one of the service's pages, for an email."""
    return settings.SITE_URL.rstrip("/") + reverse(view_name, args=args)


def render_text(template_name: str, context: dict[str, object]) -> str:
    """A plain-text template, rendered without HTML escaping: in an email, "&lt;" and
    "&#x27;" are not what anyone typed. (The project's one engine escapes by default,
    for pages; nothing here is ever read as HTML.)"""
    return Engine.get_default().get_template(template_name).render(Context(context, autoescape=False))


def render_subject(template: str, context: dict[str, object]) -> str:
    """One line whatever the text in it holds: a line break in a header is refused (header
    injection), so a title typed with one would otherwise stop the email."""
    return " ".join(render_text(f"{template}_subject.txt", context).split())


def send_text_email(*, template: str, context: dict[str, object], to: list[str]) -> None:
    """Send ``<template>_subject.txt`` and ``<template>_message.txt``."""
    send_mail(
        subject=render_subject(template, context),
        message=render_text(f"{template}_message.txt", context),
        from_email=None,
        recipient_list=to,
    )


def send_once(*, key: str, template: str, context: dict[str, object], to: User) -> SentEmail | None:
    """Send one of the service's emails about the work to one person, unless the email
    with this ``key`` has gone already; record it, so it never goes twice and the person
    sees it on their account page. Nobody inactive or without an address is emailed.

    The record and the sending succeed or fail together; a mail server that is down
    fails only the email (logged), never the work that asked for it."""
    if not to.is_active or not to.email:
        return None
    return _send_recorded(key=key, template=template, context={"person": to, **context}, address=to.email, to=to)


def send_once_to_address(*, key: str, template: str, context: dict[str, object], address: str) -> SentEmail | None:
    """``send_once`` to someone without an account, at an address typed for them."""
    if not address:
        return None
    return _send_recorded(key=key, template=template, context=context, address=address, to=None)


def _send_recorded(
    *, key: str, template: str, context: dict[str, object], address: str, to: User | None
) -> SentEmail | None:
    from dscb.models import SentEmail

    subject = render_subject(template, context)
    whom = f"user {to.pk}" if to is not None else "an address typed for them"
    try:
        with transaction.atomic():
            sent = SentEmail.objects.create(key=key, recipient=to, address=address, subject=subject[:300])
            send_mail(
                subject=subject,
                message=render_text(f"{template}_message.txt", context),
                from_email=None,
                recipient_list=[address],
            )
    except IntegrityError:
        return None  # sent before
    except (SMTPException, OSError):
        logger.exception("Email %s to %s could not be sent", key, whom)
        return None
    logger.info("Email %s sent to %s", key, whom)
    return sent


def send_to_each(*, key: str, template: str, context: dict[str, object], people: Iterable[User]) -> list[SentEmail]:
    """``send_once`` to each person, the key made personal: ``<key>:to:<person>``."""
    sent = (send_once(key=f"{key}:to:{person.pk}", template=template, context=context, to=person) for person in people)
    return [email for email in sent if email is not None]
