"""Case audits. For now, the reference scales an audit is graded on."""

from __future__ import annotations

from django.db import models

from dscb.models import ReferenceQuerySet


class Theme(models.Model):
    """One of the five areas every case is audited against (the seed's "5 areas")."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True, max_length=2000)
    position = models.PositiveSmallIntegerField(unique=True)
    is_active = models.BooleanField("active", default=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.name


class Grade(models.Model):
    """An Ofsted descriptor. Figures compare grades by rank, never by label, so a
    board that says "Requires improvement" for "Adequate" changes data, not code."""

    label = models.CharField(max_length=60, unique=True)
    rank = models.PositiveSmallIntegerField(unique=True, help_text="1 is the best grade.")
    meets_threshold = models.BooleanField(
        "meets the threshold",
        help_text="Whether this grade counts as “adequate or better”.",
    )
    description = models.TextField(blank=True, max_length=2000)
    is_active = models.BooleanField("active", default=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["rank"]
        constraints = [models.CheckConstraint(condition=models.Q(rank__gte=1), name="grade_rank_positive")]

    def __str__(self) -> str:
        return self.label
