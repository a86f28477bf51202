"""Built-in bill of hybrid routing: the easy share of the calls served on a small open model of the
team's own, the hard rest sent to the hosted API, and the router between them (docs/costs.md).

The two parts are the built-in bills themselves, each for its share of the calls: the API's bill
for the calls it answers, self-hosting's for the calls the small model answers (GPUs sized for
that share's peak, at least two replicas, and the people who run them). A router costs a share of
an engineer (``people.router.share``) whenever both parts carry calls; with every call on one side
there is nothing to route, so a share of 0 costs what the API does, and a share of 1 what
self-hosting the small model does. The small model is ``cost.small_model``, else the smallest model
the catalogue serves. Given to the cost model as a Pricing by the plugin ``costs``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from advisor.core.base import numbers
from advisor.costs.bill import Decline, Line, OptionCost, Pricing
from advisor_plugins._pack import HYBRID
from advisor_plugins.bills_api import API_PRICING, api_cost, decline_of
from advisor_plugins.bills_gpu import SELF_HOST_PRICING, SMALLEST_MODEL_B, self_host_cost

if TYPE_CHECKING:
    from advisor.costs.catalogue import Catalogue

SHARE = "scale.routed_share"
SMALL = "cost.small_model"
REQUESTS = "scale.requests_per_month"
ROUTER_PEOPLE = ("people.router.share", "people.ml_engineer.yearly_usd")
TOKENS = ("scale.input_tokens_per_request", "scale.output_tokens_per_request")


def _part(answers: Mapping[str, Any], share: float, small: bool = False) -> dict[str, Any]:
    """The answers for one part: its share of the calls; for the small model's part, that model
    (``cost.small_model``, else the smallest the catalogue serves) in place of the open model."""
    requests = answers.get(REQUESTS)
    out = {**answers, REQUESTS: None if requests is None else float(requests) * share}
    if small:
        model = answers.get(SMALL)
        out["cost.open_model"] = model
        out["cost.open_model_size_b"] = None if model is not None else SMALLEST_MODEL_B
    return out


def _parts(
    answers: Mapping[str, Any], cat: Catalogue, bound: str | None, routed: float
) -> tuple[OptionCost | None, OptionCost | None]:
    """The API's bill for the calls it answers and self-hosting's for the small model's; None
    for a part that carries no calls."""
    api = api_cost(_part(answers, 1 - routed), cat, bound) if routed < 1 else None
    own = (
        self_host_cost(_part(answers, routed, small=True), cat, bound=bound) if routed > 0 else None
    )
    return api, own


def _relabelled(line: Line, took: str) -> Line:
    return Line(
        f"{line.what}, {took} of calls", line.usd_per_month, lambda: line.working, line.figures
    )


def hybrid_cost(
    answers: Mapping[str, Any],
    cat: Catalogue,
    bound: str | None = None,
    share: float | None = None,
) -> OptionCost:
    """The API's bill for the share of calls it answers, self-hosting's for the share the small
    model answers, and the router when both carry calls. ``share`` overrides the answer (the
    search for the share at which hybrid becomes the cheapest)."""
    out = OptionCost(HYBRID)
    given = answers.get(SHARE) if share is None else share
    if given is None:
        out.missing.append(SHARE)
        out.hint = ("hybrid_cheapest_share", say_cheapest_share)
        return out
    routed = float(given)
    api, own = _parts(answers, cat, bound, routed)
    for part in (api, own):
        if part is not None and part.missing:
            out.missing.extend(m for m in part.missing if m not in out.missing)
    if out.missing:
        if own is not None:
            out.notes.extend(own.notes)
        return out
    if api is not None:
        out.lines.extend(_relabelled(line, numbers.share(1 - routed)) for line in api.lines)
        out.price_as_of = api.price_as_of
        out.notes.extend(api.notes)
    if own is not None:
        out.lines.extend(_relabelled(line, numbers.share(routed)) for line in own.lines)
        if answers.get(SMALL) is None:
            out.notes.append(
                f"the small model is taken as a {SMALLEST_MODEL_B:g}B dense model, the smallest "
                "the catalogue serves (no small model is named)"
            )
        out.sizing, out.gpu, out.precision = own.sizing, own.gpu, own.precision
        out.gpus, out.replicas, out.gpus_per_replica = own.gpus, own.replicas, own.gpus_per_replica
        out.utilisation, out.p95_latency_ms = own.utilisation, own.p95_latency_ms
        out.notes.extend(n for n in own.notes if n not in out.notes)
    if api is not None and own is not None:
        people = cat.at("people.router.share", bound)
        yearly = cat.at("people.ml_engineer.yearly_usd", bound)
        out.lines.append(
            Line(
                "the router",
                people * yearly / 12,
                lambda: (
                    f"{people:.2f} of an ML engineer to build the router, keep its evals and "
                    f"re-tune it as the models change, at ${yearly:,.0f} a year"
                ),
                ROUTER_PEOPLE,
            )
        )
        out.notes.append(
            f"a router is assumed, sending {numbers.share(routed)} of calls to the small model; a "
            "cascade, which tries every call on the small model first, would need its GPUs for "
            "every call"
        )
    requests, tin, tout = (answers.get(k) for k in (REQUESTS, *TOKENS))
    if requests is not None and tin is not None and tout is not None:
        out.tokens_per_month = float(requests) * (float(tin) + float(tout))
    return out


def hybrid_decline(answers: Mapping[str, Any], cat: Catalogue, horizon_months: int) -> Decline:
    """Only the API's part of the bill falls with the API's prices: its shares over the horizon,
    weighted by that part's share of today's bill."""
    falling = decline_of(answers, cat, horizon_months)
    given = answers.get(SHARE)
    if given is None:
        return falling
    routed = float(given)
    api_usd = (
        (api_cost(_part(answers, 1 - routed), cat).usd_per_month or 0.0) if routed < 1 else 0.0
    )
    total = hybrid_cost(answers, cat).usd_per_month
    if not total:
        return falling
    weight = api_usd / total
    fast, mid, slow = (weight * s + (1 - weight) for s in falling.shares)
    return Decline(
        tier=falling.tier,
        tier_guessed=falling.tier_guessed,
        per_year=falling.per_year,
        per_year_range=falling.per_year_range,
        switch_months=falling.switch_months,
        shares=(fast, mid, slow),
        named=falling.named,
        figures=falling.figures,
    )


HYBRID_PRICING = Pricing(
    option=HYBRID,
    bill=hybrid_cost,
    reads=tuple(dict.fromkeys((*API_PRICING.reads, *SELF_HOST_PRICING.reads, SHARE, SMALL))),
    break_even=True,
    decline=hybrid_decline,
)


def say_cheapest_share(share: float | None) -> str:
    """The fact ``hybrid_cheapest_share`` in words, beside the bill that waits for the share."""
    if share is None:
        return (
            "no share of calls routed to the small model makes routing cheaper than every option "
            "not ruled out, at the figures' values"
        )
    return (
        f"routing costs less than every option not ruled out once the small model answers "
        f"{numbers.share(share)} of calls at the bar: measure that share on your evals"
    )


def cheapest_share(answers: Mapping[str, Any], cat: Catalogue, target: float) -> float | None:
    """The least share of calls the small model must answer for hybrid routing to cost less than
    ``target`` a month (the cheapest other option's bill, at the figures' values): the first
    twentieth below it, refined by bisection; None when no share is, all calls routed included."""

    def cost(share: float) -> float | None:
        return hybrid_cost(answers, cat, share=share).usd_per_month

    def pays(share: float) -> bool:
        c = cost(share)
        return c is not None and c < target

    high = next((i / 20 for i in range(1, 21) if pays(i / 20)), None)
    if high is None:
        return None
    low = high - 0.05
    for _ in range(6):  # to under a tenth of a percentage point
        mid = (low + high) / 2
        if pays(mid):
            high = mid
        else:
            low = mid
    return high
