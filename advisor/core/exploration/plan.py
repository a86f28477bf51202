"""The plan: today's recommendation and the steps that follow it, each started by a change of
answers the team can watch for, found with the same procedure that makes today's pick.

The questions that move as a product matures say so in the questionnaire (``progress``): a number
that grows (calls a month, labelled examples, ML engineers) or a choice or yes/no question whose
values a team reaches in order (the stage of the product, having an eval suite, how the models did
once tried). From the answers as they stand, a step is the nearest such change, forward only, that
changes the recommendation to an option not yet in the plan. Numbers are searched as the flips
search them (advisor/core/exploration/flips.py), up only; a choice tries its later values, nearest
first.

When no single change moves the decision (an in-house option held back by the product-market fit
gate, say, while the volume is also too low), the advisor takes the milestone that does the most
for the option nearest to being picked: fewer gates holding it back, then fewer points behind the
pick. With that milestone reached, it searches again, up to three milestones deep. A step's
trigger is the milestones and the number it needed; a milestone the step does not need is dropped.

Every step is checked as it is made: the answers with every trigger so far applied give that
step's option. A trigger is an answer, so a later run or ``advisor log`` can tell which step a team
has reached from its answers alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from advisor.core.answers.questionnaire import Question
from advisor.core.base import labels
from advisor.core.decision import engine
from advisor.core.decision.engine import Decision
from advisor.core.decision.registry import Registry
from advisor.core.exploration.flips import _search

MAX_STEPS = 3  # steps after today's
MAX_MILESTONES = 3  # milestones taken on the way to one step when no single change moves it
# What a plan of today's step alone says.
NOTHING_MOVES_IT = (
    "No change the team grows into (its stage, evals, volume, labels or people) moves this "
    "decision on; the revisit below still holds."
)


@dataclass(frozen=True)
class Trigger:
    """One answer reaching a value: a number at least ``to``, or a choice at ``to`` or further on
    (``order``: the question's values in the order a team reaches them)."""

    question: str
    current: Any  # the answer before the step (None: not answered)
    to: Any
    order: tuple[Any, ...] = ()  # empty for a number

    @property
    def kind(self) -> str:
        return "reaches" if self.order else "at_least"

    def met(self, values: Mapping[str, Any]) -> bool:
        """Whether answers ``values`` have reached this trigger."""
        now = values.get(self.question)
        if now is None:
            return False
        if not self.order:
            return isinstance(now, int | float) and float(now) >= float(self.to)
        if now not in self.order:
            return False
        return self.order.index(now) >= self.order.index(self.to)

    def record(self) -> dict[str, Any]:
        """The trigger as data: ``at_least`` a number, or ``reaches`` the values that meet it."""
        if not self.order:
            return {"question": self.question, "at_least": self.to}
        return {"question": self.question, "reaches": list(self.order[self.order.index(self.to) :])}

    def describe(self, words: labels.Words) -> str:
        asked = words.question(self.question)
        to = words.value(self.question, self.to)
        if self.order:
            return f"{asked} is {to}"
        return f"{asked} reaches {to}"


@dataclass(frozen=True)
class Step:
    """One step of the plan: the option, and what starts it (nothing, for today's)."""

    option: str | None
    when: tuple[Trigger, ...] = ()


@dataclass
class Plan:
    """Today's recommendation, then each step after it in the order they come."""

    steps: list[Step] = field(default_factory=list)

    def describe(self, words: labels.Words) -> list[str]:
        """Each step in words (``describe_step``), today's first."""
        return [describe_step(step, words) for step in self.steps]

    def record(self, words: labels.Words) -> list[dict[str, Any]]:
        """The steps after today's as a memo's front matter keeps them: each in words, its option,
        and its triggers as data a later ``advisor log`` checks against the answers then
        (``record_steps`` reads them back)."""
        return [
            {
                "step": describe_step(step, words),
                "option": step.option,
                "when": [t.record() for t in step.when],
            }
            for step in self.steps[1:]
        ]

    def reached(self, values: Mapping[str, Any]) -> int:
        """The index of the furthest step whose triggers, and those of every step before it, the
        answers ``values`` meet (0: today's step)."""
        at = 0
        for index, step in enumerate(self.steps[1:], 1):
            if not all(t.met(values) for t in step.when):
                break
            at = index
        return at


def progress_questions(registry: Registry) -> dict[str, Question]:
    """The questions the rules read that say how they move as a product matures."""
    read = registry.questions_read()
    return {
        qid: q for qid, q in registry.questions.items() if q.progress is not None and qid in read
    }


def plan(registry: Registry, base: Decision, catalogue: Callable[[], Any]) -> Plan:
    """The plan from ``base``, the explored or bare decision for the answers as they stand."""
    resolved = base.resolved
    questions = progress_questions(registry)
    tried: dict[frozenset[tuple[str, str]], Decision] = {}

    def decide(state: Mapping[str, Any]) -> Decision:
        changed = {q: v for q, v in state.items() if resolved.values.get(q) != v}
        key = frozenset((q, repr(v)) for q, v in changed.items())
        if key not in tried:
            tried[key] = engine.decide(
                registry, resolved.trial(changed), catalogue, base=base, changed=frozenset(changed)
            )
        return tried[key]

    out = Plan([Step(base.recommendation)])
    state: dict[str, Any] = {}
    seen = {base.recommendation}
    for _ in range(MAX_STEPS):
        found = _next_step(questions, state, decide, seen)
        if found is None:
            break
        step, changes = found
        state.update(changes)
        seen.add(step.option)
        out.steps.append(step)
    return out


def _now(
    qid: str, state: Mapping[str, Any], decide: Callable[[Mapping[str, Any]], Decision]
) -> Any:
    """The answer in ``state``: changed there, else as the trial decision resolved it."""
    return state[qid] if qid in state else decide(state).resolved.values.get(qid)


def _singles(
    questions: Mapping[str, Question],
    state: Mapping[str, Any],
    decide: Callable[[Mapping[str, Any]], Decision],
    seen: set[str | None],
    skip: frozenset[str] = frozenset(),
) -> list[tuple[float, str, Any, str | None]]:
    """Each question's nearest forward change from ``state`` that changes the pick to an option
    not in ``seen``: (distance, question, value, option)."""
    current = decide(state).recommendation
    out = []
    for qid, q in questions.items():
        if qid in skip:
            continue
        now = _now(qid, state, decide)
        if q.progress == "up":
            start = _start(q, now)

            def one(question: str, value: Any, qid: str = qid) -> str | None:
                return decide({**state, qid: value}).recommendation

            flip = _search(q, qid, start, "up", current, one)
            if flip is not None and flip.recommendation not in seen:
                to = _round_up(flip.to, q)
                if to != flip.to and one(qid, to) != flip.recommendation:
                    to = flip.to  # the round figure does not move it: the threshold itself
                out.append((flip.distance, qid, to, flip.recommendation))
            continue
        for place, value in enumerate(q.ahead(now)):
            got = decide({**state, qid: value}).recommendation
            if got != current:
                if got not in seen:
                    out.append((1.0 + place * 0.01, qid, value, got))
                break
    return out


def _start(q: Question, now: Any) -> float:
    """Where a number's upward search starts: its answer, or the bottom of its range."""
    return float(now) if now is not None else float(q.minimum or 0)


def _round_up(value: Any, q: Question) -> Any:
    """A trigger a team can watch for: the threshold rounded up to two significant figures
    (3,026,913,428 calls a month becomes 3,100,000,000)."""
    number = float(value)
    if number <= 0 or not math.isfinite(number):
        return value
    step = 10 ** (math.floor(math.log10(number)) - 1)
    rounded = math.ceil(number / step - 1e-9) * step
    if q.type == "int":
        return max(int(value), math.ceil(rounded))
    return float(f"{rounded:.12g}")


def _standing(decision: Decision, seen: set[str | None]) -> tuple[int, int, float]:
    """How near the best option not yet in the plan is to being picked: ruled out or not, the
    gates holding it back, then the points it is behind the pick (lower is nearer)."""
    rec = decision.recommendation
    top = decision.options[rec].score if rec in decision.options else 0.0
    best = (1, 10**6, math.inf)
    for oid, o in decision.options.items():
        if oid in seen:
            continue
        best = min(best, (int(o.eliminated), len(o.holds), top - o.score))
    return best


def _next_step(
    questions: Mapping[str, Question],
    state: dict[str, Any],
    decide: Callable[[Mapping[str, Any]], Decision],
    seen: set[str | None],
) -> tuple[Step, dict[str, Any]] | None:
    taken: dict[str, Any] = {}  # milestones reached on the way
    for _ in range(MAX_MILESTONES + 1):
        here = {**state, **taken}
        found = _singles(questions, here, decide, seen, frozenset(taken))
        if found:
            _, qid, value, option = min(found, key=lambda c: (c[0], c[1]))
            changes = {**taken, qid: value}
            changes = _needed(changes, state, decide, option)
            when = tuple(
                _trigger(questions[q], q, _now(q, state, decide), v) for q, v in changes.items()
            )
            return Step(option, when), changes
        milestone = _best_milestone(questions, here, decide, seen, frozenset(taken))
        if milestone is None:
            return None
        taken[milestone[0]] = milestone[1]
    return None


def _best_milestone(
    questions: Mapping[str, Question],
    state: Mapping[str, Any],
    decide: Callable[[Mapping[str, Any]], Decision],
    seen: set[str | None],
    skip: frozenset[str],
) -> tuple[str, Any] | None:
    """The nearest milestone that brings an option not in the plan nearer to being picked: the
    next value of a choice or yes/no question, or the least growth of a number that lifts a gate
    (or a veto) off one. Of those, the one leaving it nearest, then the nearest change; None when
    none helps."""
    now_standing = _standing(decide(state), seen)
    found: list[tuple[tuple[int, int, float], float, str, Any]] = []
    for qid, q in questions.items():
        if qid in skip:
            continue
        now = _now(qid, state, decide)
        if q.progress == "up":
            start = _start(q, now)
            gates = str(now_standing[:2])

            def lifted(question: str, value: Any, qid: str = qid) -> str:
                return str(_standing(decide({**state, qid: value}), seen)[:2])

            flip = _search(q, qid, start, "up", gates, lifted)
            if flip is None:
                continue
            value, distance = flip.to, flip.distance
        else:
            ahead = q.ahead(now)
            if not ahead:
                continue
            value, distance = ahead[0], 1.0
        standing = _standing(decide({**state, qid: value}), seen)
        if standing < now_standing:
            found.append((standing, distance, qid, value))
    if not found:
        return None
    _, _, qid, value = min(found, key=lambda c: (c[0][:2], c[1], c[0][2], c[2]))
    return qid, value


def _needed(
    changes: dict[str, Any],
    state: Mapping[str, Any],
    decide: Callable[[Mapping[str, Any]], Decision],
    option: str | None,
) -> dict[str, Any]:
    """``changes`` without the milestones the step does not need: each is dropped in turn if the
    rest still give ``option``."""
    kept = dict(changes)
    for qid in list(kept)[:-1]:  # the last is the change that moved it
        trial = {k: v for k, v in kept.items() if k != qid}
        if decide({**state, **trial}).recommendation == option:
            kept = trial
    return kept


def _trigger(q: Question, qid: str, current: Any, to: Any) -> Trigger:
    if q.progress == "up":
        return Trigger(qid, current, to)
    return Trigger(qid, current, to, tuple(q.coerce(v) for v in q.progress or ()))


def describe_step(step: Step, words: labels.Words) -> str:
    """A step in words: ``when X reaches 8,000,000 and Y: Z``; today's step as ``now: Z``."""
    option = words.option(step.option) if step.option else "no option (every one ruled out)"
    if not step.when:
        return f"now: {option}"
    parts = [t.describe(words) for t in step.when]
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"when {joined}: {option}"


def record_steps(data: Any) -> Plan:
    """A plan read back from a memo's front matter (``Plan.record``), today's step left empty;
    ValueError names what is not as the advisor writes it (a hand edit, say)."""
    if not isinstance(data, list):
        raise ValueError("is not a list of steps")
    out = Plan([Step(None)])
    for number, item in enumerate(data, 1):
        if not isinstance(item, Mapping) or not isinstance(item.get("when"), list):
            raise ValueError(f"step {number} has no list of triggers (`when`)")
        when = []
        for trigger in item["when"]:
            question = trigger.get("question") if isinstance(trigger, Mapping) else None
            if not isinstance(question, str):
                raise ValueError(f"step {number}: a trigger without a question")
            least, reaches = trigger.get("at_least"), trigger.get("reaches")
            if isinstance(least, int | float) and not isinstance(least, bool):
                when.append(Trigger(question, None, least))
            elif isinstance(reaches, list) and reaches:
                when.append(Trigger(question, None, reaches[0], tuple(reaches)))
            else:
                raise ValueError(
                    f"step {number}: {question} has neither a number `at_least` nor a list "
                    "`reaches`"
                )
        option = item.get("option")
        out.steps.append(Step(option if isinstance(option, str) else None, tuple(when)))
    return out
