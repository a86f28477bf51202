"""Terminal output with rich: the recommendation, the EXPLAIN table, questions, plugins and rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from advisor.core.answers.document import AnswersFile
from advisor.core.answers.questionnaire import Question
from advisor.core.base import labels
from advisor.core.base.numbers import points
from advisor.core.decision.engine import Decision
from advisor.core.decision.registry import Registry
from advisor.core.decision.rules import STAGES

BAR_WIDTH = 20


def _bar(score: float, scale: float) -> Text:
    if scale <= 0:
        return Text("")
    cells = round(abs(score) / scale * BAR_WIDTH)
    return Text(("█" if score >= 0 else "▒") * cells, style="green" if score >= 0 else "red")


def _grid(columns: int) -> Table:
    """An indented borderless table whose last column wraps under itself, not under the first."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, min_width=8)
    if columns == 3:
        grid.add_column(justify="right", no_wrap=True, min_width=3)
    grid.add_column(ratio=1)
    return grid


def _short_source(rule: Any) -> str:
    """A column-sized source: the principles it cites, or the start of its source text."""
    if rule.principles:
        return "P" + ", P".join(map(str, rule.principles))
    text = rule.source.split(";")[0]
    return text if len(text) <= 30 else text[:29] + "…"


def _standing(decision: Decision, oid: str) -> Text:
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


def recommendation(
    console: Console,
    decision: Decision,
    registry: Registry,
    answers: AnswersFile,
    catalogue: Any = None,
) -> None:
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
            f"confidence: [bold]{decision.confidence}[/] ({escape(_reason(decision, registry))})"
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
        table.add_row(oid, points(opt.score), _bar(opt.score, scale), _standing(decision, oid))
    console.print(table)

    if rec is not None:
        console.print()
        scored = [(r, f) for r, f in decision.options[rec].reasons if f.kind == "points"]
        if scored:
            console.print(f"[bold]Why {rec}[/] (points for and against it, economics first):")
            reasons = _grid(3)
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
        bills = _grid(3)
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
        advice = _grid(2)
        for r, f in notes:
            scope = f" ({f.option})" if f.option else ""
            advice.add_row(r.code, escape(f.because) + scope)
        console.print(Padding(advice, (0, 0, 0, 2)))
    if catalogue is not None:
        from advisor.render.costs import costs

        costs(console, decision, catalogue, registry.questions)
        console.print()
        flips(console, decision, decision.flips or [], 3, registry.questions)
        _revisit(console, decision, registry)
    _unknowns(console, decision, registry)
    _faults(console, registry, decision)
    console.print()
    console.print("[dim]Every rule, fired or not: advisor explain FILE[/]")


def _reason(decision: Decision, registry: Registry) -> str:
    """Why the confidence is what it is, in words (the JSON keeps the ids)."""
    from advisor.core.exploration.confidence import judge

    return judge(decision, questions=registry.questions, options=decision.options).reason


def _unknowns(console: Console, decision: Decision, registry: Registry) -> None:
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


def _faults(console: Console, registry: Registry, decision: Decision | None = None) -> None:
    if decision is not None:
        _ = decision.facts  # every fact worked out, so that one that fails is reported too
    faults = [*registry.faults, *(decision.faults if decision else [])]
    if faults:
        console.print()
        console.print("[bold red]Plugin problems[/] (the rest kept working)")
        for fault in faults:
            console.print(f"  {escape(fault.render())}")


def explain(
    console: Console,
    decision: Decision,
    registry: Registry,
    answers: AnswersFile,
    catalogue: Any = None,
) -> None:
    """Every rule, fired or not: like EXPLAIN for a query plan."""
    rec = decision.recommendation or "nothing (every option ruled out)"
    console.print(
        f"[bold]{escape(answers.title or answers.name)}[/]: recommends [cyan]{rec}[/], "
        f"confidence {decision.confidence} ({escape(_reason(decision, registry))})"
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
    stages = _grid(2)
    for oid in [*decision.ranking, *(o for o in decision.options if o not in decision.ranking)]:
        opt = decision.options[oid]
        split = f" (economics {points(opt.economics)}, preferences {points(opt.preferences)})"
        stages.add_row(oid, Text.assemble(_standing(decision, oid), split if opt.score else ""))
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
                    escape(_short_source(rule)),
                )
        else:
            read = ", ".join(
                f"{k}={_show(values[k] if k in values else _fact(decision, k))}" for k in rule.reads
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
                Text(_short_source(rule), style="dim"),
            )
    console.print(table)
    if catalogue is not None:
        from advisor.render.costs import costs

        costs(console, decision, catalogue, registry.questions)
    _unknowns(console, decision, registry)
    _faults(console, registry, decision)


def _fact(decision: Decision, key: str) -> Any:
    view = decision.view
    return view[key] if view is not None and key in view._facts else None


def _show(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, frozenset | set):
        return "[" + ", ".join(sorted(map(str, value))) + "]"
    if hasattr(value, "horizon_usd"):  # the cost model's bills
        return "the bills (see Costs)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, float):
        if value.is_integer():
            return f"{int(value):,}"
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def questions(console: Console, registry: Registry) -> None:
    for section in registry.sections:
        console.print(
            f"[bold]{section.id}[/]: {escape(section.title)}  [dim](from {section.origin})[/]"
        )
        for q in section.questions:
            default = f"; default {_show(q.default)}" if q.default is not None else ""
            unit = f" ({q.unit})" if q.unit else ""
            console.print(
                Padding(
                    f"[cyan]{q.qid}[/] {escape(f'[{q.type}]')} {escape(q.prompt)}", (0, 0, 0, 2)
                )
            )
            lines = [f"allowed: {escape(q.allowed())}{unit}{default}"]
            if q.visible_if:
                cond = "; ".join(
                    f"{k} is {' or '.join(map(_show, v))}" for k, v in q.visible_if.items()
                )
                lines.append(f"asked when {escape(cond)}")
            lines.append(f"[dim]why: {escape(' '.join(q.why.split()))}[/]")
            for line in lines:
                console.print(Padding(line, (0, 0, 0, 6)))
        console.print()


def plugins(console: Console, registry: Registry, verbose: bool = False) -> None:
    from advisor.plugins import HOOK_API

    table = Table(show_header=True, header_style="bold", expand=True)
    table.add_column("plugin", no_wrap=True)
    table.add_column("version", no_wrap=True)
    table.add_column("origin")
    table.add_column("hooks" if verbose else "contributes", ratio=1)
    for info in registry.plugins:
        origin = info.origin + (f": {info.distribution}" if info.distribution else "")
        what = "; ".join(f"{k}: {', '.join(v)}" for k, v in info.contributes.items()) or "nothing"
        if verbose:
            what = ", ".join(dict.fromkeys(info.hooks)) or "none"
            what += "\n" + "; ".join(f"{k}: {', '.join(v)}" for k, v in info.contributes.items())
        if info.disabled:
            what = f"not loaded: {info.disabled}"
        table.add_row(
            escape(info.name),
            info.version or "-",
            f"{escape(origin)}\n[dim]{escape(info.module)}[/]",
            escape(what),
        )
    console.print(table)
    if verbose:
        console.print(f"hook API {HOOK_API}")
    _faults(console, registry)


def rules(console: Console, registry: Registry) -> None:
    table = Table(show_header=True, header_style="bold", expand=True)
    table.add_column("code", no_wrap=True)
    table.add_column("title")
    table.add_column("stage", no_wrap=True)
    table.add_column("fires when", ratio=2, min_width=20)
    table.add_column("source")
    table.add_column("plugin")
    for item in registry.rules:
        table.add_row(
            item.code,
            escape(item.title),
            item.stage,
            escape(item.fires_when),
            escape(_short_source(item)),
            item.plugin,
        )
    console.print(table)


def catalogue(
    console: Console,
    cat: Any,
    figures: list[Any],
    prices: list[Any],
    missing: list[str],
    today: str,
    *,
    stale_only: bool = False,
) -> None:
    """The figures the cost model uses, with their age, and the hosted models' prices, each dated
    and sourced."""
    if stale_only:
        console.print(
            f"[bold]{len(figures)} figures older than twelve months[/] on {today} "
            "(datasheets, which do not age, left out)"
        )
        console.print()
    group = None
    for fig in figures:
        head = fig.key.split(".")[0]
        if head != group:
            if group is not None:
                console.print()
            console.print(f"[bold]{escape(head)}[/]")
            group = head
        overridden = fig.origin.startswith(("--set", "config"))
        mark = " [bold yellow](overridden)[/]" if overridden else ""
        if fig.reference:
            mark += " [dim](for reference, not read by the bills)[/]"
        low, high = cat.range_of(fig.key)
        span = (
            "exact"
            if low == high
            else f"{low:,.6g} to {high:,.6g}"
            + ("" if fig.low is not None else " by the default spread")
        )
        age = fig.age_months(today)
        aged = f", {age} months old" if age else ""
        if fig.stale(today):
            aged += " [bold yellow](stale)[/]"
        console.print(
            Padding(
                f"[cyan]{escape(fig.key)}[/] = {fig.value:,.6g} {escape(fig.unit)} "
                f"[dim]({span}), as of {fig.as_of}[/]{aged}{mark}",
                (0, 0, 0, 2),
            )
        )
        source = f"{fig.source}; {fig.note}" if fig.note else fig.source
        console.print(Padding(Text(" ".join(source.split()), style="dim"), (0, 0, 0, 6)))
    if stale_only:
        return
    console.print()
    console.print(
        "[bold]Hosted models offered[/], US dollars per million tokens, prices as of "
        f"{cat.price_date} (any other: advisor models SEARCH)"
    )
    table = Table(show_header=True, header_style="bold", expand=True)
    table.add_column("model", ratio=1)
    table.add_column("tier", no_wrap=True)
    table.add_column("input", justify="right", no_wrap=True)
    table.add_column("cached", justify="right", no_wrap=True)
    table.add_column("output", justify="right", no_wrap=True)
    table.add_column("batch", justify="right", no_wrap=True)
    for price in prices:
        batch = "-" if price.batch is None else f"{price.batch[1].base / price.output.base:.0%}"
        table.add_row(
            f"{escape(price.model.label)}\n[dim]{escape(price.model.ref)}[/]",
            price.model.tier,
            f"{price.input.base:,.4g}",
            f"{price.cached_usd_per_mtok:,.4g}",
            f"{price.output.base:,.4g}",
            batch,
        )
    console.print(table)
    console.print(
        "[dim]cached: the price of prompt tokens read from the vendor's cache; batch: the batch "
        "price as a share of the standard one (- when the vendor has none in genai-prices)[/]"
    )
    if missing:
        console.print(
            f"[yellow]No price found for[/] {', '.join(missing)}: give one with --set "
            "price.MODEL.input_usd_per_mtok=... and .output_usd_per_mtok=..."
        )
    if cat.currency.code != "USD":
        console.print(f"Currency: {cat.currency.code} at {cat.currency.per_usd:g} per US dollar")


def models(console: Console, cat: Any, prices: list[Any], search: str) -> None:
    """Hosted models and their prices: the name to write in an answers file, and what it costs."""
    if not prices:
        console.print(
            f"No hosted model matches {search!r}; try fewer words, or a vendor's name"
            if search
            else "No hosted model is offered"
        )
        return
    heading = f"matching {search!r}" if search else "offered"
    console.print(
        f"[bold]Hosted models {escape(heading)}[/], US dollars per million tokens, prices as of "
        f"{cat.price_date}; write the name in cost.api_model"
    )
    table = Table(show_header=True, header_style="bold", expand=True)
    table.add_column("model", ratio=1)
    table.add_column("name to write", ratio=1, overflow="fold")
    table.add_column("in", justify="right", no_wrap=True)
    table.add_column("cached", justify="right", no_wrap=True)
    table.add_column("out", justify="right", no_wrap=True)
    notes = []
    for price in prices:
        model = price.model
        status = model.status(price.as_of)
        mark = ""
        if status:
            notes.append(f"{model.ref}: {status}")
            mark = f" [yellow]({len(notes)})[/]"
        cached = price.cached_input.base if price.cached_input is not None else None
        table.add_row(
            escape(model.label) + mark,
            escape(model.ref),
            f"{price.input.base:,.4g}",
            "-" if cached is None else f"{cached:,.4g}",
            f"{price.output.base:,.4g}",
        )
    console.print(table)
    for number, note in enumerate(notes, 1):
        console.print(f"[yellow]({number})[/] {escape(note)}")


def _revisit(console: Console, decision: Decision, registry: Registry) -> None:
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


__all__ = [
    "catalogue",
    "explain",
    "flips",
    "plugins",
    "questions",
    "recommendation",
    "rules",
    "whatif",
]
