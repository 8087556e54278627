"""The project's URLs plus one view that fails, to see the 500 page."""

from __future__ import annotations

from django.urls import path

from dscb.urls import handler400, handler403, handler404, handler500
from dscb.urls import urlpatterns as project_urlpatterns


def broken_view(request):
    raise RuntimeError("SECRET-DETAIL-THAT-MUST-NOT-BE-SHOWN")


urlpatterns = [*project_urlpatterns, path("broken/", broken_view)]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
