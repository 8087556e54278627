"""Checks every page must pass, made on every page every persona can open.

The walk reuses the permission matrix's URLs and sample objects, so a new page is
checked as soon as it has its row there. Each check catches a whole kind of defect:

- every ``<form method="post">`` carries its CSRF token (a partial included with
  ``only`` once dropped it, and "Remove" failed for everyone);
- no ``id`` appears twice on a page (two forms once both rendered ``id_version``);
- every POST form either carries the version of what it edits (a second save is
  refused, never a silent overwrite) or a one-time key (sent twice, it creates one
  thing), unless it is one of the few forms listed in ``NEITHER_VERSION_NOR_KEY``;
- every page editing a row through a model form edits a versioned model;
- every GOV.UK button that sends a form ignores a second click (a triple click once
  raised three requests for immediate intervention);
- every page that shows what is in a child's case, and every download, records exactly
  one read in the history; no other page records any (a list as CSV is read as a page:
  it records a read when it holds case data).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from auditlog.models import LogEntry
from django import forms
from django.urls import Resolver404, resolve, reverse

from audits.models import AuditCase, CaseRecord, Escalation
from dscb.concurrency import Versioned
from dscb.forms import SUBMISSION_KEY
from tests.conftest import PERSONAS
from tests.html import read_page
from tests.test_permission_matrix import FIGURE_LISTS, sample_kwargs, url_names

# POST forms that need neither a version nor a one-time key, and why.
NEITHER_VERSION_NOR_KEY = {
    # Signing in and out, passwords and two-step verification: allauth's own forms change
    # only the person's own account, and each step checks its own state.
    "account_login": "sign-in",
    "account_logout": "sign-out",
    "account_reauthenticate": "sign-in again",
    "account_change_password": "the person's own password",
    "account_set_password": "the person's own password",
    "account_reset_password": "asks for an email",
    "account_reset_password_from_key": "a one-time link",
    "mfa_activate_totp": "the person's own authenticator",
    "mfa_deactivate_totp": "the person's own authenticator",
    "mfa_generate_recovery_codes": "the person's own codes",
    "mfa_reauthenticate": "sign-in again",
    "mfa_authenticate": "sign-in",
    # Removing: a second removal finds nothing to remove.
    "audits:participant_remove": "removal",
    "reports:section_remove": "removal",
    "recommendations:evidence_remove": "removal",
    # A round has one learning summary: a second draft is refused by the service.
    "reports:learning_draft": "one a round",
    # A second withdrawal finds the publication withdrawn already.
    "reports:published_withdraw": "withdrawal",
    # The service refuses marking evidence a second time.
    "recommendations:evidence_mark_in_error": "marked once",
    # The service refuses a second publication under a row lock, and the database too.
    "reports:report_publish": "publication",
    # Uploading a spreadsheet saves nothing: it is read for a dry run, kept in the session.
    "recommendations:plan_import": "a dry run",
    "audits:return_upload": "a dry run",
    # Matching a file's columns keeps one mapping per plan and headers: sent twice, the same one.
    "recommendations:plan_import_columns": "one mapping per plan and headers",
    # Resetting someone's authenticator removes it: a second reset finds nothing to remove.
    "person_authenticator_reset": "removal",
    # The service refuses lifting a hold a second time.
    "reports:legal_hold_lift": "lifted once",
}

# Pages that list board references, and nothing else about the cases, record no read:
# the home page's open requests for immediate intervention, and the search by board reference.
# The legal holds list the cases held by board reference, and lifting one names its case.
REFERENCE_LISTS = {"home", "audits:case_search", "reports:retention", "reports:legal_hold_lift"}
# Files about the person's own account, not about anyone else: their recovery codes.
OWN_ACCOUNT_FILES = {"mfa_download_recovery_codes"}

CASE_TEXT = "Marker text from the sample case"


def pages_for(persona: str, persona_client, *, include_files: bool = False):
    """(URL name, URL, response, reads recorded) for every page ``persona`` can open."""
    client = persona_client(persona)
    kwargs = sample_kwargs(client.user)
    for model, fields in (
        (AuditCase, ("findings", "strengths", "areas_for_development")),
        (CaseRecord, ("findings",)),
        (Escalation, ("reason",)),
    ):
        model.objects.update(**dict.fromkeys(fields, CASE_TEXT))
    yield from walk(client, kwargs, include_files=include_files)


def walk(client, kwargs: dict[str, dict[str, object]], *, include_files: bool = False):
    """``pages_for`` with a client and sample objects made beforehand (``sample_kwargs``)."""
    for name in sorted(url_names()):
        url = reverse(name, kwargs=kwargs.get(name))
        if name in FIGURE_LISTS:
            url += "?overdue=1"
        reads_before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        reads = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() - reads_before
        is_html = response.status_code == 200 and response["Content-Type"].startswith("text/html")
        if is_html or include_files:
            yield name, url, response, reads


def html_pages(persona: str, persona_client):
    for name, url, response, _reads in pages_for(persona, persona_client):
        yield name, url, response, read_page(response.content.decode())


def view_name_of(action: str, page_url: str) -> str | None:
    try:
        return resolve(urlsplit(action or page_url).path).view_name
    except Resolver404:
        return None


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_post_form_on_every_page_carries_its_csrf_token(persona, persona_client):
    missing = [
        f"{name} ({url}): form posting to {form.action or 'itself'}"
        for name, url, _response, page in html_pages(persona, persona_client)
        for form in page.post_forms
        if "csrfmiddlewaretoken" not in form.fields
    ]
    assert missing == [], "POST forms without a CSRF token:\n" + "\n".join(missing)


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_page_repeats_an_id(persona, persona_client):
    repeated = [
        f"{name} ({url}): {', '.join(page.duplicate_ids)}"
        for name, url, _response, page in html_pages(persona, persona_client)
        if page.duplicate_ids
    ]
    assert repeated == [], "Pages with an id used more than once:\n" + "\n".join(repeated)


@pytest.mark.parametrize("persona", ["audit_team", "executive"])
def test_every_button_that_sends_a_form_ignores_a_second_click(persona, persona_client):
    # GOV.UK Frontend's button ignores a second click within a second; the server makes a
    # form sent twice harmless too (a one-time key or a version).
    unguarded = [
        f"{name} ({url}): {button.get('class')}"
        for name, url, _response, page in html_pages(persona, persona_client)
        for form in page.post_forms
        for button in form.buttons
        if "govuk-button" in (button.get("class") or "").split() and button.get("data-prevent-double-click") != "true"
    ]
    assert unguarded == [], "Buttons without data-prevent-double-click:\n" + "\n".join(unguarded)


def carries_version_or_key(fields: list[str]) -> bool:
    return SUBMISSION_KEY in fields or any(field == "version" or field.endswith("_version") for field in fields)


@pytest.mark.parametrize("persona", ["administrator", "audit_team", "agency_auditor", "professional_lead", "executive"])
def test_every_post_form_carries_a_version_or_a_one_time_key(persona, persona_client):
    bare = []
    for name, url, response, page in html_pages(persona, persona_client):
        for form in page.post_forms:
            target = view_name_of(form.action, url)
            if target is None or target in NEITHER_VERSION_NOR_KEY:
                continue
            if not carries_version_or_key(form.fields):
                bare.append(f"{name} ({url}): form posting to {target}")
        context = response.context or {}
        form = context.get("form")
        edits_a_row = isinstance(form, forms.ModelForm) and form.instance.pk
        if edits_a_row and (not isinstance(form.instance, Versioned) or "version" not in form.fields):
            bare.append(f"{name} ({url}): edits a {type(form.instance).__name__} without its version")
    assert bare == [], "Forms that could overwrite someone's save or create twice:\n" + "\n".join(bare)


@pytest.mark.parametrize("persona", ["audit_team", "agency_auditor", "professional_lead", "executive", "board_member"])
def test_every_page_showing_case_data_and_every_download_records_one_read(persona, persona_client):
    wrong = []
    references = list(AuditCase.objects.values_list("reference", flat=True))
    for name, url, response, reads in pages_for(persona, persona_client, include_files=True):
        marked = getattr(resolve(urlsplit(url).path).func, "reads_personal_data", False)
        if response.status_code != 200:
            if reads:
                wrong.append(f"{name} ({url}): answered {response.status_code} but recorded {reads} reads")
            continue
        # A list as CSV is read like a page: it records a read only if it holds case data.
        is_list = response["Content-Type"].startswith("text/csv")
        is_file = (
            name not in OWN_ACCOUNT_FILES
            and not is_list
            and (response.streaming or "attachment" in response.get("Content-Disposition", ""))
        )
        text = "" if is_file else response.content.decode()
        shows_case = CASE_TEXT in text or (name not in REFERENCE_LISTS and any(ref in text for ref in references))
        if (shows_case or is_file) and not marked:
            wrong.append(f"{name} ({url}): shows case data or a file but is not marked @reads_personal_data")
        expected = 1 if marked else 0
        if reads != expected:
            wrong.append(f"{name} ({url}): recorded {reads} reads, expected {expected}")
    assert wrong == [], "\n".join(wrong)


@pytest.mark.django_db  # the refusal is kept as a security event
def test_the_suites_client_refuses_a_post_without_its_token(client):
    response = client.post(reverse("account_login"), {"login": "a@example.org", "password": "x"}, csrf=False)
    assert response.status_code == 403


def test_no_test_uses_djangos_own_client_which_skips_csrf_checks():
    tests = Path(__file__).resolve().parent
    offenders = [
        path.relative_to(tests).as_posix()
        for path in tests.rglob("*.py")
        if re.search(r"^from django\.test import .*\bClient\b", path.read_text(), re.M) and path.name != "conftest.py"
    ]
    assert offenders == [], "Use tests.conftest.Client, which checks CSRF as production does"
