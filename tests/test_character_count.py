"""Every long text box, on every page, counts its characters with the GOV.UK character
count, and says its limit before it is reached."""

from __future__ import annotations

import re

import pytest

from dscb.forms import COUNTED_LENGTH
from tests.test_page_walk import html_pages

pytestmark = pytest.mark.django_db

TEXTAREA = re.compile(r"<textarea\b[^>]*>", re.S)


def attribute(tag: str, name: str) -> str | None:
    found = re.search(rf'\b{name}="([^"]*)"', tag)
    return found.group(1) if found else None


@pytest.mark.parametrize("persona", ["audit_team", "executive"])
def test_every_long_text_box_counts_its_characters(persona, persona_client):
    uncounted, checked = [], 0
    for name, url, response, _page in html_pages(persona, persona_client):
        content = response.content.decode()
        for tag in TEXTAREA.findall(content):
            limit = attribute(tag, "maxlength")
            if limit is None or int(limit) <= COUNTED_LENGTH:
                continue
            checked += 1
            box = attribute(tag, "id")
            counted = (
                f'data-module="govuk-character-count" data-maxlength="{limit}"' in content
                and f'id="{box}-info"' in content
                and f"You can enter up to {limit} characters" in content
                and f"{box}-info" in (attribute(tag, "aria-describedby") or "").split()
            )
            if not counted:
                uncounted.append(f"{name} ({url}): {box}")
    assert checked, "the walk should reach some long text boxes"
    assert uncounted == [], "Long text boxes without a character count:\n" + "\n".join(uncounted)
