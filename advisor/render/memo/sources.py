"""Where the memo's numbers and rules came from: the principles and works the rules that fired
cite, each named once with the rules' codes, and the catalogue figures and hosted prices the bills
read, each figure under its source once."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from advisor.core.decision.engine import Decision

if TYPE_CHECKING:
    from advisor.costs.catalogue import Catalogue
    from advisor.costs.model import Costs


@dataclass(frozen=True)
class Citation:
    """A work the rules that fired cite, named once, with the codes of those rules and what any of
    them takes from it in particular."""

    text: str
    codes: tuple[str, ...]
    notes: tuple[tuple[str, str], ...] = ()  # (rule code, what it takes from the work)


@dataclass(frozen=True)
class FigureUse:
    """One catalogue figure a bill or an estimate read: its key, value and unit, and its date."""

    key: str
    value: str  # "0.39 USD per GPU-hour"
    as_of: str
    age: str  # "4 months old"; "" for a figure that does not age (a datasheet)
    stale: bool  # older than twelve months


@dataclass(frozen=True)
class FigureSource:
    """The figures that give the same source, under it once."""

    source: str
    figures: tuple[FigureUse, ...]


@dataclass(frozen=True)
class SourcesView:
    """Where each number and each rule of the memo came from, every source named once."""

    principles: tuple[tuple[int, tuple[str, ...]], ...]  # principle -> the rules citing it
    citations: tuple[Citation, ...]
    bills: tuple[FigureSource, ...]  # the figures the bills' lines used
    estimates: tuple[FigureSource, ...]  # the price trend, latencies and default range
    prices: tuple[str, ...]  # the hosted prices read, each with its day and source


_PRINCIPLES = re.compile(r"^principles? [0-9, and]+ \(docs/principles\.md\)$")


def _parts(source: str) -> list[str]:
    """A rule's source split into the works it cites, at each "; " outside brackets."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(source):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        elif char == ";" and depth == 0 and source[i + 1 : i + 2] == " ":
            parts.append(source[start:i].strip())
            start = i + 2
    parts.append(source[start:].strip())
    return [p for p in parts if p]


def _note_of(part: str) -> tuple[str, str]:
    """A cited work and what the rule takes from it, when the part ends in a bracketed note after
    the work's own closing bracket: ``Essay (Radar, 2024) (BuzzFeed cut costs)``."""
    if not part.endswith(")"):
        return part, ""
    depth = 0
    for i in range(len(part) - 1, -1, -1):
        if part[i] == ")":
            depth += 1
        elif part[i] == "(":
            depth -= 1
            if depth == 0:
                work = part[:i].rstrip()
                if work.endswith(")") and i > 0:
                    return work, part[i + 1 : -1]
                return part, ""
    return part, ""


def _rule_sources(
    decision: Decision,
) -> tuple[tuple[tuple[int, tuple[str, ...]], ...], tuple[Citation, ...]]:
    """The principles and the works the rules that fired cite, each once with the rules' codes."""
    principles: dict[int, list[str]] = {}
    works: dict[str, tuple[list[str], list[tuple[str, str]]]] = {}
    for result in decision.results:
        if not result.fired:
            continue
        rule = result.rule
        for number in rule.principles:
            codes = principles.setdefault(number, [])
            if rule.code not in codes:
                codes.append(rule.code)
        for part in _parts(rule.source):
            if rule.principles and _PRINCIPLES.match(part):
                continue  # named under the principles, from the rule's own list
            work, note = _note_of(part)
            codes, notes = works.setdefault(work, ([], []))
            if rule.code not in codes:
                codes.append(rule.code)
            if note:
                notes.append((rule.code, note))
    return (
        tuple((n, tuple(sorted(c))) for n, c in sorted(principles.items())),
        tuple(Citation(w, tuple(sorted(c)), tuple(sorted(n))) for w, (c, n) in works.items()),
    )


def _figure_sources(keys: Iterable[str], cat: Catalogue, today: date) -> tuple[FigureSource, ...]:
    """The figures, grouped under their sources (a source many figures give is named once), in
    the order of their keys."""
    groups: dict[str, list[FigureUse]] = {}
    on = today.isoformat()
    for key in sorted(keys):
        fig = cat.figures.get(key)
        if fig is None:
            continue
        unit = f" {fig.unit}" if fig.unit else ""
        months = fig.age_months(on)
        age = "" if fig.fixed or months < 1 else f"{months} month{'' if months == 1 else 's'} old"
        shown = f"{fig.value:,.10g}{unit}"  # the figure exactly as the catalogue holds it
        groups.setdefault(fig.source, []).append(
            FigureUse(key, shown, fig.as_of, age, fig.stale(on))
        )
    return tuple(FigureSource(source, tuple(figs)) for source, figs in groups.items())


def _sources(decision: Decision, found: Costs | None, cat: Catalogue, today: date) -> SourcesView:
    principles, citations = _rule_sources(decision)
    if found is None:
        return SourcesView(principles, citations, (), (), ())
    used, more = found.figures_used()
    prices: list[str] = []
    models = [decision.resolved.values.get("cost.api_model")]
    if found.open_endpoint is not None:
        models.append(found.open_endpoint.model)
    for model in dict.fromkeys(str(m) for m in models if m):
        try:
            price = cat.hosted_price(model)
        except KeyError:
            continue
        prices.append(
            f"{price.model.label} ({model}): ${price.input_usd_per_mtok:g} in, "
            f"${price.output_usd_per_mtok:g} out per million tokens (US dollars, list prices), "
            f"as of {price.as_of}: {price.source}"
        )
    return SourcesView(
        principles,
        citations,
        _figure_sources(used, cat, today),
        _figure_sources(more, cat, today),
        tuple(prices),
    )
