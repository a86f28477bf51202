"""The recommendation and its reasons (`advisor recommend`): the option chosen with its confidence,
the options' points and standing, the points for and against the choice, the bills weighed and the
advice."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from advisor.core.answers.document import AnswersFile
from advisor.core.base.numbers import points
from advisor.core.decision.engine import Decision
from advisor.core.decision.registry import Registry
from advisor.render.parts import confidence_reason, grid, standing

BAR_WIDTH = 20


def _bar(score: float, scale: float) -> Text:
    if scale <= 0:
        return Text("")
    cells = round(abs(score) / scale * BAR_WIDTH)
    return Text(("█" if score >= 0 else "▒") * cells, style="green" if score >= 0 else "red")


def outcome(console: Console, decision: Decision, registry: Registry, answers: AnswersFile) -> None:
    """The answers' title and situation, the recommendation, where every option stands, and why."""
    if answers.title:
        console.print(Text(answers.title, style="bold"))
    if answers.why:
        console.print(Text(" ".join(answers.why.split()), style="dim"))
        console.print()
    rec = decision.recommendation
    if rec is None:
        console.print(
            "[bold red]No option remains:[/] every option is ruled out by a hard "
            "constraint (see below)."
        )
    else:
        label = registry.options[rec].label
        console.print(
            f"Recommendation: [bold]{escape(label)}[/] ([cyan]{rec}[/])  "
            f"confidence: [bold]{decision.confidence}[/] "
            f"({escape(confidence_reason(decision, registry))})"
        )
        holds = decision.options[rec].holds
        if holds:
            console.print(
                "[bold yellow]First[/], as every other option is ruled out or held back "
                "further, meet what holds it back:"
            )
            for r, f in holds:
                console.print(Padding(f"- {r.code} {escape(f.because)}", (0, 0, 0, 2)))
    console.print()

    scale = max((abs(o.score) for o in decision.options.values()), default=0)
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("option")
    table.add_column("points", justify="right")
    table.add_column("")
    table.add_column("where it stands", ratio=1)
    for oid in [*decision.ranking, *(o for o in decision.options if o not in decision.ranking)]:
        opt = decision.options[oid]
        table.add_row(oid, points(opt.score), _bar(opt.score, scale), standing(decision, oid))
    console.print(table)

    if rec is not None:
        console.print()
        scored = [(r, f) for r, f in decision.options[rec].reasons if f.kind == "points"]
        if scored:
            console.print(f"[bold]Why {rec}[/] (points for and against it, economics first):")
            reasons = grid(3)
            for r, f in sorted(scored, key=lambda rf: rf[0].stage != "economics"):
                reasons.add_row(r.code, points(f.points), escape(f.because))
            console.print(Padding(reasons, (0, 0, 0, 2)))
        else:
            console.print(
                f"[bold]Why {rec}[/]: no rule gave it points for or against; it ranks first "
                "at the gates, or on effort where points tie."
            )
    economics = [
        (res.rule, f)
        for res in decision.results
        if res.rule.stage == "economics"
        for f in res.findings
        if f.option is not None
    ]
    if economics:
        console.print()
        against = (
            "against the API's"
            if "api" in decision.options and not decision.options["api"].eliminated
            else "against the cheapest option's, the API being ruled out"
        )
        console.print(f"[bold]The bills, weighed[/] (economics: {against})")
        bills = grid(3)
        for r, f in economics:
            shown = points(f.points) if f.kind == "points" else "tie"
            bills.add_row(f"{r.code} {f.option}", shown, escape(f.because))
        console.print(Padding(bills, (0, 0, 0, 2)))
    notes = [
        (res.rule, f)
        for res in decision.results
        if res.rule.stage != "economics"
        for f in res.findings
        if f.kind == "note"
    ]
    if notes:
        console.print()
        console.print("[bold]Advice[/]")
        advice = grid(2)
        for r, f in notes:
            scope = f" ({f.option})" if f.option else ""
            advice.add_row(r.code, escape(f.because) + scope)
        console.print(Padding(advice, (0, 0, 0, 2)))
