from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin as AllauthAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from auditlog.admin import LogEntryAdmin as AuditlogLogEntryAdmin
from auditlog.models import LogEntry
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from dscb import request_cache
from dscb.concurrency import VERSION_FIELDS, EditConflict, Versioned, hold_version, save_versioned
from dscb.forms import ResetPasswordForm, VersionedForm
from dscb.models import ROLE_FIELDS, Agency, User
from dscb.security import record_person_changes
from dscb.services import authenticators_remove

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldsetSpec

# Roles are columns on the user, and email addresses are the user's own: neither
# Django's groups nor allauth's address book are used, so neither is offered.
admin.site.unregister(Group)
admin.site.unregister(EmailAddress)
admin.site.unregister(LogEntry)
admin.site.unregister(Authenticator)
# The identity provider is configured from the environment and keeps no tokens; a
# person's link to their provider account is theirs, made when they sign in with it.
admin.site.unregister(SocialApp)
admin.site.unregister(SocialAccount)
admin.site.unregister(SocialToken)


def admin_user(request: HttpRequest) -> User:
    """The person behind an admin request: the site admits administrators only (admin_site)."""
    return cast(User, request.user)


@admin.register(Authenticator)
class AuthenticatorAdmin(AllauthAuthenticatorAdmin):
    """Administrators may remove someone's authenticator (a lost phone), so they set up
    a new one at their next sign-in; nobody may create or edit one for someone else."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # One at a time and "delete selected" alike: the person is told, the event logged.
    def delete_model(self, request: HttpRequest, obj: Authenticator) -> None:
        authenticators_remove(authenticators=[obj], by=admin_user(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Authenticator]) -> None:
        authenticators_remove(authenticators=queryset.select_related("user"), by=admin_user(request))


@admin.register(LogEntry)
class LogEntryAdmin(AuditlogLogEntryAdmin):
    """The change history: read-only, never edited or deleted (ASVS 16.4.2)."""

    search_fields = ["object_repr", "actor__email", "actor__full_name"]


class VersionedAdminForm(VersionedForm):
    """An admin change form that carries the version of the row the administrator
    opened: a save made after someone else's is refused beside the form, keeping what
    was typed, and the next save goes through (ASVS 2.3.4)."""

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned_data = self.cleaned_data
        expected = cleaned_data.get("version")
        if expected is not None and self.checks_version():
            try:
                # The admin validates and saves in one transaction (changeform_view, and
                # VersionedAdmin.changelist_view): the row stays locked until it is saved.
                hold_version(self.instance, expected_version=expected)
            except EditConflict as conflict:
                self.take_latest_version(conflict)
                raise ValidationError(conflict.message, code="edit_conflict") from None
        return cleaned_data

    def checks_version(self) -> bool:
        return True

    def has_changed(self) -> bool:
        # The version says where the person started from: on its own it is no change.
        return any(name != "version" for name in self.changed_data)


class VersionedRowForm(VersionedAdminForm):
    """A row of a changelist's editable columns. The admin saves only the rows that
    changed, so only those are checked: a row someone saved after the list was opened,
    and that this administrator left alone, is not written, so it overwrites nothing."""

    def checks_version(self) -> bool:
        return self.has_changed()


class VersionedAdmin(admin.ModelAdmin):
    """Administrators' saves are refused like everyone else's when someone saved the row
    after they opened it (dscb.concurrency). Adding needs no version: the unique names
    refuse a second identical add beside the field."""

    form = VersionedAdminForm
    add_form: type[forms.ModelForm] = forms.ModelForm
    change_list_template = "admin/versioned_change_list.html"

    def get_form(self, request: HttpRequest, obj: Versioned | None = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs.setdefault("form", self.add_form)
        return super().get_form(request, obj, change, **kwargs)

    def get_exclude(self, request: HttpRequest, obj: Versioned | None = None) -> list[str]:
        # "version" is the form's own hidden field, never the model's (not editable).
        return [*(super().get_exclude(request, obj) or []), "version"]

    def get_fieldsets(self, request: HttpRequest, obj: Versioned | None = None) -> _FieldsetSpec:
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None or "version" in flatten_fieldsets(fieldsets):
            return fieldsets
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], "version"]}), *rest]

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs.setdefault("form", VersionedRowForm)
        return super().get_changelist_form(request, **kwargs)

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        if request.method != "POST":
            return super().changelist_view(request, extra_context)
        # Django checks a changelist's rows before its saving transaction begins; each
        # changed row is locked by its check, so both must run in one transaction.
        with transaction.atomic(using=router.db_for_write(self.model)):
            response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None and changelist.formset is not None and changelist.formset.is_bound:
            # Refused rows are shown again. Django pairs each row's inputs and message with
            # the list as it is now, which someone else's save may have reordered (a new
            # position): show the rows as they were sent, each beside its own name.
            changelist.result_list = [form.instance for form in changelist.formset.forms]
        return response

    def save_model(self, request: HttpRequest, obj: Versioned, form: Any, change: bool) -> None:
        if not change:
            obj.updated_by = admin_user(request)
            obj.updated_at = timezone.now()
            super().save_model(request, obj, form, change)
            return
        # Only what the form shows is written: the rest of the row (a person's password
        # or last sign-in) was read before the check locked it, and is left as it is now.
        # Under that lock the claim cannot fail on PostgreSQL; without row locks (SQLite)
        # an overlapping save fails with an error, never overwriting the first.
        columns = {field.name for field in obj._meta.concrete_fields if not field.primary_key} - set(VERSION_FIELDS)
        save_versioned(
            obj,
            expected_version=form.cleaned_data["version"],
            by=admin_user(request),
            fields=[name for name in form.fields if name in columns],
        )


class ReferenceDataAdmin(VersionedAdmin):
    """Reference data is retired (untick "active"), never deleted: past records keep it."""

    list_filter = ["is_active"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ScaleAdmin(VersionedAdmin):
    """The one row of a scale's words: changed, never added to or deleted."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not self.model._default_manager.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Versioned, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        request_cache.forget()  # the words this request read are out of date now


@admin.register(Agency)
class AgencyAdmin(ReferenceDataAdmin):
    list_display = ["name", "short_name", "position", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["name", "short_name"]


@admin.register(User)
class UserAdmin(VersionedAdmin):
    list_display = ["email", "full_name", "role_list", "agency", "is_active", "last_login"]
    list_filter = ["is_active", *ROLE_FIELDS.values(), "agency"]
    search_fields = ["email", "full_name"]
    list_select_related = ["agency"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "full_name", "job_title", "is_active"]}),
        ("Roles", {"fields": [*ROLE_FIELDS.values(), "agency"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # People leave by being deactivated, so the history of what they did stays whole.
        return False

    @admin.display(description="Roles")
    def role_list(self, obj: User) -> str:
        return ", ".join(obj.role_labels) or "None"

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:  # type: ignore[override]  # this admin's rows are users
        if not change:
            obj.set_unusable_password()
        before = {name: bool(form.initial.get(name)) for name in [*ROLE_FIELDS.values(), "is_active"]} if change else {}
        super().save_model(request, obj, form, change)
        record_person_changes(request=request, by=admin_user(request), person=obj, before=before)
        if not change:
            invite = ResetPasswordForm(data={"email": obj.email})
            if invite.is_valid():
                invite.save(request)
                messages.info(request, f"An email has been sent to {obj.email} to choose a password.")

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).select_related("agency")
