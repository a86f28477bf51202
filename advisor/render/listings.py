"""The listings of what the advisor knows: its questions (`advisor questions`), plugins (`advisor
plugins`), rules (`advisor rules`), the cost catalogue's figures and prices (`advisor catalogue`)
and the hosted models (`advisor models`)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from advisor.core.decision.registry import Registry
from advisor.render.parts import faults, short_source, show


def questions(console: Console, registry: Registry) -> None:
    for section in registry.sections:
        console.print(
            f"[bold]{section.id}[/]: {escape(section.title)}  [dim](from {section.origin})[/]"
        )
        for q in section.questions:
            default = f"; default {show(q.default)}" if q.default is not None else ""
            unit = f" ({q.unit})" if q.unit else ""
            console.print(
                Padding(
                    f"[cyan]{q.qid}[/] {escape(f'[{q.type}]')} {escape(q.prompt)}", (0, 0, 0, 2)
                )
            )
            lines = [f"allowed: {escape(q.allowed())}{unit}{default}"]
            if q.visible_if:
                cond = "; ".join(
                    f"{k} is {' or '.join(map(show, v))}" for k, v in q.visible_if.items()
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
    faults(console, registry)


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
            escape(short_source(item)),
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
