"""The six-monthly report and its board summary as Word documents (DOCX) a business unit can edit.

Made from the very HTML the PDFs are made from (templates/reports/pdf), walked element by
element, so the DOCX says what the PDF says, in the same order: headings become Heading 1 to 3
(Word's navigation pane lists them), tables real tables whose header row repeats on every
page, charts PNG pictures drawn from the same Chart (reports.charts) with its text
alternative, and the protective marking sits in every page's header and footer beside the
page number."""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cache

import lxml.html
from django.template.loader import render_to_string
from docx import Document as new_document
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Row
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from PIL import Image, ImageDraw, ImageFont

from dscb.templatetags.dscb_tags import css_colour
from reports.charts import BAR_HEIGHT, Chart, LegendItem, Segment
from reports.document import ReportDocument

# Drawn at twice the SVG's size, so a printed chart stays sharp.
SCALE = 2
CHART_WIDTH = Mm(170)
TEXT_COLOUR = "#0b0c0c"
FONTS = {False: "LiberationSans-Regular.ttf", True: "LiberationSans-Bold.ttf"}

HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 3, "h5": 3, "h6": 3}
BLOCKS = {"p", "div", "section", "figure", "ul", "ol", "li", "dl", "dt", "dd", "table", "svg", "header", "footer"}
BLOCKS |= set(HEADINGS)
SKIPPED = {"style", "script", "svg", "head", "title", "meta"}
BOLD = {"strong", "b", "th"}
WHITESPACE = re.compile(r"\s+")


# --- Charts as pictures ----------------------------------------------------------------------


@cache
def font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Liberation Sans (Arial's metrics, as in the PDF); Pillow's own font where it is missing."""
    try:
        return ImageFont.truetype(FONTS[bold], size)
    except OSError:
        return ImageFont.load_default(size)


def chart_png(chart: Chart) -> bytes:
    """The chart as the SVG draws it (reports/partials/chart.html): the same bars, colours,
    values (a zero reads 0) and legend, in the same places."""
    image = Image.new("RGB", (chart.width * SCALE, chart.height * SCALE), "white")
    draw = ImageDraw.Draw(image)
    regular, bold_font = font(14 * SCALE), font(14 * SCALE, bold=True)

    def box(x: float, y: float, width: float, height: float, colour: str) -> None:
        draw.rectangle(
            [x * SCALE, y * SCALE, (x + width) * SCALE, (y + height) * SCALE],
            fill=css_colour(colour),
            outline=TEXT_COLOUR,
            width=SCALE,
        )

    def text(x: float, y: float, words: str, *, anchor: str = "ls", bold: bool = False) -> None:
        """``y`` is the baseline, as in SVG; "rs" ends the text at ``x`` (text-anchor="end")."""
        draw.text((x * SCALE, y * SCALE), words, fill=TEXT_COLOUR, font=bold_font if bold else regular, anchor=anchor)

    for drawn in chart.drawn:
        text(drawn.label_x, drawn.text_y, drawn.short_label, anchor="rs")
        for rect in drawn.rects:
            box(rect.x, drawn.y, rect.width, BAR_HEIGHT, rect.segment.colour)
        text(drawn.value_x, drawn.text_y, drawn.value_text, bold=True)
    for item in legend_in_bar_order(chart):
        box(item.x, item.y, 16, 16, item.segment.colour)
        text(item.text_x, item.text_y, item.segment.label)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def legend_in_bar_order(chart: Chart) -> list[LegendItem]:
    """The legend's places, filled in the order the bars are drawn left to right (a
    segment missing from the first bar still takes its place before those after it)."""
    after: dict[str, set[str]] = {item.segment.label: set() for item in chart.legend}
    for bar in chart.bars:
        labels = [segment.label for segment in bar.segments]
        for index, label in enumerate(labels):
            after.setdefault(label, set()).update(labels[:index])
    waiting = [item.segment for item in chart.legend]
    ordered: list[Segment] = []
    while waiting:
        placed = {segment.label for segment in ordered}
        ready = next((s for s in waiting if after.get(s.label, set()) <= placed), waiting[0])
        ordered.append(ready)
        waiting.remove(ready)
    return [replace(item, segment=segment) for item, segment in zip(chart.legend, ordered, strict=True)]


def charts(document: ReportDocument) -> dict[str, Chart]:
    """Every chart the templates may show, by the key that is its figure's id."""
    shown = [
        document.audits.overall_chart,
        document.audits.trend_chart,
        document.audits.rounds_chart,
        document.plan.rag_chart,
        document.plan.open_chart,
    ]
    return {chart.key: chart for chart in shown if chart is not None}


# --- Text ------------------------------------------------------------------------------------


@dataclass
class Piece:
    text: str
    bold: bool = False
    line_break: bool = False


def inline_pieces(element: lxml.html.HtmlElement, *, bold: bool = False) -> Iterator[Piece]:
    """An element's text and its inline children's, in order, each marked bold or not."""
    if element.text:
        yield Piece(element.text, bold)
    for child in element:
        if not isinstance(child.tag, str):  # a comment
            pass
        elif child.tag == "br":
            yield Piece("", bold, line_break=True)
        elif child.tag not in SKIPPED:
            yield from inline_pieces(child, bold=bold or child.tag in BOLD)
        if child.tail:
            yield Piece(child.tail, bold)


def tidy(pieces: list[Piece]) -> list[Piece]:
    """As a browser shows them: runs of white space as one space, none at either end or
    around a line break."""
    tidied: list[Piece] = []
    space_before = True  # at the start, white space is dropped
    for piece in pieces:
        if piece.line_break:
            if tidied and not tidied[-1].line_break:
                tidied[-1].text = tidied[-1].text.rstrip()
            tidied.append(piece)
            space_before = True
            continue
        text = WHITESPACE.sub(" ", piece.text)
        if space_before:
            text = text.lstrip()
        if text:
            tidied.append(Piece(text, piece.bold))
            space_before = text.endswith(" ")
    if tidied and not tidied[-1].line_break:
        tidied[-1].text = tidied[-1].text.rstrip()
    return [piece for piece in tidied if piece.text or piece.line_break]


def write(paragraph: Paragraph, pieces: list[Piece], *, bold: bool = False) -> None:
    for piece in tidy(pieces):
        if piece.line_break:
            paragraph.add_run().add_break()
        else:
            paragraph.add_run(piece.text).bold = piece.bold or bold or None


def text_of(element: lxml.html.HtmlElement) -> str:
    return "".join(piece.text for piece in tidy(list(inline_pieces(element))))


# --- The walk --------------------------------------------------------------------------------


@dataclass
class Writer:
    """Where the walk writes: the document's body, or a table cell (whose first paragraph,
    empty when the cell is made, is used before adding more)."""

    document: Document
    charts: dict[str, Chart]
    cell: _Cell | None = None
    used_first: bool = field(default=False)

    def paragraph(self, style: str | None = None) -> Paragraph:
        if self.cell is not None and not self.used_first:
            self.used_first = True
            paragraph = self.cell.paragraphs[0]
            if style:
                paragraph.style = self.document.styles[style]
            return paragraph
        target = self.cell if self.cell is not None else self.document
        return target.add_paragraph(style=style)

    def table(self, rows: int, columns: int) -> Table:
        if self.cell is not None:
            self.used_first = True
            return self.cell.add_table(rows=rows, cols=columns)
        return self.document.add_table(rows=rows, cols=columns)

    def blocks(self, element: lxml.html.HtmlElement) -> None:
        """An element holding blocks: each block child in turn, and any loose inline
        content between them as a paragraph of its own."""
        loose: list[Piece] = []

        def flush() -> None:
            if tidy(loose):
                write(self.paragraph(), loose)
            loose.clear()

        if element.text:
            loose.append(Piece(element.text))
        for child in element:
            if isinstance(child.tag, str) and child.tag in BLOCKS | SKIPPED:
                flush()
                self.block(child)
            elif isinstance(child.tag, str) and child.tag == "br":
                loose.append(Piece("", line_break=True))
            elif isinstance(child.tag, str):
                loose.extend(inline_pieces(child, bold=child.tag in BOLD))
            if child.tail:
                loose.append(Piece(child.tail))
        flush()

    def block(self, element: lxml.html.HtmlElement) -> None:
        tag, classes = element.tag, set(element.get("class", "").split())
        if tag in SKIPPED or "app-marking" in classes:  # the marking is in every header and footer
            return
        if tag in HEADINGS:
            self.document.add_heading(text_of(element), level=HEADINGS[tag])
        elif tag == "p":
            write(self.paragraph(), list(inline_pieces(element)))
        elif tag in {"ul", "ol"}:
            style = "List Bullet" if tag == "ul" else "List Number"
            for item in element.iterchildren("li"):
                write(self.paragraph(style), list(inline_pieces(item)))
        elif tag == "dl":
            for key in element.iter("dt"):
                value = key.getnext()
                described = value is not None and value.tag == "dd"
                write(
                    self.paragraph(),
                    [Piece(text_of(key) + ": ", bold=True), *(inline_pieces(value) if described else [])],
                )
        elif tag == "table":
            self.html_table(element)
        elif tag == "figure" and element.get("id") in self.charts:
            self.chart(self.charts[element.get("id", "")])
            self.blocks(element)  # the table of the chart's numbers (its SVG is skipped)
        else:
            self.blocks(element)

    def chart(self, chart: Chart) -> None:
        """The chart's title above it, as a caption, then the picture, described."""
        caption = self.paragraph("Caption")
        caption.paragraph_format.keep_with_next = True
        write(caption, [Piece(chart.title)])
        run = self.paragraph().add_run()
        shape = run.add_picture(io.BytesIO(chart_png(chart)), width=CHART_WIDTH)
        properties = shape._inline.docPr
        properties.set("title", chart.title)
        properties.set("descr", chart.description)

    def html_table(self, element: lxml.html.HtmlElement) -> None:
        caption = element.find("caption")
        if caption is not None:
            above = self.paragraph("Caption")
            above.paragraph_format.keep_with_next = True
            write(above, list(inline_pieces(caption)))
        rows = [(row, row.getparent().tag == "thead") for row in element.iter("tr")]
        if not rows:
            return
        width = max(sum(int(cell.get("colspan", "1")) for cell in row if cell.tag in {"td", "th"}) for row, _ in rows)
        table = self.table(0, width)
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        for row, is_header in rows:
            added = table.add_row()
            mark_row(added._tr, header=is_header)
            cells = added.cells
            column = 0
            for html_cell in (cell for cell in row if cell.tag in {"td", "th"}):
                span = int(html_cell.get("colspan", "1"))
                cell = cells[column]
                if span > 1:
                    cell = cell.merge(cells[column + span - 1])
                column += span
                writer = Writer(self.document, self.charts, cell=cell)
                writer.blocks(html_cell)
                numeric = any(name.endswith("--numeric") for name in html_cell.get("class", "").split())
                for paragraph in cell.paragraphs:
                    if html_cell.tag == "th":
                        for run in paragraph.runs:
                            run.bold = True
                    if numeric:
                        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        self.paragraph()  # a table needs a paragraph after it to be edited past


def mark_row(row: CT_Row, *, header: bool) -> None:
    """A header row repeats at the top of each page; no row is split across two pages."""
    properties = row.get_or_add_trPr()
    properties.append(OxmlElement("w:cantSplit"))
    if header:
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        properties.append(repeat)


# --- Pages -----------------------------------------------------------------------------------


def field_run(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """A field Word fills in (PAGE, NUMPAGES), showing ``shown`` until it does."""
    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = shown
    run.append(text)
    simple.append(run)
    paragraph._p.append(simple)


def set_up_pages(document: Document, *, marking: str, running_title: str) -> None:
    """A4 with the PDF's margins; the marking at the top and foot of every page; the
    board and title, and the page number, at the foot."""
    for section in document.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin = section.bottom_margin = Mm(22)
        section.left_margin = section.right_margin = Mm(16)
        header = section.header
        header.is_linked_to_previous = False
        top = header.paragraphs[0]
        top.alignment = WD_ALIGN_PARAGRAPH.CENTER
        top.add_run(marking).bold = True
        footer = section.footer
        footer.is_linked_to_previous = False
        foot = footer.paragraphs[0]
        foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
        foot.add_run(marking).bold = True
        line = footer.add_paragraph()
        line.paragraph_format.tab_stops.add_tab_stop(Mm(178), WD_TAB_ALIGNMENT.RIGHT)
        small = line.add_run(f"{running_title}\tPage ")
        small.font.size = Pt(8)
        field_run(line, "PAGE", "1")
        line.add_run(" of ").font.size = Pt(8)
        field_run(line, "NUMPAGES", "1")


def set_language(document: Document, language: str = "en-GB") -> None:
    """Spelling and screen readers take the text as British English."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    properties = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for old in properties.findall(qn("w:lang")):
        properties.remove(old)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), language)
    properties.append(lang)


def render(template: str, report: ReportDocument, *, title: str) -> bytes:
    html = render_to_string(template, {"document": report})
    body = lxml.html.document_fromstring(html).find("body")
    document = new_document()
    normal = document.styles["Normal"].font
    normal.name, normal.size = "Arial", Pt(10)
    set_language(document)
    Writer(document, charts(report)).blocks(body)
    set_up_pages(document, marking=report.protective_marking, running_title=f"{report.board_name}: {report.title}")
    properties = document.core_properties
    properties.title = title
    properties.subject = f"Case audits {report.period}"
    # The partnership wrote it, not a person, and not the library.
    properties.author = properties.last_modified_by = report.board_name
    properties.comments = properties.keywords = properties.category = ""
    properties.created = properties.modified = datetime.datetime.combine(report.generated_on, datetime.time())
    properties.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx(report: ReportDocument) -> bytes:
    return render("reports/pdf/report.html", report, title=report.title)


def summary_docx(report: ReportDocument) -> bytes:
    return render("reports/pdf/summary.html", report, title=f"Board summary: {report.title}")
