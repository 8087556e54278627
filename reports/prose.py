"""The report's prose, block by block (models.ProseBlock): what the Executive wrote, or,
for a block nobody has changed, a default written from the figures that reads as the seed
report does ("The audit team has undertaken multi-agency case audits since April 2009 ...").
A default follows the figures; a block the Executive changed keeps their words until it is
reset (services.prose_reset).

The text is plain: a blank line starts a new paragraph, and a paragraph whose lines all
start with a dash is a bulleted list. The web page, the PDF and the Word document all show
the same ``Paragraph`` objects (templates/reports/partials/prose.html)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.humanize.templatetags.humanize import apnumber

from reports.models import ProseBlock

if TYPE_CHECKING:
    from reports.document import ReportDocument

BULLET = re.compile(r"^\s*[-•*]\s+")
BLANK_LINES = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of text, or (``items``) a bulleted list."""

    text: str = ""
    items: tuple[str, ...] = ()


def paragraphs(text: str) -> list[Paragraph]:
    result = []
    for chunk in BLANK_LINES.split(normalise(text)):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        if all(BULLET.match(line) for line in lines):
            result.append(Paragraph(items=tuple(BULLET.sub("", line) for line in lines)))
        else:
            result.append(Paragraph(text="\n".join(lines)))
    return result


def normalise(text: str) -> str:
    """As stored: Windows and old Mac line ends as one, no white space at either end."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


# --- Words ----------------------------------------------------------------------------------


def number(n: int) -> str:
    """ "two", "five", "36": the seed spells out numbers below ten."""
    return str(apnumber(n))


def counted(n: int, singular: str, plural: str = "") -> str:
    return f"{number(n)} {singular if n == 1 else plural or singular + 's'}"


def listed(words: Sequence[str]) -> str:
    """ "A, B and C"."""
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def percent(share: float) -> str:
    return f"{round(share * 100)}%"


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- Defaults, from the figures -------------------------------------------------------------


def introduction(document: ReportDocument) -> str:
    audit = document.audits.audit
    rounds = [figures.audit_round for figures in audit.rounds]
    if not rounds:
        return f"The audit team held no multi-agency case audit round between {document.period}."
    text = (
        f"The audit team has undertaken multi-agency case audits since {rounds[0].held_on:%B %Y}, auditing "
        f"{counted(audit.cases, 'child', 'children')} subject to a child protection plan in "
        f"{counted(len(rounds), 'round')}. The audit reviews case files from all agencies working with the child "
        "and their family, including GP records."
    )
    agencies = list(audit.agencies.values())
    if agencies:
        text += f"\n\nThe records of {counted(len(agencies), 'agency', 'agencies')} were audited: {listed(agencies)}."
    return text


def method(document: ReportDocument) -> str:
    audit = document.audits.audit
    themes = [theme.name for theme in audit.themes]
    lines = "\n".join(f"- {name}" for name in themes)
    text = (
        f"The initial audit identified {counted(len(themes), 'area')} which have subsequently been audited "
        f"against:\n\n{lines}\n\n"
        f"Each agency's record of the child is graded on every area, and the audit panel agrees each case's "
        f"grade overall and on each area (using the {audit.scale.name})."
    )
    if audit.questions:
        text += f" Each record is also checked against {counted(len(audit.questions), 'checklist item')}."
    return text


def case_findings(document: ReportDocument) -> str:
    audit = document.audits.audit
    children = counted(audit.cases, "child", "children")
    text = (
        f"{sentence(children)} subject to a child protection plan {'has' if audit.cases == 1 else 'have'} been "
        "audited, accompanied by sibling and parental case records, totalling up to "
        f"{counted(audit.most_records_in_a_case, 'case record')} for some case audits."
    )
    owed = audit.feedback_owed
    text += (
        "\n\nFeedback of the case findings has been given to the individual practitioners involved, their "
        "manager and their agency"
        + (f"; {counted(owed, 'piece')} of feedback {'is' if owed == 1 else 'are'} still to be given" if owed else "")
        + f". The Board is provided with the overall findings using the {number(len(audit.themes))} themes."
    )
    raised = audit.escalations_raised
    if raised:
        text += (
            f"\n\nIn {counted(raised, 'case')} the audit team requested immediate intervention to make sure the "
            "child protection plan was reviewed and updated."
        )
    else:
        text += "\n\nThe audit team did not need to request immediate intervention in any case."
    return text


def theme_findings(document: ReportDocument) -> str:
    threshold = document.audits.threshold
    rated = [(name, overall) for name, _, overall in document.audits.theme_rows if overall is not None]
    if not rated:
        return f"No case has been graded on the {number(len(document.audits.audit.themes))} themes yet."
    best = max(rated, key=lambda row: row[1])
    worst = min(rated, key=lambda row: row[1])
    if best[1] == worst[1]:
        return f"Across the rounds in this period, {percent(best[1])} of cases were graded {threshold} on every theme."
    return (
        f"Across the rounds in this period, the share of cases graded {threshold} was highest for "
        f"{best[0]} ({percent(best[1])}) and lowest for {worst[0]} ({percent(worst[1])}). "
        "The table below shows each theme round by round; the findings by agency follow later in this report."
    )


def appreciative_inquiry(document: ReportDocument) -> str:
    inquiry = document.audits.audit.inquiry
    if not inquiry.families:
        return "No family was audited using Appreciative Inquiry in this period."
    families = counted(inquiry.families, "family", "families")
    over_a_year, stuck = inquiry.plans_over_12_months, inquiry.seen_as_stuck
    text = (
        f"In addition, {families} {'has' if inquiry.families == 1 else 'have'} been audited using Appreciative "
        f"Inquiry. This is too small a sample to produce any findings; however, {number(over_a_year)} of them "
        f"had been subject to a child protection plan for more than 12 months, and {number(stuck)} "
        f"{'was' if stuck == 1 else 'were'} recognised as 'stuck' by many of the professionals working with the "
        "family."
    )
    agreed = inquiry.outcomes_agreed
    if agreed:
        where = (
            ("both families" if agreed == 2 else "every family")
            if agreed == inquiry.families
            else f"{number(agreed)} of the {families}"
        )
        text += (
            " Participants have identified that the case planning has taken a different direction, with "
            f"identified needs and agreed desired outcomes for the children, in {where}."
        )
    return text + " Appreciative Inquiry carries no grades and is not counted in the figures above."


def recommendations(document: ReportDocument) -> str:
    total = document.plan.rag.total
    text = (
        f"{sentence(counted(total, 'recommendation'))} {'has' if total == 1 else 'have'} been made to the Board "
        "for consideration. The Executive develops and monitors the implementation of recommendations"
    )
    cycle = document.cycle
    if cycle is not None:
        text += f"; this report gives their {document.plan.scale.words.name} at the {cycle.title}"
        if cycle.completed_on:
            text += f", completed {cycle.completed_on:%-d %B %Y}"
    return text + "."


def evidence_of_impact(document: ReportDocument) -> str:
    closed = [row.recommendation.number for row in document.plan.closed_this_period]
    text = (
        "This section sets out what has changed for children and families as a result of the audits and their "
        "recommendations."
    )
    if closed:
        text += (
            f" {sentence(counted(len(closed), 'recommendation'))} {'was' if len(closed) == 1 else 'were'} closed on "
            f"evidence of impact in this update: {listed(closed)}."
        )
    return text


def next_steps(document: ReportDocument) -> str:
    audit = document.audits.audit
    end = document.period.end
    following = end.replace(day=1, month=end.month % 12 + 1, year=end.year + end.month // 12)
    return (
        f"From {following:%B %Y} the audit team will continue to rate cases (using the {audit.scale.name}) for the "
        f"{number(len(audit.themes))} areas audited and provide a breakdown of findings by agency. The Executive "
        f"will go on monitoring the action plan ({document.report.cycle.plan.review_frequency.lower()})."
    )


DEFAULTS: dict[str, Callable[[ReportDocument], str]] = {
    ProseBlock.INTRODUCTION: introduction,
    ProseBlock.METHOD: method,
    ProseBlock.CASE_FINDINGS: case_findings,
    ProseBlock.THEME_FINDINGS: theme_findings,
    ProseBlock.APPRECIATIVE_INQUIRY: appreciative_inquiry,
    ProseBlock.RECOMMENDATIONS: recommendations,
    ProseBlock.EVIDENCE_OF_IMPACT: evidence_of_impact,
    ProseBlock.NEXT_STEPS: next_steps,
}


@dataclass(frozen=True)
class Block:
    """One block as the report shows it: the Executive's words, or the default."""

    key: str
    label: str
    text: str
    default: str
    edited: bool

    @property
    def paragraphs(self) -> list[Paragraph]:
        return paragraphs(self.text)

    @property
    def default_paragraphs(self) -> list[Paragraph]:
        return paragraphs(self.default)


def blocks(document: ReportDocument, written: dict[str, str]) -> dict[str, Block]:
    """Every block, in the report's order; ``written``: the Executive's words by block."""
    result = {}
    for key, label in ProseBlock.choices:
        default = DEFAULTS[key](document)
        text = written.get(key)
        result[key] = Block(key, label, text if text is not None else default, default, text is not None)
    return result
