"""The seed report's action plan exactly as it states it: the header, all 32
recommendations in their four sections with their evidence, and their RAG in the update
completed on 4 March 2011 (10 Green, 4 Orange, 2 Amber, 1 Red, 15 not yet rated). Then
an open September 2011 update with nothing rated yet. No earlier ratings are invented.
The seed names no lead per recommendation: the demo lead leads them all, so that "My
recommendations" has something to show. Loaded only by `manage.py seed_demo`."""

from __future__ import annotations

import datetime

from django.db import transaction

from audits.models import AuditRound
from dscb.models import User
from recommendations import selectors
from recommendations.models import (
    ActionPlan,
    Evidence,
    PlanSection,
    ProgressUpdate,
    RagStatus,
    Recommendation,
    ReviewCycle,
)
from recommendations.seed_plan import HEADER, SECTIONS

ROUND_OF_SECTION = {
    1: "March 2009",
    2: "December 2009",
    3: "April 2010",
    4: "September 2010 (Integrated Children's Service)",
}


def load() -> None:
    create_demo_plan()


@transaction.atomic
def create_demo_plan() -> None:
    if ActionPlan.objects.exists():
        return  # Loaded before: running the demo command again adds nothing.
    executive = User.objects.get(email="executive@example.org")
    lead = User.objects.get(email="lead@example.org")
    rounds = {
        audit_round.title: audit_round for audit_round in AuditRound.objects.filter(title__in=ROUND_OF_SECTION.values())
    }
    statuses = {status.label: status for status in RagStatus.objects.all()}
    completed_on = HEADER["update_completed"]

    plan = ActionPlan.objects.create(
        title=HEADER["title"],
        professional_leads=HEADER["professional_leads"],
        director_lead=HEADER["director_lead"],
        review_frequency=HEADER["timescales"],
        other_references=HEADER["reference"],
        updated_by=executive,
    )
    plan.audit_rounds.set(rounds.values())
    march_2011 = ReviewCycle.objects.create(
        plan=plan,
        title="March 2011 update",
        due_on=completed_on,
        state=ReviewCycle.State.COMPLETED,
        completed_on=completed_on,
        completed_by=executive,
        updated_by=executive,
        scale=selectors.plan_scale().snapshot(),
    )
    ReviewCycle.objects.create(
        plan=plan, title="September 2011 update", due_on=datetime.date(2011, 9, 30), updated_by=executive
    )
    rated_at = datetime.datetime.combine(completed_on, datetime.time(12), tzinfo=datetime.UTC)
    for seed_section in SECTIONS:
        section = PlanSection.objects.create(
            plan=plan,
            number=seed_section.number,
            title=seed_section.title,
            audit_round=rounds.get(ROUND_OF_SECTION[seed_section.number]),
            item_heading=seed_section.item_heading,
            shows_target_date=seed_section.last_column == "By When",
        )
        for seed in seed_section.recommendations:
            major, minor = (int(part) for part in seed.number.split("."))
            recommendation = Recommendation.objects.create(
                plan=plan,
                section=section,
                number=seed.number,
                number_major=major,
                number_minor=minor,
                kind=Recommendation.Kind.RECOMMENDATION
                if seed_section.item_heading == "Recommendations"
                else Recommendation.Kind.TASK,
                text=seed.text,
                lead=lead,
                updated_by=executive,
            )
            update = ProgressUpdate.objects.create(
                recommendation=recommendation,
                cycle=march_2011,
                rag=statuses[seed.rag] if seed.rag else None,
                rated_by=executive if seed.rag else None,
                rated_at=rated_at if seed.rag else None,
            )
            Evidence.objects.bulk_create(
                Evidence(
                    update=update,
                    position=position,
                    added_by=executive,
                    added_at=rated_at,
                    **({"url": bullet} if bullet.startswith("http") else {"text": bullet}),
                )
                for position, bullet in enumerate(seed.evidence, start=1)
            )
