"""POSTs to every URL that takes one, as every persona, and compares what happens with
POSTS in tests/permissions.py. Those refused must leave the database exactly as it was:
every row of every table of our apps, and the history.

What is posted is the form as the service renders it (found on any page, by the page
walk), with a create form's fields filled in from tests/test_create_once.py, so a
refusal is a refusal and not a form too poor to save. Each POST runs in a transaction
that is rolled back, so each starts from the same sample objects."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.models import AuditCase
from dscb.models import SecurityEvent
from recommendations.models import Recommendation
from tests.conftest import PERSONAS, Client
from tests.html import read_page
from tests.permissions import ANSWERED, MATRIX, NOT_ALLOWED, POSTS, REFUSALS, SAVED, Outcome
from tests.tables import Table
from tests.test_create_once import CREATES
from tests.test_page_walk import view_name_of, walk
from tests.test_permission_matrix import outcome_of, sample_kwargs, url_names

OUR_APPS = ("dscb", "audits", "recommendations", "reports")
# Personas whose pages hold the forms to post (between them, every form of the service).
FORM_HOLDERS = ("audit_team", "executive", "professional_lead", "administrator")


def watched() -> list[Table]:
    """Every table of our apps, and the history. Security events apart: a refusal, a
    sign-out and a download are themselves kept as one (tests/dscb)."""
    return [
        Table.of(model)
        for app in OUR_APPS
        for model in apps.get_app_config(app).get_models()
        if model is not SecurityEvent
    ] + [Table.of(LogEntry)]


def snapshot() -> dict[str, dict[object, tuple[object, ...]]]:
    """Every row of every watched table."""
    return {table.model._meta.label: table.rows() for table in watched()}


WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def post(client: Client, url: str, data: dict[str, list[str]]) -> tuple[Outcome, bool]:
    """What a POST answers, and whether it changed the database (then undone). The client
    keeps its cookies: a sign-out rolled back leaves its session there to use again.

    Only a POST that wrote to a watched table can have changed one: its rows are read
    before the rollback and compared with them after it, which is the state before."""
    cookies = SimpleCookie(client.cookies)
    tables = {table.name for table in watched()}
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        response = client.post(url, data)
        if response.streaming:
            b"".join(response.streaming_content)
        wrote = any((write := WRITE.match(query["sql"])) and write.group(1) in tables for query in queries)
        after = snapshot() if wrote else None
        transaction.set_rollback(True)
    changed = after is not None and snapshot() != after
    client.cookies = cookies
    return outcome_of(response), changed


def forms_by_target(persona_client, kwargs: dict[str, dict[str, object]]) -> dict[str, dict[str, list[str]]]:
    """For each URL name, the first form on any page that posts to it, as rendered."""
    found: dict[str, dict[str, list[str]]] = {}
    for persona in FORM_HOLDERS:
        for _name, url, response, _reads in walk(persona_client(persona), kwargs):
            for form in read_page(response.content.decode()).post_forms:
                target = view_name_of(form.action, url)
                if target and target not in found:
                    found[target] = form.submission()
    return found


def plausible(
    name: str, forms: dict[str, dict[str, list[str]]], kwargs: dict[str, dict[str, object]]
) -> dict[str, list[str]]:
    data = dict(forms.get(name, {}))
    if name in CREATES:
        _args, submission = CREATES[name].setup()
        data |= {field: value if isinstance(value, list) else [str(value)] for field, value in submission.items()}
    if name in ("recommendations:recommendation_create", "recommendations:recommendation_edit"):
        # A section of the sample plan, and a number in it: RecommendationFactory numbers
        # every recommendation 1.n, whatever its section, which the service refuses.
        section = Recommendation.objects.get(**kwargs["recommendations:recommendation_edit"]).section
        data |= {"section": [str(section.pk)], "number": [f"{section.number}.9"]}
    if name in ("recommendations:cycle_reopen", "reports:published_withdraw", "reports:legal_hold_lift"):
        data["reason"] = ["A rating was entered against the wrong recommendation."]
    if name == "recommendations:closure_propose":
        data["impact_statement"] = ["Strategy discussions now include every agency: the spring audit found all did."]
    if name == "reports:prose_edit":
        # As it is shown, the block is its default: saved unchanged, it stays the default.
        data["body"] = ["The audit team has audited the records of every agency working with each child."]
    if name == "reports:subject_access":
        data["reference"] = [AuditCase.objects.get(**kwargs["audits:case_detail"]).reference]
    if name == "audits:record_create":
        # The sample case already holds the sample agency's record of the child.
        data["subject"] = ["other_adult"]
    data.pop("csrfmiddlewaretoken", None)  # the client sends its own
    return data


def posts_taken(persona_client) -> dict[str, bool]:
    """For every URL with someone the matrix lets past its gate (to the page, or to its
    refusal of a GET), whether its view takes a POST from the first of them (not 405)."""
    kwargs = sample_kwargs()
    clients: dict[str, Client] = {}
    taken = {}
    for name in sorted(url_names()):
        persona = next((p for p in PERSONAS if MATRIX[name][p] not in REFUSALS - {NOT_ALLOWED}), None)
        if persona is None:
            continue  # refused to all: a row in POSTS checks it refuses a POST too
        if persona not in clients:
            clients[persona] = persona_client(persona)
        outcome, _changed = post(clients[persona], reverse(name, kwargs=kwargs.get(name)), {})
        taken[name] = outcome != NOT_ALLOWED
    return taken


def test_every_url_that_takes_a_post_has_a_row(persona_client):
    taken = posts_taken(persona_client)
    assert sorted(name for name in taken if taken[name] and name not in POSTS) == [], (
        "URLs taking a POST without a row in POSTS (tests/permissions.py)"
    )
    assert sorted(name for name in POSTS if not taken.get(name, True)) == [], "rows in POSTS for URLs taking no POST"
    assert sorted(set(POSTS) - set(url_names())) == [], "rows in POSTS for URLs that no longer exist"


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_post_answers_each_persona_as_the_matrix_says(persona, persona_client):
    client = persona_client(persona)
    kwargs = sample_kwargs(client.user)
    forms = forms_by_target(persona_client, kwargs)
    mismatches = []
    for name in sorted(POSTS):
        expected = POSTS[name][persona]
        outcome, changed = post(client, reverse(name, kwargs=kwargs.get(name)), plausible(name, forms, kwargs))
        if expected == SAVED:
            saved = outcome.status == 302 and outcome not in REFUSALS and changed
            if not saved:
                mismatches.append(f"{name}: expected a save, got {outcome}, database changed: {changed}")
        elif expected == ANSWERED:
            if outcome in REFUSALS:
                mismatches.append(f"{name}: expected an answer, got {outcome}")
        elif outcome != expected:
            mismatches.append(f"{name}: expected {expected}, got {outcome}")
        elif expected in REFUSALS and changed:
            mismatches.append(f"{name}: refused with {outcome}, yet the database changed")
    assert not mismatches, "\n".join(mismatches)
