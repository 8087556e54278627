"""Six-monthly reports: drafts the Executive prepares, and the published versions the
Board reads, frozen as they were published. A round's learning summary: what the round
learned, for practitioners and the public, frozen when published."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from audits.models import AuditRound
from dscb.concurrency import Versioned
from dscb.validators import validate_no_board_reference, validate_no_identifying_details
from recommendations.models import ReviewCycle


class Report(Versioned):
    """A six-monthly report for one review cycle of the action plan and one period of
    case audits, modelled on the seed report."""

    title = models.CharField(max_length=200, validators=[validate_no_identifying_details])
    cycle = models.ForeignKey(
        ReviewCycle, on_delete=models.PROTECT, related_name="reports", verbose_name="action plan update"
    )
    period_start = models.DateField("audits from")
    period_end = models.DateField("audits to")

    class Meta:
        ordering = ["-period_end", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="report_period_in_order"
            )
        ]

    def __str__(self) -> str:
        return self.title


class NarrativeSection(Versioned):
    """A section of "Evidence of impact" the Executive writes for the report, such as the
    seed's "Multi-agency safeguarding hub (MASH)"."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="sections")
    heading = models.CharField(max_length=200, validators=[validate_no_identifying_details])
    body = models.TextField(max_length=5000, validators=[validate_no_identifying_details])
    position = models.PositiveSmallIntegerField(default=1, help_text="Sections appear in this order.")

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.heading


class ProseBlock(models.TextChoices):
    """The report's prose, block by block, in the order the report reads them."""

    INTRODUCTION = "introduction", "Introduction and who audited"
    METHOD = "method", "How the cases were audited"
    CASE_FINDINGS = "case_findings", "Individual case audit findings"
    THEME_FINDINGS = "theme_findings", "Findings by theme"
    APPRECIATIVE_INQUIRY = "appreciative_inquiry", "Appreciative Inquiry"
    RECOMMENDATIONS = "recommendations", "Recommendations"
    EVIDENCE_OF_IMPACT = "evidence_of_impact", "Evidence of impact"
    NEXT_STEPS = "next_steps", "What happens next"


class ReportProse(Versioned):
    """A block of the report's prose in the board's own words. A block with no row reads
    its default, written from the figures (reports.prose), so it follows them until the
    Executive changes it; resetting the block deletes the row."""

    Block = ProseBlock

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="prose")
    block = models.CharField(max_length=40, choices=ProseBlock.choices)
    body = models.TextField(
        "text",
        max_length=5000,
        validators=[validate_no_identifying_details, validate_no_board_reference],
        help_text="A blank line starts a new paragraph; lines starting with a dash (-) make a bulleted list.",
    )

    class Meta:
        verbose_name = "report prose"
        verbose_name_plural = "report prose"
        constraints = [
            models.UniqueConstraint(fields=["report", "block"], name="report_prose_one_per_block"),
            models.CheckConstraint(condition=models.Q(block__in=ProseBlock.values), name="report_prose_block_valid"),
        ]

    def __str__(self) -> str:
        return self.get_block_display()


def published_upload_to(instance: PublishedReport, filename: str) -> str:
    return f"reports/{uuid.uuid4().hex}-{filename}"


class PublishedReportQuerySet(models.QuerySet["PublishedReport"]):
    def current(self) -> PublishedReportQuerySet:
        """Neither withdrawn nor replaced: what the Board reads now (at most one a report)."""
        return self.filter(withdrawn_at__isnull=True, replaced_at__isnull=True)


class PublishedReport(models.Model):
    """What the Board saw: the PDF, the spreadsheet, the two-page summary, both as Word
    documents too, and the figures behind them, stored when published and never changed afterwards. Never deleted
    either: a publication put right is withdrawn (with a reason) or replaced by a newer
    publication of the same report, and stays downloadable, marked as such."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="publications")
    title = models.CharField(max_length=200)
    period = models.CharField(max_length=100)
    cycle_title = models.CharField(max_length=120)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    pdf = models.FileField(upload_to=published_upload_to, max_length=200)
    summary_pdf = models.FileField(upload_to=published_upload_to, max_length=200)
    xlsx = models.FileField(upload_to=published_upload_to, max_length=200)
    # Word documents to edit: blank on publications made before the service wrote them.
    docx = models.FileField(upload_to=published_upload_to, max_length=200, blank=True)
    summary_docx = models.FileField(upload_to=published_upload_to, max_length=200, blank=True)
    figures = models.JSONField(help_text="The figures behind the documents, as published.")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.TextField(max_length=2000, blank=True, validators=[validate_no_identifying_details])
    replaced_at = models.DateTimeField(null=True, blank=True)
    # On the newer publication: the one it replaced, and why.
    replaces = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by")
    replacement_reason = models.TextField(max_length=2000, blank=True, validators=[validate_no_identifying_details])

    objects = PublishedReportQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report"],
                condition=models.Q(withdrawn_at__isnull=True, replaced_at__isnull=True),
                name="one_current_publication_per_report",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True) | ~models.Q(withdrawal_reason=""),
                name="published_report_withdrawn_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (published {self.published_at:%d/%m/%Y})"

    @property
    def is_current(self) -> bool:
        return self.withdrawn_at is None and self.replaced_at is None


def document_upload_to(instance: DocumentJob, filename: str) -> str:
    return f"drafts/{uuid.uuid4().hex}-{filename}"


class DocumentJobQuerySet(models.QuerySet["DocumentJob"]):
    def pending(self) -> DocumentJobQuerySet:
        """Waiting for the worker, or being made by it."""
        return self.filter(state__in=DocumentJob.PENDING_STATES)


class DocumentJob(models.Model):
    """A document made in the background by the task worker (``manage.py run_worker``):
    a report published (its five documents), a draft made to preview, or a child's subject
    access export (reports.subject_access). Web requests never render a long document;
    they queue a job and show its progress here."""

    class Kind(models.TextChoices):
        PUBLISH = "publish", "Publish the report"
        DRAFT = "draft", "Draft document"
        SUBJECT_ACCESS = "subject_access", "Subject access export"

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being made"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    PENDING_STATES = (State.QUEUED, State.RUNNING)

    # Every job but a subject access export is of a report.
    report = models.ForeignKey(Report, on_delete=models.CASCADE, null=True, blank=True, related_name="document_jobs")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # A subject access export: the child's board reference, cleared with the file (reports.jobs).
    reference = models.CharField(max_length=30, blank=True)
    # For a draft: which document ("pdf", "xlsx", "docx", "summary-docx").
    document = models.CharField(max_length=20, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    # A publication: the report's version as checked, and the reason for replacing the current one.
    expected_version = models.PositiveIntegerField(null=True, blank=True)
    replacement_reason = models.TextField(max_length=2000, blank=True, validators=[validate_no_identifying_details])
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    step = models.PositiveSmallIntegerField(default=0)
    steps = models.PositiveSmallIntegerField(default=1)
    step_label = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # What the person reads when it failed: a rule's refusal, or a reference for the log.
    error = models.CharField(max_length=500, blank=True)
    file = models.FileField(upload_to=document_upload_to, max_length=200, blank=True)
    published = models.OneToOneField(
        PublishedReport, on_delete=models.SET_NULL, null=True, blank=True, related_name="job"
    )

    objects = DocumentJobQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["report", "kind", "state"], name="document_job_report_state")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="subject_access", report__isnull=True)
                | (~models.Q(kind="subject_access") & models.Q(report__isnull=False, reference="")),
                name="document_job_of_a_report_or_a_child",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.document} ({self.get_state_display()})".replace("  ", " ")

    def get_absolute_url(self) -> str:
        """Its progress page: a subject access export's is in the administration pages."""
        if self.kind == self.Kind.SUBJECT_ACCESS:
            return reverse("reports:subject_access_job", args=[self.pk])
        return reverse("reports:document_job", args=[self.pk])

    @property
    def is_pending(self) -> bool:
        return self.state in self.PENDING_STATES

    @property
    def of_report(self) -> Report:
        """The report a publication or a draft is of: the constraint says it has one."""
        if self.report is None:
            raise ValueError(f"{self} is of no report")
        return self.report


# What leaves the service for the public names no child, not even by board reference.
PUBLIC_TEXT = [validate_no_identifying_details, validate_no_board_reference]


def public_text(verbose_name: str, *, max_length: int = 5000, help_text: str = "") -> models.TextField:
    return models.TextField(
        verbose_name, max_length=max_length, blank=True, help_text=help_text, validators=PUBLIC_TEXT
    )


class LearningSummaryState(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class LearningSummary(Versioned):
    """A round's "learning from audit" briefing, for practitioners and the public: the
    round's focus, headline findings by theme, what worked well, areas for development
    and the recommendations made. Drafted from the round's finalised cases, edited by
    the audit team, then published as a PDF and never changed afterwards."""

    State = LearningSummaryState

    audit_round = models.OneToOneField(AuditRound, on_delete=models.PROTECT, related_name="learning_summary")
    title = models.CharField(max_length=200, validators=PUBLIC_TEXT)
    focus = public_text("the round's focus", max_length=2000)
    findings = public_text("headline findings", help_text="A paragraph for each theme, separated by a blank line.")
    worked_well = public_text("what worked well")
    development = public_text("areas for development")
    recommendations = public_text("recommendations made")
    state = models.CharField(max_length=20, choices=LearningSummaryState.choices, default=LearningSummaryState.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pdf = models.FileField(upload_to=published_upload_to, max_length=200, blank=True)

    class Meta:
        verbose_name_plural = "learning summaries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=LearningSummaryState.values), name="learning_summary_state_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(state=LearningSummaryState.DRAFT)
                | (models.Q(published_at__isnull=False) & ~models.Q(pdf="")),
                name="learning_summary_published_with_its_pdf",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED
