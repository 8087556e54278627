"""Hostile text in every stored text field, rendered everywhere the service shows it.

The kind of defect this catches: text that someone typed is shown as something other
than what they typed. If it is printed unescaped, it becomes markup (a checklist
question in a form label, because the GDS form pack prints labels and legends
``|safe``). If it is escaped twice, it reads ``Children&#x27;s &amp; families`` (the PDF
footer once did). If it is escaped where nothing unescapes it, a plain-text email reads
``&lt;`` for ``<`` (the reminder's subject did, and a line break in an update's title
stopped the reminder from being sent at all). If it is put in a CSS or JavaScript string, it can end that string
(a report title once could). If it goes into a spreadsheet cell, it can become a formula.

The test finds every ``CharField`` and ``TextField`` of the service's own apps that a
person or an administrator types into by reading the models, so a new field is covered
without editing this file. Each such field gets markup, both quotes, an ampersand and a
CSS string breaker, then a tag that names the field and the row. The values pass each
field's own validators, so they are values the service's own forms and services accept.
The fields' validators, not a list here, leave out the fields that refuse the values
(board references, colours, email addresses, web addresses, recommendation numbers).

Then the test walks every page as every persona, including the administration pages,
and reads the report's PDF, board summary and workbook, and the emails (the reminder to
leads and the notice of a removed authenticator; the invitation is allauth's reset email,
which holds none of these fields). The text must read exactly as typed: escaped once in
HTML, and never escaped in a PDF, a workbook or a plain-text email. It must never reach a
style sheet or a script, and every field must be found somewhere (or be listed in
``NOT_SHOWN``, with the reason).

One world is built, and every check is made on it, in one test: loading the demo and
walking six personas' pages costs about half a minute.
"""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

import reports.demo
from audits.models import (
    AuditCase,
    CaseRecord,
    CaseReopening,
    ChecklistAnswer,
    ChecklistQuestion,
    Feedback,
    RoundReopening,
)
from dscb.models import User
from dscb.reference import KINDS
from dscb.services import person_authenticator_reset
from recommendations import selectors as plan_selectors
from recommendations.models import (
    CycleReopening,
    Evidence,
    ProgressUpdate,
    Recommendation,
    RecommendationLead,
    ReviewCycle,
)
from recommendations.services import send_reminders
from reports import document, renderers
from reports.models import PublishedReport, Report
from tests.demo_snapshot import load_demo
from tests.factories import PublishedReportFactory
from tests.reports.conftest import MARCH_2011, pdf_text
from tests.test_page_walk import walk
from tests.test_permission_matrix import sample_kwargs

pytestmark = pytest.mark.django_db

APPS = ("dscb", "audits", "recommendations", "reports")
PERSONAS = ("audit_team", "agency_auditor", "professional_lead", "executive", "board_member", "administrator")

# Markup, both quotes, an ampersand, and what ends a CSS string and block.
MARKUP = '<i id=x>"\'&<script>"}'
# What the markup looks like where it was not escaped.
UNESCAPED = ("<i id=x>", "<script>")
# What escaped text looks like when it is escaped again.
DOUBLE_ESCAPED = ("&amp;lt;", "&amp;gt;", "&amp;#x27;", "&amp;#39;", "&amp;quot;", "&amp;amp;")
# What HTML-escaped text looks like where it should read as typed (PDF, workbook, email).
ENTITIES = ("&lt;", "&gt;", "&amp;", "&#x27;", "&#39;", "&quot;")
# Where text in a page or a PDF's HTML would be read as CSS or JavaScript.
CODE_CONTEXTS = re.compile(r"<script\b[^>]*>.*?</script>|<style\b[^>]*>.*?</style>|\s(?:style|on\w+)=\"[^\"]*\"", re.S)
ANY_TAG = re.compile(r"\bF\d{2}-\d+")
PDFS = {"PDF": renderers.pdf, "board summary": renderers.summary_pdf}

# Text fields nobody types, and what writes them instead.
NOT_TYPED = {
    "dscb.User.password": "a password hash, written by Django's hashers",
    "dscb.FormSubmission.form": "the name of the form class that sent a one-time key, written by dscb.forms",
    "dscb.SentEmail.key": "what an email was about, written by dscb.emails.send_once",
    "dscb.SentEmail.subject": "the subject as sent, rendered by dscb.emails from its template",
    # Typed at a failed sign-in, but never changed afterwards (append-only: on PostgreSQL a
    # trigger refuses this test's update); tests/dscb/test_security_events.py shows it escaped.
    "dscb.SecurityEvent.email": "an address as typed at sign-in, kept as it was and never updated",
    "recommendations.Evidence.file_type": "set from the uploaded file's sniffed content, never from what is typed",
    "recommendations.Reminder.recommendation_numbers": "copied by send_reminders from recommendation numbers",
    "recommendations.ImportMapping.signature": "a digest of a spreadsheet's headers, written by the import",
    "reports.PublishedReport.period": "written by publishing, from the report's dates",
    "dscb.WorkerHeartbeat.worker_id": "a worker's own id, written by run_worker",
    "dscb.WorkerHeartbeat.host": "the worker's host name, written by run_worker",
    "reports.DocumentJob.document": "which document, one of reports.services.DRAFT_DOCUMENTS, named by a link",
    "reports.DocumentJob.step_label": "written by the worker, from the documents' own labels",
    "reports.DocumentJob.error": "written by the worker: a rule's refusal or a reference for the log",
    "reports.DocumentJob.reference": "copied from the case's own board reference by subject_access_request",
}

# Text fields that are stored but shown on no page, PDF or workbook, and why.
NOT_SHOWN: dict[str, str] = {
    "reports.DocumentJob.replacement_reason": "kept for the worker; shown as the publication's reason once published",
}

# Fields the report PDF or its board summary must show exactly as typed.
IN_THE_PDF = {
    "reports.Report.title",
    "reports.NarrativeSection.heading",
    "reports.NarrativeSection.body",
    "recommendations.ActionPlan.title",
    "recommendations.ActionPlan.professional_leads",
    "recommendations.ActionPlan.director_lead",
    "recommendations.ActionPlan.review_frequency",
    "recommendations.ActionPlan.other_references",
    "recommendations.PlanSection.title",
    "recommendations.Recommendation.text",
    "recommendations.ReviewCycle.title",
    "recommendations.Evidence.text",
    "recommendations.RagStatus.label",
    "recommendations.PlanScale.name",
    "recommendations.PlanScale.short_name",
    "recommendations.PlanScale.not_rated",
    "recommendations.PlanScale.attention_heading",
    "audits.GradeScale.name",
    "audits.GradeScale.plural",
    "audits.GradeScale.threshold_phrase",
    "audits.AuditRound.title",
    "audits.Grade.label",
    "audits.Theme.name",
    "audits.ChecklistQuestion.text",
}

# What the emails must show as typed: the reminder's subject names the update, its body
# the lead and their recommendations; the notice of a removed authenticator the person.
EMAILS_SHOW = {
    "subject": ["recommendations.ReviewCycle.title"],
    "body": ["dscb.User.full_name", "recommendations.Recommendation.text"],
}


@dataclass(frozen=True)
class Target:
    """A text field that is given the payload, and the tag that names it in the payload."""

    field: models.CharField | models.TextField
    tag: str
    rows: int  # how many rows the model has: the payload leaves room for the last one's number

    @property
    def name(self) -> str:
        return f"{self.field.model._meta.label}.{self.field.name}"

    @property
    def markup(self) -> str:
        """All of MARKUP, unless the field is too short for it and the tag."""
        room = self.field.max_length or len(MARKUP) + 20
        return MARKUP[: room - len(self.suffix(self.rows))]

    def suffix(self, row: int | str) -> str:
        # The row's number keeps a unique field unique, and says which row a failure is
        # in. (Its number, not its key: keys grow long on PostgreSQL, whose sequences go
        # on counting across the suite's rolled-back tests.)
        return f"\n {self.tag}-{row}"

    def value(self, row: int) -> str:
        return self.markup + self.suffix(row)

    def in_html(self) -> re.Pattern:
        """Escaped once; the line break kept, or turned into a space or <br>."""
        return re.compile(re.escape(escape(self.markup)) + rf"(?:\s|<br>)*{self.tag}-\d+(?!\d)")

    def exactly(self) -> re.Pattern:
        return re.compile(re.escape(self.markup + self.suffix("")) + r"\d+(?!\d)")

    def as_typed(self, text: str) -> bool:
        """In ``text`` as typed, wherever lines were wrapped or joined."""
        return re.search(re.escape(squash(self.markup + self.tag) + "-") + r"\d+(?!\d)", squash(text)) is not None


def squash(text: str) -> str:
    """PDFs and emails wrap or join lines wherever they may: compare without whitespace."""
    return re.sub(r"\s+", "", text)


def typed_fields() -> list[models.CharField | models.TextField]:
    """Every free-text field of the service's own models, but those nobody types."""
    found = [
        field
        for label in APPS
        for model in apps.get_app_config(label).get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField) and field.editable and not field.choices
    ]
    return [field for field in found if f"{field.model._meta.label}.{field.name}" not in NOT_TYPED]


def targets() -> list[Target]:
    """The typed fields whose own validators accept the payload, each with its tag."""
    chosen = []
    for number, field in enumerate(typed_fields(), start=1):
        target = Target(field, f"F{number:02d}", rows=field.model._base_manager.count())
        try:
            field.clean(target.value(1), field.model())
        except ValidationError:
            continue  # a board reference, a colour, an address, a number: refused as typed
        chosen.append(target)
    return chosen


def write_payloads(chosen: list[Target]) -> None:
    """Every row of every model gets the payload in each of its target fields, checked
    by each field's validators first, as the service's own forms and services check it."""
    by_model: dict[type[models.Model], list[Target]] = {}
    for target in chosen:
        by_model.setdefault(target.field.model, []).append(target)
    for model, fields in by_model.items():
        rows = model._base_manager.order_by("pk")
        if model is RecommendationLead:
            rows = rows.filter(person__isnull=True)  # a person lead has no role to name
        for number, row in enumerate(rows, start=1):
            values = {target.field.name: target.value(number) for target in fields}
            for target in fields:
                target.field.clean(values[target.field.name], row)
            model._base_manager.filter(pk=row.pk).update(**values)


def reference_data_pages() -> list[str]:
    """Each kind of reference data's list and every row's page: the walk opens the agencies' only."""
    return [
        reverse(name, args=args)
        for kind in KINDS.values()
        for name, args in [
            ("reference_data_list", [kind.slug]),
            *(("reference_data_change", [kind.slug, row.pk]) for row in kind.rows()),
        ]
    ]


def complete(kwargs: dict[str, dict[str, object]], *, by: User) -> list[str]:
    """Give the sample objects the few things the walk's pages need to show every field:
    the case and its round a re-opening, the record a checklist answer and feedback. Returns the pages
    the walk does not open: the Appreciative Inquiry case's."""
    case = AuditCase.objects.get(pk=kwargs["audits:case_detail"]["pk"])
    record = CaseRecord.objects.get(pk=kwargs["audits:record_detail"]["pk"])
    CaseReopening.objects.create(case=case, reason="Re-opened", reopened_by=by)
    RoundReopening.objects.create(audit_round=case.audit_round, reason="Re-opened", reopened_by=by)
    ChecklistAnswer.objects.create(
        record=record,
        question=ChecklistQuestion.objects.filter(is_active=True).first(),
        answer="yes",
        comment="On file",
    )
    Feedback.objects.create(
        record=record, recipient=Feedback.Recipient.MANAGER, given_on=datetime.date(2010, 9, 24), given_by=by
    )
    # The sample update re-opened, and the sample publication replacing one; another withdrawn.
    CycleReopening.objects.create(
        cycle_id=kwargs["recommendations:cycle_ratings"]["pk"], reason="Re-opened", reopened_by=by
    )
    published = PublishedReport.objects.get(pk=kwargs["reports:published_withdraw"]["pk"])
    replaced = PublishedReportFactory(report=published.report, replaced_at=timezone.now())
    PublishedReport.objects.filter(pk=published.pk).update(replaces=replaced, replacement_reason="Replaced")
    PublishedReportFactory(withdrawn_at=timezone.now(), withdrawn_by=by, withdrawal_reason="Withdrawn")
    # Evidence of a completed update, marked as added in error (its reason shows then).
    recommendation = Recommendation.objects.get(pk=kwargs["recommendations:recommendation_detail"]["pk"])
    earlier = ReviewCycle.objects.create(
        plan=recommendation.plan,
        title="An earlier update",
        due_on=datetime.date(2010, 3, 31),
        state=ReviewCycle.State.COMPLETED,
        completed_on=datetime.date(2010, 3, 31),
    )
    Evidence.objects.create(
        update=ProgressUpdate.objects.create(recommendation=recommendation, cycle=earlier),
        text="Wrong minutes",
        marked_in_error_at=timezone.now(),
        marked_in_error_by=by,
        marked_in_error_reason="Another meeting's",
    )
    return [reverse("audits:case_detail", args=[kwargs["audits:participant_add"]["pk"]])]


def html_problems(where: str, html: str) -> list[str]:
    """Markup left raw, text escaped twice, or text in a style sheet or a script."""
    problems = [f"{where}: unescaped {raw!r}" for raw in UNESCAPED if raw in html]
    problems += [f"{where}: escaped twice {twice!r}" for twice in DOUBLE_ESCAPED if twice in html]
    for code in CODE_CONTEXTS.finditer(html):
        problems += [f"{where}: text in CSS or JavaScript: {tag}" for tag in ANY_TAG.findall(code.group())]
    return problems


Found = dict[str, set[str]]  # where each field was seen: "page", "PDF", "workbook"


def page_problems(clients, samples, extra_pages, chosen: list[Target], found: Found) -> list[str]:
    """Every page, as every persona, the administration's too; and the style sheet made
    from the reference data."""
    problems = []
    for persona, client in clients.items():
        pages = []
        for name, url, response, _reads in walk(client, samples[persona], include_files=True):
            if response.status_code == 200 and response["Content-Type"].startswith("text/css"):
                tags = ANY_TAG.findall(response.content.decode())
                problems += [f"{persona} {name} ({url}): text in CSS: {tag}" for tag in tags]
            elif response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                pages.append((name, url, response))
        for url in extra_pages[persona]:
            response = client.get(url)
            if response.status_code == 200:
                pages.append(("extra", url, response))
        for name, url, response in pages:
            html = response.content.decode()
            problems += html_problems(f"{persona} {name} ({url})", html)
            for target in chosen:
                if target.in_html().search(html):
                    found[target.name].add("page")
    return problems


def pdf_problems(built: document.ReportDocument, monkeypatch, chosen: list[Target], found: Found) -> list[str]:
    """The report's PDF and board summary read as typed, with no entity anywhere; the
    HTML they are made from puts no text in their style sheets."""
    problems = []
    pdf_html: list[str] = []
    read_html = renderers.pdf_html

    def recording(html: str):
        pdf_html.append(html)
        return read_html(html)

    monkeypatch.setattr(renderers, "pdf_html", recording)
    texts = {kind: pdf_text(render(built), layout=False) for kind, render in PDFS.items()}
    for kind, html in zip(PDFS, pdf_html, strict=True):
        problems += html_problems(f"{kind} HTML", html)
    for kind, text in texts.items():
        problems += [f"{kind}: HTML entity {entity!r}" for entity in ENTITIES if entity in text]
    for target in chosen:
        if any(target.as_typed(text) for text in texts.values()):
            found[target.name].add("PDF")
        elif target.name in IN_THE_PDF:
            problems.append(f"PDF: {target.name} ({target.tag}) does not read as typed")
    return problems


def workbook_problems(built: document.ReportDocument, chosen: list[Target], found: Found) -> list[str]:
    """Text cells hold exactly what was typed, and no cell is a formula."""
    problems = []
    workbook = load_workbook(io.BytesIO(renderers.xlsx(built)))
    for sheet in workbook.worksheets:
        for cell in (cell for row in sheet.iter_rows() for cell in row):
            where = f"workbook {sheet.title}!{cell.coordinate}"
            if cell.data_type == "f":
                problems.append(f"{where}: a formula {cell.value!r}")
            if not isinstance(cell.value, str):
                continue
            problems += [f"{where}: HTML entity {entity!r}" for entity in ENTITIES if entity in cell.value]
            for target in chosen:
                if re.search(rf"\b{target.tag}-\d", cell.value):
                    if cell.data_type == "s" and target.exactly().search(cell.value):
                        found[target.name].add("workbook")
                    else:
                        problems.append(f"{where}: {target.name} not held as the text typed: {cell.value!r}")
    return problems


def email_problems(messages: list[mail.EmailMessage], chosen: list[Target]) -> list[str]:
    """Plain text: what was typed reads as typed, never escaped for HTML."""
    problems = []
    for message in messages:
        for part, text in (("subject", message.subject), ("body", message.body)):
            where = f"email to {message.to} ({part})"
            problems += [f"{where}: HTML entity {entity!r}" for entity in ENTITIES if entity in text]
            for target in chosen:
                if re.search(rf"\b{target.tag}-\d", text) and not target.as_typed(text):
                    problems.append(f"{where}: {target.name} does not read as typed: {text!r}")
    by_name = {target.name: target for target in chosen}
    for part, names in EMAILS_SHOW.items():
        for name in names:
            if not any(by_name[name].as_typed(getattr(message, part)) for message in messages):
                problems.append(f"email {part}: {name} is not there as typed")
    return problems


def test_hostile_text_reads_as_typed_on_every_page_pdf_workbook_and_email(
    settings, persona_client, monkeypatch, django_capture_on_commit_callbacks
):
    load_demo(settings)
    clients = {persona: persona_client(persona) for persona in PERSONAS}
    samples = {persona: sample_kwargs(client.user) for persona, client in clients.items()}
    extra_pages = {persona: complete(samples[persona], by=clients["audit_team"].user) for persona in PERSONAS}
    for persona in PERSONAS:
        extra_pages[persona] += reference_data_pages()
    report = Report.objects.get(title=reports.demo.TITLE)
    open_cycle = ReviewCycle.objects.get(state=ReviewCycle.State.OPEN, plan=report.cycle.plan)
    chosen = targets()
    write_payloads(chosen)
    # A completed update keeps the scale it was rated in: keep the one typed here, so the
    # report about it names the scale and its statuses with what was typed.
    for cycle in ReviewCycle.objects.filter(state=ReviewCycle.State.COMPLETED):
        cycle.scale = plan_selectors.plan_scale_to_keep(cycle)
        cycle.save(update_fields=["scale"])
    found: Found = {target.name: set() for target in chosen}

    problems = page_problems(clients, samples, extra_pages, chosen, found)
    report.refresh_from_db()
    built = document.build(report, today=MARCH_2011)
    problems += pdf_problems(built, monkeypatch, chosen, found)
    problems += workbook_problems(built, chosen, found)

    # The reminder to leads, and the notice of a removed authenticator.
    mail.outbox.clear()
    send_reminders(today=open_cycle.due_on, days_before=14)
    assert mail.outbox, "no reminder was sent"
    reminders = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        person_authenticator_reset(person=clients["executive"].user, by=clients["administrator"].user)
    assert len(mail.outbox) > reminders, "no notice of a removed authenticator was sent"
    problems += email_problems(mail.outbox, chosen)

    # Every field was found somewhere, or is listed as stored but not shown.
    for target in chosen:
        if not found[target.name] and target.name not in NOT_SHOWN:
            problems.append(f"{target.name} ({target.tag}) is shown nowhere the walk reached")
        if found[target.name] and target.name in NOT_SHOWN:
            problems.append(f"{target.name} is shown after all: take it out of NOT_SHOWN")
    assert problems == [], "\n".join(problems)
