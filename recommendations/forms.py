"""Forms for the action plan. Each accepts only its own fields and only parses them:
every rule is the services' (recommendations.services), whose refusals
``save_or_report`` puts beside the fields."""

from __future__ import annotations

from typing import Any, cast

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.conf import settings
from django.http import QueryDict
from django.utils import timezone
from django.utils.formats import date_format

from audits.models import AuditRound
from dscb.access import Action
from dscb.concurrency import EditConflict
from dscb.forms import (
    OUT_OF_DATE,
    BoundedModelMultipleChoiceField,
    OnceOnlyForm,
    OnceOnlyModelForm,
    UKDateField,
    VersionedForm,
    escaped,
    field_as,
    gds_helper,
)
from dscb.models import Agency
from dscb.selectors import people_who_can
from recommendations import selectors
from recommendations.models import ActionPlan, PlanSection, RagStatus, Recommendation, ReviewCycle
from recommendations.selectors import RagScale
from recommendations.services import RecommendationInput
from recommendations.uploads import ALLOWED_DESCRIPTION


class ParseOnlyMixin:
    """For a model form that only parses what was typed: the model it was given is left
    as it was (no ``construct_instance``, no model validation), because the service
    checks and applies the values itself."""

    def _post_clean(self) -> None:
        pass


class ActionPlanForm(ParseOnlyMixin, VersionedForm):
    class Meta:
        model = ActionPlan
        fields = [
            "title",
            "professional_leads",
            "director_lead",
            "review_frequency",
            "audit_rounds",
            "other_references",
        ]
        widgets = {
            "audit_rounds": forms.CheckboxSelectMultiple,
            "professional_leads": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"audit_rounds": BoundedModelMultipleChoiceField}
        error_messages = {"title": {"required": "Enter the action plan's title"}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_as(self, "audit_rounds", forms.ModelChoiceField).queryset = AuditRound.objects.filter(
            kind=AuditRound.Kind.CASE_AUDIT
        )
        self.helper = gds_helper(
            Layout(
                Field.text("title"),
                Field.textarea("professional_leads", rows=3),
                Field.text("director_lead"),
                Field.text("review_frequency", field_width=20),
                Field.checkboxes("audit_rounds", legend_size=Size.SMALL, small=True),
                Field.text("other_references"),
                "version",
            )
        )


class PlanSectionForm(ParseOnlyMixin, OnceOnlyModelForm):
    source_date = UKDateField(label="Date of the source (optional)", required=False)

    class Meta:
        model = PlanSection
        fields = [
            "number",
            "title",
            "source_kind",
            "source_name",
            "source_date",
            "audit_round",
            "item_heading",
            "shows_target_date",
        ]
        widgets = {"source_kind": forms.RadioSelect}
        error_messages = {
            "number": {"required": "Enter the section's number, like 2"},
            "title": {"required": "Enter the section's title"},
            "source_kind": {"required": "Select the kind of source"},
        }

    def __init__(self, *args: Any, plan: ActionPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.fields["number"].initial = (max((s.number for s in plan.sections.all()), default=0)) + 1
        field_as(self, "source_kind", forms.ChoiceField).choices = PlanSection.SourceKind.choices
        rounds = field_as(self, "audit_round", forms.ModelChoiceField)
        rounds.queryset = AuditRound.objects.filter(kind=AuditRound.Kind.CASE_AUDIT)
        rounds.empty_label = "None: named in words"
        rounds.help_text = "For a case audit recorded in this service."
        self.helper = gds_helper(
            Layout(
                Field.text("number", field_width=4),
                Field.text("title"),
                Field.radios("source_kind", legend_size=Size.SMALL),
                Field.text("source_name"),
                Field("source_date"),
                Field.select("audit_round"),
                Field.text("item_heading", field_width=20),
                Field.checkbox("shows_target_date"),
            )
        )
        self.order_fields(self.Meta.fields)

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class RecommendationForm(ParseOnlyMixin, VersionedForm):
    target_date = UKDateField(label="By when", required=False)

    class Meta:
        model = Recommendation
        fields = ["section", "number", "kind", "text", "agencies", "lead", "target_date", "state"]
        widgets = {
            "kind": forms.RadioSelect,
            "state": forms.RadioSelect,
            "agencies": forms.CheckboxSelectMultiple,
            "text": forms.Textarea(attrs={"rows": 4}),
        }
        field_classes = {"agencies": BoundedModelMultipleChoiceField}
        error_messages = {
            "section": {"required": "Select the audit this comes from"},
            "number": {"required": "Enter the number, like 2.10"},
            "text": {"required": "Enter the recommendation"},
        }

    def __init__(self, *args: Any, plan: ActionPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        field_as(self, "section", forms.ModelChoiceField).queryset = PlanSection.objects.filter(plan=plan)
        self.fields["section"].label = "Source audit"
        field_as(self, "section", forms.ModelChoiceField).empty_label = "Select the audit it comes from"
        field_as(self, "kind", forms.ChoiceField).choices = Recommendation.Kind.choices
        field_as(self, "state", forms.ChoiceField).choices = Recommendation.State.choices
        field_as(self, "agencies", forms.ModelChoiceField).queryset = Agency.objects.active()
        field_as(self, "lead", forms.ModelChoiceField).queryset = people_who_can(Action.LEAD_RECOMMENDATIONS)
        field_as(self, "lead", forms.ModelChoiceField).empty_label = "No lead yet"
        self.fields["number"].widget.attrs.update({"spellcheck": "false", "autocomplete": "off"})
        self.helper = gds_helper(
            Layout(
                Field.select("section"),
                Field.text("number", field_width=4),
                Field.radios("kind", legend_size=Size.SMALL, inline=True),
                Field.textarea("text", rows=4),
                Field.checkboxes("agencies", legend_size=Size.SMALL, small=True),
                Field.select("lead"),
                Field("target_date"),
                Field.radios("state", legend_size=Size.SMALL, inline=True),
                "version",
            )
        )
        self.order_fields(["section", "number", "kind", "text", "agencies", "lead", "target_date", "state"])

    def clean_number(self) -> str:
        return self.cleaned_data["number"].strip()

    def values(self) -> RecommendationInput:
        data = self.cleaned_data
        return RecommendationInput(
            section=data["section"],
            number=data["number"],
            text=data["text"],
            kind=data["kind"],
            agencies=list(data["agencies"]),
            lead=data["lead"],
            target_date=data["target_date"],
            state=data["state"],
        )


class ReviewCycleForm(ParseOnlyMixin, OnceOnlyModelForm):
    due_on = UKDateField(label="Due by", required_message="Enter the date the update is due by")

    class Meta:
        model = ReviewCycle
        fields = ["title", "due_on"]
        error_messages = {"title": {"required": "Enter a title, like September 2011 update"}}

    def __init__(self, *args: Any, plan: ActionPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.fields["title"].help_text = "For example, September 2011 update."
        self.helper = gds_helper(Layout(Field.text("title"), Field("due_on")))


class RatingsForm(forms.Form):
    """The Executive's rating of every recommendation in one cycle, on one page, in the
    cycle's scale: a select per row, one save, an error beside any row that is wrong."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(
        self,
        *args: Any,
        recommendations: list[Recommendation],
        scale: RagScale,
        current: dict[int, tuple[int | None, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.recommendations = recommendations
        self.statuses = {str(status.pk): status for status in scale.statuses}
        choices = [("", scale.not_rated), *((str(status.pk), status.label) for status in scale.statuses)]
        short_name = scale.words.short_name
        for recommendation in recommendations:
            rag_id, note = current.get(recommendation.pk, (None, ""))
            self.fields[f"rag_{recommendation.pk}"] = forms.ChoiceField(
                label=escaped(f"{short_name} for {recommendation.number}"),
                choices=choices,
                required=False,
                initial=str(rag_id or ""),
                error_messages={
                    "invalid_choice": f"Choose a {short_name} status for {recommendation.number} from the list"
                },
            )
            self.fields[f"note_{recommendation.pk}"] = forms.CharField(
                label=escaped(f"Note on the rating of {recommendation.number} (optional)"),
                required=False,
                max_length=500,
                initial=note,
                error_messages={"max_length": f"The note on {recommendation.number} must be 500 characters or fewer"},
            )

    def ratings(self) -> dict[Recommendation, tuple[RagStatus | None, str]]:
        """Each recommendation's RAG (None: not yet rated) and the note on it."""
        return {
            recommendation: (
                self.statuses.get(self.cleaned_data.get(f"rag_{recommendation.pk}") or ""),
                self.cleaned_data.get(f"note_{recommendation.pk}", ""),
            )
            for recommendation in self.recommendations
        }


class EvidenceForm(OnceOnlyForm):
    text = forms.CharField(
        label="Evidence",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One point of evidence. Add each point separately.",
    )
    url = forms.URLField(label="Link (optional)", required=False, max_length=500, assume_scheme="https")
    upload = forms.FileField(label="File (optional)", required=False)
    proposed_rag = forms.ModelChoiceField(
        label="Your proposed rating (optional)",  # named by the plan's scale in __init__
        queryset=RagStatus.objects.active(),
        required=False,
        empty_label="No proposal",
        help_text="The Executive's rating is the one that counts.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.short_name = selectors.plan_words().short_name
        self.fields["proposed_rag"].label = escaped(f"Your proposed {self.short_name} (optional)")
        self.fields["upload"].widget.attrs["accept"] = ".pdf,.doc,.docx,.xls,.xlsx,.png,.jpg,.jpeg"
        self.fields[
            "upload"
        ].help_text = (
            f"{ALLOWED_DESCRIPTION[0].upper()}{ALLOWED_DESCRIPTION[1:]}, up to {settings.EVIDENCE_MAX_UPLOAD_MB} MB."
        )
        self.helper = gds_helper(
            Layout(Field.textarea("text", rows=3), Field.text("url"), Field("upload"), Field.select("proposed_rag"))
        )


class CompleteCycleForm(forms.Form):
    """The explicit confirm that completes an update. It carries the version of the
    update the person checked, so ratings saved since then stop it."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages=dict.fromkeys(("required", "invalid", "min_value"), OUT_OF_DATE),
    )

    def refused(self, conflict: EditConflict) -> None:
        """Say who saved the ratings since this page was opened, and carry the version
        now shown, so that confirming again completes what the page now shows."""
        who = conflict.saved_by.get_full_name() if conflict.saved_by else "Someone else"
        when = date_format(timezone.localtime(conflict.saved_at), "DATETIME_FORMAT")
        self.add_error(
            None,
            f"{who} saved the ratings at {when}, after you opened this page, so the update has not been "
            "completed. Check the ratings below again, then confirm.",
        )
        data = cast(QueryDict, self.data).copy()
        data["version"] = str(conflict.version)
        self.data = data
