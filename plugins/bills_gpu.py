"""Built-in bill of self-hosting: GPUs sized for the weights, the KV cache and the peak within the
latency budget, at the GPU pricing the team answers, and the people who run them (docs/costs.md).

Given to the cost model as a :class:`advisor.costs.bill.Pricing` by the plugin ``costs``; the
serving arithmetic is advisor/costs/capacity.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from advisor.core.base import numbers
from advisor.costs.bill import Line, OptionCost, Pricing
from advisor_plugins._pack import SELF_HOST
from advisor_plugins.bills_api import SHARES, VOLUME, open_endpoint, tokens

if TYPE_CHECKING:
    from advisor.costs.catalogue import Catalogue

HOURS_PER_MONTH = 730.0  # 8,760 hours a year / 12
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600


SMALLEST_MODEL_B = 8.0  # without a model size, self-hosting costs at least this model's bill


GPU_PRICING = ("on_demand", "hyperscaler", "committed", "owned")


def gpu_hourly(cat: Catalogue, gpu: str, tier: str, bound: str | None = None) -> float | None:
    """One GPU-hour of ``gpu`` paid for the way ``tier`` says, in US dollars; None when the
    catalogue cannot price it that way.

    - on_demand: a neocloud's on-demand price (``gpu.<g>.hourly_usd``);
    - hyperscaler: AWS, Google Cloud or Azure on demand (``gpu.<g>.hyperscaler_hourly_usd``);
    - committed: a one-year commitment (``gpu.<g>.committed_hourly_usd``, else the on-demand price
      times ``gpu.committed_share``);
    - owned: the purchase with its server (``owned.server_overhead``) spread over
      ``owned.amortisation_years``, plus the power the server draws (``gpu.<g>.watts`` x
      ``owned.server_power_factor``, times ``owned.pue``, at ``owned.power_usd_per_kwh``) and
      the colocation hall's rent for that power (``owned.hosting_usd_per_kw_month``).
    """
    return cat.memo(("gpu hourly", gpu, tier, bound), lambda: _gpu_hourly(cat, gpu, tier, bound))


def _gpu_hourly(cat: Catalogue, gpu: str, tier: str, bound: str | None) -> float | None:
    have = cat.figures
    if tier == "on_demand":
        key = f"gpu.{gpu}.hourly_usd"
        return cat.at(key, bound) if key in have else None
    if tier == "hyperscaler":
        key = f"gpu.{gpu}.hyperscaler_hourly_usd"
        return cat.at(key, bound) if key in have else None
    if tier == "committed":
        own, listed = f"gpu.{gpu}.committed_hourly_usd", f"gpu.{gpu}.hourly_usd"
        if own in have:
            return cat.at(own, bound)
        if listed in have and "gpu.committed_share" in have:
            return cat.at(listed, bound) * cat.at("gpu.committed_share", bound)
        return None
    needed = [f"gpu.{gpu}.purchase_usd", f"gpu.{gpu}.watts", *OWNED_KEYS]
    if any(k not in have for k in needed):
        return None
    price = cat.at(f"gpu.{gpu}.purchase_usd", bound) * (1 + cat.at("owned.server_overhead", bound))
    years = cat.at("owned.amortisation_years", bound, dearer_when_higher=False)
    kw = cat[f"gpu.{gpu}.watts"] / 1000 * cat.at("owned.server_power_factor", bound)
    power = kw * cat.at("owned.pue", bound) * cat.at("owned.power_usd_per_kwh", bound)
    hall = kw * cat.at("owned.hosting_usd_per_kw_month", bound) / HOURS_PER_MONTH
    return (price / (years * 8760) + power + hall) * cat.gpu_price_factor


OWNED_KEYS = (
    "owned.server_overhead",
    "owned.amortisation_years",
    "owned.server_power_factor",
    "owned.pue",
    "owned.power_usd_per_kwh",
    "owned.hosting_usd_per_kw_month",
)


def gpu_price_keys(gpu: str, tier: str, cat: Catalogue) -> tuple[str, ...]:
    """The catalogue figures ``gpu_hourly`` reads for ``gpu`` at ``tier``."""
    if tier == "on_demand":
        return (f"gpu.{gpu}.hourly_usd",)
    if tier == "hyperscaler":
        return (f"gpu.{gpu}.hyperscaler_hourly_usd",)
    if tier == "committed":
        own = f"gpu.{gpu}.committed_hourly_usd"
        return (own,) if own in cat.figures else (f"gpu.{gpu}.hourly_usd", "gpu.committed_share")
    return (f"gpu.{gpu}.purchase_usd", f"gpu.{gpu}.watts", *OWNED_KEYS)


def open_architecture(answers: Mapping[str, Any]) -> tuple[Any, bool]:
    """The open model to host or tune: cost.open_model's architecture, else a dense model of
    cost.open_model_size_b parameters, else (a floor) the smallest model self-hosting would run.
    The flag says whether it is that floor."""
    from advisor.costs import capacity

    named = answers.get("cost.open_model")
    if named is not None:
        return capacity.architecture(str(named)), False
    size = answers.get("cost.open_model_size_b")
    if size is not None:
        return capacity.architecture(float(size)), False
    return capacity.architecture(SMALLEST_MODEL_B), True


def sizing(answers: Mapping[str, Any], cat: Catalogue, bound: str | None = None) -> Any:
    """The cheapest deployment that serves the answers' peak within the latency budget, and the
    runner-up (advisor/costs/capacity), at the GPU pricing the team answers."""
    from advisor.costs import capacity

    volume = tokens(answers)
    assert volume is not None
    requests, tin, tout = volume
    arch, _ = open_architecture(answers)
    peak = float(answers.get("scale.peak_to_average") or 1.0)
    budget = answers.get("scale.latency_p95_ms")
    tier = str(answers.get("cost.gpu_pricing") or "on_demand")
    average = requests / SECONDS_PER_MONTH
    key = ("sizing", arch.id, requests, tin, tout, peak, budget, tier, bound)

    def work_out() -> Any:
        return capacity.size_deployment(
            arch,
            peak_requests_per_s=average * peak,
            average_requests_per_s=average,
            input_tokens=max(1, round(tin)),
            output_tokens=max(1, round(tout)),
            latency_p95_ms=None if budget is None else float(budget),
            cat=cat,
            hourly=lambda gpu, end: gpu_hourly(cat, gpu, tier, end),
            bound=bound,
        )

    return cat.memo(key, work_out)


def serving_people(replicas: float, cat: Catalogue, bound: str | None) -> tuple[float, str]:
    """The share of an engineer's year that running the serving takes: a base for a small
    deployment, someone on call, and more for each replica beyond the first two."""
    base = cat.at("people.serving.base_share", bound)
    oncall = cat.at("people.oncall.share", bound)
    each = cat.at("people.serving.share_per_replica", bound)
    least = cat["capacity.min_replicas"]
    extra = max(0.0, replicas - least)
    share = base + oncall + each * extra
    how = f"{base:g} to run the deployment + {oncall:g} on call"
    if extra:
        how += f" + {each:g} x {extra:,.1f} replicas beyond the {least:g} for availability"
    return share, how


SERVING_PEOPLE = (
    "people.serving.base_share",
    "people.oncall.share",
    "people.serving.share_per_replica",
    "people.ml_engineer.yearly_usd",
    "capacity.min_replicas",
)


def self_host_cost(
    answers: Mapping[str, Any],
    cat: Catalogue,
    *,
    option: str = SELF_HOST,
    bound: str | None = None,
) -> OptionCost:
    """GPUs for the weights, the KV cache and the peak load within the latency budget, in replicas
    and fractions of one (at least two), paid whether used or not, on the cheapest GPU type,
    count and precision that holds it; and the people who run it. Without a model the bill is the
    least self-hosting could cost: the smallest model."""
    out = OptionCost(option)
    volume = tokens(answers)
    if volume is None:
        out.missing.append("scale.requests_per_month")
        return out
    arch, floor = open_architecture(answers)
    if floor:
        out.floor = True
        out.assumed["cost.open_model_size_b"] = SMALLEST_MODEL_B
    requests, tin, tout = volume
    found = sizing(answers, cat, bound)
    best = found.best
    if best is None:
        out.missing.append("a GPU that holds the model")
        out.notes.append(found.sentence)
        return out
    tier = str(answers.get("cost.gpu_pricing") or "on_demand")
    out.sizing = found
    out.gpu, out.replicas, out.gpus_per_replica = best.gpu, best.replicas, best.gpus_per_replica
    out.gpus = best.replicas * best.gpus_per_replica
    out.precision = best.precision
    out.utilisation = best.utilisation
    out.p95_latency_ms = best.p95_ms
    if not best.meets_latency or found.sentence:
        out.notes.append(found.sentence)
    label = gpu_label(best.gpu)
    out.lines.append(
        Line(
            f"{numbers.number(round(out.gpus, 1))} x {label} GPUs",
            best.usd_per_month,
            lambda: _serving_working(arch, best, found, tier, answers.get("scale.latency_p95_ms")),
            (*best.figures, *gpu_price_keys(best.gpu, tier, cat)),
        )
    )
    share, how = serving_people(best.replicas, cat, bound)
    yearly = cat.at("people.ml_engineer.yearly_usd", bound)
    out.lines.append(
        Line(
            "engineering time",
            share * yearly / 12,
            lambda: f"{share:.2f} of an ML engineer ({how}) at ${yearly:,.0f} a year",
            SERVING_PEOPLE,
        )
    )
    out.tokens_per_month = requests * (tin + tout)
    return out


def gpu_label(gpu: str) -> str:
    from advisor.costs import capacity

    return capacity.gpu_name(gpu)


def _serving_working(
    arch: Any, best: Any, found: Any, tier: str, budget: float | None = None
) -> str:
    sized = "for availability" if best.sized_for == "availability" else "for the peak"
    model = f"{arch.name}{' (estimated as dense)' if arch.estimated else ''}"
    text = (
        f"{model} at {best.precision.upper()} on {best.gpus_per_replica} x "
        f"{gpu_label(best.gpu)} a replica: {best.output_tokens_per_s:,.0f} output and "
        f"{best.input_tokens_per_s:,.0f} input tokens/s each"
        f"{' within the latency asked' if found.meets_latency and budget else ''} "
        f"(TTFT {best.ttft_ms:,.0f} ms, {best.tpot_ms:,.1f} ms a token, p95 "
        f"{best.p95_ms:,.0f} ms); {best.replicas:,.2f} replicas {sized} x "
        f"{best.gpus_per_replica} GPUs x ${best.hourly_usd:,.2f}/h ({TIER_WORDS[tier]}) x "
        f"{HOURS_PER_MONTH:g} h"
    )
    runner = found.runner_up
    if runner is not None:
        text += (
            f"; runner-up: {runner.gpus_per_replica} x {gpu_label(runner.gpu)} at "
            f"{runner.precision.upper()}, ${runner.usd_per_month:,.0f} a month"
        )
    return text


TIER_WORDS = {
    "on_demand": "on demand at a GPU cloud",
    "hyperscaler": "on demand at a hyperscaler",
    "committed": "a one-year commitment",
    "owned": "bought, powered and housed",
}


SERVING = ("cost.open_model", "cost.open_model_size_b", "cost.gpu_pricing")
LOAD = ("scale.peak_to_average", "scale.latency_p95_ms")


def p95_figures(answers: Mapping[str, Any], cat: Catalogue, bill: OptionCost) -> list[str]:
    return [] if bill.p95_latency_ms is None else ["latency.p95_over_median"]


SELF_HOST_PRICING = Pricing(
    option=SELF_HOST,
    bill=self_host_cost,
    reads=(*VOLUME, *SERVING, *LOAD, "cost.api_model", *SHARES),
    break_even=True,
    figures=p95_figures,
    endpoint=open_endpoint,
)
