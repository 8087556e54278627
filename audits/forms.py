"""Forms for case audits: what the pages ask and how what is typed is read. The rules
live in audits.services, which the views call with the values read here; its refusals
come back beside the fields they concern (``save_or_report``). A model form here only
lends its fields and initial values: it never changes its instance."""

from __future__ import annotations

from typing import Any, cast

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Field, Fieldset, Layout, Size
from django import forms
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Q
from django.http import QueryDict

from audits.models import (
    AuditCase,
    AuditRound,
    CaseRecord,
    ChecklistAnswer,
    ChecklistQuestion,
    Escalation,
    Feedback,
    Grade,
    InquiryParticipant,
    Theme,
)
from audits.selectors import default_questions
from audits.services import (
    CATEGORY_FIELDS,
    FeedbackEntry,
    answer_key,
    board_reference,
    comment_key,
    feedback_key,
    grade_key,
    rating_key,
)
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
from dscb.models import Agency, User
from dscb.selectors import people_who_can
from dscb.validators import validate_no_identifying_details


class FieldsOnly:
    """For a model form: read what was typed, but leave the instance alone; the service
    applies the values and checks every rule. Only the model's own field validators run
    here too, so that a person sees those messages with the form's own at once."""

    _meta: Any
    cleaned_data: dict[str, Any]

    def _post_clean(self) -> None:
        model = self._meta.model
        for name, value in list(self.cleaned_data.items()):
            try:
                model_field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if model_field.is_relation or value in model_field.empty_values:
                continue
            try:
                model_field.run_validators(value)
            except ValidationError as error:
                self.add_error(name, error)  # type: ignore[attr-defined]


class GradeChoiceField(forms.ModelChoiceField):
    def __init__(self, *, label: str, required: bool = False, grades: list[Grade]) -> None:
        super().__init__(
            queryset=Grade.objects.active(),
            label=escaped(label),
            required=required,
            widget=forms.RadioSelect,
            empty_label=None,
            error_messages={
                "required": f"Select a grade for {label[0].lower() + label[1:]}",
                "invalid_choice": "Select one of the grades shown",
            },
        )
        # The page already holds the grades: no query per field to list or read them.
        self.choices = [(grade.pk, grade.label) for grade in grades]
        self.grades = {str(grade.pk): grade for grade in grades}

    def to_python(self, value: Any) -> Grade | None:
        if value in self.empty_values:
            return None
        if str(value) not in self.grades:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return self.grades[str(value)]


class OfferedChoiceField(forms.ModelChoiceField):
    """Reads a choice among the rows the page offers without asking the database again;
    any other row is still read, so that the service can say why it may not be chosen."""

    offered: dict[str, Any]

    def to_python(self, value: Any) -> Any:
        if str(value) in getattr(self, "offered", {}):
            return self.offered[str(value)]
        return super().to_python(value)


class AuditorChoiceField(BoundedModelMultipleChoiceField):
    """Each auditor with their agency, if they have one."""

    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name()} ({obj.agency.short_name})" if obj.agency else obj.get_full_name()


class QuestionChoiceField(BoundedModelMultipleChoiceField):
    """Each checklist question under its theme's name."""

    def label_from_instance(self, obj: ChecklistQuestion) -> str:
        return f"{obj.theme.name}: {obj.text}"


class AuditRoundForm(FieldsOnly, VersionedForm):
    held_on = UKDateField(label="Date of the audit", required_message="Enter the date of the audit")
    returns_due_on = UKDateField(
        label="Date the agencies' returns are due",
        required=False,
        help_text="Agency auditors are reminded before this date, and told when their returns are overdue.",
    )
    panel_on = UKDateField(label="Date of the panel meeting", required=False)
    feedback_due_on = UKDateField(label="Date feedback is due", required=False)

    class Meta:
        model = AuditRound
        fields = [
            "title",
            "held_on",
            "returns_due_on",
            "panel_on",
            "feedback_due_on",
            "kind",
            "focus",
            "agencies",
            "auditors",
            "questions",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "agencies": forms.CheckboxSelectMultiple,
            "auditors": forms.CheckboxSelectMultiple,
            "questions": forms.CheckboxSelectMultiple,
        }
        field_classes = {
            "agencies": BoundedModelMultipleChoiceField,
            "auditors": AuditorChoiceField,
            "questions": QuestionChoiceField,
        }
        labels = {"questions": "Checklist questions this round asks"}
        error_messages = {
            "title": {"required": "Enter a title for the round", "unique": "There is already a round with this title"},
            "agencies": {"required": "Select the agencies taking part"},
            "questions": {"required": "Select the checklist questions this round asks"},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_as(self, "kind", forms.ChoiceField).choices = AuditRound.Kind.choices
        self.fields["title"].help_text = "For example, September 2010 (Integrated Children's Service)."
        field_as(self, "agencies", forms.ModelChoiceField).queryset = Agency.objects.active()
        auditors = people_who_can(Action.EDIT_CASE_RECORDS).select_related("agency")
        field_as(self, "auditors", AuditorChoiceField).queryset = auditors
        # The questions a round may add, and those it asks already (retired since or not).
        offered = Q(is_active=True, theme__is_active=True)
        if self.instance.pk:
            offered |= Q(pk__in=self.instance.questions.all())
        questions = field_as(self, "questions", QuestionChoiceField)
        questions.queryset = ChecklistQuestion.objects.filter(offered).select_related("theme")
        questions.required = True
        if not self.instance.pk:
            questions.initial = list(default_questions().values_list("pk", flat=True))
        self.helper = gds_helper(
            Layout(
                Field.text("title"),
                Field("held_on"),
                Field("returns_due_on"),
                Field("panel_on"),
                Field("feedback_due_on"),
                Field.radios("kind", legend_size=Size.SMALL),
                text_area(self, "focus", rows=3),
                Field.checkboxes("agencies", legend_size=Size.SMALL, small=True),
                Field.checkboxes("auditors", legend_size=Size.SMALL, small=True),
                Field.checkboxes("questions", legend_size=Size.SMALL, small=True),
                "version",
            )
        )


class AuditCaseForm(FieldsOnly, VersionedForm):
    categories = forms.MultipleChoiceField(
        label="Child protection plan categories",
        choices=[
            ("neglect", "Neglect"),
            ("physical", "Physical abuse"),
            ("emotional", "Emotional abuse"),
            ("sexual", "Sexual abuse"),
        ],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one child protection plan category"},
        help_text="Select all that apply.",
    )
    plan_started_on = UKDateField(
        label="Date the child protection plan started",
        required_message="Enter the date the child protection plan started",
    )
    seen_as_stuck = forms.TypedChoiceField(
        label="Did professionals see the case as stuck?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        required=False,
        empty_value=None,
    )

    class Meta:
        model = AuditCase
        fields = [
            "reference",
            "expected_agencies",
            "plan_started_on",
            "sibling_records_read",
            "parent_records_read",
            "seen_as_stuck",
            "what_is_working",
            "desired_outcomes",
        ]
        widgets = {"expected_agencies": forms.CheckboxSelectMultiple}
        field_classes = {"expected_agencies": BoundedModelMultipleChoiceField}
        error_messages = {
            "reference": {
                "required": "Enter the board reference",
                "unique": "A case with this board reference has already been audited",
            },
        }

    def __init__(self, *args: Any, audit_round: AuditRound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.audit_round = audit_round
        self.fields[
            "reference"
        ].help_text = f"For example, {settings.BOARD_REFERENCE_EXAMPLE}. Never a name, NHS number or date of birth."
        self.fields["reference"].widget.attrs.update({"spellcheck": "false", "autocomplete": "off"})
        field_as(self, "expected_agencies", forms.ModelChoiceField).queryset = audit_round.agencies.all()
        if self.instance.pk:
            self.fields["categories"].initial = [
                key for key, name in CATEGORY_FIELDS.items() if getattr(self.instance, name)
            ]
            if self.instance.seen_as_stuck is not None:
                self.fields["seen_as_stuck"].initial = "yes" if self.instance.seen_as_stuck else "no"
        layout = [
            Field.text("reference", field_width=20),
            Field.checkboxes("categories", legend_size=Size.SMALL, small=True),
            Field("plan_started_on"),
            Field.checkboxes("expected_agencies", legend_size=Size.SMALL, small=True),
            Field.text("sibling_records_read", field_width=3),
            Field.text("parent_records_read", field_width=3),
        ]
        if audit_round.is_appreciative_inquiry:
            layout += [
                Field.radios("seen_as_stuck", legend_size=Size.SMALL, inline=True),
                text_area(self, "what_is_working", rows=4),
                text_area(self, "desired_outcomes", rows=4),
            ]
        else:
            for name in ("seen_as_stuck", "what_is_working", "desired_outcomes"):
                del self.fields[name]
        self.helper = gds_helper(Layout(*layout, "version"))
        # The error summary lists errors in field order: keep it the order of the page.
        self.order_fields(["reference", "categories", "plan_started_on", "expected_agencies"])

    def clean_reference(self) -> str:
        return board_reference(self.cleaned_data["reference"])


class CaseGradesForm(FieldsOnly, VersionedForm):
    """The grades the audit team agrees for the case, and its findings. The page shows each
    theme's grade beside what every agency's records say on it: ``theme_helpers`` lay out
    one theme's field each, ``helper`` the rest."""

    class Meta:
        model = AuditCase
        fields = ["overall_grade", "findings", "strengths", "areas_for_development"]

    def __init__(self, *args: Any, themes: list[Theme], grades: list[Grade], ratings: dict[int, int], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.themes = themes
        self.theme_helpers: dict[int, FormHelper] = {}
        for theme in themes:
            self.fields[rating_key(theme)] = GradeChoiceField(
                label=f"Agreed grade for {theme.name.lower()}", grades=grades
            )
            self.fields[rating_key(theme)].initial = ratings.get(theme.pk)
            helper = gds_helper(Layout(Field.radios(rating_key(theme), legend_size=Size.SMALL, inline=True)))
            helper.render_hidden_fields = False  # the version rides with the rest, once
            self.theme_helpers[theme.pk] = helper
        self.fields["overall_grade"] = GradeChoiceField(label="Overall grade", grades=grades)
        self.fields["overall_grade"].initial = self.instance.overall_grade_id
        self.helper = gds_helper(
            Layout(
                Field.radios("overall_grade", legend_size=Size.SMALL, inline=True),
                text_area(self, "findings", rows=5),
                text_area(self, "strengths", rows=4),
                text_area(self, "areas_for_development", rows=4),
                "version",
            )
        )

        self.order_fields([*(rating_key(theme) for theme in themes), "overall_grade"])

    def theme_grades(self) -> dict[Theme, Grade | None]:
        return {theme: self.cleaned_data.get(rating_key(theme)) for theme in self.themes}


class CaseRecordForm(FieldsOnly, VersionedForm):
    """One agency's records for the case: what they are, a grade on each theme and an
    answer to each checklist question, all saved together."""

    class Meta:
        model = CaseRecord
        fields = ["agency", "subject", "records_read", "findings", "strengths", "areas_for_development"]
        widgets = {"subject": forms.RadioSelect}
        error_messages = {
            "agency": {"required": "Select the agency whose records these are"},
            "subject": {"required": "Select whose records these are"},
            "records_read": {"required": "Enter how many records were read"},
        }
        field_classes = {"agency": OfferedChoiceField}

    def __init__(
        self,
        *args: Any,
        agencies: list[Agency],
        themes: list[Theme],
        questions: list[ChecklistQuestion],
        grades: list[Grade],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.themes = themes
        self.questions = questions
        field_as(self, "subject", forms.ChoiceField).choices = CaseRecord.Subject.choices
        agency_field = field_as(self, "agency", OfferedChoiceField)
        # Offers the agencies ``agencies``; whether one may be chosen is the service's to say.
        agency_field.queryset = Agency.objects.all()
        agency_field.offered = {str(agency.pk): agency for agency in agencies}
        agency_field.choices = [("", "Select an agency"), *((agency.pk, agency.name) for agency in agencies)]
        if len(agencies) == 1:
            agency_field.initial = agencies[0].pk
        if self.instance.pk:
            agency_field.disabled = True
        answers = {answer.question_id: answer for answer in self.instance.answers.all()} if self.instance.pk else {}
        record_grades = (
            {grade.theme_id: grade.grade_id for grade in self.instance.grades.all()} if self.instance.pk else {}
        )
        theme_sections = []
        theme_fields: list[str] = []
        for theme in themes:
            name = grade_key(theme)
            theme_fields.append(name)
            self.fields[name] = GradeChoiceField(label=f"Grade for {theme.name.lower()}", grades=grades)
            self.fields[name].initial = record_grades.get(theme.pk)
            section = [Field.radios(name, legend_size=Size.SMALL, inline=True)]
            for question in (q for q in questions if q.theme_id == theme.pk):
                answer = answers.get(question.pk)
                self.fields[answer_key(question)] = forms.ChoiceField(
                    label=escaped(question.text),
                    choices=ChecklistAnswer.Answer.choices,
                    widget=forms.RadioSelect,
                    required=False,
                    initial=answer.answer if answer else None,
                    error_messages={"invalid_choice": "Select yes, no, partly or not applicable"},
                )
                self.fields[comment_key(question)] = forms.CharField(
                    label=escaped(f"Comment on “{question.text}” (optional)"),
                    required=False,
                    max_length=1000,
                    widget=forms.Textarea(attrs={"rows": 2}),
                    initial=answer.comment if answer else "",
                )
                theme_fields += [answer_key(question), comment_key(question)]
                section += [
                    Field.radios(answer_key(question), legend_size=Size.SMALL, inline=True, small=True),
                    text_area(self, comment_key(question), rows=2),
                ]
            theme_sections.append(Fieldset(*section, legend=escaped(theme.name), legend_size=Size.MEDIUM))
        self.helper = gds_helper(
            Layout(
                Field.select("agency"),
                Field.radios("subject", legend_size=Size.SMALL, inline=True),
                Field.text("records_read", field_width=3),
                *theme_sections,
                HTML('<h2 class="govuk-heading-m">Findings</h2>'),
                text_area(self, "findings", rows=4),
                text_area(self, "strengths", rows=3),
                text_area(self, "areas_for_development", rows=3),
                "version",
            )
        )
        self.order_fields(["agency", "subject", "records_read", *theme_fields])

    def theme_grades(self) -> dict[Theme, Grade | None]:
        return {theme: self.cleaned_data.get(grade_key(theme)) for theme in self.themes}

    def checklist_answers(self) -> dict[ChecklistQuestion, tuple[str, str]]:
        """(answer, comment) for every question on the page; "" for no answer."""
        return {
            question: (
                self.cleaned_data.get(answer_key(question)) or "",
                self.cleaned_data.get(comment_key(question), ""),
            )
            for question in self.questions
        }


class FeedbackForm(forms.Form):
    """Feedback given on one agency record's findings, to each of three recipients."""

    def __init__(
        self, *args: Any, record: CaseRecord, given: dict[str, Feedback], givers: list[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.record = record
        sections = []
        giver_choices = [("", "Select who gave it"), *((user.pk, user.get_full_name()) for user in givers)]
        self.givers = {str(user.pk): user for user in givers}
        for recipient, label in Feedback.Recipient.choices:
            existing = given.get(recipient)
            self.fields[f"{recipient}_given_on"] = UKDateField(
                label=f"Date feedback was given to {label.lower()}", required=False
            )
            self.fields[f"{recipient}_given_on"].initial = existing.given_on if existing else None
            self.fields[f"{recipient}_given_by"] = forms.ChoiceField(
                label="Given by",
                choices=giver_choices,
                required=False,
                initial=existing.given_by_id if existing else "",
            )
            # The version of this recipient's feedback the person started from (0: none yet).
            self.fields[f"{recipient}_version"] = forms.IntegerField(
                widget=forms.HiddenInput,
                min_value=0,
                initial=existing.version if existing else 0,
                error_messages=dict.fromkeys(("required", "invalid", "min_value"), OUT_OF_DATE),
            )
            self.fields[f"{recipient}_notes"] = forms.CharField(
                label="Notes (optional)",
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=existing.notes if existing else "",
            )
            sections.append(
                Fieldset(
                    Field(f"{recipient}_given_on"),
                    Field.select(f"{recipient}_given_by"),
                    text_area(self, f"{recipient}_notes", rows=2),
                    legend=label,
                    legend_size=Size.MEDIUM,
                )
            )
        self.helper = gds_helper(Layout(*sections))

    def entries(self) -> dict[str, FeedbackEntry]:
        """Feedback as typed, by recipient."""
        typed = self.cleaned_data
        return {
            recipient: FeedbackEntry(
                given_on=typed.get(feedback_key(recipient, "given_on")),
                given_by=self.givers.get(typed.get(feedback_key(recipient, "given_by")) or ""),
                notes=typed.get(feedback_key(recipient, "notes"), ""),
            )
            for recipient in Feedback.Recipient.values
        }

    def versions(self) -> dict[str, int]:
        """The version of each recipient's feedback the person started from."""
        return {recipient: self.cleaned_data[f"{recipient}_version"] for recipient in Feedback.Recipient.values}

    def take_latest_version(self, conflict: EditConflict) -> None:
        """After a refused save: keep what was typed, but let the next save go through."""
        data = cast(QueryDict, self.data).copy()
        for feedback in Feedback.objects.filter(record=self.record):
            data[self.add_prefix(f"{feedback.recipient}_version")] = str(feedback.version)
        self.data = data


class EscalationForm(FieldsOnly, VersionedForm):
    raised_on = UKDateField(label="Date raised", required_message="Enter the date the request was raised")
    due_by = UKDateField(label="Due by", required_message="Enter the date action is due by")
    acknowledged_on = UKDateField(label="Date acknowledged", required=False)
    resolved_on = UKDateField(label="Date resolved", required=False)

    class Meta:
        model = Escalation
        fields = [
            "raised_on",
            "to_agency",
            "to_role",
            "to_email",
            "reason",
            "due_by",
            "acknowledged_on",
            "action_taken",
            "outcome",
            "resolved_on",
        ]
        error_messages = {
            "to_agency": {"required": "Select the agency asked to act"},
            "to_role": {"required": "Enter the role of the person asked to act"},
            "reason": {"required": "Enter why immediate intervention is needed"},
        }

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Offers the agencies given; whether one may be chosen is the service's to say.
        to_agency = field_as(self, "to_agency", forms.ModelChoiceField)
        to_agency.queryset = Agency.objects.all()
        to_agency.choices = [("", "Select an agency"), *((a.pk, a.name) for a in agencies)]
        layout = [
            Field("raised_on"),
            Field.select("to_agency"),
            Field.text("to_role"),
            Field.text("to_email", field_width=20),
            text_area(self, "reason", rows=4),
            Field("due_by"),
        ]
        if self.instance.pk:
            layout += [
                Field("acknowledged_on"),
                text_area(self, "action_taken", rows=3),
                text_area(self, "outcome", rows=3),
                Field("resolved_on"),
            ]
        else:
            for name in ("acknowledged_on", "action_taken", "outcome", "resolved_on"):
                del self.fields[name]
        self.helper = gds_helper(Layout(*layout, "version"))


class ReopenCaseForm(forms.Form):
    reason = forms.CharField(
        label="Why does this case need to be re-opened?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[validate_no_identifying_details],
        error_messages={"required": "Enter why the case needs to be re-opened"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Layout(text_area(self, "reason", rows=4)))


class ReopenRoundForm(ReopenCaseForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = "Why does this round need to be re-opened?"
        self.fields["reason"].error_messages["required"] = "Enter why the round needs to be re-opened"


class WithdrawEscalationForm(forms.Form):
    reason = forms.CharField(
        label="Why is the request withdrawn?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[validate_no_identifying_details],
        error_messages={"required": "Enter why the request is withdrawn"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Layout(text_area(self, "reason", rows=4)))


class FinaliseCaseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class MoveRoundOnForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class FeedbackNotNeededForm(forms.Form):
    reason = forms.CharField(
        label="Why is no more feedback on this record needed?",
        help_text="For example, the practitioner has left the agency. Leave it empty to take this back.",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[validate_no_identifying_details],
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Layout(text_area(self, "reason", rows=4)))


class ParticipantForm(FieldsOnly, OnceOnlyModelForm):
    class Meta:
        model = InquiryParticipant
        fields = ["agency", "role"]
        error_messages = {
            "agency": {"required": "Select the participant's agency"},
            "role": {"required": "Enter the participant's role"},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_as(self, "agency", forms.ModelChoiceField).queryset = Agency.objects.active()
        self.fields["role"].help_text = "For example, social worker or health visitor. Never a name."
        self.helper = gds_helper(Layout(Field.select("agency"), Field.text("role")))


class ReturnUploadForm(forms.Form):
    """An agency's return sent back, for a dry run: nothing is saved until it is confirmed."""

    upload = forms.FileField(
        label="Agency's return",
        error_messages={"required": "Choose the return to upload", "empty": "The file is empty"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "upload"
        ].help_text = "The Excel workbook (.xlsx) downloaded for the agency from this page, filled in, of at most 2 MB."
        self.fields["upload"].widget.attrs["accept"] = ".xlsx,.csv"
        self.helper = gds_helper(Layout(Field("upload")))


class ReturnConfirmForm(OnceOnlyForm):
    """The confirm that imports a return: sent twice, it imports once."""
