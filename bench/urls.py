"""The service's URLs and the bench's admin changelists (bench/admin.py)."""

from django.urls import path

from bench.admin import SITES
from dscb.urls import urlpatterns as service

urlpatterns = [*service, *(path(f"bench-admin/{slug}/", site.urls) for slug, site in SITES.items())]
