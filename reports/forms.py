"""Report forms only parse what was typed: the rules are reports.services'."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Field, Layout
from django import forms
from django.conf import settings

from audits.models import AuditRound
from dscb.concurrency import EditConflict
from dscb.forms import (
    OUT_OF_DATE,
    OnceOnlyForm,
    UKDateField,
    VersionedForm,
    field_as,
    gds_helper,
    take_latest_version,
    text_area,
)
from dscb.models import RetentionRule
from recommendations.forms import ParseOnlyMixin
from recommendations.models import ActionPlan, PlanSection, ReviewCycle
from reports.models import LearningSummary, NarrativeSection, Report, ReportProse


class CycleChoiceField(forms.ModelChoiceField):
    """Each plan has its own updates: name the plan with the update."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({obj.plan.title})"


class ReportForm(ParseOnlyMixin, VersionedForm):
    period_start = UKDateField(label="Audits from", required_message="Enter the first date of the audit period")
    period_end = UKDateField(label="Audits to", required_message="Enter the last date of the audit period")

    class Meta:
        model = Report
        fields = ["title", "cycle", "period_start", "period_end"]
        field_classes = {"cycle": CycleChoiceField}
        error_messages = {
            "title": {"required": "Enter the report's title"},
            "cycle": {"required": "Select the action plan update the report covers"},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cycles = field_as(self, "cycle", forms.ModelChoiceField)
        cycles.queryset = ReviewCycle.objects.select_related("plan").order_by("-due_on")
        field_as(self, "cycle", forms.ModelChoiceField).empty_label = "Select an update"
        self.fields["title"].help_text = "For example, Analysis of multi-agency case audits between 2009 and 2010."
        self.helper = gds_helper(
            Layout(Field.text("title"), Field.select("cycle"), Field("period_start"), Field("period_end"), "version")
        )


class NarrativeSectionForm(ParseOnlyMixin, VersionedForm):
    class Meta:
        model = NarrativeSection
        fields = ["heading", "body", "position"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}
        error_messages = {
            "heading": {"required": "Enter a heading, for example Multi-agency safeguarding hub (MASH)"},
            "body": {"required": "Enter the evidence of impact"},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Layout(Field.text("heading"), text_area(self, "body", rows=6), Field.text("position", field_width=3))
        )


class ProseForm(forms.Form):
    """A block of the report's prose. ``version`` is the block's as the person found it,
    0 while it shows its default."""

    body = forms.CharField(
        label="Text",
        max_length=ReportProse._meta.get_field("body").max_length,
        strip=False,
        widget=forms.Textarea,
        help_text=ReportProse._meta.get_field("body").help_text,
        error_messages={"required": "Enter the text, or reset the block to its default"},
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        error_messages=dict.fromkeys(("required", "invalid", "min_value"), OUT_OF_DATE),
    )

    def __init__(self, *args: Any, label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].label = label
        self.helper = gds_helper(Layout(text_area(self, "body", rows=12), "version"))

    def take_latest_version(self, conflict: EditConflict) -> None:
        take_latest_version(self, conflict)


class PeriodForm(forms.Form):
    """The dashboards' period: rounds held between two dates."""

    start = UKDateField(label="From", required=False)
    end = UKDateField(label="To", required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "The last date must be on or after the first date")
        return cleaned


class PublishForm(OnceOnlyForm):
    """The confirm at the end of the check before publishing. It carries the version of
    the report as checked (a report changed since is refused) and a one-time key (sent
    twice, it publishes once). A report already published needs a reason to replace it."""

    replacement_reason = forms.CharField(
        label="Why does this publication replace the current one?",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Board members see it beside both publications. Do not name a child or family.",
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages=dict.fromkeys(("required", "invalid", "min_value"), OUT_OF_DATE),
    )

    def __init__(self, *args: Any, replacing: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not replacing:
            del self.fields["replacement_reason"]
        self.helper = gds_helper(Layout(text_area(self, "replacement_reason", rows=3)) if replacing else Layout())


class DraftForm(OnceOnlyForm):
    """Asks the worker for a draft document: a one-time key, so sent twice it makes one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Layout())


class RetryForm(forms.Form):
    """Queues a failed document again: nothing to enter."""


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing this publication?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Board members see it beside the publication, which stays listed. Do not name a child or family.",
        error_messages={"required": "Enter why the publication is being withdrawn"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Layout(text_area(self, "reason", rows=4)))


class RagScopeForm(forms.Form):
    """The RAG dashboard's filter: one plan or all, one kind of source or all."""

    plan = forms.ModelChoiceField(
        label="Action plan", queryset=ActionPlan.objects.order_by("pk"), required=False, empty_label="All plans"
    )
    kind = forms.ChoiceField(label="Kind of source", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_as(self, "kind", forms.ChoiceField).choices = [("", "All kinds"), *PlanSection.SourceKind.choices]
        self.helper = gds_helper(Layout(Field.select("plan"), Field.select("kind")))


class LearningSummaryForm(ParseOnlyMixin, VersionedForm):
    """The blocks of a round's learning summary. Each is checked for identifying details
    and board references by reports.services.summary_update, beside its field."""

    class Meta:
        model = LearningSummary
        fields = ["title", "focus", "findings", "worked_well", "development", "recommendations"]
        error_messages = {"title": {"required": "Enter the summary's title"}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        public = "It will be published for anyone to read: name no child or case, not even by board reference."
        self.fields["title"].help_text = public
        self.fields["findings"].help_text = "A paragraph for each theme, separated by a blank line."
        for name in ("worked_well", "development", "recommendations"):
            self.fields[name].help_text = "Separate paragraphs with a blank line."
        self.helper = gds_helper(
            Layout(
                Field.text("title"),
                text_area(self, "focus", rows=3),
                text_area(self, "findings", rows=8),
                text_area(self, "worked_well", rows=6),
                text_area(self, "development", rows=6),
                text_area(self, "recommendations", rows=6),
                "version",
            )
        )

    def values(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class SummaryPublishForm(forms.Form):
    """The confirm at the end of the check before publishing a learning summary. It
    carries the summary's version as checked: one changed since, or published by a
    first click, is refused."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages=dict.fromkeys(("required", "invalid", "min_value"), OUT_OF_DATE),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Layout())


class SubjectAccessForm(OnceOnlyForm):
    """Only parses what was typed: reports.subject_access says whether a case has it. A
    one-time key: sent twice, one export is made."""

    reference = forms.CharField(
        label="Board reference",
        max_length=30,
        error_messages={"required": "Enter the child's board reference"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "reference"
        ].help_text = f"The child's board reference, as on the case, for example {settings.BOARD_REFERENCE_EXAMPLE}."
        self.helper = gds_helper(Layout(Field.text("reference", field_width=20)))


class RetentionRuleForm(ParseOnlyMixin, VersionedForm):
    """How many years one kind of record is kept; empty, indefinitely
    (dscb.services.retention_rule_update)."""

    class Meta:
        model = RetentionRule
        fields = ["years"]
        error_messages = {
            "years": {
                "invalid": "Enter the number of years as a whole number, like 6",
                "min_value": "Enter a whole number of years, 1 or more",
                "max_value": "Enter 100 years or fewer, or leave it empty to keep them indefinitely",
            }
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Layout(Field.text("years", field_width=3)))


class LegalHoldForm(OnceOnlyForm):
    """A round chosen, or a case's board reference typed (audits.services.hold_place)."""

    audit_round = forms.ModelChoiceField(
        label="Round",
        queryset=AuditRound.objects.order_by("-held_on", "title"),
        required=False,
        empty_label="Not a whole round: one case",
        help_text="Hold every case of the round.",
    )
    reference = forms.CharField(label="Or one case's board reference", max_length=30, required=False)
    reason = forms.CharField(
        label="Why is the data held?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, the claim, inquiry or complaint it is kept for. Do not name a child or family.",
        error_messages={"required": "Enter why the hold is placed"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "reference"
        ].help_text = f"The case's board reference, for example {settings.BOARD_REFERENCE_EXAMPLE}."
        self.helper = gds_helper(
            Layout(
                Field.select("audit_round"), Field.text("reference", field_width=20), text_area(self, "reason", rows=4)
            )
        )


class LiftHoldForm(forms.Form):
    reason = forms.CharField(
        label="Why is the hold lifted?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Once lifted, the data goes at the next retention run if it is past its date.",
        error_messages={"required": "Enter why the hold is lifted"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Layout(text_area(self, "reason", rows=4)))
