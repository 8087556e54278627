"""Checks every page must pass, made on every page every persona can open.

The walk reuses the permission matrix's URLs and sample objects, so a new page is
checked as soon as it has its row there. Each check catches a whole kind of defect:

- every ``<form method="post">`` carries its CSRF token (a partial included with
  ``only`` once dropped it, and "Remove" failed for everyone);
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import PERSONAS
from tests.html import read_page
from tests.test_permission_matrix import sample_kwargs, url_names


def pages_for(persona: str, persona_client):
    """(URL name, URL, response) for every page ``persona`` can open."""
    client = persona_client(persona)
    kwargs = sample_kwargs(client.user)
    for name in sorted(url_names()):
        url = reverse(name, kwargs=kwargs.get(name))
        if name == "reports:rag_list":
            url += "?overdue=1"
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
            continue
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            yield name, url, response


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_post_form_on_every_page_carries_its_csrf_token(persona, persona_client):
    missing = [
        f"{name} ({url}): form posting to {form.action or 'itself'}"
        for name, url, response in pages_for(persona, persona_client)
        for form in read_page(response.content.decode()).post_forms
        if "csrfmiddlewaretoken" not in form.fields
    ]
    assert missing == [], "POST forms without a CSRF token:\n" + "\n".join(missing)


def test_the_suites_client_refuses_a_post_without_its_token(client):
    response = client.post(reverse("account_login"), {"login": "a@example.org", "password": "x"}, csrf=False)
    assert response.status_code == 403
