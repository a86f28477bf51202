"""Checking an answers file that says what the advisor must conclude (``expect:``).

One function serves `advisor check` and the pytest plugin for plugin authors (advisor/testing.py),
so a case passes or fails the same way in both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from advisor.core.answers.document import AnswersFile
from advisor.core.base.numbers import points
from advisor.core.decision.engine import Decision
from advisor.core.evaluation import evaluate

if TYPE_CHECKING:
    from advisor.core.decision.registry import Registry


@dataclass
class CaseResult:
    """The outcome of one case: passed, failed, or nothing to check, with a line saying why."""

    status: str  # "pass", "fail" or "skip"
    message: str
    decision: Decision | None = None


def has_expectation(answers: AnswersFile) -> bool:
    """Whether the file says what the recommendation must (or must not) be."""
    return answers.expect is not None and bool(answers.expect.accept or answers.expect.reject)


def expectation_met(decision: Decision, answers: AnswersFile) -> bool | None:
    """Whether the recommendation satisfies the file's ``expect:``; None when it has none."""
    expect = answers.expect
    if not has_expectation(answers):
        return None
    assert expect is not None
    rec = decision.recommendation
    if expect.accept and rec not in expect.accept:
        return False
    return rec not in expect.reject


def expected(answers: AnswersFile) -> str:
    """What the file asks for, in words: "one of api; never self_host"."""
    assert answers.expect is not None
    wanted = []
    if answers.expect.accept:
        wanted.append("one of " + ", ".join(answers.expect.accept))
    if answers.expect.reject:
        wanted.append("never " + ", ".join(answers.expect.reject))
    return "; ".join(wanted)


def check_case(answers: AnswersFile, registry: Registry, catalogue: Any = None) -> CaseResult:
    if not has_expectation(answers) or answers.expect is None:
        return CaseResult("skip", "no expect: (accept or reject) to check")
    decision = evaluate(registry, answers.values, explore=False, catalogue=catalogue)
    rec = decision.recommendation or "nothing"
    if expectation_met(decision, answers):
        return CaseResult("pass", f"{rec} ({expected(answers)})", decision)

    def place(option: str) -> str:
        held = len(decision.options[option].holds)
        gates = f", held back by {held} gate{'s' if held > 1 else ''}" if held else ""
        return f"{option} {points(decision.options[option].score)}{gates}"

    ranking = ", ".join(place(o) for o in decision.ranking) or "every option ruled out"
    return CaseResult(
        "fail", f"recommended {rec}; expected {expected(answers)} (ranking: {ranking})", decision
    )
