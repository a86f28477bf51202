"""What each option costs a month and over a horizon, computed from answers and the catalogue.

Every figure comes from the catalogue by key, so a user can see and override it; the arithmetic is
written out in words in docs/costs.md. Money is in US dollars here; the catalogue's currency is
applied only when figures are shown.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from advisor.costs.catalogue import Catalogue, Figure

HOURS_PER_MONTH = 730.0  # 8,760 hours a year / 12
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600
MIN_REPLICAS = 2  # one to serve, one to survive a failure or a deploy
DEFAULT_GPU = "h100"
DEFAULT_PRECISION = "fp8"


@dataclass
class Line:
    """One line of a bill: what it is, how much a month, and how it was worked out."""

    what: str
    usd_per_month: float
    working: str
    figures: tuple[str, ...] = ()  # the catalogue keys it used


@dataclass
class OptionCost:
    """An option's monthly bill and what it implies."""

    option: str
    lines: list[Line] = field(default_factory=list)
    tokens_per_month: float | None = None  # input and output, for the cost per million
    gpus: int | None = None
    gpu: str | None = None
    replicas: int | None = None
    utilisation: float | None = None
    p95_latency_ms: float | None = None
    missing: list[str] = field(default_factory=list)  # answers it needs that are not given
    route: str = ""  # for fine_tune: "self-hosted" or "vendor" (the hosted model's own tuning)

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


def _tokens(answers: Mapping[str, Any]) -> tuple[float, float, float] | None:
    requests = answers.get("scale.requests_per_month")
    tin = answers.get("scale.input_tokens_per_request")
    tout = answers.get("scale.output_tokens_per_request")
    if requests is None or tin is None or tout is None:
        return None
    return float(requests), float(tin), float(tout)


def api_cost(answers: Mapping[str, Any], cat: Catalogue) -> OptionCost:
    """requests x (input tokens x input price + output tokens x output price)."""
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
    monthly = requests * (tin * price.input_usd_per_mtok + tout * price.output_usd_per_mtok) / 1e6
    out.lines.append(
        Line(
            f"{model} tokens",
            monthly,
            f"{requests:,.0f} requests x ({tin:,.0f} in x ${price.input_usd_per_mtok:g} + "
            f"{tout:,.0f} out x ${price.output_usd_per_mtok:g}) per million tokens "
            f"({price.source}, as of {price.as_of})",
        )
    )
    out.tokens_per_month = requests * (tin + tout)
    return out


def weights_gb(size_b: float, precision: str, cat: Catalogue) -> float:
    """Parameters x bytes per parameter: 70B at 16 bits is 140 GB."""
    return size_b * cat[f"serving.bytes_per_param.{precision}"]


def gpus_to_hold(size_b: float, precision: str, gpu: str, cat: Catalogue) -> int:
    """GPUs one replica needs for the weights plus the KV cache and activations."""
    need = weights_gb(size_b, precision, cat) * (1 + cat["serving.kv_cache_overhead_fraction"])
    return max(1, math.ceil(need / cat[f"gpu.{gpu}.memory_gb"]))


def replica_throughput(
    size_b: float, precision: str, gpus: int, gpu: str, cat: Catalogue
) -> tuple[float, str]:
    return cat.memo(
        ("throughput", size_b, precision, gpus, gpu),
        lambda: _replica_throughput(size_b, precision, gpus, gpu, cat),
    )


def _replica_throughput(
    size_b: float, precision: str, gpus: int, gpu: str, cat: Catalogue
) -> tuple[float, str]:
    """Output tokens per second of one replica, and where the figure came from.

    The catalogue's measured deployment of the same precision and GPU nearest in size is scaled by
    size (decoding is bound by reading the weights, so throughput falls about in proportion to
    parameters) and by GPU count.
    """
    best: tuple[float, Figure] | None = None
    for key, fig in cat.under("serving").items():
        parts = key.split(".")
        if len(parts) != 5 or parts[2] != precision or parts[4] != "output_tokens_per_s":
            continue
        size_text, count_gpu = parts[1], parts[3]
        count, _, kind = count_gpu.partition("x")
        if kind != gpu or not size_text.endswith("b") or not count.isdigit():
            continue
        size = float(size_text[:-1])
        distance = abs(math.log(size / size_b)) + abs(math.log(int(count) / gpus))
        if best is None or distance < best[0]:
            best = (distance, fig)
    if best is None:
        raise KeyError(f"no serving figure for {precision} on {gpu}")
    fig = best[1]
    parts = fig.key.split(".")
    measured_b = float(parts[1][:-1])
    measured_gpus = int(parts[3].partition("x")[0])
    tps = fig.value * (measured_b / size_b) * (gpus / measured_gpus)
    same = (measured_b, measured_gpus) == (size_b, gpus)
    how = fig.key if same else f"{fig.key} scaled to {size_b:g}B on {gpus}"
    return tps, how


def self_host_cost(
    answers: Mapping[str, Any], cat: Catalogue, *, option: str = "self_host"
) -> OptionCost:
    """GPUs for the weights and for peak throughput, at least two replicas, paid whether used or
    not, plus the share of an engineer's time that running them takes."""
    out = OptionCost(option)
    volume = _tokens(answers)
    size = answers.get("cost.open_model_size_b")
    if volume is None:
        out.missing.append("scale.requests_per_month")
    if size is None:
        out.missing.append("cost.open_model_size_b")
    if out.missing:
        return out
    assert volume is not None and size is not None
    requests, tin, tout = volume
    size = float(size)
    gpu, precision = DEFAULT_GPU, DEFAULT_PRECISION
    per_replica = gpus_to_hold(size, precision, gpu, cat)
    tps, how = replica_throughput(size, precision, per_replica, gpu, cat)
    peak = answers.get("scale.peak_to_average") or 1.0
    average_tps = requests * tout / SECONDS_PER_MONTH
    replicas = max(MIN_REPLICAS, math.ceil(average_tps * peak / tps))
    hourly = cat[f"gpu.{gpu}.hourly_usd"]
    out.gpu, out.replicas, out.gpus = gpu, replicas, replicas * per_replica
    out.utilisation = average_tps / (replicas * tps)
    out.lines.append(
        Line(
            f"{out.gpus} x {gpu.upper()} GPUs",
            out.gpus * hourly * HOURS_PER_MONTH,
            f"{replicas} replicas x {per_replica} GPU(s) for {size:g}B at {precision} "
            f"({tps:,.0f} output tokens/s each, {how}); {out.gpus} x ${hourly:g}/h x "
            f"{HOURS_PER_MONTH:g} h",
            (
                f"gpu.{gpu}.hourly_usd",
                f"gpu.{gpu}.memory_gb",
                f"serving.bytes_per_param.{precision}",
                "serving.kv_cache_overhead_fraction",
                how.split()[0],  # the measured deployment the throughput comes from
            ),
        )
    )
    share = cat[f"people.{option}.engineer_share"]
    yearly = cat["people.ml_engineer.yearly_usd"]
    out.lines.append(
        Line(
            "engineering time",
            share * yearly / 12,
            f"{share:g} of an ML engineer at ${yearly:,.0f} a year",
            (f"people.{option}.engineer_share", "people.ml_engineer.yearly_usd"),
        )
    )
    out.tokens_per_month = requests * (tin + tout)
    return out


LORA_KEY = "finetune.lora_8b.a100_80gb.gpu_hours_per_mtok"
LORA_GPU = "a100_80gb"
LORA_SIZE_B = 8.0


def fine_tune_cost(answers: Mapping[str, Any], cat: Catalogue) -> OptionCost:
    """The cheaper of the two ways to fine-tune that the answers allow: tuning an open model and
    serving it on GPUs of one's own, or the hosted model's vendor tuning it and serving the tuned
    model at its own prices (where the catalogue has them)."""
    own = _fine_tune_self_hosted(answers, cat)
    vendor = _fine_tune_vendor(answers, cat)
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


def _fine_tune_vendor(answers: Mapping[str, Any], cat: Catalogue) -> OptionCost | None:
    """The vendor tunes its hosted model on the team's examples and serves it at the tuned model's
    prices: training tokens x epochs x the training price, runs repeated as base models improve,
    plus the tuned model's tokens and the tuning work."""
    model, labels, volume = (
        answers.get("cost.api_model"),
        answers.get("pmf.labeled_examples"),
        _tokens(answers),
    )
    if model is None or labels is None or volume is None or not vendor_may_train(answers):
        return None
    key = f"finetune.vendor.{str(model).replace('-', '_').replace('.', '_')}"
    prices = [cat.figures.get(f"{key}.{k}_usd_per_mtok") for k in ("training", "input", "output")]
    if any(p is None for p in prices):
        return None
    train, tokens_in, tokens_out = (p.value for p in prices)  # type: ignore[union-attr]
    requests, tin, tout = volume
    epochs, runs = cat["finetune.epochs"], cat["finetune.runs_per_year"]
    train_mtok = labels * (tin + tout) * epochs / 1e6
    out = OptionCost("fine_tune", route="vendor")
    out.lines.append(
        Line(
            f"{model} tuning runs",
            train_mtok * train * runs / 12,
            f"{labels:,} examples x {tin + tout:,.0f} tokens x {epochs:g} epochs = "
            f"{train_mtok:,.2f}M tokens x ${train:g} per million, {runs:g} runs a year / 12",
            (f"{key}.training_usd_per_mtok", "finetune.epochs", "finetune.runs_per_year"),
        )
    )
    out.lines.append(
        Line(
            f"tuned {model} tokens",
            requests * (tin * tokens_in + tout * tokens_out) / 1e6,
            f"{requests:,.0f} requests x ({tin:,.0f} in x ${tokens_in:g} + {tout:,.0f} out x "
            f"${tokens_out:g}) per million tokens",
            (f"{key}.input_usd_per_mtok", f"{key}.output_usd_per_mtok"),
        )
    )
    share, yearly = cat["people.fine_tune.engineer_share"], cat["people.ml_engineer.yearly_usd"]
    out.lines.append(
        Line(
            "tuning work",
            share * yearly / 12,
            f"{share:g} of an ML engineer at ${yearly:,.0f} a year",
            ("people.fine_tune.engineer_share", "people.ml_engineer.yearly_usd"),
        )
    )
    out.tokens_per_month = requests * (tin + tout)
    return out


def _fine_tune_self_hosted(answers: Mapping[str, Any], cat: Catalogue) -> OptionCost:
    """Training runs repeated as base models improve, the people who prepare data and evaluate, and
    serving the tuned model on GPUs of one's own (as self-hosting does)."""
    serving = self_host_cost(answers, cat, option="fine_tune")
    out = OptionCost("fine_tune", missing=list(serving.missing), route="self-hosted")
    labels = answers.get("pmf.labeled_examples")
    if labels is None:
        out.missing.append("pmf.labeled_examples")
    if out.missing:
        return out
    volume = _tokens(answers)
    size = float(answers["cost.open_model_size_b"])
    assert volume is not None and labels is not None
    _, tin, tout = volume
    epochs = cat["finetune.epochs"]
    runs = cat["finetune.runs_per_year"]
    train_mtok = labels * (tin + tout) * epochs / 1e6
    hours = train_mtok * cat[LORA_KEY] * (size / LORA_SIZE_B)
    hourly = cat[f"gpu.{LORA_GPU}.hourly_usd"]
    out.lines.append(
        Line(
            "training runs",
            hours * hourly * runs / 12,
            f"{labels:,} examples x {tin + tout:,.0f} tokens x {epochs:g} epochs = "
            f"{train_mtok:,.2f}M tokens; {hours:,.1f} GPU-hours a run ({size:g}B, LoRA) x "
            f"${hourly:g}/h x {runs:g} runs a year / 12",
            (LORA_KEY, f"gpu.{LORA_GPU}.hourly_usd", "finetune.epochs", "finetune.runs_per_year"),
        )
    )
    labelling = cat.figures.get("labelling.per_example_usd")
    if labelling is not None:
        out.lines.append(
            Line(
                "labelling",
                labels * labelling.value / 12,
                f"refreshing {labels:,} examples once a year at ${labelling.value:g} each",
                ("labelling.per_example_usd",),
            )
        )
    out.lines.extend(serving.lines)  # GPUs to serve the tuned model, and the tuning work
    out.gpu, out.gpus, out.replicas = serving.gpu, serving.gpus, serving.replicas
    out.utilisation = serving.utilisation
    serve_share = cat["people.self_host.engineer_share"]
    yearly = cat["people.ml_engineer.yearly_usd"]
    out.lines.append(
        Line(
            "serving time",
            serve_share * yearly / 12,
            f"{serve_share:g} of an ML engineer at ${yearly:,.0f} a year to run the serving",
            ("people.self_host.engineer_share", "people.ml_engineer.yearly_usd"),
        )
    )
    requests, tin, tout = volume
    out.tokens_per_month = requests * (tin + tout)
    return out


@dataclass
class Costs:
    """Every option's bill, over the horizon too, and the volume at which owning the serving pays."""

    options: dict[str, OptionCost]
    horizon_months: int
    halving_months: float
    horizon_usd: dict[str, float | None]
    break_even_requests: dict[str, float | None]  # option -> requests a month where it meets api
    break_even_requests_horizon: dict[str, float | None]
    p95_latency_ms: dict[str, float | None] = field(default_factory=dict)


def api_decline(months: int, halving: float) -> float:
    """The average of API prices over ``months`` as a share of today's, halving every ``halving``."""
    return sum(0.5 ** (m / halving) for m in range(months)) / months


def break_even(
    answers: Mapping[str, Any], cat: Catalogue, option: str, api_factor: float = 1.0
) -> float | None:
    """The requests a month at which ``option`` costs the same as the API (None when the API stays
    cheaper at any volume), other answers unchanged.

    The API's bill is linear in requests. The other bill is a step: fixed costs plus one more
    replica's GPUs each time peak traffic outgrows the replicas, so the crossing is found replica
    by replica, in closed form.
    """
    bill = {"self_host": self_host_cost, "fine_tune": _fine_tune_self_hosted}[option]
    at_million = dict(answers, **{"scale.requests_per_month": 1_000_000})
    api_million = api_cost(at_million, cat).usd_per_month
    sample = bill(at_million, cat)
    if api_million is None or sample.usd_per_month is None or not sample.replicas:
        return None
    per_request = api_million * api_factor / 1_000_000
    if per_request <= 0:
        return None
    gpu_line = next(line for line in sample.lines if line.what.endswith("GPUs"))
    per_replica_usd = gpu_line.usd_per_month / sample.replicas
    fixed = sample.usd_per_month - gpu_line.usd_per_month
    # Requests one replica can carry at peak: where the replica count would step up.
    size, tout = answers["cost.open_model_size_b"], answers["scale.output_tokens_per_request"]
    peak = answers.get("scale.peak_to_average") or 1.0
    per_replica_gpus = gpus_to_hold(size, DEFAULT_PRECISION, DEFAULT_GPU, cat)
    tps, _ = replica_throughput(size, DEFAULT_PRECISION, per_replica_gpus, DEFAULT_GPU, cat)
    carry = tps * SECONDS_PER_MONTH / (tout * peak) if tout else math.inf
    if fixed < 0 or carry <= 0:
        return None
    replicas = MIN_REPLICAS
    while True:
        monthly = fixed + replicas * per_replica_usd
        lower = 0.0 if replicas == MIN_REPLICAS else (replicas - 1) * carry
        upper = replicas * carry
        crossing = max(monthly / per_request, lower)
        if crossing <= upper:
            return crossing
        if per_request * carry <= per_replica_usd or lower > 1e12:
            return None  # each added replica costs more than the requests it carries bring in
        replicas += 1


def costs(answers: Mapping[str, Any], cat: Catalogue, horizon_months: int = 12) -> Costs:
    """Every option's monthly bill and the horizon totals, API prices falling as the trend says."""
    options = {
        "api": api_cost(answers, cat),
        "self_host": self_host_cost(answers, cat),
        "fine_tune": fine_tune_cost(answers, cat),
    }
    halving = cat["trend.halving_months"]
    factor = api_decline(horizon_months, halving)
    horizon: dict[str, float | None] = {}
    for oid, bill in options.items():
        monthly = bill.usd_per_month
        scale = factor if oid == "api" else 1.0
        horizon[oid] = None if monthly is None else monthly * horizon_months * scale
    owned = ("self_host", "fine_tune")
    return Costs(
        options=options,
        horizon_months=horizon_months,
        halving_months=halving,
        horizon_usd=horizon,
        break_even_requests={o: break_even(answers, cat, o) for o in owned},
        break_even_requests_horizon={o: break_even(answers, cat, o, factor) for o in owned},
        p95_latency_ms={
            "api": api_p95_ms(answers, cat),
            "self_host": self_host_p95_ms(answers, cat),
            # A vendor's tuned model answers about as fast as the model it was tuned from.
            "fine_tune": api_p95_ms(answers, cat)
            if options["fine_tune"].route == "vendor"
            else self_host_p95_ms(answers, cat),
        },
    )


def _p95(cat: Catalogue) -> float:
    factor = cat.figures.get("latency.p95_over_median")
    return factor.value if factor is not None else 1.0


def api_p95_ms(answers: Mapping[str, Any], cat: Catalogue) -> float | None:
    """A hosted model's 95th-percentile time for one call: (time to first token + output tokens /
    output speed) x the ratio of a 95th percentile to a median. None without the figures."""
    model, tout = answers.get("cost.api_model"), answers.get("scale.output_tokens_per_request")
    if model is None or tout is None:
        return None
    key = f"latency.api.{str(model).replace('-', '_').replace('.', '_')}"
    first, speed = cat.figures.get(f"{key}.ttft_ms"), cat.figures.get(f"{key}.output_tokens_per_s")
    if first is None or speed is None or speed.value <= 0:
        return None
    return (first.value + tout / speed.value * 1000) * _p95(cat)


def self_host_p95_ms(answers: Mapping[str, Any], cat: Catalogue) -> float | None:
    """The same for a model served on one's own GPUs: the measured size nearest the model's, its
    time to first token and per-request speed scaled by size (larger models read more weights for
    every token)."""
    size, tout = (
        answers.get("cost.open_model_size_b"),
        answers.get("scale.output_tokens_per_request"),
    )
    if size is None or tout is None:
        return None
    measured = []
    for key in cat.under("latency.self_host"):
        parts = key.split(".")
        if len(parts) == 4 and parts[3] == "ttft_ms" and parts[2].endswith("b"):
            measured.append(float(parts[2][:-1]))
    if not measured:
        return None
    near = min(measured, key=lambda m: abs(math.log(m / float(size))))
    tag = f"latency.self_host.{near:g}b"
    first, speed = cat.figures.get(f"{tag}.ttft_ms"), cat.figures.get(f"{tag}.output_tokens_per_s")
    if first is None or speed is None or speed.value <= 0:
        return None
    scale = float(size) / near
    return (first.value * scale + tout / (speed.value / scale) * 1000) * _p95(cat)
