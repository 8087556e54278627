from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from django import forms


def plain_gds_fields(form: forms.Form) -> None:
    """GOV.UK pattern: labels say what to enter; no placeholders, no help in the label."""
    for field in form.fields.values():
        field.widget.attrs.pop("placeholder", None)
        field.help_text = ""


class SignInForm(LoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plain_gds_fields(self)
        self.fields["login"].label = "Email address"
        self.fields["login"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})
        self.fields["login"].error_messages["required"] = "Enter your email address"
        self.fields["password"].error_messages["required"] = "Enter your password"


class ResetPasswordForm(AllauthResetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plain_gds_fields(self)
        self.fields["email"].label = "Email address"
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})
        self.fields["email"].error_messages["required"] = "Enter your email address"
