"""What would flip the decision: for each question, the smallest single change of its answer that
changes the recommendation, nearest first.

A number is searched in both directions: outward in steps of a factor of four until the
recommendation changes, then by bisection to the threshold. A choice or a yes/no question tries every other value.
Each change is applied alone, every other answer as it is.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from advisor.core.engine import Resolved, _catalogue_of, _decide, resolve
from advisor.plugins import Registry

FACTOR = 4.0  # each step of the outward search multiplies (or divides) the value by this
STEPS = 24  # 4^24 is 2.8e14: far past any volume the questions take
PRECISION = 0.005  # a threshold is found to within half a percent
TOO_FAR = 1e12  # numbers are not searched beyond this


@dataclass(frozen=True)
class Flip:
    """One change of one answer that changes the recommendation."""

    question: str
    current: Any  # the value now: answered, assumed (a default) or None when unknown
    to: Any  # the value that flips it
    recommendation: str | None  # what it becomes (None: every option ruled out)
    distance: float  # how far the change is: log of the ratio for numbers, 1 for a choice
    direction: str  # "up", "down" or "change"

    def describe(self) -> str:
        becomes = (
            f"{self.recommendation} would be recommended"
            if self.recommendation
            else "every option would be ruled out"
        )
        if self.direction == "up":
            return f"if {self.question} rose to {show_value(self.to)} (now {show_value(self.current)}), {becomes}"
        if self.direction == "down":
            return f"if {self.question} fell to {show_value(self.to)} (now {show_value(self.current)}), {becomes}"
        now = "unknown" if self.current is None else show_value(self.current)
        return f"if {self.question} were {show_value(self.to)} (now {now}), {becomes}"


def flips(registry: Registry, answers: dict[str, Any], catalogue: Any = None) -> list[Flip]:
    """Every question's nearest flip, nearest first (a question may give one each way)."""
    resolved = resolve(registry, answers)
    source = _catalogue_of(registry, catalogue)

    def decide(qid: str, value: Any) -> str | None:
        values = dict(resolved.values)
        values[qid] = value
        trial = Resolved(values, resolved.answered, resolved.assumed, resolved.unknown, ())
        return _decide(registry, trial, source).recommendation

    base = _decide(registry, resolved, source).recommendation
    read = registry.questions_read()
    found: list[Flip] = []
    for qid, question in registry.questions.items():
        if qid not in read:
            continue
        current = resolved.values[qid]
        if question.type in ("int", "number"):
            if current is not None:
                found.extend(_number_flips(question, qid, current, base, decide))
        elif question.type in ("choice", "bool"):
            options = question.choice_values if question.type == "choice" else (True, False)
            found.extend(_choice_flips(qid, current, options, base, decide))
    return sorted(found, key=lambda f: (f.distance, f.question, f.direction))


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
            yield Flip(qid, current, value, got, 1.0 + (step - 1) * 0.01, "change")


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
    for i in range(1, STEPS + 1):
        if direction == "up":
            raw = current * FACTOR**i if current else FACTOR ** (i - 1)  # from zero: 1, 4, 16
        else:
            raw = current / FACTOR**i
        if direction == "down" and current and raw < current * 1e-6:
            raw = low_bound  # last try: the bottom of the range
        value = legal(raw)
        if value is None or value == same:
            if direction == "down" and raw == low_bound:
                break
            continue
        got = decide(qid, value)
        if got != base:
            changed = value
            break
        same = value
        if direction == "down" and raw == low_bound:
            break
    if changed is None:
        return None
    # Bisection between the last value that kept the recommendation and the first that changed it.
    for _ in range(60):
        gap = abs(changed - same)
        if gap <= max(abs(changed), 1.0) * PRECISION or (question.type == "int" and gap <= 1):
            break
        middle = legal((same + changed) / 2)
        if middle is None or middle in (same, changed):
            break
        result = decide(qid, middle)
        if result == base:
            same = middle
        else:
            changed, got = middle, result
    distance = abs(math.log(changed / current)) if current and changed else 1.0
    return Flip(qid, current, changed, got, distance, direction)


def show_value(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.3g}"
    return str(value)
