"""List cells written in Python (format_html), not templates: a list's page prints one
for each row and column, and a template included a cell was most of a long page's time
(as the Django admin writes its changelist's cells). Each escapes what it is given."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from operator import attrgetter
from typing import Any

from django.template.defaultfilters import date
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString

from dscb.lists import id_url

Html = Callable[[Any, Any], SafeString]


def link(url_name: str, pk_of: Callable[[Any], int] = attrgetter("pk")) -> Html:
    """The value as a link to the row's page: ``url_name`` takes the one id ``pk_of`` gives."""
    url = id_url(url_name)
    return lambda row, value: format_html('<a class="govuk-link" href="{}">{}</a>', url(pk_of(row)), value)


def day(row: object, value: datetime.date | None) -> SafeString:
    """A date as lists show it: 4 Mar 2011; a moment, on the day it was here (as the
    template filter, which is given local time)."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return escape(date(value, "j M Y"))


def tag(words: object, colour: str) -> SafeString:
    """A GOV.UK tag, its words always shown (never colour alone)."""
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, words)
