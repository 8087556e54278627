"""The report's prose in the board's own words: blocks with defaults written from the
figures, changed by the Executive, reset to the default, and shown the same on the web
page, in the PDF and in the Word document."""

from __future__ import annotations

import io
import re

import docx
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dscb.concurrency import EditConflict
from dscb.models import Role
from reports import document, renderers, services
from reports.models import ProseBlock, ReportProse
from reports.prose import Paragraph, paragraphs
from tests.conftest import make_user, sign_in
from tests.factories import PublishedReportFactory
from tests.reports.conftest import MARCH_2011, pdf_text

pytestmark = pytest.mark.django_db

OUR_WORDS = "The QAAC sub group has undertaken multi-agency case audits since April 2009."


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def executive():
    return make_user(Role.EXECUTIVE)


@pytest.fixture
def built(march_2011_report):
    return document.build(march_2011_report, today=MARCH_2011)


def test_the_defaults_read_as_the_seed_does(built):
    prose = {key: squeeze(block.text) for key, block in built.prose.items()}
    assert list(prose) == ProseBlock.values
    assert prose["introduction"].startswith("The audit team has undertaken multi-agency case audits since March 2009")
    assert "auditing 36 children subject to a child protection plan in four rounds" in prose["introduction"]
    assert (
        "The audit reviews case files from all agencies working with the child and their family"
        in prose["introduction"]
    )
    assert prose["method"].startswith("The initial audit identified five areas which have subsequently been audited")
    assert built.prose["method"].paragraphs[1] == Paragraph(
        items=(
            "Record keeping",
            "Multi-agency working",
            "Identification of risk to children",
            "Effectiveness of child protection meetings",
            "Supervision and management oversight",
        )
    )
    assert prose["case_findings"].startswith(
        "36 children subject to a child protection plan have been audited, accompanied by sibling and parental "
        "case records, totalling up to five case records for some case audits."
    )
    assert (
        "In two cases the audit team requested immediate intervention to make sure the child protection plan "
        "was reviewed and updated." in prose["case_findings"]
    )
    assert prose["appreciative_inquiry"].startswith(
        "In addition, two families have been audited using Appreciative Inquiry. This is too small a sample to "
        "produce any findings; however, two of them had been subject to a child protection plan for more than 12 "
        "months, and two were recognised as 'stuck'"
    )
    assert prose["recommendations"].startswith("32 recommendations have been made to the Board for consideration.")
    assert prose["next_steps"].startswith(
        "From April 2011 the audit team will continue to rate cases (using the Ofsted descriptors) for the five areas"
    )
    assert not any(block.edited for block in built.prose.values())


def test_paragraphs_and_bulleted_lists_are_read_from_plain_text():
    assert paragraphs("One\r\ntwo\r\n\r\n- a\n* b\n\n\n  \nThree") == [
        Paragraph(text="One\ntwo"),
        Paragraph(items=("a", "b")),
        Paragraph(text="Three"),
    ]
    assert paragraphs("  \n ") == []
    # A dash on some lines only is a paragraph, as typed.
    assert paragraphs("Figures:\n- 36 children") == [Paragraph(text="Figures:\n- 36 children")]


def test_the_executives_words_show_on_the_page_in_the_pdf_and_in_the_word_document(march_2011_report, executive):
    services.prose_save(
        report=march_2011_report, by=executive, block="introduction", body=OUR_WORDS, expected_version=0
    )
    built = document.build(march_2011_report, today=MARCH_2011)
    assert built.prose["introduction"].edited
    assert OUR_WORDS in squeeze(pdf_text(renderers.pdf(built)))
    word = docx.Document(io.BytesIO(renderers.docx(built)))
    assert OUR_WORDS in [paragraph.text for paragraph in word.paragraphs]
    client = sign_in(pytest.importorskip("django.test").Client(), executive)
    page = client.get(reverse("reports:report_detail", args=[march_2011_report.pk])).content.decode()
    assert OUR_WORDS in page
    assert "The audit team has undertaken" not in page


def test_a_block_changed_then_reset_follows_the_figures_again(march_2011_report, executive):
    written = services.prose_save(
        report=march_2011_report, by=executive, block="next_steps", body="  Ours.\r\n\r\nAgain.  ", expected_version=0
    )
    assert written.body == "Ours.\n\nAgain."
    services.prose_reset(report=march_2011_report, by=executive, block="next_steps")
    assert not ReportProse.objects.exists()
    built = document.build(march_2011_report, today=MARCH_2011)
    assert built.prose["next_steps"].text == built.prose["next_steps"].default
    assert built.prose["next_steps"].text.startswith("From April 2011")


def test_a_change_moves_the_reports_version_on_so_a_check_before_it_is_out_of_date(march_2011_report, executive):
    version = march_2011_report.version
    services.prose_save(report=march_2011_report, by=executive, block="method", body="Ours.", expected_version=0)
    march_2011_report.refresh_from_db()
    assert march_2011_report.version == version + 1
    services.prose_reset(report=march_2011_report, by=executive, block="method")
    march_2011_report.refresh_from_db()
    assert march_2011_report.version == version + 2


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ("   ", "body", "Enter the text"),
        ("Child with NHS number 943 476 5919 was seen.", "body", "NHS number"),
        ("As case MACA-2010-09-001 showed.", "body", "board reference"),
        ("x" * 5001, "body", "at most 5000"),
    ],
)
def test_text_is_refused_as_the_forms_refuse_it(march_2011_report, executive, body, field, message):
    with pytest.raises(ValidationError) as refused:
        services.prose_save(report=march_2011_report, by=executive, block="method", body=body, expected_version=0)
    assert field in refused.value.error_dict
    assert message.lower() in " ".join(refused.value.message_dict[field]).lower()
    assert not ReportProse.objects.exists()


def test_only_the_executive_changes_the_words_and_only_the_reports_blocks(march_2011_report, executive):
    auditor = make_user(Role.AUDIT_TEAM)
    with pytest.raises(ValidationError, match="Only the Board Executive"):
        services.prose_save(report=march_2011_report, by=auditor, block="method", body="Ours.", expected_version=0)
    with pytest.raises(ValidationError, match="Only the Board Executive"):
        services.prose_reset(report=march_2011_report, by=auditor, block="method")
    with pytest.raises(ValidationError) as refused:
        services.prose_save(report=march_2011_report, by=executive, block="preface", body="Ours.", expected_version=0)
    assert "block" in refused.value.error_dict
    assert not ReportProse.objects.exists()


def test_a_published_report_keeps_its_words(march_2011_report, executive):
    services.prose_save(report=march_2011_report, by=executive, block="method", body="Ours.", expected_version=0)
    PublishedReportFactory(report=march_2011_report)
    with pytest.raises(ValidationError, match="has been published"):
        services.prose_save(report=march_2011_report, by=executive, block="method", body="New.", expected_version=1)
    with pytest.raises(ValidationError, match="has been published"):
        services.prose_reset(report=march_2011_report, by=executive, block="method")
    assert ReportProse.objects.get().body == "Ours."


def test_two_people_changing_one_block_the_second_is_told_not_overwritten(march_2011_report, executive):
    other = make_user(Role.EXECUTIVE)
    services.prose_save(report=march_2011_report, by=other, block="method", body="Theirs.", expected_version=0)
    with pytest.raises(EditConflict):  # opened while it showed the default
        services.prose_save(report=march_2011_report, by=executive, block="method", body="Mine.", expected_version=0)
    services.prose_save(report=march_2011_report, by=other, block="method", body="Theirs again.", expected_version=1)
    with pytest.raises(EditConflict):  # opened at version 1
        services.prose_save(report=march_2011_report, by=executive, block="method", body="Mine.", expected_version=1)
    services.prose_reset(report=march_2011_report, by=other, block="method")
    with pytest.raises(EditConflict):  # opened when it held words, since reset
        services.prose_save(report=march_2011_report, by=executive, block="method", body="Mine.", expected_version=2)
    assert not ReportProse.objects.exists()


# --- The pages ---------------------------------------------------------------------------


def edit_url(report, block="introduction"):
    return reverse("reports:prose_edit", args=[report.pk, block])


def test_the_page_shows_the_default_and_saving_it_unchanged_keeps_it_following_the_figures(
    march_2011_report, executive, client
):
    sign_in(client, executive)
    page = client.get(edit_url(march_2011_report))
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["body"].startswith("The audit team has undertaken")
    assert form.initial["version"] == 0
    assert "Reset to the default" not in page.content.decode()
    # As a browser sends it back: lines ended with CR LF.
    sent_back = form.initial["body"].replace("\n", "\r\n")
    response = client.post(edit_url(march_2011_report), {"body": sent_back, "version": "0"})
    assert response.status_code == 302
    assert not ReportProse.objects.exists()


def test_the_page_saves_the_executives_words_and_resets_them(march_2011_report, executive, client):
    sign_in(client, executive)
    response = client.post(edit_url(march_2011_report), {"body": OUR_WORDS, "version": "0"})
    assert response.status_code == 302
    assert response["Location"].endswith("#report-prose")
    assert ReportProse.objects.get().body == OUR_WORDS
    page = client.get(edit_url(march_2011_report)).content.decode()
    assert "Reset to the default" in page
    assert "These are your words" in page
    detail = client.get(reverse("reports:report_detail", args=[march_2011_report.pk])).content.decode()
    assert "Your words" in detail
    client.post(reverse("reports:prose_reset", args=[march_2011_report.pk, "introduction"]))
    assert not ReportProse.objects.exists()


def test_the_page_shows_refusals_beside_the_text_and_keeps_what_was_typed(march_2011_report, executive, client):
    sign_in(client, executive)
    typed = "Seen with NHS number 943 476 5919 at the clinic."
    page = client.post(edit_url(march_2011_report), {"body": typed, "version": "0"})
    assert page.status_code == 200
    assert "NHS number" in " ".join(page.context["form"].errors["body"])
    assert typed in page.content.decode()
    conflict = client.post(edit_url(march_2011_report), {"body": "Mine.", "version": "3"})
    assert conflict.status_code == 200
    assert "after you opened it" in conflict.content.decode()
    assert not ReportProse.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_block_is_not_found(march_2011_report, executive, client, method):
    sign_in(client, executive)
    response = getattr(client, method)(edit_url(march_2011_report, "preface"))
    assert response.status_code == 404
    reset = client.post(reverse("reports:prose_reset", args=[march_2011_report.pk, "preface"]))
    assert reset.status_code == 404


def test_a_published_reports_words_cannot_be_opened_to_change(march_2011_report, executive, client):
    PublishedReportFactory(report=march_2011_report)
    sign_in(client, executive)
    response = client.get(edit_url(march_2011_report))
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:report_detail", args=[march_2011_report.pk])
