"""Stored files follow the rows that name them (dscb.files): a save that fails leaves no
file behind, and `manage.py orphan_files` finds and removes what a process killed
mid-save left."""

from __future__ import annotations

import datetime
import io
import os
import time
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db.models.fields.files import FieldFile

from recommendations import services as plan_services
from recommendations.models import Evidence
from reports import services as report_services
from reports.models import PublishedReport
from tests.factories import (
    MINIMAL_PDF,
    EvidenceFactory,
    RecommendationFactory,
    ReportFactory,
    ReviewCycleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def stored_files(settings) -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


class Fault(Exception):
    pass


def test_a_publication_that_fails_half_way_leaves_no_file(settings, monkeypatch):
    report = ReportFactory()

    # The documents are rendered first, then stored: the disk fills up at the third.
    real_save = FieldFile.save
    stored: list[str] = []

    def save_until_the_disk_is_full(self, name, content, save=True):
        if len(stored) == 2:
            raise Fault("the disk is full")
        stored.append(name)
        return real_save(self, name, content, save=save)

    monkeypatch.setattr(FieldFile, "save", save_until_the_disk_is_full)
    with pytest.raises(Fault):
        report_services.publish(
            report=report,
            by=UserFactory(is_executive=True),
            today=datetime.date(2011, 3, 4),
            expected_version=report.version,
        )
    assert len(stored) == 2
    assert not PublishedReport.objects.exists()
    assert stored_files(settings) == []


def test_evidence_whose_row_fails_to_save_leaves_no_file(settings, monkeypatch):
    lead = UserFactory(is_professional_lead=True)
    recommendation = RecommendationFactory(lead=lead)
    cycle = ReviewCycleFactory(plan=recommendation.plan)
    save = Evidence.save

    def save_file_then_fail(self, *args, **kwargs):
        self.file.save(self.file.name, self.file.file, save=False)  # the file is written first, as in a real save
        raise Fault("the database went away")

    monkeypatch.setattr(Evidence, "save", save_file_then_fail)
    with pytest.raises(Fault):
        plan_services.evidence_add(
            recommendation=recommendation,
            cycle=cycle,
            by=lead,
            text="Policy",
            upload=SimpleUploadedFile("policy.pdf", MINIMAL_PDF),
        )
    monkeypatch.setattr(Evidence, "save", save)
    assert stored_files(settings) == []


def age(name: str, hours: int) -> None:
    path = default_storage.path(name)
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_orphan_files_lists_and_removes_only_old_files_no_record_names(settings):
    kept = EvidenceFactory(file=SimpleUploadedFile("kept.pdf", MINIMAL_PDF), file_name="kept.pdf").file.name
    orphan = default_storage.save("evidence/left-behind.pdf", io.BytesIO(MINIMAL_PDF))
    young = default_storage.save("reports/being-saved.pdf", io.BytesIO(MINIMAL_PDF))
    for name in (kept, orphan):
        age(name, 48)

    listed = io.StringIO()
    call_command("orphan_files", stdout=listed)
    assert listed.getvalue().splitlines() == [orphan, "1 file with no record found."]
    assert default_storage.exists(orphan)

    removed = io.StringIO()
    call_command("orphan_files", "--delete", stdout=removed)
    assert "1 file with no record removed." in removed.getvalue()
    assert not default_storage.exists(orphan)
    assert default_storage.exists(kept)
    assert default_storage.exists(young)


def test_orphan_files_refuses_an_age_under_an_hour():
    with pytest.raises(Exception, match="at least 1"):
        call_command("orphan_files", "--older-than-hours", "0")
