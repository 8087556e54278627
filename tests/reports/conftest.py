from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import tempfile

import pytest

from recommendations.models import ReviewCycle
from reports.models import Report
from tests.demo_snapshot import load_demo

MARCH_2011 = datetime.date(2011, 3, 4)


def poppler(tool: str, pdf: bytes, *arguments: str) -> str:
    """What one of poppler-utils' tools prints about ``pdf``. Skips where the tool is
    missing, except under CI=true, where it must be there."""
    if shutil.which(tool) is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{tool} is missing: apt-get install poppler-utils")
        pytest.skip(f"{tool} is not installed: apt-get install poppler-utils")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        return subprocess.run(  # noqa: S603 - a fixed tool on our own temporary file
            [tool, *arguments, handle.name, *(["-"] if tool == "pdftotext" else [])],
            capture_output=True,
            text=True,
            check=True,
        ).stdout


def pdf_text(pdf: bytes, *, layout: bool = True) -> str:
    """The PDF's text as pdftotext reads it. With ``layout`` the text is placed as on the
    page, so a table reads by rows, but a cell wrapped over lines is interleaved with its
    neighbours; without it, each block's text comes whole, in the order drawn."""
    return poppler("pdftotext", pdf, "-layout" if layout else "-raw")


# A4 is 842 points high; the PDFs' top and bottom margins are 22 mm (62 points).
PAGE_HEIGHT = 842
MARGIN = 60


def pdf_margins(pdf: bytes) -> list[tuple[str, str]]:
    """Each page's running header and footer, as pdftotext reads the top and bottom
    margins of the page, in the order they were drawn: each margin box's text together,
    not interleaved with the box beside it."""

    def crop(top: int) -> list[str]:
        text = poppler("pdftotext", pdf, "-raw", "-x", "0", "-y", str(top), "-W", "600", "-H", str(MARGIN))
        return text.split("\f")[:-1]  # pdftotext ends every page with a form feed

    return list(zip(crop(0), crop(PAGE_HEIGHT - MARGIN), strict=True))


def pdf_info(pdf: bytes) -> dict[str, str]:
    output = poppler("pdfinfo", pdf)
    return dict(line.split(":", 1) for line in output.splitlines() if ":" in line)


@pytest.fixture
def demo(settings, db):
    """The demo's accounts, case audits and action plan, without its published report:
    publishing renders two PDFs, which would double the cost of every test here. Tests of
    the whole demo use ``full_demo``."""
    load_demo(settings, report=False)


@pytest.fixture
def full_demo(settings, db):
    """Everything `manage.py seed_demo` loads, the published seed report too."""
    load_demo(settings)


@pytest.fixture
def march_2011_report(demo) -> Report:
    """The report for the March 2011 update, over the audits the seed report covers."""
    return Report.objects.create(
        title="Analysis of multi-agency case audits between 2009 and 2010",
        cycle=ReviewCycle.objects.get(title="March 2011 update"),
        period_start=datetime.date(2009, 1, 1),
        period_end=MARCH_2011,
    )
