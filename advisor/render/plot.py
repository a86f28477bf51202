"""A chart in the terminal: each option's monthly bill against the swept answer, on log scales."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from advisor.core.base.numbers import money_short

MARKS = {"api": ("a", "cyan"), "self_host": ("s", "green"), "fine_tune": ("f", "magenta")}
HEIGHT = 16


def _number(x: float) -> str:
    for unit, size in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(x) >= size:
            return f"{x / size:,.3g}{unit}"
    return f"{x:,.3g}"


def chart(
    console: Console,
    found: Any,
    width: int | None = None,
    marks: list[tuple[float, str, str]] | None = None,
    *,
    names: dict[str, str] | None = None,
    axis: str | None = None,
) -> None:
    """Plot every option's bill; a cell two options share shows ``*``. The x axis is log-scaled
    when the range is positive, the y axis always. ``marks`` are (x, symbol, label) drawn under
    the axis, such as break-even volumes and the team's own. ``names`` (option id -> what to call
    it) and ``axis`` (what the x axis is) name them in the legend; by default their ids."""
    width = max(30, (width or console.width) - 12)
    values = [v for bills in found.bills.values() for v in bills if v]
    if not values:
        console.print("No option's bill could be worked out across this range.")
        return
    top, bottom = math.log10(max(values)), math.log10(min(values))
    if top == bottom:
        top, bottom = top + 0.5, bottom - 0.5
    xs = found.points
    logx = xs[0] > 0
    left = math.log10(xs[0]) if logx else xs[0]
    right = math.log10(xs[-1]) if logx else xs[-1]
    grid = [[(" ", "") for _ in range(width)] for _ in range(HEIGHT)]
    for oid, bills in found.bills.items():
        mark, style = MARKS.get(oid, (oid[0], "white"))
        for x, usd in zip(xs, bills, strict=True):
            if not usd:
                continue
            at = math.log10(x) if logx else x
            col = round((at - left) / (right - left) * (width - 1))
            row = round((top - math.log10(usd)) / (top - bottom) * (HEIGHT - 1))
            old = grid[row][col][0]
            grid[row][col] = ("*", "bold") if old not in (" ", mark) else (mark, style)
    for i, cells in enumerate(grid):
        label = ""
        if i in (0, HEIGHT // 2, HEIGHT - 1):
            label = money_short(
                10 ** (top - (top - bottom) * i / (HEIGHT - 1)), found.currency, 1000
            )
        line = Text(f"{label:>9} │")
        for mark, style in cells:
            line.append(mark, style=style)
        console.print(line)
    console.print(" " * 10 + "└" + "─" * width)
    shown = []
    if marks:
        under = [" "] * width
        for x, symbol, label in marks:
            if not xs[0] <= x <= xs[-1]:
                continue
            at = math.log10(x) if logx else x
            under[round((at - left) / (right - left) * (width - 1))] = symbol
            shown.append(f"{symbol} {label}")
        if shown:
            console.print(" " * 11 + "".join(under).rstrip())
    first, last = _number(xs[0]), _number(xs[-1])
    ends = f"{first}{' ' * max(1, width - len(first) - len(last))}{last}"
    console.print(" " * 11 + ends)
    names = names or {}
    legend = "  ".join(f"{MARKS.get(o, (o[0], ''))[0]} = {names.get(o, o)}" for o in found.bills)
    legend += "  * = two or more meet"
    scale = "log" if logx else "linear"
    what = axis or found.question
    console.print(Padding(f"x: {what} ({scale} scale); y: monthly bill (log scale)", (0, 0, 0, 11)))
    console.print(Padding(legend, (0, 0, 0, 11)))
    for note in shown:
        console.print(Padding(note, (0, 0, 0, 11)))
