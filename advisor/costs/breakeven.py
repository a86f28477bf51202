"""Where a bill meets the yardstick's: the volume (requests a month) at which an option costs what
the API does, other answers unchanged."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from advisor.costs.bill import Pricing

if TYPE_CHECKING:
    from advisor.costs.catalogue import Catalogue

VOLUME = "scale.requests_per_month"  # the answer a break-even volume is searched along


def per_request_line(
    bill: Callable[[Mapping[str, Any]], float | None], answers: Mapping[str, Any]
) -> tuple[float, float, float] | None:
    """A bill as a function of requests a month, which the pricings keep of the form
    ``max(floor, fixed + slope x requests)``: (floor, fixed, slope), read off three volumes."""
    at = [bill(dict(answers, **{VOLUME: v})) for v in (1.0, 1e12, 2e12)]
    small, big, bigger = at
    if small is None or big is None or bigger is None:
        return None
    slope = (bigger - big) / 1e12
    return small, big - slope * 1e12, slope


def _monthly(fn: Callable[..., Any], cat: Catalogue) -> Callable[[Mapping[str, Any]], Any]:
    def usd(answers: Mapping[str, Any]) -> float | None:
        found = fn(answers, cat)
        return None if found is None else found.usd_per_month

    return usd


def break_even(
    values: Mapping[str, Any],
    cat: Catalogue,
    pricing: Pricing,
    stick: Pricing,
    factor: float = 1.0,
) -> float | None:
    """The requests a month at which ``pricing``'s bill costs the same as the yardstick's, other
    answers unchanged (None when the yardstick stays cheaper at any volume, or a bill cannot be
    worked out), to 0.1%.

    The yardstick's bill is a straight line in requests (times ``factor``, for its prices over the
    horizon). A self-hosted deployment's is flat (its least replicas) and then a straight line, and
    the sizing takes the cheapest deployment at each volume, so the bill bends where the choice
    moves to another GPU. A straight line through its two largest volumes approximates it (the
    deployments of the largest loads cost least a call); the crossing is searched from the volume
    where the yardstick meets that line, by doubling until the option is cheaper, then bisecting.
    An option with routes takes the first of them to cross.
    """
    line = per_request_line(_monthly(stick.bill, cat), stick.inputs(values))
    if line is None or line[2] <= 0:
        return None
    per_request = line[2] * factor
    answers = pricing.inputs(values)
    found = []
    for route in pricing.routes.values() or [pricing.bill]:
        usd = _monthly(route, cat)
        mine = per_request_line(usd, answers)
        if mine is None:
            continue
        floor, fixed, slope = mine
        if per_request <= slope:
            continue  # each call costs the option at least what it costs the yardstick
        bound = max(floor / per_request, fixed / (per_request - slope), 1.0)
        found.append(_crossing(usd, answers, per_request, bound))
    return min(found) if found else None


def _crossing(
    bill: Callable[[Mapping[str, Any]], float | None],
    answers: Mapping[str, Any],
    per_request: float,
    bound: float,
) -> float:
    """The least volume at which ``bill`` is no dearer than the yardstick: from ``bound`` up by
    doublings to one where it is, then by bisection of the volume's logarithm."""

    def cheaper(volume: float) -> bool:
        cost = bill(dict(answers, **{VOLUME: volume}))
        return cost is not None and cost <= per_request * volume * (1 + 1e-12)

    low, high = 1.0, bound
    if cheaper(low):
        return 0.0
    # Below the line's crossing the bill may still sit above the line (a deployment for a
    # middling load costs more a call than one for the largest): look further out for a volume
    # where the option is cheaper.
    while not cheaper(high):
        low, high = high, high * 2
        if high > 1e15:
            return bound
    while high / low > 1.001:
        mid = math.sqrt(low * high)
        if cheaper(mid):
            high = mid
        else:
            low = mid
    return high
