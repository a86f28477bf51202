"""The bills: the API at genai-prices' rates with cached input and batch, self-hosting sized by
advisor/costs/capacity on the GPU pricing answered, fine-tuning with its training runs and labels,
the people each takes, break-even, latency, and every catalogue figure read or marked reference."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor import Registry, build_registry, evaluate, load_answers
from advisor.core.decision.engine import resolve
from advisor.core.decision.facts import FactView
from advisor.costs import capacity, model
from advisor.costs.catalogue import Catalogue
from advisor.costs.model import Costs
from advisor_plugins.bills_api import api_cost, api_p95_ms
from advisor_plugins.bills_gpu import (
    GPU_PRICING,
    HOURS_PER_MONTH,
    gpu_hourly,
    self_host_cost,
    serving_people,
)
from advisor_plugins.bills_tuning import TUNING_METHODS, fine_tune_cost, training_run

CASES = Path(__file__).parent / "cases"
MEDIA = CASES / "media-tagging-at-scale.yaml"
HOSPITAL = CASES / "hospital-discharge-notes.yaml"
REGISTRY = build_registry()
PRICING = {p.option: p for p in REGISTRY.pricings}
VENDOR = "data_may_reach_vendor"  # the privacy rules' fact the fine-tuning bill reads


def _values(path: Path, **changes: Any) -> dict[str, Any]:
    """A case's answers, defaults filled in, with the facts the bills read."""
    values = {**resolve(REGISTRY, load_answers(path, REGISTRY).values).values, **changes}
    view = FactView(values, REGISTRY.facts, catalogue=lambda: REGISTRY.catalogue)
    return {**values, VENDOR: view[VENDOR]}


def costs(values: dict[str, Any], cat: Catalogue, horizon_months: int = 12) -> Costs:
    """Every built-in bill at ``values``, as the fact ``bills`` works them out."""
    return model.costs(values, cat, REGISTRY.pricings, horizon_months, REGISTRY.trusted())


def break_even(values: dict[str, Any], cat: Catalogue, option: str) -> float | None:
    return model.break_even(values, cat, PRICING[option], PRICING["api"])


def _json(result: Result) -> Any:
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.stdout)


# --- the API ---------------------------------------------------------------------------------


def test_the_api_bill_of_the_media_case_by_hand() -> None:
    # 30M requests x (900 x $2.50 + 120 x $10) / 1M tokens = $103,500 a month (gpt-4o's list).
    bill = api_cost(_values(MEDIA), REGISTRY.catalogue)
    assert bill.usd_per_month == pytest.approx(103_500)
    assert bill.usd_per_mtok == pytest.approx(103_500 / (30e6 * 1020) * 1e6)
    assert any("shut down on 2027-01-14" in note for note in bill.notes)


def test_cached_input_and_batch_lower_the_api_bill_by_the_vendors_rates() -> None:
    cat = REGISTRY.catalogue
    price = cat.hosted_price("gpt-4o")
    cached_rate = price.cached_input.base if price.cached_input else price.input.base
    assert cached_rate < price.input.base
    half = api_cost(_values(MEDIA, **{"scale.cached_input_share": 0.5}), cat)
    per_call = (450 * price.input.base + 450 * cached_rate + 120 * price.output.base) / 1e6
    assert half.usd_per_month == pytest.approx(30e6 * per_call)
    assert price.batch is not None
    waits = api_cost(_values(MEDIA, **{"scale.batch_share": 1.0}), cat)
    batch_in, batch_out, _ = price.batch
    by_batch = (900 * batch_in.base + 120 * batch_out.base) / 1e6
    assert waits.usd_per_month == pytest.approx(30e6 * by_batch)
    assert waits.usd_per_month < half.usd_per_month < 103_500


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    requests=st.integers(min_value=1_000, max_value=2_000_000_000),
    model=st.sampled_from(["gpt-6-luna", "claude-sonnet-5-5", "gemini-3.8-flash", "gpt-4o"]),
)
def test_api_cost_is_linear_in_volume(requests: int, model: str) -> None:
    cat = REGISTRY.catalogue

    def bill(n: int) -> float:
        found = api_cost(
            _values(MEDIA, **{"scale.requests_per_month": n, "cost.api_model": model}), cat
        )
        assert found.usd_per_month is not None
        return found.usd_per_month

    assert bill(2 * requests) == pytest.approx(2 * bill(requests))


# --- GPUs, paid for four ways ------------------------------------------------------------------


def test_every_gpu_is_priced_every_way_and_owning_is_cheapest_per_hour() -> None:
    cat = REGISTRY.catalogue
    for gpu in capacity.gpus(cat):
        prices = {tier: gpu_hourly(cat, gpu, tier) for tier in GPU_PRICING}
        assert all(p is not None and p > 0 for p in prices.values()), (gpu, prices)
        assert prices["owned"] < prices["committed"] < prices["on_demand"], (gpu, prices)
        assert prices["on_demand"] < prices["hyperscaler"], (gpu, prices)  # type: ignore[operator]


def test_an_owned_h100_hour_by_hand() -> None:
    cat = REGISTRY.catalogue
    server = cat["gpu.h100.purchase_usd"] * (1 + cat["owned.server_overhead"])
    kw = cat["gpu.h100.watts"] / 1000 * cat["owned.server_power_factor"]
    hour = (
        server / (cat["owned.amortisation_years"] * 8760)
        + kw * cat["owned.pue"] * cat["owned.power_usd_per_kwh"]
        + kw * cat["owned.hosting_usd_per_kw_month"] / HOURS_PER_MONTH
    )
    assert gpu_hourly(cat, "h100", "owned") == pytest.approx(hour)


def test_the_pricing_answered_prices_the_gpus() -> None:
    cat = REGISTRY.catalogue
    bills = {
        tier: self_host_cost(_values(MEDIA, **{"cost.gpu_pricing": tier}), cat)
        for tier in GPU_PRICING
    }
    for tier, bill in bills.items():
        gpus = bill.lines[0]
        assert bill.sizing is not None and bill.sizing.best is not None
        hourly = gpu_hourly(cat, bill.sizing.best.gpu, tier)
        assert gpus.usd_per_month == pytest.approx(bill.gpus * hourly * HOURS_PER_MONTH), tier
    assert bills["owned"].lines[0].usd_per_month < bills["on_demand"].lines[0].usd_per_month
    assert bills["hyperscaler"].lines[0].usd_per_month > bills["on_demand"].lines[0].usd_per_month


# --- self-hosting --------------------------------------------------------------------------------


def test_the_self_host_bill_is_its_gpus_and_the_people_who_run_them() -> None:
    cat = REGISTRY.catalogue
    bill = self_host_cost(_values(MEDIA), cat)
    assert bill.sizing is not None and bill.sizing.best is not None
    best = bill.sizing.best
    assert bill.sizing.runner_up is not None  # another GPU type or precision, shown beside it
    assert (bill.gpu, bill.replicas, bill.precision) == (best.gpu, best.replicas, best.precision)
    assert bill.replicas >= 2 and best.meets_latency
    assert best.p95_ms <= 3000  # the case's budget
    gpus, people = bill.lines
    assert gpus.usd_per_month == pytest.approx(
        best.replicas * best.gpus_per_replica * best.hourly_usd * HOURS_PER_MONTH
    )
    share = (
        cat["people.serving.base_share"]
        + cat["people.oncall.share"]
        + cat["people.serving.share_per_replica"] * max(0.0, best.replicas - 2)
    )
    assert people.usd_per_month == pytest.approx(share * cat["people.ml_engineer.yearly_usd"] / 12)
    assert bill.usd_per_month == pytest.approx(gpus.usd_per_month + people.usd_per_month)


def test_on_call_for_a_production_service_is_not_half_a_person() -> None:
    cat = REGISTRY.catalogue
    small, _ = serving_people(2, cat, None)
    fleet, how = serving_people(42, cat, None)
    assert small == pytest.approx(cat["people.serving.base_share"] + cat["people.oncall.share"])
    assert fleet == pytest.approx(small + 40 * cat["people.serving.share_per_replica"])
    assert fleet > 1 and "40.0 replicas beyond the 2 for availability" in how


def test_a_spiky_load_needs_more_replicas() -> None:
    cat = REGISTRY.catalogue
    flat = self_host_cost(_values(MEDIA, **{"scale.peak_to_average": 1.0}), cat)
    spiky = self_host_cost(_values(MEDIA, **{"scale.peak_to_average": 30.0}), cat)
    assert flat.replicas == 2  # two for availability, even when one would carry the load
    assert spiky.usd_per_month > flat.usd_per_month
    assert spiky.gpus > flat.gpus  # type: ignore[operator]


def test_a_named_moe_model_is_sized_on_its_architecture() -> None:
    cat = REGISTRY.catalogue
    dense = self_host_cost(_values(MEDIA, **{"cost.open_model_size_b": 120}), cat)
    moe = self_host_cost(_values(MEDIA, **{"cost.open_model": "gpt-oss-120b"}), cat)
    assert moe.usd_per_month < dense.usd_per_month  # 5B active parameters, not 120B
    assert moe.sizing.model == "gpt-oss-120b" and not moe.sizing.estimated
    assert dense.sizing.estimated  # a bare size is a dense model, and says so
    assert "estimated as dense" in dense.lines[0].working


def test_what_a_bill_needs_is_named_when_it_is_missing() -> None:
    bill = self_host_cost({"scale.requests_per_month": 1000}, REGISTRY.catalogue)
    assert bill.usd_per_month is None
    assert bill.missing == ["scale.requests_per_month"]  # the token counts are not given either


def test_without_a_model_self_hosting_costs_at_least_the_smallest_model() -> None:
    values = {k: v for k, v in _values(MEDIA).items() if k != "cost.open_model_size_b"}
    found = costs(values, REGISTRY.catalogue)
    bill = found.options["self_host"]
    assert bill.floor and bill.assumed == {"cost.open_model_size_b": 8.0}
    sized = costs(_values(MEDIA), REGISTRY.catalogue).options["self_host"]
    assert bill.usd_per_month == pytest.approx(sized.usd_per_month)  # the case's model is 8B
    assert bill.high_usd_per_month == math.inf  # a larger model can only cost more
    assert not found.known("self_host") and found.known("api")
    assert found.break_even_requests["self_host"] is None  # not worked out from a floor


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    low=st.integers(min_value=1_000, max_value=2_000_000_000),
    high=st.integers(min_value=1_000, max_value=2_000_000_000),
    size=st.sampled_from([8, 32, 70]),
)
def test_self_hosting_never_costs_less_for_more_traffic_nor_more_per_call(
    low: int, high: int, size: int
) -> None:
    low, high = sorted((low, high))
    cat = REGISTRY.catalogue

    def bill(n: int) -> float:
        found = self_host_cost(
            _values(MEDIA, **{"scale.requests_per_month": n, "cost.open_model_size_b": size}), cat
        )
        assert found.usd_per_month is not None and found.replicas >= 2
        return found.usd_per_month

    a, b = bill(low), bill(high)
    # The capacity model finds a batch to 0.01% (batch_for_rate in costs/capacity/replica.py), so two GPU
    # fleets within that of each other are a tie the sizing may break either way; a bill that
    # falls by more than that with volume is a break of monotonicity.
    assert b >= a * (1 - 1e-4)
    assert b / high <= a / low * (1 + 1e-4)


def test_the_range_puts_every_figure_at_its_cheap_then_its_dear_end() -> None:
    cat = REGISTRY.catalogue
    bill = model.ranged(PRICING["self_host"], _values(MEDIA), cat)
    assert bill is not None
    assert bill.low_usd_per_month < bill.usd_per_month < bill.high_usd_per_month
    dear = self_host_cost(_values(MEDIA), cat, bound="dear")
    assert bill.high_usd_per_month == pytest.approx(dear.usd_per_month)


# --- fine-tuning ---------------------------------------------------------------------------------


def test_a_70b_lora_run_is_spread_over_gpus_that_hold_it() -> None:
    cat = REGISTRY.catalogue
    arch = capacity.architecture("llama-3.3-70b")
    run = training_run(arch, "lora", 1e8, cat, "on_demand")
    assert run is not None
    _, gpu, count, _, _ = run
    need = arch.total_params_b * cat["finetune.memory_gb_per_b.lora"]
    assert count * cat[f"gpu.{gpu}.memory_gb"] * 0.9 >= need  # never a 70B LoRA on one A100
    if gpu == "a100_80gb":
        assert count >= 3


@pytest.mark.parametrize("method", TUNING_METHODS)
def test_full_tuning_costs_more_than_lora_and_qlora_holds_the_least(method: str) -> None:
    cat = REGISTRY.catalogue
    arch = capacity.architecture("llama-3.1-8b")
    runs = {m: training_run(arch, m, 1e8, cat, "on_demand") for m in TUNING_METHODS}
    assert all(r is not None for r in runs.values())
    assert runs["full"][0] > runs["lora"][0]  # type: ignore[index]
    assert cat[f"finetune.memory_gb_per_b.{method}"] >= cat["finetune.memory_gb_per_b.qlora"]


def test_training_throughput_agrees_with_published_runs() -> None:
    """tokens/s a GPU = finetune.mfu x the GPU's dense BF16 FLOPs / (FLOPs per parameter-token x
    parameters). BF16 runs fall within 35% of it; FP8 runs, which the model does not price (it
    trains at BF16), are faster, but no faster than FP8's dense FLOPs at the high end of the MFU."""
    cat = REGISTRY.catalogue
    measured = {k: f for k, f in cat.figures.items() if k.startswith("finetune.measured.")}
    assert len(measured) >= 6
    for key, fig in measured.items():
        assert fig.reference, key  # compared here, never read by the bills
        method, size, gpu, precision = key.split(".")[2].split("_", 3)
        gpu = {"a100": "a100_80gb"}.get(gpu, gpu)
        params = float(size.rstrip("b")) * 1e9
        flops = cat[f"finetune.flops_per_param_token.{method}"] * params

        def rate(mfu: float, kind: str = "bf16", g: str = gpu, work: float = flops) -> float:
            return mfu * cat[f"gpu.{g}.dense_tflops.{kind}"] * 1e12 / work

        if precision == "bf16":
            assert fig.value == pytest.approx(rate(cat["finetune.mfu"]), rel=0.35), key
        else:
            high = cat.figure("finetune.mfu").high
            assert rate(cat["finetune.mfu"]) < fig.value <= rate(high, "fp8"), key


def test_missing_labels_are_bought_and_a_missing_eval_set_is_built() -> None:
    cat = REGISTRY.catalogue
    have = fine_tune_cost(_values(MEDIA), cat)
    short = fine_tune_cost(
        _values(MEDIA, **{"pmf.labeled_examples": 200, "pmf.has_evals": False}), cat
    )
    lines = {line.what: line.usd_per_month for line in short.lines}
    target = cat["finetune.tuning_set_examples"]
    assert lines["labelling"] == pytest.approx(
        (target - 200) * cat["labelling.per_example_usd"] / 12
    )
    assert lines["an eval set"] == pytest.approx(
        cat["evals.examples"] * cat["evals.per_example_usd"] / 12
    )
    assert "labelling" not in {line.what for line in have.lines}
    given_price = fine_tune_cost(
        _values(MEDIA, **{"pmf.labeled_examples": 200, "cost.label_usd_per_example": 2}), cat
    )
    (labels,) = [line for line in given_price.lines if line.what == "labelling"]
    assert labels.usd_per_month == pytest.approx((target - 200) * 2 / 12)


def test_fine_tuning_serves_the_tuned_model_as_self_hosting_does() -> None:
    cat = REGISTRY.catalogue
    tuned = fine_tune_cost(_values(MEDIA), cat)
    hosted = self_host_cost(_values(MEDIA), cat)
    assert tuned.route == "self-hosted"
    assert (tuned.gpu, tuned.gpus) == (hosted.gpu, hosted.gpus)
    extra = {line.what for line in tuned.lines} - {line.what for line in hosted.lines}
    assert extra == {"training runs", "tuning work"}


# --- break-even ------------------------------------------------------------------------------


def test_break_even_is_where_the_bills_cross() -> None:
    values = _values(MEDIA)
    cat = REGISTRY.catalogue
    at = break_even(values, cat, "self_host")
    assert at is not None
    below = {**values, "scale.requests_per_month": at * 0.99}
    above = {**values, "scale.requests_per_month": at * 1.01}
    assert api_cost(below, cat).usd_per_month < self_host_cost(below, cat).usd_per_month
    assert api_cost(above, cat).usd_per_month >= self_host_cost(above, cat).usd_per_month


def test_falling_api_prices_push_break_even_out() -> None:
    found = costs(_values(MEDIA), REGISTRY.catalogue)
    today = found.break_even_requests["self_host"]
    later = found.break_even_requests_horizon["self_host"]
    assert today is not None and later is not None and later > today
    assert found.horizon_usd["api"] < 12 * found.options["api"].usd_per_month


def test_a_cheap_enough_api_never_breaks_even() -> None:
    values = _values(
        MEDIA, **{"cost.api_model": "groq-llama-3.1-8b", "cost.open_model": "llama-3.1-405b"}
    )
    assert break_even(values, REGISTRY.catalogue, "self_host") is None


# --- latency -------------------------------------------------------------------------------------


def test_the_api_p95_by_hand() -> None:
    cat = REGISTRY.catalogue
    ratio = cat["latency.p95_over_median"]
    got = api_p95_ms({"cost.api_model": "gpt-6-luna", "scale.output_tokens_per_request": 250}, cat)
    first = cat["latency.api.gpt_6_luna.ttft_ms"]
    speed = cat["latency.api.gpt_6_luna.output_tokens_per_s"]
    assert got == pytest.approx((first + 250 / speed * 1000) * ratio)
    # A model without figures of its own takes its tier's.
    terra = api_p95_ms(
        {"cost.api_model": "gpt-6.1-terra", "scale.output_tokens_per_request": 250}, cat
    )
    tier = (
        cat["latency.api_tier.mid.ttft_ms"]
        + 250 / cat["latency.api_tier.mid.output_tokens_per_s"] * 1000
    )
    assert terra == pytest.approx(tier * ratio)


def test_the_self_hosted_p95_grows_with_model_size() -> None:
    cat = REGISTRY.catalogue

    def p95(model: str) -> float:
        bill = self_host_cost(
            _values(MEDIA, **{"cost.open_model": model, "scale.latency_p95_ms": None}), cat
        )
        assert bill.p95_latency_ms is not None
        return bill.p95_latency_ms

    assert p95("llama-3.1-8b") < p95("llama-3.3-70b") < p95("llama-3.1-405b")


def test_a_budget_the_api_cannot_hold_counts_against_it(registry: Registry) -> None:
    values = {**load_answers(MEDIA, registry).values, "scale.latency_p95_ms": 1500}
    decision = evaluate(registry, values)
    assert decision.costs.p95_latency_ms["api"] > 1500  # gpt-4o takes the mid tier's times
    (scl003,) = [r for r in decision.results if r.rule.code == "SCL003"]
    # Routing's hard calls go to the API: they miss the budget as the API's calls do.
    assert {f.option for f in scl003.findings if f.points < 0} == {"api", "hybrid"}
    relaxed = evaluate(registry, {**values, "scale.latency_p95_ms": 60_000})
    assert "SCL003" not in {r.rule.code for r in relaxed.fired}


# --- through the engine and the command line ---------------------------------------------------


def test_the_volume_band_comes_from_the_bills(registry: Registry) -> None:
    hospital = evaluate(registry, load_answers(HOSPITAL, registry).values)
    media = evaluate(registry, load_answers(MEDIA, registry).values)
    assert hospital.facts["volume_band"] == "low"
    assert media.facts["volume_band"] == "high"
    assert hospital.costs.options["self_host"].utilisation < 0.05


def test_recommend_json_carries_costs_and_break_even(cli: Callable[..., Result]) -> None:
    data = _json(cli("recommend", str(MEDIA), "--format", "json"))
    costs_out = data["costs"]
    assert costs_out["horizon_months"] == 12
    assert costs_out["options"]["api"]["usd_per_month"] == pytest.approx(103_500)
    host = costs_out["options"]["self_host"]
    assert host["missing"] == [] and host["replicas"] >= 2
    assert [line["what"] for line in host["lines"]][1] == "engineering time"
    low, high = host["usd_per_month_low"], host["usd_per_month_high"]
    assert low < host["usd_per_month"] < high  # the figures' ranges, cheap end and dear end
    api = costs_out["options"]["api"]
    assert api["horizon_usd_low"] < api["horizon_usd"] < api["horizon_usd_high"]
    assert f"gpu.{host['gpu']}.hourly_usd" in host["lines"][0]["figures"]
    assert data["break_even"]["self_host"]["requests_per_month"] > 0


def test_a_figure_set_on_the_command_line_changes_the_bill(cli: Callable[..., Result]) -> None:
    base = _json(cli("recommend", str(MEDIA), "--format", "json"))
    host = base["costs"]["options"]["self_host"]
    key = f"gpu.{host['gpu']}.hourly_usd"
    cheaper = round(REGISTRY.catalogue[key] / 2, 2)
    cheap = _json(cli("recommend", str(MEDIA), "--format", "json", "--set", f"{key}={cheaper}"))
    after = cheap["costs"]["options"]["self_host"]["usd_per_month"]
    assert after < host["usd_per_month"]


def test_text_output_shows_the_costs_in_the_chosen_currency(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    out = cli("recommend", str(MEDIA)).stdout
    assert "$103,500" in out
    assert "Self-host an open model costs the same as the API at" in out
    config = tmp_path / "config.yaml"
    config.write_text("currency:\n  code: EUR\n  per_usd: 0.5\n", encoding="utf-8")
    assert "EUR 51,750" in cli("recommend", str(MEDIA), "--config", str(config)).stdout


# --- no silently unused figure -------------------------------------------------------------------


class _Reading(dict):  # type: ignore[type-arg]
    """A figures mapping that remembers every key asked for."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.read.add(key)
        return super().__contains__(key)


def test_every_catalogue_figure_is_read_by_the_bills_or_marked_reference() -> None:
    """Bills for every case under every GPU pricing and tuning method, with labels and evals to
    make, the cheap and dear ends, and every hosted model of the shortlist: a figure none of them
    reads must say it is for reference only."""
    base = REGISTRY.catalogue
    figures = _Reading(base.figures)
    cat = Catalogue(figures, base.aliases, base.price_date, base.currency)
    capacity.factors(cat)
    capacity.factors(cat, "cheap")
    cases = sorted(CASES.glob("*.yaml"))
    for path in cases:
        for tier in GPU_PRICING:
            for method in TUNING_METHODS:
                values = _values(
                    path,
                    **{
                        "cost.gpu_pricing": tier,
                        "cost.tuning_method": method,
                        "pmf.labeled_examples": 10,
                        "pmf.has_evals": False,
                        "scale.routed_share": 0.6,  # routing: both halves and the router
                    },
                )
                values.setdefault("scale.requests_per_month", 1_000_000)
                costs(values, cat)
    for hosted in base.aliases.models:
        api_p95_ms({"cost.api_model": hosted, "scale.output_tokens_per_request": 100}, cat)
        costs(_values(MEDIA, **{"cost.api_model": hosted}), cat)
    for gpu in capacity.gpus(cat):
        for tier in GPU_PRICING:
            gpu_hourly(cat, gpu, tier, "dear")
    # A figure a plugin gives without a range of its own takes the default spread.
    cat.figures["plugin.figure"] = base.figures["gpu.h100.hourly_usd"].model_copy(
        update={"key": "plugin.figure", "low": None, "high": None}
    )
    assert cat.range_of("plugin.figure") != (cat["plugin.figure"],) * 2
    del cat.figures["plugin.figure"]
    unread = sorted(k for k, f in figures.items() if k not in figures.read and not f.reference)
    assert not unread, f"figures no bill reads and not marked reference: {unread}"
    # Figures kept for reference change no bill: without them every bill is the same.
    plain = {k: f for k, f in base.figures.items() if not f.reference}
    bare = Catalogue(plain, base.aliases, base.price_date, base.currency)
    for path in cases:
        values = _values(path)
        values.setdefault("scale.requests_per_month", 1_000_000)
        for hosted in base.aliases.models:
            values["cost.api_model"] = hosted
            full, without = costs(values, base), costs(values, bare)
            for oid, bill in full.options.items():
                assert without.options[oid].usd_per_month == bill.usd_per_month, (path, hosted)
            assert without.p95_latency_ms == full.p95_latency_ms, (path, hosted)
