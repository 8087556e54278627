"""Recommendations and the action plan. For now, the RAG scale they are rated on."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models

from dscb.models import ReferenceQuerySet

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour as # and six hexadecimal digits, like #d4351c.")


class RagStatus(models.Model):
    """A rating on the action plan's progress scale, worst first. "Not yet rated" is
    the absence of a rating, never a status. Colour is never the only cue: every
    mark of a status also shows its label."""

    label = models.CharField(max_length=30, unique=True)
    rank = models.PositiveSmallIntegerField(unique=True, help_text="1 is the worst status.")
    colour = models.CharField(max_length=7, validators=[hex_colour], help_text="Background colour, like #d4351c.")
    text_colour = models.CharField(
        max_length=7,
        validators=[hex_colour],
        default="#0b0c0c",
        help_text="Text colour on that background; keep a contrast ratio of at least 4.5:1.",
    )
    description = models.TextField(max_length=2000, blank=True)
    is_active = models.BooleanField("active", default=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["rank"]
        verbose_name = "RAG status"
        verbose_name_plural = "RAG statuses"
        constraints = [models.CheckConstraint(condition=models.Q(rank__gte=1), name="rag_rank_positive")]

    def __str__(self) -> str:
        return self.label
