from __future__ import annotations

import datetime
import time

import factory
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.core.files.base import ContentFile
from django.utils import timezone
from factory.django import DjangoModelFactory

from audits.models import (
    AuditCase,
    AuditRound,
    CaseRecord,
    ChecklistQuestion,
    Escalation,
    Grade,
    InquiryParticipant,
    Theme,
    ThemeRating,
)
from dscb.models import Agency, User
from recommendations.models import (
    ActionPlan,
    Evidence,
    PlanSection,
    ProgressUpdate,
    RagStatus,
    Recommendation,
    RecommendationLead,
    ReviewCycle,
)
from reports.models import DocumentJob, LearningSummary, NarrativeSection, PublishedReport, Report, ReportProse

TEST_PASSWORD = "correct-horse-battery-staple"


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    short_name = factory.Sequence(lambda n: f"A{n}")
    position = factory.Sequence(lambda n: 100 + n)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


def activate_totp(user: User) -> str:
    """Give ``user`` an authenticator app, as if they had set one up; returns its secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def totp_code(secret: str, *, steps_from_now: int = 0) -> str:
    counter = int(time.time()) // 30 + steps_from_now
    return format_hotp_value(hotp_value(secret, counter))


__all__ = ["TEST_PASSWORD", "AgencyFactory", "Authenticator", "UserFactory", "activate_totp", "totp_code"]


# --- Case audits ----------------------------------------------------------------------------


def police() -> Agency:
    return Agency.objects.get(short_name="Police")


class AuditRoundFactory(DjangoModelFactory):
    class Meta:
        model = AuditRound
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Round {n}")
    held_on = datetime.date(2010, 9, 22)
    kind = AuditRound.Kind.CASE_AUDIT

    @factory.post_generation
    def agencies(obj, create, extracted, **kwargs):
        if create:
            obj.agencies.set(
                extracted if extracted is not None else Agency.objects.filter(short_name__in=["Police", "EY&F", "GP"])
            )

    @factory.post_generation
    def auditors(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.auditors.set(extracted)

    @factory.post_generation
    def questions(obj, create, extracted, **kwargs):
        # Every active question unless told: a test may answer ChecklistQuestion.objects.active().
        if create:
            obj.questions.set(
                extracted if extracted is not None else ChecklistQuestion.objects.active().filter(theme__is_active=True)
            )


class AuditCaseFactory(DjangoModelFactory):
    class Meta:
        model = AuditCase

    audit_round = factory.SubFactory(AuditRoundFactory)
    # Valid however many cases a test process makes: the pattern allows three digits.
    reference = factory.Sequence(lambda n: f"MACA-{2010 + n // 999}-09-{n % 999 + 1:03d}")
    category_neglect = True
    plan_started_on = datetime.date(2010, 1, 4)


class CaseRecordFactory(DjangoModelFactory):
    class Meta:
        model = CaseRecord

    case = factory.SubFactory(AuditCaseFactory)
    agency = factory.LazyFunction(police)
    subject = CaseRecord.Subject.CHILD
    records_read = 1


class EscalationFactory(DjangoModelFactory):
    class Meta:
        model = Escalation

    case = factory.SubFactory(AuditCaseFactory)
    raised_on = datetime.date(2010, 9, 23)
    raised_by = factory.SubFactory(UserFactory, is_audit_team=True)
    to_agency = factory.LazyFunction(police)
    to_role = "Team manager"
    reason = "The plan needs reviewing now."
    due_by = datetime.date(2010, 9, 30)


class InquiryParticipantFactory(DjangoModelFactory):
    class Meta:
        model = InquiryParticipant

    case = factory.SubFactory(AuditCaseFactory, audit_round__kind=AuditRound.Kind.APPRECIATIVE_INQUIRY)
    agency = factory.LazyFunction(police)
    role = "Social worker"


def grade(label: str) -> Grade:
    return Grade.objects.get(label=label)


def rate_every_theme(case: AuditCase, label: str = "Adequate") -> None:
    for theme in Theme.objects.active():
        ThemeRating.objects.update_or_create(case=case, theme=theme, defaults={"grade": grade(label)})


# --- The action plan ------------------------------------------------------------------------

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class ActionPlanFactory(DjangoModelFactory):
    class Meta:
        model = ActionPlan

    title = "Audit of Multi-Agency Case Audit recommendations"
    director_lead = "A Director"


class PlanSectionFactory(DjangoModelFactory):
    class Meta:
        model = PlanSection

    plan = factory.SubFactory(ActionPlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Audit {n + 1}")


class RecommendationFactory(DjangoModelFactory):
    class Meta:
        model = Recommendation
        skip_postgeneration_save = True

    section = factory.SubFactory(PlanSectionFactory)
    plan = factory.SelfAttribute("section.plan")
    number = factory.Sequence(lambda n: f"1.{n % 999 + 1}")  # the pattern allows three digits
    text = factory.Sequence(lambda n: f"Recommendation {n}")

    @factory.post_generation
    def lead(self, create: bool, person: User | None, **kwargs: object) -> None:
        """``lead=person``: the recommendation's one lead, as before leads were many."""
        if create and person is not None:
            RecommendationLeadFactory(recommendation=self, person=person)


class RecommendationLeadFactory(DjangoModelFactory):
    """A person lead; a role lead: ``person=None, role_title=..., agency=...``."""

    class Meta:
        model = RecommendationLead

    recommendation = factory.SubFactory(RecommendationFactory)
    person = factory.SubFactory("tests.factories.UserFactory", is_professional_lead=True)
    position = factory.Sequence(lambda n: n + 1)


class ReviewCycleFactory(DjangoModelFactory):
    class Meta:
        model = ReviewCycle

    plan = factory.SubFactory(ActionPlanFactory)
    title = factory.Sequence(lambda n: f"Update {n}")
    due_on = datetime.date(2011, 9, 30)


class ProgressUpdateFactory(DjangoModelFactory):
    class Meta:
        model = ProgressUpdate

    recommendation = factory.SubFactory(RecommendationFactory)
    cycle = factory.SubFactory(ReviewCycleFactory, plan=factory.SelfAttribute("..recommendation.plan"))


class EvidenceFactory(DjangoModelFactory):
    class Meta:
        model = Evidence

    update = factory.SubFactory(ProgressUpdateFactory)
    text = "Policy updated."


def rag(label: str) -> RagStatus:
    return RagStatus.objects.get(label=label)


# --- Reports --------------------------------------------------------------------------------


class ReportFactory(DjangoModelFactory):
    class Meta:
        model = Report

    title = factory.Sequence(lambda n: f"Six-monthly report {n}")
    cycle = factory.SubFactory(ReviewCycleFactory)
    period_start = datetime.date(2009, 1, 1)
    period_end = datetime.date(2011, 3, 4)


class NarrativeSectionFactory(DjangoModelFactory):
    class Meta:
        model = NarrativeSection

    report = factory.SubFactory(ReportFactory)
    heading = "Multi-agency safeguarding hub (MASH)"
    body = "All agencies working together to share information at the earliest opportunity."


class ReportProseFactory(DjangoModelFactory):
    class Meta:
        model = ReportProse

    report = factory.SubFactory(ReportFactory)
    block = ReportProse.Block.METHOD
    body = "The audit team read every agency's records of each child, with the records of their siblings."


class PublishedReportFactory(DjangoModelFactory):
    class Meta:
        model = PublishedReport

    report = factory.SubFactory(ReportFactory)
    title = factory.SelfAttribute("report.title")
    period = "1 January 2009 to 4 March 2011"
    cycle_title = "March 2011 update"
    published_by = factory.SubFactory(UserFactory, is_executive=True)
    pdf = factory.django.FileField(filename="report.pdf", data=MINIMAL_PDF)
    summary_pdf = factory.django.FileField(filename="summary.pdf", data=MINIMAL_PDF)
    xlsx = factory.django.FileField(filename="report.xlsx", data=b"PK\x03\x04")
    figures = factory.LazyFunction(dict)


class LearningSummaryFactory(DjangoModelFactory):
    class Meta:
        model = LearningSummary

    audit_round = factory.SubFactory(AuditRoundFactory)
    title = factory.LazyAttribute(lambda summary: f"Learning from audit: {summary.audit_round.title}")
    focus = "Neglect, and how agencies share information."
    findings = "Child's journey: 6 of 8 cases (75%) were graded adequate or better."
    worked_well = "Agencies shared information promptly."
    development = "Plans were not always reviewed on time."


class PublishedLearningSummaryFactory(LearningSummaryFactory):
    state = LearningSummary.State.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    published_by = factory.SubFactory(UserFactory, is_audit_team=True)
    pdf = factory.django.FileField(filename="learning-from-audit.pdf", data=MINIMAL_PDF)


def sample_document_jobs(
    report: Report, *, executive: User, administrator: User, reference: str
) -> dict[str, dict[str, object]]:
    """URL arguments for the pages of documents the worker makes (the permission walk's
    and the bench's): a draft it made and a publication that failed, the Executive's; a
    subject access export of the child with ``reference`` it made and one that failed,
    the administrator's."""
    now = timezone.now()
    made = DocumentJob.objects.create(
        report=report,
        kind=DocumentJob.Kind.DRAFT,
        document="pdf",
        requested_by=executive,
        state="ready",
        finished_at=now,
    )
    made.file.save("draft.pdf", ContentFile(MINIMAL_PDF))
    failed = DocumentJob.objects.create(
        report=report,
        kind=DocumentJob.Kind.PUBLISH,
        requested_by=executive,
        expected_version=report.version,
        state=DocumentJob.State.FAILED,
        error="The document could not be finished.",
    )
    export, failed_export = (
        DocumentJob.objects.create(
            kind=DocumentJob.Kind.SUBJECT_ACCESS,
            document="zip",
            reference=reference,
            requested_by=administrator,
            state=state,
            finished_at=now,
        )
        for state in (DocumentJob.State.READY, DocumentJob.State.FAILED)
    )
    export.file.save("subject-access.zip", ContentFile(b"PK\x05\x06" + bytes(18)))
    return {
        "reports:document_job": {"pk": made.pk},
        "reports:document_job_file": {"pk": made.pk},
        "reports:document_job_retry": {"pk": failed.pk},
        "reports:subject_access_job": {"pk": export.pk},
        "reports:subject_access_file": {"pk": export.pk},
        "reports:subject_access_retry": {"pk": failed_export.pk},
    }
