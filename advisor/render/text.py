"""The text output of the commands, with rich. A decision (`advisor recommend`, `advisor explain`)
is laid out here, with the sections both end with; the other commands' output comes from the
modules beside this one.

The command line calls each by the command's name: ``recommendation``, ``explain``, ``flips``,
``whatif``, ``questions``, ``plugins``, ``rules``, ``catalogue`` and ``models``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding

from advisor.core.answers.document import AnswersFile
from advisor.core.base import labels
from advisor.core.decision.engine import Decision
from advisor.core.decision.registry import Registry
from advisor.render.changes import flips, plan, whatif, when_to_revisit
from advisor.render.explanation import explanation
from advisor.render.listings import catalogue, models, plugins, questions, rules
from advisor.render.outcome import outcome
from advisor.render.parts import faults


def report(
    console: Console,
    decision: Decision,
    registry: Registry,
    answers: AnswersFile,
    catalogue: Any = None,
    *,
    every_rule: bool = False,
) -> None:
    """A decision in text: the recommendation and its reasons, or with ``every_rule`` every rule,
    fired or not (like EXPLAIN for a query plan); then, given the catalogue, the costs (and for
    the recommendation the flips and the revisit date); then what could change the result and
    the plugins' problems."""
    if every_rule:
        explanation(console, decision, registry, answers)
    else:
        outcome(console, decision, registry, answers)
    if catalogue is not None:
        from advisor.render.costs import costs

        costs(console, decision, catalogue, registry.questions)
        if not every_rule:
            console.print()
            flips(console, decision, decision.flips or [], 3, registry.questions)
        plan(console, decision, registry)
        if not every_rule:
            when_to_revisit(console, decision, registry)
    unknowns(console, decision, registry)
    faults(console, registry, decision)
    if not every_rule:
        console.print()
        console.print("[dim]Every rule, fired or not: advisor explain FILE[/]")


recommendation = report
explain = partial(report, every_rule=True)


def unknowns(console: Console, decision: Decision, registry: Registry) -> None:
    """The unanswered questions that could change the result, what was assumed and what is not
    answered, each question by its prompt."""
    resolved, questions = decision.resolved, registry.questions
    if decision.unknowns:
        console.print()
        console.print("[bold]Could change the result[/]")
        for u in decision.unknowns:
            state = (
                "unknown"
                if u.assumed is None
                else f"assumed {labels.value(questions, u.question, u.assumed)}"
            )
            said = labels.turns(questions, decision.options, u)
            console.print(
                Padding(
                    f"{escape(labels.question(questions, u.question))} ({state}): {escape(said)}",
                    (0, 0, 0, 2),
                )
            )
    if resolved.assumed:
        console.print()
        console.print("[bold]Assumed[/] (defaults):")
        for q in resolved.assumed:
            shown = labels.value(questions, q, resolved.values[q])
            console.print(
                Padding(f"{escape(labels.question(questions, q))}: {escape(shown)}", (0, 0, 0, 2))
            )
    if resolved.unknown:
        console.print()
        console.print("[bold]Not answered[/]:")
        for q in resolved.unknown:
            console.print(Padding("- " + escape(labels.question(questions, q)), (0, 0, 0, 2)))
    if resolved.hidden:
        console.print()
        hidden = "; ".join(labels.question(questions, q) for q in resolved.hidden)
        console.print(f"[dim]Answered though not asked under these answers: {escape(hidden)}[/]")


__all__ = [
    "catalogue",
    "explain",
    "flips",
    "models",
    "plugins",
    "questions",
    "recommendation",
    "rules",
    "whatif",
]
