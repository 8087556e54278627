"""Forms for administrators' pages about people (dscb.people_views). They read what was
typed; the rules are dscb.services', whose refusals come back beside the fields."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.db.models import Q

from dscb.concurrency import EditConflict
from dscb.forms import OUT_OF_DATE, VersionedForm, field_as, gds_helper, take_latest_version
from dscb.models import Agency, User
from dscb.roles import Role
from dscb.services import PersonDetails

# What giving each role lets the person do, beside its checkbox.
ROLE_HINTS = {
    Role.ADMINISTRATOR: "Invites people and manages their roles and accounts, the agencies and the reference data.",
    Role.AUDIT_TEAM: "Plans audit rounds, grades cases, gives feedback and escalates cases.",
    Role.AGENCY_AUDITOR: "Enters their agency's records for the rounds they are assigned to. Needs an agency.",
    Role.PROFESSIONAL_LEAD: "Keeps the evidence for the recommendations they lead up to date.",
    Role.EXECUTIVE: "Owns the action plan and prepares and publishes the six-monthly reports.",
    Role.BOARD_MEMBER: "Reads the dashboards and the published reports.",
}


class AgencyChoiceField(forms.ModelChoiceField):
    """An agency, retired ones marked. A number beyond a 64-bit integer is refused before
    it reaches the database, which would raise rather than find nothing (SQLite)."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values:
            try:
                number = int(str(value))
            except ValueError:
                number = 0
            if not -(2**63) <= number < 2**63:
                raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)

    def label_from_instance(self, obj: Agency) -> str:
        return obj.name if obj.is_active else f"{obj.name} (retired)"


class PersonForm(VersionedForm):
    """A person's details and roles: to invite them (with a one-time key) or to change
    them (with the version the administrator started from). The instance is never
    changed here; the service applies the values and checks the rules."""

    roles = forms.MultipleChoiceField(
        label="Roles",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select every role the person has. Someone with no role can sign in but do nothing else.",
        error_messages={"invalid_choice": "Select only the roles shown"},
    )

    class Meta:
        model = User
        fields = ["email", "full_name", "job_title", "agency"]
        field_classes = {"agency": AgencyChoiceField}
        labels = {"email": "Email address", "full_name": "Full name", "job_title": "Job title (optional)"}
        help_texts = {"email": "Their work email address: the invitation and every notice go there."}
        error_messages = {
            "email": {
                "required": "Enter their email address",
                "invalid": "Enter an email address like name@example.org",
            },
            "full_name": {"required": "Enter the person's full name"},
            "agency": {"invalid_choice": "Select one of the agencies shown"},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_as(self, "roles", forms.MultipleChoiceField).choices = [
            Choice(role.value, role.label, hint=ROLE_HINTS[role]) for role in Role
        ]
        if self.instance.pk:
            self.fields["roles"].initial = [role.value for role in self.instance.roles]
        agencies = Q(is_active=True)
        if self.instance.agency_id:
            agencies |= Q(pk=self.instance.agency_id)  # a retired agency they still belong to
        agency = field_as(self, "agency", AgencyChoiceField)
        agency.queryset = Agency.objects.filter(agencies)
        agency.label = "Agency"
        agency.empty_label = "No agency"
        agency.help_text = "Required for agency auditors: the only agency whose records they enter."
        self.fields["full_name"].required = True
        self.fields["email"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["full_name"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.helper = gds_helper(
            Layout(
                Field.text("email"),
                Field.text("full_name", field_width=20),
                Field.text("job_title", field_width=20),
                Field.select("agency"),
                Field.checkboxes("roles", legend_size=Size.SMALL),
            )
        )

    def _post_clean(self) -> None:
        """The service checks the person as a whole (dscb.services.person_update)."""

    def details(self) -> PersonDetails:
        typed = self.cleaned_data
        return PersonDetails(
            email=typed["email"],
            full_name=typed["full_name"],
            job_title=typed["job_title"],
            agency=typed["agency"],
            roles=frozenset(Role(value) for value in typed["roles"]),
        )


class ConfirmChangeForm(forms.Form):
    """A confirmation of a change to someone's account, carrying the version of it that
    the administrator saw."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages=dict.fromkeys(("required", "invalid", "min_value"), OUT_OF_DATE),
    )

    def take_latest_version(self, conflict: EditConflict) -> None:
        take_latest_version(self, conflict)


class ConfirmResetForm(forms.Form):
    """A confirmation only: a second reset finds nothing to remove."""


ACTIVE_CHOICES = [("", "Active and deactivated"), ("active", "Active"), ("deactivated", "Deactivated")]


class PeopleFilterForm(forms.Form):
    """The people list's filters, from the query string. A filter given wrongly is shown
    beside its field and left out; the others still apply."""

    role = forms.ChoiceField(label="Role", required=False, error_messages={"invalid_choice": "Select a role shown"})
    agency = AgencyChoiceField(
        label="Agency",
        queryset=Agency.objects.all(),
        required=False,
        empty_label="Every agency",
        error_messages={"invalid_choice": "Select an agency shown"},
    )
    active = forms.ChoiceField(
        label="Account",
        required=False,
        choices=ACTIVE_CHOICES,
        error_messages={"invalid_choice": "Select active, deactivated or both"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_as(self, "role", forms.ChoiceField).choices = [("", "Every role"), *Role.choices]
        self.helper = gds_helper(Layout(Field.select("role"), Field.select("agency"), Field.select("active")))

    def chosen(self) -> dict[str, Any]:
        """The filters given rightly (none when the form was not sent)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}
