"""How the dashboards and the six-monthly report cope with 50 times the demo data.

    .venv/bin/python bench/report_speed.py [--repeat 5] [--scale 50]

Builds a throwaway SQLite database with the demo data (36 children, 32 recommendations),
measures each page and two writes, then grows it to --scale times the demo (about 1,800
children and 1,600 recommendations) and measures again. Prints, per page and per write, the
median server time at both sizes and their ratio, and the query counts at both sizes; and
the PDF's seconds per page against WeasyPrint's own cost for a plain document of the same
number of pages. The writes: the bulk RAG save (every rating on the open cycle's ratings
page changed) and one agency record with its five grades and the whole checklist, added
and then edited.

The pages include the plan page, the open update's ratings page and the dashboard's list of
recommendations, whole and with every filter (issue 10: they page long results, and filter
in the database), and the overdue list.

Aims (issues 5, 9 and 10): equal query counts; dashboards at 50x within 2x of their time at 1x;
the report's cost per PDF page within 25% of the plain baseline. Timings are figures to
read, not tests: they depend on the machine.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
WORK = tempfile.mkdtemp(prefix="dscb-bench-")
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "dscb.settings",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123",  # nosec B105
        "DEBUG": "false",
        "MFA_REQUIRED": "false",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"sqlite:///{WORK}/bench.sqlite3",
        "MEDIA_ROOT": f"{WORK}/media",
    }
)

import warnings  # noqa: E402

import django  # noqa: E402

warnings.filterwarnings("ignore", message="No directory at")
django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Model  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
settings.ALLOWED_HOSTS = ["testserver"]

MARCH_2011 = datetime.date(2011, 3, 4)
# The seed's open update (the demo's second plan has one too).
SEED_OPEN_UPDATE = "September 2011 update"
# The demo's round not started yet: the writes add their cases there, and the data grown
# leaves them out.
WRITES_ROUND = "June 2011"


def load_demo() -> None:
    call_command("migrate", verbosity=0)
    settings.DEBUG = True
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    settings.DEBUG = False


def copied(row: Model, **changes: object) -> Model:
    """A new, unsaved row like ``row``: every stored field but its key and what the database
    derives (a recommendation's sort key), with ``changes`` (by attribute name: ``case_id``)."""
    values = {
        field.attname: getattr(row, field.attname)
        for field in row._meta.concrete_fields
        if not field.primary_key and not field.generated
    }
    return type(row)(**(values | changes))


def valid(row: Model) -> Model:
    row.full_clean()
    return row


def grow(scale: int) -> None:
    """Copy the demo's children and recommendations until there are ``scale`` times as
    many: the same shapes, new references and numbers that pass validation. The copies join
    the same rounds and sections, so each page shows the same amount and what grows is the
    data read, not the page."""
    from audits.models import AuditCase, AuditRound, CaseRecord, ChecklistAnswer, RecordGrade, ThemeRating
    from recommendations.models import Evidence, ProgressUpdate, Recommendation

    originals = {
        audit_round: list(audit_round.cases.prefetch_related("theme_ratings", "records__grades", "records__answers"))
        for audit_round in AuditRound.objects.filter(cases__isnull=False).exclude(title=WRITES_ROUND).distinct()
    }
    for copy in range(1, scale):
        for cases in originals.values():
            # MACA-2009-03-01 is copied as MACA-2009-03-101, -109, ...: the round's prefix, a new number.
            references = [
                f"{case.reference.rsplit('-', 1)[0]}-{100 + (copy - 1) * len(cases) + index:03d}"
                for index, case in enumerate(cases)
            ]
            new_cases = AuditCase.objects.bulk_create(
                valid(copied(case, reference=reference)) for case, reference in zip(cases, references, strict=True)
            )
            pairs = list(zip(cases, new_cases, strict=True))
            ThemeRating.objects.bulk_create(
                copied(rating, case_id=new.pk) for old, new in pairs for rating in old.theme_ratings.all()
            )
            records = [(record, copied(record, case_id=new.pk)) for old, new in pairs for record in old.records.all()]
            CaseRecord.objects.bulk_create(new for _, new in records)
            RecordGrade.objects.bulk_create(
                copied(grade, record_id=new.pk) for old, new in records for grade in old.grades.all()
            )
            ChecklistAnswer.objects.bulk_create(
                copied(answer, record_id=new.pk) for old, new in records for answer in old.answers.all()
            )
    recommendations = list(Recommendation.objects.prefetch_related("updates__evidence"))
    last_item: dict[int, int] = {}  # the highest item number in each section so far
    for recommendation in recommendations:
        last_item[recommendation.section_id] = max(
            last_item.get(recommendation.section_id, 0), recommendation.number_minor
        )
    for _copy in range(1, scale):
        pairs = []
        for recommendation in recommendations:
            last_item[recommendation.section_id] += 1
            number = f"{recommendation.number_major}.{last_item[recommendation.section_id]}"
            pairs.append((recommendation, valid(copied(recommendation, number=number))))
        Recommendation.objects.bulk_create(new for _, new in pairs)
        updates = [
            (update, copied(update, recommendation_id=new.pk)) for old, new in pairs for update in old.updates.all()
        ]
        ProgressUpdate.objects.bulk_create(new for _, new in updates)
        Evidence.objects.bulk_create(
            copied(evidence, update_id=new.pk) for old, new in updates for evidence in old.evidence.all()
        )


def measure(client: Client, url: str, repeat: int) -> tuple[float, int]:
    client.get(url)  # warm: templates and the first PDF render load once per process
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *rest: queries.append(sql) or execute(sql, *rest)):
        response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - started)
    return statistics.median(times), len(queries)


# The n-th POST of a write: its URL and its data.
Post = Callable[[int], tuple[str, dict[str, object]]]
CASE_NUMBERS = itertools.count(1)


def measure_post(client: Client, post: Post, repeat: int) -> tuple[float, int]:
    """Like ``measure``, for a write: ``post(n)`` prepares the n-th POST (its URL and data, each
    changing what the one before saved); only sending it is timed and counted."""

    def send(url: str, data: dict[str, object]) -> float:
        started = time.perf_counter()
        response = client.post(url, data)
        if response.status_code != 302:
            raise SystemExit(f"POST {url} answered {response.status_code}")
        return time.perf_counter() - started

    send(*post(0))  # warm
    queries = []
    url, data = post(1)
    with connection.execute_wrapper(lambda execute, sql, *rest: queries.append(sql) or execute(sql, *rest)):
        send(url, data)
    return statistics.median(send(*post(n)) for n in range(2, repeat + 2)), len(queries)


def ratings_posts(client: Client) -> tuple[int, Post]:
    """The bulk RAG save: the open cycle's ratings page (its first, where a long plan is rated
    a section at a time), every rating on it changed each time. Returns how many that is."""
    from recommendations import selectors
    from recommendations.models import CycleState, ReviewCycle

    cycle = ReviewCycle.objects.get(state=CycleState.OPEN, title=SEED_OPEN_UPDATE)
    url = reverse("recommendations:cycle_ratings", args=[cycle.pk])
    on_page = re.findall(r'name="rag_([0-9]+)"', client.get(url).content.decode())
    first, second = (status.pk for status in selectors.rag_statuses()[:2])

    def post(n: int) -> tuple[str, dict[str, object]]:
        cycle.refresh_from_db(fields=["version"])
        status = first if n % 2 == 0 else second
        data: dict[str, object] = {"version": cycle.version}
        for pk in on_page:
            data |= {f"rag_{pk}": status, f"note_{pk}": f"Checked at the meeting ({n})."}
        return url + "?page=1", data

    return len(on_page), post


def record_posts(*, edit: bool) -> Post:
    """Saving one agency record with a grade on every theme (five) and the whole checklist:
    a new record on a new case each time, or (``edit``) every grade and answer changed on one."""
    import uuid

    from audits import selectors, services
    from audits.models import AuditCase, AuditRound, CaseRecord, Grade
    from dscb.models import Agency, User

    auditor = User.objects.get(email="auditor@example.org")
    audit_round = AuditRound.objects.get(title=WRITES_ROUND)
    police = Agency.objects.get(short_name="Police")
    scales = selectors.scales()
    grades = [Grade.objects.get(label="Good").pk, Grade.objects.get(label="Adequate").pk]
    record: CaseRecord | None = None

    def new_case() -> AuditCase:
        return services.case_create(
            audit_round=audit_round,
            by=auditor,
            details=services.CaseDetails(
                reference=f"BENCH-2011-06-{next(CASE_NUMBERS):03d}",
                categories=["sexual"],
                plan_started_on=datetime.date(2011, 1, 10),
            ),
        )

    def post(n: int) -> tuple[str, dict[str, object]]:
        nonlocal record
        data: dict[str, object] = {
            "agency": police.pk,
            "subject": "child",
            "records_read": 1 + n % 3,
            "findings": f"Seen at the bench ({n}).",
        }
        data |= {f"grade_{theme.pk}": grades[n % 2] for theme in scales.themes}
        for question in scales.questions:
            data |= {f"answer_{question.pk}": ("yes", "no")[n % 2], f"comment_{question.pk}": ""}
        if not edit:
            return reverse("audits:record_create", args=[new_case().pk]), data | {"submission_key": uuid.uuid4()}
        if record is None:
            record = services.record_create(
                case=new_case(),
                by=auditor,
                details=services.RecordDetails(agency=police, subject="child", records_read=1, grades={}, answers={}),
            )
        record.refresh_from_db(fields=["version"])
        return reverse("audits:record_detail", args=[record.pk]), data | {"version": record.version}

    return post


def measure_writes(executive: Client, auditor: Client, repeat: int) -> tuple[dict[str, tuple[float, int]], int]:
    ratings, post = ratings_posts(executive)
    return {
        "Save RAG ratings": measure_post(executive, post, repeat),
        "Add agency record": measure_post(auditor, record_posts(edit=False), repeat),
        "Edit agency record": measure_post(auditor, record_posts(edit=True), repeat),
    }, ratings


def pdf_cost(report) -> tuple[int, float, float]:
    """(pages, seconds a page for the report, seconds a page for a plain document of as many pages)."""
    from reports import document, renderers

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--scale", type=int, default=50)
    args = parser.parse_args()

    from dscb.models import User
    from recommendations.models import RagStatus, ReviewCycle
    from reports.models import Report

    load_demo()
    report = Report.objects.create(
        title="Bench report",
        cycle=ReviewCycle.objects.get(title="March 2011 update"),
        period_start=datetime.date(2009, 1, 1),
        period_end=MARCH_2011,
    )
    client = Client()
    client.force_login(User.objects.get(email="executive@example.org"))
    open_update = ReviewCycle.objects.get(title=SEED_OPEN_UPDATE)
    seed_plan = open_update.plan
    amber = RagStatus.objects.get(label="Amber").pk
    # Finding things in a long plan (issue 10): every filter at once, and a later page.
    filters = f"?q=child&rag={amber}&overdue=1&page=2"
    pages = {
        "Audit dashboard": reverse("reports:audit_dashboard"),
        "RAG dashboard": reverse("reports:rag_dashboard"),
        "Report page": reverse("reports:report_detail", args=[report.pk]),
        "Board summary PDF": reverse("reports:report_download", args=[report.pk, "summary"]),
        "Plan page": reverse("recommendations:plan", args=[seed_plan.pk]),
        "Plan page, filtered": reverse("recommendations:plan", args=[seed_plan.pk]) + filters,
        "Ratings, filtered": reverse("recommendations:cycle_ratings", args=[open_update.pk]) + filters,
        "RAG list, all": reverse("reports:rag_list"),
        "RAG list, filtered": reverse("reports:rag_list") + filters,
        "Overdue list": reverse("recommendations:overdue"),
    }
    auditor = Client()
    auditor.force_login(User.objects.get(email="auditor@example.org"))
    small = {name: measure(client, url, args.repeat) for name, url in pages.items()}
    small_writes, small_ratings = measure_writes(client, auditor, args.repeat)
    small_pdf = pdf_cost(report)

    started = time.perf_counter()
    grow(args.scale)
    from audits.models import AuditCase
    from recommendations.models import Recommendation

    print(
        f"Grew the data {args.scale}x in {time.perf_counter() - started:.0f} s: "
        f"{AuditCase.objects.count()} children, {Recommendation.objects.count()} recommendations"
    )
    large = {name: measure(client, url, max(1, args.repeat // 2)) for name, url in pages.items()}
    large_writes, large_ratings = measure_writes(client, auditor, max(1, args.repeat // 2))
    large_pdf = pdf_cost(report)

    print(f"\n{'page':<20} {'1x ms':>8} {f'{args.scale}x ms':>9} {'ratio':>6} {'queries 1x':>11} {f'{args.scale}x':>5}")
    small |= small_writes
    large |= large_writes
    for name in small:
        if name == next(iter(small_writes)):
            print("write")
        (time_small, queries_small), (time_large, queries_large) = small[name], large[name]
        print(
            f"{name:<20} {time_small * 1000:>8.1f} {time_large * 1000:>9.1f} {time_large / time_small:>6.2f} "
            f"{queries_small:>11} {queries_large:>5}"
        )
    print(f"(the ratings page saved: {small_ratings} ratings at 1x, {large_ratings} at {args.scale}x)")
    print(f"\n{'report PDF':<12} {'pages':>6} {'s/page':>8} {'plain s/page':>13} {'ratio':>6}")
    for label, (count, per_page, baseline) in (("1x", small_pdf), (f"{args.scale}x", large_pdf)):
        print(f"{label:<12} {count:>6} {per_page:>8.4f} {baseline:>13.4f} {per_page / baseline:>6.2f}")


if __name__ == "__main__":
    main()
