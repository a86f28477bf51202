"""Pieces the text output of more than one command prints: a wrapping grid, a rule's source in a
column, where an option stands, the confidence in words, a value as shown, and plugin problems."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from advisor.core.decision.engine import Decision
from advisor.core.decision.registry import Registry


def grid(columns: int) -> Table:
    """An indented borderless table whose last column wraps under itself, not under the first."""
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True, min_width=8)
    if columns == 3:
        table.add_column(justify="right", no_wrap=True, min_width=3)
    table.add_column(ratio=1)
    return table


def short_source(rule: Any) -> str:
    """A column-sized source: the principles it cites, or the start of its source text."""
    if rule.principles:
        return "P" + ", P".join(map(str, rule.principles))
    text = rule.source.split(";")[0]
    return text if len(text) <= 30 else text[:29] + "…"


def standing(decision: Decision, oid: str) -> Text:
    """Where an option stands: recommended, or the stage where it fell and why."""
    opt = decision.options[oid]
    if oid == decision.recommendation:
        return Text("recommended", style="bold green")
    if opt.eliminated:
        why = "; ".join(f"{r.code} {f.because}" for r, f in opt.vetoes)
        return Text(f"ruled out (constraint): {why}", style="red")
    if not opt.fell_at:
        return Text(f"#{decision.ranking.index(oid) + 1}")
    return Text(opt.standing, style="yellow" if opt.held else "")


def confidence_reason(decision: Decision, registry: Registry) -> str:
    """Why the confidence is what it is, in words (the JSON keeps the ids)."""
    from advisor.core.exploration.confidence import judge

    return judge(decision, questions=registry.questions, options=decision.options).reason


def show(value: Any) -> str:
    """A value as the text output shows it: a number with separators, a list in brackets."""
    if value is None:
        return "unknown"
    if isinstance(value, frozenset | set):
        return "[" + ", ".join(sorted(map(str, value))) + "]"
    if hasattr(value, "horizon_usd"):  # the cost model's bills
        return "the bills (see Costs)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, float):
        if value.is_integer():
            return f"{int(value):,}"
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def faults(console: Console, registry: Registry, decision: Decision | None = None) -> None:
    """The plugins' problems, loading them and (given a decision) working out its facts."""
    if decision is not None:
        _ = decision.facts  # every fact worked out, so that one that fails is reported too
    found = [*registry.faults, *(decision.faults if decision else [])]
    if found:
        console.print()
        console.print("[bold red]Plugin problems[/] (the rest kept working)")
        for fault in found:
            console.print(f"  {escape(fault.render())}")
