from __future__ import annotations

from django.apps import AppConfig, apps
from django.core.validators import MaxLengthValidator
from django.db import models

OUR_APPS = ("dscb", "audits", "recommendations", "reports")


def limit_long_text() -> None:
    """A text field's ``max_length`` is only a form's limit in Django: make it a rule of
    the model, so the services (which call ``full_clean``) and every importer refuse
    longer text too. Added here rather than on each field, so no field can forget it."""
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        for field in model._meta.local_fields:
            if (
                isinstance(field, models.TextField)
                and field.max_length
                and not any(isinstance(validator, MaxLengthValidator) for validator in field.validators)
            ):
                field.validators.append(MaxLengthValidator(field.max_length))


class DscbConfig(AppConfig):
    default = True
    name = "dscb"
    verbose_name = "The board"

    def ready(self) -> None:
        from allauth.mfa.models import Authenticator
        from auditlog.registry import auditlog

        from dscb import reference, signals  # noqa: F401
        from dscb.models import Agency, RetentionRule, User
        from dscb.reference import ReferenceKind

        limit_long_text()
        not_history = ["version", "updated_at", "updated_by"]
        auditlog.register(User, exclude_fields=["password", "last_login", *not_history])
        auditlog.register(Agency, exclude_fields=not_history)
        auditlog.register(RetentionRule, exclude_fields=not_history)
        # Who set up or removed whose authenticator, and when; never its secret or codes.
        auditlog.register(Authenticator, include_fields=["user", "type", "created_at"])
        reference.register(
            ReferenceKind(
                slug="agencies",
                model=Agency,
                title="Agencies",
                noun="agency",
                description="The agencies whose records are audited, that auditors belong to and recommendations name.",
                fields=("name", "short_name", "position", "is_active"),
                columns=("short_name", "position"),
            )
        )
