"""The six-monthly report as one object: its figures are read once (reports.selectors),
and the web page, the PDF, the spreadsheet and the board summary are all rendered from
it, so they always agree."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.utils.text import capfirst

from dscb.lists import Table
from recommendations import selectors as plan_selectors
from recommendations.lists import report_plan_tables
from recommendations.models import ReviewCycle
from recommendations.selectors import RagScale, RecommendationRow, SectionRows
from reports import selectors
from reports.charts import Bar, Chart, Segment, counts_chart, share_chart
from reports.models import NarrativeSection, Report
from reports.prose import Block, blocks
from reports.selectors import AgencyRow, AuditFigures, Period, RagFigures, ThemeBelow

NOT_RATED_COLOUR = ("#b1b4b6", "#0b0c0c")


def number_words(counts: Counter, labels: dict) -> str:
    """ "1 Good, 7 Adequate" from counts by id, best first, leaving out zeros."""
    return ", ".join(f"{n} {labels[key]}" for key, n in counts.items() if n and key in labels)


def counted(n: int, singular: str, plural: str = "") -> str:
    """ "1 case", "2 cases"."""
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def not_counted(parts: list[tuple[str, int]]) -> str:
    """ "2 cases in June 2011 are not finalised yet and are not counted.", or "" when
    every case is finalised. ``parts``: (where, cases)."""
    if not parts:
        return ""
    places = [f"{counted(n, 'case')}{f' in {where}' if where else ''}" for where, n in parts]
    words = places[0] if len(places) == 1 else ", ".join(places[:-1]) + " and " + places[-1]
    verb = "is" if sum(n for _, n in parts) == 1 else "are"
    return f"{words} {verb} not finalised yet and {verb} not counted."


@dataclass(frozen=True)
class RoundLine:
    """One line of "individual case findings over time"."""

    title: str
    held_on: datetime.date
    cases: int  # finalised
    overall: str
    below_threshold: int  # cases graded below the threshold overall
    below_threshold_on_a_theme: int
    checklist: list[tuple[str, float | None]]
    no_grades_yet: str
    not_finalised: int = 0

    @property
    def cases_words(self) -> str:
        return counted(self.cases, "case")

    @property
    def overall_words(self) -> str:
        return self.overall or self.no_grades_yet

    @property
    def not_finalised_words(self) -> str:
        """ "2 cases in this round are not finalised yet and are not counted." """
        return not_counted([("this round", self.not_finalised)] if self.not_finalised else [])


@dataclass
class AuditView:
    """The case audit figures as the dashboard and the report show them."""

    audit: AuditFigures

    @property
    def no_grades_yet(self) -> str:
        return f"no {self.audit.scale.plural} agreed yet"

    @property
    def threshold(self) -> str:
        """ "adequate or better", as the scale says it."""
        return self.audit.scale.threshold_phrase

    @property
    def below_threshold_words(self) -> str:
        """The grades below the threshold, in words: "inadequate"."""
        return " or ".join(grade.label.lower() for grade in self.audit.grades if not grade.meets_threshold)

    @property
    def grade_labels(self) -> dict[int, str]:
        return {grade.pk: grade.label for grade in self.audit.grades}

    def grade_counts(self, counts: Counter) -> Counter:
        """Counts in the scale's order, best first, every grade present (zeros kept)."""
        return Counter({grade.pk: counts.get(grade.pk, 0) for grade in self.audit.grades})

    def grade_words(self, counts: Counter) -> str:
        """ "1 Good, 7 Adequate", or that no grades are agreed yet."""
        return number_words(self.grade_counts(counts), self.grade_labels) or self.no_grades_yet

    @property
    def not_counted(self) -> str:
        """What the figures leave out, in words to show beside them ("" if nothing)."""
        return not_counted([(audit_round.title, n) for audit_round, n in self.audit.not_finalised])

    @property
    def overall_chart(self) -> Chart:
        counts = self.grade_counts(self.audit.overall)
        words = self.grade_words(self.audit.overall)
        return counts_chart(
            title=f"Overall ratings of audit findings of {self.audit.graded} (using {self.audit.scale.name})",
            description=f"Overall {self.audit.scale.plural} of the {counted(self.audit.graded, 'case')} audited: "
            f"{words}.",
            items=[(grade.label, counts[grade.pk], grade.colour, grade.text_colour) for grade in self.audit.grades],
            key="overall-grades",
        )

    @property
    def rounds_chart(self) -> Chart:
        """Each round's cases by overall grade: the trend across rounds."""
        bars = [
            Bar(
                figures.audit_round.title,
                tuple(
                    Segment(grade.label, figures.overall.get(grade.pk, 0), grade.colour, grade.text_colour)
                    for grade in self.audit.grades
                    if figures.overall.get(grade.pk)
                ),
            )
            for figures in self.audit.rounds
        ]
        description = "; ".join(
            f"{figures.audit_round.title}: {self.grade_words(figures.overall)}" for figures in self.audit.rounds
        )
        title = f"Overall {self.audit.scale.plural} in each round"
        return Chart(title=title, description=description + ".", bars=bars, key="rounds")

    @property
    def trend_chart(self) -> Chart:
        items = [(f.audit_round.title, self.audit.meeting_threshold(f.overall)) for f in self.audit.rounds]
        description = (
            "; ".join(f"{label}: {round(value * 100)}%" for label, value in items if value is not None)
            or self.no_grades_yet
        )
        return share_chart(
            title=f"Cases {self.threshold} overall, by round",
            description=f"Share of cases graded {self.threshold} overall in each round: {description}.",
            items=items,
            label=capfirst(self.threshold),
            colour="#1d70b8",
            key="trend",
        )

    @property
    def theme_rows(self) -> list[tuple[str, list[tuple[str, float | None]], float | None]]:
        """Per theme: the share meeting the threshold in each round, and over the period."""
        totals = self.audit.theme_totals()
        return [
            (
                theme.name,
                [
                    (f.audit_round.title, self.audit.meeting_threshold(f.themes.get(theme.pk, Counter())))
                    for f in self.audit.rounds
                ],
                self.audit.meeting_threshold(totals.get(theme.pk, Counter())),
            )
            for theme in self.audit.themes
        ]

    @property
    def round_lines(self) -> list[RoundLine]:
        below = {grade.pk for grade in self.audit.grades if not grade.meets_threshold}
        return [
            RoundLine(
                title=f.audit_round.title,
                held_on=f.audit_round.held_on,
                cases=f.cases,
                overall=number_words(self.grade_counts(f.overall), self.grade_labels),
                below_threshold=sum(n for grade_id, n in f.overall.items() if grade_id in below),
                below_threshold_on_a_theme=f.below_threshold_on_a_theme,
                checklist=[(q.text, f.checklist_yes_share(q.pk)) for q in self.audit.questions],
                no_grades_yet=self.no_grades_yet,
                not_finalised=f.not_finalised,
            )
            for f in self.audit.rounds
        ]

    # Findings broken down by agency, under the small-number rule (selectors.SMALL_NUMBER).

    @property
    def small_number_rule(self) -> str:
        return selectors.SMALL_NUMBER_RULE

    @property
    def withheld(self) -> str:
        return selectors.WITHHELD

    @property
    def agency_theme_caption(self) -> str:
        return f"Share of each agency's records graded {self.threshold} on each theme, all rounds"

    @cached_property
    def agency_theme_rows(self) -> list[AgencyRow]:
        return self.audit.agency_theme_rows()

    @property
    def themes_below_caption(self) -> str:
        return (
            f"Themes on which agencies' records were most often not {self.threshold}, most first "
            "(counted over each agency's own grades of its records, not the cases' agreed grades)"
        )

    @property
    def themes_below_empty(self) -> str:
        return f"No agency's records were graded other than {self.threshold} on any theme."

    @property
    def themes_below_columns(self) -> list[str]:
        return [f"Records not {self.threshold}", "Share of the records graded on the theme"]

    @cached_property
    def themes_below(self) -> list[ThemeBelow]:
        return self.audit.themes_below_threshold()

    @cached_property
    def agency_checklists(self) -> list[tuple[str, str, list[AgencyRow]]]:
        """Per round, as ``round_lines``: its title, the caption of its table and, per agency
        with records in the round's finalised cases, the share of records with each
        checklist item."""
        return [
            (
                f.audit_round.title,
                f"Share of each agency's records with each checklist item, {f.audit_round.title}",
                self.audit.agency_checklist_rows(f),
            )
            for f in self.audit.rounds
        ]

    @property
    def theme_names(self) -> list[str]:
        return [theme.name for theme in self.audit.themes]

    @property
    def question_texts(self) -> list[str]:
        return [question.text for question in self.audit.questions]

    @property
    def grade_table(self) -> list[tuple[str, list[int]]]:
        """Per round, cases by overall grade (columns: the grades, best first)."""
        return [
            (f.audit_round.title, [f.overall.get(grade.pk, 0) for grade in self.audit.grades])
            for f in self.audit.rounds
        ]


@dataclass
class RagView:
    """The action plan's figures as the dashboard and the report show them."""

    rag: RagFigures

    @property
    def cycle(self) -> ReviewCycle | None:
        return self.rag.cycles.rated

    @property
    def scale(self) -> RagScale:
        """The scale the rated cycle's ratings are named by."""
        return self.rag.scale

    @property
    def rag_labels(self) -> dict[int | None, str]:
        return self.labels(self.scale)

    @staticmethod
    def labels(scale: RagScale) -> dict[int | None, str]:
        return {None: scale.not_rated} | {status.pk: status.label for status in scale.statuses}

    def ordered_counts(self, counts: Counter, scale: RagScale | None = None) -> Counter:
        """Every status, best first, then "not yet rated" (zeros kept)."""
        statuses = (scale or self.scale).statuses
        return Counter({status.pk: counts.get(status.pk, 0) for status in statuses} | {None: counts.get(None, 0)})

    @property
    def rag_counts(self) -> Counter:
        return self.ordered_counts(self.rag.counts())

    @property
    def rag_words(self) -> str:
        return number_words(self.rag_counts, self.rag_labels)

    def chart(self, counts: Counter, *, scale: RagScale, title: str, key: str) -> Chart:
        counts = self.ordered_counts(counts, scale)
        items = [(s.label, counts[s.pk], s.colour, s.text_colour) for s in scale.statuses]
        items.append((scale.not_rated, counts[None], *NOT_RATED_COLOUR))
        return counts_chart(
            title=title,
            description=f"The {counted(self.rag.total, 'recommendation')} by {scale.words.name}: "
            f"{number_words(counts, self.labels(scale))}.",
            items=items,
            key=key,
        )

    @property
    def rag_chart(self) -> Chart:
        cycle = self.cycle
        title = f"{capfirst(self.scale.words.name)} of recommendations" + (f", {cycle.title}" if cycle else "")
        return self.chart(self.rag.counts(), scale=self.scale, title=title, key="rag")

    @property
    def open_chart(self) -> Chart | None:
        if not self.rag.open_cycles:
            return None
        scale = self.rag.open_scale
        return self.chart(
            self.rag.counts(open_cycle=True),
            scale=scale,
            title=f"{capfirst(scale.words.name)} so far, {self.rag.open_title.removeprefix('the ')}",
            key="rag-open",
        )

    @property
    def open_counts(self) -> Counter:
        return self.ordered_counts(self.rag.counts(open_cycle=True), self.rag.open_scale)

    @property
    def before_labels(self) -> dict[int | None, str]:
        """The statuses of the cycle before as it named them (with any it no longer has);
        no rating in the same words as the rest of the table."""
        return self.labels(self.rag.previous_scale) | {None: self.scale.not_rated}

    @property
    def movement_rows(self) -> list[tuple[str, str, list[tuple[str, int]]]]:
        """From (rows) / to (columns) table of RAG movement since the cycle before: each
        row is the label, the link value and (link value, count) per column."""
        moves = self.rag.movement()
        keys = [*[status.pk for status in self.rag.statuses], None]
        before_labels = self.before_labels
        return [
            (
                before_labels[before],
                link_value(before),
                [(link_value(after), moves.get((before, after), 0)) for after in keys],
            )
            for before in [*[status.pk for status in self.rag.previous_scale.statuses], None]
        ]

    @property
    def movement_caption(self) -> str:
        return f"Recommendations by their {self.scale.words.short_name} then (rows) and now (columns)"

    @property
    def movement_columns(self) -> list[str]:
        return [*[status.label for status in self.rag.statuses], self.scale.not_rated]

    @cached_property
    def plan_sections(self) -> list[SectionRows]:
        plan = self.rag.plan
        return plan_selectors.rows_by_section(plan, self.rag.rows) if plan is not None else []

    @cached_property
    def plan_tables(self) -> list[Table]:
        """The plan's tables on the report's page and in its PDF, with the plan page's columns."""
        return report_plan_tables(self.plan_sections, self.scale)

    @cached_property
    def closed_this_period(self) -> list[RecommendationRow]:
        """Closed on evidence of impact in the rated update (the report's own)."""
        cycle = self.cycle
        if cycle is None:
            return []
        return [
            row for row in self.rag.rows if row.recommendation.closed_in_id == cycle.pk and row.recommendation.is_closed
        ]

    @cached_property
    def needing_attention(self) -> list[RecommendationRow]:
        """Rated at a status that needs attention (Red), or overdue: "Red and overdue"."""
        return [
            row
            for row in self.rag.rows_that_may_need_attention()
            if row.overdue or (row.rag is not None and row.rag.needs_attention)
        ]

    @property
    def none_need_attention(self) -> str:
        """ "No recommendation is rated Red or overdue." """
        rated = " or ".join(self.scale.attention_labels)
        return f"No recommendation is {f'rated {rated} or ' if rated else ''}overdue."

    def count_rows(self, groups: list[tuple[str, str, Counter]]) -> list[tuple[str, str, list[tuple[str, int]], int]]:
        """Rows of counts by status (best first, then not yet rated) for a breakdown table."""
        keys = [*[status.pk for status in self.rag.statuses], None]
        return [
            (label, value, [(link_value(key), counts.get(key, 0)) for key in keys], sum(counts.values()))
            for label, value, counts in groups
        ]

    @property
    def by_section(self) -> list[tuple[str, str, list[tuple[str, int]], int]]:
        across = self.rag.plan is None
        return self.count_rows(
            [
                (
                    f"{section.plan.title}: {section.number} {section.title}"
                    if across
                    else f"{section.number} {section.title}",
                    str(section.pk),
                    counts,
                )
                for section, counts in self.rag.by_section()
            ]
        )

    @property
    def by_lead(self) -> list[tuple[str, str, list[tuple[str, int]], int]]:
        return self.count_rows(self.rag.by_lead())


def link_value(rag_id: int | None) -> str:
    """How a RAG status appears in a link to the list behind a figure."""
    return "none" if rag_id is None else str(rag_id)


@dataclass
class ReportDocument:
    report: Report
    audits: AuditView
    plan: RagView
    narrative: list[NarrativeSection]
    generated_on: datetime.date
    written: dict[str, str] = field(default_factory=dict)  # the Executive's words, by prose block

    @cached_property
    def prose(self) -> dict[str, Block]:
        """The report's prose, block by block: the Executive's words or the default."""
        return blocks(self, self.written)

    @property
    def title(self) -> str:
        return self.report.title

    @property
    def period(self) -> Period:
        return self.audits.audit.period

    @property
    def board_name(self) -> str:
        return settings.BOARD_NAME

    @property
    def protective_marking(self) -> str:
        return settings.PROTECTIVE_MARKING

    @property
    def cycle(self) -> ReviewCycle | None:
        return self.plan.cycle

    def figures(self) -> dict[str, object]:
        """The figures behind the documents, as data: what publishing stores and the
        spreadsheet's figures sheet shows."""
        audit, rag = self.audits.audit, self.plan.rag
        grade_labels, rag_labels = self.audits.grade_labels, self.plan.rag_labels
        before_labels = self.plan.before_labels
        return {
            "title": self.title,
            "board": self.board_name,
            "period": {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()},
            "action_plan_update": self.cycle.title if self.cycle else None,
            "children_audited": audit.cases,
            "audit_rounds": len(audit.rounds),
            "cases_not_finalised_not_counted": audit.not_finalised_count,
            "not_counted": self.audits.not_counted,
            "agency_records_read": audit.records,
            "most_records_in_a_case": audit.most_records_in_a_case,
            "overall_grades": {grade_labels[k]: v for k, v in self.audits.grade_counts(audit.overall).items()},
            "rounds": [
                {
                    "title": line.title,
                    "held_on": line.held_on.isoformat(),
                    "cases": line.cases,
                    "cases_not_finalised_not_counted": line.not_finalised,
                    "overall_grades": line.overall_words,
                    "below_threshold": line.below_threshold,
                    "below_threshold_on_a_theme": line.below_threshold_on_a_theme,
                    "checklist_yes": dict(line.checklist),
                    "checklist_yes_by_agency": agency_table(agencies, self.audits.question_texts),
                }
                for line, (_, _, agencies) in zip(self.audits.round_lines, self.audits.agency_checklists, strict=True)
            ],
            "themes_meeting_threshold": {name: overall for name, _, overall in self.audits.theme_rows},
            "themes_meeting_threshold_by_agency": agency_table(self.audits.agency_theme_rows, self.audits.theme_names),
            "themes_most_often_below_threshold": [
                {"theme": row.theme.name, "records_below": row.below.data, "share": row.share.data}
                for row in self.audits.themes_below
            ],
            "small_number_rule": self.audits.small_number_rule,
            "requests_for_immediate_intervention": audit.escalations_raised,
            "escalations_open": audit.escalations_open,
            "feedback_still_to_give": audit.feedback_owed,
            "appreciative_inquiry": {
                "families": audit.inquiry.families,
                "plans_over_12_months": audit.inquiry.plans_over_12_months,
                "seen_as_stuck": audit.inquiry.seen_as_stuck,
            },
            "recommendations": rag.total,
            "rag": {rag_labels[key]: value for key, value in self.plan.rag_counts.items()},
            "movement": {
                f"{before_labels[before]} to {rag_labels[after]}": n
                for (before, after), n in sorted(rag.movement().items(), key=str)
            },
            "overdue": [row.recommendation.number for row in rag.overdue],
            "closed_this_period": [row.recommendation.number for row in self.plan.closed_this_period],
            # The words the documents used, as published: renaming a level later changes none of this.
            "scales": {
                "grades": {
                    "name": audit.scale.name,
                    "threshold": audit.scale.threshold_phrase,
                    "levels": [grade.label for grade in audit.grades],
                    "meeting_threshold": [grade.label for grade in audit.grades if grade.meets_threshold],
                },
                "plan": {
                    "name": self.plan.scale.words.name,
                    "not_rated": self.plan.scale.not_rated,
                    "levels": [status.label for status in self.plan.scale.statuses],
                    "done": [status.label for status in self.plan.scale.statuses if status.counts_as_done],
                    "needs_attention": self.plan.scale.attention_labels,
                },
            },
        }


def agency_table(rows: list[AgencyRow], columns: list[str]) -> dict[str, dict[str, object]]:
    """A breakdown by agency as data: each figure a share, or withheld in words."""
    return {
        row.agency: {column: figure.data for column, figure in zip(columns, row.figures, strict=True)} for row in rows
    }


def build(report: Report, *, today: datetime.date) -> ReportDocument:
    return ReportDocument(
        report=report,
        audits=AuditView(selectors.audit_figures(Period(report.period_start, report.period_end), today=today)),
        plan=RagView(
            selectors.rag_figures(selectors.RagScope(plan=report.cycle.plan), today=today, as_of=report.cycle)
        ),
        narrative=list(report.sections.all()),
        generated_on=today,
        written=dict(report.prose.values_list("block", "body")),
    )
