"""Evidence files: an allow-list of types, each recognised by its content, not only by
its name, and a size cap (ASVS 5.1.1, 5.2.x). A web page renamed "report.pdf" is not
a PDF and is refused."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Word and Excel


@dataclass(frozen=True)
class FileType:
    name: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileType("PDF", "application/pdf", (".pdf",))
DOCX = FileType("Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",))
XLSX = FileType("Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
DOC = FileType("Word", "application/msword", (".doc",))
XLS = FileType("Excel", "application/vnd.ms-excel", (".xls",))
PNG = FileType("PNG image", "image/png", (".png",))
JPEG = FileType("JPEG image", "image/jpeg", (".jpg", ".jpeg"))
ALLOWED = (PDF, DOCX, XLSX, DOC, XLS, PNG, JPEG)
ALLOWED_DESCRIPTION = "a PDF, Word or Excel document, or a PNG or JPEG image"


def _office_open_xml_type(upload: UploadedFile) -> FileType | None:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(name.startswith("word/") for name in names):
        return DOCX
    if any(name.startswith("xl/") for name in names):
        return XLSX
    return None


def sniff(upload: UploadedFile) -> FileType | None:
    """What the file is, judged by its first bytes (and, for Office files, its parts)."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        found = _office_open_xml_type(upload)
        upload.seek(0)
        return found
    if head.startswith(OLE2):
        extension = PurePath(upload.name or "").suffix.lower()
        return XLS if extension == ".xls" else DOC
    return None


def validate_evidence_file(upload: UploadedFile) -> FileType:
    limit = settings.EVIDENCE_MAX_UPLOAD_MB * 1024 * 1024
    if (upload.size or 0) > limit:
        raise ValidationError(
            f"The file must be smaller than {settings.EVIDENCE_MAX_UPLOAD_MB} MB.", code="file_too_large"
        )
    if upload.size == 0:
        raise ValidationError("The selected file is empty.", code="file_empty")
    found = sniff(upload)
    extension = PurePath(upload.name or "").suffix.lower()
    if found is None or extension not in found.extensions:
        raise ValidationError(f"The selected file must be {ALLOWED_DESCRIPTION}.", code="file_type")
    return found
