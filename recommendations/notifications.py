"""The action plan's emails: whom each goes to, when, and the key that stops it going
twice (README, "Emails the service sends"). The services call these once their work is
done; nothing here decides anything."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from django.conf import settings

from dscb.emails import link_to, send_once, send_to_each
from dscb.roles import Role
from dscb.selectors import people_with_role
from recommendations import selectors
from recommendations.models import ProgressUpdate, RecommendationLead

if TYPE_CHECKING:
    from dscb.models import User
    from recommendations.models import Recommendation, ReviewCycle


def _context(**values: object) -> dict[str, object]:
    return {"board_name": settings.BOARD_NAME, "scale": selectors.plan_words(), **values}


def update_opened(cycle: ReviewCycle, needs: Mapping[User, Iterable[Recommendation]]) -> None:
    """Each lead, when an update opens: the recommendations it needs their evidence for."""
    for lead, recommendations in needs.items():
        send_once(
            key=f"update-opened:{cycle.pk}:to:{lead.pk}",
            template="recommendations/email/update_opened",
            context=_context(cycle=cycle, recommendations=list(recommendations), link=link_to("recommendations:mine")),
            to=lead,
        )


def update_opened_for_leads(cycle: ReviewCycle) -> None:
    update_opened(cycle, selectors.leads_to_remind(cycle))


def person_leads(recommendation: Recommendation) -> list[User]:
    leads = RecommendationLead.objects.filter(recommendation=recommendation, person__isnull=False)
    return [lead.person for lead in leads.select_related("person") if lead.person is not None]


def rating_proposed(update: ProgressUpdate, by: User) -> None:
    """The Executive, when a lead proposes a rating (once for each rating proposed)."""
    recommendation = update.recommendation
    send_to_each(
        key=f"rating-proposed:{update.pk}:{update.proposed_rag_id}",
        template="recommendations/email/rating_proposed",
        context=_context(
            recommendation=recommendation,
            cycle=update.cycle,
            proposed=update.proposed_rag,
            by=by,
            link=link_to("recommendations:recommendation_detail", recommendation.pk),
        ),
        people=people_with_role(Role.EXECUTIVE).exclude(pk=by.pk),
    )


def ratings_decided_for_leads(cycle: ReviewCycle, update_ids: Iterable[int]) -> None:
    """``ratings_decided`` for the updates rated, each told to the person leads of its recommendation."""
    updates = ProgressUpdate.objects.filter(pk__in=list(update_ids)).select_related(
        "recommendation", "rag", "proposed_rag"
    )
    by_pk = {update.recommendation_id: update for update in updates}
    decided: dict[User, list[ProgressUpdate]] = {}
    leads = RecommendationLead.objects.filter(recommendation__in=list(by_pk), person__is_active=True)
    for lead in leads.select_related("person").order_by("person_id", "recommendation_id"):
        if lead.person is not None:
            decided.setdefault(lead.person, []).append(by_pk[lead.recommendation_id])
    ratings_decided(cycle, decided)


def ratings_decided(cycle: ReviewCycle, decided: Mapping[User, list[ProgressUpdate]]) -> None:
    """Each lead whose proposed ratings the Executive has now rated: accepted where the
    rating is the one proposed, otherwise the rating given and its note."""
    for lead, updates in decided.items():
        decisions = ",".join(f"{update.pk}={update.rag_id}" for update in sorted(updates, key=lambda u: u.pk))
        send_once(
            key=f"ratings-decided:{cycle.pk}:{decisions}:to:{lead.pk}"[:200],
            template="recommendations/email/ratings_decided",
            context=_context(cycle=cycle, updates=updates, link=link_to("recommendations:mine")),
            to=lead,
        )


def closure_proposed(recommendation: Recommendation, by: User, *, proposal: int) -> None:
    """The Executive, when a lead proposes closing a recommendation on its impact."""
    send_to_each(
        key=f"closure-proposed:{recommendation.pk}:{proposal}",
        template="recommendations/email/closure_proposed",
        context=_context(
            recommendation=recommendation,
            by=by,
            link=link_to("recommendations:recommendation_detail", recommendation.pk),
        ),
        people=people_with_role(Role.EXECUTIVE).exclude(pk=by.pk),
    )


def closure_decided(
    recommendation: Recommendation, leads: Iterable[User], *, accepted: bool, reason: str, proposal: int
) -> None:
    """The leads, when the Executive accepts or returns a proposal to close."""
    send_to_each(
        key=f"closure-decided:{recommendation.pk}:{proposal}",
        template="recommendations/email/closure_decided",
        context=_context(
            recommendation=recommendation,
            accepted=accepted,
            reason=reason,
            link=link_to("recommendations:recommendation_detail", recommendation.pk),
        ),
        people=leads,
    )
