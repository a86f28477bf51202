"""Built-in bill of fine-tuning, the cheaper of two routes: tuning an open model and serving it on
GPUs of one's own, or the hosted model's vendor tuning it and serving it at its own prices; either
way training runs, labelling the examples still missing, and the tuning work (docs/costs.md).

Given to the cost model as a :class:`advisor.costs.bill.Pricing` by the plugin ``costs``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from advisor.costs.bill import Line, OptionCost, Pricing
from advisor_plugins._pack import FINE_TUNE
from advisor_plugins.bills_api import VOLUME, api_p95_ms, tokens
from advisor_plugins.bills_gpu import (
    LOAD,
    SERVING,
    gpu_hourly,
    gpu_label,
    gpu_price_keys,
    open_architecture,
    p95_figures,
    self_host_cost,
)

if TYPE_CHECKING:
    from advisor.costs.catalogue import Catalogue

TUNING_SET_KEY = "finetune.tuning_set_examples"
LABEL_PRICE_KEY = "labelling.per_example_usd"


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


def _tuning_work(cat: Catalogue, bound: str | None, doing: str = "") -> Line:
    """The share of an ML engineer's year that tuning takes, whichever way it is done."""
    share = cat.at("people.fine_tune.engineer_share", bound)
    yearly = cat.at("people.ml_engineer.yearly_usd", bound)
    return Line(
        "tuning work",
        share * yearly / 12,
        lambda: f"{share:g} of an ML engineer at ${yearly:,.0f} a year{doing}",
        ("people.fine_tune.engineer_share", "people.ml_engineer.yearly_usd"),
    )


def vendor_may_train(answers: Mapping[str, Any]) -> bool:
    """Whether the team's examples may go to the hosted model's vendor for tuning: where data may
    reach a vendor at all (the privacy rules' own fact), and user data may be used for training."""
    if not answers.get("data_may_reach_vendor"):
        return False
    return answers.get("privacy.train_on_user_data") is not False


def fine_tune_vendor(
    answers: Mapping[str, Any], cat: Catalogue, bound: str | None = None
) -> OptionCost | None:
    """The vendor tunes its hosted model on the team's examples and serves it at the tuned model's
    prices: training tokens x epochs x the training price, runs repeated as base models improve,
    plus the tuned model's tokens and the tuning work."""
    model, volume = answers.get("cost.api_model"), tokens(answers)
    if model is None or volume is None or not vendor_may_train(answers):
        return None
    key = f"finetune.vendor.{str(model).replace('-', '_').replace('.', '_')}"
    prices = [cat.figures.get(f"{key}.{k}_usd_per_mtok") for k in ("training", "input", "output")]
    if any(p is None for p in prices):
        return None
    out = OptionCost(FINE_TUNE, route="vendor")
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
    out.lines.append(_tuning_work(cat, bound))
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
    serving = self_host_cost(answers, cat, option=FINE_TUNE, bound=bound)
    out = OptionCost(
        FINE_TUNE,
        missing=list(serving.missing),
        route="self-hosted",
        floor=serving.floor,
        assumed=dict(serving.assumed),
        notes=list(serving.notes),
    )
    if out.missing:
        return out
    volume = tokens(answers)
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
                f"{count} x {gpu_label(gpu)}: {hours:,.2f} GPU-hours, ${cost:,.2f} a run x "
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
    out.lines.append(_tuning_work(cat, bound, " to prepare data, train and evaluate"))
    out.tokens_per_month = serving.tokens_per_month
    return out


METHOD_WORDS = {"lora": "LoRA", "qlora": "QLoRA", "full": "full fine-tuning"}


def _p95(answers: Mapping[str, Any], cat: Catalogue, bill: OptionCost) -> float | None:
    # A vendor's tuned model answers about as fast as the model it was tuned from.
    return api_p95_ms(answers, cat) if bill.route == "vendor" else bill.p95_latency_ms


FINE_TUNE_PRICING = Pricing(
    option=FINE_TUNE,
    bill=fine_tune_cost,
    reads=(
        *VOLUME,
        "cost.api_model",
        *SERVING,
        *LOAD,
        "cost.tuning_method",
        "cost.label_usd_per_example",
        "pmf.labeled_examples",
        "pmf.has_evals",
        "data_may_reach_vendor",
        "privacy.train_on_user_data",
    ),
    routes={"self-hosted": fine_tune_self_hosted, "vendor": fine_tune_vendor},
    break_even=True,
    p95_ms=_p95,
    figures=p95_figures,
)
