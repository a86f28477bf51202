"""The cost model: every option's bill a month and over a horizon, with the range its figures allow,
from the pricings plugins give (advisor/costs/bill.py) and the cost catalogue.

It knows no option and no question: each :class:`~advisor.costs.bill.Pricing` names the option it
prices and what it reads. Every figure comes from the catalogue by key, so a user can see and
override it; the built-in bills are written out in words in docs/costs.md. Money is in US dollars
here; the catalogue's currency is applied only when figures are shown.

Each bill is worked out three times: with every figure at its value, at the end of its range that
makes the bill cheapest, and at the end that makes it dearest. The horizon total is the monthly bill
times the months, with the prices of a pricing that declines (the API's) falling as it says.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from advisor.core.base.guard import guarded, printed_message
from advisor.costs.bill import Ages, Decline, OpenEndpoint, OptionCost, Pricing
from advisor.costs.breakeven import break_even
from advisor.costs.catalogue import SPREAD_KEY
from advisor.costs.figures import STALE_MONTHS, months_between

if TYPE_CHECKING:
    from advisor.core.decision.rules import Fact
    from advisor.costs.catalogue import Catalogue
    from advisor.costs.figures import Figure

BILLS_FACT = "bills"


@dataclass
class Costs:
    """Every option's bill and range, over the horizon too, and the volume at which each meets the
    yardstick's."""

    options: dict[str, OptionCost]
    horizon_months: int
    falling: Decline | None
    decline: tuple[float, float, float]  # the yardstick's prices over the horizon, as a share
    horizon_usd: dict[str, float | None]
    horizon_low_usd: dict[str, float | None]
    horizon_high_usd: dict[str, float | None]
    p95_latency_ms: dict[str, float | None] = field(default_factory=dict)
    open_endpoint: OpenEndpoint | None = None  # the open model to host, on a hosted endpoint
    error: str | None = None
    answers: Mapping[str, Any] = field(default_factory=dict, repr=False)
    catalogue: Catalogue | None = field(default=None, repr=False)
    pricings: tuple[Pricing, ...] = field(default=(), repr=False)
    faults: list[tuple[str, str, str]] = field(default_factory=list)  # plugin, option, message
    trusted: frozenset[str] = field(default=frozenset(), repr=False)  # plugins run unguarded
    memo: dict[Any, Any] = field(default_factory=dict, repr=False)  # what rules work out from it

    @cached_property
    def break_even_requests(self) -> dict[str, float | None]:
        """Option -> the requests a month at which it costs what the yardstick does today (None:
        the yardstick stays cheaper at any volume, or a bill is not known). Worked out when first
        asked: the decision itself does not need it."""
        return self._break_even(1.0)

    @cached_property
    def break_even_requests_horizon(self) -> dict[str, float | None]:
        """The same over the horizon, with the yardstick's prices falling as its trend says."""
        return self._break_even(self.decline[1])

    def _break_even(self, factor: float) -> dict[str, float | None]:
        out: dict[str, float | None] = {}
        stick = yardstick(self.pricings)
        for pricing in self.pricings:
            if not pricing.break_even or pricing is stick or pricing.option not in self.options:
                continue
            oid = pricing.option
            known = (
                self.catalogue is not None
                and stick is not None
                and self.known(oid)
                and self.options[stick.option].usd_per_month is not None
            )
            out[oid] = (
                break_even(self.answers, self.catalogue, pricing, stick, factor)  # type: ignore[arg-type]
                if known
                else None
            )
        return out

    def weighed(self, option: str) -> bool:
        """Whether the economics rule weighs this option's bill against the others."""
        return next((p.weighed for p in self.pricings if p.option == option), True)

    def ages(self, today: str) -> Ages:
        """How old the figures behind the bills are on ``today``: the oldest, and every one older
        than twelve months (datasheets and other facts that do not age left out)."""
        cat = self.catalogue
        used: dict[str, Figure] = {}
        for bill in self.options.values():
            for line in bill.lines:
                for key in line.figures:
                    fig = cat.figures.get(key) if cat is not None else None
                    if fig is not None and not fig.fixed:
                        used[key] = fig
        dated = [(fig.age_months(today), key, fig.as_of) for key, fig in used.items()]
        for bill in self.options.values():
            if bill.price_as_of:
                age = months_between(bill.price_as_of, today)
                dated.append((age, "hosted prices", bill.price_as_of))
                break
        if not dated:
            return Ages(None, ())
        dated.sort(key=lambda item: (-item[0], item[1]))
        stale = tuple(d for d in dated if d[0] > STALE_MONTHS)
        return Ages(dated[0], stale)

    def figures_used(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The catalogue keys behind these bills, each once, in the order first read: those the
        bills' lines used (the ones ``ages`` counts), then those that set how the yardstick's price
        falls over the horizon, the estimated latencies and the range of a figure that states
        none."""
        cat = self.catalogue
        lines = tuple(
            dict.fromkeys(
                key for bill in self.options.values() for line in bill.lines for key in line.figures
            )
        )
        if cat is None:
            return lines, ()
        more: list[str] = []
        stick = yardstick(self.pricings)
        if (
            self.falling is not None
            and stick is not None
            and self.options[stick.option].usd_per_month is not None
        ):
            more += self.falling.figures
        for pricing in self.pricings:
            bill = self.options.get(pricing.option)
            if pricing.figures is not None and bill is not None:
                more += pricing.figures(pricing.inputs(self.answers), cat, bill)
        ranged_ = [cat.figures.get(k) for k in lines]
        if any(f is not None and (f.low is None or f.high is None) for f in ranged_):
            more.append(SPREAD_KEY)
        seen = set(lines)
        others = tuple(k for k in dict.fromkeys(more) if k not in seen and k in cat.figures)
        return lines, others

    def known(self, option: str) -> bool:
        """Whether an option's bill is worked out in full (not missing, not only a floor)."""
        bill = self.options.get(option)
        return bill is not None and bill.usd_per_month is not None and not bill.floor

    def horizon(self, option: str) -> tuple[float, float, float] | None:
        """An option's bill over the horizon: (low, value, high); None when it has no bill."""
        value = self.horizon_usd.get(option)
        if value is None:
            return None
        low, high = self.horizon_low_usd.get(option), self.horizon_high_usd.get(option)
        return (value if low is None else low, value, value if high is None else high)


def yardstick(pricings: Iterable[Pricing]) -> Pricing | None:
    """The pricing the others are measured against (the API's), if one says it is."""
    return next((p for p in pricings if p.yardstick), None)


class _Priced:
    """Calls a pricing's functions, the built-ins' directly and others' under the guard, keeping
    what a plugin got wrong so the rest of the bills are still worked out."""

    def __init__(self, trusted: frozenset[str]):
        self.trusted = trusted
        self.faults: list[tuple[str, str, str]] = []

    def __call__(self, pricing: Pricing, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        if pricing.plugin in self.trusted:
            return fn(*args, **kw)
        said: list[str] = []
        try:
            found = guarded(fn, *args, printed=said.append, **kw)
        except Exception as exc:
            self.faults.append((pricing.plugin, pricing.option, f"{type(exc).__name__}: {exc}"))
            return None
        if said:
            self.faults.append((pricing.plugin, pricing.option, printed_message("".join(said))))
        return found


def _bill(pricing: Pricing, answers: Mapping[str, Any], cat: Catalogue, call: _Priced) -> Any:
    found = call(pricing, pricing.bill, answers, cat)
    if found is not None and not isinstance(found, OptionCost):
        call.faults.append(
            (pricing.plugin, pricing.option, f"bill gave {type(found).__name__}, not OptionCost")
        )
        return None
    return found


def priced(found: Costs, values: Mapping[str, Any], cat: Catalogue) -> dict[str, Any]:
    """The bills of ``found``'s options worked out again at ``values``, at the figures' values
    only (no range): what a sweep or a chart draws."""
    call = _Priced(found.trusted)
    return {
        p.option: _bill(p, p.inputs(values), cat, call)
        for p in found.pricings
        if p.option in found.options
    }


def ranged(
    pricing: Pricing, answers: Mapping[str, Any], cat: Catalogue, call: _Priced | None = None
) -> OptionCost | None:
    """A bill at the figures' values, with ``low_usd_per_month`` and ``high_usd_per_month`` from
    the cheap and dear ends of their ranges (on the route the values choose)."""
    call = call or _Priced(frozenset([pricing.plugin]))
    central = _bill(pricing, answers, cat, call)
    if central is None or central.usd_per_month is None:
        return central
    bill = pricing.routes.get(central.route, pricing.bill) if central.route else pricing.bill
    ends = []
    for bound in ("cheap", "dear"):
        other = call(pricing, bill, answers, cat, bound=bound)
        value = other.usd_per_month if isinstance(other, OptionCost) else None
        ends.append(central.usd_per_month if value is None else value)
    central.low_usd_per_month = min(ends[0], central.usd_per_month)
    high = max(ends[1], central.usd_per_month)
    central.high_usd_per_month = math.inf if central.floor else high
    return central


def costs(
    values: Mapping[str, Any],
    cat: Catalogue,
    pricings: Sequence[Pricing],
    horizon_months: int = 12,
    trusted: frozenset[str] = frozenset(),
) -> Costs:
    """Every option's monthly bill and range, and the horizon totals, a declining pricing's
    prices falling as it says (its range: faster and slower). ``values`` holds every answer and
    fact the pricings read."""
    call = _Priced(trusted)
    options: dict[str, OptionCost] = {}
    p95: dict[str, float | None] = {}
    falling: Decline | None = None
    endpoint: OpenEndpoint | None = None
    shares: dict[str, tuple[float, float, float]] = {}
    for pricing in pricings:
        answers = pricing.inputs(values)
        bill = ranged(pricing, answers, cat, call)
        if bill is None:
            continue  # the option cannot be priced from these answers: it has no bill
        options[pricing.option] = bill
        p95[pricing.option] = (
            call(pricing, pricing.p95_ms, answers, cat, bill)
            if pricing.p95_ms is not None
            else bill.p95_latency_ms
        )
        if pricing.endpoint is not None and endpoint is None:
            endpoint = call(pricing, pricing.endpoint, answers, cat)
        if pricing.decline is not None:
            found = call(pricing, pricing.decline, answers, cat, horizon_months)
            if isinstance(found, Decline):
                shares[pricing.option] = found.shares
                falling = falling or found
    value: dict[str, float | None] = {}
    low: dict[str, float | None] = {}
    high: dict[str, float | None] = {}
    months = float(horizon_months)
    for oid, bill in options.items():
        monthly = bill.usd_per_month
        if monthly is None:
            value[oid] = low[oid] = high[oid] = None
            continue
        lo = bill.low_usd_per_month if bill.low_usd_per_month is not None else monthly
        hi = bill.high_usd_per_month if bill.high_usd_per_month is not None else monthly
        fast, mid, slow = shares.get(oid, (1.0, 1.0, 1.0))
        value[oid], low[oid], high[oid] = (
            monthly * months * mid,
            lo * months * fast,
            hi * months * slow,
        )
    return Costs(
        options=options,
        horizon_months=horizon_months,
        falling=falling,
        decline=falling.shares if falling is not None else (1.0, 1.0, 1.0),
        horizon_usd=value,
        horizon_low_usd=low,
        horizon_high_usd=high,
        p95_latency_ms=p95,
        open_endpoint=endpoint,
        answers=dict(values),
        catalogue=cat,
        pricings=tuple(pricings),
        faults=call.faults,
        trusted=trusted,
    )


def unavailable(reason: str) -> Costs:
    """Bills that could not be worked out (a catalogue without the figures), and why."""
    return Costs({}, 0, None, (1.0, 1.0, 1.0), {}, {}, {}, error=reason)


def bills_fact(pricings: Sequence[Pricing], trusted: frozenset[str]) -> Fact:
    """The fact ``bills``: every option's bill, worked out once per set of inputs and catalogue
    from ``pricings``. What a plugin's pricing got wrong is reported as that plugin's fault, and
    the other bills stand."""
    from advisor.core.decision.rules import Fact

    reads = tuple(dict.fromkeys(key for p in pricings for key in p.reads))

    def compute(facts: Any) -> Costs:
        values = {key: facts[key] for key in reads}
        cat = facts.catalogue

        def work_out() -> Costs:
            try:
                return costs(values, cat, pricings, trusted=trusted)
            except KeyError as exc:  # a catalogue without the figures a bill needs
                return unavailable(str(exc.args[0]))

        found: Costs = cat.memo((BILLS_FACT, *values.values()), work_out)
        for plugin, option, message in found.faults:
            facts.report(plugin, f"bill of {option}", message)
        return found

    return Fact(
        name=BILLS_FACT,
        description="Every option's bill a month and over the horizon, each with the range its "
        "figures allow (docs/costs.md).",
        compute=compute,
        reads=reads,
        plugin="advisor",
    )
