from __future__ import annotations

from django.contrib import admin

from dscb.admin import ReferenceDataAdmin
from recommendations.models import RagStatus


@admin.register(RagStatus)
class RagStatusAdmin(ReferenceDataAdmin):
    list_display = ["label", "rank", "colour", "text_colour", "is_active"]
