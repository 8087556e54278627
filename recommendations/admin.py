from __future__ import annotations

from django.contrib import admin

from dscb.admin import ReferenceDataAdmin, ScaleAdmin
from recommendations.models import PlanScale, RagStatus


@admin.register(RagStatus)
class RagStatusAdmin(ReferenceDataAdmin):
    list_display = ["label", "rank", "counts_as_done", "needs_attention", "colour", "text_colour", "is_active"]


@admin.register(PlanScale)
class PlanScaleAdmin(ScaleAdmin):
    list_display = ["name", "short_name", "plural", "not_rated", "attention_heading"]
