"""A scale's words and meaning are data: changed on the reference data pages only, with no
code change, every page, PDF and workbook follows, and what was completed or published
before keeps the words it had."""

from __future__ import annotations

import datetime
import io
import re
import uuid
from html import unescape

from django.forms.models import model_to_dict
from django.urls import reverse
from openpyxl import load_workbook

from audits.models import AuditCase, Grade, GradeScale
from dscb.forms import SUBMISSION_KEY
from dscb.models import User
from dscb.reference import KINDS, ReferenceKind
from recommendations.forms import CONFIRM_UNTOUCHED
from recommendations.models import PlanScale, ProgressUpdate, RagStatus, Recommendation, ReviewCycle
from reports import document
from reports.models import Report
from tests.conftest import ROLE_PERSONAS, Client, draft_download, sign_in
from tests.reports.conftest import pdf_text
from tests.test_page_walk import pages_for

ADEQUATE = re.compile(r"\badequate\b", re.IGNORECASE)  # "Inadequate" is still a grade
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The plan scale's old words ("BRAG" is not "RAG"; "app-rag" and "?rag=" are not words a person reads)
OLD_PLAN_WORDS = re.compile(r"\bRAG\b|\b[Nn]ot yet rated\b")


def kind_of(model: type) -> ReferenceKind:
    return next(kind for kind in KINDS.values() if kind.model is model)


def change_on_its_page(client, obj, **changes: object) -> None:
    """Post the reference data page of ``obj`` as it stands, with ``changes``."""
    kind = kind_of(type(obj))
    fields = {name: value for name, value in model_to_dict(obj, fields=kind.fields).items() if value is not None}
    data = {name: ("on" if value is True else value) for name, value in {**fields, **changes}.items()}
    data = {name: value for name, value in data.items() if value is not False}
    response = client.post(reverse("reference_data_change", args=[kind.slug, obj.pk]), {**data, "version": obj.version})
    assert response.status_code == 302, response.content.decode()[:2000]


def add_on_its_page(client, model, **data: object) -> None:
    data = {name: ("on" if value is True else value) for name, value in data.items() if value is not False}
    data[SUBMISSION_KEY] = str(uuid.uuid4())
    response = client.post(reverse("reference_data_add", args=[kind_of(model).slug]), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def readable(response) -> str:
    """What a person reads in a response: the page, a PDF's text or a workbook's cells."""
    content_type = response["Content-Type"]
    body = body_of(response)
    if content_type.startswith("application/pdf"):
        return pdf_text(body)
    if content_type.startswith(XLSX):
        workbook = load_workbook(io.BytesIO(body))
        return "\n".join(str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row)
    return body.decode()


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_renaming_adequate_as_reference_data_leaves_no_page_pdf_or_workbook_saying_adequate(
    demo, march_2011_report, persona_client
):
    administrator = persona_client("administrator")
    change_on_its_page(administrator, Grade.objects.get(label="Adequate"), label="Requires improvement")
    change_on_its_page(administrator, GradeScale.objects.get(), threshold_phrase="requires improvement or better")

    executive = persona_client("executive")
    report = {"page": executive.get(reverse("reports:report_detail", args=[march_2011_report.pk]))} | {
        kind: draft_download(executive, march_2011_report.pk, kind) for kind in ("pdf", "summary", "xlsx")
    }
    assert all(response.status_code == 200 for response in report.values())
    graded = AuditCase.objects.filter(overall_grade__label="Requires improvement").first()
    audit_team = persona_client("audit_team")
    saying_adequate = [
        f"executive's draft {kind}" for kind, response in report.items() if ADEQUATE.search(readable(response))
    ] + [
        f"audit team {url}"
        for url in (
            reverse("audits:case_detail", args=[graded.pk]),
            reverse("audits:case_grades", args=[graded.pk]),
            *(reverse("audits:record_detail", args=[record.pk]) for record in graded.records.all()[:2]),
        )
        if ADEQUATE.search(readable(audit_team.get(url)))
    ]
    for persona in ROLE_PERSONAS:
        for name, url, response, _reads in pages_for(persona, persona_client, include_files=True):
            # Streamed files are uploads and documents already published: kept as they were.
            if response.status_code != 200 or response.streaming:
                continue
            # A learning summary's blocks, once drafted, are the audit team's own text to change.
            if name.startswith("reports:learning_"):
                continue
            if match := ADEQUATE.search(readable(response)):
                saying_adequate.append(
                    f"{persona} {name} {url}: …{match.string[match.start() - 60 : match.end() + 20]}"
                )
    assert saying_adequate == []

    # The breakdown by agency names the threshold in the scale's new words, on the dashboard and in the PDF.
    dashboard = unescape(persona_client("board_member").get(reverse("reports:audit_dashboard")).content.decode())
    pdf = " ".join(pdf_text(body_of(draft_download(executive, march_2011_report.pk, "pdf")), layout=False).split())
    for text in (dashboard, pdf):
        assert "agency's records graded requires improvement or better on each theme" in text
        assert "records were most often not requires improvement or better" in text


def saying(pattern: re.Pattern, pages: dict[str, str]) -> list[str]:
    """Each page where ``pattern`` is found, with the words around it."""
    return [
        f"{name}: …{match.string[match.start() - 60 : match.end() + 20]}"
        for name, text in pages.items()
        if (match := pattern.search(text))
    ]


def rate(client, cycle: ReviewCycle, ratings: dict[Recommendation, RagStatus | None]) -> None:
    cycle.refresh_from_db()
    # Rows given last time's rating are confirmed, not saved silently (carry forward).
    data: dict[str, object] = {"version": cycle.version, "confirm": CONFIRM_UNTOUCHED}
    for recommendation in cycle.plan.recommendations.all():
        status = ratings.get(recommendation)
        data[f"rag_{recommendation.pk}"] = status.pk if status else ""
        data[f"note_{recommendation.pk}"] = ""
    response = client.post(reverse("recommendations:cycle_ratings", args=[cycle.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_a_blue_green_amber_red_scale_set_as_reference_data_is_counted_and_named_everywhere(demo, persona_client):
    administrator = persona_client("administrator")
    status = {s.label: s for s in RagStatus.objects.all()}
    # Blue is done, Green no longer is; Orange is retired; Red still needs attention.
    change_on_its_page(administrator, status["Orange"], rank=10, is_active=False)
    change_on_its_page(administrator, status["Amber"], rank=3)
    change_on_its_page(administrator, status["Green"], rank=2, counts_as_done=False)
    add_on_its_page(
        administrator,
        RagStatus,
        label="Blue",
        rank=1,
        counts_as_done=True,
        needs_attention=False,
        colour="#1d70b8",
        text_colour="#ffffff",
        description="Complete.",
        is_active=True,
    )
    change_on_its_page(
        administrator,
        PlanScale.objects.get(),
        name="BRAG rating",
        short_name="BRAG",
        plural="BRAG ratings",
        not_rated="Awaiting rating",
    )

    status = {s.label: s for s in RagStatus.objects.all()}
    september = ReviewCycle.objects.get(title="September 2011 update")
    recommendations = list(september.plan.recommendations.order_by("number_major", "number_minor"))
    blue, green, amber, red = recommendations[:3], recommendations[3:8], recommendations[8:10], recommendations[10:11]
    ratings = {
        r: status[label]
        for label, group in (("Blue", blue), ("Green", green), ("Amber", amber), ("Red", red))
        for r in group
    }
    # Past their target: one done (Blue), one Green, which no longer counts as done.
    Recommendation.objects.filter(pk__in=[blue[0].pk, green[0].pk]).update(target_date=datetime.date(2011, 1, 1))
    executive = persona_client("executive")
    rate(executive, september, ratings)
    lead = sign_in(Client(), User.objects.get(email="lead@example.org"))
    unrated = recommendations[11]
    open_pages = {
        "check before completing": executive.get(reverse("recommendations:cycle_complete", args=[september.pk])),
        "ratings": executive.get(reverse("recommendations:cycle_ratings", args=[september.pk])),
        "open an update": executive.get(reverse("recommendations:cycle_create", args=[september.plan_id])),
        "add evidence": lead.get(reverse("recommendations:evidence_add", args=[unrated.pk])),
        "my recommendations (open)": lead.get(reverse("recommendations:mine")),
    }
    september.refresh_from_db()
    response = executive.post(
        reverse("recommendations:cycle_complete", args=[september.pk]), {"version": september.version}
    )
    assert response.status_code == 302
    not_rated = len(recommendations) - 11
    words = f"3 Blue, 5 Green, 2 Amber, 1 Red, {not_rated} Awaiting rating"

    board = persona_client("board_member")
    seeds = f"plan={september.plan_id}"  # the seed's plan; the demo's second is rated on the old scale
    dashboard = board.get(reverse("reports:rag_dashboard") + f"?{seeds}").content.decode()
    for label, n in (("Blue", 3), ("Green", 5), ("Amber", 2), ("Red", 1), ("Awaiting rating", not_rated)):
        assert f">{label}: {n}</a>" in dashboard
    assert "BRAG rating of recommendations, September 2011 update" in dashboard
    assert "By BRAG" in dashboard
    assert ">Orange: " not in dashboard  # retired, and nobody is rated it now
    overdue = board.get(reverse("reports:rag_list") + f"?overdue=1&{seeds}").content.decode()
    assert f">{green[0].number}<" in overdue or f"{green[0].number}</" in overdue
    assert f">{blue[0].number}<" not in overdue

    # The plan scale's words, renamed on their page, are the only ones the plan's pages use.
    pages = {name: response.content.decode() for name, response in open_pages.items()} | {
        "RAG dashboard": dashboard,
        "RAG list, overdue": overdue,
        **{
            f"RAG list ?{query}": board.get(reverse("reports:rag_list") + f"?{query}&{seeds}").content.decode()
            for query in ("rag=none", "not_rated=1", f"rag={status['Blue'].pk}")
        },
        "plan": board.get(reverse("recommendations:plan", args=[september.plan_id])).content.decode(),
        "overdue": executive.get(reverse("recommendations:overdue")).content.decode(),
        "my recommendations": lead.get(reverse("recommendations:mine")).content.decode(),
        "recommendation": board.get(
            reverse("recommendations:recommendation_detail", args=[unrated.pk])
        ).content.decode(),
    }
    assert saying(OLD_PLAN_WORDS, pages) == []
    for name in ("check before completing", "ratings", "RAG list ?rag=none", "plan", "recommendation"):
        assert re.search(r"\bAwaiting rating\b", pages[name], re.IGNORECASE), name
    for name in ("ratings", "plan", "overdue", "my recommendations", "recommendation", "add evidence"):
        assert re.search(r"\bBRAG\b", pages[name]), name

    report = Report.objects.create(
        title="Report", cycle=september, period_start=datetime.date(2009, 1, 1), period_end=datetime.date(2011, 9, 30)
    )
    built = document.build(report, today=datetime.date(2011, 10, 1))
    assert built.figures()["rag"] == {"Blue": 3, "Green": 5, "Amber": 2, "Red": 1, "Awaiting rating": not_rated}
    assert [row.recommendation for row in built.plan.needing_attention] == sorted(
        [green[0], red[0]], key=lambda r: (r.number_major, r.number_minor)
    )
    pdf = " ".join(pdf_text(body_of(draft_download(executive, report.pk, "pdf"))).split())
    assert f"recommendations in the action plan: {words}" in pdf
    summary = " ".join(
        pdf_text(executive.get(reverse("reports:report_download", args=[report.pk, "summary"])).content).split()
    )
    assert f"recommendations: {words}" in summary
    assert "Red and overdue" in summary
    assert f"{red[0].number} " in summary
    assert f"{green[0].number} " in summary

    # March 2011 was completed under the old scale, and keeps it: Orange and Green as they were.
    march = ReviewCycle.objects.get(title="March 2011 update")
    kept = {level["label"]: level for level in march.scale["levels"]}
    assert kept["Green"]["counts_as_done"]
    assert "Blue" not in kept
    assert "Orange" in kept
    ratings_page = board.get(reverse("recommendations:cycle_ratings", args=[march.pk])).content.decode()
    assert ">Orange</strong>" in ratings_page
    assert "Not yet rated" in ratings_page  # and its words
    assert ProgressUpdate.objects.filter(cycle=march, rag=status["Orange"]).count() == 4
