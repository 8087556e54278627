from __future__ import annotations

from django.contrib import admin

from audits.models import Grade, Theme
from dscb.admin import ReferenceDataAdmin


@admin.register(Theme)
class ThemeAdmin(ReferenceDataAdmin):
    list_display = ["name", "position", "is_active"]


@admin.register(Grade)
class GradeAdmin(ReferenceDataAdmin):
    list_display = ["label", "rank", "meets_threshold", "is_active"]
