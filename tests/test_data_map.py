"""The data map, docs/data-protection.md, has an entry for every model installed (ours
and the third-party apps'), and none for a model that is gone.

An entry is a level-3 heading holding the model's label in backticks, "### `app.Model`",
then the five points in ``POINTS``, each a bold label followed by what it says. A model
added without an entry fails here by name: copy a neighbouring entry and fill it in.
Tables Django makes for a many-to-many field have no model of their own here
(``get_models`` leaves them out): the entry of the model declaring the field says what
they hold. A through model declared explicitly is a model like any other.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

DATA_MAP = Path(settings.BASE_DIR) / "docs" / "data-protection.md"

ENTRY = re.compile(r"^### `(?P<label>[^`]+)`\s*$")
POINTS = ("Personal data:", "Lawful basis:", "Who can read it:", "Retention:", "Removal:")
# A point's text runs from its label to the next point or the end of the entry.
POINT = re.compile(r"^- \*\*(?P<label>[^*]+)\*\*(?P<text>.*?)(?=^- \*\*|\Z)", re.MULTILINE | re.DOTALL)
# Art. 9 conditions (g) and (h) hold only with their DPA 2018 Schedule 1 condition.
SCHEDULE_1 = {"Art. 9(2)(g)": "Sch. 1 para 18", "Art. 9(2)(h)": "Sch. 1 para 2"}


def entries(text: str) -> dict[str, list[str]]:
    """Each entry's body, by the label in its heading (a label twice: two bodies). A body
    ends at the next heading of any level."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        heading = ENTRY.match(line)
        if heading:
            current = found.setdefault(heading["label"], [])
            current.append("")
        elif line.startswith("#"):
            current = None
        elif current is not None:
            current[-1] += line + "\n"
    return found


def entry_problems(label: str, body: str) -> list[str]:
    points = {match["label"]: " ".join(match["text"].split()) for match in POINT.finditer(body)}
    problems = [f"{label}: no **{point}**" for point in POINTS if point not in points]
    problems += [f"{label}: **{point}** says nothing" for point in POINTS if point in points and not points[point]]
    basis = points.get("Lawful basis:", "")
    if basis and "Art. 6(1)(e)" not in basis:
        problems.append(f"{label}: the lawful basis names no Art. 6 basis")
    problems += [
        f"{label}: {article} without {condition}"
        for article, condition in SCHEDULE_1.items()
        if article in basis and condition not in basis
    ]
    return problems


def data_map_problems(text: str, labels: set[str]) -> list[str]:
    found = entries(text)
    problems = [f"{label}: no entry" for label in sorted(labels - set(found))]
    problems += [f"{label}: an entry, but no such model" for label in sorted(set(found) - labels)]
    problems += [f"{label}: {len(bodies)} entries" for label, bodies in found.items() if len(bodies) > 1]
    for label, bodies in found.items():
        problems += entry_problems(label, bodies[0])
    return problems


def installed_models() -> set[str]:
    return {model._meta.label for model in apps.get_models()}


def test_every_model_has_a_complete_entry_and_every_entry_a_model():
    problems = data_map_problems(DATA_MAP.read_text(encoding="utf-8"), installed_models())
    assert not problems, "docs/data-protection.md:\n" + "\n".join(problems)


def test_the_map_covers_the_third_party_models_too():
    labels = set(entries(DATA_MAP.read_text(encoding="utf-8")))
    assert {"sessions.Session", "auditlog.LogEntry", "mfa.Authenticator", "account.EmailAddress"} <= labels


COMPLETE = """\
### `audits.AuditCase`

- **Personal data:** `reference`, `findings`.
- **Lawful basis:** Art. 6(1)(e); Art. 9(2)(g) with DPA 2018 Sch. 1 para 18.
- **Who can read it:** the audit team.
- **Retention:** six years after the round is completed.
- **Removal:** with its round.

## File stores
"""


def test_a_complete_entry_passes():
    assert data_map_problems(COMPLETE, {"audits.AuditCase"}) == []


@pytest.mark.parametrize(
    ("text", "labels", "problem"),
    [
        (COMPLETE, {"audits.AuditCase", "audits.Newcomer"}, "audits.Newcomer: no entry"),
        (COMPLETE, set(), "audits.AuditCase: an entry, but no such model"),
        (COMPLETE + "\n" + COMPLETE, {"audits.AuditCase"}, "audits.AuditCase: 2 entries"),
        (
            COMPLETE.replace("- **Retention:** six years after the round is completed.\n", ""),
            {"audits.AuditCase"},
            "audits.AuditCase: no **Retention:**",
        ),
        (COMPLETE.replace("with its round.", ""), {"audits.AuditCase"}, "audits.AuditCase: **Removal:** says nothing"),
        (
            COMPLETE.replace("Art. 6(1)(e); ", ""),
            {"audits.AuditCase"},
            "audits.AuditCase: the lawful basis names no Art. 6 basis",
        ),
        (
            COMPLETE.replace(" with DPA 2018 Sch. 1 para 18", ""),
            {"audits.AuditCase"},
            "audits.AuditCase: Art. 9(2)(g) without Sch. 1 para 18",
        ),
    ],
    ids=[
        "model without entry",
        "entry without model",
        "two entries",
        "no retention",
        "empty removal",
        "no Art. 6 basis",
        "Art. 9 without Schedule 1",
    ],
)
def test_a_gap_is_named(text, labels, problem):
    assert problem in data_map_problems(text, labels)


def test_a_point_after_the_entry_ends_is_not_the_entrys():
    # The "## File stores" heading ends the entry: a Removal point under it is not counted.
    text = COMPLETE.replace("- **Removal:** with its round.\n", "") + "\n- **Removal:** with its round.\n"
    assert "audits.AuditCase: no **Removal:**" in data_map_problems(text, {"audits.AuditCase"})
