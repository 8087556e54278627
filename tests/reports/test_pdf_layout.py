"""The PDFs' layout, as the Board reads them on paper and with a screen reader, checked on
the March 2011 report: no page holds a table's row alone or a heading without what it
heads; the protective marking never wraps; each chart has its title above it and its
legend in the order its bars are drawn; a count of nothing reads 0; every table header
has its scope; links can be followed; the running header names the section a page
continues; the board summary's first page is full and leads with the headline findings;
and a PDF/UA checker (pdfua, no JVM) finds nothing in the report, the board summary or
the learning summary.

The layout tests read WeasyPrint's own page boxes (what the PDF is drawn from), so they
know which element each line belongs to; the rest read the PDF."""

from __future__ import annotations

import re
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator

import pikepdf
import pytest
from django.template.loader import render_to_string
from lxml import html as lxml_html
from pdfua import validate
from weasyprint.formatting_structure import boxes

from reports import document, renderers
from reports.charts import Bar, Chart, Segment
from reports.document import ReportDocument
from tests.factories import LearningSummaryFactory
from tests.reports.conftest import MARCH_2011, pdf_margins, pdf_text

pytestmark = pytest.mark.django_db

PDFS = {"report": "reports/pdf/report.html", "summary": "reports/pdf/summary.html"}
HEADINGS = {"h1", "h2", "h3", "caption", "figcaption"}


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture
def built(march_2011_report) -> ReportDocument:
    return document.build(march_2011_report, today=MARCH_2011)


def laid_out(template: str, built: ReportDocument) -> list[boxes.PageBox]:
    """The pages as WeasyPrint lays them out for the PDF (renderers.pdf_html)."""
    html = render_to_string(template, {"document": built})
    return [page._page_box for page in renderers.pdf_html(html).render().pages]


def walk(box: boxes.Box, ancestors: tuple = ()) -> Iterator[tuple[boxes.Box, tuple]]:
    """Every box of a page's body in the order drawn, with its ancestors; not the margins."""
    if isinstance(box, boxes.MarginBox):
        return
    yield box, ancestors
    for child in getattr(box, "children", ()):
        yield from walk(child, (*ancestors, box))


def lines(page: boxes.PageBox) -> list[tuple[boxes.LineBox, tuple]]:
    """The page's lines of text and its pictures, in order, each with its ancestors."""
    return [
        (box, ancestors)
        for box, ancestors in walk(page)
        if isinstance(box, boxes.LineBox) or getattr(box, "element_tag", None) == "{http://www.w3.org/2000/svg}svg"
    ]


def in_element(ancestors: tuple, tags: set[str]):
    """The nearest element among ``tags`` the box is in, or None."""
    for box in reversed(ancestors):
        if box.element is not None and box.element_tag in tags and not isinstance(box, boxes.LineBox):
            return box.element
    return None


def text_of(element) -> str:
    return squeeze("".join(element.itertext()))


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parents(pages: list[boxes.PageBox]) -> dict:
    """Each HTML element's parent (WeasyPrint's tree is an ElementTree, with no way up)."""
    root = next(box.element for box, _ in walk(pages[0]) if getattr(box, "element_tag", None) == "html")
    return {child: parent for parent in root.iter() for child in parent}


def in_plan(element, parent_of: dict) -> bool:
    while element is not None:
        if local(element.tag) == "section" and "app-report__plan" in element.get("class", ""):
            return True
        element = parent_of.get(element)
    return False


def charts(built: ReportDocument) -> list[Chart]:
    return [
        built.audits.overall_chart,
        built.audits.trend_chart,
        built.audits.rounds_chart,
        built.plan.rag_chart,
    ]


# --- Page breaks ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", PDFS)
def test_no_page_holds_a_tables_row_alone_nor_a_heading_without_what_it_heads(built, name):
    pages = laid_out(PDFS[name], built)
    parent_of = parents(pages)
    rows_on = defaultdict(Counter)  # table element: {page: body rows}
    captions = []
    for number, page in enumerate(pages, start=1):
        for box, _ancestors in walk(page):
            if isinstance(box, boxes.TableRowBox) and local(parent_of[box.element].tag) == "tbody":
                rows_on[parent_of[parent_of[box.element]]][number] += 1
            elif getattr(box, "element_tag", None) == "caption" and isinstance(box, boxes.BlockBox):
                captions.append((number, parent_of[box.element]))
        drawn = lines(page)
        if number < len(pages) and drawn:
            last = in_element(drawn[-1][1], HEADINGS)
            assert last is None, f"{name} page {number} ends with the heading {text_of(last)!r}"
    assert rows_on, "no table found"
    for table, pages_rows in rows_on.items():
        caption = text_of(table.find("caption")) if table.find("caption") is not None else "a table"
        if sum(pages_rows.values()) > 1:
            assert min(pages_rows.values()) >= 2, f"{name}: {caption} leaves a row alone: {dict(pages_rows)}"
    for number, table in captions:
        assert rows_on[table][number], f"{name} page {number}: the caption {text_of(table.find('caption'))!r} alone"


def test_the_running_header_names_the_section_and_plan_section_a_page_continues(built):
    pages = laid_out(PDFS["report"], built)
    parent_of = parents(pages)
    pdf = renderers.pdf(built)
    headers = [squeeze(header) for header, _footer in pdf_margins(pdf)]
    assert len(headers) == len(pages)
    section = subsection = ""
    continued = 0
    for number, (page, header) in enumerate(zip(pages, headers, strict=True), start=1):
        marks = []  # ("section" or "subsection", its element), in order
        starts_with = None
        for index, (_box, ancestors) in enumerate(lines(page)):
            element = in_element(ancestors, {"h2", "caption"})
            kind = None
            if element is not None and local(element.tag) == "h2":
                kind = "section"
            elif element is not None and in_plan(element, parent_of):
                kind = "subsection"
            if index == 0 and kind:
                starts_with = (kind, element)
            if kind and not (marks and marks[-1][1] is element):
                marks.append((kind, element))
        # The header names what is in force where the page starts.
        first = starts_with or (None, None)
        expected_section, expected_subsection = section, subsection
        if first[0] == "section":
            expected_section, expected_subsection = text_of(first[1]), ""
        elif first[0] == "subsection":
            expected_subsection = text_of(first[1])
        if expected_section and first[0] != "section":
            continued += 1
        assert expected_section in header, f"page {number}: {header!r} does not name {expected_section!r}"
        assert expected_subsection in header, f"page {number}: {header!r} does not name {expected_subsection!r}"
        for kind, element in marks:
            if kind == "section":
                section, subsection = text_of(element), ""
            elif kind == "subsection":
                subsection = text_of(element)
    assert continued >= 5  # the check checked something: the plan alone runs over several pages


# --- The protective marking -----------------------------------------------------------------


def test_the_protective_marking_never_wraps_even_when_long(built, settings):
    settings.PROTECTIVE_MARKING = marking = "OFFICIAL-SENSITIVE PERSONAL"
    for name, template in PDFS.items():
        pages = laid_out(template, built)
        for number, page in enumerate(pages, start=1):
            boxes_with_marking = [
                margin
                for margin in page.children
                if isinstance(margin, boxes.MarginBox)
                and marking
                in squeeze(" ".join(text.text for text, _ in walk_all(margin) if isinstance(text, boxes.TextBox)))
            ]
            assert len(boxes_with_marking) == 2, f"{name} page {number}: the marking is not above and below"
            for margin in boxes_with_marking:
                drawn = [line for line, _ in walk_all(margin) if isinstance(line, boxes.LineBox)]
                assert len(drawn) == 1, f"{name} page {number}: the marking wraps in {margin.at_keyword}"
                assert drawn[0].width <= margin.width + 0.5, f"{name} page {number}: the marking overflows"
        pdf = renderers.pdf(built) if name == "report" else renderers.summary_pdf(built)
        for number, (header, footer) in enumerate(pdf_margins(pdf), start=1):
            for margin in (header, footer):
                assert any(marking in line for line in margin.splitlines()), f"{name} page {number}: {margin!r}"
        # The marking at the top of the first page too, on one line.
        assert marking in pdf_text(pdf, layout=False).splitlines()


def walk_all(box: boxes.Box, ancestors: tuple = ()) -> Iterator[tuple[boxes.Box, tuple]]:
    yield box, ancestors
    for child in getattr(box, "children", ()):
        yield from walk_all(child, (*ancestors, box))


# --- Charts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PDFS)
def test_every_chart_has_its_title_above_it_on_the_same_page(built, name):
    pages = laid_out(PDFS[name], built)
    seen = 0
    for number, page in enumerate(pages, start=1):
        before: list[str] = []
        for box, ancestors in lines(page):
            if isinstance(box, boxes.LineBox):
                if (caption := in_element(ancestors, {"figcaption"})) is not None:
                    before.append(text_of(caption))
                continue
            title = squeeze(box.element.find("{http://www.w3.org/2000/svg}title").text)
            assert before, f"{name} page {number}: {title!r} has no title above it"
            assert before[-1] == title, f"{name} page {number}: {title!r} has {before[-1]!r} above it"
            seen += 1
    assert seen == (4 if name == "report" else 2)
    # And as the PDF shows it (placed as on the page): the title, then the bars on the
    # same page, then the table of its figures.
    pdf = renderers.pdf(built) if name == "report" else renderers.summary_pdf(built)
    shown = [
        (number, index, squeeze(line))
        for number, page in enumerate(pdf_text(pdf).split("\f"))
        for index, line in enumerate(page.splitlines())
    ]
    for chart in charts(built):
        figures = [(number, index) for number, index, line in shown if line == f"{chart.title}: the figures"]
        if not figures:
            continue
        title = next((number, index) for number, index, line in shown if line == chart.title)
        bars = [
            (number, index)
            for number, index, line in shown
            if (number, index) > title and line.startswith(chart.drawn[0].short_label)
        ]
        assert bars[0] < figures[0], f"{name}: {chart.title!r} is not above its bars"
        assert bars[0][0] == title[0], f"{name}: {chart.title!r} is on another page than its bars"


def test_a_legend_lists_the_segments_in_the_order_the_bars_draw_them(built):
    # The first bar has no "Good": the legend still puts it first, as the other bars draw it.
    chart = Chart(
        title="Grades",
        description="",
        bars=[
            Bar("March", (Segment("Adequate", 3, "#ffdd00"), Segment("Inadequate", 5, "#d4351c"))),
            Bar("April", (Segment("Good", 2, "#1d70b8"), Segment("Adequate", 7, "#ffdd00"))),
            Bar("June", (Segment("Adequate", 7, "#ffdd00"), Segment("Inadequate", 1, "#d4351c"))),
        ],
    )
    assert [item.segment.label for item in chart.legend] == ["Good", "Adequate", "Inadequate"]
    for each in [chart, *charts(built)]:
        legend = each.segment_labels
        assert [item.segment.label for item in each.legend] == (legend if each.is_stacked else [])
        for drawn in each.drawn:
            order = [legend.index(rect.segment.label) for rect in drawn.rects]
            assert order == sorted(order), f"{each.title}: {drawn.bar.label} draws in another order"
    assert [item.segment.label for item in built.audits.rounds_chart.legend] == ["Good", "Adequate", "Inadequate"]


def test_a_count_of_nothing_reads_0_never_a_blank(built):
    for chart in charts(built):
        for label, values, total in chart.table:
            assert "" not in values, f"{chart.title}: {label} has a blank"
            assert total != "", f"{chart.title}: {label} has no total"
    for template in PDFS.values():
        page = lxml_html.fromstring(render_to_string(template, {"document": built}))
        for cell in page.xpath("//td[contains(@class, 'govuk-table__cell--numeric')]"):
            assert text_of(cell), f"{template}: a blank figure in {text_of(cell.getparent())!r}"
    # March 2009 had no Good case: the rounds table says so.
    assert "March 2009 0 3 5 8" in squeeze(pdf_text(renderers.pdf(built)))


# --- Tables, links and the tags -------------------------------------------------------------


def test_every_table_header_has_its_scope_in_the_html_and_the_pdf(built):
    summary = LearningSummaryFactory()
    pages = [render_to_string(template, {"document": built}) for template in PDFS.values()]
    pages.append(renderers.learning_html(summary))
    for page in pages:
        for header in lxml_html.fromstring(page).iter("th"):
            assert header.get("scope") in {"col", "row"}, f"{text_of(header)!r} has no scope"
    for pdf in (renderers.pdf(built), renderers.summary_pdf(built)):
        with pikepdf.open(tempfile_with(pdf)) as opened:
            headers = [obj for obj in opened.objects if isinstance(obj, pikepdf.Dictionary) and obj.get("/S") == "/TH"]
            assert headers
            for header in headers:
                assert header.A.Scope in ("/Row", "/Column")


def test_every_address_in_the_plans_evidence_is_a_link_in_the_pdf(built):
    addresses = set()
    for group in built.plan.plan_sections:
        for row in group.rows:
            for item in row.evidence:
                addresses |= set(re.findall(r"https?://\S+", f"{item.text} {item.url}"))
    assert len(addresses) >= 5
    links = set()
    with pikepdf.open(tempfile_with(renderers.pdf(built))) as opened:
        for page in opened.pages:
            for annotation in page.get("/Annots", []):
                if annotation.get("/Subtype") == "/Link" and "/A" in annotation:
                    links.add(str(annotation.A.URI))
    assert addresses <= links, addresses - links


def tempfile_with(pdf: bytes) -> str:
    handle = tempfile.NamedTemporaryFile(suffix=".pdf", delete=False)  # noqa: SIM115 - read after closing
    with handle:
        handle.write(pdf)
    return handle.name


def test_the_pdfs_pass_the_pdf_ua_checker(built):
    summary = LearningSummaryFactory()
    for name, pdf in (
        ("report", renderers.pdf(built)),
        ("board summary", renderers.summary_pdf(built)),
        ("learning summary", renderers.learning_pdf(summary)),
    ):
        path = tempfile_with(pdf)
        report = validate(path)
        findings = [f"{finding.rule_id} {finding.severity.name}: {finding.message}" for finding in report.findings]
        assert findings == [], f"{name}: {findings}"
        # pdfua 0.1.3's empty-heading rule fails on its own with pikepdf 10.18 (it asks an
        # array of kids whether it is an integer); every other rule must have run. Its
        # check, here: every heading marks some content on the page.
        assert [outcome.rule_id for outcome in report.skipped] in ([], [EMPTY_HEADING_RULE])
        with pikepdf.open(path) as opened:
            headings = [
                obj
                for obj in opened.objects
                if isinstance(obj, pikepdf.Dictionary) and str(obj.get("/S", "")) in HEADING_TAGS
            ]
            assert headings
            assert all(marks_content(heading) for heading in headings), f"{name}: an empty heading"


def marks_content(node: object) -> bool:
    """True if a structure element's kids reach a marked piece of page content (an MCID)."""
    if isinstance(node, int):
        return True
    if isinstance(node, pikepdf.Array):
        return any(marks_content(kid) for kid in node)
    if isinstance(node, pikepdf.Dictionary):
        return "/MCID" in node or ("/K" in node and marks_content(node.K))
    return False


EMPTY_HEADING_RULE = "UA-14-001"
HEADING_TAGS = {f"/H{level}" for level in range(1, 7)}


# --- The board summary ----------------------------------------------------------------------


def test_the_board_summarys_first_page_is_full_and_leads_with_the_headline_findings(built):
    pages = laid_out(PDFS["summary"], built)
    first = pages[0]
    top = first.content_box_y()
    bottom = max(box.position_y + box.height for box, _ in lines(first))
    assert (bottom - top) / first.height >= 0.8, "the board summary's first page is part empty"
    headings = [
        text_of(element)
        for element in lxml_html.fromstring(render_to_string(PDFS["summary"], {"document": built})).xpath("//h1 | //h2")
    ]
    assert headings[1] == "Headline findings"
