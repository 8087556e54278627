"""Forms for the action plan. Each accepts only its own fields and only parses them:
every rule is the services' (recommendations.services), whose refusals
``save_or_report`` puts beside the fields."""

from __future__ import annotations

from typing import Any, cast

from crispy_forms_gds.layout import HTML, Field, Fieldset, Layout, Size
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
    text_area,
)
from dscb.imports import LIMITS
from dscb.models import Agency, User
from dscb.selectors import people_who_can
from recommendations import selectors
from recommendations.imports import FIELDS, status_key
from recommendations.models import ActionPlan, PlanSection, RagStatus, Recommendation, ReviewCycle
from recommendations.selectors import RagScale
from recommendations.services import LeadInput, RecommendationInput
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
                text_area(self, "professional_leads", rows=3),
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

    def __init__(self, *args: Any, plan: ActionPlan, only_round: AuditRound | None = None, **kwargs: Any) -> None:
        """``only_round``: the section must come from that round (the audit team raising a
        recommendation from it)."""
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.fields["number"].initial = (max((s.number for s in plan.sections.all()), default=0)) + 1
        kinds = field_as(self, "source_kind", forms.ChoiceField)
        rounds = field_as(self, "audit_round", forms.ModelChoiceField)
        if only_round is None:
            kinds.choices = PlanSection.SourceKind.choices
            rounds.queryset = AuditRound.objects.filter(kind=AuditRound.Kind.CASE_AUDIT)
            rounds.empty_label = "None: named in words"
        else:
            kinds.choices = [(PlanSection.SourceKind.CASE_AUDIT, PlanSection.SourceKind.CASE_AUDIT.label)]
            rounds.queryset = AuditRound.objects.filter(pk=only_round.pk)
            rounds.empty_label = None
            rounds.required = True
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


# Rows for roles without an account: this many empty ones, or one more than are named.
ROLE_ROWS = 3


def role_keys(row: int) -> tuple[str, str]:
    return f"role_title_{row}", f"role_agency_{row}"


class RecommendationForm(ParseOnlyMixin, VersionedForm):
    target_date = UKDateField(label="By when", required=False)
    people = BoundedModelMultipleChoiceField(
        label="People who lead it",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="People with an account here. Each can add its evidence.",
    )

    class Meta:
        model = Recommendation
        fields = ["section", "number", "kind", "text", "agencies", "target_date", "target_date_text"]
        widgets = {
            "kind": forms.RadioSelect,
            "agencies": forms.CheckboxSelectMultiple,
            "text": forms.Textarea(attrs={"rows": 4}),
        }
        field_classes = {"agencies": BoundedModelMultipleChoiceField}
        error_messages = {
            "section": {"required": "Select the audit this comes from"},
            "number": {"required": "Enter the number, like 2.10"},
            "text": {"required": "Enter the recommendation"},
        }

    def __init__(self, *args: Any, plan: ActionPlan, only_round: AuditRound | None = None, **kwargs: Any) -> None:
        """``only_round``: only that round's sections are offered (the audit team raising a
        recommendation from it)."""
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        sections = PlanSection.objects.filter(plan=plan)
        if only_round is not None:
            sections = sections.filter(audit_round=only_round)
        field_as(self, "section", forms.ModelChoiceField).queryset = sections
        self.fields["section"].label = "Source audit"
        field_as(self, "section", forms.ModelChoiceField).empty_label = "Select the audit it comes from"
        field_as(self, "kind", forms.ChoiceField).choices = Recommendation.Kind.choices
        field_as(self, "agencies", forms.ModelChoiceField).queryset = Agency.objects.active()
        self.fields["number"].widget.attrs.update({"spellcheck": "false", "autocomplete": "off"})
        self._add_lead_fields()
        self.helper = gds_helper(
            Layout(
                Field.select("section"),
                Field.text("number", field_width=4),
                Field.radios("kind", legend_size=Size.SMALL, inline=True),
                text_area(self, "text", rows=4),
                Field.checkboxes("agencies", legend_size=Size.SMALL, small=True),
                HTML('<h2 class="govuk-heading-m">Leads</h2>'),
                Field.checkboxes("people", legend_size=Size.SMALL, small=True),
                Fieldset(
                    HTML(
                        '<p class="govuk-hint">A role in an agency, for a lead without an account here. '
                        "Leave a row empty if it is not needed.</p>"
                    ),
                    *[
                        Field.text(key, field_width=20) if key.startswith("role_title") else Field.select(key)
                        for row in range(self.role_rows)
                        for key in role_keys(row)
                    ],
                    legend="Roles who lead it",
                    legend_size=Size.SMALL,
                ),
                Field("target_date"),
                Field.text("target_date_text", field_width=20),
                "version",
            )
        )
        self.order_fields(["section", "number", "kind", "text", "agencies", "people"])

    def _add_lead_fields(self) -> None:
        """The people who lead it (ticked), and a row per role: its title and agency."""
        leads = list(self.instance.leads.select_related("agency")) if self.instance.pk else []
        people = [lead for lead in leads if lead.person_id]
        roles = [lead for lead in leads if not lead.person_id]
        self.lead_positions = {lead.person_id: lead.position for lead in people}
        # Someone already leading it stays listed, even if they could not be chosen now.
        field_as(self, "people", forms.ModelMultipleChoiceField).queryset = people_who_can(
            Action.LEAD_RECOMMENDATIONS
        ) | User.objects.filter(pk__in=self.lead_positions)
        self.fields["people"].initial = list(self.lead_positions)
        agencies = Agency.objects.active() | Agency.objects.filter(pk__in=[lead.agency_id for lead in roles])
        self.role_rows = max(ROLE_ROWS, len(roles) + 1)
        for row in range(self.role_rows):
            title_key, agency_key = role_keys(row)
            named = roles[row] if row < len(roles) else None
            self.fields[title_key] = forms.CharField(
                label=f"Role {row + 1}",
                required=False,
                max_length=150,
                initial=named.role_title if named else "",
                help_text="For example, Head of Safeguarding." if row == 0 else "",
                error_messages={"max_length": "A role must be 150 characters or fewer"},
            )
            self.fields[agency_key] = forms.ModelChoiceField(
                label=f"Agency of role {row + 1}",
                queryset=agencies,
                required=False,
                empty_label="Choose the agency",
                initial=named.agency_id if named else None,
            )

    def clean_number(self) -> str:
        return self.cleaned_data["number"].strip()

    def leads(self) -> list[LeadInput]:
        """The people ticked (in the order they were named before), then each role row filled in."""
        data = self.cleaned_data
        people = sorted(
            data["people"], key=lambda person: (self.lead_positions.get(person.pk, 10_000), person.get_full_name())
        )
        leads = [LeadInput(person=person, field="people") for person in people]
        for row in range(self.role_rows):
            title_key, agency_key = role_keys(row)
            title, agency = data.get(title_key, "").strip(), data.get(agency_key)
            if title or agency:
                leads.append(LeadInput(role_title=title, agency=agency, field=title_key, agency_field=agency_key))
        return leads

    def values(self) -> RecommendationInput:
        data = self.cleaned_data
        return RecommendationInput(
            section=data["section"],
            number=data["number"],
            text=data["text"],
            kind=data["kind"],
            agencies=list(data["agencies"]),
            leads=self.leads(),
            target_date=data["target_date"],
            target_date_text=data["target_date_text"],
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


# The value of the ratings form's "confirm" button that confirms every row left as last time's.
CONFIRM_UNTOUCHED = "untouched"


class RatingsForm(forms.Form):
    """The Executive's rating of every recommendation in one cycle, on one page, in the
    cycle's scale: a select per row, one save, an error beside any row that is wrong.
    ``current`` is each row's starting point (last time's, where it is carried forward);
    the button pressed says what is confirmed: a row's id, or every row left untouched."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    confirm = forms.CharField(required=False, max_length=20)

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
        self.choices = choices = [("", scale.not_rated), *((str(status.pk), status.label) for status in scale.statuses)]
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

    def options(self, field: forms.BoundField) -> list[tuple[str, str, bool]]:
        """A row's select: each choice's value and words, and whether it is the one chosen
        (as posted, or the row's starting point), worked out here rather than a test a
        choice in the template of a page of rows."""
        value = field.value()
        chosen = "" if value is None else str(value)
        return [(choice, words, choice == chosen) for choice, words in self.choices]

    def ratings(self) -> dict[Recommendation, tuple[RagStatus | None, str]]:
        """Each recommendation's RAG (None: not yet rated) and the note on it."""
        return {
            recommendation: (
                self.statuses.get(self.cleaned_data.get(f"rag_{recommendation.pk}") or ""),
                self.cleaned_data.get(f"note_{recommendation.pk}", ""),
            )
            for recommendation in self.recommendations
        }

    def confirmations(self) -> tuple[set[int], bool]:
        """The rows confirmed as last time's (by id), and whether every untouched row is."""
        value = self.cleaned_data.get("confirm") or ""
        if value == CONFIRM_UNTOUCHED:
            return set(), True
        return ({int(value)} if value.isdigit() else set()), False


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
            Layout(text_area(self, "text", rows=3), Field.text("url"), Field("upload"), Field.select("proposed_rag"))
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


class ReopenCycleForm(forms.Form):
    """Why a completed update is re-opened. It carries the version of the update the
    person saw, so an update changed since (completed again, re-opened) stops it."""

    reason = forms.CharField(
        label="Why are you re-opening this update?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shown on the update's pages and kept in its history. Do not name a child or family.",
        error_messages={"required": "Enter why the update is being re-opened"},
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages=dict.fromkeys(("required", "invalid", "min_value"), OUT_OF_DATE),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Layout(text_area(self, "reason", rows=4)))


class EvidenceInErrorForm(forms.Form):
    reason = forms.CharField(
        label="Why was it added in error?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown beside the evidence. Do not name a child or family.",
        error_messages={"required": "Enter why the evidence was added in error"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Layout(text_area(self, "reason", rows=3)))


class ClosureProposeForm(forms.Form):
    """Carries the recommendation's version: a proposal made after someone else's change is refused."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages=dict.fromkeys(("required", "invalid", "min_value"), OUT_OF_DATE),
    )
    impact_statement = forms.CharField(
        label="Statement of impact",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What has changed for children and families because of this recommendation, and how you know. "
        "Do not name a child or family.",
        error_messages={"required": "Enter the statement of impact: what changed because of it"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Layout(text_area(self, "impact_statement", rows=6), "version"))


class ClosureDecision:
    ACCEPT = "accept"
    RETURN = "return"


class ClosureDecideForm(forms.Form):
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages=dict.fromkeys(("required", "invalid", "min_value"), OUT_OF_DATE),
    )
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[
            (ClosureDecision.ACCEPT, "Accept: close the recommendation"),
            (ClosureDecision.RETURN, "Return it to the lead"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to accept or return the proposal"},
    )
    reason = forms.CharField(
        label="Why are you returning it? (if you return it)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown to the lead. Do not name a child or family.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Layout(Field.radios("decision", legend_size=Size.MEDIUM), text_area(self, "reason", rows=3), "version")
        )


class ImportUploadForm(forms.Form):
    """A spreadsheet of the plan, for a dry run: nothing is saved until it is confirmed."""

    upload = forms.FileField(
        label="Spreadsheet",
        error_messages={"required": "Choose the spreadsheet to import", "empty": "The file is empty"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["upload"].help_text = LIMITS
        self.fields["upload"].widget.attrs["accept"] = ".xlsx,.csv"
        self.helper = gds_helper(Layout(Field("upload")))


NOT_RATED_CHOICE = "none"


class ImportColumnsForm(forms.Form):
    """Which field each of the file's columns fills (or none), which status each label
    not on the plan's scale means (or none), and the date of the update the ratings and
    evidence go into."""

    update_date = UKDateField(
        label="Date of the update the ratings and evidence belong to (optional)",
        required=False,
        help_text="Instead of the file's update date column. For example, 4 3 2011.",
    )

    def __init__(
        self,
        *args: Any,
        headers: list[str],
        columns: dict[str, str],
        unknown: list[str],
        statuses: dict[str, str],
        scale: RagScale,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.headers = headers
        choices = [("", "Leave it out"), *[(item.key, item.header) for item in FIELDS]]
        layout: list[Any] = [HTML('<h2 class="govuk-heading-m">Columns</h2>')]
        for index, header in enumerate(headers):
            key = f"column_{index}"
            self.fields[key] = forms.ChoiceField(
                label=escaped(f"Column “{header}”"), choices=choices, required=False, initial=columns.get(header, "")
            )
            layout.append(Field.select(key))
        self.unknown = {f"status_{index}": label for index, label in enumerate(unknown)}
        if unknown:
            layout.append(HTML('<h2 class="govuk-heading-m">Statuses not on the scale</h2>'))
        status_choices = [
            ("", "Leave the row out"),
            *[(str(status.pk), status.label) for status in scale.statuses],
            (NOT_RATED_CHOICE, scale.words.not_rated),
        ]
        for key, label in self.unknown.items():
            chosen = statuses.get(status_key(label))
            self.fields[key] = forms.ChoiceField(
                label=escaped(f"“{label}” means"),
                choices=status_choices,
                required=False,
                initial=NOT_RATED_CHOICE if chosen == "" else (chosen or ""),
            )
            layout.append(Field.select(key))
        layout.append(Field("update_date"))
        self.helper = gds_helper(Layout(*layout))

    def columns(self) -> dict[str, str]:
        return {header: self.cleaned_data.get(f"column_{index}", "") for index, header in enumerate(self.headers)}

    def statuses(self) -> dict[str, str]:
        """Each label matched: a status's id, or "" for not yet rated (a label left unmatched is absent)."""
        chosen: dict[str, str] = {}
        for key, label in self.unknown.items():
            value = self.cleaned_data.get(key, "")
            if value:
                chosen[status_key(label)] = "" if value == NOT_RATED_CHOICE else value
        return chosen


class ImportConfirmForm(OnceOnlyForm):
    """The confirm that imports: sent twice, it imports once."""
