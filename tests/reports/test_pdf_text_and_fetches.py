"""Text from users and settings in the PDFs: it reads exactly as typed in every running
header and footer, it never enters the style sheet, and nothing in it can make the
renderer fetch anything. The renderer may read the service's own static files and
nothing else."""

from __future__ import annotations

import logging
import re

import pytest
from django.template.loader import render_to_string
from weasyprint import HTML

from audits.models import Grade
from reports import document, renderers
from tests.reports.conftest import MARCH_2011, pdf_margins

pytestmark = pytest.mark.django_db

# Everything that once ended the CSS string the footer was written in, or was escaped
# twice. The newline ends the string, and with the old style sheet the margin boxes after
# it fetched a local file and an internal address.
HOSTILE_TITLE = (
    'Children\'s "safety" & <b>care</b>\n} @top-left { content: url(file:///etc/hostname) }'
    " @top-right { content: url(http://127.0.0.1:9/x) } }@page{ margin: 0 }"
)
HOSTILE_BOARD = 'Board "North" & <i>South</i>\n} @top-left { content: url(file:///etc/hostname) } }@page{'
HOSTILE_MARKING = 'OFFICIAL\'s "SENSITIVE" & <u>x</u>\n} @top-right { content: url(http://127.0.0.1:9/) } }@page{'
PDFS = (renderers.pdf, renderers.summary_pdf)


def squash(text: str) -> str:
    """A footer wraps wherever a line may break, so compare without whitespace."""
    return re.sub(r"\s+", "", text)


@pytest.fixture
def fetched(monkeypatch) -> list[str]:
    """Every address WeasyPrint asks for while rendering."""
    urls: list[str] = []
    fetch = renderers.fetch_static

    def recording(url: str):
        urls.append(url)
        return fetch(url)

    monkeypatch.setattr(renderers, "fetch_static", recording)
    return urls


def assert_margins_read(pdf: bytes, *, board: str, title: str, marking: str) -> None:
    margins = pdf_margins(pdf)
    assert margins
    for page, (header, footer) in enumerate(margins, start=1):
        assert squash(marking) in squash(header), f"page {page} header: {header!r}"
        assert squash(f"{board}: {title}") in squash(footer), f"page {page} footer: {footer!r}"
        assert squash(marking) in squash(footer), f"page {page} footer: {footer!r}"
        assert f"Page {page} of {len(margins)}" in footer


def test_a_hostile_title_reads_exactly_in_every_footer_and_fetches_nothing(march_2011_report, fetched, settings):
    march_2011_report.title = HOSTILE_TITLE
    march_2011_report.save()
    built = document.build(march_2011_report, today=MARCH_2011)
    for render in PDFS:
        assert_margins_read(
            render(built), board=settings.BOARD_NAME, title=HOSTILE_TITLE, marking=settings.PROTECTIVE_MARKING
        )
    assert all(renderers.static_file(url) for url in fetched), fetched


def test_a_hostile_board_name_and_marking_read_exactly_and_fetch_nothing(march_2011_report, fetched, settings):
    settings.BOARD_NAME = HOSTILE_BOARD
    settings.PROTECTIVE_MARKING = HOSTILE_MARKING
    built = document.build(march_2011_report, today=MARCH_2011)
    for render in PDFS:
        assert_margins_read(render(built), board=HOSTILE_BOARD, title=march_2011_report.title, marking=HOSTILE_MARKING)
    assert all(renderers.static_file(url) for url in fetched), fetched


def test_no_user_or_settings_text_enters_the_style_sheet(march_2011_report, settings):
    settings.BOARD_NAME = HOSTILE_BOARD
    settings.PROTECTIVE_MARKING = HOSTILE_MARKING
    march_2011_report.title = HOSTILE_TITLE
    march_2011_report.save()
    # A colour written around the model's validators (an update, a bulk load), as long as
    # the column allows: it ends the rule and starts another.
    Grade.objects.filter(label="Good").update(colour="red;}*{")
    css = render_to_string("reports/pdf/print.css", {"document": document.build(march_2011_report, today=MARCH_2011)})
    for text in ("url(", "/etc/hostname", "North", "SENSITIVE", "safety", "red;"):
        assert text not in css
    good = Grade.objects.get(label="Good")
    assert f".app-grade--{good.pk} {{ background-color: #b1b4b6; color: {good.text_colour}; }}" in css


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/hostname",
        "http://127.0.0.1:9/x",
        "https://example.org/static/css/app.css",  # another server's static path
        "data:text/css,body{background:url(file:///etc/hostname)}",
        f"{renderers.base_url()}../../../etc/hostname",
        f"{renderers.base_url()}%2e%2e/%2e%2e/%2e%2e/etc/hostname",
        f"{renderers.base_url()}css/not-there.css",
    ],
)
def test_the_pdf_fetcher_refuses_anything_but_a_static_file_and_says_so(url, caplog):
    with caplog.at_level(logging.WARNING, logger="reports.renderers"), pytest.raises(renderers.RefusedURL):
        renderers.fetch_static(url)
    assert [record.getMessage() for record in caplog.records] == [
        f"PDF renderer refused to fetch {url[: renderers.LOGGED_URL_LENGTH]!r}"
    ]


def test_a_refused_address_is_logged_shortened_and_on_one_line(caplog):
    url = "file:///\nFORGED log line " + "text of the report " * 20
    with caplog.at_level(logging.WARNING, logger="reports.renderers"), pytest.raises(renderers.RefusedURL):
        renderers.fetch_static(url)
    (message,) = [record.getMessage() for record in caplog.records]
    assert len(message) < 130
    assert "text of the report " * 5 not in message
    assert "\n" not in message


def test_the_pdf_fetcher_serves_the_services_own_static_files():
    for url in (f"{renderers.base_url()}images/favicon.svg", f"{renderers.base_url()}css/../images/favicon.svg"):
        response = renderers.fetch_static(url)
        assert response.read().startswith(b"<svg")
        assert response.content_type == "image/svg+xml"


def test_weasyprint_skips_what_the_fetcher_refuses_and_keeps_what_it_serves(fetched, caplog):
    html = (
        '<img src="file:///etc/hostname" alt="">'
        '<img src="http://127.0.0.1:9/x.png" alt="">'
        '<img src="/static/images/favicon.svg" alt="">'
        "<p>Still rendered</p>"
    )
    with caplog.at_level(logging.WARNING, logger="reports.renderers"):
        pdf = HTML(string=html, base_url=renderers.base_url(), url_fetcher=renderers.StaticFilesOnly()).write_pdf()
    assert pdf.startswith(b"%PDF")
    assert fetched == ["file:///etc/hostname", "http://127.0.0.1:9/x.png", f"{renderers.base_url()}images/favicon.svg"]
    assert [record.getMessage() for record in caplog.records if record.name == "reports.renderers"] == [
        "PDF renderer refused to fetch 'file:///etc/hostname'",
        "PDF renderer refused to fetch 'http://127.0.0.1:9/x.png'",
    ]
