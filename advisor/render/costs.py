"""The cost section of the terminal output: each option's bill, the horizon and break-even."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table

from advisor.core.engine import Decision


def _money(usd: float | None, cat: Any) -> str:
    return cat.money(usd)


def costs(console: Console, decision: Decision, cat: Any) -> None:
    """What each option would cost, worked out from the answers and the catalogue."""
    from advisor.core.report import bills_for

    found, error = bills_for(decision, cat)
    if found is None:
        console.print()
        console.print(f"[bold]Costs[/]: not worked out ({escape(str(error))})")
        return
    console.print()
    console.print(
        f"[bold]Costs[/] a month and over {found.horizon_months} months, API prices halving "
        f"every {found.halving_months:g} months (hosted prices as of {cat.price_date}; "
        "figures: advisor catalogue)"
    )
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("option")
    table.add_column("a month", justify="right")
    table.add_column("per M tokens", justify="right")
    table.add_column(f"{found.horizon_months} months", justify="right")
    table.add_column("GPUs, use", justify="right")
    table.add_column("p95 call", justify="right")
    needs: list[str] = []
    for oid, bill in found.options.items():
        if bill.missing:
            needs.append(f"{oid} needs {', '.join(bill.missing)}")
        use = ""
        if bill.route == "vendor":
            use = "vendor-tuned"
        elif bill.gpus and bill.utilisation is not None:
            share = (
                f"{bill.utilisation:.0%}"
                if bill.utilisation >= 0.1
                else f"{bill.utilisation:.1%}"
                if bill.utilisation >= 0.001
                else "<0.1%"
            )
            use = f"{bill.gpus} {(bill.gpu or '').upper()}, {share}"
        table.add_row(
            oid,
            _money(bill.usd_per_month, cat),
            _money(bill.usd_per_mtok, cat),
            _money(found.horizon_usd[oid], cat),
            use,
            "-"
            if found.p95_latency_ms.get(oid) is None
            else f"{found.p95_latency_ms[oid]:,.0f} ms",
        )
    console.print(table)
    for oid, at in found.break_even_requests.items():
        later = found.break_even_requests_horizon[oid]
        if at is not None:
            tail = f", {later:,.0f} over the horizon as API prices fall" if later else ""
            console.print(
                Padding(
                    f"{oid} costs the same as the API at {at:,.0f} requests a month{tail}",
                    (0, 0, 0, 2),
                )
            )
    for line in needs:
        console.print(f"  [dim]{escape(line)}[/]")
