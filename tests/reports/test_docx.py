"""The report and its board summary as Word documents: read back with python-docx, they
have the PDF's headings as Heading 1 to 3, real tables whose header row repeats, the
charts as described pictures, the marking at the top and foot of every page and page
numbers; publishing keeps them; no child is named in them."""

from __future__ import annotations

import io
import re
import zipfile

import lxml.html
import pytest
from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from PIL import Image

from audits.models import AuditCase
from dscb.models import Role
from recommendations.models import ProgressUpdate, RagStatus
from reports import document, renderers, services, word
from reports.charts import Bar, Chart, Segment
from tests.conftest import draft_download, make_user, sign_in
from tests.factories import PublishedReportFactory
from tests.reports.conftest import MARCH_2011

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HEADING = re.compile(r"Heading (\d)")


@pytest.fixture
def built(march_2011_report):
    return document.build(march_2011_report, today=MARCH_2011)


@pytest.fixture
def report_docx(built) -> bytes:
    return renderers.docx(built)


def read(data: bytes):
    return Document(io.BytesIO(data))


def headings(doc) -> list[tuple[int, str]]:
    return [
        (int(match.group(1)), paragraph.text)
        for paragraph in doc.paragraphs
        if (match := HEADING.fullmatch(paragraph.style.name))
    ]


def html_headings(template: str, built) -> list[tuple[int, str]]:
    body = lxml.html.document_fromstring(render_to_string(template, {"document": built})).find("body")
    return [(int(element.tag[1]), " ".join(element.text_content().split())) for element in body.iter("h1", "h2", "h3")]


def xml_parts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name).decode() for name in package.namelist() if name.endswith((".xml", ".rels"))}


def cells(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_the_docx_has_the_pdfs_headings_in_order_as_word_headings(built, report_docx):
    doc = read(report_docx)
    found = headings(doc)
    assert found == html_headings("reports/pdf/report.html", built)
    assert found[0] == (1, "Analysis of multi-agency case audits between 2009 and 2010")
    assert [text for level, text in found if level == 2] == [
        "Summary",
        "How the cases were audited",
        "Individual case audit findings",
        "The 5 themes",
        "Appreciative Inquiry",
        "Recommendations",
        "Closed this period",
        "Evidence of impact",
        "Individual case findings over time",
        "Findings by agency",
        "What happens next",
        "Audit of Multi-Agency Case Audit recommendations",
    ]
    assert {paragraph.style.name for paragraph in doc.paragraphs} >= {"Heading 1", "Heading 2", "List Bullet"}


def test_every_table_is_a_real_table_whose_header_row_repeats(report_docx):
    doc = read(report_docx)
    assert len(doc.tables) >= 10
    for table in doc.tables:
        first = table.rows[0]._tr
        assert first.trPr is not None
        assert first.trPr.find(qn("w:tblHeader")) is not None
        header_runs = [run for cell in table.rows[0].cells for p in cell.paragraphs for run in p.runs]
        assert header_runs
        assert all(run.bold for run in header_runs)
        for row in table.rows[1:]:
            assert row._tr.trPr.find(qn("w:tblHeader")) is None
    themes = cells(next(table for table in doc.tables if table.rows[0].cells[0].text == "Theme"))
    assert themes[0] == [
        "Theme",
        "March 2009",
        "December 2009",
        "April 2010",
        "September 2010 (Integrated Children's Service)",
        "All rounds",
    ]
    assert len(themes) == 6  # the header and the 5 themes
    rag = next(table for table in doc.tables if "Green" in [row.cells[0].text for row in table.rows])
    assert [row for row in cells(rag) if row[0] in {"Green", "Red", "Not yet rated"}] == [
        ["Green", "10"],
        ["Red", "1"],
        ["Not yet rated", "15"],
    ]
    plan_numbers = [row.cells[0].text for table in doc.tables for row in table.rows[1:]]
    assert {"1.1", "2.11", "3.5", "4.9"} <= set(plan_numbers)


def test_the_charts_are_pictures_described_by_their_text_alternative(built, report_docx):
    doc = read(report_docx)
    shown = [built.audits.overall_chart, built.audits.trend_chart, built.plan.rag_chart, built.audits.rounds_chart]
    properties = [shape._inline.docPr for shape in doc.inline_shapes]
    assert [(p.get("title"), p.get("descr")) for p in properties] == [
        (chart.title, chart.description) for chart in shown
    ]
    html = render_to_string("reports/pdf/report.html", {"document": built})
    assert len(doc.inline_shapes) == html.count('<figure class="app-chart"')
    for shape in doc.inline_shapes:
        blob = doc.part.related_parts[shape._inline.graphic.graphicData.pic.blipFill.blip.embed].blob
        assert Image.open(io.BytesIO(blob)).format == "PNG"
    # Each picture has its title above it, as a caption.
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert all(chart.title in captions for chart in shown)


def test_a_chart_draws_a_zero_and_its_legend_in_the_order_the_bars_are_drawn():
    chart = Chart(
        title="Grades by round",
        description="",
        bars=[
            Bar("Round 1", (Segment("Adequate", 3, "#ffdd00"), Segment("Inadequate", 5, "#d4351c"))),
            Bar("Round 2", (Segment("Good", 1, "#1d70b8"), Segment("Adequate", 7, "#ffdd00"))),
            Bar("Round 3", ()),
        ],
    )
    assert [item.segment.label for item in word.legend_in_bar_order(chart)] == ["Good", "Adequate", "Inadequate"]
    assert [item.x for item in word.legend_in_bar_order(chart)] == [item.x for item in chart.legend]
    assert chart.drawn[2].value_text == "0"
    image = Image.open(io.BytesIO(word.chart_png(chart)))
    assert image.size == (chart.width * word.SCALE, chart.height * word.SCALE)
    assert image.getpixel((int(chart.drawn[0].rects[0].x + 10) * 2, int(chart.drawn[0].y + 10) * 2)) == (255, 221, 0)


def test_the_marking_is_at_the_top_and_foot_of_every_page_with_the_page_number(report_docx):
    doc = read(report_docx)
    marking = settings.PROTECTIVE_MARKING
    for section in doc.sections:
        assert marking in [p.text for p in section.header.paragraphs]
        assert marking in [p.text for p in section.footer.paragraphs]
        footer_xml = section.footer._element.xml
        assert 'w:instr="PAGE"' in footer_xml
        assert 'w:instr="NUMPAGES"' in footer_xml
        assert round(section.page_width.mm) == 210
        assert round(section.page_height.mm) == 297
    # The marking is in the margins, not repeated in the body.
    assert marking not in [p.text for p in doc.paragraphs]


def test_the_docx_is_the_boards_not_a_persons(built, report_docx):
    properties = read(report_docx).core_properties
    assert properties.title == built.title
    assert properties.author == properties.last_modified_by == settings.BOARD_NAME
    assert "python-docx" not in " ".join(xml_parts(report_docx).values())


def test_no_child_is_named_in_either_word_document(built, report_docx):
    references = list(AuditCase.objects.values_list("reference", flat=True))
    assert references
    for data in (report_docx, renderers.summary_docx(built)):
        text = " ".join(xml_parts(data).values())
        assert not [reference for reference in references if reference in text]


def test_the_board_summary_docx_leads_with_its_figures_and_charts(built):
    doc = read(renderers.summary_docx(built))
    found = headings(doc)
    assert found == html_headings("reports/pdf/summary.html", built)
    assert found[0] == (1, built.title)
    assert (2, built.plan.scale.words.attention_heading) in found
    assert len(doc.inline_shapes) == 2
    assert doc.core_properties.title == f"Board summary: {built.title}"
    assert any(p.style.name == "List Bullet" and p.text.startswith("36 children audited") for p in doc.paragraphs)
    for section in doc.sections:
        assert settings.PROTECTIVE_MARKING in [p.text for p in section.header.paragraphs]


def test_publishing_keeps_both_word_documents_whatever_happens_to_the_data(march_2011_report, client):
    executive = make_user(Role.EXECUTIVE)
    published = services.publish(
        report=march_2011_report, by=executive, today=MARCH_2011, expected_version=march_2011_report.version
    )
    kept = {}
    for kind, stored in (("docx", published.docx), ("summary-docx", published.summary_docx)):
        with stored.open("rb") as handle:
            kept[kind] = handle.read()
        assert kept[kind].startswith(b"PK")
    # The data moves on: a rating changes and a case is regraded.
    ProgressUpdate.objects.filter(recommendation__number="4.4").update(rag=RagStatus.objects.get(label="Green"))
    AuditCase.objects.filter(reference="MACA-2009-03-01").update(overall_grade=None)
    board = sign_in(client, make_user(Role.BOARD_MEMBER))
    slug = "analysis-of-multi-agency-case-audits-between-2009-and-2010"
    for kind, name in (("docx", f"{slug}.docx"), ("summary-docx", f"{slug}-board-summary.docx")):
        response = board.get(reverse("reports:published_download", args=[published.pk, kind]))
        assert response["Content-Type"] == DOCX
        assert response["Content-Disposition"] == f'attachment; filename="{name}"'
        assert b"".join(response.streaming_content) == kept[kind]
    rag = next(table for table in read(kept["docx"]).tables if "Green" in [row.cells[0].text for row in table.rows])
    assert ["Green", "10"] in cells(rag)
    listing = board.get(reverse("reports:report_list")).content.decode()
    assert reverse("reports:published_download", args=[published.pk, "docx"]) in listing
    assert reverse("reports:published_download", args=[published.pk, "summary-docx"]) in listing


def test_a_publication_from_before_word_documents_offers_none(db, client):
    published = PublishedReportFactory()
    board = sign_in(client, make_user(Role.BOARD_MEMBER))
    assert board.get(reverse("reports:published_download", args=[published.pk, "docx"])).status_code == 404
    response = board.get(reverse("reports:published_download", args=[published.pk, "pdf"]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    listing = board.get(reverse("reports:report_list")).content.decode()
    assert reverse("reports:published_download", args=[published.pk, "pdf"]) in listing
    assert reverse("reports:published_download", args=[published.pk, "docx"]) not in listing


def test_only_the_executive_downloads_a_draft_as_a_word_document(march_2011_report, client):
    for kind in ("docx", "summary-docx"):
        url = reverse("reports:draft_make", args=[march_2011_report.pk, kind])
        sign_in(client, make_user(Role.BOARD_MEMBER))
        assert client.get(url).status_code == 403
        assert client.post(url).status_code == 403
        sign_in(client, make_user(Role.EXECUTIVE))
        response = draft_download(client, march_2011_report.pk, kind)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"PK")
        assert response["Content-Type"] == DOCX
        suffix = ".docx" if kind == "docx" else "-board-summary.docx"
        assert response["Content-Disposition"] == f'attachment; filename="draft-report-{march_2011_report.pk}{suffix}"'
    page = client.get(reverse("reports:report_detail", args=[march_2011_report.pk])).content.decode()
    assert reverse("reports:draft_make", args=[march_2011_report.pk, "docx"]) in page
    assert reverse("reports:draft_make", args=[march_2011_report.pk, "summary-docx"]) in page


# A Word document reads what its PDF reads: the same figures from the same selectors.
def test_a_word_document_reads_what_the_pdf_reads(march_2011_report):
    renders = {
        "pdf": renderers.pdf,
        "docx": renderers.docx,
        "summary": renderers.summary_pdf,
        "summary-docx": renderers.summary_docx,
    }

    def queries(kind: str) -> int:
        connection.queries_log.clear()  # loading the demo filled it to its limit
        with CaptureQueriesContext(connection) as captured:
            renders[kind](document.build(march_2011_report, today=MARCH_2011))
        return len(captured)

    queries("summary")  # the first document made also fills what Django caches per process
    assert queries("docx") == queries("pdf")
    assert queries("summary-docx") == queries("summary")
