"""What would change the decision, and when to look at it again: the flips (`advisor flips`), the
revisit date with what should bring it sooner, and a what-if's result beside the original
(`advisor whatif`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table

from advisor.core.answers.questionnaire import Question
from advisor.core.base import labels
from advisor.core.base.numbers import points
from advisor.core.decision.engine import Decision
from advisor.core.decision.registry import Registry


def flips(
    console: Console,
    decision: Decision,
    found: list[Any],
    limit: int | None = None,
    questions: Mapping[str, Question] | None = None,
) -> None:
    """What would change the recommendation, nearest first, in words (question prompts, answer
    labels, option labels)."""
    rec = (
        labels.option(decision.options, decision.recommendation)
        if decision.recommendation
        else "nothing (every option ruled out)"
    )
    if not found:
        console.print(f"No single change of one answer would change the recommendation ({rec}).")
        return
    console.print(f"[bold]What would flip it[/] (now {rec}), nearest first:")
    shown = found if limit is None else found[:limit]
    lines = Table.grid(padding=(0, 1))
    lines.add_column(no_wrap=True)
    lines.add_column(ratio=1)
    for flip in shown:
        lines.add_row("-", escape(flip.describe(questions or {}, decision.options)))
    console.print(Padding(lines, (0, 0, 0, 2)))
    if limit is not None and len(found) > limit:
        console.print(f"  [dim]{len(found) - limit} more: advisor flips FILE[/]")


def plan(console: Console, decision: Decision, registry: Registry) -> None:
    """The plan: today's step, then each step after it with what starts it, in words."""
    found = decision.plan
    if found is None:
        return
    from advisor.core.base.labels import Words
    from advisor.core.exploration.plan import NOTHING_MOVES_IT

    console.print()
    console.print("[bold]Plan[/]")
    said = found.describe(Words(registry.questions, decision.options))
    for number, step in enumerate(said, 1):
        console.print(Padding(f"{number}. {escape(step)}", (0, 0, 0, 2)))
    if len(said) == 1:
        console.print(Padding(NOTHING_MOVES_IT, (0, 0, 0, 2)))


def when_to_revisit(console: Console, decision: Decision, registry: Registry) -> None:
    """When to look again, and what should bring it sooner, in words (prompts and labels)."""
    if decision.revisit is None:
        return
    from advisor.core.exploration.revisit import revisit

    when = revisit(
        decision,
        decision.revisit.made_on,
        questions=registry.questions,
        options=decision.options,
    )
    console.print()
    console.print(f"[bold]Revisit[/] by {when.date.isoformat()}: {escape(when.reason)}")
    for trigger in when.triggers:
        console.print(Padding(f"- or sooner {escape(trigger)}", (0, 0, 0, 2)))


def whatif(
    console: Console,
    changes: list[str],
    was: dict[str, Any],
    now: dict[str, Any],
    difference: dict[str, Any],
    catalogue: Any,
) -> None:
    """The result with changes beside the result without them."""
    console.print(f"What if {escape(', '.join(changes))}:")
    verdict = "changes" if difference["recommendation"] else "stays"
    console.print(
        f"  recommendation {verdict}: {was['recommendation']} ({was['confidence']}) -> "
        f"[bold]{now['recommendation']}[/] ({now['confidence']})"
    )
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for name in ("option", "score before", "after", "a month before", "after"):
        table.add_column(name, justify="left" if name == "option" else "right")

    def cell(summary: dict[str, Any], oid: str) -> str:
        return str(catalogue.money(summary["usd_per_month"].get(oid)))

    def score(summary: dict[str, Any], oid: str) -> str:
        out = " (out)" if oid in summary["eliminated"] else ""
        return f"{points(summary['scores'][oid])}{out}"

    for oid in was["scores"]:
        table.add_row(oid, score(was, oid), score(now, oid), cell(was, oid), cell(now, oid))
    console.print(Padding(table, (0, 0, 0, 2)))
    if difference["rules_started"]:
        console.print(f"  rules now firing: {', '.join(difference['rules_started'])}")
    if difference["rules_stopped"]:
        console.print(f"  rules no longer firing: {', '.join(difference['rules_stopped'])}")
