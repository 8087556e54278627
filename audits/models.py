"""Case audits: rounds, the children audited in them (by board reference only), what
each agency's records show, the grades agreed, feedback given and escalations raised."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from dscb.concurrency import Versioned
from dscb.models import Agency, ReferenceQuerySet, field_label
from dscb.validators import hex_colour, validate_board_reference, validate_no_identifying_details

# Every free-text field about a case is capped and checked for identifying details.
SHORT_TEXT = 200
LONG_TEXT = 5000
MAX_RECORDS_PER_CASE = 20


def text_field(verbose_name: str, *, max_length: int = LONG_TEXT, help_text: str = "") -> models.TextField:
    return models.TextField(
        verbose_name,
        max_length=max_length,
        blank=True,
        help_text=help_text,
        validators=[validate_no_identifying_details],
    )


RANK_BELOW_ONE = "Enter a rank of 1 or more: 1 is the best"
QUESTION_ANSWERED = (
    "This question has answers: its words and theme cannot change, as that would change what the answers mean."
)


class Theme(Versioned):
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


class GradeScale(Versioned):
    """The words the pages and reports use for the grades as a whole. One row, seeded;
    a board that grades on other descriptors changes these words, not code."""

    name = models.CharField(
        "name of the scale", max_length=60, default="Ofsted descriptors", help_text="Read as “using the …”."
    )
    plural = models.CharField("grades, in the plural", max_length=60, default="grades")
    threshold_phrase = models.CharField(
        "threshold, in words",
        max_length=60,
        default="adequate or better",
        help_text="What a grade that meets the threshold is, in a sentence: “cases graded … on each theme”.",
    )
    not_rated = models.CharField("no grade, in words", max_length=60, default="Not graded")

    class Meta:
        verbose_name = "grade scale"

    def __str__(self) -> str:
        return self.name


class Grade(Versioned):
    """A level of the grade scale (GradeScale), best first. Figures compare grades by
    rank and ask ``meets_threshold``, never the label, so a board that says "Requires
    improvement" for "Adequate" changes data, not code."""

    label = models.CharField(max_length=60, unique=True)
    rank = models.PositiveSmallIntegerField(unique=True, help_text="1 is the best grade.")
    meets_threshold = models.BooleanField(
        "meets the threshold",
        help_text="Whether this grade meets the threshold the grade scale names.",
    )
    colour = models.CharField(
        max_length=7, validators=[hex_colour], default="#505a5f", help_text="Background colour, like #00703c."
    )
    text_colour = models.CharField(
        max_length=7,
        validators=[hex_colour],
        default="#ffffff",
        help_text="Text colour on that background; keep a contrast ratio of at least 4.5:1.",
    )
    description = models.TextField(blank=True, max_length=2000)
    is_active = models.BooleanField("active", default=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["rank"]
        constraints = [models.CheckConstraint(condition=models.Q(rank__gte=1), name="grade_rank_positive")]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        # Said beside the rank, rather than as the database constraint's name.
        if self.rank is not None and self.rank < 1:
            raise ValidationError({"rank": RANK_BELOW_ONE})


class ChecklistQuestion(Versioned):
    """A yes / no / partly / not applicable question answered for every agency record of
    the rounds that ask it (AuditRound.questions). Retired, never deleted, so past answers
    keep their question."""

    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="questions")
    text = models.CharField(max_length=SHORT_TEXT)
    position = models.PositiveSmallIntegerField(default=0, help_text="Questions are asked in this order.")
    in_default_set = models.BooleanField(
        "in the default set", default=True, help_text="Asked in every round unless the round leaves it out."
    )
    is_active = models.BooleanField("active", default=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["theme__position", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["theme", "text"], name="checklist_question_unique_per_theme")]

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        # Rewording a question that has answers would change what those answers mean.
        if self.pk is None:
            return
        stored = type(self)._default_manager.filter(pk=self.pk).values_list("text", "theme_id").first()
        if stored is not None and stored != (self.text, self.theme_id) and self.answers.exists():
            changed = "text" if stored[0] != self.text else "theme"
            raise ValidationError({changed: QUESTION_ANSWERED})


class RoundKind(models.TextChoices):
    CASE_AUDIT = "case_audit", "Multi-agency case audit"
    APPRECIATIVE_INQUIRY = "appreciative_inquiry", "Appreciative Inquiry"


class RoundState(models.TextChoices):
    """The steps of a round, in the order it moves through them."""

    PLANNED = "planned", "Planned"
    COLLECTING = "collecting", "Collecting returns"
    MODERATION = "moderation", "Moderation"
    FEEDBACK = "feedback", "Feedback"
    COMPLETED = "completed", "Completed"


class AuditRound(Versioned):
    Kind = RoundKind
    State = RoundState

    title = models.CharField(
        max_length=120,
        unique=True,
        help_text="For example, September 2010 (Integrated Children's Service).",
        validators=[validate_no_identifying_details],
    )
    held_on = models.DateField("date of the audit")
    returns_due_on = models.DateField("agencies' returns due by", null=True, blank=True)
    panel_on = models.DateField("date of the panel meeting", null=True, blank=True)
    feedback_due_on = models.DateField("feedback due by", null=True, blank=True)
    kind = models.CharField(max_length=30, choices=RoundKind.choices, default=RoundKind.CASE_AUDIT)
    focus = text_field("focus", max_length=2000)
    state = models.CharField(max_length=20, choices=RoundState.choices, default=RoundState.PLANNED)
    # The retention schedule counts from here (dscb.RetentionRule, reports.retention).
    completed_on = models.DateField("date completed", null=True, blank=True, editable=False)
    detail_removed_on = models.DateField(
        "case detail removed on", null=True, blank=True, editable=False, help_text="Under the retention schedule."
    )
    agencies = models.ManyToManyField(Agency, related_name="audit_rounds", verbose_name="agencies taking part")
    auditors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="audit_rounds", blank=True)
    questions = models.ManyToManyField(
        ChecklistQuestion,
        related_name="rounds",
        blank=True,
        verbose_name="checklist questions this round asks",
        help_text="The default set is ticked. Add questions for the round's focus, for example neglect or "
        "domestic abuse.",
    )

    class Meta:
        ordering = ["-held_on", "title"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=RoundKind.values), name="audit_round_kind_valid"),
            models.CheckConstraint(condition=models.Q(state__in=RoundState.values), name="audit_round_state_valid"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_completed(self) -> bool:
        return self.state == self.State.COMPLETED

    def returns_overdue(self, today: datetime.date) -> bool:
        return self.returns_due_on is not None and self.returns_due_on < today

    @property
    def is_appreciative_inquiry(self) -> bool:
        return self.kind == self.Kind.APPRECIATIVE_INQUIRY


class CaseState(models.TextChoices):
    DRAFT = "draft", "Draft"
    FINALISED = "finalised", "Finalised"


class AuditCase(Versioned):
    """One child on a child protection plan, audited in one round. Identified by a
    board reference only: no names, no dates of birth."""

    State = CaseState

    audit_round = models.ForeignKey(AuditRound, on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField("board reference", max_length=30, unique=True, validators=[validate_board_reference])
    expected_agencies = models.ManyToManyField(
        Agency,
        related_name="+",
        blank=True,
        verbose_name="agencies expected to return a record",
        help_text="The agencies known to the child, of those taking part in the round.",
    )
    category_neglect = models.BooleanField("neglect", default=False)
    category_physical = models.BooleanField("physical abuse", default=False)
    category_emotional = models.BooleanField("emotional abuse", default=False)
    category_sexual = models.BooleanField("sexual abuse", default=False)
    plan_started_on = models.DateField("date the child protection plan started")
    sibling_records_read = models.PositiveSmallIntegerField(
        "sibling records read", default=0, validators=[MaxValueValidator(MAX_RECORDS_PER_CASE)]
    )
    parent_records_read = models.PositiveSmallIntegerField(
        "parent or carer records read", default=0, validators=[MaxValueValidator(MAX_RECORDS_PER_CASE)]
    )
    overall_grade = models.ForeignKey(
        Grade, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="overall grade"
    )
    findings = text_field("case findings")
    strengths = text_field("strengths")
    areas_for_development = text_field("areas for development")
    state = models.CharField(max_length=20, choices=CaseState.choices, default=CaseState.DRAFT)
    # Appreciative Inquiry only: no grades.
    seen_as_stuck = models.BooleanField("professionals saw the case as stuck", null=True, blank=True)
    what_is_working = text_field("what is working")
    desired_outcomes = text_field("desired outcomes agreed")
    detail_removed_on = models.DateField(
        "detail removed on", null=True, blank=True, editable=False, help_text="Under the retention schedule."
    )

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(category_neglect=True)
                | models.Q(category_physical=True)
                | models.Q(category_emotional=True)
                | models.Q(category_sexual=True),
                name="audit_case_has_a_category",
                violation_error_message="Select at least one child protection plan category.",
            ),
            models.CheckConstraint(condition=models.Q(state__in=CaseState.values), name="audit_case_state_valid"),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_additional_data(self) -> dict[str, int]:
        # Lets the case page gather the history of the case and everything in it.
        return {"case_id": self.pk}

    @property
    def is_finalised(self) -> bool:
        return self.state == self.State.FINALISED

    @property
    def categories(self) -> list[str]:
        fields = ("category_neglect", "category_physical", "category_emotional", "category_sexual")
        return [field_label(self, name) for name in fields if getattr(self, name)]

    def plan_months_at(self, on: datetime.date) -> int:
        """Whole months the plan had run by ``on``."""
        months = (on.year - self.plan_started_on.year) * 12 + on.month - self.plan_started_on.month
        return max(0, months - (on.day < self.plan_started_on.day))


class CaseReopening(models.Model):
    """A finalised case opened again for changes: who, when and why, kept for good."""

    case = models.ForeignKey(AuditCase, on_delete=models.PROTECT, related_name="reopenings")
    reason = models.TextField(max_length=2000, validators=[validate_no_identifying_details])
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reopened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reopened_at"]

    def __str__(self) -> str:
        return f"Re-opening of {self.case}"

    def get_additional_data(self) -> dict[str, int]:
        return {"case_id": self.case_id}


class RoundReopening(models.Model):
    """A completed round opened again for changes: who, when and why, kept for good."""

    audit_round = models.ForeignKey(AuditRound, on_delete=models.PROTECT, related_name="reopenings")
    reason = models.TextField(max_length=2000, validators=[validate_no_identifying_details])
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reopened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reopened_at"]

    def __str__(self) -> str:
        return f"Re-opening of {self.audit_round}"


class ThemeRating(models.Model):
    """The grade the audit team agreed for the case on one theme."""

    case = models.ForeignKey(AuditCase, on_delete=models.CASCADE, related_name="theme_ratings")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="+")
    grade = models.ForeignKey(Grade, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["theme__position"]
        constraints = [models.UniqueConstraint(fields=["case", "theme"], name="theme_rating_once_per_theme")]

    def __str__(self) -> str:
        return f"Agreed grade for {self.theme}"

    def get_additional_data(self) -> dict[str, int]:
        return {"case_id": self.case_id}


class RecordSubject(models.TextChoices):
    CHILD = "child", "The child"
    SIBLING = "sibling", "A sibling"
    PARENT_OR_CARER = "parent_or_carer", "A parent or carer"
    OTHER_ADULT = "other_adult", "Another adult"


class CaseRecord(Versioned):
    """What one agency's records show for the case."""

    Subject = RecordSubject

    case = models.ForeignKey(AuditCase, on_delete=models.PROTECT, related_name="records")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField("whose records", max_length=20, choices=RecordSubject.choices)
    records_read = models.PositiveSmallIntegerField(
        "number of records read", default=1, validators=[MinValueValidator(1), MaxValueValidator(999)]
    )
    findings = text_field("findings")
    strengths = text_field("strengths")
    areas_for_development = text_field("areas for development")
    feedback_not_needed = text_field(
        "why feedback is not needed",
        max_length=2000,
        help_text="Given when the audit team decides no feedback on this record is needed.",
    )

    class Meta:
        ordering = ["agency__position", "agency__name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(subject__in=RecordSubject.values), name="case_record_subject_valid"
            ),
            models.CheckConstraint(condition=models.Q(records_read__gte=1), name="case_record_reads_something"),
        ]

    def __str__(self) -> str:
        return f"{self.agency.short_name}: {self.get_subject_display()}"

    def get_additional_data(self) -> dict[str, int]:
        return {"case_id": self.case_id}


class RecordGrade(models.Model):
    """The grade one agency's records earn on one theme."""

    record = models.ForeignKey(CaseRecord, on_delete=models.CASCADE, related_name="grades")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="+")
    grade = models.ForeignKey(Grade, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record", "theme"], name="record_grade_once_per_theme")]

    def __str__(self) -> str:
        return f"Grade for {self.theme}"

    def get_additional_data(self) -> dict[str, int]:
        return {"case_id": self.record.case_id}


class AnswerChoice(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    PARTLY = "partly", "Partly"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class ChecklistAnswer(models.Model):
    Answer = AnswerChoice

    record = models.ForeignKey(CaseRecord, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(ChecklistQuestion, on_delete=models.PROTECT, related_name="answers")
    answer = models.CharField(max_length=20, choices=AnswerChoice.choices)
    comment = text_field("comment", max_length=1000)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record", "question"], name="checklist_answer_once_per_question"),
            models.CheckConstraint(condition=models.Q(answer__in=AnswerChoice.values), name="checklist_answer_valid"),
        ]

    def __str__(self) -> str:
        return f"Answer to “{self.question}”"

    def get_additional_data(self) -> dict[str, int]:
        return {"case_id": self.record.case_id}


class FeedbackRecipient(models.TextChoices):
    PRACTITIONER = "practitioner", "The practitioner"
    MANAGER = "manager", "Their manager"
    AGENCY = "agency", "The agency"


class Feedback(Versioned):
    """Feedback on an agency record's findings, given to one of three recipients."""

    Recipient = FeedbackRecipient

    record = models.ForeignKey(CaseRecord, on_delete=models.PROTECT, related_name="feedback")
    recipient = models.CharField(max_length=20, choices=FeedbackRecipient.choices)
    given_on = models.DateField("date given")
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="given by"
    )
    notes = text_field("notes", max_length=2000)

    class Meta:
        ordering = ["record", "recipient"]
        constraints = [
            models.UniqueConstraint(fields=["record", "recipient"], name="feedback_once_per_recipient"),
            models.CheckConstraint(
                condition=models.Q(recipient__in=FeedbackRecipient.values), name="feedback_recipient_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Feedback to {self.get_recipient_display().lower()}"

    def get_additional_data(self) -> dict[str, int]:
        return {"case_id": self.record.case_id}


class EscalationQuerySet(models.QuerySet):
    def open(self) -> EscalationQuerySet:
        return self.filter(resolved_on__isnull=True, withdrawn_on__isnull=True)

    def overdue(self, today: datetime.date) -> EscalationQuerySet:
        return self.open().filter(due_by__lt=today)


class Escalation(Versioned):
    """A request for immediate intervention: the audit team asks an agency to act on
    a child's plan now. Open and overdue ones are never lost from sight."""

    case = models.ForeignKey(AuditCase, on_delete=models.PROTECT, related_name="escalations")
    raised_on = models.DateField(default=timezone.localdate)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name="to agency")
    to_role = models.CharField(
        "to role", max_length=120, help_text="For example, team manager.", validators=[validate_no_identifying_details]
    )
    to_email = models.EmailField(
        "email address to tell",
        blank=True,
        help_text="The person asked, or their team's shared address. They are emailed the board reference, "
        "what is asked and by when: never a link, a name or anything else about the child.",
    )
    reason = models.TextField(max_length=LONG_TEXT, validators=[validate_no_identifying_details])
    due_by = models.DateField("due by")
    acknowledged_on = models.DateField("acknowledged on", null=True, blank=True)
    action_taken = text_field("action taken")
    outcome = text_field("outcome")
    resolved_on = models.DateField("resolved on", null=True, blank=True)
    withdrawn_on = models.DateField("withdrawn on", null=True, blank=True)
    withdrawal_reason = text_field("why it was withdrawn", max_length=2000)

    objects = EscalationQuerySet.as_manager()

    class Meta:
        ordering = ["due_by", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_by__gte=models.F("raised_on")), name="escalation_due_after_raised"
            ),
            models.CheckConstraint(
                condition=models.Q(acknowledged_on__isnull=True) | models.Q(acknowledged_on__gte=models.F("raised_on")),
                name="escalation_acknowledged_after_raised",
            ),
            models.CheckConstraint(
                condition=models.Q(resolved_on__isnull=True) | models.Q(resolved_on__gte=models.F("raised_on")),
                name="escalation_resolved_after_raised",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} to {self.to_agency.short_name}"

    def get_additional_data(self) -> dict[str, int]:
        return {"case_id": self.case_id}

    @property
    def is_open(self) -> bool:
        return self.resolved_on is None and self.withdrawn_on is None

    def is_overdue(self, today: datetime.date) -> bool:
        return self.is_open and self.due_by < today


class InquiryParticipant(models.Model):
    """Appreciative Inquiry: who took part, by agency and role (never by name)."""

    case = models.ForeignKey(AuditCase, on_delete=models.CASCADE, related_name="participants")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=120, validators=[validate_no_identifying_details])

    class Meta:
        ordering = ["agency__position", "role"]

    def __str__(self) -> str:
        return f"{self.role}, {self.agency.short_name}"

    def get_additional_data(self) -> dict[str, int]:
        return {"case_id": self.case_id}


class LegalHoldQuerySet(models.QuerySet):
    def active(self) -> LegalHoldQuerySet:
        return self.filter(lifted_at__isnull=True)


class LegalHold(models.Model):
    """A round's or a case's detail kept past its retention date (litigation, an inquiry,
    a complaint), placed by an administrator with the reason, until lifted."""

    audit_round = models.ForeignKey(
        AuditRound, on_delete=models.PROTECT, null=True, blank=True, related_name="legal_holds", verbose_name="round"
    )
    case = models.ForeignKey(AuditCase, on_delete=models.PROTECT, null=True, blank=True, related_name="legal_holds")
    reason = models.TextField(max_length=2000, validators=[validate_no_identifying_details])
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.TextField(
        "why it was lifted", max_length=2000, blank=True, validators=[validate_no_identifying_details]
    )

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        ordering = ["-placed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(audit_round__isnull=False, case__isnull=True)
                | models.Q(audit_round__isnull=True, case__isnull=False),
                name="legal_hold_on_a_round_or_a_case",
            ),
            models.CheckConstraint(
                condition=models.Q(lifted_at__isnull=True, lifted_by__isnull=True)
                | models.Q(lifted_at__isnull=False, lifted_by__isnull=False),
                name="legal_hold_lifted_by_someone",
            ),
        ]

    def __str__(self) -> str:
        # Never the board reference: the hold and its history outlive the case's detail.
        return f"Legal hold {self.pk} on a {'round' if self.audit_round_id else 'case'}"

    @property
    def held(self) -> AuditRound | AuditCase:
        return self.audit_round if self.audit_round_id is not None else self.case  # type: ignore[return-value]

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None
