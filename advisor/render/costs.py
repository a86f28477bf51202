"""The cost section of the terminal output: each option's bill and its range, the horizon and
break-even, all read off the decision (the engine worked them out once)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from advisor.core.answers.questionnaire import Question
from advisor.core.base import dates, labels, numbers
from advisor.core.decision.engine import Decision


def costs(
    console: Console,
    decision: Decision,
    cat: Any,
    questions: Mapping[str, Question] | None = None,
    *,
    labelled: bool = False,
) -> None:
    """What each option would cost, worked out from the answers and the catalogue. The table
    names options by id, as the ranking above it does (or by label, ``labelled``, where no id is
    shown anywhere: the terminal UI); the sentences by label, and questions by their prompts."""
    questions = questions or {}
    options = decision.options
    found, error = decision.costs, decision.cost_error
    if found is None:
        console.print()
        console.print(f"[bold]Costs[/]: not worked out ({escape(str(error))})")
        return
    falling = (
        f"; over the horizon {escape(found.falling.sentence(found.horizon_months))}"
        if found.falling is not None
        else ""
    )
    console.print()
    console.print(
        f"[bold]Costs[/] a month and over {found.horizon_months} months{falling}. Each range "
        "puts every figure at its cheap end, then its dear end (hosted prices as of "
        f"{cat.price_date}; figures: advisor catalogue)"
    )
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    narrow = labelled and console.width < 110  # a label wraps in two lines, or has its room
    table.add_column("option", max_width=16 if narrow else None, no_wrap=not narrow)
    table.add_column("a month", justify="right", no_wrap=True)
    table.add_column(f"{found.horizon_months} months", justify="right", no_wrap=True)
    table.add_column("range", justify="right", no_wrap=True)
    table.add_column("per Mtok", justify="right", no_wrap=True)
    table.add_column("GPUs, use", justify="right")
    table.add_column("p95 call", justify="right")
    needs: list[str] = []
    for oid, bill in found.options.items():
        name = labels.option(options, oid)
        if bill.missing:
            needed = [
                f'an answer to "{labels.question(questions, m)}?"' if m in questions else m
                for m in bill.missing
            ]
            hint = bill.hinted(decision)
            needs.append(f"{name} needs {'; '.join(needed)}" + (f"; {hint}" if hint else ""))
        elif bill.floor:
            given = "; ".join(
                f'with "{labels.question(questions, k)}?" not answered, it takes '
                f"{labels.value(questions, k, v)}"
                for k, v in bill.assumed.items()
            )
            needs.append(f"{name} is at least this much: {given}")
        use = ""
        if bill.route == "vendor":
            use = "vendor-tuned"
        elif bill.gpus and bill.utilisation is not None:
            gpus = f"{numbers.number(round(bill.gpus, 1))} {(bill.gpu or '').upper()}"
            use = f"{gpus} {numbers.share(bill.utilisation)}"
        span = found.horizon(oid)
        least = "≥ " if bill.floor else ""
        table.add_row(
            name if labelled else oid,
            least + cat.money(bill.usd_per_month),
            least + cat.money(span[1]) if span else "-",
            numbers.range_short(span[0], span[2], cat.currency) if span else "-",
            least + cat.money(bill.usd_per_mtok) if bill.usd_per_mtok is not None else "-",
            use,
            "-"
            if found.p95_latency_ms.get(oid) is None
            else f"{found.p95_latency_ms[oid]:,.0f} ms",
        )
    console.print(table)
    for oid, at in found.break_even_requests.items():
        later = found.break_even_requests_horizon[oid]
        if at is not None:
            tail = f", {numbers.count(later)} over the horizon as API prices fall" if later else ""
            console.print(
                Padding(
                    f"{labels.option(options, oid)} costs the same as the API at "
                    f"{numbers.count(at)} requests a month{tail}",
                    (0, 0, 0, 2),
                )
            )
    for line in needs:
        console.print(Padding(Text(line, style="dim"), (0, 0, 0, 2)))
    road = found.open_endpoint
    if road is not None:
        console.print(
            Padding(
                f"The open model on a hosted endpoint instead: {escape(road.label)}, "
                f"{cat.money(road.usd_per_month)} a month; the same weights with no GPUs to run, "
                f"a step toward hosting them yourself (cost.api_model: {escape(road.model)})",
                (0, 0, 0, 2),
            )
        )
    for note in dict.fromkeys(n for bill in found.options.values() for n in bill.notes):
        console.print(Padding(Text(f"Note: {note}", style="yellow"), (0, 0, 0, 2)))
    ages = found.ages(dates.today().isoformat())
    console.print(
        Padding(
            Text(f"Figures: {ages.sentence()}", style="yellow" if ages.stale else "dim"),
            (0, 0, 0, 2),
        )
    )
