"""Reads a page makes in many places, kept for the rest of its request: a scale's words
are shown by every tag on a page, and read from the database once. Outside a request (a
command, a test calling a selector) nothing is kept, and the next request reads afresh."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import TypeVar, cast

from django.http import HttpRequest, HttpResponse

T = TypeVar("T")

_kept: ContextVar[dict[str, object] | None] = ContextVar("request_cache", default=None)


def once_per_request(read: Callable[[], T]) -> Callable[[], T]:
    """``read`` runs at most once per request; its answer is shared within it."""
    key = f"{read.__module__}.{read.__qualname__}"

    @wraps(read)
    def cached() -> T:
        kept = _kept.get()
        if kept is None:
            return read()
        if key not in kept:
            kept[key] = read()
        return cast(T, kept[key])

    return cached


def forget() -> None:
    """Drop what this request kept: it has just changed it."""
    kept = _kept.get()
    if kept is not None:
        kept.clear()


@contextmanager
def kept() -> Iterator[None]:
    """Keep reads for the length of the block: a request, or a job the worker runs."""
    token = _kept.set({})
    try:
        yield
    finally:
        _kept.reset(token)


class RequestCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with kept():
            return self.get_response(request)
