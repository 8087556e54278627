from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin as AllauthAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from auditlog.admin import LogEntryAdmin as AuditlogLogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest

from dscb.forms import ResetPasswordForm
from dscb.models import ROLE_FIELDS, Agency, User
from dscb.services import authenticators_remove

# Roles are columns on the user, and email addresses are the user's own: neither
# Django's groups nor allauth's address book are used, so neither is offered.
admin.site.unregister(Group)
admin.site.unregister(EmailAddress)
admin.site.unregister(LogEntry)
admin.site.unregister(Authenticator)


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
        authenticators_remove(authenticators=[obj], by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Authenticator]) -> None:
        authenticators_remove(authenticators=queryset.select_related("user"), by=request.user)


@admin.register(LogEntry)
class LogEntryAdmin(AuditlogLogEntryAdmin):
    """The change history: read-only, never edited or deleted (ASVS 16.4.2)."""

    search_fields = ["object_repr", "actor__email", "actor__full_name"]


class ReferenceDataAdmin(admin.ModelAdmin):
    """Reference data is retired (untick "active"), never deleted: past records keep it."""

    list_filter = ["is_active"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Agency)
class AgencyAdmin(ReferenceDataAdmin):
    list_display = ["name", "short_name", "position", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["name", "short_name"]


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
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

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if not change:
            obj.set_unusable_password()
        super().save_model(request, obj, form, change)
        if not change:
            invite = ResetPasswordForm(data={"email": obj.email})
            if invite.is_valid():
                invite.save(request)
                messages.info(request, f"An email has been sent to {obj.email} to choose a password.")

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).select_related("agency")
