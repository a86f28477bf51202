"""What each option costs a month and over a horizon, with the range its figures allow, computed from
the answers and the catalogue.

Every figure comes from the catalogue by key, so a user can see and override it; the arithmetic is
written out in words in docs/costs.md. Money is in US dollars here; the catalogue's currency is
applied only when figures are shown.

Each bill is worked out three times: with every figure at its value, at the end of its range that
makes the bill cheapest, and at the end that makes it dearest. Self-hosted GPUs are counted in
replicas and fractions of one (at least two for availability), so that an option's cost per call
never rises with volume: a bill that stepped up a whole replica at a time would let one more call a
month swing the decision, and a team sizing for a year of growth does not decide on that step.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from advisor.core.base import numbers
from advisor.costs.catalogue import SPREAD_KEY, STALE_MONTHS, Catalogue, Figure, months_between

HOURS_PER_MONTH = 730.0  # 8,760 hours a year / 12
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600
DEFAULT_GPU = "h100"
DEFAULT_PRECISION = "fp8"
SMALLEST_MODEL_B = 8.0  # without a model size, self-hosting costs at least this model's bill
TUNING_SET_KEY = "finetune.tuning_set_examples"
LABEL_PRICE_KEY = "labelling.per_example_usd"
BOUNDS = ("cheap", None, "dear")


class Line:
    """One line of a bill: what it is, how much a month, and how it was worked out.

    ``working`` may be given as a function that writes it: bills are worked out many times while
    the flips are searched, and only the ones shown need their arithmetic in words.
    """

    __slots__ = ("_working", "figures", "usd_per_month", "what")

    def __init__(
        self,
        what: str,
        usd_per_month: float,
        working: str | Callable[[], str],
        figures: tuple[str, ...] = (),
    ):
        self.what = what
        self.usd_per_month = usd_per_month
        self._working = working
        self.figures = figures  # the catalogue keys it used

    @property
    def working(self) -> str:
        if callable(self._working):
            self._working = self._working()
        return self._working

    def __repr__(self) -> str:
        return f"Line({self.what!r}, {self.usd_per_month!r})"


@dataclass
class OptionCost:
    """An option's monthly bill, its range, and what it implies."""

    option: str
    lines: list[Line] = field(default_factory=list)
    tokens_per_month: float | None = None  # input and output, for the cost per million
    gpus: float | None = None  # GPUs paid for on average: replicas x GPUs per replica
    gpu: str | None = None
    replicas: float | None = None  # replicas and fractions of one, at least two
    gpus_per_replica: int | None = None
    utilisation: float | None = None
    p95_latency_ms: float | None = None
    missing: list[str] = field(default_factory=list)  # answers it needs that are not given
    route: Literal["", "self-hosted", "vendor"] = (
        ""  # fine_tune: vendor is the hosted model's own tuning
    )
    floor: bool = False  # an answer it needs is unknown: the bill is the least it could be
    assumed: dict[str, Any] = field(default_factory=dict)  # answers taken for the floor
    notes: list[str] = field(default_factory=list)  # what a reader must know about the bill
    precision: str | None = None  # the serving precision of the deployment chosen
    sizing: Any = None  # the deployment search (advisor.costs.capacity.Sizing) for GPUs
    price_as_of: str | None = None  # the day hosted prices were asked at (the API's bill)
    low_usd_per_month: float | None = None  # the bill with every figure at its cheap end
    high_usd_per_month: float | None = None  # ... at its dear end (infinite for a floor)

    @property
    def usd_per_month(self) -> float | None:
        if self.missing:
            return None
        return sum(line.usd_per_month for line in self.lines)

    @property
    def usd_per_mtok(self) -> float | None:
        """The bill per million tokens processed, input and output."""
        monthly = self.usd_per_month
        if monthly is None or not self.tokens_per_month:
            return None
        return monthly / self.tokens_per_month * 1e6

    @property
    def replicas_at_peak(self) -> int | None:
        """Whole replicas running at the busiest time."""
        return None if self.replicas is None else math.ceil(self.replicas - 1e-9)


def _tokens(answers: Mapping[str, Any]) -> tuple[float, float, float] | None:
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
    out = OptionCost("api")
    volume = _tokens(answers)
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
    runner-up (advisor/costs/capacity.py), at the GPU pricing the team answers."""
    from advisor.costs import capacity

    volume = _tokens(answers)
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
    option: str = "self_host",
    bound: str | None = None,
) -> OptionCost:
    """GPUs for the weights, the KV cache and the peak load within the latency budget, in replicas
    and fractions of one (at least two), paid whether used or not, on the cheapest GPU type,
    count and precision that holds it; and the people who run it. Without a model the bill is the
    least self-hosting could cost: the smallest model."""
    out = OptionCost(option)
    volume = _tokens(answers)
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
    label = _gpu_label(best.gpu)
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


def _gpu_label(gpu: str) -> str:
    from advisor.costs import capacity

    return capacity.gpu_name(gpu)


def _serving_working(
    arch: Any, best: Any, found: Any, tier: str, budget: float | None = None
) -> str:
    sized = "for availability" if best.sized_for == "availability" else "for the peak"
    model = f"{arch.name}{' (estimated as dense)' if arch.estimated else ''}"
    text = (
        f"{model} at {best.precision.upper()} on {best.gpus_per_replica} x "
        f"{_gpu_label(best.gpu)} a replica: {best.output_tokens_per_s:,.0f} output and "
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
            f"; runner-up: {runner.gpus_per_replica} x {_gpu_label(runner.gpu)} at "
            f"{runner.precision.upper()}, ${runner.usd_per_month:,.0f} a month"
        )
    return text


TIER_WORDS = {
    "on_demand": "on demand at a GPU cloud",
    "hyperscaler": "on demand at a hyperscaler",
    "committed": "a one-year commitment",
    "owned": "bought, powered and housed",
}


def fine_tune_cost(
    answers: Mapping[str, Any], cat: Catalogue, bound: str | None = None
) -> OptionCost:
    """The cheaper of the two ways to fine-tune that the answers allow: tuning an open model and
    serving it on GPUs of one's own, or the hosted model's vendor tuning it and serving the tuned
    model at its own prices (where the catalogue has them)."""
    own = fine_tune_self_hosted(answers, cat, bound)
    vendor = fine_tune_vendor(answers, cat, bound)
    if vendor is None:
        return own
    if own.usd_per_month is None or vendor.usd_per_month < own.usd_per_month:  # type: ignore[operator]
        return vendor
    return own


def vendor_may_train(answers: Mapping[str, Any]) -> bool:
    """Whether the answers let the team's examples go to the hosted model's vendor for tuning: not
    when the data must stay on the premises, nor when the review accepts no vendor's terms for data
    that is not public, nor when user data may not be used for training."""
    if answers.get("privacy.residency") in ("on_prem", "air_gapped"):
        return False
    terms, data = answers.get("privacy.vendor_terms_ok"), answers.get("privacy.data_class")
    if terms == "no" and data != "public":
        return False
    return answers.get("privacy.train_on_user_data") is not False


def _tuning_set(
    answers: Mapping[str, Any], cat: Catalogue, bound: str | None, out: OptionCost
) -> float:
    """The examples a training run uses, and a line for labelling those the team does not have
    yet. The bill trains on a tuning set of a stated size: examples on hand beyond it improve
    quality rather than cost, and examples missing from it must be labelled first."""
    target = cat.at(TUNING_SET_KEY, bound)
    labels = answers.get("pmf.labeled_examples")
    if labels is None:
        out.floor = True
        out.assumed["pmf.labeled_examples"] = target
        labels = target
    short = max(0.0, target - float(labels))
    if short and LABEL_PRICE_KEY in cat.figures:
        price = _labels_price(answers, cat, bound)
        months = 12
        out.lines.append(
            Line(
                "labelling",
                short * price / months,
                lambda: (
                    f"{short:,.0f} more examples to reach a tuning set of {target:,.0f}, at "
                    f"${price:g} each, spread over {months} months"
                ),
                (LABEL_PRICE_KEY, TUNING_SET_KEY),
            )
        )
    return target


def fine_tune_vendor(
    answers: Mapping[str, Any], cat: Catalogue, bound: str | None = None
) -> OptionCost | None:
    """The vendor tunes its hosted model on the team's examples and serves it at the tuned model's
    prices: training tokens x epochs x the training price, runs repeated as base models improve,
    plus the tuned model's tokens and the tuning work."""
    model, volume = answers.get("cost.api_model"), _tokens(answers)
    if model is None or volume is None or not vendor_may_train(answers):
        return None
    key = f"finetune.vendor.{str(model).replace('-', '_').replace('.', '_')}"
    prices = [cat.figures.get(f"{key}.{k}_usd_per_mtok") for k in ("training", "input", "output")]
    if any(p is None for p in prices):
        return None
    out = OptionCost("fine_tune", route="vendor")
    train, tokens_in, tokens_out = (
        cat.at(p.key, bound) * cat.api_price_factor  # type: ignore[union-attr]
        for p in prices
    )
    requests, tin, tout = volume
    examples = _tuning_set(answers, cat, bound, out)
    epochs, runs = cat.at("finetune.epochs", bound), cat.at("finetune.runs_per_year", bound)
    train_mtok = examples * (tin + tout) * epochs / 1e6
    out.lines.append(
        Line(
            f"{model} tuning runs",
            train_mtok * train * runs / 12,
            lambda: (
                f"{examples:,.0f} examples x {tin + tout:,.0f} tokens x {epochs:g} epochs = "
                f"{train_mtok:,.2f}M tokens x ${train:g} per million, {runs:g} runs a year / 12"
            ),
            (f"{key}.training_usd_per_mtok", "finetune.epochs", "finetune.runs_per_year"),
        )
    )
    out.lines.append(
        Line(
            f"tuned {model} tokens",
            requests * (tin * tokens_in + tout * tokens_out) / 1e6,
            lambda: (
                f"{requests:,.0f} requests x ({tin:,.0f} in x ${tokens_in:g} + {tout:,.0f} out x "
                f"${tokens_out:g}) per million tokens"
            ),
            (f"{key}.input_usd_per_mtok", f"{key}.output_usd_per_mtok"),
        )
    )
    share = cat.at("people.fine_tune.engineer_share", bound)
    yearly = cat.at("people.ml_engineer.yearly_usd", bound)
    out.lines.append(
        Line(
            "tuning work",
            share * yearly / 12,
            lambda: f"{share:g} of an ML engineer at ${yearly:,.0f} a year",
            ("people.fine_tune.engineer_share", "people.ml_engineer.yearly_usd"),
        )
    )
    out.tokens_per_month = requests * (tin + tout)
    return out


TUNING_METHODS = ("lora", "qlora", "full")
TRAINING_GPUS = 64  # the most GPUs a training run is spread over before a GPU type is passed over


def training_run(
    arch: Any, method: str, tokens: float, cat: Catalogue, tier: str, bound: str | None = None
) -> tuple[float, str, int, float, tuple[str, ...]] | None:
    """One training run of ``tokens`` training tokens on the GPU type that makes it cheapest among
    those whose memory, on at most 64 GPUs, holds the method's needs: (cost in US dollars, GPU,
    GPUs, GPU-hours, figures read); None when no GPU can be priced or hold it.

    GPU-hours = tokens x FLOPs per parameter-token (``finetune.flops_per_param_token.<method>``) x
    active parameters / (the GPU's dense BF16 throughput x ``finetune.mfu``). Memory: total
    parameters x ``finetune.memory_gb_per_b.<method>``. Runs are rented on demand (at a hyperscaler
    for a team that pays one), whatever pays for the serving.
    """
    key = ("training run", arch.id, method, tokens, tier, bound)
    return cat.memo(key, lambda: _training_run(arch, method, tokens, cat, tier, bound))


def _training_run(
    arch: Any, method: str, tokens: float, cat: Catalogue, tier: str, bound: str | None
) -> tuple[float, str, int, float, tuple[str, ...]] | None:
    from advisor.costs import capacity

    flops = cat.at(f"finetune.flops_per_param_token.{method}", bound)
    memory = arch.total_params_b * cat.at(f"finetune.memory_gb_per_b.{method}", bound)
    mfu = cat.at("finetune.mfu", bound, dearer_when_higher=False)
    renting = "hyperscaler" if tier == "hyperscaler" else "on_demand"
    best = None
    for gpu in capacity.gpus(cat).values():
        hourly = gpu_hourly(cat, gpu.id, renting, bound)
        bf16 = cat.figures.get(f"gpu.{gpu.id}.dense_tflops.bf16")
        if hourly is None or bf16 is None:
            continue
        count = max(1, math.ceil(memory / (gpu.memory_gb * TRAINING_USABLE_MEMORY)))
        if count > TRAINING_GPUS:
            continue
        per_gpu = mfu * bf16.value * 1e12 / (flops * arch.active_params_b * 1e9)
        hours = tokens / per_gpu / 3600
        cost = hours * hourly
        if best is None or cost < best[0]:
            keys = (
                f"finetune.flops_per_param_token.{method}",
                f"finetune.memory_gb_per_b.{method}",
                "finetune.mfu",
                f"gpu.{gpu.id}.dense_tflops.bf16",
                f"gpu.{gpu.id}.memory_gb",
                *gpu_price_keys(gpu.id, renting, cat),
            )
            best = (cost, gpu.id, count, hours, keys)
    return best


TRAINING_USABLE_MEMORY = 0.9  # the share of a GPU's memory a training run can fill


def _labels_price(answers: Mapping[str, Any], cat: Catalogue, bound: str | None) -> float:
    given = answers.get("cost.label_usd_per_example")
    return float(given) if given is not None else cat.at(LABEL_PRICE_KEY, bound)


def fine_tune_self_hosted(
    answers: Mapping[str, Any], cat: Catalogue, bound: str | None = None
) -> OptionCost:
    """Training runs repeated as base models improve, labelling the examples still missing, an
    eval set where there is none, the people who prepare data and evaluate, and serving the tuned
    model on GPUs of one's own (as self-hosting does)."""
    serving = self_host_cost(answers, cat, option="fine_tune", bound=bound)
    out = OptionCost(
        "fine_tune",
        missing=list(serving.missing),
        route="self-hosted",
        floor=serving.floor,
        assumed=dict(serving.assumed),
        notes=list(serving.notes),
    )
    if out.missing:
        return out
    volume = _tokens(answers)
    assert volume is not None
    arch, _ = open_architecture(answers)
    _, tin, tout = volume
    examples = _tuning_set(answers, cat, bound, out)
    epochs = cat.at("finetune.epochs", bound)
    runs = cat.at("finetune.runs_per_year", bound)
    method = str(answers.get("cost.tuning_method") or "lora")
    tier = str(answers.get("cost.gpu_pricing") or "on_demand")
    train_tokens = examples * (tin + tout) * epochs
    run = training_run(arch, method, train_tokens, cat, tier, bound)
    if run is None:
        out.missing.append("a GPU that holds the training run")
        return out
    cost, gpu, count, hours, keys = run
    out.lines.insert(
        0,
        Line(
            "training runs",
            cost * runs / 12,
            lambda: (
                f"{examples:,.0f} examples x {tin + tout:,.0f} tokens x {epochs:g} epochs = "
                f"{train_tokens / 1e6:,.2f}M tokens; {METHOD_WORDS[method]} of {arch.name} on "
                f"{count} x {_gpu_label(gpu)}: {hours:,.2f} GPU-hours, ${cost:,.2f} a run x "
                f"{runs:g} runs a year / 12"
            ),
            (*keys, "finetune.epochs", "finetune.runs_per_year"),
        ),
    )
    if answers.get("pmf.has_evals") is False:
        size, each = cat.at("evals.examples", bound), cat.at("evals.per_example_usd", bound)
        out.lines.append(
            Line(
                "an eval set",
                size * each / 12,
                lambda: (
                    f"{size:,.0f} graded examples at ${each:g} each, built once and spread "
                    "over 12 months: tuning without evals cannot tell better from worse"
                ),
                ("evals.examples", "evals.per_example_usd"),
            )
        )
    out.lines.extend(serving.lines)  # GPUs to serve the tuned model, and the people who run them
    out.gpu, out.gpus, out.replicas = serving.gpu, serving.gpus, serving.replicas
    out.gpus_per_replica, out.utilisation = serving.gpus_per_replica, serving.utilisation
    out.precision, out.sizing, out.p95_latency_ms = (
        serving.precision,
        serving.sizing,
        serving.p95_latency_ms,
    )
    share = cat.at("people.fine_tune.engineer_share", bound)
    yearly = cat.at("people.ml_engineer.yearly_usd", bound)
    out.lines.append(
        Line(
            "tuning work",
            share * yearly / 12,
            lambda: (
                f"{share:g} of an ML engineer at ${yearly:,.0f} a year to prepare data, "
                "train and evaluate"
            ),
            ("people.fine_tune.engineer_share", "people.ml_engineer.yearly_usd"),
        )
    )
    out.tokens_per_month = serving.tokens_per_month
    return out


METHOD_WORDS = {"lora": "LoRA", "qlora": "QLoRA", "full": "full fine-tuning"}


Bill = Callable[..., "OptionCost | None"]
BILLS: dict[str, Bill] = {"api": api_cost, "self_host": self_host_cost, "fine_tune": fine_tune_cost}


def ranged(bill: Bill, answers: Mapping[str, Any], cat: Catalogue) -> OptionCost | None:
    """A bill at the figures' values, with ``low_usd_per_month`` and ``high_usd_per_month`` from the
    cheap and dear ends of their ranges (for fine-tuning, on the route the values choose)."""
    central = bill(answers, cat)
    if central is None or central.usd_per_month is None:
        return central
    if central.route:
        bill = fine_tune_vendor if central.route == "vendor" else fine_tune_self_hosted
    ends = []
    for bound in ("cheap", "dear"):
        other = bill(answers, cat, bound=bound)
        value = other.usd_per_month if other is not None else None
        ends.append(central.usd_per_month if value is None else value)
    central.low_usd_per_month = min(ends[0], central.usd_per_month)
    high = max(ends[1], central.usd_per_month)
    central.high_usd_per_month = math.inf if central.floor else high
    return central


@dataclass
class Costs:
    """Every option's bill and range, over the horizon too, and the volume at which owning the
    serving pays."""

    options: dict[str, OptionCost]
    horizon_months: int
    falling: Decline | None
    decline: tuple[float, float, float]  # API prices over the horizon, as a share of today's
    horizon_usd: dict[str, float | None]
    horizon_low_usd: dict[str, float | None]
    horizon_high_usd: dict[str, float | None]
    p95_latency_ms: dict[str, float | None] = field(default_factory=dict)
    open_endpoint: OpenEndpoint | None = None  # the open model to host, on a hosted endpoint
    error: str | None = None
    answers: Mapping[str, Any] = field(default_factory=dict, repr=False)
    catalogue: Catalogue | None = field(default=None, repr=False)
    memo: dict[Any, Any] = field(default_factory=dict, repr=False)  # what rules work out from it

    @cached_property
    def break_even_requests(self) -> dict[str, float | None]:
        """Option -> the requests a month at which it costs what the API does today (None: the
        API stays cheaper at any volume, or a bill is not known). Worked out when first asked:
        the decision itself does not need it."""
        return self._break_even(1.0)

    @cached_property
    def break_even_requests_horizon(self) -> dict[str, float | None]:
        """The same over the horizon, with API prices falling as the trend says."""
        return self._break_even(self.decline[1])

    def _break_even(self, factor: float) -> dict[str, float | None]:
        out: dict[str, float | None] = {}
        for oid in ("self_host", "fine_tune"):
            bill, api = self.options.get(oid), self.options.get("api")
            known = (
                self.catalogue is not None
                and bill is not None
                and api is not None
                and bill.usd_per_month is not None
                and api.usd_per_month is not None
                and not bill.floor
            )
            out[oid] = break_even(self.answers, self.catalogue, oid, factor) if known else None  # type: ignore[arg-type]
        return out

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
        api = self.options.get("api")
        if api is not None and api.price_as_of:
            dated.append((months_between(api.price_as_of, today), "hosted prices", api.price_as_of))
        if not dated:
            return Ages(None, ())
        dated.sort(key=lambda item: (-item[0], item[1]))
        stale = tuple(d for d in dated if d[0] > STALE_MONTHS)
        return Ages(dated[0], stale)

    def figures_used(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The catalogue keys behind these bills, each once, in the order first read: those the
        bills' lines used (the ones ``ages`` counts), then those that set how the API's price falls
        over the horizon, the estimated latencies and the range of a figure that states none."""
        cat = self.catalogue
        lines = tuple(
            dict.fromkeys(
                key for bill in self.options.values() for line in bill.lines for key in line.figures
            )
        )
        if cat is None:
            return lines, ()
        more: list[str] = []
        api = self.options.get("api")
        if self.falling is not None and api is not None and api.usd_per_month is not None:
            more += [
                f"trend.capability_decline_per_year.{self.falling.tier}",
                "trend.switch_months",
            ]
        if self.p95_latency_ms.get("api") is not None:
            more += api_latency_figures(self.answers, cat)
        if any(v is not None for k, v in self.p95_latency_ms.items() if k != "api"):
            more.append("latency.p95_over_median")
        ranged = [cat.figures.get(k) for k in lines]
        if any(f is not None and (f.low is None or f.high is None) for f in ranged):
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


@dataclass(frozen=True)
class OpenEndpoint:
    """The open model a team would host, served instead by a hosted endpoint (Groq, Together AI,
    Fireworks): the middle road between the API and self-hosting, on the same weights."""

    model: str  # the friendly id of the endpoint
    label: str
    usd_per_month: float
    others: tuple[tuple[str, float], ...] = ()  # the other endpoints found and their bills


def open_endpoint(answers: Mapping[str, Any], cat: Catalogue) -> OpenEndpoint | None:
    """The cheapest hosted endpoint of the open model named in cost.open_model, at the answers'
    volume; None without an open model, a volume, or an endpoint that serves it."""
    arch, volume = answers.get("cost.open_model"), _tokens(answers)
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


@dataclass(frozen=True)
class Ages:
    """The oldest figure a decision's bills read, and those older than twelve months: each as
    (age in months, key, as of)."""

    oldest: tuple[int, str, str] | None
    stale: tuple[tuple[int, str, str], ...]

    def sentence(self) -> str:
        if self.oldest is None:
            return "no dated figure was used"
        months, key, as_of = self.oldest
        text = f"the oldest figure used is {months} months old ({key}, as of {as_of})"
        if self.stale:
            many = len(self.stale)
            text += (
                f"; {many} {'is' if many == 1 else 'are'} older than twelve months and may be "
                "off by a wide margin (advisor catalogue --stale lists them)"
            )
        return text


@dataclass(frozen=True)
class Decline:
    """How the API's bill falls over the horizon: the price of the hosted model's capability tier
    falls ``per_year`` times a year, and the team moves to the cheaper model that reaches it every
    ``switch_months``; ``shares`` are the horizon's average price as a share of today's, with the
    decline at its fast end, its value and its slow end."""

    tier: str
    tier_guessed: bool
    per_year: float
    per_year_range: tuple[float, float]  # slow, fast
    switch_months: float
    shares: tuple[float, float, float]
    named: bool = True  # a hosted model is named (else the mid tier is taken)

    def sentence(self, horizon_months: int) -> str:
        slow, fast = self.per_year_range
        guessed = " (placed there by its price)" if self.tier_guessed else ""
        if not self.named:
            guessed = " (no hosted model is named: the workhorse tier is taken)"
        return (
            f"the price of {self.tier}-tier capability{guessed} falls {self.per_year:g}x a year "
            f"({slow:g}x to {fast:g}x), and moving every {self.switch_months:g} months to a "
            f"cheaper model of the same quality brings the API's average price over "
            f"{horizon_months} months to {numbers.share(self.shares[1])} of today's "
            f"({numbers.share(self.shares[0])} to {numbers.share(self.shares[2])})"
        )


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


def per_request_line(
    bill: Callable[[Mapping[str, Any]], float | None], answers: Mapping[str, Any]
) -> tuple[float, float, float] | None:
    """A bill as a function of requests a month, which the model keeps of the form
    ``max(floor, fixed + slope x requests)``: (floor, fixed, slope), read off three volumes."""
    at = [bill(dict(answers, **{"scale.requests_per_month": v})) for v in (1.0, 1e12, 2e12)]
    small, big, bigger = at
    if small is None or big is None or bigger is None:
        return None
    slope = (bigger - big) / 1e12
    return small, big - slope * 1e12, slope


def break_even(
    answers: Mapping[str, Any], cat: Catalogue, option: str, api_factor: float = 1.0
) -> float | None:
    """The requests a month at which ``option`` costs the same as the API, other answers unchanged
    (None when the API stays cheaper at any volume, or a bill cannot be worked out), to 0.1%.

    The API's bill is a straight line in requests. Each deployment's is flat (its least
    replicas) and then a straight line, and the sizing takes the cheapest deployment at each
    volume, so the option's bill bends where the choice moves to another GPU. A straight line
    through its two largest volumes approximates it (the deployments of the largest loads cost
    least a call); the crossing is searched from the volume where the API meets that line, by
    doubling until the option is cheaper, then bisecting.
    Fine-tuning takes the first of its two routes to cross.
    """
    api = per_request_line(lambda a: api_cost(a, cat).usd_per_month, answers)
    if api is None or api[2] <= 0:
        return None
    per_request = api[2] * api_factor
    routes: list[Callable[[Mapping[str, Any]], float | None]]
    if option == "self_host":
        routes = [lambda a: self_host_cost(a, cat).usd_per_month]
    else:

        def vendor(a: Mapping[str, Any]) -> float | None:
            found = fine_tune_vendor(a, cat)
            return None if found is None else found.usd_per_month

        routes = [lambda a: fine_tune_self_hosted(a, cat).usd_per_month, vendor]
    found = []
    for route in routes:
        line = per_request_line(route, answers)
        if line is None:
            continue
        floor, fixed, slope = line
        if per_request <= slope:
            continue  # each call costs the option at least what it costs on the API
        bound = max(floor / per_request, fixed / (per_request - slope), 1.0)
        found.append(_crossing(route, answers, per_request, bound))
    return min(found) if found else None


def _crossing(
    bill: Callable[[Mapping[str, Any]], float | None],
    answers: Mapping[str, Any],
    per_request: float,
    bound: float,
) -> float:
    """The least volume at which ``bill`` is no dearer than the API: from ``bound`` up by
    doublings to one where it is, then by bisection of the volume's logarithm."""

    def cheaper(volume: float) -> bool:
        cost = bill(dict(answers, **{"scale.requests_per_month": volume}))
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


def costs(answers: Mapping[str, Any], cat: Catalogue, horizon_months: int = 12) -> Costs:
    """Every option's monthly bill and range, and the horizon totals, the API's prices falling as
    its capability tier's do (its range: faster and slower)."""
    options = {oid: ranged(bill, answers, cat) or OptionCost(oid) for oid, bill in BILLS.items()}
    falling = decline_of(answers, cat, horizon_months)
    decline = falling.shares
    value: dict[str, float | None] = {}
    low: dict[str, float | None] = {}
    high: dict[str, float | None] = {}
    for oid, bill in options.items():
        monthly = bill.usd_per_month
        if monthly is None:
            value[oid] = low[oid] = high[oid] = None
            continue
        months = float(horizon_months)
        lo = bill.low_usd_per_month if bill.low_usd_per_month is not None else monthly
        hi = bill.high_usd_per_month if bill.high_usd_per_month is not None else monthly
        if oid == "api":
            value[oid], low[oid], high[oid] = (
                monthly * months * decline[1],
                lo * months * decline[0],
                hi * months * decline[2],
            )
        else:
            value[oid], low[oid], high[oid] = monthly * months, lo * months, hi * months
    return Costs(
        options=options,
        horizon_months=horizon_months,
        falling=falling,
        decline=decline,
        horizon_usd=value,
        horizon_low_usd=low,
        horizon_high_usd=high,
        p95_latency_ms={
            "api": api_p95_ms(answers, cat),
            "self_host": options["self_host"].p95_latency_ms,
            # A vendor's tuned model answers about as fast as the model it was tuned from.
            "fine_tune": api_p95_ms(answers, cat)
            if options["fine_tune"].route == "vendor"
            else options["fine_tune"].p95_latency_ms,
        },
        open_endpoint=open_endpoint(answers, cat),
        answers=dict(answers),
        catalogue=cat,
    )


def unavailable(reason: str) -> Costs:
    """Bills that could not be worked out (a catalogue without the figures), and why."""
    return Costs({}, 0, None, (1.0, 1.0, 1.0), {}, {}, {}, error=reason)


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
