"""How confident the advisor is, judged by how robust the pick is, not by a margin of points.

A pick is robust when no single plausible change flips it: an estimate 20% lower or 25% higher (a
volume, a token count, hosted or GPU prices), one step of a judgement (the stage, how a prompted
model did), or an unknown answered. Facts of policy (where data may go, what the review accepts)
are not estimates: the flips list what they would do, but they do not lower the confidence. And a
pick that rests on bills within each other's uncertainty is not robust either: the figures cannot
tell those bills apart.

- **low**: a plausible change of a number or a price flips it, or the first two options tie.
- **medium**: one step of an answer flips it, or a number or price within a factor of two, or the
  pick's bill and the runner-up's overlap within their ranges, or an unanswered question could
  change it.
- **high**: none of those.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from advisor.core.base import labels, numbers
from advisor.core.decision.engine import Decision

if TYPE_CHECKING:
    from advisor.core.answers.questionnaire import Question

PLAUSIBLE = math.log(1.25)  # 20% lower or 25% higher
NEAR = math.log(2.0)


@dataclass
class Robustness:
    """What set the confidence: the nearest flips and whether the bills can tell the pick apart."""

    level: str  # "high", "medium", "low" or "none"
    reason: str
    nearest: Any = (
        None  # the nearest flip of a number or a price (advisor.core.exploration.flips.Flip)
    )
    plausible: list[Any] = field(default_factory=list)  # flips a plausible change makes
    one_step: list[Any] = field(default_factory=list)  # flips one step of an answer makes
    overlap: bool = False  # the pick's bill range overlaps the runner-up's
    tie: bool = False  # the first two options stand level


def _same_tier(decision: Decision) -> str | None:
    """The runner-up, when it stands level with the recommendation at the gates."""
    rec, other = decision.recommendation, decision.runner_up
    if rec is None or other is None:
        return None
    if len(decision.options[other].holds) != len(decision.options[rec].holds):
        return None
    return other


def _overlap(decision: Decision, other: str | None) -> bool:
    bills, rec = decision.costs, decision.recommendation
    if bills is None or other is None or rec is None:
        return False
    mine, theirs = bills.horizon(rec), bills.horizon(other)
    if mine is None or theirs is None:
        return False
    return mine[0] <= theirs[2] and theirs[0] <= mine[2]


def _name(words: labels.Words, flip: Any) -> str:
    """The change a flip makes: ``hosted API prices 5% higher``, or a question's new answer."""
    if flip.is_price:
        from advisor.core.exploration.flips import PRICES

        return f"{PRICES[flip.question]} {numbers.change(float(flip.to))}"
    factor = flip.factor
    if factor is None:
        return f"{words.question(flip.question)} at {words.value(flip.question, flip.to)}"
    return (
        f"{words.question(flip.question)} {numbers.change(factor)} "
        f"({words.value(flip.question, flip.to)})"
    )


def judge(
    decision: Decision,
    *,
    questions: Mapping[str, Question] | None = None,
    options: Mapping[str, labels.Labelled] | None = None,
) -> Robustness:
    """The confidence of a decision, from its flips (when explored), ties and bills. With
    ``questions`` and ``options`` the reason names questions by their prompts, answers by their
    labels and options by their labels; without, by their ids."""
    words = labels.Words(questions, options)
    rec = decision.recommendation
    if rec is None:
        return Robustness("none", "every option is ruled out")
    other = _same_tier(decision)
    tie = other is not None and decision.options[other].score == decision.options[rec].score
    overlap = _overlap(decision, other)
    found = [f for f in decision.flips or [] if f.estimate]
    numeric = [f for f in found if f.direction in ("up", "down")]
    nearest = min(numeric, key=lambda f: f.distance, default=None)
    plausible = [f for f in numeric if f.distance <= PLAUSIBLE + 1e-9]
    one_step = [
        f for f in found if f.direction == "change" and f.step == 1 and f.current is not None
    ]
    near = [f for f in numeric if f.distance <= NEAR + 1e-9]
    out = Robustness("high", "", nearest, plausible, one_step, overlap, tie)
    if plausible:
        flip = plausible[0]
        out.level = "low"
        out.reason = (
            f"a plausible change flips it: {_name(words, flip)} gives "
            f"{words.option(flip.recommendation)}"
        )
    elif tie:
        out.level = "low"
        out.reason = (
            f"a tie on points with {words.option(other)}; the option that takes less effort "
            "ranks first"
        )
    elif one_step:
        flip = one_step[0]
        out.level = "medium"
        out.reason = (
            f"one step of one answer flips it: {words.question(flip.question)} as "
            f"{words.value(flip.question, flip.to)} gives {words.option(flip.recommendation)}"
        )
    elif overlap:
        out.level = "medium"
        bills = decision.costs
        floors = [o for o in (rec, other) if o and bills is not None and not bills.known(o)]
        out.reason = (
            f"cost cannot tell it from {words.option(other)}: {words.bill(floors[0])} is only a "
            "floor (an answer it needs is not given)"
            if floors
            else f"its bill and {words.possessive(str(other))} are within the figures' uncertainty "
            "of each other"
        )
    elif near:
        flip = near[0]
        out.level = "medium"
        out.reason = f"within a factor of two, {_name(words, flip)} gives {words.option(flip.recommendation)}"
    elif decision.unknowns:
        count = len(decision.unknowns)
        which = "answer" if count == 1 else "answers"
        out.level = "medium"
        out.reason = f"{count} unanswered or assumed {which} could change it"
    else:
        if not decision.explored:
            out.level = "medium"
            out.reason = "its flips were not explored"
            return out
        far = (
            f"; the nearest: {_name(words, nearest)} gives {words.option(nearest.recommendation)}"
            if nearest
            else ""
        )
        alone = (
            "the only option not ruled out; "
            if other is None and len(decision.ranking) == 1
            else ""
        )
        out.reason = f"{alone}no single plausible change flips it{far}"
    return out
