"""Which reports a person may reach. Drafts are the Executive's alone
(``Action.MANAGE_REPORTS``); published reports are read by the Board
(``Action.READ_PUBLISHED_REPORTS``) and never changed, so ``write=True`` on one asks for
the Executive's right and nothing more. A round's learning summary is the audit team's
(``Action.MANAGE_AUDITS``) until published; published, it is public-safe and read by
everyone who reads published reports."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from audits.models import AuditRound
from dscb.access import Action, require
from reports.models import DocumentJob, LearningSummary, NarrativeSection, PublishedReport, Report

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from dscb.models import User


def report_for(
    user: User | AnonymousUser, pk: int, *, write: bool = False, queryset: QuerySet[Report] | None = None
) -> Report:
    # A draft holds today's figures before the Board has seen them: reading one is
    # already the Executive's, so ``write`` asks nothing more (a published report's
    # freeze is a rule of the services, not of access).
    require(user, Action.MANAGE_REPORTS)
    return get_object_or_404(queryset if queryset is not None else Report.objects.all(), pk=pk)


def section_for(
    user: User | AnonymousUser, pk: int, *, write: bool = False, queryset: QuerySet[NarrativeSection] | None = None
) -> NarrativeSection:
    require(user, Action.MANAGE_REPORTS)
    queryset = queryset if queryset is not None else NarrativeSection.objects.all()
    return get_object_or_404(queryset.select_related("report"), pk=pk)


def published_for(
    user: User | AnonymousUser, pk: int, *, write: bool = False, queryset: QuerySet[PublishedReport] | None = None
) -> PublishedReport:
    require(user, Action.MANAGE_REPORTS if write else Action.READ_PUBLISHED_REPORTS)
    return get_object_or_404(queryset if queryset is not None else PublishedReport.objects.all(), pk=pk)


def summary_round_for(user: User | AnonymousUser, pk: int, *, write: bool = False) -> AuditRound:
    """The round whose learning summary the audit team drafts, edits and publishes."""
    require(user, Action.MANAGE_AUDITS)
    return get_object_or_404(AuditRound, pk=pk)


def published_summary_for(user: User | AnonymousUser, pk: int) -> LearningSummary:
    """A round's published learning summary (by the round), or 404: a draft is not there."""
    require(user, Action.READ_PUBLISHED_REPORTS)
    return get_object_or_404(
        LearningSummary.objects.select_related("audit_round"), audit_round_id=pk, state=LearningSummary.State.PUBLISHED
    )


def job_for(user: User | AnonymousUser, pk: int, *, write: bool = False) -> DocumentJob:
    """A document the worker makes of a draft or publishes: the Executive's, as drafts are."""
    require(user, Action.MANAGE_REPORTS)
    return get_object_or_404(
        DocumentJob.objects.exclude(kind=DocumentJob.Kind.SUBJECT_ACCESS).select_related(
            "report", "requested_by", "published"
        ),
        pk=pk,
    )


def subject_access_job_for(user: User | AnonymousUser, pk: int, *, write: bool = False) -> DocumentJob:
    """A subject access export: only the administrator who asked for it sees it, as
    nobody else needs every detail of one child at once."""
    require(user, Action.ADMINISTER)
    return get_object_or_404(
        DocumentJob.objects.select_related("requested_by"),
        kind=DocumentJob.Kind.SUBJECT_ACCESS,
        requested_by=user.pk,
        pk=pk,
    )
