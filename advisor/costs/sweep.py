"""One answer swept across a range: each option's monthly bill at every point, where the cheapest
option changes, and where the recommendation changes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from advisor.core.decision import engine
from advisor.core.decision.engine import catalogue_source, resolve
from advisor.core.decision.facts import FactView
from advisor.core.decision.registry import Registry
from advisor.core.exploration.flips import threshold
from advisor.costs.breakeven import VOLUME, break_even
from advisor.costs.model import BILLS_FACT, Costs, priced, yardstick
from advisor.errors import AdvisorError

SAMPLE_EVERY = 10  # the recommendation is decided at every tenth point, then found by bisection


@dataclass
class Sweep:
    question: str
    points: list[float]
    bills: dict[str, list[float | None]]  # option -> monthly bill at each point
    cheapest_changes: list[tuple[float, str, str]] = field(default_factory=list)  # at, from, to
    recommendation_changes: list[tuple[float, str | None, str | None]] = field(default_factory=list)
    recommendations: list[tuple[float, str | None]] = field(default_factory=list)  # sampled
    currency: Any = None  # the catalogue's, for the amounts a chart writes


def bills_over(
    found: Costs, question: str, xs: list[float], inputs: Callable[[float], Any] | None = None
) -> dict[str, list[float | None]]:
    """Each option's monthly bill with ``question`` at each of ``xs``, what else the bills read
    as it is in ``found`` (or as ``inputs(x)`` gives it); None where a bill cannot be worked out."""
    bills: dict[str, list[float | None]] = {oid: [] for oid in found.options}
    cat = found.catalogue
    assert cat is not None, "bills worked out without a catalogue"
    base = dict(found.answers)
    for x in xs:
        base[question] = x
        values = base if inputs is None else inputs(x)
        for oid, bill in priced(found, values, cat).items():
            bills[oid].append(None if bill is None or bill.floor else bill.usd_per_month)
    # An option with no bill anywhere in the range (an answer it needs is not given) draws no line.
    return {oid: ys for oid, ys in bills.items() if any(y is not None for y in ys)}


def parse_range(text: str) -> tuple[float, float]:
    """``LOW..HIGH``, each a number as answers take them (``1e3``, ``2_000_000``)."""
    low, sep, high = text.partition("..")
    try:
        if not sep:
            raise ValueError
        bounds = (
            float(low.replace("_", "").replace(",", "")),
            float(high.replace("_", "").replace(",", "")),
        )
    except ValueError:
        raise AdvisorError(f"range {text!r}: expected LOW..HIGH, e.g. 1e3..1e9") from None
    if not bounds[0] < bounds[1]:
        raise AdvisorError(f"range {text!r}: LOW must be below HIGH")
    return bounds


def sweep(
    registry: Registry,
    answers: dict[str, Any],
    question: str,
    low: float,
    high: float,
    points: int = 1000,
    catalogue: Any = None,
) -> Sweep:
    """Each option's bill at ``points`` values of ``question`` between ``low`` and ``high`` (spaced
    evenly on a log scale when both are positive), every other answer as it is."""
    q = registry.questions.get(question)
    if q is None or q.type not in ("int", "number"):
        numeric = [k for k, v in registry.questions.items() if v.type in ("int", "number")]
        raise AdvisorError(f"{question}: not a number question; sweep one of {', '.join(numeric)}")
    for bound in (low, high):
        try:
            q.coerce(int(bound) if q.type == "int" and float(bound).is_integer() else bound)
        except ValueError as exc:
            raise AdvisorError(f"{question}: {exc}") from None
    if points < 2:
        raise AdvisorError("a sweep needs at least 2 points")
    xs = spaced(low, high, points, q.type == "int")
    resolved = resolve(registry, answers)
    source = catalogue_source(registry, catalogue)
    cat = source()
    found = FactView(resolved.values, registry.facts, catalogue=source, trusted=registry.trusted())[
        BILLS_FACT
    ]
    if not isinstance(found, Costs) or found.error:
        raise AdvisorError("a sweep needs the bills, and the cost catalogue cannot work them out")
    reads = tuple(found.answers)
    # A fact a bill reads is worked out again at each point only when the swept answer is behind it.
    moved = [k for k in reads if k in registry.facts and question in registry.inputs_of([k])]
    trusted = registry.trusted()

    def inputs(x: float) -> dict[str, Any]:
        values = dict(resolved.values, **{question: x})
        view = FactView(values, registry.facts, catalogue=source, trusted=trusted)
        return {**found.answers, question: x, **{key: view[key] for key in moved}}

    bills = bills_over(found, question, xs, inputs if moved else None)
    out = Sweep(question, xs, bills, currency=cat.currency)
    out.cheapest_changes = _cheapest_changes(xs, bills)
    stick = yardstick(found.pricings)
    if question == VOLUME and stick is not None:  # where a bill meets the yardstick's
        by_option = {p.option: p for p in found.pricings}
        for i, (_, a, b) in enumerate(out.cheapest_changes):
            other = b if a == stick.option else a if b == stick.option else None
            crossing = break_even(found.answers, cat, by_option[other], stick) if other else None
            if crossing is not None:
                out.cheapest_changes[i] = (crossing, a, b)

    def decide(x: float) -> str | None:
        return engine.decide(registry, resolved.trial({question: x}), source).recommendation

    sampled = list(range(0, len(xs), SAMPLE_EVERY))
    if sampled[-1] != len(xs) - 1:
        sampled.append(len(xs) - 1)
    previous = None
    for i in sampled:
        rec = decide(xs[i])
        out.recommendations.append((xs[i], rec))
        if previous is not None and rec != previous[1]:
            out.recommendation_changes.append(_bisect(decide, previous, (xs[i], rec), q.type))

        previous = (xs[i], rec)
    return out


def spaced(low: float, high: float, points: int, whole: bool) -> list[float]:
    """``points`` values from ``low`` to ``high``: evenly on a log scale when both are positive,
    whole numbers when ``whole``."""
    if low > 0:
        ratio = (high / low) ** (1 / (points - 1))
        xs = [low * ratio**i for i in range(points)]
    else:
        xs = [low + (high - low) * i / (points - 1) for i in range(points)]
    xs[-1] = high
    return [float(round(x)) for x in xs] if whole else xs


def _cheapest_changes(
    xs: list[float], bills: dict[str, list[float | None]]
) -> list[tuple[float, str, str]]:
    changes = []
    last = None
    for i, x in enumerate(xs):
        known = {oid: b[i] for oid, b in bills.items() if b[i] is not None}
        if not known:
            continue
        cheapest = min(known, key=lambda oid: known[oid])  # type: ignore[arg-type, return-value]
        if last is not None and cheapest != last:
            changes.append((x, last, cheapest))
        last = cheapest
    return changes


def _bisect(
    decide: Any, before: tuple[float, str | None], after: tuple[float, str | None], kind: str
) -> tuple[float, str | None, str | None]:
    """Where the recommendation changes between two points of the sweep: the same canonical
    threshold the flips report (advisor.core.exploration.flips.threshold)."""
    (lo, rec_lo), (hi, rec_hi) = before, after
    if kind == "int":
        lo, hi = int(lo), int(hi)
    at, rec = threshold(decide, rec_lo, lo, hi, rec_hi)
    return float(at), rec_lo, rec
