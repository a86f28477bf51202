"""The HTML memo's charts, laid out in Python: coordinates, ticks and labels for inline SVG.

Two charts: each option's monthly bill against volume (log scales), with the break-even volumes
and the team's own volume marked; and each option's score, with the options ruled out shown as
such. The template draws the shapes; every number is worked out here.

The cost chart spans the volumes that decide: from the decade below the smallest of the team's
volume and the break-even volumes to the decade above the largest, and its amounts span the bills
over those volumes, in the user's currency. Every text label is placed as a box (its characters'
width by its font's height) that overlaps no other: a mark's label goes on the first row where it
fits, right of its line, else left of it, else across it against the plot's nearer edge, and is
left out (its line kept, the caption naming it) where no row has room.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from advisor.core.base import labels
from advisor.core.base.numbers import money_short, points

if TYPE_CHECKING:
    from advisor.core.decision.engine import Decision
    from advisor.core.decision.registry import Registry
    from advisor.costs.catalogue import Catalogue
    from advisor.costs.model import Costs

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 72, 28, 16, 44
CHAR = 7.2  # the width of one character of 12 px text, a little over, to place labels
ASCENT, DESCENT = 10, 3  # a 12 px label's box above and below its baseline
ROW = 14  # the distance between two rows of marks' labels
SAMPLES = 64
VOLUME = "scale.requests_per_month"
X_TITLE = "calls a month"
MAX_Y_TICKS = 7


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
    label: str  # "" when no row had room for it (the line is drawn all the same)
    kind: Literal["volume", "break_even"]
    label_x: float
    label_y: float
    anchor: Literal["start", "end"]  # start: the label right of the line; end: left of it


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
    x_title: str = X_TITLE
    y_title: str = ""  # "cost a month, USD"; written upwards, left of the y ticks' labels
    y_title_x: float = 0.0  # the centre of the y axis' title (before it is turned)
    y_title_y: float = 0.0
    x_range: tuple[float, float] = (0.0, 0.0)  # the calls a month at the left and right edges
    y_range: tuple[float, float] = (0.0, 0.0)  # the amounts (in the currency) at the bottom and top


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
    """The calls a month the chart spans: from the decade below the smallest of the team's volume
    and the break-even volumes (about a tenth of it) to the decade above the largest (about ten
    times it), in whole decades; around a million calls a month when neither is known."""
    known = [x for x in (volume, *crossings) if x is not None and x > 0]
    if not known:
        known = [1e6]
    low = 10 ** math.floor(math.log10(min(known) / 10))
    high = 10 ** math.ceil(math.log10(max(known) * 10))
    return max(1.0, low), max(high, 10 * max(1.0, low))


def _nice_below(value: float) -> float:
    """The largest of 1, 2 or 5 times a power of ten at or below ``value``."""
    power = 10 ** math.floor(math.log10(value))
    return max(m * power for m in (1, 2, 5) if m * power <= value * (1 + 1e-9))


def _nice_above(value: float) -> float:
    """The smallest of 1, 2 or 5 times a power of ten at or above ``value``."""
    power = 10 ** math.floor(math.log10(value))
    return min(m * power for m in (1, 2, 5, 10) if m * power >= value * (1 - 1e-9))


def _amount_ticks(low: float, high: float) -> list[float]:
    """Round amounts between ``low`` and ``high`` for a log axis: 1, 2 and 5 times each power of
    ten over a span of up to three decades, else the powers of ten, every second or third one
    when there are many."""
    decades = math.log10(high / low)
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    steps = (1, 2, 5) if decades <= 3 else (1,)
    found = [
        m * 10.0**e
        for e in range(first, last + 1)
        for m in steps
        if low * (1 - 1e-9) <= m * 10.0**e <= high * (1 + 1e-9)
    ]
    if len(found) > MAX_Y_TICKS:
        every = math.ceil(len(found) / MAX_Y_TICKS)
        found = found[::every]
    return found


Box = tuple[float, float, float, float]  # left, top, right, bottom


def _box(x: float, y: float, text: str, anchor: str) -> Box:
    """The box a label of 12 px text takes, from its anchor point and baseline."""
    width = CHAR * len(text)
    left = x if anchor == "start" else x - width if anchor == "end" else x - width / 2
    return (left, y - ASCENT, left + width, y + DESCENT)


def _overlaps(one: Box, other: Box) -> bool:
    return one[0] < other[2] and other[0] < one[2] and one[1] < other[3] and other[1] < one[3]


def cost_chart(
    decision: Decision, catalogue: Catalogue, found: Costs, questions: Any = None
) -> tuple[CostChart | None, str]:
    from advisor.costs.model import yardstick
    from advisor.costs.sweep import bills_over

    values = decision.resolved.values
    # The chart is drawn against the yardstick's bill (the API's): what it misses stops the chart;
    # another option whose bill misses an answer of its own is left out of it.
    stick = yardstick(found.pricings)
    measured = found.options.get(stick.option) if stick is not None else None
    missing = sorted(set(measured.missing if measured is not None else ()) - {VOLUME})
    if missing:
        asked = [
            f'"{questions[m].prompt}"' if questions is not None and m in questions else m
            for m in missing
        ]
        answers = "the answer to " if len(asked) == 1 else "the answers to "
        return None, "the cost chart needs " + answers + " and ".join(asked)
    volume = values.get(VOLUME)
    crossings = [x for x in found.break_even_requests.values() if x]
    low, high = _range(volume, crossings)
    xs = [low * (high / low) ** (i / (SAMPLES - 1)) for i in range(SAMPLES)]
    rate = catalogue.currency.per_usd  # the amounts are drawn in the user's currency
    drawn = {o for o, bill in found.options.items() if not set(bill.missing) - {VOLUME}}
    bills = {
        oid: [(y or 0.0) * rate for y in ys]
        for oid, ys in bills_over(found, VOLUME, xs).items()
        if oid in drawn
    }
    positive = [y for ys in bills.values() for y in ys if y > 0]
    if not positive:
        return None, "every bill is zero over the range"
    y_low, y_high = _nice_below(min(positive)), _nice_above(max(positive))
    if y_high <= y_low:
        y_high = _nice_above(y_low * 1.5)
    y_ticks_at = _amount_ticks(y_low, y_high)
    tick_texts = [money_short(v / rate, catalogue.currency) for v in y_ticks_at]
    widest = max((len(t) for t in tick_texts), default=4)
    # Room left of the plot: the turned y title, a gap, the widest tick label and a gap.
    left = round(8 + ASCENT + DESCENT + 8 + CHAR * widest + 8)
    top, right, bottom = TOP, WIDTH - RIGHT, HEIGHT - BOTTOM

    def px(x: float) -> float:
        return round(left + (right - left) * math.log10(x / low) / math.log10(high / low), 1)

    def py(y: float) -> float:
        y = min(max(y, y_low), y_high)
        return round(
            bottom - (bottom - top) * math.log10(y / y_low) / math.log10(y_high / y_low), 1
        )

    options = decision.options

    def named(oid: str) -> str:
        return labels.option(options, oid)

    series = []
    for oid, ys in bills.items():
        points = " ".join(f"{px(x)},{py(y)}" for x, y in zip(xs, ys, strict=True))
        series.append(Series(oid, named(oid), points, COLOURS.get(oid, 4)))
    taken: list[Box] = []  # every label placed so far

    def fits(box: Box) -> bool:
        return not any(_overlaps(box, other) for other in taken)

    x_label_y, title_y = bottom + 18, HEIGHT - 6
    x_ticks = []
    for e in range(round(math.log10(low)), round(math.log10(high)) + 1):
        at, text = px(10.0**e), _short(10.0**e)
        box = _box(at, x_label_y, text, "middle")
        if fits(box):  # a decade whose label would touch the last is left unlabelled
            taken.append(box)
            x_ticks.append(Tick(at, text, at))
    y_label_x = left - 8
    y_ticks = []
    for amount, text in zip(y_ticks_at, tick_texts, strict=True):
        at = py(amount)
        box = _box(y_label_x, at + 4, text, "end")
        if fits(box):
            taken.append(box)
            y_ticks.append(Tick(at, text, at + 4))
    title_x = (left + right) / 2
    taken.append(_box(title_x, title_y, X_TITLE, "middle"))
    y_title = f"cost a month, {catalogue.currency.code}"
    y_title_x, y_title_y = 8 + ASCENT, (top + bottom) / 2
    half = CHAR * len(y_title) / 2  # turned upwards: as tall as it is long
    taken.append((y_title_x - ASCENT, y_title_y - half, y_title_x + DESCENT, y_title_y + half))

    def mark(x: float, text: str, kind: Literal["volume", "break_even"]) -> Mark:
        """A marked volume with its label on the first row where it overlaps no other label:
        right of the line, else left of it, else (a label wider than the room on either side)
        across the line, against the plot's nearer edge; left out where no row has room."""
        places: list[tuple[Literal["start", "end"], float]] = [("start", x + 4), ("end", x - 4)]
        if x - left < right - x:
            places.append(("start", left + 2))
        else:
            places.append(("end", right - 2))
        row = top + ASCENT + 2
        while row + DESCENT <= bottom:
            for anchor, at in places:
                box = _box(at, row, text, anchor)
                if box[0] >= left and box[2] <= right and fits(box):
                    taken.append(box)
                    return Mark(x, text, kind, at, row, anchor)
            row += ROW
        return Mark(x, "", kind, x + 4, top + ASCENT + 2, "start")

    marks = []
    if volume and volume > 0:
        marks.append(mark(px(volume), f"your volume: {_short(volume)} calls/month", "volume"))
    for oid, x in sorted(found.break_even_requests.items(), key=lambda kv: kv[1] or 0):
        if x and low <= x <= high:
            marks.append(mark(px(x), f"{named(oid)} breaks even: {_short(x)}", "break_even"))
    words = [
        f"Monthly cost in {catalogue.currency.code} against calls a month, "
        f"{_short(low)} to {_short(high)}, log scales."
    ]
    for oid, x in sorted(found.break_even_requests.items()):
        if oid not in drawn:
            continue
        words.append(
            f"{named(oid)} costs the same as the API at {x:,.0f} calls a month."
            if x
            else f"{named(oid)} never costs less than the API."
        )
    if volume:
        words.append(f"The team's volume is {volume:,.0f} calls a month.")
    chart = CostChart(
        WIDTH,
        HEIGHT,
        (left, top, right, bottom),
        x_label_y,
        y_label_x,
        title_x,
        title_y,
        tuple(x_ticks),
        tuple(y_ticks),
        tuple(series),
        tuple(marks),
        " ".join(words),
        X_TITLE,
        y_title,
        y_title_x,
        y_title_y,
        (low, high),
        (y_low, y_high),
    )
    return chart, ""


COLOURS = {"api": 1, "self_host": 2, "fine_tune": 3}


def _note(decision: Decision, oid: str) -> str:
    opt = decision.options[oid]
    if opt.eliminated:
        return "ruled out: " + ", ".join(r.code for r, _ in opt.vetoes)
    held = f", held back: {', '.join(r.code for r, _ in opt.holds)}" if opt.holds else ""
    return f"#{decision.ranking.index(oid) + 1}{held}"


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
    cost: Any = None
    why = "no costs were worked out"
    if found is not None:
        cost, why = cost_chart(decision, catalogue, found, registry.questions)
    return Charts(cost, why, score_chart(decision))
