"""The six-monthly report: the seed's figures, on the page, in the PDF and in the
workbook, from one set of selectors; publishing freezes it."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils.html import strip_tags
from openpyxl import load_workbook

from audits.models import AuditCase
from dscb.models import Role
from recommendations.models import ProgressUpdate, RagStatus, Recommendation
from reports import document, renderers, services
from reports.models import PublishedReport, Report
from tests.conftest import draft_download, make_user, sign_in
from tests.factories import AuditRoundFactory, ReportFactory, ReviewCycleFactory
from tests.reports.conftest import MARCH_2011, pdf_info, pdf_text

pytestmark = pytest.mark.django_db

SEED_NUMBERS = (
    [f"1.{n}" for n in range(1, 8)]
    + [f"2.{n}" for n in range(1, 12)]
    + [f"3.{n}" for n in range(1, 6)]
    + [f"4.{n}" for n in range(1, 10)]
)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_the_march_2011_report_pdf_shows_the_seeds_figures(march_2011_report):
    built = document.build(march_2011_report, today=MARCH_2011)
    pdf = renderers.pdf(built)
    assert pdf.startswith(b"%PDF")
    text = squeeze(pdf_text(pdf))
    assert "36 children audited in 4 rounds" in text
    assert "Overall ratings of audit findings of 36 (using Ofsted descriptors)" in text
    assert "March 2009: 8 cases; overall 3 adequate, 5 inadequate (5 of 8 inadequate)" in text
    assert "September 2010 (Integrated Children's Service): 8 cases; overall 1 good, 7 adequate" in text
    assert "7 of these cases had an area under the 5 themes that was not adequate or better" in text
    assert "2 requests for immediate intervention" in text
    assert "2 families audited using Appreciative Inquiry" in text
    assert "32 recommendations in the action plan: 10 Green, 2 Amber, 4 Orange, 1 Red, 15 Not yet rated" in text
    assert "OFFICIAL-SENSITIVE" in text
    # The action plan table: all 32 rows, in their four sections, in natural order.
    plan = text[text.index("Audit of Multi-Agency Case Audit recommendations", text.index("Evidence of impact")) :]
    positions = [plan.index(f" {number} ") for number in SEED_NUMBERS]
    assert positions == sorted(positions)
    for heading in (
        "1 March 2009",
        "2 December 2009",
        "3 April 2010",
        "4 September 2010 (Integrated Children's Service)",
    ):
        assert heading in plan
    # A long link wraps inside its table cell: read it without the line breaks.
    assert "http://dscb.info/practitioners/multi-agency-safeguarding-hub-mash/" in plan.replace(" ", "")


def test_the_pdf_prints_on_a4_with_page_numbers_and_is_tagged(march_2011_report):
    pdf = renderers.pdf(document.build(march_2011_report, today=MARCH_2011))
    info = pdf_info(pdf)
    pages = int(info["Pages"])
    assert 5 <= pages <= 40
    assert info["Tagged"].strip() == "yes"
    assert "(A4)" in info["Page size"]
    text = pdf_text(pdf)
    assert f"Page 1 of {pages}" in text
    assert f"Page {pages} of {pages}" in text


def test_the_board_summary_fits_on_two_pages(march_2011_report):
    pdf = renderers.summary_pdf(document.build(march_2011_report, today=MARCH_2011))
    assert int(pdf_info(pdf)["Pages"]) <= 2
    text = squeeze(pdf_text(pdf))
    assert "32 recommendations: 10 Green, 2 Amber, 4 Orange, 1 Red, 15 Not yet rated" in text
    assert "Red and overdue" in text
    assert "4.4" in text  # the one Red


def test_page_pdf_and_workbook_show_the_same_figures(march_2011_report, client):
    built = document.build(march_2011_report, today=MARCH_2011)
    figures = built.figures()
    workbook = load_workbook(io.BytesIO(renderers.xlsx(built)))
    assert workbook.sheetnames == ["Action plan", "Key", "Figures"]
    sheet = {row[0]: row[1] for row in workbook["Figures"].iter_rows(min_row=2, values_only=True)}
    assert sheet["children_audited"] == figures["children_audited"] == 36
    assert sheet["requests_for_immediate_intervention"] == 2
    assert sheet["rag Green"] == figures["rag"]["Green"] == 10
    assert sheet["rag Not yet rated"] == 15
    assert sheet["appreciative_inquiry families"] == 2
    numbers = [row[0] for row in workbook["Action plan"].iter_rows(values_only=True) if row[0] in SEED_NUMBERS]
    assert numbers == SEED_NUMBERS
    pdf = squeeze(pdf_text(renderers.pdf(built)))
    sign_in(client, make_user(Role.EXECUTIVE))
    page = squeeze(
        strip_tags(client.get(reverse("reports:report_detail", args=[march_2011_report.pk])).content.decode())
    )
    for sentence in (
        f"{figures['children_audited']} children audited in {figures['audit_rounds']} rounds",
        f"{figures['recommendations']} recommendations in the action plan",
    ):
        assert sentence in pdf
        assert sentence in page


def test_spreadsheet_cells_are_never_formulas(march_2011_report):
    Recommendation.objects.filter(number="1.1").update(text='=HYPERLINK("http://evil.example")')
    workbook = load_workbook(io.BytesIO(renderers.xlsx(document.build(march_2011_report, today=MARCH_2011))))
    cells = [row[1] for row in workbook["Action plan"].iter_rows(values_only=True) if row[0] == "1.1"]
    assert cells == ['\'=HYPERLINK("http://evil.example")']
    assert all(cell.data_type != "f" for row in workbook["Action plan"].iter_rows() for cell in row)


def test_a_published_report_never_changes_even_when_the_data_does(march_2011_report, client):
    executive = make_user(Role.EXECUTIVE)
    published = services.publish(
        report=march_2011_report, by=executive, today=MARCH_2011, expected_version=march_2011_report.version
    )
    with published.pdf.open("rb") as stored:
        pdf_before = stored.read()
    with published.xlsx.open("rb") as stored:
        xlsx_before = stored.read()
    figures_before = published.figures
    # The data moves on: a rating changes and a case is regraded.
    ProgressUpdate.objects.filter(recommendation__number="4.4").update(rag=RagStatus.objects.get(label="Green"))
    AuditCase.objects.filter(reference="MACA-2009-03-01").update(overall_grade=None)
    assert document.build(march_2011_report, today=MARCH_2011).figures()["rag"]["Green"] == 11
    published = PublishedReport.objects.get()
    assert published.figures == figures_before
    assert published.figures["rag"]["Green"] == 10
    board = sign_in(client, make_user(Role.BOARD_MEMBER))
    response = board.get(reverse("reports:published_download", args=[published.pk, "pdf"]))
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == pdf_before
    response = board.get(reverse("reports:published_download", args=[published.pk, "xlsx"]))
    assert b"".join(response.streaming_content) == xlsx_before


EXTENSIONS = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}
MAGIC = {".pdf": b"%PDF", ".xlsx": b"PK", ".docx": b"PK"}


def test_every_download_is_named_with_the_extension_of_its_content(march_2011_report, client):
    executive = make_user(Role.EXECUTIVE)
    published = services.publish(
        report=march_2011_report, by=executive, today=MARCH_2011, expected_version=march_2011_report.version
    )
    draft = Report.objects.create(
        title="Draft", cycle=march_2011_report.cycle, period_start=MARCH_2011, period_end=MARCH_2011
    )
    sign_in(client, executive)
    names = {}
    for kind in ("pdf", "summary", "xlsx", "docx", "summary-docx"):
        for name, response in (
            ("draft", draft_download(client, draft.pk, kind)),
            ("published", client.get(reverse("reports:published_download", args=[published.pk, kind]))),
        ):
            assert response.status_code == 200
            filename = re.fullmatch(r'attachment; filename="([^"/]+)"', response["Content-Disposition"]).group(1)
            extension = EXTENSIONS[response["Content-Type"]]
            assert filename.endswith(extension), (name, kind, filename)
            content = b"".join(response.streaming_content) if response.streaming else response.content
            assert content.startswith(MAGIC[extension])
            names[name, kind] = filename
    slug = "analysis-of-multi-agency-case-audits-between-2009-and-2010"
    assert names == {
        ("draft", "pdf"): f"draft-report-{draft.pk}.pdf",
        ("draft", "summary"): f"draft-report-{draft.pk}-board-summary.pdf",
        ("draft", "xlsx"): f"draft-report-{draft.pk}.xlsx",
        ("published", "pdf"): f"{slug}.pdf",
        ("published", "summary"): f"{slug}-board-summary.pdf",
        ("published", "xlsx"): f"{slug}.xlsx",
        ("draft", "docx"): f"draft-report-{draft.pk}.docx",
        ("draft", "summary-docx"): f"draft-report-{draft.pk}-board-summary.docx",
        ("published", "docx"): f"{slug}.docx",
        ("published", "summary-docx"): f"{slug}-board-summary.docx",
    }


def test_board_members_see_published_reports_but_never_drafts(march_2011_report, client):
    services.publish(
        report=march_2011_report,
        by=make_user(Role.EXECUTIVE),
        today=MARCH_2011,
        expected_version=march_2011_report.version,
    )
    sign_in(client, make_user(Role.BOARD_MEMBER))
    listing = client.get(reverse("reports:report_list")).content.decode()
    assert march_2011_report.title in listing
    assert reverse("reports:report_detail", args=[march_2011_report.pk]) not in listing
    assert client.get(reverse("reports:report_detail", args=[march_2011_report.pk])).status_code == 403
    assert client.get(reverse("reports:report_download", args=[march_2011_report.pk, "pdf"])).status_code == 403


def test_the_executive_writes_and_orders_the_evidence_of_impact(march_2011_report, client):
    sign_in(client, make_user(Role.EXECUTIVE))
    for heading, position in (
        ("Learning and Development", 3),
        ("Multi-agency safeguarding hub (MASH)", 1),
        ("The Safeguarding Golden Rules", 2),
    ):
        response = client.post(
            reverse("reports:section_add", args=[march_2011_report.pk]),
            {"heading": heading, "body": f"{heading} made a difference.", "position": position},
        )
        assert response.status_code == 302
    text = squeeze(pdf_text(renderers.pdf(document.build(march_2011_report, today=MARCH_2011))))
    assert (
        text.index("Multi-agency safeguarding hub (MASH)")
        < text.index("The Safeguarding Golden Rules")
        < text.index("Learning and Development")
    )


def test_evidence_of_impact_with_an_nhs_number_is_refused(march_2011_report, client):
    sign_in(client, make_user(Role.EXECUTIVE))
    response = client.post(
        reverse("reports:section_add", args=[march_2011_report.pk]),
        {"heading": "Case study", "body": "Child 943 476 5919 is safer.", "position": 1},
    )
    assert "looks like it contains an NHS number" in response.content.decode()
    assert not march_2011_report.sections.exists()


def start_offered(page: str) -> datetime.date:
    day, month, year = (int(re.search(rf'name="period_start_{part}"[^>]*value="(\d+)"', page)[1]) for part in range(3))
    return datetime.date(year, month, day)


def test_a_new_report_goes_on_from_where_the_last_one_stopped(client):
    sign_in(client, make_user(Role.EXECUTIVE))
    ReviewCycleFactory(due_on=datetime.date(2011, 9, 30))
    AuditRoundFactory(held_on=datetime.date(2009, 3, 10))
    url = reverse("reports:report_create")
    # Before any report: from the first round ever held.
    assert start_offered(client.get(url).content.decode()) == datetime.date(2009, 3, 10)
    ReportFactory(period_start=datetime.date(2009, 3, 1), period_end=datetime.date(2011, 3, 4))
    assert start_offered(client.get(url).content.decode()) == datetime.date(2011, 3, 5)


def test_a_report_period_must_run_forwards(demo, client):
    from recommendations.models import ReviewCycle

    sign_in(client, make_user(Role.EXECUTIVE))
    response = client.post(
        reverse("reports:report_create"),
        {
            "title": "Backwards",
            "cycle": ReviewCycle.objects.first().pk,
            "period_start_0": "1",
            "period_start_1": "1",
            "period_start_2": "2011",
            "period_end_0": "1",
            "period_end_1": "1",
            "period_end_2": "2010",
        },
    )
    assert "The last date must be on or after the first date" in response.content.decode()


def test_a_published_report_is_neither_changed_nor_published_again(march_2011_report, client):
    executive = make_user(Role.EXECUTIVE)
    services.publish(
        report=march_2011_report, by=executive, today=MARCH_2011, expected_version=march_2011_report.version
    )
    sign_in(client, executive)
    # Publishing again replaces the publication, and only with a reason.
    response = client.post(
        reverse("reports:report_publish", args=[march_2011_report.pk]),
        {"version": PublishedReport.objects.get().report.version},
    )
    assert "Enter why this publication replaces the current one" in response.content.decode()
    assert PublishedReport.objects.count() == 1
    client.post(
        reverse("reports:section_add", args=[march_2011_report.pk]),
        {"heading": "Late", "body": "Added after publishing.", "position": 1},
    )
    assert not march_2011_report.sections.exists()
    listing = client.get(reverse("reports:report_list")).content.decode()
    assert reverse("reports:report_detail", args=[march_2011_report.pk]) not in listing


def test_the_board_summary_lists_the_red_and_the_overdue_and_nothing_else(march_2011_report):
    past = datetime.date(2011, 1, 1)
    Recommendation.objects.filter(number="2.7").update(target_date=past)  # Amber, past its date: overdue
    Recommendation.objects.filter(number="2.2").update(target_date=past)  # Green: done, not overdue
    Recommendation.objects.filter(number="4.9").update(target_date=past, state="closed")  # closed: not overdue
    built = document.build(march_2011_report, today=MARCH_2011)
    assert [row.recommendation.number for row in built.plan.needing_attention] == ["2.7", "4.4"]
    assert built.plan.rag.overdue_count == 1
