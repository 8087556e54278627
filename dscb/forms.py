"""Forms: allauth's, worded and marked up the GOV.UK way, and the pieces every one of the
service's own forms shares: the GOV.UK layout helper, dates, versions (a save after
someone else's is refused) and one-time keys (a form sent twice creates once)."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any, TypeVar, cast

from allauth.account import forms as account_forms
from allauth.core import context
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import IntegrityError, models, transaction
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.utils.html import conditional_escape

from dscb.concurrency import EditConflict
from dscb.models import FormSubmission, SecurityEvent

# Labels, not passwords (nosec B105 below).
PASSWORD_LABELS = {
    "oldpassword": "Current password",
    "password": "Password",  # nosec B105
    "password1": "New password",
    "password2": "Confirm new password",
}


def plain_gds_fields(form: forms.Form) -> None:
    """GOV.UK pattern: labels say what to enter; no placeholders; hints in the page."""
    for name, field in form.fields.items():
        field.widget.attrs.pop("placeholder", None)
        field.help_text = ""
        if name in PASSWORD_LABELS:
            field.label = PASSWORD_LABELS[name]


def security_code_field(form: forms.Form) -> None:
    field = form.fields["code"]
    field.label = "Security code"
    field.widget.attrs.pop("placeholder", None)
    field.widget.attrs.update(
        {
            "inputmode": "numeric",
            "autocomplete": "one-time-code",
            "spellcheck": "false",
            "class": "govuk-input--width-10",
        }
    )
    field.error_messages["required"] = "Enter the security code"


class SignInForm(account_forms.LoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plain_gds_fields(self)
        self.fields["login"].label = "Email address"
        self.fields["login"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})
        self.fields["login"].error_messages["required"] = "Enter your email address"
        self.fields["password"].error_messages["required"] = "Enter your password"


class ResetPasswordForm(account_forms.ResetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plain_gds_fields(self)
        self.fields["email"].label = "Email address"
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})
        self.fields["email"].error_messages["required"] = "Enter your email address"


class ResetPasswordKeyForm(account_forms.ResetPasswordKeyForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plain_gds_fields(self)


class ChangePasswordForm(account_forms.ChangePasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plain_gds_fields(self)


class SetPasswordForm(account_forms.SetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plain_gds_fields(self)


class ReauthenticateForm(account_forms.ReauthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plain_gds_fields(self)


class AuthenticateForm(mfa_forms.AuthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        security_code_field(self)


class MFAReauthenticateForm(mfa_forms.ReauthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        security_code_field(self)


class ActivateTOTPForm(totp_forms.ActivateTOTPForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # allauth makes a new key on every visit to the set-up page; keep the one this
        # session was shown, so that reloading the page does not undo a scanned QR code.
        pending = context.request.session.get(SECRET_SESSION_KEY)
        super().__init__(*args, **kwargs)
        if pending and not self.is_bound:
            context.request.session[SECRET_SESSION_KEY] = self.secret = pending
        security_code_field(self)


# --- Shared pieces for the service's own forms --------------------------------------------


def gds_helper(layout: Layout | None = None) -> FormHelper:
    """A crispy helper for the GOV.UK pack; the <form> tag is the page's (partials/form.html)."""
    helper = FormHelper()
    helper.template_pack = "gds"
    helper.form_tag = False
    helper.disable_csrf = True
    # The version and the once-only key ride along without each layout naming them.
    helper.render_hidden_fields = True
    if layout is not None:
        helper.layout = layout
    return helper


# Text longer than this counts its characters as it is typed, its limit said before it is reached.
COUNTED_LENGTH = 200


def text_area(form: forms.BaseForm, name: str, *, rows: int) -> Field:
    """A textarea in the GOV.UK pack; for long text (a limit above ``COUNTED_LENGTH``) the
    GOV.UK character count, which says "You can enter up to 5000 characters" and counts down."""
    limit = getattr(form.fields[name], "max_length", None)
    if limit is not None and limit > COUNTED_LENGTH:
        # The pack adds the count's message to aria-describedby, and fails unless it is set.
        return Field.textarea(name, rows=rows, max_characters=limit, aria_describedby="")
    return Field.textarea(name, rows=rows)


FieldKind = TypeVar("FieldKind", bound=forms.Field)


def field_as(form: forms.BaseForm, name: str, kind: type[FieldKind]) -> FieldKind:
    """``form.fields[name]``, known to be a ``kind`` (a choice field, to set its choices)."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}, not a {kind.__name__}")
    return field


def escaped(text: str) -> str:
    """The GDS pack prints labels and legends unescaped: escape any that hold data."""
    return conditional_escape(text)


class UKDateField(DateInputField):
    """The GOV.UK date input (day, month, year), with messages a person can act on."""

    def __init__(self, *, label: str, required: bool = True, required_message: str = "", **kwargs: Any) -> None:
        super().__init__(label=label, required=required, require_all_fields=False, **kwargs)
        self.error_messages["required"] = required_message or f"Enter the {label[0].lower() + label[1:]}"
        self.error_messages["incomplete"] = f"{label} must include a day, month and year"
        for sub_field, part in zip(self.fields, ("day", "month", "year"), strict=True):
            sub_field.error_messages["incomplete"] = f"{label} must include a {part}"
            sub_field.validators = [RegexValidator(r"^\s*[0-9]{1,4}\s*$", f"{label} must be a real date")]
            sub_field.required = required

    def compress(self, data_list: list[str]) -> datetime.date | None:
        day, month, year = data_list
        if not (day or month or year):
            return None
        if not (day and month and year):
            # An optional date typed in part is a mistake, not "no date": say so.
            missing = [part for part, value in zip(("day", "month", "year"), data_list, strict=True) if not value]
            raise ValidationError(f"{self.label} must include a {' and '.join(missing)}", code="incomplete")
        try:
            value = datetime.date(int(year), int(month), int(day))
        except (ValueError, OverflowError):
            raise ValidationError(f"{self.label} must be a real date", code="invalid") from None
        if not 1900 <= value.year <= 2100:
            raise ValidationError(f"{self.label} must be a real date", code="invalid")
        return value


OUT_OF_DATE = "This page is out of date. Reload it, then make your changes again."


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses a posted id beyond a 64-bit integer before it reaches the database:
    SQLite raises on such a number in an IN (...) query rather than matching nothing."""

    def _check_values(self, value: Any) -> Any:
        for item in value:
            try:
                number = int(item)
            except (TypeError, ValueError):
                continue  # Django's own check refuses it with the right message.
            if not -(2**63) <= number < 2**63:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": item}
                )
        return super()._check_values(value)  # type: ignore[misc]  # private in Django, absent from the stubs


SUBMISSION_KEY = "submission_key"
ALREADY_SENT = "This form has already been sent. Go back to the page you started from and try again."


def once_only(form: forms.BaseForm) -> None:
    """Give a form that creates something a one-time key: however often it is sent (a
    double click, the back button), it creates one thing (``save_or_report``)."""
    form.fields[SUBMISSION_KEY] = forms.UUIDField(
        widget=forms.HiddenInput, error_messages=dict.fromkeys(("required", "invalid"), OUT_OF_DATE)
    )
    if not form.is_bound:
        form.fields[SUBMISSION_KEY].initial = uuid.uuid4()


# The mixin's methods are the form's: tell the type checker which class they join.
if TYPE_CHECKING:
    FormMixinBase = forms.BaseForm
else:
    FormMixinBase = object


class OnceOnlyMixin(FormMixinBase):
    """For forms that may carry a one-time key (``once_only``): a copy of a form already
    saved is not validated again, only pointed at what the first copy made. (A second
    copy of a form that added a round would otherwise be told that its title is taken,
    by its own first copy.)"""

    def full_clean(self) -> None:
        super().full_clean()
        earlier = self.earlier_submission()
        if earlier is not None:
            self._errors = ErrorDict()
            self.cleaned_data = {SUBMISSION_KEY: earlier.key}

    def earlier_submission(self) -> FormSubmission | None:
        if SUBMISSION_KEY not in self.fields or not self.is_bound:
            return None
        try:
            key = uuid.UUID(str(self.data.get(self.add_prefix(SUBMISSION_KEY), "")))
        except ValueError:
            return None
        return FormSubmission.objects.filter(key=key, form=_form_name(self)).first()


class OnceOnlyForm(OnceOnlyMixin, forms.Form):
    """A plain form that creates something (see ``once_only``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        once_only(self)


class OnceOnlyModelForm(OnceOnlyMixin, forms.ModelForm):
    """A model form that only ever creates (see ``once_only``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        once_only(self)


class VersionedForm(OnceOnlyMixin, forms.ModelForm):
    """Carries the version of the row the person started from, so a save made after
    someone else's is refused (dscb.concurrency). Creating, it carries a one-time key
    instead, so that sending it twice creates one row."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages=dict.fromkeys(("required", "invalid", "min_value"), OUT_OF_DATE),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            self.fields["version"].required = False
            once_only(self)

    def take_latest_version(self, conflict: EditConflict) -> None:
        take_latest_version(self, conflict)


def take_latest_version(form: forms.BaseForm, conflict: EditConflict) -> None:
    """After a refused save: keep what was typed, but let the next save go through."""
    data = cast(QueryDict, form.data).copy()
    data[form.add_prefix("version")] = str(conflict.version)
    form.data = data


def _form_name(form: forms.BaseForm) -> str:
    return f"{type(form).__module__}.{type(form).__qualname__}"[:200]


def _save_once(form: forms.BaseForm, save: Callable[[], object]) -> None:
    """Claim the form's one-time key and save, in one transaction. A key already claimed
    means this form was sent before: nothing is saved again, and a model form is given
    what the first submission made, so the page goes where the first one went. (On
    PostgreSQL a second claim of a key not yet committed waits for the first.)"""
    key = form.cleaned_data[SUBMISSION_KEY]
    with transaction.atomic():
        try:
            with transaction.atomic():
                submission = FormSubmission.objects.create(key=key, form=_form_name(form))
        except IntegrityError:
            earlier = FormSubmission.objects.select_related("content_type").get(key=key)
            made = earlier.made()
            if earlier.form != _form_name(form):
                raise ValidationError(ALREADY_SENT, code="already_sent") from None
            if isinstance(form, forms.ModelForm):
                if not isinstance(made, form._meta.model):
                    raise ValidationError(ALREADY_SENT, code="already_sent") from None
                form.instance = made
            return
        saved = save()
        if isinstance(saved, models.Model) and saved.pk is not None:
            submission.content_type = ContentType.objects.get_for_model(saved)
            submission.object_id = saved.pk
            submission.save(update_fields=["content_type", "object_id"])


def save_or_report(form: forms.BaseForm, save: Callable[[], object]) -> bool:
    """Run ``save`` (once only, for a form with a one-time key); if it is refused, put the
    reason on ``form`` (beside the field it concerns, or at the top) and keep everything
    the person typed. True if saved."""
    try:
        if SUBMISSION_KEY in form.fields:
            _save_once(form, save)
        else:
            save()
    except EditConflict as conflict:
        form.add_error(None, conflict.message)
        if hasattr(form, "take_latest_version"):
            form.take_latest_version(conflict)
        return False
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return False
    return True


class SecurityEventFilterForm(forms.Form):
    """The security events page's filters, from the query string. A filter given wrongly
    is shown beside its field and left out; the others still apply."""

    kind = forms.ChoiceField(label="Event", required=False)
    person = forms.CharField(label="Email address contains", required=False, max_length=254)
    since = UKDateField(label="From", required=False)
    until = UKDateField(label="To", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_as(self, "kind", forms.ChoiceField).choices = [("", "Every event"), *SecurityEvent.Kind.choices]
        self.fields["person"].widget.attrs.update({"spellcheck": "false", "autocomplete": "off"})
        self.helper = gds_helper(
            Layout(
                Field.select("kind"),
                Field.text("person", field_width=20),
                Field("since"),
                Field("until"),
            )
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", "To must be the same as or after From")
        return cleaned

    def chosen(self) -> dict[str, Any]:
        """The filters given rightly (all of them when the form was not sent)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


class ReferenceForm(VersionedForm):
    """A row of reference data (dscb.reference), made for its kind by ``reference_form``.
    It only parses what was typed: the model's own checks (unique names, colours, a
    question with answers keeping its words) run when the service saves, and their
    messages are put beside the fields they concern."""

    def __init__(self, *args: Any, locked: Collection[str] = (), locked_hint: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in locked:
            self.fields[name].disabled = True  # what is sent for it is ignored
            self.fields[name].help_text = locked_hint
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField):
                field.empty_label = f"Choose the {field.label.lower()}" if field.label else None
                field.error_messages["required"] = f"Choose the {str(field.label).lower()}"
            elif field.required and not isinstance(field, forms.BooleanField) and name != "version":
                field.error_messages["required"] = f"Enter the {str(field.label).lower()}"
        self.helper = gds_helper(Layout(*(self._layout_of(name) for name in self._meta.fields or ())))

    def _layout_of(self, name: str) -> Field | str:
        field = self.fields[name]
        if isinstance(field, forms.BooleanField):
            return Field.checkbox(name)
        if isinstance(field, forms.ModelChoiceField):
            return Field.select(name)
        if isinstance(field.widget, forms.Textarea):
            return text_area(self, name, rows=4)
        if isinstance(field, forms.IntegerField):
            return Field.text(name, field_width=4)
        limit = getattr(field, "max_length", None)
        return Field.text(name, field_width=10 if limit is not None and limit <= 10 else None)

    def _post_clean(self) -> None:
        pass

    def values(self) -> dict[str, Any]:
        """What the person typed, for the service: the fields this row may still change."""
        return {
            name: self.cleaned_data[name]
            for name in self._meta.fields or ()
            if name in self.cleaned_data and not self.fields[name].disabled
        }


def reference_form(model: type[models.Model], fields: Collection[str]) -> type[ReferenceForm]:
    return cast(type[ReferenceForm], forms.modelform_factory(model, form=ReferenceForm, fields=list(fields)))
