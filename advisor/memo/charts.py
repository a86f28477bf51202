"""The HTML memo's charts, laid out in Python: coordinates, ticks and labels for inline SVG.

Two charts: each option's monthly bill against volume (log scales), with the break-even volumes
and the team's own volume marked; and each option's score, with the options ruled out shown as
such. The template draws the shapes; every number is worked out here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from advisor.core.numbers import money_short, points

if TYPE_CHECKING:
    from advisor.core.engine import Decision
    from advisor.costs.catalogue import Catalogue
    from advisor.costs.model import Costs
    from advisor.plugins import Registry

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 72, 28, 16, 44
CHAR = 7.2  # the width of one character of 12 px text, a little over, to place labels
SAMPLES = 64
VOLUME = "scale.requests_per_month"


@dataclass(frozen=True)
class Tick:
    at: float  # pixels along the axis
    label: str
    text_at: float  # where its label goes, along the same axis


@dataclass(frozen=True)
class Series:
    option: str
    label: str
    points: str  # an SVG polyline's points: "x,y x,y ..."
    colour: int  # 1, 2, 3...: the CSS class that colours it


@dataclass(frozen=True)
class Mark:
    x: float
    label: str
    kind: str  # "volume" or "break_even"
    label_x: float
    label_y: float
    anchor: str  # "start" (label right of the line) or "end" (left of it, near the right edge)


@dataclass(frozen=True)
class CostChart:
    width: int
    height: int
    plot: tuple[float, float, float, float]  # left, top, right, bottom of the plotting area
    x_label_y: float  # the baseline of the x ticks' labels
    y_label_x: float  # the right edge of the y ticks' labels
    title_x: float  # the centre of the x axis' title
    title_y: float
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    series: tuple[Series, ...]
    marks: tuple[Mark, ...]
    description: str  # the chart in words, for screen readers and print


@dataclass(frozen=True)
class Bar:
    label: str
    option: str
    score: str
    x: float
    y: float
    width: float
    text_y: float
    ruled_out: bool
    note: str  # the veto codes, or the rank
    colour: int


@dataclass(frozen=True)
class ScoreChart:
    width: int
    height: int
    zero: float  # the x of score 0
    note_x: float  # where each bar's score and note are written
    bar_height: float
    bars: tuple[Bar, ...]
    description: str


@dataclass(frozen=True)
class Charts:
    cost: CostChart | None
    cost_missing: str  # why there is no cost chart, or ""
    score: ScoreChart


def _short(x: float) -> str:
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= size:
            return f"{x / size:.3g}{suffix}"
    return f"{x:g}"


def _range(volume: float | None, crossings: list[float]) -> tuple[float, float]:
    centre = volume if volume and volume > 0 else 1e6
    low, high = centre / 1000, centre * 1000
    for x in crossings:
        low, high = min(low, x / 10), max(high, x * 10)
    return max(10.0, 10 ** math.floor(math.log10(low))), 10 ** math.ceil(math.log10(high))


def cost_chart(
    decision: Decision, catalogue: Catalogue, found: Costs
) -> tuple[CostChart | None, str]:
    from advisor.core.sweep import bills_over

    values = decision.resolved.values
    missing = sorted({m for bill in found.options.values() for m in bill.missing} - {VOLUME})
    if missing:
        return None, "the cost chart needs " + ", ".join(missing)
    volume = values.get(VOLUME)
    crossings = [x for x in found.break_even_requests.values() if x]
    low, high = _range(volume, crossings)
    xs = [low * (high / low) ** (i / (SAMPLES - 1)) for i in range(SAMPLES)]
    bills = {
        oid: [y or 0.0 for y in ys] for oid, ys in bills_over(values, VOLUME, xs, catalogue).items()
    }
    positive = [y for ys in bills.values() for y in ys if y > 0]
    if not positive:
        return None, "every bill is zero over the range"
    y_low = 10 ** math.floor(math.log10(min(positive)))
    y_high = 10 ** math.ceil(math.log10(max(positive)))
    left, top, right, bottom = LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM

    def px(x: float) -> float:
        return round(left + (right - left) * math.log10(x / low) / math.log10(high / low), 1)

    def py(y: float) -> float:
        y = max(y, y_low)
        return round(
            bottom - (bottom - top) * math.log10(y / y_low) / math.log10(y_high / y_low), 1
        )

    series = []
    for oid, ys in bills.items():
        label = decision.options[oid].label if oid in decision.options else oid
        points = " ".join(f"{px(x)},{py(y)}" for x, y in zip(xs, ys, strict=True))
        series.append(Series(oid, label, points, COLOURS.get(oid, 4)))
    x_ticks = tuple(
        Tick(px(10.0**e), _short(10.0**e), px(10.0**e))
        for e in range(round(math.log10(low)), round(math.log10(high)) + 1)
    )
    step = max(1, round(math.log10(y_high / y_low) / 5))
    y_ticks = tuple(
        Tick(py(10.0**e), money_short(10.0**e, catalogue.currency), py(10.0**e) + 4)
        for e in range(round(math.log10(y_low)), round(math.log10(y_high)) + 1, step)
    )
    marks = []
    if volume and volume > 0:
        label = f"your volume: {_short(volume)} calls/month"
        marks.append(_mark(px(volume), label, "volume", top + 12, right))
    for n, (oid, x) in enumerate(sorted(found.break_even_requests.items()), start=1):
        if x and low <= x <= high:
            label = f"{oid} breaks even: {_short(x)}"
            marks.append(_mark(px(x), label, "break_even", top + 12 + 14 * n, right))
    words = [f"Monthly cost against calls a month, {_short(low)} to {_short(high)}, log scales."]
    for oid, x in sorted(found.break_even_requests.items()):
        words.append(
            f"{oid} costs the same as the API at {x:,.0f} calls a month."
            if x
            else f"{oid} never costs less than the API."
        )
    if volume:
        words.append(f"The team's volume is {volume:,.0f} calls a month.")
    chart = CostChart(
        WIDTH,
        HEIGHT,
        (left, top, right, bottom),
        bottom + 18,
        left - 8,
        (left + right) / 2,
        HEIGHT - 6,
        x_ticks,
        y_ticks,
        tuple(series),
        tuple(marks),
        " ".join(words),
    )
    return chart, ""


COLOURS = {"api": 1, "self_host": 2, "fine_tune": 3}


def _note(decision: Decision, oid: str) -> str:
    opt = decision.options[oid]
    if opt.eliminated:
        return "ruled out: " + ", ".join(r.code for r, _ in opt.vetoes)
    held = f", held back: {', '.join(r.code for r, _ in opt.holds)}" if opt.holds else ""
    return f"#{decision.ranking.index(oid) + 1}{held}"


def _mark(x: float, label: str, kind: str, y: float, right: float) -> Mark:
    """A marked volume, its label right of the line, or left of it where it would pass the edge."""
    if x + 4 + CHAR * len(label) <= right:
        return Mark(x, label, kind, x + 4, y, "start")
    return Mark(x, label, kind, x - 4, y, "end")


def score_chart(decision: Decision) -> ScoreChart:
    order = [*decision.ranking, *(o for o in decision.options if o not in decision.ranking)]
    scores = [decision.options[o].score for o in order]
    lo, hi = min([0.0, *scores]), max([0.0, *scores])
    if hi - lo < 1:
        hi = lo + 1
    notes = [_note(decision, oid) for oid in order]
    score_texts = [points(s) for s in scores]
    longest_label = max((len(decision.options[o].label) for o in order), default=0)
    pairs = zip(score_texts, notes, strict=True)
    longest_note = max((len(t) + 1 + len(n) for t, n in pairs), default=0)
    label_width = 16 + CHAR * longest_label
    note_width = 24 + CHAR * longest_note
    width = max(WIDTH, round(label_width + note_width + 200))
    bar_height, gap = 22, 10
    span = width - label_width - note_width

    def px(score: float) -> float:
        return label_width + span * (score - lo) / (hi - lo)

    bars = []
    for i, oid in enumerate(order):
        opt = decision.options[oid]
        start, end = px(min(0.0, opt.score)), px(max(0.0, opt.score))
        bars.append(
            Bar(
                label=opt.label,
                option=oid,
                score=score_texts[i],
                x=round(start, 1),
                y=i * (bar_height + gap) + 8,
                width=round(max(end - start, 1.5), 1),
                text_y=i * (bar_height + gap) + 8 + 15,
                ruled_out=opt.eliminated,
                note=notes[i],
                colour=COLOURS.get(oid, 4),
            )
        )
    height = len(order) * (bar_height + gap) + 16
    words = "; ".join(
        f"{b.label} {b.score}" + (" (ruled out)" if b.ruled_out else "") for b in bars
    )
    return ScoreChart(
        width,
        height,
        round(px(0.0), 1),
        round(width - note_width + 12, 1),
        bar_height,
        tuple(bars),
        "Scores: " + words + ".",
    )


def build_charts(
    decision: Decision, registry: Registry, catalogue: Catalogue, found: Costs | None
) -> Charts:
    del registry  # the charts read the decision and the bills only
    cost: Any = None
    why = "no costs were worked out"
    if found is not None:
        cost, why = cost_chart(decision, catalogue, found)
    return Charts(cost, why, score_chart(decision))
