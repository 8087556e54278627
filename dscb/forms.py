"""allauth's forms, worded and marked up the GOV.UK way."""

from __future__ import annotations

from typing import Any

from allauth.account import forms as account_forms
from allauth.core import context
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django import forms

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
