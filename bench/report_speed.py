"""How the dashboards and the six-monthly report cope with 50 times the demo data.

    .venv/bin/python bench/report_speed.py [--repeat 5] [--scale 50]

Builds a throwaway SQLite database with the demo data (36 children, 32 recommendations),
measures each page, then grows it to --scale times the demo (about 1,800 children and
1,600 recommendations) and measures again. Prints, per page, the median server time at
both sizes and their ratio, and the query counts at both sizes; and the PDF's seconds per
page against WeasyPrint's own cost for a plain document of the same number of pages.

Aims (issue 5): equal query counts; dashboards at 50x within 2x of their time at 1x; the
report's cost per PDF page within 25% of the plain baseline. Timings are figures to read,
not tests: they depend on the machine.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
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


def load_demo() -> None:
    call_command("migrate", verbosity=0)
    settings.DEBUG = True
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    settings.DEBUG = False


def grow(scale: int) -> None:
    """Copy the demo's children and recommendations until there are ``scale`` times as
    many: the same shapes, new references. The copies join the same rounds and sections,
    so each page shows the same amount and what grows is the data read, not the page."""
    from audits.models import AuditCase, AuditRound, CaseRecord, ChecklistAnswer, RecordGrade, ThemeRating
    from recommendations.models import Evidence, ProgressUpdate, Recommendation

    originals = {
        audit_round: list(audit_round.cases.prefetch_related("theme_ratings", "records__grades", "records__answers"))
        for audit_round in AuditRound.objects.filter(cases__isnull=False).distinct()
    }
    for copy in range(1, scale):
        for audit_round, cases in originals.items():
            new_cases = AuditCase.objects.bulk_create(
                AuditCase(
                    audit_round=audit_round,
                    reference=f"{case.reference}-{copy:02d}",
                    category_neglect=case.category_neglect,
                    category_emotional=case.category_emotional,
                    category_physical=case.category_physical,
                    category_sexual=case.category_sexual,
                    plan_started_on=case.plan_started_on,
                    overall_grade_id=case.overall_grade_id,
                    seen_as_stuck=case.seen_as_stuck,
                    state=case.state,
                )
                for case in cases
            )
            for old, new in zip(cases, new_cases, strict=True):
                ThemeRating.objects.bulk_create(
                    ThemeRating(case=new, theme_id=rating.theme_id, grade_id=rating.grade_id)
                    for rating in old.theme_ratings.all()
                )
                for record in old.records.all():
                    new_record = CaseRecord.objects.create(
                        case=new, agency_id=record.agency_id, subject=record.subject, records_read=record.records_read
                    )
                    RecordGrade.objects.bulk_create(
                        RecordGrade(record=new_record, theme_id=g.theme_id, grade_id=g.grade_id)
                        for g in record.grades.all()
                    )
                    ChecklistAnswer.objects.bulk_create(
                        ChecklistAnswer(record=new_record, question_id=a.question_id, answer=a.answer)
                        for a in record.answers.all()
                    )
    recommendations = list(Recommendation.objects.prefetch_related("updates__evidence"))
    for copy in range(1, scale):
        for recommendation in recommendations:
            new = Recommendation.objects.create(
                plan_id=recommendation.plan_id,
                section_id=recommendation.section_id,
                number=f"{recommendation.number_major}.{copy * 100 + recommendation.number_minor}",
                number_major=recommendation.number_major,
                number_minor=copy * 100 + recommendation.number_minor,
                kind=recommendation.kind,
                text=recommendation.text,
                lead_id=recommendation.lead_id,
            )
            for update in recommendation.updates.all():
                new_update = ProgressUpdate.objects.create(
                    recommendation=new, cycle_id=update.cycle_id, rag_id=update.rag_id
                )
                Evidence.objects.bulk_create(
                    Evidence(update=new_update, text=e.text, url=e.url, position=e.position)
                    for e in update.evidence.all()
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
    from recommendations.models import ReviewCycle
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
    pages = {
        "Audit dashboard": reverse("reports:audit_dashboard"),
        "RAG dashboard": reverse("reports:rag_dashboard"),
        "Report page": reverse("reports:report_detail", args=[report.pk]),
        "Board summary PDF": reverse("reports:report_download", args=[report.pk, "summary"]),
    }
    small = {name: measure(client, url, args.repeat) for name, url in pages.items()}
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
    large_pdf = pdf_cost(report)

    print(f"\n{'page':<20} {'1x ms':>8} {f'{args.scale}x ms':>9} {'ratio':>6} {'queries 1x':>11} {f'{args.scale}x':>5}")
    for name in pages:
        (time_small, queries_small), (time_large, queries_large) = small[name], large[name]
        print(
            f"{name:<20} {time_small * 1000:>8.1f} {time_large * 1000:>9.1f} {time_large / time_small:>6.2f} "
            f"{queries_small:>11} {queries_large:>5}"
        )
    print(f"\n{'report PDF':<12} {'pages':>6} {'s/page':>8} {'plain s/page':>13} {'ratio':>6}")
    for label, (count, per_page, baseline) in (("1x", small_pdf), (f"{args.scale}x", large_pdf)):
        print(f"{label:<12} {count:>6} {per_page:>8.4f} {baseline:>13.4f} {per_page / baseline:>6.2f}")


if __name__ == "__main__":
    main()
