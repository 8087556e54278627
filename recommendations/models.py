"""The Board's action plan: recommendations from each audit, the evidence for them and
their RAG rating at each six-monthly update (review cycle)."""

from __future__ import annotations

import re
import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Value
from django.db.models.functions import Cast, StrIndex, Substr
from django.utils import timezone

from audits.models import RANK_BELOW_ONE, AuditRound
from dscb.concurrency import Versioned
from dscb.models import Agency, ReferenceQuerySet
from dscb.validators import hex_colour, validate_no_identifying_details

NUMBER_PATTERN = re.compile(r"([0-9]{1,3})\.([0-9]{1,3})")


class PlanScale(Versioned):
    """The words the pages and reports use for the action plan's scale as a whole. One
    row, seeded; a board that rates Blue / Green / Amber / Red changes these, not code."""

    name = models.CharField("name of the scale", max_length=60, default="RAG rating")
    short_name = models.CharField("short name", max_length=20, default="RAG", help_text="For column headings.")
    plural = models.CharField("ratings, in the plural", max_length=60, default="RAG ratings")
    not_rated = models.CharField("no rating, in words", max_length=60, default="Not yet rated")
    attention_heading = models.CharField(
        "needing attention, as a heading",
        max_length=60,
        default="Red and overdue",
        help_text="Heads the list of recommendations rated at a status that needs attention, or overdue.",
    )

    class Meta:
        verbose_name = "plan scale"

    def __str__(self) -> str:
        return self.name


class RagStatus(Versioned):
    """A rating on the action plan's progress scale, best first. "Not yet rated" is
    the absence of a rating, never a status. What a status means to the code is in its
    flags, never in its rank or colour. Colour is never the only cue: every mark of a
    status also shows its label."""

    label = models.CharField(max_length=30, unique=True)
    rank = models.PositiveSmallIntegerField(unique=True, help_text="1 is the best status.")
    counts_as_done = models.BooleanField(
        default=False, help_text="A recommendation rated this is not overdue, whatever its target date."
    )
    needs_attention = models.BooleanField(
        default=False, help_text="Listed with the overdue recommendations for the Board's attention."
    )
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

    def clean(self) -> None:
        # Said beside the rank, rather than as the database constraint's name.
        if self.rank is not None and self.rank < 1:
            raise ValidationError({"rank": RANK_BELOW_ONE})


class ActionPlan(Versioned):
    """The header of the Board's action plan (the seed's "Audit of Multi-Agency Case
    Audit recommendations")."""

    title = models.CharField(max_length=200)
    professional_leads = models.TextField(max_length=2000, blank=True, help_text="Names, separated by commas.")
    director_lead = models.CharField(max_length=200, blank=True)
    review_frequency = models.CharField("timescales", max_length=100, default="Six monthly")
    audit_rounds = models.ManyToManyField(
        AuditRound, blank=True, related_name="action_plans", verbose_name="audit rounds it answers"
    )
    other_references = models.CharField(
        "references",
        max_length=500,
        blank=True,
        help_text="The audits it answers, in words, for those not recorded in this service.",
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


class SourceKind(models.TextChoices):
    """Where a section's recommendations come from."""

    CASE_AUDIT = "case_audit", "Multi-agency case audit"
    PRACTICE_REVIEW = "practice_review", "Local child safeguarding practice review"
    RAPID_REVIEW = "rapid_review", "Rapid review"
    INSPECTION = "inspection", "Inspection"
    SECTION_11 = "section_11", "Section 11 audit"
    PRIORITY = "priority", "Partnership priority"


class PlanSection(models.Model):
    """A group of recommendations by the source they came from: "2 December 2009" (a case
    audit), a practice review, an inspection such as a JTAI."""

    SourceKind = SourceKind

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="sections")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    source_kind = models.CharField(
        "kind of source", max_length=20, choices=SourceKind.choices, default=SourceKind.CASE_AUDIT
    )
    source_name = models.CharField(
        "source",
        max_length=200,
        blank=True,
        help_text="The review or inspection in words, like “Joint targeted area inspection”.",
    )
    source_date = models.DateField("date of the source", null=True, blank=True)
    audit_round = models.ForeignKey(
        AuditRound, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="source audit round"
    )
    item_heading = models.CharField(
        max_length=40,
        default="Recommendations",
        help_text="What the section calls its items: Recommendations or Tasks.",
    )
    shows_target_date = models.BooleanField(
        "shows “by when” instead of RAG",
        default=False,
        help_text="As the seed's April 2010 section: its table shows the target date, not a RAG rating.",
    )

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_section_number_unique"),
            models.CheckConstraint(condition=models.Q(source_kind__in=SourceKind.values), name="section_source_valid"),
            models.CheckConstraint(
                condition=models.Q(audit_round__isnull=True) | models.Q(source_kind=SourceKind.CASE_AUDIT),
                name="section_round_only_for_case_audit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def source(self) -> str:
        """The source in words: "Multi-agency case audit: December 2009"."""
        named = self.audit_round.title if self.audit_round_id and self.audit_round else self.source_name
        words = f"{self.get_source_kind_display()}: {named}" if named else self.get_source_kind_display()
        return f"{words}, {self.source_date:%-d %B %Y}" if self.source_date else words


class RecommendationKind(models.TextChoices):
    RECOMMENDATION = "recommendation", "Recommendation"
    TASK = "task", "Task"


class RecommendationState(models.TextChoices):
    """Closing is a decision on evidence of impact: the lead (or the Executive) proposes
    it, the Executive accepts it or returns it. ("Completed" was never used: a
    recommendation done is closed.)"""

    OPEN = "open", "Open"
    PROPOSED = "proposed", "Proposed for closure"
    CLOSED = "closed", "Closed"


class Recommendation(Versioned):
    Kind = RecommendationKind
    State = RecommendationState

    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="recommendations")
    section = models.ForeignKey(PlanSection, on_delete=models.PROTECT, related_name="recommendations")
    number = models.CharField(
        max_length=7,
        help_text="Section number, a full stop and the item number: 2.10.",
        validators=[
            RegexValidator(
                rf"^{NUMBER_PATTERN.pattern}$", "Enter a number like 2.10: the section, a full stop, the item"
            )
        ],
    )
    # The number split into integers, so that lists sort naturally: 2.9 before 2.10. The
    # database derives them, so no way of writing a number (bulk_create included) can
    # leave them behind.
    number_major = models.GeneratedField(
        expression=Cast(Substr("number", 1, StrIndex("number", Value(".")) - 1), models.PositiveSmallIntegerField()),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    number_minor = models.GeneratedField(
        expression=Cast(Substr("number", StrIndex("number", Value(".")) + 1), models.PositiveSmallIntegerField()),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    kind = models.CharField(
        max_length=20, choices=RecommendationKind.choices, default=RecommendationKind.RECOMMENDATION
    )
    text = models.TextField(max_length=5000, validators=[validate_no_identifying_details])
    agencies = models.ManyToManyField(Agency, blank=True, related_name="+", verbose_name="responsible agencies")
    target_date = models.DateField("by when", null=True, blank=True)
    # A "by when" that is not a date ("to be confirmed", "April 2017", "Q2 2012"), as a
    # board's own spreadsheet said it: kept beside an empty date and shown where it shows.
    target_date_text = models.CharField(
        "by when, in words",
        max_length=60,
        blank=True,
        validators=[validate_no_identifying_details],
        help_text="When there is no date yet, like “to be confirmed” or “Q2 2012”.",
    )
    state = models.CharField(max_length=20, choices=RecommendationState.choices, default=RecommendationState.OPEN)
    impact_statement = models.TextField(
        "statement of impact",
        max_length=5000,
        blank=True,
        validators=[validate_no_identifying_details],
        help_text="What changed because of it: the evidence of impact closure rests on.",
    )
    closure_proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closure_proposed_at = models.DateTimeField(null=True, blank=True)
    closure_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closure_decided_at = models.DateTimeField(null=True, blank=True)
    closure_return_reason = models.TextField(
        "why closure was not accepted", max_length=2000, blank=True, validators=[validate_no_identifying_details]
    )
    # The update the closure belongs to: the open one when it was accepted, else the latest.
    closed_in = models.ForeignKey(
        "ReviewCycle", on_delete=models.PROTECT, null=True, blank=True, related_name="closed_recommendations"
    )

    class Meta:
        ordering = ["number_major", "number_minor"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="recommendation_number_unique_in_plan"),
            models.CheckConstraint(
                condition=models.Q(kind__in=RecommendationKind.values), name="recommendation_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=RecommendationState.values), name="recommendation_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.text[:60]}"

    def get_additional_data(self) -> dict[str, int]:
        return {"recommendation_id": self.pk}

    @property
    def is_closed(self) -> bool:
        return self.state == RecommendationState.CLOSED

    @property
    def is_proposed_for_closure(self) -> bool:
        return self.state == RecommendationState.PROPOSED

    @property
    def lead_names(self) -> str:
        """ "Alex Smith; Head of Safeguarding, Police": read from ``leads`` prefetched."""
        return "; ".join(str(lead) for lead in self.leads.all())


class RecommendationLead(models.Model):
    """One of a recommendation's leads: a person with an account, or a role in an agency
    named as the board names it ("Head of Safeguarding, Police") for someone without one."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="leads")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="recommendations_led"
    )
    role_title = models.CharField("role", max_length=150, blank=True, help_text="For example, Head of Safeguarding.")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "lead"
        constraints = [
            # A person, or a role in a named agency; never both.
            models.CheckConstraint(
                condition=models.Q(person__isnull=False, role_title="")
                | (models.Q(person__isnull=True, agency__isnull=False) & ~models.Q(role_title="")),
                name="recommendation_lead_person_or_role",
            ),
            models.UniqueConstraint(
                fields=["recommendation", "person"],
                condition=models.Q(person__isnull=False),
                name="recommendation_lead_person_once",
            ),
            models.UniqueConstraint(
                fields=["recommendation", "role_title", "agency"],
                condition=models.Q(person__isnull=True),
                name="recommendation_lead_role_once",
            ),
        ]

    def __str__(self) -> str:
        if self.person is not None:
            return self.person.get_full_name()
        return f"{self.role_title}, {self.agency.name}" if self.agency else self.role_title

    @property
    def key(self) -> str:
        """How a filter names this lead in a URL: the person's id, or the agency's id and the role."""
        return str(self.person_id) if self.person_id else f"{self.agency_id}:{self.role_title}"

    def get_additional_data(self) -> dict[str, int]:
        return {"recommendation_id": self.recommendation_id}


class CycleState(models.TextChoices):
    OPEN = "open", "Open"
    COMPLETED = "completed", "Completed"


class ReviewCycle(Versioned):
    """One six-monthly update ("Update completed 4 March 2011"): open while leads add
    evidence and the Executive rates, then completed, and frozen unless the Executive
    re-opens it with a reason (``CycleReopening``). Its version covers the ratings page as
    a whole: two people saving it at once conflict."""

    State = CycleState

    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="cycles")
    title = models.CharField(max_length=120, help_text="For example, September 2011 update.")
    due_on = models.DateField("due by")
    state = models.CharField(max_length=20, choices=CycleState.choices, default=CycleState.OPEN)
    completed_on = models.DateField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The plan's scale (its words and levels) as it was when completed: renaming a
    # status later never rewrites what this update said.
    scale = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-due_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "title"], name="review_cycle_title_unique"),
            models.UniqueConstraint(
                fields=["plan"], condition=models.Q(state="open"), name="one_open_review_cycle_per_plan"
            ),
            models.CheckConstraint(condition=models.Q(state__in=CycleState.values), name="review_cycle_state_valid"),
            models.CheckConstraint(
                condition=models.Q(state="open", completed_on__isnull=True)
                | models.Q(state="completed", completed_on__isnull=False),
                name="review_cycle_completed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state == CycleState.OPEN


class CycleReopening(models.Model):
    """A completed update re-opened by the Executive to put a mistake right: why, by whom
    and when. Each re-opening is kept, however many there are."""

    cycle = models.ForeignKey(ReviewCycle, on_delete=models.PROTECT, related_name="reopenings")
    reason = models.TextField(max_length=2000, validators=[validate_no_identifying_details])
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reopened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["reopened_at", "pk"]
        verbose_name = "re-opening of an update"

    def __str__(self) -> str:
        return f"{self.cycle} re-opened on {self.reopened_at:%d/%m/%Y}"


class ProgressUpdate(models.Model):
    """One recommendation in one cycle: the Executive's RAG (none: not yet rated), the
    lead's proposed RAG, and the evidence."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="updates")
    cycle = models.ForeignKey(ReviewCycle, on_delete=models.PROTECT, related_name="updates")
    rag = models.ForeignKey(
        RagStatus, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="rating"
    )
    proposed_rag = models.ForeignKey(
        RagStatus, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="proposed rating"
    )
    rating_note = models.CharField(
        "note on the rating", max_length=500, blank=True, validators=[validate_no_identifying_details]
    )
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-cycle__due_on"]
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "cycle"], name="progress_update_once_per_cycle")
        ]

    def __str__(self) -> str:
        return f"{self.recommendation.number} in {self.cycle}"

    def get_additional_data(self) -> dict[str, int]:
        return {"recommendation_id": self.recommendation_id}


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    # A random name: nothing about the upload can be guessed or collide (ASVS 5.3.2).
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"evidence/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """A bullet of evidence for a recommendation in one cycle: words, a link, or a file
    (stored outside the static folders and served only through an access check)."""

    update = models.ForeignKey(ProgressUpdate, on_delete=models.PROTECT, related_name="evidence")
    text = models.TextField(max_length=2000, blank=True, validators=[validate_no_identifying_details])
    url = models.URLField("link", max_length=500, blank=True)
    file = models.FileField(upload_to=evidence_upload_to, blank=True, max_length=200)
    file_name = models.CharField("file name", max_length=200, blank=True)
    file_type = models.CharField(max_length=100, blank=True)
    file_size = models.PositiveIntegerField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    # Once its update is completed evidence is never removed, only marked: the page keeps
    # showing it, struck through, and reports of later updates leave it out.
    marked_in_error_at = models.DateTimeField("marked as added in error", null=True, blank=True)
    marked_in_error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    marked_in_error_reason = models.TextField(
        "why it was added in error", max_length=2000, blank=True, validators=[validate_no_identifying_details]
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(condition=~models.Q(text="", url="", file=""), name="evidence_has_something"),
            models.CheckConstraint(
                condition=models.Q(marked_in_error_at__isnull=True) | ~models.Q(marked_in_error_reason=""),
                name="evidence_in_error_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60] or self.url or self.file_name

    def get_additional_data(self) -> dict[str, int]:
        return {"recommendation_id": self.update.recommendation_id}

    @property
    def in_error(self) -> bool:
        return self.marked_in_error_at is not None


class ReminderKind(models.TextChoices):
    BEFORE_DUE = "before_due", "Before the update is due"
    OVERDUE = "overdue", "The update is overdue"


class Reminder(models.Model):
    """A reminder emailed to a lead about one cycle, kept so none is sent twice."""

    Kind = ReminderKind

    cycle = models.ForeignKey(ReviewCycle, on_delete=models.PROTECT, related_name="reminders")
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(default=timezone.now)
    recommendation_numbers = models.CharField(max_length=500, help_text="The recommendations it was about.")

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "lead", "kind"], name="reminder_once_per_lead_cycle_kind"),
            models.CheckConstraint(condition=models.Q(kind__in=ReminderKind.values), name="reminder_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.lead} for {self.cycle}"


class ImportMapping(models.Model):
    """How the columns of a spreadsheet imported into a plan map to its fields, and its
    status labels to the plan's scale, remembered for the next file with the same headers
    (``signature``: a digest of the headers as compared)."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="import_mappings")
    signature = models.CharField(max_length=64)
    headers = models.JSONField(default=list, help_text="The file's headers, as written.")
    columns = models.JSONField(default=dict, help_text="Each header to the field it fills, or to nothing.")
    statuses = models.JSONField(default=dict, help_text="Each status label not on the scale to a status, or to none.")
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-saved_at"]
        constraints = [models.UniqueConstraint(fields=["plan", "signature"], name="import_mapping_once_per_headers")]

    def __str__(self) -> str:
        return f"Columns of a spreadsheet for {self.plan}"
