"""The deployment search: the cheapest deployment that carries a load within a latency budget,
and the cheapest with another GPU or precision, by branch and bound over every GPU, precision and
GPUs a replica (the pieces it weighs are in advisor/costs/capacity/deployments.py)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from advisor.costs.capacity.deployments import (
    GPU_COUNTS,
    Deployment,
    Sizing,
    _Candidate,
    _candidates,
    _deployment,
    _Point,
    _point,
    _replicas,
)
from advisor.costs.capacity.errors import CapacityError
from advisor.costs.capacity.fitted import factors
from advisor.costs.capacity.hardware import PRECISIONS, Gpu, find_gpu, known_gpus
from advisor.costs.capacity.serving import _tokens
from advisor.costs.capacity.shapes import Architecture, architecture

if TYPE_CHECKING:
    from advisor.costs.catalogue import Catalogue

Hourly = Callable[[str, "str | None"], "float | None"]


def size_deployment(
    arch: Architecture | str | float,
    *,
    peak_requests_per_s: float,
    average_requests_per_s: float,
    input_tokens: int,
    output_tokens: int,
    latency_p95_ms: float | None,
    cat: Catalogue,
    hourly: Hourly,
    bound: str | None = None,
    min_replicas: float | None = None,
    gpus: Iterable[str] | None = None,
    precisions: Iterable[str] | None = None,
) -> Sizing:
    """The cheapest way to serve ``peak_requests_per_s`` calls of ``input_tokens`` in and
    ``output_tokens`` out with their 95th-percentile time within ``latency_p95_ms`` (None: no
    budget), over every GPU type (``gpus``, by default every GPU in the catalogue), precision the
    GPU has (``precisions``, by default all) and GPUs per replica (1, 2, 4 or 8) that hold the
    weights and the cache.

    Each replica runs at the largest batch whose p95 (TTFT + output tokens x TPOT, times
    ``latency.p95_over_median``) stays within the budget; replicas, in whole numbers and
    fractions, carry the peak, at least ``min_replicas`` of them (``capacity.min_replicas`` by
    default), so the cost of a call never rises with volume. ``hourly(gpu, bound)`` prices an hour
    of one GPU; a GPU it returns None for is not looked at. A month is 730 hours.
    """
    model = arch if isinstance(arch, Architecture) else architecture(arch)
    tin = _tokens(input_tokens, "input tokens")
    tout = _tokens(output_tokens, "output tokens")
    peak, average = float(peak_requests_per_s), float(average_requests_per_s)
    if not (math.isfinite(peak) and math.isfinite(average)) or peak < 0 or average < 0:
        raise CapacityError("requests a second are numbers of at least 0")
    if average > peak * (1 + 1e-12):
        raise CapacityError(f"the average load ({average:g}/s) is above the peak ({peak:g}/s)")
    if latency_p95_ms is not None and not latency_p95_ms > 0:
        raise CapacityError(f"a latency budget is above 0 ms, not {latency_p95_ms!r}")
    f = factors(cat, bound)
    floor = f.min_replicas if min_replicas is None else float(min_replicas)
    if not floor > 0:
        raise CapacityError(f"min_replicas is above 0, not {min_replicas!r}")
    chosen = (
        [find_gpu(g, cat) for g in gpus] if gpus is not None else list(known_gpus(cat).values())
    )
    wanted = list(precisions) if precisions is not None else list(PRECISIONS)
    for p in wanted:
        if p not in PRECISIONS:
            raise CapacityError(f"no precision {p!r}; known: {', '.join(PRECISIONS)}")
    budget = None if latency_p95_ms is None else latency_p95_ms / 1e3
    found: list[tuple[_Candidate, float]] = []  # every candidate with its GPU's hourly price
    skipped: list[str] = []
    for gpu in chosen:
        price = hourly(gpu.id, bound)
        if price is None:
            skipped.append(f"{gpu.name}: no hourly price")
            continue
        for precision in wanted:
            if not gpu.can(precision):
                compute = PRECISIONS[precision].compute.upper()
                skipped.append(f"{gpu.name} at {precision}: no {compute} tensor cores")
                continue
            # What a replica holds and serves depends on the figures and the call's shape, not
            # on the load or prices: worked out once for a catalogue and the copies that
            # reprice it (the flips).
            key = ("capacity candidates", model, gpu.id, precision, tin, tout, bound)

            def hold(gpu: Gpu = gpu, p: str = precision) -> tuple[_Candidate, ...]:
                return _candidates(model, gpu, p, tin, tout, f)

            held: tuple[_Candidate, ...] = cat.shared(key, hold)
            if not held:
                skipped.append(
                    f"{gpu.name} at {precision}: {GPU_COUNTS[-1]} GPUs do not hold the weights "
                    f"and the cache of {f.min_batch:g} sequences"
                )
            found.extend((c, price) for c in held)

    def point(c: _Candidate) -> _Point:
        key = ("capacity point", model, c.gpu.id, c.precision, c.count, tin, tout, budget, bound)
        return cat.shared(key, lambda: _point(c.replica, c.gpu, c.precision, c.count, budget, f))

    def deployment(item: tuple[_Point, float]) -> Deployment:
        p, price = item
        return _deployment(p, peak=peak, average=average, hourly=price, f=f, floor=floor)

    def bill(item: tuple[_Point, float]) -> tuple[bool, float, float, float]:
        """Within the budget first, then cheapest, fewest GPUs, most headroom."""
        p, price = item
        replicas = _replicas(p, peak, floor)
        return (not p.within, replicas * p.count * price, replicas * p.count, -p.served)

    def lowest(item: tuple[_Candidate, float]) -> tuple[float, float]:
        """The least a candidate can cost: the budget only lowers what a replica serves."""
        c, price = item
        replicas = max(floor, peak / c.most_served)
        return (replicas * c.count * price, replicas * c.count)

    def group(p: _Point) -> tuple[str, str]:
        return (p.gpu.id, p.precision)

    # Branch and bound: look at the candidates by the least each can cost, and stop once the
    # cheapest two within the budget (of different GPU types or precisions) cost less than any
    # candidate not looked at can. Without a budget the least is the cost, so two suffice.
    bounded = sorted(found, key=lowest)
    seen: list[tuple[_Point, float]] = []
    # The cheapest bill seen of each GPU type and precision.
    cheapest: dict[tuple[str, str], tuple[bool, float, float, float]] = {}
    index = 0
    while index < len(bounded):
        if len(cheapest) >= 2:
            next_best = sorted(cheapest.values())[1]
            if not next_best[0] and lowest(bounded[index]) > next_best[1:]:
                break
        priced = (point(bounded[index][0]), bounded[index][1])
        seen.append(priced)
        mine, where = bill(priced), group(priced[0])
        if where not in cheapest or mine < cheapest[where]:
            cheapest[where] = mine
        index += 1
    complete = index == len(bounded)

    def every() -> list[tuple[_Point, float]]:
        return seen + [(point(c), price) for c, price in bounded[index:]]

    meets = any(p.within for p, _ in seen)
    if meets or budget is None:
        # The ranking needs only each point's replicas and price; the times are worked out for
        # the two shown and, when asked for, the rest.
        order = sorted(seen, key=bill)
        best: Deployment | None = deployment(order[0]) if order else None
        second = next((x for x in order[1:] if group(x[0]) != group(order[0][0])), None)
        runner_up = deployment(second) if second is not None else None

        def candidates() -> tuple[Deployment, ...]:
            return tuple(deployment(x) for x in sorted(every(), key=bill))
    else:
        assert complete  # nothing within the budget: every candidate was looked at

        # The nearest to the budget: the least p95 at the peak, found by branch and bound on
        # the call's time with no wait for other prefills, which no batch goes below.
        def fastest(item: tuple[_Point, float]) -> float:
            r = item[0].replica
            return (
                (r.overhead + r.step(1.0) * max(r.output, 1.0) + r.prefill)
                * f.p95_over_median
                * 1e3
            )

        def nearness(d: Deployment) -> tuple[float, float]:
            return (d.p95_ms, d.usd_per_month)

        timed: list[Deployment] = []
        for item in sorted(seen, key=fastest):
            if len(timed) >= 2:
                ranked_now = sorted(timed, key=nearness)
                top = ranked_now[0]
                other = next(
                    (d for d in ranked_now[1:] if (d.gpu, d.precision) != (top.gpu, top.precision)),
                    None,
                )
                if other is not None and fastest(item) > other.p95_ms:
                    break
            timed.append(deployment(item))
        ranked = sorted(timed, key=nearness)
        best = ranked[0] if ranked else None
        runner_up = next(
            (d for d in ranked[1:] if best and (d.gpu, d.precision) != (best.gpu, best.precision)),
            None,
        )

        def candidates() -> tuple[Deployment, ...]:
            return tuple(sorted((deployment(x) for x in seen), key=nearness))

    if best is None:
        sentence = (
            f"no GPU in the search both has a price and holds {model.name} with the cache of "
            f"{f.min_batch:g} sequences of {tin + tout:,} tokens on up to {GPU_COUNTS[-1]} GPUs"
        )
    elif not best.meets_latency:
        sentence = (
            f"no deployment meets the p95 budget of {latency_p95_ms:,.0f} ms for calls of "
            f"{tin:,} tokens in and {tout:,} out: the nearest, {best.label}, takes "
            f"{best.p95_ms:,.0f} ms"
        )
    else:
        sentence = ""
    return Sizing(
        model=model.id,
        model_name=model.name,
        estimated=model.estimated,
        best=best,
        runner_up=runner_up,
        candidates=candidates,
        meets_latency=best is not None and best.meets_latency,
        sentence=sentence,
        skipped=tuple(skipped),
    )
