"""What would flip the decision: for each question, the smallest single change of its answer that
changes the recommendation, nearest first; and the same for hosted and GPU prices.

A number is searched in both directions: first at the edge of a plausible change (20% lower, 25%
higher), then outward by doubling and then by factors of four until the recommendation changes,
then by bisection to the threshold. A choice or a yes/no question tries every other value. Prices
are searched like numbers, as a factor on every hosted price or every GPU's hourly price. Each
change is applied alone, every other answer as it is.

The search reaches 65,536 times an answer either way (a thousand times, for prices), and finds the
nearest flip wherever the recommendation changes at most once between two steps of the search; the decision procedure keeps the bills monotone in volume (no option's cost
per call rises with volume), and tests/test_flips.py checks on random answers that a fine scan
finds no flip nearer than the one reported.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from advisor.core.answers.questionnaire import Question
from advisor.core.base import labels, numbers
from advisor.core.decision import engine
from advisor.core.decision.engine import Decision, catalogue_source, resolve
from advisor.core.decision.registry import Registry

PLAUSIBLE_UP = 1.25  # a plausible change of a number: 25% higher, or 20% lower (1 / 1.25)
STEPS = (PLAUSIBLE_UP, 2.0, 4.0)  # the first steps outward, as factors; then x4 each step
FACTOR = 4.0
MAX_STEPS = 7  # up to 4 x 4^7 = 65,536 times the answer (or a 65,536th of it)
TOO_FAR = 1e13  # numbers are not searched beyond this
PRICES = {
    "prices.api": "hosted API prices",
    "prices.gpu": "GPU rental prices",
}


@dataclass(frozen=True)
class Flip:
    """One change of one answer (or of prices) that changes the recommendation."""

    question: str  # a question id, or "prices.api" / "prices.gpu" for a factor on prices
    current: Any  # the value now: answered, assumed (a default) or None when unknown
    to: Any  # the value that flips it
    recommendation: str | None  # what it becomes (None: every option ruled out)
    distance: float  # how far the change is: |log of the ratio| for numbers, steps for a choice
    direction: str  # "up", "down" or "change"
    step: int = 0  # for a choice: how many places along its list of values; 0 for numbers
    estimate: bool = True  # the answer is an estimate or judgement (a price is always one)

    @property
    def is_price(self) -> bool:
        return self.question in PRICES

    @property
    def factor(self) -> float | None:
        """For a number: the new value over the old (None from zero, or for a choice)."""
        if self.direction == "change" or not self.current:
            return None
        return float(self.to) / float(self.current)

    def describe(
        self,
        questions: Mapping[str, Question] | None = None,
        options: Mapping[str, labels.Labelled] | None = None,
    ) -> str:
        """The flip in a sentence. With the questionnaire and the options, as people read it:
        the question's prompt, the answers' labels and units, the option's label; without them,
        by ids (the JSON's ``text``)."""
        words = labels.Words(questions, options)
        becomes = (
            f"{words.option(self.recommendation)} would be recommended"
            if self.recommendation
            else "every option would be ruled out"
        )
        if self.is_price:
            what = PRICES[self.question]
            factor = float(self.to)
            moved = "fell" if factor < 1 else "rose"
            return (
                f"if {what} {moved} to {factor:.2f}x today's ({numbers.change(factor)}), {becomes}"
            )
        asked = words.question(self.question)
        to, now = words.value(self.question, self.to), words.value(self.question, self.current)
        if self.direction == "up":
            return f"if {asked} rose to {to} (now {now}), {becomes}"
        if self.direction == "down":
            return f"if {asked} fell to {to} (now {now}), {becomes}"
        return f"if {asked} were {to} (now {now}), {becomes}"


class _Price:
    """A factor on prices searched like a number question: from a thousandth to a thousand times
    today's."""

    type = "number"
    minimum = 0.001
    maximum = 1000.0
    exclusive_minimum = False


def flips(
    registry: Registry,
    answers: Mapping[str, Any],
    catalogue: Any = None,
    *,
    base: Decision | None = None,
    tried: dict[tuple[str, str], str | None] | None = None,
) -> list[Flip]:
    """Every question's nearest flip, and each price factor's, nearest first (a question may give
    one each way). ``base`` is the decision for ``answers`` when the caller already has it;
    ``tried`` holds the recommendations of single changes already decided on it (``trial_key``),
    and gets the ones decided here."""
    resolved = base.resolved if base is not None else resolve(registry, answers)
    source = catalogue_source(registry, catalogue)

    start = base if base is not None else engine.decide(registry, resolved, source)
    current = start.recommendation

    facts = frozenset(registry.facts)  # prices reach the rules through facts (the bills)
    known = tried if tried is not None else {}

    def decide(qid: str, value: Any) -> str | None:
        if qid in PRICES:
            cat = source()
            scaled = cat.scaled(api=value) if qid == "prices.api" else cat.scaled(gpu=value)
            return engine.decide(
                registry, resolved, lambda: scaled, base=start, changed=facts
            ).recommendation
        key = trial_key(qid, value)
        if key in known:
            return known[key]
        changed = frozenset((qid,))
        trial = resolved.trial({qid: value})
        got = engine.decide(registry, trial, source, base=start, changed=changed).recommendation
        known[key] = got
        return got

    read = registry.questions_read()
    found: list[Flip] = []
    for qid, question in registry.questions.items():
        if qid not in read:
            continue
        now = resolved.values[qid]
        if question.type in ("int", "number"):
            if now is not None:
                got = _number_flips(question, qid, now, current, decide)
            else:
                continue
        elif question.type in ("choice", "bool"):
            options = question.choice_values if question.type == "choice" else (True, False)
            got = _choice_flips(qid, now, options, current, decide)
        else:
            continue
        found.extend(dataclasses.replace(f, estimate=question.estimate) for f in got)
    if _has_bills(base, registry):
        for qid in PRICES:
            found.extend(_number_flips(_Price(), qid, 1.0, current, decide))
    return sorted(found, key=lambda f: (f.distance, f.question, f.direction))


def trial_key(qid: str, value: Any) -> tuple[str, str]:
    """What a single change of the base answers is kept under: the question and the value's
    repr (a value may be a list, and True and 1 are different answers)."""
    return (qid, repr(value))


def _has_bills(base: Decision | None, registry: Registry) -> bool:
    """Whether prices can matter: the cost model gives bills (and, when known, they were worked
    out for these answers)."""
    if "bills" not in registry.facts:
        return False
    return base is None or base.costs is not None


def _choice_flips(
    qid: str,
    current: Any,
    values: tuple[Any, ...],
    base: str | None,
    decide: Callable[[str, Any], str | None],
) -> Iterator[Flip]:
    """The other values of a choice that change the recommendation: the nearest in the list of
    values first, all of them given (a team reading "what would flip it" wants each)."""
    where = values.index(current) if current in values else None
    for value in values:
        if value == current:
            continue
        got = decide(qid, value)
        if got != base:
            step = abs(values.index(value) - where) if where is not None else 1
            yield Flip(qid, current, value, got, 1.0 + (step - 1) * 0.01, "change", step)


def _number_flips(
    question: Any,
    qid: str,
    current: float,
    base: str | None,
    decide: Callable[[str, Any], str | None],
) -> Iterator[Flip]:
    for direction in ("up", "down"):
        flip = _search(question, qid, current, direction, base, decide)
        if flip is not None:
            yield flip


def _factors() -> Iterator[float]:
    """The factors of the outward search: the plausible edge, then doubling, then fours."""
    yield from STEPS
    factor = STEPS[-1]
    for _ in range(MAX_STEPS):
        factor *= FACTOR
        yield factor


def _search(
    question: Any,
    qid: str,
    current: float,
    direction: str,
    base: str | None,
    decide: Callable[[str, Any], str | None],
) -> Flip | None:
    low_bound = question.minimum if question.minimum is not None else 0.0
    high_bound = question.maximum if question.maximum is not None else TOO_FAR

    def legal(value: float) -> Any | None:
        if question.type == "int":
            value = math.ceil(value) if direction == "up" else math.floor(value)
        if value < low_bound or (question.exclusive_minimum and value <= low_bound):
            return None
        return value if value <= high_bound else None

    same = current
    changed = None
    got = base
    for i, factor in enumerate(_factors()):
        if direction == "up":
            raw = current * factor if current else FACTOR**i  # from zero: 1, 4, 16
        else:
            raw = current / factor
        last = direction == "down" and current and factor >= FACTOR ** (MAX_STEPS + 1)
        if last:
            raw = low_bound  # last try: the bottom of the range
        if direction == "up" and raw > high_bound * FACTOR:
            break
        value = legal(raw)
        if value is None or value == same:
            if last:
                break
            continue
        got = decide(qid, value)
        if got != base:
            changed = value
            break
        same = value
        if last:
            break
    if changed is None:
        return None
    changed, got = threshold(lambda v: decide(qid, v), base, same, changed, got, legal)
    if changed is None:
        return None
    distance = abs(math.log(changed / current)) if current and changed else 1.0
    return Flip(qid, current, changed, got, distance, direction)


GRID = 1000  # thresholds are found on a grid of a thousand values a decade (steps of 0.23%)
EXACT_BELOW = 1000  # whole numbers below this are found exactly


def threshold(
    decide: Callable[[Any], str | None],
    base: str | None,
    same: Any,
    changed: Any,
    got: str | None,
    legal: Callable[[float], Any] = lambda v: v,
) -> tuple[Any, str | None]:
    """The value nearest ``same`` at which the recommendation is no longer ``base``, between a
    value that keeps it (``same``) and one that changes it (``changed``, giving ``got``).

    The answer is canonical, so that any search that brackets the same threshold (the flips, the
    sweep) reports the same number: a whole number below a thousand exactly, anything else as the
    first point of a fixed log grid (a thousand points a decade, steps of 0.23%) past the
    threshold.
    """
    whole = isinstance(same, int) and isinstance(changed, int)
    if whole and max(abs(same), abs(changed)) < EXACT_BELOW:
        while abs(changed - same) > 1:
            middle = legal((same + changed) // 2)
            if middle is None or middle in (same, changed):
                break
            result = decide(middle)
            if result == base:
                same = middle
            else:
                changed, got = middle, result
        return changed, got
    if same <= 0 or changed <= 0:
        return changed, got
    up = changed > same
    at_same, at_changed = math.log10(same) * GRID, math.log10(changed) * GRID
    keep = math.floor(at_same) if up else math.ceil(at_same)
    flip = math.ceil(at_changed - 1e-9) if up else math.floor(at_changed + 1e-9)
    tried = False
    while abs(flip - keep) > 1:
        middle = legal(_grid_value((keep + flip) // 2, whole))
        if middle is None:
            break
        result = decide(middle)
        if result == base:
            keep = (keep + flip) // 2
        else:
            flip, got, tried = (keep + flip) // 2, result, True
    value = legal(_grid_value(flip, whole))
    if value is None:
        return changed, got
    if not tried and value != changed:
        result = decide(value)
        if result == base:
            return changed, got
        got = result
    return value, got


def _grid_value(index: int, whole: bool) -> Any:
    value = 10 ** (index / GRID)
    return round(value) if whole else float(f"{value:.6g}")
