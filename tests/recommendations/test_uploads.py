"""Evidence files: type by content, size cap, stored outside static, served only through
an access check (SECURITY.md rows 20 and 21)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from recommendations.uploads import DOCX, PDF, PNG, XLSX, validate_evidence_file
from tests.factories import MINIMAL_PDF

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def office_file(folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}/document.xml", "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("minutes.pdf", MINIMAL_PDF, PDF),
        ("chart.PNG", PNG_BYTES, PNG),
        ("report.docx", office_file("word"), DOCX),
        ("figures.xlsx", office_file("xl"), XLSX),
    ],
)
def test_allowed_files_are_recognised_by_their_content(name, content, expected):
    assert validate_evidence_file(SimpleUploadedFile(name, content)) == expected


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", b"<html><script>alert(1)</script></html>"),  # a web page dressed as a PDF
        ("report.docx", b"PK\x03\x04not really a zip"),
        ("figures.xlsx", office_file("word")),  # a Word file named as Excel
        ("minutes.pdf.html", MINIMAL_PDF),
        ("run.exe", b"MZ\x90\x00"),
        ("notes.txt", b"plain words"),
        ("picture.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
    ],
)
def test_disguised_and_unlisted_files_are_refused(name, content):
    with pytest.raises(ValidationError, match="must be a PDF, Word or Excel document"):
        validate_evidence_file(SimpleUploadedFile(name, content))


def test_files_over_the_size_cap_are_refused(settings):
    settings.EVIDENCE_MAX_UPLOAD_MB = 1
    with pytest.raises(ValidationError, match="smaller than 1 MB"):
        validate_evidence_file(SimpleUploadedFile("big.pdf", MINIMAL_PDF + b"0" * 1024 * 1024))


def test_empty_files_are_refused():
    with pytest.raises(ValidationError, match="empty"):
        validate_evidence_file(SimpleUploadedFile("empty.pdf", b""))
