"""Reads of personal data are kept, like changes (ASVS 16.3.2; SECURITY.md row 28).

Every page that shows what is in a child's case, and every download of a file or a
report, is a view marked ``@reads_personal_data`` that calls ``record_read`` once with
the object it is about. The read is a django-auditlog entry (action "access") in that
object's history, with who and when. tests/test_page_walk.py opens every page as every
persona and checks that each page showing case data, and each download, adds exactly
one read, and that no other page adds any.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from auditlog.signals import accessed
from django.db import models
from django.http import HttpRequest
from django.http.response import HttpResponseBase

logger = logging.getLogger("dscb.security")

READS = "_dscb_reads_recorded"


def record_read(request: HttpRequest, instance: models.Model) -> None:
    """Keep this request's read of ``instance`` (a model registered with auditlog)."""
    accessed.send(sender=type(instance), instance=instance)
    setattr(request, READS, getattr(request, READS, 0) + 1)


def reads_personal_data(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Marks a view that shows a child's case or serves a file: whenever it answers with
    a page or a file, it must have recorded its read."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not getattr(request, READS, 0):
            logger.error("%s showed personal data without recording the read", view.__qualname__)
        return response

    wrapped.reads_personal_data = True  # type: ignore[attr-defined]
    return wrapped
