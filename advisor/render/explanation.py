"""The explanation of the rules (`advisor explain`): like EXPLAIN for a query plan, every rule, fired
or not, with what it found or when it would fire, after the procedure and where each option fell."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from advisor.core.answers.document import AnswersFile
from advisor.core.base.numbers import points
from advisor.core.decision.engine import Decision
from advisor.core.decision.registry import Registry
from advisor.core.decision.rules import STAGES
from advisor.render.parts import confidence_reason, grid, short_source, show, standing


def explanation(
    console: Console, decision: Decision, registry: Registry, answers: AnswersFile
) -> None:
    """The result in a line, the stage where each option fell, then the table of every rule."""
    rec = decision.recommendation or "nothing (every option ruled out)"
    console.print(
        f"[bold]{escape(answers.title or answers.name)}[/]: recommends [cyan]{rec}[/], "
        f"confidence {decision.confidence} ({escape(confidence_reason(decision, registry))})"
    )
    totals = "  ".join(
        f"{oid} {points(o.score)}" + (" (ruled out)" if o.eliminated else "")
        for oid, o in decision.options.items()
    )
    console.print(f"Scores: {totals}")
    console.print()
    console.print(
        "[bold]The procedure[/]: constraints rule options out, gates hold back those whose "
        "preconditions are not met, then the bills (economics) and the remaining points "
        "(preferences) rank what is left."
    )
    stages = grid(2)
    for oid in [*decision.ranking, *(o for o in decision.options if o not in decision.ranking)]:
        opt = decision.options[oid]
        split = f" (economics {points(opt.economics)}, preferences {points(opt.preferences)})"
        stages.add_row(oid, Text.assemble(standing(decision, oid), split if opt.score else ""))
    console.print(Padding(stages, (0, 0, 0, 2)))
    console.print()
    table = Table(show_header=True, header_style="bold", show_lines=False, expand=True)
    table.add_column("rule", no_wrap=True)
    table.add_column("stage", no_wrap=True)
    table.add_column("option", no_wrap=True)
    table.add_column("found", justify="right", no_wrap=True)
    table.add_column("reason / why not", ratio=1, overflow="fold")
    table.add_column("source", no_wrap=True)
    values = decision.resolved.values
    order = {stage: i for i, stage in enumerate(STAGES)}
    for res in sorted(
        decision.results, key=lambda r: (not r.fired, order[r.rule.stage], r.rule.code)
    ):
        rule = res.rule
        if res.fired:
            for f in res.findings:
                pts = points(f.points) if f.kind == "points" else f.kind
                table.add_row(
                    rule.code,
                    rule.stage,
                    f.option or "(all)",
                    pts,
                    escape(f.because),
                    escape(short_source(rule)),
                )
        else:
            read = ", ".join(
                f"{k}={show(values[k] if k in values else _fact(decision, k))}" for k in rule.reads
            )
            why = (
                f"error: {res.error}"
                if res.error
                else f"fires when {rule.fires_when}" + (f"; read {read}" if read else "")
            )
            table.add_row(
                rule.code,
                Text(rule.stage, style="dim"),
                "",
                Text("error" if res.error else "quiet", style="dim"),
                Text(why, style="dim"),
                Text(short_source(rule), style="dim"),
            )
    console.print(table)


def _fact(decision: Decision, key: str) -> Any:
    view = decision.view
    return view[key] if view is not None and key in view._facts else None
