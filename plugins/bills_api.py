"""Built-in bill of the hosted API: requests x tokens x the model's list prices, its latency, how
its prices fall over the horizon, and the open model on a hosted endpoint (docs/costs.md).

Given to the cost model as a :class:`advisor.costs.bill.Pricing` by the plugin ``costs``; the
API's bill is the yardstick the other bills are measured against.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from advisor.core.base import numbers
from advisor.costs.bill import Decline, Line, OpenEndpoint, OptionCost, Pricing
from advisor_plugins._pack import API

if TYPE_CHECKING:
    from advisor.costs.catalogue import Catalogue

VOLUME = (
    "scale.requests_per_month",
    "scale.input_tokens_per_request",
    "scale.output_tokens_per_request",
)
SHARES = ("scale.cached_input_share", "scale.batch_share")


def tokens(answers: Mapping[str, Any]) -> tuple[float, float, float] | None:
    requests = answers.get("scale.requests_per_month")
    tin = answers.get("scale.input_tokens_per_request")
    tout = answers.get("scale.output_tokens_per_request")
    if requests is None or tin is None or tout is None:
        return None
    return float(requests), float(tin), float(tout)


def api_cost(answers: Mapping[str, Any], cat: Catalogue, bound: str | None = None) -> OptionCost:
    """requests x one request's price at the hosted model's rates on the catalogue's date: input
    tokens (the share served from the vendor's prompt cache at the cached price), output tokens,
    and the share of calls that can wait sent through the vendor's batch interface at its batch
    rates. List prices are exact, so ``bound`` changes nothing here; the API's uncertainty is in
    how its prices fall."""
    out = OptionCost(API)
    volume = tokens(answers)
    model = answers.get("cost.api_model")
    if volume is None:
        out.missing.append("scale.requests_per_month")
    if model is None:
        out.missing.append("cost.api_model")
    if out.missing:
        return out
    assert volume is not None
    requests, tin, tout = volume
    price = cat.hosted_price(str(model))
    cached = float(answers.get("scale.cached_input_share") or 0.0)
    waits = float(answers.get("scale.batch_share") or 0.0)
    now = price.per_request(tin, tout, cached)
    later = price.per_request(tin, tout, cached, batch=True) if waits else now
    per_call = (1 - waits) * now + waits * later
    out.lines.append(
        Line(
            f"{price.model.label} tokens",
            requests * per_call,
            lambda: _api_working(requests, tin, tout, cached, waits, price, per_call),
        )
    )
    out.tokens_per_month = requests * (tin + tout)
    out.price_as_of = price.as_of
    status = price.model.status(price.as_of)
    if status:
        out.notes.append(status)
    for when, tokens_in, tokens_out in price.changes[:1]:
        out.notes.append(
            f"{price.model.label}: its list price changes on {when} to ${tokens_in:g} in and "
            f"${tokens_out:g} out per million tokens (genai-prices)"
        )
    return out


def _api_working(
    requests: float,
    tin: float,
    tout: float,
    cached: float,
    waits: float,
    price: Any,
    per_call: float,
) -> str:
    rates = (
        f"{tin:,.0f} in at ${price.input.at(tin):g}, {tout:,.0f} out at ${price.output.at(tin):g}"
    )
    if cached:
        cache_rate = (price.cached_input or price.input).at(tin)
        rates += f", {numbers.share(cached)} of the input cached at ${cache_rate:g}"
    text = f"{requests:,.0f} requests x ${per_call:.6g} a request ({rates} per million tokens"
    if waits and price.batch is not None:
        text += f"; {numbers.share(waits)} of calls at the batch rates"
    elif waits:
        text += f"; {numbers.share(waits)} of calls could wait, but this model has no batch rate"
    return text + f") ({price.source}, prices as of {price.as_of})"


def open_endpoint(answers: Mapping[str, Any], cat: Catalogue) -> OpenEndpoint | None:
    """The cheapest hosted endpoint of the open model named in cost.open_model, at the answers'
    volume; None without an open model, a volume, or an endpoint that serves it."""
    arch, volume = answers.get("cost.open_model"), tokens(answers)
    if arch is None or volume is None:
        return None
    requests, tin, tout = volume
    cached = float(answers.get("scale.cached_input_share") or 0.0)
    waits = float(answers.get("scale.batch_share") or 0.0)
    bills = []
    for name in cat.endpoints(str(arch)):
        if name == answers.get("cost.api_model"):
            continue
        try:
            price = cat.hosted_price(name)
        except KeyError:
            continue
        now = price.per_request(tin, tout, cached)
        later = price.per_request(tin, tout, cached, batch=True)
        bills.append((requests * ((1 - waits) * now + waits * later), name, price.model.label))
    if not bills:
        return None
    bills.sort()
    usd, name, label = bills[0]
    return OpenEndpoint(name, label, usd, tuple((n, u) for u, n, _ in bills[1:]))


def api_decline(months: int, per_year: float, switch_months: float) -> float:
    """The average of API prices over ``months`` as a share of today's, when the team moves every
    ``switch_months`` to a model of the same quality whose price has fallen ``per_year`` times a
    year since today: a step down at each move, not a smooth slide."""
    if months <= 0:
        return 1.0
    step = max(1.0, switch_months)
    total = 0.0
    for month in range(months):
        moved = math.floor(month / step) * step
        total += per_year ** (-moved / 12)
    return total / months


def decline_of(answers: Mapping[str, Any], cat: Catalogue, horizon_months: int) -> Decline:
    """The tier of the hosted model named (mid when none is, or it is unknown) and what its
    falling price does to the API's bill over the horizon."""
    tier, guessed = "mid", False  # no model named: the workhorse tier, said as such
    model = answers.get("cost.api_model")
    if model is not None:
        try:
            found = cat.hosted_model(str(model))
            tier, guessed = found.tier, found.tier_guessed
        except KeyError:
            pass
    key = f"trend.capability_decline_per_year.{tier}"
    per_year = cat[key]
    slow, fast = cat.range_of(key)
    switch = cat["trend.switch_months"]
    return Decline(
        named=model is not None,
        figures=(key, "trend.switch_months"),
        tier=tier,
        tier_guessed=guessed,
        per_year=per_year,
        per_year_range=(slow, fast),
        switch_months=switch,
        shares=(
            api_decline(horizon_months, fast, switch),
            api_decline(horizon_months, per_year, switch),
            api_decline(horizon_months, slow, switch),
        ),
    )


def _p95(cat: Catalogue) -> float:
    factor = cat.figures.get("latency.p95_over_median")
    return factor.value if factor is not None else 1.0


def api_latency_keys(model: str, cat: Catalogue) -> tuple[str, ...]:
    """The latency figures that describe a hosted model, best first: its own (by catalogue id, then
    by the vendor's model id), then the typical figures of its capability tier."""

    def key(name: str) -> str:
        return "latency.api." + name.rsplit("/", 1)[-1].replace("-", "_").replace(".", "_")

    try:
        found = cat.hosted_model(model)
    except KeyError:
        return (key(model),)
    names = [n for n in (found.alias, found.model, model) if n]
    stems = [key(n) for n in dict.fromkeys(names)]
    return (*stems, f"latency.api_tier.{found.tier}")


def api_p95_ms(answers: Mapping[str, Any], cat: Catalogue) -> float | None:
    """A hosted model's 95th-percentile time for one call: (time to first token + output tokens /
    output speed) x the ratio of a 95th percentile to a median. The model's own figures where the
    catalogue has them, else its tier's; None without either."""
    found = _api_latency(answers, cat)
    return None if found is None else found[0]


def api_latency_figures(answers: Mapping[str, Any], cat: Catalogue) -> list[str]:
    """The catalogue keys the estimate of api_p95_ms read (none without an estimate)."""
    found = _api_latency(answers, cat)
    return [] if found is None else found[1]


def _api_latency(answers: Mapping[str, Any], cat: Catalogue) -> tuple[float, list[str]] | None:
    model, tout = answers.get("cost.api_model"), answers.get("scale.output_tokens_per_request")
    if model is None or tout is None:
        return None
    for stem in api_latency_keys(str(model), cat):
        first = cat.figures.get(f"{stem}.ttft_ms")
        speed = cat.figures.get(f"{stem}.output_tokens_per_s")
        if first is None or speed is None or first.reference or speed.reference:
            continue  # both figures, and not kept for reference only
        if speed.value > 0:
            keys = [f"{stem}.ttft_ms", f"{stem}.output_tokens_per_s"]
            if "latency.p95_over_median" in cat.figures:
                keys.append("latency.p95_over_median")
            return (first.value + tout / speed.value * 1000) * _p95(cat), keys
    return None


API_PRICING = Pricing(
    option=API,
    bill=api_cost,
    reads=(*VOLUME, "cost.api_model", *SHARES),
    yardstick=True,
    decline=decline_of,
    p95_ms=lambda answers, cat, bill: api_p95_ms(answers, cat),
    figures=lambda answers, cat, bill: api_latency_figures(answers, cat),
)
