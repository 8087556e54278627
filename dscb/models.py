"""The board itself: the agencies that take part and the people who use the service."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from dscb.concurrency import Versioned
from dscb.roles import ROLE_FIELDS, Role

# Role and ROLE_FIELDS live in dscb.roles, model-free for the access policy; many import them from here.
__all__ = [
    "ROLE_FIELDS",
    "Agency",
    "FormSubmission",
    "ReferenceQuerySet",
    "RetentionKind",
    "RetentionRule",
    "Role",
    "SecurityEvent",
    "SentEmail",
    "User",
    "UserManager",
    "WorkerHeartbeat",
    "field_label",
]


def field_label(model: type[models.Model] | models.Model, name: str) -> str:
    """The label (verbose name) of one of ``model``'s own fields."""
    field = model._meta.get_field(name)
    return str(field.verbose_name) if isinstance(field, models.Field) else name


class ReferenceQuerySet(models.QuerySet):
    """Reference data is retired, never deleted, so past records keep their meaning."""

    def active(self) -> ReferenceQuerySet:
        return self.filter(is_active=True)


class Agency(Versioned):
    name = models.CharField(max_length=120, unique=True)
    short_name = models.CharField(max_length=30, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField("active", default=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> User:
        fields.setdefault("is_administrator", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, Versioned):
    email = models.EmailField("email address", max_length=254, unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    job_title = models.CharField(max_length=150, blank=True)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text="Required for agency auditors: the only agency whose records they edit.",
    )
    is_active = models.BooleanField(
        "active",
        default=True,
        help_text="Untick to stop this person signing in. Their sessions end at once.",
    )
    date_joined = models.DateTimeField(default=timezone.now)

    is_administrator = models.BooleanField(Role.ADMINISTRATOR.label, default=False)
    is_audit_team = models.BooleanField(Role.AUDIT_TEAM.label, default=False)
    is_agency_auditor = models.BooleanField(Role.AGENCY_AUDITOR.label, default=False)
    is_professional_lead = models.BooleanField(Role.PROFESSIONAL_LEAD.label, default=False)
    is_executive = models.BooleanField(Role.EXECUTIVE.label, default=False)
    is_board_member = models.BooleanField(Role.BOARD_MEMBER.label, default=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ignoring_case"),
            models.CheckConstraint(
                condition=models.Q(is_agency_auditor=False) | models.Q(agency__isnull=False),
                name="agency_auditor_has_agency",
                violation_error_message="An agency auditor must belong to an agency.",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(role for role, field in ROLE_FIELDS.items() if getattr(self, field))

    @property
    def role_labels(self) -> list[str]:
        return [role.label for role in Role if role in self.roles]

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class FormSubmission(models.Model):
    """The one-time key of a form that creates something, claimed by the first submission
    that saves. A double click, a form sent again or the back button then creates nothing
    twice, and the person is shown what the first submission made (dscb.forms)."""

    key = models.UUIDField(primary_key=True)
    form = models.CharField(max_length=200, help_text="The form the key was issued with.")
    submitted_at = models.DateTimeField(default=timezone.now)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    object_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"{self.form} at {self.submitted_at:%Y-%m-%d %H:%M}"

    def made(self) -> models.Model | None:
        """What the first submission created, if it still exists."""
        model = self.content_type.model_class() if self.content_type is not None else None
        if model is None:
            return None
        return model._default_manager.filter(pk=self.object_id).first()


class SentEmail(models.Model):
    """An email the service sent about the work, recorded as it goes so that none is sent
    twice (its key names what it was about and for whom) and each person can see on
    their account page what they were sent. Written once, never changed."""

    key = models.CharField(max_length=200, unique=True, help_text="What it was about, and for whom.")
    # None: someone without an account, told at an address the audit team typed.
    recipient = models.ForeignKey("User", on_delete=models.PROTECT, related_name="emails_sent", null=True, blank=True)
    address = models.EmailField("sent to", max_length=254)
    subject = models.CharField(max_length=300)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = "email sent"
        verbose_name_plural = "emails sent"

    def __str__(self) -> str:
        return f"{self.subject} to {self.address} at {self.sent_at:%Y-%m-%d %H:%M}"


APPEND_ONLY = "Security events are kept as they happened: they are never changed or deleted."


class AppendOnlyQuerySet(models.QuerySet):
    """Rows are added, never changed or deleted, whichever path asks (ASVS 16.4.2)."""

    def update(self, **kwargs: object) -> int:
        raise PermissionDenied(APPEND_ONLY)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionDenied(APPEND_ONLY)

    def bulk_update(self, *args: object, **kwargs: object) -> int:
        raise PermissionDenied(APPEND_ONLY)


class SecurityEvent(models.Model):
    """A sign-in, a failure, a lockout, a change to someone's password, two-step
    verification or roles, or a download of case data: who, what, when and from where
    (ASVS 16.3; SECURITY.md rows 29 and 30). Written by ``dscb.security.record``; kept,
    never changed. ``detail`` holds a little context (which list, the roles before and
    after), never a password, a code or a child's case."""

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        SIGN_IN_REFUSED = "sign_in_refused", "Sign-in through the identity provider refused"
        SIGN_OUT = "sign_out", "Signed out"
        REAUTHENTICATED = "reauthenticated", "Password or code entered again"
        ACCESS_REFUSED = "access_refused", "Access refused"
        LOCKED_OUT = "locked_out", "Sign-in refused: too many failures"
        MFA_FAILED = "mfa_failed", "Wrong security code"
        MFA_ADDED = "mfa_added", "Two-step verification set up"
        MFA_REMOVED = "mfa_removed", "Two-step verification removed"
        MFA_RESET = "mfa_reset", "Recovery codes renewed"
        PASSWORD_CHANGED = "password_changed", "Password changed"
        PASSWORD_RESET = "password_reset", "Password reset"
        PERSON_INVITED = "person_invited", "Person invited"
        ROLE_CHANGED = "role_changed", "Roles changed"
        AUTHENTICATOR_RESET = "authenticator_reset", "Authenticator reset by an administrator"
        ACCOUNT_DEACTIVATED = "account_deactivated", "Account deactivated"
        ACCOUNT_REACTIVATED = "account_reactivated", "Account reactivated"
        CASE_DATA_DOWNLOAD = "case_data_download", "Case data downloaded"
        SUBJECT_ACCESS_EXPORT = "subject_access_export", "Subject access export"
        RETENTION_RUN = "retention_run", "Retention run"
        RETENTION_CHANGED = "retention_changed", "Retention schedule changed"
        LEGAL_HOLD_PLACED = "legal_hold_placed", "Legal hold placed"
        LEGAL_HOLD_LIFTED = "legal_hold_lifted", "Legal hold lifted"

    kind = models.CharField(max_length=40, choices=Kind.choices)
    # Who did it. People are deactivated, never deleted, so their events keep them.
    user = models.ForeignKey("User", on_delete=models.PROTECT, null=True, blank=True, related_name="security_events")
    # The address the event is about: the one typed at a failed sign-in (which may
    # belong to nobody), or the person whose roles or authenticator were changed.
    email = models.CharField("email address", max_length=254, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField("network address", null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.email or self.user_id} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise PermissionDenied(APPEND_ONLY)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionDenied(APPEND_ONLY)


class RetentionKind(models.TextChoices):
    """The kinds of record the retention schedule covers: each one ``manage.py
    apply_retention`` knows how to remove (reports.retention). What is always kept (the
    action plan, published reports, rounds and their figures) has no row."""

    CASE_AUDIT_DETAIL = "case_audit_detail", "Case audit detail"
    READS = "reads", "Reads of case data and downloads"
    SENT_EMAILS = "sent_emails", "Emails sent"
    FORM_SUBMISSIONS = "form_submissions", "One-time form keys"
    REMINDERS = "reminders", "Evidence reminders sent"


# What each kind covers and when its time starts, in the words the schedule page shows.
RETENTION_KIND_DESCRIPTIONS = {
    RetentionKind.CASE_AUDIT_DETAIL: "A case's board reference and free text, its agencies' records' text, answers' "
    "comments, feedback notes, requests for immediate intervention, participants' roles, and the change history "
    "and reads that repeat them; counted from the date the round was completed. Grades, answers and counts stay, "
    "so dashboards and reports keep their figures.",
    RetentionKind.READS: "Who opened a case or downloaded a file or report, and when; counted from the read.",
    RetentionKind.SENT_EMAILS: "The record of each email the service sent (address, subject, when); counted "
    "from sending.",
    RetentionKind.FORM_SUBMISSIONS: "The keys that stop a form creating something twice; counted from the submission.",
    RetentionKind.REMINDERS: "Which reminders were sent to which lead, so none is sent twice; counted from sending.",
}


class RetentionRule(Versioned):
    """How long one kind of record is kept (UK GDPR Art. 5(1)(e); SECURITY.md row 33).
    Seeded with the board's default schedule; administrators change the period. No
    period: kept indefinitely."""

    Kind = RetentionKind

    kind = models.CharField(max_length=40, choices=RetentionKind.choices, unique=True)
    years = models.PositiveSmallIntegerField(
        "years kept",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Leave empty to keep them indefinitely.",
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=RetentionKind.values), name="retention_rule_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(years__isnull=True) | models.Q(years__gte=1), name="retention_rule_years_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def description(self) -> str:
        return RETENTION_KIND_DESCRIPTIONS[RetentionKind(self.kind)]


class WorkerHeartbeat(models.Model):
    """A background worker (``manage.py run_worker``) saying it is alive: one row per
    worker, its ``last_seen`` renewed every few seconds while it runs. The health check
    answers "worker: failed" when no row is recent, so a load balancer or the operator's
    monitoring notices queued work that nothing runs."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.host} (pid {self.pid})"
