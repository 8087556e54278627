from __future__ import annotations

from django.contrib import admin

from audits.models import ChecklistQuestion, Grade, GradeScale, Theme
from dscb.admin import ReferenceDataAdmin, ScaleAdmin


@admin.register(Theme)
class ThemeAdmin(ReferenceDataAdmin):
    list_display = ["name", "position", "is_active"]


@admin.register(GradeScale)
class GradeScaleAdmin(ScaleAdmin):
    list_display = ["name", "plural", "threshold_phrase", "not_rated"]


@admin.register(Grade)
class GradeAdmin(ReferenceDataAdmin):
    list_display = ["label", "rank", "meets_threshold", "colour", "text_colour", "is_active"]


@admin.register(ChecklistQuestion)
class ChecklistQuestionAdmin(ReferenceDataAdmin):
    """Add, retire (untick "active") and reorder (change "position") the questions of
    each theme, and choose which a new round asks unless it leaves them out ("in the
    default set"); a round may add the others for its focus. A round keeps asking a
    question retired after it was planned. Past answers keep their question: nothing here
    deletes one."""

    list_display = ["text", "theme", "position", "in_default_set", "is_active"]
    list_editable = ["position", "in_default_set", "is_active"]
    list_filter = ["theme", "in_default_set", "is_active"]
    list_select_related = ["theme"]
    ordering = ["theme__position", "position", "pk"]

    def get_readonly_fields(self, request, obj=None):
        # Rewording a question that has answers would change what those answers mean.
        if obj is not None and obj.answers.exists():
            return ["text", "theme"]
        return []
