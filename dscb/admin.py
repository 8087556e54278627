from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from auditlog.admin import LogEntryAdmin as AuditlogLogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.auth.models import Group

# Roles are columns on the user, and email addresses are the user's own: neither
# Django's groups nor allauth's address book are used, so neither is offered. People,
# their roles and authenticators are the service's own pages (Administration → People).
admin.site.unregister(Group)
admin.site.unregister(EmailAddress)
admin.site.unregister(LogEntry)
admin.site.unregister(Authenticator)
# The identity provider is configured from the environment and keeps no tokens; a
# person's link to their provider account is theirs, made when they sign in with it.
admin.site.unregister(SocialApp)
admin.site.unregister(SocialAccount)
admin.site.unregister(SocialToken)


@admin.register(LogEntry)
class LogEntryAdmin(AuditlogLogEntryAdmin):
    """The change history: read-only, never edited or deleted (ASVS 16.4.2)."""

    search_fields = ["object_repr", "actor__email", "actor__full_name"]
