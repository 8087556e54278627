"""The seed report's action plan exactly as it states it: the header, all 32
recommendations in their four sections with their evidence, and their RAG in the update
completed on 4 March 2011 (10 Green, 4 Orange, 2 Amber, 1 Red, 15 not yet rated). Then
an open September 2011 update with nothing rated yet. No earlier ratings are invented.
The seed names no lead per recommendation: the demo lead leads them all, so that "My
recommendations" has something to show; where the seed's evidence names the role that
does the work, that role (in its agency, without an account) leads it too. Loaded only
by `manage.py seed_demo`."""

from __future__ import annotations

import datetime
from typing import cast

from django.db import transaction

from audits.models import AuditRound
from dscb.models import Agency, User
from recommendations import services
from recommendations.models import ActionPlan, RagStatus, Recommendation
from recommendations.seed_plan import HEADER, SECTIONS

# Roles the seed's evidence names as doing the work: (role, agency's short name).
ROLE_LEADS = {
    "1.2": [("ISRU Operation Manager", "ICS")],
    "1.4": [("ISRU Operation Manager", "ICS")],
    "1.5": [("ISRU Operation Manager", "ICS")],
    "4.2": [("Lead for social work governance", "ICS")],
}

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
    """Made through the services, as the Executive and the lead would, so the demo obeys
    every rule of the plan."""
    if ActionPlan.objects.exists():
        return  # Loaded before: running the demo command again adds nothing.
    executive = User.objects.get(email="executive@example.org")
    lead = User.objects.get(email="lead@example.org")
    rounds = {
        audit_round.title: audit_round for audit_round in AuditRound.objects.filter(title__in=ROUND_OF_SECTION.values())
    }
    statuses = {status.label: status for status in RagStatus.objects.all()}
    agencies = {agency.short_name: agency for agency in Agency.objects.all()}
    completed_on = cast(datetime.date, HEADER["update_completed"])
    rated_at = datetime.datetime.combine(completed_on, datetime.time(12), tzinfo=datetime.UTC)

    plan = services.plan_create(
        by=executive,
        title=str(HEADER["title"]),
        professional_leads=str(HEADER["professional_leads"]),
        director_lead=str(HEADER["director_lead"]),
        review_frequency=str(HEADER["timescales"]),
        other_references=str(HEADER["reference"]),
        audit_rounds=list(rounds.values()),
    )
    march_2011 = services.cycle_open(plan=plan, by=executive, title="March 2011 update", due_on=completed_on)
    ratings = {}
    for seed_section in SECTIONS:
        section = services.section_create(
            plan=plan,
            by=executive,
            number=seed_section.number,
            title=seed_section.title,
            audit_round=rounds.get(ROUND_OF_SECTION[seed_section.number]),
            item_heading=seed_section.item_heading,
            shows_target_date=seed_section.last_column == "By When",
        )
        for seed in seed_section.recommendations:
            recommendation = services.recommendation_create(
                plan=plan,
                by=executive,
                values=services.RecommendationInput(
                    section=section,
                    number=seed.number,
                    text=seed.text,
                    kind=Recommendation.Kind.RECOMMENDATION
                    if seed_section.item_heading == "Recommendations"
                    else Recommendation.Kind.TASK,
                    leads=[
                        services.LeadInput(person=lead),
                        *(
                            services.LeadInput(role_title=role, agency=agencies[agency])
                            for role, agency in ROLE_LEADS.get(seed.number, [])
                        ),
                    ],
                ),
            )
            for bullet in seed.evidence:
                services.evidence_add(
                    recommendation=recommendation,
                    cycle=march_2011,
                    by=executive,
                    at=rated_at,
                    text="" if bullet.startswith("http") else bullet,
                    url=bullet if bullet.startswith("http") else "",
                )
            ratings[recommendation] = (statuses[seed.rag] if seed.rag else None, "")
    march_2011.refresh_from_db()
    services.ratings_save(
        cycle=march_2011, by=executive, expected_version=march_2011.version, ratings=ratings, at=rated_at
    )
    march_2011.refresh_from_db()
    services.cycle_complete(cycle=march_2011, by=executive, expected_version=march_2011.version, on=completed_on)
    services.cycle_open(plan=plan, by=executive, title="September 2011 update", due_on=datetime.date(2011, 9, 30))
