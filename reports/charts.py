"""The one chart component: horizontal bars, each split into coloured segments, drawn as
SVG on the server so the browser and the PDF show the same picture. Every chart has a
title, a text alternative and the table of its numbers; colours come with their words."""

from __future__ import annotations

from dataclasses import dataclass, field

WIDTH = 640
LABEL_WIDTH = 190
BAR_HEIGHT = 26
GAP = 10
TOP = 8
VALUE_WIDTH = 60
LEGEND_ROW = 24


@dataclass(frozen=True)
class Segment:
    label: str
    value: float
    colour: str
    text_colour: str = "#0b0c0c"


@dataclass(frozen=True)
class Bar:
    label: str
    segments: tuple[Segment, ...]

    @property
    def total(self) -> float:
        return sum(segment.value for segment in self.segments)


@dataclass(frozen=True)
class Rect:
    x: float
    width: float
    segment: Segment


@dataclass(frozen=True)
class DrawnBar:
    bar: Bar
    y: float
    rects: tuple[Rect, ...]
    value_text: str

    @property
    def text_y(self) -> float:
        return self.y + BAR_HEIGHT / 2 + 5

    @property
    def label_x(self) -> int:
        return LABEL_WIDTH - 8

    @property
    def short_label(self) -> str:
        """The bar's label, shortened to fit; the table below gives it in full."""
        return self.bar.label if len(self.bar.label) <= 26 else self.bar.label[:25] + "…"

    @property
    def value_x(self) -> float:
        return (self.rects[-1].x + self.rects[-1].width if self.rects else LABEL_WIDTH) + 6


@dataclass(frozen=True)
class LegendItem:
    x: float
    y: float
    segment: Segment

    @property
    def text_x(self) -> float:
        return self.x + 22

    @property
    def text_y(self) -> float:
        return self.y + 13


@dataclass
class Chart:
    title: str
    description: str
    bars: list[Bar]
    unit: str = ""  # "%" for shares
    scale_max: float | None = None  # defaults to the longest bar
    key: str = "chart"  # makes element ids unique on a page
    drawn: list[DrawnBar] = field(init=False)
    legend: list[LegendItem] = field(init=False)
    height: int = field(init=False)
    width: int = WIDTH
    label_width: int = LABEL_WIDTH

    def __post_init__(self) -> None:
        longest = self.scale_max or max((bar.total for bar in self.bars), default=0) or 1
        plot_width = WIDTH - LABEL_WIDTH - VALUE_WIDTH
        self.drawn = []
        for index, bar in enumerate(self.bars):
            x = float(LABEL_WIDTH)
            rects = []
            for segment in bar.segments:
                width = plot_width * segment.value / longest
                if width > 0:
                    rects.append(Rect(x=round(x, 1), width=round(width, 1), segment=segment))
                x += width
            self.drawn.append(
                DrawnBar(
                    bar=bar, y=TOP + index * (BAR_HEIGHT + GAP), rects=tuple(rects), value_text=self.format(bar.total)
                )
            )
        names: dict[str, Segment] = {}
        for bar in self.bars:
            for segment in bar.segments:
                names.setdefault(segment.label, segment)
        legend_top = TOP + len(self.bars) * (BAR_HEIGHT + GAP) + 6
        self.legend = (
            [
                LegendItem(x=LABEL_WIDTH + (index % 3) * 150, y=legend_top + (index // 3) * LEGEND_ROW, segment=segment)
                for index, segment in enumerate(names[label] for label in self.segment_labels)
            ]
            # Only where bars are split: otherwise each bar's own label names its colour.
            if self.is_stacked
            else []
        )
        legend_rows = (len(self.legend) + 2) // 3
        self.height = legend_top + legend_rows * LEGEND_ROW + 4

    def format(self, value: float) -> str:
        if self.unit == "%":
            return f"{round(value)}%"
        return f"{value:g}"

    @property
    def is_stacked(self) -> bool:
        return any(len(bar.segments) > 1 for bar in self.bars)

    @property
    def segment_labels(self) -> list[str]:
        """The legend's order and the columns of the table of numbers: the order the bars
        draw their segments in, whichever bar first has each (a segment a bar leaves out
        goes before the first of that bar's later segments already placed)."""
        labels: list[str] = []
        for bar in self.bars:
            order = [segment.label for segment in bar.segments]
            for index, label in enumerate(order):
                if label in labels:
                    continue
                later = [labels.index(after) for after in order[index + 1 :] if after in labels]
                labels.insert(min(later, default=len(labels)), label)
        return labels

    @property
    def table(self) -> list[tuple[str, list[str], str]]:
        """Rows of the table of numbers: label, a value per column, total."""
        rows = []
        for bar in self.bars:
            values = {segment.label: segment.value for segment in bar.segments}
            rows.append(
                (
                    bar.label,
                    # A segment a bar leaves out counts nothing: 0, never a blank.
                    [self.format(values.get(label, 0)) for label in self.segment_labels],
                    self.format(bar.total),
                )
            )
        return rows


def counts_chart(*, title: str, description: str, items: list[tuple[str, int, str, str]], key: str) -> Chart:
    """One bar per item (label, count, colour, text colour): "Overall grades of 36"."""
    return Chart(
        title=title,
        description=description,
        bars=[Bar(label, (Segment(label, count, colour, text_colour),)) for label, count, colour, text_colour in items],
        key=key,
    )


def share_chart(
    *, title: str, description: str, items: list[tuple[str, float | None]], label: str, colour: str, key: str
) -> Chart:
    """One bar per item, a share shown as a percentage (items with no share are left out);
    ``label`` names what the share is of: "Adequate or better"."""
    return Chart(
        title=title,
        description=description,
        bars=[
            Bar(bar_label, (Segment(label, round(value * 100, 1), colour, "#ffffff"),))
            for bar_label, value in items
            if value is not None
        ],
        unit="%",
        scale_max=100,
        key=key,
    )
