"""The service's own emails: plain text, so what people typed reads as they typed it."""

from __future__ import annotations

from django.core.mail import send_mail
from django.template import Context, Engine


def render_text(template_name: str, context: dict[str, object]) -> str:
    """A plain-text template, rendered without HTML escaping: in an email, "&lt;" and
    "&#x27;" are not what anyone typed. (The project's one engine escapes by default,
    for pages; nothing here is ever read as HTML.)"""
    return Engine.get_default().get_template(template_name).render(Context(context, autoescape=False))


def send_text_email(*, template: str, context: dict[str, object], to: list[str]) -> None:
    """Send ``<template>_subject.txt`` and ``<template>_message.txt``. The subject is one
    line whatever the text in it holds: a line break in a header is refused (header
    injection), so a title typed with one would otherwise stop the email."""
    subject = " ".join(render_text(f"{template}_subject.txt", context).split())
    send_mail(
        subject=subject,
        message=render_text(f"{template}_message.txt", context),
        from_email=None,
        recipient_list=to,
    )
