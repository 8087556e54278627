"""The seed report's action plan exactly as it states it: the header, all 32
recommendations in their four sections with their evidence, and their RAG in the update
completed on 4 March 2011 (10 Green, 4 Orange, 2 Amber, 1 Red, 15 not yet rated). Then
an open September 2011 update with nothing rated yet. No earlier ratings are invented.
The seed names no lead per recommendation: the demo lead leads them all, so that "My
recommendations" has something to show; where the seed's evidence names the role that
does the work, that role (in its agency, without an account) leads it too.

A second, small plan follows, invented for the demo and marked so in its title: learning
from a local child safeguarding practice review and the rapid review before it, with one
completed update (rated, with evidence) and one open, so every page shows more than one
plan and more than one kind of source. Loaded only by `manage.py seed_demo`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import cast

from django.db import transaction

from audits.models import AuditRound
from dscb.models import Agency, User
from recommendations import services
from recommendations.models import ActionPlan, RagStatus, Recommendation, SourceKind
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
    create_review_plan()


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


REVIEW_PLAN_TITLE = "Learning from the child safeguarding practice review (invented for the demo)"
REVIEW_NAME = "Child M (invented for the demo)"
REVIEW_PUBLISHED = datetime.date(2011, 6, 14)
RAPID_REVIEW_ON = datetime.date(2010, 11, 2)
REVIEW_COMPLETED_UPDATE = ("January 2012 update", datetime.date(2012, 1, 31))
REVIEW_OPEN_UPDATE = ("July 2012 update", datetime.date(2012, 7, 31))


@dataclass(frozen=True)
class ReviewRecommendation:
    """One invented recommendation: its section, words, agencies, target, January's rating and evidence."""

    section: int
    text: str
    agencies: tuple[str, ...]
    target_date: datetime.date
    rag: str | None
    evidence: tuple[str, ...] = ()


# Section number: (title, kind of source, the source's name, its date).
REVIEW_SECTIONS = {
    1: ("The practice review's recommendations", SourceKind.PRACTICE_REVIEW, REVIEW_NAME, REVIEW_PUBLISHED),
    2: ("Actions from the rapid review", SourceKind.RAPID_REVIEW, REVIEW_NAME, RAPID_REVIEW_ON),
}
REVIEW_RECOMMENDATIONS = (
    ReviewRecommendation(
        1,
        "Agencies share concerns about a child's neglect with children's social care on the day they are raised.",
        ("Police", "Health Visiting", "Education"),
        datetime.date(2011, 12, 31),
        "Green",
        ("Neglect referral pathway agreed by all agencies and published on the partnership's website.",),
    ),
    ReviewRecommendation(
        1,
        "Health visitors see the child, not only the parent, at every contact where neglect is suspected.",
        ("Health Visiting",),
        datetime.date(2012, 3, 31),
        "Amber",
        ("Record template changed to ask whether the child was seen; audit due in March 2012.",),
    ),
    ReviewRecommendation(
        1,
        "Schools escalate unresolved concerns through the partnership's escalation procedure.",
        ("Education",),
        datetime.date(2012, 6, 30),
        "Orange",
    ),
    ReviewRecommendation(
        1,
        "The partnership runs a multi-agency learning event on the review's findings.",
        ("EY&F", "Police", "GP"),
        datetime.date(2011, 11, 30),
        "Green",
        ("Two learning events held in November 2011, attended by 140 practitioners.",),
    ),
    ReviewRecommendation(
        2,
        "GPs flag the records of children subject to a child protection plan.",
        ("GP",),
        datetime.date(2011, 12, 31),
        "Red",
    ),
    ReviewRecommendation(
        2,
        "Police share domestic abuse notifications involving children within 24 hours.",
        ("Police",),
        datetime.date(2012, 9, 30),
        None,
    ),
)


@transaction.atomic
def create_review_plan() -> None:
    """The invented second plan, through the same services."""
    if ActionPlan.objects.filter(title=REVIEW_PLAN_TITLE).exists():
        return
    executive = User.objects.get(email="executive@example.org")
    lead = User.objects.get(email="lead@example.org")
    statuses = {status.label: status for status in RagStatus.objects.all()}
    agencies = {agency.short_name: agency for agency in Agency.objects.all()}
    plan = services.plan_create(
        by=executive,
        title=REVIEW_PLAN_TITLE,
        professional_leads=lead.full_name,
        director_lead="A Director (invented for the demo)",
        other_references=f"Local child safeguarding practice review: {REVIEW_NAME}, published 14 June 2011",
    )
    sections = {
        number: services.section_create(
            plan=plan,
            by=executive,
            number=number,
            title=title,
            source_kind=kind,
            source_name=name,
            source_date=on,
        )
        for number, (title, kind, name, on) in REVIEW_SECTIONS.items()
    }
    title, completed_on = REVIEW_COMPLETED_UPDATE
    rated_at = datetime.datetime.combine(completed_on, datetime.time(12), tzinfo=datetime.UTC)
    completed = services.cycle_open(plan=plan, by=executive, title=title, due_on=completed_on)
    counts = dict.fromkeys(sections, 0)
    ratings = {}
    for seed in REVIEW_RECOMMENDATIONS:
        counts[seed.section] += 1
        recommendation = services.recommendation_create(
            plan=plan,
            by=executive,
            values=services.RecommendationInput(
                section=sections[seed.section],
                number=f"{seed.section}.{counts[seed.section]}",
                text=seed.text,
                agencies=[agencies[name] for name in seed.agencies],
                leads=[services.LeadInput(person=lead)],
                target_date=seed.target_date,
            ),
        )
        for text in seed.evidence:
            services.evidence_add(recommendation=recommendation, cycle=completed, by=lead, at=rated_at, text=text)
        ratings[recommendation] = (statuses[seed.rag] if seed.rag else None, "")
    completed.refresh_from_db()
    services.ratings_save(
        cycle=completed, by=executive, expected_version=completed.version, ratings=ratings, at=rated_at
    )
    completed.refresh_from_db()
    services.cycle_complete(cycle=completed, by=executive, expected_version=completed.version, on=completed_on)
    title, due_on = REVIEW_OPEN_UPDATE
    services.cycle_open(plan=plan, by=executive, title=title, due_on=due_on)
