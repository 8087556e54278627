"""How every page and every write copes as the data grows: the demo (1x), ten years of it
(years) and 50 times it (stress), in the database DATABASE_URL names.

    .venv/bin/python bench/pages.py [--scale 1] [--repeat 5] [--rounds 2] [--shapes years,stress] [--out FILE]

For each shape it makes a fresh database beside the one DATABASE_URL names (``<name>_demo``,
``<name>_years``, ``<name>_stress``; with no DATABASE_URL, throwaway SQLite files), grows it
with bench/grow.py (which runs ANALYZE) and measures it in a process of its own, the shapes
taking turns for ``--rounds`` rounds; each figure is the quickest of its rounds, so that a
slow spell on a shared machine does not fall on one shape only:

- every page (GET) of the URL conf, as a persona tests/permissions.py's MATRIX lets see it
  (signed in with two-step verification passed, as the tests do), on sample objects of the
  demo, which every shape holds: the median of ``--repeat`` runs (of more, for a page that
  takes only milliseconds, until a quarter of a second has passed) after one to warm up,
  and the number of queries;
- every write (POST) of tests/permissions.py's POSTS that saves, posting the form as the
  service renders it (filled in as tests/test_post_walk.py fills it), each run in a
  transaction rolled back after, so each starts from the same data;
- each list beside a Django admin changelist of the same rows, a page of the same size
  (bench/admin.py: the service has no admin; the bench mounts one of its own);
- the report's PDF, per page, against WeasyPrint's cost for a plain document of as many pages.

It prints one table (page, time at each shape and its ratio to 1x, query counts) with the
goals of issue 14 beside: every page at "years" within 1.5x its 1x; every list within 1.0x the
admin showing the same rows; the report PDF within 1.5x the plain document. Timings are
figures to read, not tests: they depend on the machine. ``--scale 0.1`` tries it in minutes.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import statistics

# Runs the bench's own scripts.
import subprocess  # nosec B404
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

GOAL_YEARS = 1.5
GOAL_ADMIN = 1.0
GOAL_PDF = 1.5
# Who opens a page, of those the matrix lets in: the person who uses it most.
PERSONA_ORDER = (
    "executive",
    "audit_team",
    "professional_lead",
    "board_member",
    "administrator",
    "agency_auditor",
    "anonymous",
)
DEMO_EMAILS = {
    "administrator": "admin@example.org",
    "audit_team": "auditor@example.org",
    "agency_auditor": "agency.auditor@example.org",
    "professional_lead": "lead@example.org",
    "executive": "executive@example.org",
    "board_member": "board@example.org",
}
# Writes that are not the service's own (signing in and out, two-step verification).
NOT_SERVICE_WRITES = ("account_", "mfa_", "openid_connect_")
MARCH_2011 = datetime.date(2011, 3, 4)
# No upload is kept for this token: the pages that review one send the person to upload it.
NO_UPLOAD = "no-such-upload"


# --- Measuring one database (run in a process of its own) --------------------------------


def sample_kwargs() -> dict[str, dict[str, object]]:
    """The URLs' arguments: objects of the demo, which every shape holds unchanged
    (tests/test_permission_matrix.py's sample_kwargs, on the demo's own data)."""
    from audits.models import AuditCase, AuditRound, CaseRecord, Escalation, InquiryParticipant, LegalHold
    from dscb.models import Agency, RetentionRule, User
    from recommendations.models import ActionPlan, Evidence, Recommendation, ReviewCycle
    from reports.models import LearningSummary, NarrativeSection, PublishedReport, Report, ReportProse
    from tests.factories import sample_document_jobs

    # The round at its feedback (pages that read a round), the one collecting returns and
    # the one at moderation (pages that change one), and a case and a record of each.
    audit_round = AuditRound.objects.get(title__startswith="September 2010")
    collecting = AuditRound.objects.get(title="May 2011")
    case = AuditCase.objects.get(reference="MACA-2010-09-01")
    draft = AuditCase.objects.get(reference="MACA-2011-04-01")
    police = Agency.objects.get(short_name="Police")
    record = CaseRecord.objects.filter(case=case).order_by("pk").first()
    draft_record = CaseRecord.objects.filter(case=draft).order_by("pk").first()
    escalation = Escalation.objects.order_by("pk").first()
    participant = InquiryParticipant.objects.order_by("pk").first()
    plan = ActionPlan.objects.order_by("pk").first()
    recommendation = Recommendation.objects.get(plan=plan, number="1.1")
    cycle = ReviewCycle.objects.get(plan=plan, title="September 2011 update")
    completed = ReviewCycle.objects.get(plan=plan, title="March 2011 update")
    executive = User.objects.get(email="executive@example.org")
    if not Evidence.objects.exclude(file="").exists():
        # The demo's evidence is words and links: one file, for the download.
        from django.core.files.uploadedfile import SimpleUploadedFile

        from recommendations import services
        from tests.factories import MINIMAL_PDF

        services.evidence_add(
            recommendation=recommendation,
            cycle=cycle,
            by=executive,
            upload=SimpleUploadedFile("policy.pdf", MINIMAL_PDF, content_type="application/pdf"),
        )
    evidence = Evidence.objects.exclude(file="").order_by("pk").first()
    report = Report.objects.order_by("pk").first()
    section = NarrativeSection.objects.filter(report=report).order_by("pk").first()
    published = PublishedReport.objects.order_by("pk").first()
    learning = LearningSummary.objects.order_by("-state", "pk").first()
    someone = User.objects.get(email="board@example.org")
    hold = LegalHold.objects.filter(case=case).first() or LegalHold.objects.create(
        case=case, reason="Complaint under investigation.", placed_by=User.objects.get(email="admin@example.org")
    )
    kwargs: dict[str, dict[str, object]] = {
        "reports:retention_rule_edit": {"pk": RetentionRule.objects.get(kind=RetentionRule.Kind.CASE_AUDIT_DETAIL).pk},
        "reports:legal_hold_lift": {"pk": hold.pk},
        "reports:report_detail": {"pk": report.pk},
        "reports:report_edit": {"pk": report.pk},
        "reports:section_add": {"pk": report.pk},
        "reports:prose_edit": {"pk": report.pk, "block": ReportProse.Block.INTRODUCTION},
        "reports:prose_reset": {"pk": report.pk, "block": ReportProse.Block.METHOD},
        "reports:report_download": {"pk": report.pk, "kind": "summary"},
        "reports:report_publish": {"pk": report.pk},
        "reports:published_download": {"pk": published.pk, "kind": "pdf"},
        "reports:published_withdraw": {"pk": published.pk},
        "reports:learning_summary": {"pk": learning.audit_round_id},
        "reports:learning_draft": {"pk": learning.audit_round_id},
        "reports:learning_edit": {"pk": learning.audit_round_id},
        "reports:learning_preview": {"pk": learning.audit_round_id},
        "reports:learning_publish": {"pk": learning.audit_round_id},
        "reports:learning_download": {"pk": learning.audit_round_id},
        "audits:round_detail": {"pk": audit_round.pk},
        "audits:round_edit": {"pk": collecting.pk},
        "audits:round_move_on": {"pk": collecting.pk},
        "audits:round_reopen": {"pk": audit_round.pk},
        "audits:agency_return": {"pk": collecting.pk, "agency": police.pk},
        "audits:return_upload": {"pk": collecting.pk},
        "audits:return_review": {"pk": collecting.pk, "token": NO_UPLOAD},
        "audits:case_create": {"pk": collecting.pk},
        "audits:case_detail": {"pk": case.pk},
        "audits:case_print": {"pk": case.pk},
        "audits:case_edit": {"pk": draft.pk},
        "audits:case_grades": {"pk": draft.pk},
        "audits:case_finalise": {"pk": draft.pk},
        "audits:case_reopen": {"pk": case.pk},
        "audits:case_feedback": {"pk": case.pk},
        "audits:record_create": {"pk": draft.pk},
        "audits:escalation_create": {"pk": draft.pk},
        "audits:record_detail": {"pk": draft_record.pk},
        "audits:record_feedback": {"pk": record.pk},
        "audits:feedback_not_needed": {"pk": record.pk},
        "audits:escalation_edit": {"pk": escalation.pk},
        "audits:escalation_withdraw": {"pk": escalation.pk},
        "audits:participant_add": {"pk": participant.case_id},
        "audits:participant_remove": {"pk": participant.pk},
        "recommendations:plan": {"plan": plan.pk},
        "recommendations:plan_edit": {"plan": plan.pk},
        "recommendations:section_create": {"plan": plan.pk},
        "recommendations:plan_import": {"plan": plan.pk},
        "recommendations:plan_import_template": {"plan": plan.pk},
        "recommendations:plan_import_columns": {"plan": plan.pk, "token": NO_UPLOAD},
        "recommendations:plan_import_review": {"plan": plan.pk, "token": NO_UPLOAD},
        "recommendations:recommendation_create": {"plan": plan.pk},
        "recommendations:cycle_list": {"plan": plan.pk},
        "recommendations:cycle_create": {"plan": plan.pk},
        "recommendations:recommendation_detail": {"pk": recommendation.pk},
        "recommendations:recommendation_edit": {"pk": recommendation.pk},
        "recommendations:evidence_add": {"pk": recommendation.pk},
        "recommendations:evidence_download": {"pk": evidence.pk},
        "recommendations:evidence_remove": {"pk": evidence.pk},
        "recommendations:evidence_mark_in_error": {"pk": evidence.pk},
        "recommendations:closure_propose": {"pk": recommendation.pk},
        "recommendations:closure_decide": {"pk": recommendation.pk},
        "recommendations:cycle_ratings": {"pk": cycle.pk},
        "recommendations:cycle_complete": {"pk": cycle.pk},
        "recommendations:cycle_reopen": {"pk": completed.pk},
        "audits:round_list_download": {"kind": "csv"},
        "audits:round_cases": {"pk": audit_round.pk},
        "audits:round_cases_download": {"pk": audit_round.pk, "kind": "csv"},
        "audits:returns_grid_download": {"pk": audit_round.pk, "kind": "csv"},
        "audits:feedback_owed": {"pk": audit_round.pk},
        "audits:feedback_owed_download": {"pk": audit_round.pk, "kind": "csv"},
        "audits:escalation_list": {"pk": escalation.case.audit_round_id},
        "audits:escalation_list_download": {"pk": escalation.case.audit_round_id, "kind": "csv"},
        "recommendations:plan_list_download": {"kind": "csv"},
        "recommendations:plan_download": {"plan": plan.pk, "kind": "csv"},
        "recommendations:mine_download": {"kind": "csv"},
        "recommendations:overdue_download": {"kind": "csv"},
        "recommendations:recommendation_history_download": {"pk": recommendation.pk, "kind": "csv"},
        "recommendations:cycle_ratings_download": {"pk": cycle.pk, "kind": "csv"},
        "reports:rag_list_download": {"kind": "csv"},
        "reports:published_list_download": {"kind": "csv"},
        "security_events_download": {"kind": "csv"},
        **{
            name: {"pk": someone.pk}
            for name in ("person_detail", "person_change", "person_deactivate", "person_reactivate")
        },
        "person_authenticator_reset": {"pk": someone.pk},
        "reference_data_list": {"kind": "agencies"},
        "reference_data_add": {"kind": "agencies"},
        "reference_data_change": {"kind": "agencies", "pk": police.pk},
    }
    kwargs |= {"reports:draft_make": {"pk": report.pk, "kind": "pdf"}} | sample_document_jobs(
        report,
        executive=User.objects.get(email=DEMO_EMAILS["executive"]),
        administrator=User.objects.get(email=DEMO_EMAILS["administrator"]),
        reference=case.reference,
    )
    if section is not None:
        kwargs["reports:section_edit"] = {"pk": report.pk, "section_pk": section.pk}
        kwargs["reports:section_remove"] = {"pk": report.pk, "section_pk": section.pk}
    return kwargs


def extra_pages(kwargs: dict[str, dict[str, object]]) -> dict[str, str]:
    """Finding things in a long plan (issue 10): every filter at once, and a later page."""
    from django.urls import reverse

    from recommendations.models import RagStatus

    amber = RagStatus.objects.get(label="Amber").pk
    filters = f"?q=child&rag={amber}&overdue=1&page=2"
    return {
        "recommendations:plan (filtered)": reverse("recommendations:plan", kwargs=kwargs["recommendations:plan"])
        + filters,
        "recommendations:cycle_ratings (filtered)": reverse(
            "recommendations:cycle_ratings", kwargs=kwargs["recommendations:cycle_ratings"]
        )
        + filters,
        "reports:rag_list (filtered)": reverse("reports:rag_list") + filters,
    }


class Clients:
    """One signed-in client per persona, as the demo's account of that role."""

    def __init__(self) -> None:
        self.clients: dict[str, Any] = {}

    def __call__(self, persona: str) -> Any:
        from dscb.models import User
        from tests.conftest import Client, sign_in

        if persona not in self.clients:
            client = Client()
            if persona != "anonymous":
                sign_in(client, User.objects.get(email=DEMO_EMAILS[persona]))
            self.clients[persona] = client
        return self.clients[persona]


@contextmanager
def counted() -> Iterator[list[str]]:
    from django.db import connection

    queries: list[str] = []

    def count(execute: Callable[..., Any], sql: str, *rest: Any) -> Any:
        queries.append(sql)
        return execute(sql, *rest)

    with connection.execute_wrapper(count):
        yield queries


def fetch(client: Any, url: str) -> Any:
    response = client.get(url)
    if response.streaming:
        response.content_read = b"".join(response.streaming_content)
    return response


# A page of a few milliseconds is run until this much time has passed, not only --repeat
# times: five runs of a 3 ms page give a median that a scheduler hiccup moves by half.
MIN_SECONDS = 0.25


def measure_get(client: Any, url: str, repeat: int) -> tuple[float, int, Any]:
    """Median seconds, queries and the response, after one run to warm up."""
    fetch(client, url)  # templates and the first PDF render load once a process
    with counted() as queries:
        response = fetch(client, url)
    times: list[float] = []
    with quiet_collector():
        while len(times) < repeat or (sum(times) < MIN_SECONDS and len(times) < 100):
            started = time.perf_counter()
            fetch(client, url)
            times.append(time.perf_counter() - started)
    return statistics.median(times), len(queries), response


@contextmanager
def quiet_collector() -> Iterator[None]:
    """No garbage collection while a page is timed, as timeit does: a collection's cost
    grows with everything the process has built so far, not with the page (a shape whose
    earlier pages were bigger would otherwise pay it on its small ones)."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def measure_pages(clients: Clients, kwargs: dict[str, dict[str, object]], repeat: int) -> tuple[dict, dict, dict]:
    """Every page: {name: (seconds, queries, status)}; the forms found on them, by the URL
    name they post to; and pages not measured, with why."""
    from django.urls import NoReverseMatch, reverse

    from tests.html import read_page
    from tests.permissions import MATRIX, OK
    from tests.test_page_walk import view_name_of
    from tests.test_permission_matrix import FIGURE_LISTS, url_names

    results: dict[str, tuple[float, int, int]] = {}
    forms: dict[str, tuple[str, dict[str, list[str]]]] = {}
    skipped: dict[str, str] = {}
    pages = {}
    for name in sorted(url_names()):
        if name.startswith("bench_admin_"):
            continue  # the bench's own (bench/admin.py)
        persona = next((p for p in PERSONA_ORDER if MATRIX[name].get(p) == OK), None)
        if persona is None:
            skipped[name] = "no one gets a page (a redirect or a POST only)"
            continue
        try:
            url = reverse(name, kwargs=kwargs.get(name))
        except NoReverseMatch:
            skipped[name] = "no sample object"
            continue
        if name in FIGURE_LISTS:
            url += "?overdue=1"
        pages[name] = (persona, url)
    for name, url in extra_pages(kwargs).items():
        pages[name] = (next(p for p in PERSONA_ORDER if MATRIX[name.split(" ")[0]].get(p) == OK), url)
    for name, (persona, url) in pages.items():
        seconds, queries, response = measure_get(clients(persona), url, repeat)
        results[name] = (seconds, queries, response.status_code)
        if response.status_code == 200 and "html" in response.get("Content-Type", "") and not response.streaming:
            for form in read_page(response.content.decode()).post_forms:
                target = view_name_of(form.action, url)
                if target and target not in forms:
                    forms[target] = (persona, form.submission())
    return results, forms, skipped


def measure_posts(
    clients: Clients, kwargs: dict[str, dict[str, object]], forms: dict, repeat: int
) -> tuple[dict[str, tuple[float, int, str]], dict[str, str]]:
    """Every write that saves: {name: (seconds, queries, outcome)}, each POST in a
    transaction rolled back after."""
    from auditlog.models import LogEntry
    from django.db import transaction
    from django.urls import NoReverseMatch, reverse

    from tests.permissions import POSTS, REFUSALS, SAVED
    from tests.test_post_walk import plausible

    plain_forms = {name: submission for name, (_persona, submission) in forms.items()}
    results: dict[str, tuple[float, int, str]] = {}
    skipped: dict[str, str] = {}
    for name in sorted(POSTS):
        if name.startswith(NOT_SERVICE_WRITES):
            continue
        persona = next((p for p in PERSONA_ORDER if p != "anonymous" and POSTS[name][p] == SAVED), None) or next(
            (p for p in PERSONA_ORDER if p != "anonymous" and POSTS[name][p] not in REFUSALS), None
        )
        if persona is None:
            skipped[name] = "no one may post"
            continue
        client = clients(persona)
        try:
            url = reverse(name, kwargs=kwargs.get(name))
        except NoReverseMatch:
            skipped[name] = "no sample object"
            continue
        times = []
        queries = 0
        outcome = ""
        run = 0
        with quiet_collector():
            while run <= repeat or (sum(times) < MIN_SECONDS and run <= 100):
                run += 1
                with transaction.atomic():
                    data = plausible(name, plain_forms, kwargs)
                    last = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
                    with counted() as captured:
                        started = time.perf_counter()
                        response = client.post(url, data)
                        if response.streaming:
                            b"".join(response.streaming_content)
                        seconds = time.perf_counter() - started
                    changed = LogEntry.objects.filter(pk__gt=last).exclude(action=LogEntry.Action.ACCESS).exists()
                    transaction.set_rollback(True)
                if run == 1:
                    continue  # warm
                times.append(seconds)
                queries = len(captured)
                if response.status_code == 302:
                    outcome = "saved" if changed else "302, nothing changed"
                else:
                    outcome = f"answered {response.status_code}"
        results[name] = (statistics.median(times), queries, outcome)
    return results, skipped


def pdf_cost() -> tuple[int, float, float]:
    """(pages, seconds a page for the report, seconds a page for a plain document of as many pages)."""
    from django.template.loader import render_to_string

    from reports import document, renderers
    from reports.models import Report

    report = Report.objects.order_by("pk").first()
    built = document.build(report, today=MARCH_2011)
    started = time.perf_counter()
    html = render_to_string("reports/pdf/report.html", {"document": built})
    rendered = renderers.pdf_html(html).render()
    rendered.write_pdf(pdf_variant="pdf/ua-1")
    report_seconds = time.perf_counter() - started
    pages = len(rendered.pages)
    paragraph = "<p>" + "Plain text for the baseline, as long as a table row of evidence. " * 6 + "</p>"
    head = "<head><title>Baseline</title><style>@page { size: A4 }</style></head>"
    plain = f"<html lang='en-GB'>{head}<body>{paragraph * 9 * pages}</body></html>"
    started = time.perf_counter()
    baseline = renderers.pdf_html(plain).render()
    baseline.write_pdf(pdf_variant="pdf/ua-1")
    baseline_seconds = time.perf_counter() - started
    return pages, report_seconds / pages, baseline_seconds / max(1, len(baseline.pages))


def measure(repeat: int) -> dict[str, Any]:
    """Everything, in the database this process was started on."""
    from django.conf import settings
    from django.core.management import call_command

    from bench import admin as bench_admin

    # A database kept from an earlier run (--reuse) is brought up to the code's migrations;
    # the admin's tables are for the changelists the lists are compared with.
    call_command("migrate", verbosity=0)

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.ALLOWED_HOSTS = ["testserver"]
    # The TOTP authenticators grow.py gave the demo's accounts satisfy the check; the
    # sessions say two-step verification was passed (tests/conftest.py's sign_in).
    clients = Clients()
    kwargs = sample_kwargs()
    pages, forms, skipped = measure_pages(clients, kwargs, repeat)
    writes, skipped_writes = measure_posts(clients, kwargs, forms, repeat)
    admin = bench_admin.measure(clients, kwargs, repeat)
    return {
        "pages": pages,
        "writes": writes,
        "admin": admin,
        "pdf": pdf_cost(),
        "skipped": skipped | skipped_writes,
    }


# --- Running the shapes and printing the table -------------------------------------------


def shape_url(base: str, shape: str) -> str:
    """The database for one shape, beside the one ``base`` names."""
    parts = urlsplit(base)
    if parts.scheme.startswith("sqlite"):
        path = Path(base.split("://", 1)[1].removeprefix("/"))
        return f"{parts.scheme}:///{path.with_name(f'{path.stem}_{shape}{path.suffix}')}"
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_{shape}"))


def fresh_database(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        Path(url.split("://", 1)[1].removeprefix("/")).unlink(missing_ok=True)
        return
    import psycopg2

    name = parts.path.lstrip("/")
    connection = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def grow_shape(base: str, shape: str, scale: float) -> None:
    url = shape_url(base, shape)
    fresh_database(url)
    # The bench's own scripts.
    grown = subprocess.run(  # noqa: S603  # nosec B603
        [sys.executable, str(HERE / "grow.py"), shape, "--scale", str(scale)],
        env=os.environ | {"DATABASE_URL": url},
        capture_output=True,
        text=True,
    )
    if grown.returncode:
        raise SystemExit(f"Growing {shape} failed:\n{grown.stderr[-3000:]}")
    print(grown.stdout.strip(), flush=True)


def measure_shape(base: str, shape: str, repeat: int) -> dict[str, Any]:
    # The bench's own scripts.
    measured = subprocess.run(  # noqa: S603  # nosec B603
        [sys.executable, __file__, "--measure", "--repeat", str(repeat)],
        env=os.environ | {"DATABASE_URL": shape_url(base, shape)},
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(measured.stdout.strip().splitlines()[-1])


def quickest(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Each figure at its quickest over the rounds: a shared machine only ever adds time,
    and a round that happened to run slow throughout would otherwise make every ratio."""
    first = runs[0]
    merged: dict[str, Any] = {"skipped": first["skipped"]}
    for section in ("pages", "writes"):
        merged[section] = {
            name: min((run[section][name] for run in runs), key=lambda item: item[0]) for name in first[section]
        }
    merged["admin"] = {
        name: (
            rows,
            min(run["admin"][name][1] for run in runs),
            queries,
            min(run["admin"][name][3] for run in runs),
            admin_queries,
        )
        for name, (rows, _seconds, queries, _admin_seconds, admin_queries) in first["admin"].items()
    }
    count = first["pdf"][0]
    merged["pdf"] = (count, min(run["pdf"][1] for run in runs), min(run["pdf"][2] for run in runs))
    return merged


def ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.0f}"


def ratio(value: float | None, base: float | None) -> str:
    return "-" if value is None or not base else f"{value / base:.2f}"


def table(results: dict[str, dict[str, Any]], shapes: list[str]) -> list[str]:
    lines = []
    head = f"{'page':<48} {'1x ms':>7}"
    for shape in shapes:
        head += f" {shape + ' ms':>10} {'ratio':>6}"
    head += f" {'queries 1x':>10}" + "".join(f" {shape:>7}" for shape in shapes)
    demo = results["demo"]
    for section, title in (("pages", "Pages (GET)"), ("writes", "Writes (POST, rolled back)")):
        lines += ["", title, head]
        over = []
        for name, (seconds, queries, status) in demo[section].items():
            line = f"{name[:48]:<48} {ms(seconds):>7}"
            for shape in shapes:
                other = results[shape][section].get(name)
                line += f" {ms(other[0] if other else None):>10} {ratio(other[0] if other else None, seconds):>6}"
            line += f" {queries:>10}" + "".join(
                f" {results[shape][section].get(name, [None, '-'])[1]:>7}" for shape in shapes
            )
            if status not in ("saved", 200):
                line += f"  ({status})"
            if (
                "years" in results
                and (other := results["years"][section].get(name))
                and other[0] / seconds > GOAL_YEARS
            ):
                over.append(name)
                line += "  * over the goal"
            lines.append(line)
        if "years" in results:
            lines.append(f"Goal: years <= {GOAL_YEARS}x 1x. Over it: {len(over)} of {len(demo[section])}.")
    lines += ["", "Lists beside the Django admin changelist showing the same rows (a page of the same size)"]
    lines.append(
        f"{'list':<40} {'shape':<7} {'rows':>6} {'list ms':>8} {'admin ms':>9} {'ratio':>6} "
        f"{'q list':>7} {'q admin':>8}"
    )
    for shape in ["demo", *shapes]:
        for name, (rows, seconds, queries, admin_seconds, admin_queries) in results[shape]["admin"].items():
            mark = "  * over the goal" if seconds / admin_seconds > GOAL_ADMIN else ""
            lines.append(
                f"{name[:40]:<40} {shape:<7} {rows:>6} {ms(seconds):>8} {ms(admin_seconds):>9} "
                f"{ratio(seconds, admin_seconds):>6} {queries:>7} {admin_queries:>8}{mark}"
            )
    lines.append(f"Goal: every list <= {GOAL_ADMIN}x the admin changelist.")
    lines += ["", f"{'report PDF':<12} {'pages':>6} {'s/page':>8} {'plain s/page':>13} {'ratio':>6}"]
    for shape in ["demo", *shapes]:
        count, per_page, baseline = results[shape]["pdf"]
        lines.append(f"{shape:<12} {count:>6} {per_page:>8.4f} {baseline:>13.4f} {per_page / baseline:>6.2f}")
    lines.append(f"Goal: the report PDF <= {GOAL_PDF}x the plain document, a page.")
    skipped = results["demo"]["skipped"]
    if skipped:
        lines += ["", "Not measured: " + "; ".join(f"{name} ({why})" for name, why in sorted(skipped.items()))]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="of the grown shapes; 0.1 for a quick try")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2, help="each shape measured this many times, in turns")
    parser.add_argument("--shapes", default="years,stress")
    parser.add_argument("--reuse", action="store_true", help="measure the databases a run before grew")
    parser.add_argument("--out", help="also write the table to this file")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        from bench.grow import setup_django

        os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
        setup_django()
        print(json.dumps(measure(args.repeat)))
        return
    shapes = [shape for shape in args.shapes.split(",") if shape]
    base = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp(prefix='dscb-bench-')}/bench.sqlite3"
    started = time.perf_counter()
    if not args.reuse:
        for shape in ["demo", *shapes]:
            grow_shape(base, shape, args.scale)
    # The shapes take turns, round after round, so a slow spell on the machine falls on each.
    runs: dict[str, list[dict[str, Any]]] = {shape: [] for shape in ["demo", *shapes]}
    for _ in range(args.rounds):
        for shape in runs:
            runs[shape].append(measure_shape(base, shape, args.repeat))
    results = {shape: quickest(measured) for shape, measured in runs.items()}
    engine = urlsplit(base).scheme
    lines = [
        f"bench/pages.py, {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {engine}, "
        f"--scale {args.scale:g}, --repeat {args.repeat}, --rounds {args.rounds}, {os.cpu_count()} cores, "
        f"{time.perf_counter() - started:.0f} s",
        *table(results, shapes),
    ]
    print("\n".join(lines))
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
