"""The service's settings with Django's admin added, for the bench's comparison of each
list with an admin changelist of the same rows (bench/admin.py). Never used to serve."""

from dscb.settings import *  # noqa: F403
from dscb.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "django.contrib.admin"]
ROOT_URLCONF = "bench.urls"
