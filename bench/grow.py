"""Grows the demo data into the shapes the bench measures, in the database DATABASE_URL names.

    .venv/bin/python bench/grow.py {demo,years,stress} [--scale 1]

demo: the demo data only (``manage.py seed_demo``), the 1x the others are compared with.

years: the realistic shape, ten years after the demo: four rounds a year of eight to ten
children each (as the demo's rounds), every child with the demo's agency records, grades and
checklist; one action plan every two years of 30 to 60 recommendations with target dates,
rated at six-monthly updates until now (some closed, some overdue), with evidence; and about
a million history rows, most of them reads of cases and recommendations.

stress: 50 times the demo (about 1,900 children, 9,000 agency records, 1,600
recommendations): the demo's children copied into the demo's own rounds and the seed
plan's recommendations into its own sections, so each page shows 50 times as much.

``--scale`` shrinks (or grows) either shape for a quick try: 0.1 is one year of rounds, one
plan and 100,000 history rows, or 5 times the demo. Every row is one the service could
have written: references that pass the board reference rule, the models' own validation
on each row (the database's constraints on the rest), and history rows shaped as auditlog
and dscb.history write them. ANALYZE runs at the end, so the planner knows the sizes.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import re
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHAPES = ("demo", "years", "stress")


def setup_django() -> None:
    """Settings for a bench run: production-like (DEBUG off), the database DATABASE_URL
    names (a throwaway SQLite file if none), uploads in a throwaway folder."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dscb.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='dscb-bench-')}/bench.sqlite3"
    # The files go with the database: its published reports, for every later run on it.
    database = re.sub(r"\W+", "-", os.environ["DATABASE_URL"].split("@")[-1]).strip("-")
    os.environ.setdefault("MEDIA_ROOT", str(Path(tempfile.gettempdir()) / f"dscb-bench-media-{database}"))
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()


def load_demo() -> None:
    """Migrate and load the demo, as ``bin/demo`` does (seed_demo wants DEBUG on)."""
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    settings.DEBUG = True
    try:
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    finally:
        settings.DEBUG = False


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- Building rows ---------------------------------------------------------------------


def copied(row: Any, **changes: object) -> Any:
    """A new, unsaved row like ``row``: every stored field but its key and what the database
    derives (a recommendation's sort key), with ``changes`` (by attribute name: ``case_id``)."""
    values = {
        field.attname: getattr(row, field.attname)
        for field in row._meta.concrete_fields
        if not field.primary_key and not field.generated
    }
    return type(row)(**(values | changes))


def valid(row: Any, *, unique: bool = False) -> Any:
    """The model's own validation (field validators, clean()); uniqueness and the other
    constraints are the database's on insert, unless ``unique`` (one query a row)."""
    exclude = [field.name for field in row._meta.concrete_fields if field.is_relation]
    row.full_clean(exclude=exclude, validate_unique=unique, validate_constraints=unique)
    return row


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


def months_later(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    return datetime.date(day.year + month // 12, month % 12 + 1, min(day.day, 28))


class History:
    """History rows as the service writes them (auditlog's entries, through dscb.history's
    diff for rows saved in bulk), with the actor and the moment they were written, saved
    in batches."""

    BATCH = 5000

    def __init__(self) -> None:
        self.pending: list[Any] = []
        self.written = 0

    def change(self, before: Any, after: Any, *, actor_id: int, when: datetime.datetime) -> None:
        from dscb import history

        entry = history._entry(history.Change(before, after))
        if entry is not None:
            entry.actor_id = actor_id
            entry.timestamp = when
            entry.cid = uuid.uuid4().hex
            entry.remote_addr = "10.0.0.1"
            self.add(entry)

    def created(self, rows: Iterable[Any], *, actor_id: int, when: datetime.datetime) -> None:
        for row in rows:
            self.change(None, row, actor_id=actor_id, when=when)

    def read(self, row: Any, *, actor_id: int, when: datetime.datetime, content_type: Any) -> None:
        """A read (dscb.readlog.record_read: auditlog's "access", no changes)."""
        from auditlog.models import LogEntry

        self.add(
            LogEntry(
                content_type=content_type,
                object_pk=str(row.pk),
                object_id=row.pk,
                object_repr=str(row),
                action=LogEntry.Action.ACCESS,
                changes=None,
                changes_text="",
                actor_id=actor_id,
                timestamp=when,
                cid=uuid.uuid4().hex,
                remote_addr="10.0.0.1",
                additional_data=row.get_additional_data(),
            )
        )

    def add(self, entry: Any) -> None:
        self.pending.append(entry)
        if len(self.pending) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        from auditlog.models import LogEntry

        if self.pending:
            LogEntry.objects.bulk_create(self.pending, batch_size=self.BATCH)
            self.written += len(self.pending)
            self.pending = []


class People:
    def __init__(self) -> None:
        from dscb.models import User

        people = {user.email.split("@")[0]: user for user in User.objects.all()}
        self.auditor = people["auditor"]
        self.executive = people["executive"]
        self.lead = people["lead"]
        self.board = people["board"]
        self.agency_auditor = people["agency.auditor"]
        # Who reads a case, and who reads a recommendation.
        self.case_readers = [self.auditor.pk, self.auditor.pk, self.agency_auditor.pk, self.executive.pk]
        self.plan_readers = [self.executive.pk, self.lead.pk, self.lead.pk, self.board.pk]


# --- Case audits -----------------------------------------------------------------------


def demo_rounds() -> list[Any]:
    """The demo's case audit rounds that reached the panel, with what their cases hold."""
    from audits.models import AuditRound

    return list(
        AuditRound.objects.filter(kind=AuditRound.Kind.CASE_AUDIT, state__in=["completed", "feedback"])
        .order_by("held_on")
        .prefetch_related(
            "agencies",
            "auditors",
            "questions",
            "cases__expected_agencies",
            "cases__theme_ratings",
            "cases__records__grades",
            "cases__records__answers",
        )
    )


def copy_cases(
    pairs: Sequence[tuple[Any, str]],
    audit_round: Any,
    *,
    shift: datetime.timedelta,
    finalised: bool,
    people: People,
    history: History,
) -> list[Any]:
    """Copies of the cases (each with its new reference) into ``audit_round``, with
    everything the audit team recorded on them. Returns the new cases."""
    from audits.models import AuditCase, CaseRecord, ChecklistAnswer, RecordGrade, ThemeRating

    when = at(audit_round.held_on)
    new_cases = AuditCase.objects.bulk_create(
        valid(
            copied(
                case,
                audit_round_id=audit_round.pk,
                reference=reference,
                plan_started_on=case.plan_started_on + shift,
                state=AuditCase.State.FINALISED if finalised else case.state,
                updated_at=when,
            )
        )
        for case, reference in pairs
    )
    matched = list(zip((case for case, _ in pairs), new_cases, strict=True))
    through = AuditCase.expected_agencies.through
    through.objects.bulk_create(
        through(auditcase_id=new.pk, agency_id=agency.pk)
        for old, new in matched
        for agency in old.expected_agencies.all()
    )
    history.created(new_cases, actor_id=people.auditor.pk, when=when)
    ratings = ThemeRating.objects.bulk_create(
        copied(rating, case_id=new.pk) for old, new in matched for rating in old.theme_ratings.all()
    )
    history.created(ratings, actor_id=people.auditor.pk, when=when)
    records = [
        (record, valid(copied(record, case_id=new.pk, updated_at=when)))
        for old, new in matched
        for record in old.records.all()
    ]
    CaseRecord.objects.bulk_create(new for _, new in records)
    history.created((new for _, new in records), actor_id=people.auditor.pk, when=when)
    grades = []
    answers = []
    for old, new in records:
        for grade in old.grades.all():
            grades.append(copied(grade, record_id=new.pk))
            grades[-1].record = new
        for answer in old.answers.all():
            answers.append(copied(answer, record_id=new.pk))
            answers[-1].record = new
    RecordGrade.objects.bulk_create(grades, batch_size=2000)
    ChecklistAnswer.objects.bulk_create(answers, batch_size=2000)
    history.created(grades, actor_id=people.auditor.pk, when=when)
    history.created(answers, actor_id=people.auditor.pk, when=when)
    return new_cases


def new_round(template: Any, *, title: str, held_on: datetime.date, people: People, history: History) -> Any:
    """A completed round like ``template``, held on ``held_on``: its dates moved with it."""
    from audits.models import AuditRound

    shift = held_on - template.held_on

    def moved(day: datetime.date | None) -> datetime.date | None:
        return day + shift if day else None

    audit_round = valid(
        copied(
            template,
            title=title,
            held_on=held_on,
            returns_due_on=moved(template.returns_due_on),
            panel_on=moved(template.panel_on),
            feedback_due_on=moved(template.feedback_due_on),
            state=AuditRound.State.COMPLETED,
            completed_on=held_on + datetime.timedelta(days=60),
            updated_at=at(held_on + datetime.timedelta(days=60)),
            updated_by_id=people.auditor.pk,
        ),
        unique=True,
    )
    audit_round.save()
    audit_round.agencies.set(template.agencies.all())
    audit_round.auditors.set(template.auditors.all())
    audit_round.questions.set(template.questions.all())
    history.created([audit_round], actor_id=people.auditor.pk, when=at(held_on - datetime.timedelta(days=42)))
    return audit_round


# --- The action plan -------------------------------------------------------------------


class Ratings:
    """The plan's scale, best first, and a deterministic way of rating with it that
    improves as a recommendation gets older."""

    def __init__(self, seed: int) -> None:
        from recommendations.models import RagStatus

        self.statuses = list(RagStatus.objects.order_by("rank"))
        # Made-up data, the same every run.
        self.random = random.Random(seed)  # noqa: S311  # nosec B311

    def rate(self, age: int) -> Any:
        """A status for a recommendation rated ``age`` updates after it was raised."""
        best = self.statuses[0]
        if self.random.random() < min(0.7, 0.1 + age * 0.08):
            return best
        return self.random.choice(self.statuses[1:])


def seed_plan() -> tuple[Any, list[Any], list[Any]]:
    """The seed plan, its recommendations (the texts to copy) and its evidence texts."""
    from recommendations.models import ActionPlan, Evidence, Recommendation, ReviewCycle

    plan = ActionPlan.objects.order_by("pk").first()
    recommendations = list(
        Recommendation.objects.filter(plan=plan).select_related("section").prefetch_related("agencies", "leads")
    )
    evidence = [
        text
        for text in Evidence.objects.filter(update__recommendation__plan=plan).values_list("text", flat=True)
        if text
    ]
    if plan is None or not ReviewCycle.objects.filter(plan=plan).exists():
        raise SystemExit("The demo's action plan is not there: load the demo first.")
    return plan, recommendations, evidence


def completed_scale() -> Any:
    from recommendations.models import ReviewCycle

    return ReviewCycle.objects.filter(state="completed").exclude(scale=None).values_list("scale", flat=True).first()


def grow_plan(
    *,
    number: int,
    started_on: datetime.date,
    until: datetime.date,
    rounds: Sequence[Any],
    templates: Sequence[Any],
    evidence_texts: Sequence[str],
    size: int,
    people: People,
    history: History,
    ratings: Ratings,
) -> list[Any]:
    """An action plan answering ``rounds``, raised on ``started_on`` with ``size``
    recommendations in one section a round, rated at an update every six months until
    ``until`` (the last one open). Returns its recommendations."""
    from recommendations.models import (
        ActionPlan,
        Evidence,
        PlanSection,
        ProgressUpdate,
        Recommendation,
        RecommendationLead,
        ReviewCycle,
    )

    executive, lead = people.executive, people.lead
    raised = at(started_on)
    plan = valid(
        ActionPlan(
            title=f"Action plan from the case audits of {started_on.year} (bench data)",
            professional_leads=lead.full_name,
            director_lead="Director of Children's Services",
            other_references=f"Multi-agency case audits, {started_on.year}",
            updated_at=raised,
            updated_by=executive,
        )
    )
    plan.save()
    plan.audit_rounds.set(rounds)
    history.created([plan], actor_id=executive.pk, when=raised)
    sections = [
        valid(
            PlanSection(
                plan=plan,
                number=index + 1,
                title=audit_round.title,
                source_kind=PlanSection.SourceKind.CASE_AUDIT,
                audit_round=audit_round,
            )
        )
        for index, audit_round in enumerate(rounds)
    ]
    PlanSection.objects.bulk_create(sections)
    history.created(sections, actor_id=executive.pk, when=raised)
    recommendations = []
    for index in range(size):
        section = sections[index % len(sections)]
        template = templates[index % len(templates)]
        item = index // len(sections) + 1
        target = months_later(started_on, 6 + (index * 7) % 36)
        recommendations.append(
            valid(
                Recommendation(
                    plan=plan,
                    section=section,
                    number=f"{section.number}.{item}",
                    kind=Recommendation.Kind.RECOMMENDATION,
                    text=template.text,
                    target_date=target,
                    updated_at=raised,
                    updated_by=executive,
                )
            )
        )
    Recommendation.objects.bulk_create(recommendations)
    history.created(recommendations, actor_id=executive.pk, when=raised)
    leads = RecommendationLead.objects.bulk_create(
        RecommendationLead(recommendation=recommendation, person=lead) for recommendation in recommendations
    )
    history.created(leads, actor_id=executive.pk, when=raised)
    through = Recommendation.agencies.through
    through.objects.bulk_create(
        through(recommendation_id=new.pk, agency_id=agency.pk)
        for index, new in enumerate(recommendations)
        for agency in templates[index % len(templates)].agencies.all()
    )

    due = months_later(started_on, 6)
    cycles = []
    while due <= until:
        cycles.append(due)
        due = months_later(due, 6)
    scale = completed_scale()
    rated: dict[int, list[bool]] = {recommendation.pk: [] for recommendation in recommendations}
    for age, due_on in enumerate(cycles):
        last = age == len(cycles) - 1
        cycle = valid(
            ReviewCycle(
                plan=plan,
                title=f"{due_on:%B %Y} update",
                due_on=due_on,
                state=ReviewCycle.State.OPEN if last else ReviewCycle.State.COMPLETED,
                completed_on=None if last else due_on,
                completed_by=None if last else executive,
                scale=None if last else scale,
                updated_at=at(due_on),
                updated_by=executive,
            )
        )
        cycle.save()
        history.created([cycle], actor_id=executive.pk, when=at(due_on - datetime.timedelta(days=30)))
        still_open = [recommendation for recommendation in recommendations if not recommendation.is_closed]
        updates = []
        for recommendation in still_open:
            # The open update: half rated so far.
            status = None if last and recommendation.pk % 2 else ratings.rate(age)
            updates.append(
                ProgressUpdate(
                    recommendation=recommendation,
                    cycle=cycle,
                    rag=status,
                    rated_by=executive if status else None,
                    rated_at=at(due_on) if status else None,
                )
            )
        ProgressUpdate.objects.bulk_create(updates)
        for update in updates:
            unrated = copied(update, rag_id=None, rated_by_id=None, rated_at=None)
            unrated.pk = update.pk
            history.change(None, unrated, actor_id=lead.pk, when=at(due_on - datetime.timedelta(days=30)))
            history.change(unrated, update, actor_id=executive.pk, when=at(due_on))
        evidence = [
            valid(
                Evidence(
                    update=update,
                    text=evidence_texts[(update.recommendation.pk + age) % len(evidence_texts)],
                    position=0,
                    added_by=lead,
                    added_at=at(due_on - datetime.timedelta(days=7)),
                )
            )
            for update in updates
            if (update.recommendation.pk + age) % 3
        ]
        Evidence.objects.bulk_create(evidence)
        history.created(evidence, actor_id=lead.pk, when=at(due_on - datetime.timedelta(days=7)))
        # Green twice running, and evidence of impact: proposed by the lead, closed by the Executive.
        closing = []
        for update in updates:
            done = update.rag is not None and update.rag.counts_as_done
            rated[update.recommendation.pk].append(done)
            if not last and rated[update.recommendation.pk][-2:] == [True, True]:
                recommendation = update.recommendation
                before = copied(recommendation)
                before.pk = recommendation.pk
                recommendation.state = Recommendation.State.CLOSED
                recommendation.impact_statement = "The next audit found the change in every agency's records."
                recommendation.closure_proposed_by = lead
                recommendation.closure_proposed_at = at(due_on - datetime.timedelta(days=3))
                recommendation.closure_decided_by = executive
                recommendation.closure_decided_at = at(due_on)
                recommendation.closed_in = cycle
                recommendation.version += 2
                recommendation.updated_at = at(due_on)
                closing.append(valid(recommendation))
                history.change(before, recommendation, actor_id=executive.pk, when=at(due_on))
        Recommendation.objects.bulk_update(
            closing,
            [
                "state",
                "impact_statement",
                "closure_proposed_by",
                "closure_proposed_at",
                "closure_decided_by",
                "closure_decided_at",
                "closed_in",
                "version",
                "updated_at",
            ],
        )
    return recommendations


# --- The shapes --------------------------------------------------------------------------

QUARTERS = ((3, 18), (6, 17), (9, 16), (12, 9))


def grow_years(scale: float = 1.0) -> dict[str, int]:
    """Ten years (times ``scale``) of rounds, plans and updates, and a million (times
    ``scale``) history rows in all."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from audits.models import AuditCase
    from recommendations.models import Recommendation

    people = People()
    history = History()
    ratings = Ratings(seed=14)
    years = max(1, round(10 * scale))
    templates = demo_rounds()
    _plan, plan_templates, evidence_texts = seed_plan()
    first_year = 2012
    until = datetime.date(first_year + years, 12, 31)
    cases: list[Any] = []
    recommendations: list[Any] = []
    rounds_by_year: dict[int, list[Any]] = {}
    with transaction.atomic():
        for year in range(first_year, first_year + years):
            for quarter, (month, day) in enumerate(QUARTERS):
                template = templates[quarter % len(templates)]
                held_on = datetime.date(year, month, day)
                audit_round = new_round(
                    template, title=f"{held_on:%B %Y}", held_on=held_on, people=people, history=history
                )
                rounds_by_year.setdefault(year, []).append(audit_round)
                prefix = f"MACA-{held_on:%Y-%m}"
                pairs = [(case, f"{prefix}-{index + 1:02d}") for index, case in enumerate(template.cases.all())]
                cases += copy_cases(
                    pairs,
                    audit_round,
                    shift=held_on - template.held_on,
                    finalised=True,
                    people=people,
                    history=history,
                )
        for index, year in enumerate(range(first_year, first_year + years, 2)):
            recommendations += grow_plan(
                number=index,
                started_on=datetime.date(year, 12, 31),
                until=until,
                rounds=rounds_by_year[year],
                templates=plan_templates,
                evidence_texts=evidence_texts,
                size=30 + (index * 17) % 31,
                people=people,
                history=history,
                ratings=ratings,
            )
        history.flush()
        # Reads: a million history rows in all, most of them cases and recommendations opened.
        wanted = round(1_000_000 * scale) - LogEntry.objects.count()
        # The demo's cases and recommendations are read too (the bench opens their pages).
        readable_cases = list(AuditCase.objects.all())
        readable_recommendations = list(Recommendation.objects.all())
        case_type = ContentType.objects.get_for_model(AuditCase)
        recommendation_type = ContentType.objects.get_for_model(Recommendation)
        # Made-up data, the same every run.
        chooser = random.Random(2012)  # noqa: S311  # nosec B311
        span = (until - datetime.date(first_year, 1, 1)).days
        for index in range(max(0, wanted)):
            when = at(datetime.date(first_year, 1, 1) + datetime.timedelta(days=chooser.randrange(span)), 9 + index % 8)
            if index % 5 < 3:
                history.read(
                    readable_cases[chooser.randrange(len(readable_cases))],
                    actor_id=people.case_readers[index % 4],
                    when=when,
                    content_type=case_type,
                )
            else:
                history.read(
                    readable_recommendations[chooser.randrange(len(readable_recommendations))],
                    actor_id=people.plan_readers[index % 4],
                    when=when,
                    content_type=recommendation_type,
                )
        history.flush()
    return {"children": len(cases), "recommendations": len(recommendations)}


def grow_stress(scale: float = 1.0) -> dict[str, int]:
    """The demo's children and the seed plan's recommendations, ``50 * scale`` times over:
    the same shapes, new references and numbers. The copies join the same rounds and
    sections, so each page shows that many times as much."""
    from django.db import transaction

    from recommendations.models import (
        Evidence,
        ProgressUpdate,
        Recommendation,
        RecommendationLead,
    )

    times = max(2, round(50 * scale))
    people = People()
    history = History()
    plan, recommendations, _texts = seed_plan()
    rounds = demo_rounds()
    new_cases = 0
    new_recommendations = 0
    with transaction.atomic():
        for audit_round in rounds:
            cases = list(audit_round.cases.all())
            prefix = cases[0].reference.rsplit("-", 1)[0]
            for copy in range(1, times):
                # MACA-2009-03-01 ... -08 are the demo's; the copies go on from 101.
                pairs = [
                    (case, f"{prefix}-{100 + (copy - 1) * len(cases) + index:03d}") for index, case in enumerate(cases)
                ]
                new_cases += len(
                    copy_cases(
                        pairs,
                        audit_round,
                        shift=datetime.timedelta(0),
                        finalised=False,
                        people=people,
                        history=history,
                    )
                )
        recommendations = list(
            Recommendation.objects.filter(plan=plan).prefetch_related("agencies", "leads", "updates__evidence")
        )
        last_item: dict[int, int] = {}  # the highest item number in each section so far
        for recommendation in recommendations:
            last_item[recommendation.section_id] = max(
                last_item.get(recommendation.section_id, 0), recommendation.number_minor
            )
        raised = at(datetime.date(2011, 3, 4))
        for copy in range(1, times):
            pairs = []
            for index, recommendation in enumerate(recommendations):
                last_item[recommendation.section_id] += 1
                number = f"{recommendation.number_major}.{last_item[recommendation.section_id]}"
                # Target dates from 2010 on, a quarter of them still ahead: overdue unless done.
                target = months_later(datetime.date(2010, 1, 31), (copy * 7 + index * 5) % 240)
                pairs.append((recommendation, valid(copied(recommendation, number=number, target_date=target))))
            Recommendation.objects.bulk_create(new for _, new in pairs)
            new_recommendations += len(pairs)
            history.created((new for _, new in pairs), actor_id=people.executive.pk, when=raised)
            through = Recommendation.agencies.through
            through.objects.bulk_create(
                through(recommendation_id=new.pk, agency_id=agency.pk)
                for old, new in pairs
                for agency in old.agencies.all()
            )
            leads = RecommendationLead.objects.bulk_create(
                copied(lead, recommendation_id=new.pk) for old, new in pairs for lead in old.leads.all()
            )
            history.created(leads, actor_id=people.executive.pk, when=raised)
            updates = [
                (update, copied(update, recommendation_id=new.pk)) for old, new in pairs for update in old.updates.all()
            ]
            ProgressUpdate.objects.bulk_create(new for _, new in updates)
            history.created((new for _, new in updates), actor_id=people.executive.pk, when=raised)
            evidence = Evidence.objects.bulk_create(
                copied(item, update_id=new.pk) for old, new in updates for item in old.evidence.all()
            )
            for item, (_old, new) in zip(evidence, ((o, n) for o, n in updates for _ in o.evidence.all()), strict=True):
                item.update = new
            history.created(evidence, actor_id=people.executive.pk, when=raised)
        history.flush()
    return {"children": new_cases, "recommendations": new_recommendations}


# The load test's people (bench/locustfile.py): each simulated user signs in as an account
# of its own, since a TOTP code is accepted once. Bench data only: the secret is public.
BENCH_PASSWORD = "bench-safeguarding-2026"  # noqa: S105  # nosec B105
BENCH_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105  # nosec B105
BENCH_ROLES = {
    "audit-team": {"is_audit_team": True},
    "executive": {"is_executive": True},
    "lead": {"is_professional_lead": True},
    "board": {"is_board_member": True},
}
BENCH_ACCOUNTS_PER_ROLE = 20


def bench_account(role: str, number: int) -> str:
    return f"bench-{role}-{number:02d}@example.org"


def add_bench_accounts() -> None:
    """Accounts for the load test, each with the password and an authenticator app with
    the secret above, and the demo's accounts given the same authenticator."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth.hashers import make_password

    from dscb.models import User

    password = make_password(BENCH_PASSWORD)  # the production hasher, once for all
    for role, flags in BENCH_ROLES.items():
        for number in range(1, BENCH_ACCOUNTS_PER_ROLE + 1):
            email = bench_account(role, number)
            User.objects.update_or_create(
                email=email,
                defaults={"password": password, "full_name": f"Bench {role} {number}", "is_active": True, **flags},
            )
    for user in User.objects.filter(is_active=True):
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, BENCH_TOTP_SECRET)
            RecoveryCodes.activate(user)


def counts() -> str:
    from auditlog.models import LogEntry

    from audits.models import AuditCase, CaseRecord
    from recommendations.models import ProgressUpdate, Recommendation

    return (
        f"{AuditCase.objects.count()} children, {CaseRecord.objects.count()} agency records, "
        f"{Recommendation.objects.count()} recommendations, {ProgressUpdate.objects.count()} ratings, "
        f"{LogEntry.objects.count()} history rows"
    )


def build(shape: str, scale: float = 1.0) -> str:
    """Load the demo into the (empty) database and grow it to ``shape``; ANALYZE. Returns
    what it holds, in words."""
    from audits.models import AuditCase

    started = time.perf_counter()
    if not AuditCase.objects.exists():
        load_demo()
    if shape == "years":
        grow_years(scale)
    elif shape == "stress":
        grow_stress(scale)
    add_bench_accounts()
    analyze()
    return f"{shape} x{scale:g}: {counts()} ({time.perf_counter() - started:.0f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("shape", choices=SHAPES)
    parser.add_argument("--scale", type=float, default=1.0, help="0.1 for a quick try")
    args = parser.parse_args()
    setup_django()
    from django.core.management import call_command

    from audits.models import AuditCase

    call_command("migrate", verbosity=0)
    if AuditCase.objects.count() > 60:
        raise SystemExit("The database holds more than the demo already: grow into a fresh one.")
    print(build(args.shape, args.scale))


if __name__ == "__main__":
    main()
