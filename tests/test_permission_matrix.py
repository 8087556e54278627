"""Walks every URL name as every persona and compares what happens with MATRIX."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from allauth.mfa.models import Authenticator
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from audits.models import Grade, Theme
from dscb.models import Agency, User
from recommendations.models import RagStatus
from tests.conftest import PERSONAS
from tests.factories import UserFactory, activate_totp
from tests.permissions import MATRIX, Outcome


def url_names(resolver: URLResolver | None = None, namespace: str = "") -> Iterator[str]:
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def sample_kwargs() -> dict[str, dict[str, object]]:
    """Arguments for URLs that need them: real objects, so a page answers as it would."""
    someone = UserFactory()
    activate_totp(someone)
    objects = {
        "dscb_user": someone,
        "dscb_agency": Agency.objects.first(),
        "audits_theme": Theme.objects.first(),
        "audits_grade": Grade.objects.first(),
        "recommendations_ragstatus": RagStatus.objects.first(),
        "auditlog_logentry": LogEntry.objects.first(),
        "mfa_authenticator": Authenticator.objects.filter(user=someone).first(),
    }
    kwargs: dict[str, dict[str, object]] = {
        "account_reset_password_from_key": {"uidb36": "1z", "key": "not-a-real-key"},
        "admin:app_list": {"app_label": "dscb"},
        "admin:view_on_site": {
            "content_type_id": ContentType.objects.get_for_model(User).pk,
            "object_id": someone.pk,
        },
    }
    for model, obj in objects.items():
        assert obj is not None, model
        for view in ("change", "delete", "history"):
            kwargs[f"admin:{model}_{view}"] = {"object_id": obj.pk}
    return kwargs


def outcome_of(response) -> Outcome:
    if response.status_code in (301, 302):
        location = response["Location"]
        for name in (
            "account_login",
            "account_reauthenticate",
            "mfa_activate_totp",
            "mfa_reauthenticate",
            "mfa_index",
            "mfa_deactivate_totp",
            "home",
        ):
            if location.split("?")[0] == reverse(name):
                return Outcome(302, name)
        for name in ("account_change_password", "admin:index"):
            if location == reverse(name):
                return Outcome(302, name)
        return Outcome(response.status_code, location)
    return Outcome(response.status_code)


def test_every_url_has_a_row_in_the_matrix():
    names = set(url_names())
    assert sorted(names - set(MATRIX)) == [], "URLs without a row in tests/permissions.py"
    assert sorted(set(MATRIX) - names) == [], "rows in tests/permissions.py for URLs that no longer exist"


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_url_answers_each_persona_as_the_matrix_says(persona, persona_client):
    client = persona_client(persona)
    kwargs = sample_kwargs()
    mismatches = []
    for name in sorted(url_names()):
        expected = MATRIX[name][persona]
        response = client.get(reverse(name, kwargs=kwargs.get(name)))
        actual = outcome_of(response)
        if actual != expected:
            mismatches.append(f"{name}: expected {expected}, got {actual}")
    assert not mismatches, "\n".join(mismatches)
