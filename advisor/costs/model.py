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
from typing import Any

from advisor.core import numbers
from advisor.costs.catalogue import Catalogue, Figure

HOURS_PER_MONTH = 730.0  # 8,760 hours a year / 12
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600
MIN_REPLICAS = 2  # one to serve, one to survive a failure or a deploy
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
    route: str = ""  # for fine_tune: "self-hosted" or "vendor" (the hosted model's own tuning)
    floor: bool = False  # an answer it needs is unknown: the bill is the least it could be
    assumed: dict[str, Any] = field(default_factory=dict)  # answers taken for the floor
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
    """requests x (input tokens x input price + output tokens x output price). List prices are
    exact, so ``bound`` changes nothing here; the API's uncertainty is in how its prices fall."""
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
            lambda: (
                f"{requests:,.0f} requests x ({tin:,.0f} in x ${price.input_usd_per_mtok:g} + "
                f"{tout:,.0f} out x ${price.output_usd_per_mtok:g}) per million tokens "
                f"({price.source}, as of {price.as_of})"
            ),
        )
    )
    out.tokens_per_month = requests * (tin + tout)
    return out


def weights_gb(size_b: float, precision: str, cat: Catalogue) -> float:
    """Parameters x bytes per parameter: 70B at 16 bits is 140 GB."""
    return size_b * cat[f"serving.bytes_per_param.{precision}"]


def gpus_to_hold(
    size_b: float, precision: str, gpu: str, cat: Catalogue, bound: str | None = None
) -> int:
    """GPUs one replica needs for the weights plus the KV cache and activations."""
    overhead = cat.at("serving.kv_cache_overhead_fraction", bound)
    need = weights_gb(size_b, precision, cat) * (1 + overhead)
    return max(1, math.ceil(need / cat[f"gpu.{gpu}.memory_gb"]))


def replica_throughput(
    size_b: float, precision: str, gpus: int, gpu: str, cat: Catalogue, bound: str | None = None
) -> tuple[float, str]:
    return cat.memo(
        ("throughput", size_b, precision, gpus, gpu, bound),
        lambda: _replica_throughput(size_b, precision, gpus, gpu, cat, bound),
    )


def _replica_throughput(
    size_b: float, precision: str, gpus: int, gpu: str, cat: Catalogue, bound: str | None
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
    measured = cat.at(fig.key, bound, dearer_when_higher=False)  # more throughput is cheaper
    tps = measured * (measured_b / size_b) * (gpus / measured_gpus)
    same = (measured_b, measured_gpus) == (size_b, gpus)
    how = fig.key if same else f"{fig.key} scaled to {size_b:g}B on {gpus}"
    return tps, how


def self_host_cost(
    answers: Mapping[str, Any],
    cat: Catalogue,
    *,
    option: str = "self_host",
    bound: str | None = None,
) -> OptionCost:
    """GPUs for the weights and for peak throughput, in replicas and fractions of one (at least
    two), paid whether used or not, plus the share of an engineer's time that running them takes.
    Without a model size the bill is the least self-hosting could cost: the smallest model."""
    out = OptionCost(option)
    volume = _tokens(answers)
    size = answers.get("cost.open_model_size_b")
    if volume is None:
        out.missing.append("scale.requests_per_month")
        return out
    if size is None:
        size = SMALLEST_MODEL_B
        out.floor = True
        out.assumed["cost.open_model_size_b"] = SMALLEST_MODEL_B
    requests, tin, tout = volume
    size = float(size)
    gpu, precision = DEFAULT_GPU, DEFAULT_PRECISION
    per_replica = gpus_to_hold(size, precision, gpu, cat, bound)
    tps, how = replica_throughput(size, precision, per_replica, gpu, cat, bound)
    peak = answers.get("scale.peak_to_average") or 1.0
    average_tps = requests * tout / SECONDS_PER_MONTH
    replicas = max(float(MIN_REPLICAS), average_tps * peak / tps)
    hourly = cat.at(f"gpu.{gpu}.hourly_usd", bound)
    out.gpu, out.replicas, out.gpus_per_replica = gpu, replicas, per_replica
    out.gpus = replicas * per_replica
    out.utilisation = average_tps / (replicas * tps)
    sized = "for availability" if replicas == MIN_REPLICAS else "for peak traffic"
    out.lines.append(
        Line(
            f"{numbers.number(round(out.gpus, 1))} x {gpu.upper()} GPUs",
            out.gpus * hourly * HOURS_PER_MONTH,
            lambda: (
                f"{replicas:,.2f} replicas {sized} x {per_replica} GPU(s) for {size:g}B at "
                f"{precision} ({tps:,.0f} output tokens/s each, {how}); {out.gpus:,.2f} x "
                f"${hourly:g}/h x {HOURS_PER_MONTH:g} h"
            ),
            (
                f"gpu.{gpu}.hourly_usd",
                f"gpu.{gpu}.memory_gb",
                f"serving.bytes_per_param.{precision}",
                "serving.kv_cache_overhead_fraction",
                how.split()[0],  # the measured deployment the throughput comes from
            ),
        )
    )
    share = cat.at(f"people.{option}.engineer_share", bound)
    yearly = cat.at("people.ml_engineer.yearly_usd", bound)
    out.lines.append(
        Line(
            "engineering time",
            share * yearly / 12,
            lambda: f"{share:g} of an ML engineer at ${yearly:,.0f} a year",
            (f"people.{option}.engineer_share", "people.ml_engineer.yearly_usd"),
        )
    )
    out.tokens_per_month = requests * (tin + tout)
    return out


LORA_KEY = "finetune.lora_8b.a100_80gb.gpu_hours_per_mtok"
LORA_GPU = "a100_80gb"
LORA_SIZE_B = 8.0


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
        price = cat.at(LABEL_PRICE_KEY, bound)
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


def fine_tune_self_hosted(
    answers: Mapping[str, Any], cat: Catalogue, bound: str | None = None
) -> OptionCost:
    """Training runs repeated as base models improve, labelling the examples still missing, the
    people who prepare data and evaluate, and serving the tuned model on GPUs of one's own (as
    self-hosting does)."""
    serving = self_host_cost(answers, cat, option="fine_tune", bound=bound)
    out = OptionCost(
        "fine_tune",
        missing=list(serving.missing),
        route="self-hosted",
        floor=serving.floor,
        assumed=dict(serving.assumed),
    )
    if out.missing:
        return out
    volume = _tokens(answers)
    assert volume is not None
    size = float(answers.get("cost.open_model_size_b") or SMALLEST_MODEL_B)
    _, tin, tout = volume
    examples = _tuning_set(answers, cat, bound, out)
    epochs = cat.at("finetune.epochs", bound)
    runs = cat.at("finetune.runs_per_year", bound)
    train_mtok = examples * (tin + tout) * epochs / 1e6
    hours = train_mtok * cat.at(LORA_KEY, bound) * (size / LORA_SIZE_B)
    hourly = cat.at(f"gpu.{LORA_GPU}.hourly_usd", bound)
    out.lines.insert(
        0,
        Line(
            "training runs",
            hours * hourly * runs / 12,
            lambda: (
                f"{examples:,.0f} examples x {tin + tout:,.0f} tokens x {epochs:g} epochs = "
                f"{train_mtok:,.2f}M tokens; {hours:,.1f} GPU-hours a run ({size:g}B, LoRA) x "
                f"${hourly:g}/h x {runs:g} runs a year / 12"
            ),
            (LORA_KEY, f"gpu.{LORA_GPU}.hourly_usd", "finetune.epochs", "finetune.runs_per_year"),
        ),
    )
    out.lines.extend(serving.lines)  # GPUs to serve the tuned model, and the tuning work
    out.gpu, out.gpus, out.replicas = serving.gpu, serving.gpus, serving.replicas
    out.gpus_per_replica, out.utilisation = serving.gpus_per_replica, serving.utilisation
    serve_share = cat.at("people.self_host.engineer_share", bound)
    yearly = cat.at("people.ml_engineer.yearly_usd", bound)
    out.lines.append(
        Line(
            "serving time",
            serve_share * yearly / 12,
            lambda: (
                f"{serve_share:g} of an ML engineer at ${yearly:,.0f} a year to run the serving"
            ),
            ("people.self_host.engineer_share", "people.ml_engineer.yearly_usd"),
        )
    )
    out.tokens_per_month = serving.tokens_per_month
    return out


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
    halving_months: float
    decline: tuple[float, float, float]  # API prices over the horizon, as a share of today's
    horizon_usd: dict[str, float | None]
    horizon_low_usd: dict[str, float | None]
    horizon_high_usd: dict[str, float | None]
    p95_latency_ms: dict[str, float | None] = field(default_factory=dict)
    halving_range: tuple[float, float] = (0.0, 0.0)
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


def api_decline(months: int, halving: float) -> float:
    """The average of API prices over ``months`` as a share of today's, halving every ``halving``."""
    return sum(0.5 ** (m / halving) for m in range(months)) / months


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
    (None when the API stays cheaper at any volume, or a bill cannot be worked out).

    Both bills are straight lines in requests (the other above a floor: two replicas), so the
    crossing is found in closed form; fine-tuning takes the first of its two routes to cross.
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
        found.append(max(floor / per_request, fixed / (per_request - slope), 0.0))
    return min(found) if found else None


def costs(answers: Mapping[str, Any], cat: Catalogue, horizon_months: int = 12) -> Costs:
    """Every option's monthly bill and range, and the horizon totals, API prices falling as the
    trend says (its range: faster and slower)."""
    options = {oid: ranged(bill, answers, cat) or OptionCost(oid) for oid, bill in BILLS.items()}
    halving = cat["trend.halving_months"]
    fast, slow = cat.range_of("trend.halving_months")
    decline = (
        api_decline(horizon_months, fast),
        api_decline(horizon_months, halving),
        api_decline(horizon_months, slow),
    )
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
        halving_months=halving,
        decline=decline,
        horizon_usd=value,
        horizon_low_usd=low,
        horizon_high_usd=high,
        p95_latency_ms={
            "api": api_p95_ms(answers, cat),
            "self_host": self_host_p95_ms(answers, cat),
            # A vendor's tuned model answers about as fast as the model it was tuned from.
            "fine_tune": api_p95_ms(answers, cat)
            if options["fine_tune"].route == "vendor"
            else self_host_p95_ms(answers, cat),
        },
        halving_range=(fast, slow),
        answers=dict(answers),
        catalogue=cat,
    )


def unavailable(reason: str) -> Costs:
    """Bills that could not be worked out (a catalogue without the figures), and why."""
    return Costs({}, 0, 0.0, (1.0, 1.0, 1.0), {}, {}, {}, error=reason)


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


def _measured_sizes(cat: Catalogue) -> list[float]:
    out = []
    for key in cat.under("latency.self_host"):
        parts = key.split(".")
        if len(parts) == 4 and parts[3] == "ttft_ms" and parts[2].endswith("b"):
            out.append(float(parts[2][:-1]))
    return out


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
    measured = cat.memo(("latency sizes",), lambda: _measured_sizes(cat))
    if not measured:
        return None
    near = min(measured, key=lambda m: abs(math.log(m / float(size))))
    tag = f"latency.self_host.{near:g}b"
    first, speed = cat.figures.get(f"{tag}.ttft_ms"), cat.figures.get(f"{tag}.output_tokens_per_s")
    if first is None or speed is None or speed.value <= 0:
        return None
    scale = float(size) / near
    return (first.value * scale + tout / (speed.value / scale) * 1000) * _p95(cat)
