"""The cost model, checked against sums worked by hand and against the shape of each bill."""

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
from advisor.core.engine import resolve
from advisor.costs.model import (
    HOURS_PER_MONTH,
    api_cost,
    break_even,
    costs,
    gpus_to_hold,
    replica_throughput,
    self_host_cost,
    weights_gb,
)

CASES = Path(__file__).parent / "cases"
MEDIA = CASES / "media-tagging-at-scale.yaml"
HOSPITAL = CASES / "hospital-discharge-notes.yaml"
REGISTRY = build_registry()


def _values(path: Path, **changes: Any) -> dict[str, Any]:
    values = resolve(REGISTRY, load_answers(path, REGISTRY).values).values
    return {**values, **changes}


# --- worked by hand, from DOMAIN.md's figures ---------------------------------------------------


def test_eight_b_on_one_h100_costs_what_domain_md_works_out() -> None:
    """$3.24 an hour / (3,400 tokens/s x 3,600 s / 1e6) = ~$0.26 per million output tokens."""
    cat = REGISTRY.catalogue
    tps, how = replica_throughput(8, "fp8", 1, "h100", cat)
    assert (tps, how) == (3400, "serving.8b.fp8.1xh100.output_tokens_per_s")
    per_mtok = cat["gpu.h100.hourly_usd"] / (tps * 3600 / 1e6)
    assert per_mtok == pytest.approx(0.2647, abs=1e-4)
    assert per_mtok / 0.30 == pytest.approx(0.88, abs=0.01)  # ~$0.88 at 30% use


def test_weights_memory_decides_how_many_gpus_a_replica_needs() -> None:
    cat = REGISTRY.catalogue
    assert weights_gb(70, "fp16", cat) == 140  # does not fit on one 80 GB GPU
    assert gpus_to_hold(70, "fp16", "h100", cat) > 1
    assert weights_gb(8, "fp16", cat) == 16
    assert gpus_to_hold(8, "fp16", "h100", cat) == 1
    assert gpus_to_hold(8, "fp8", "h100", cat) == 1
    assert gpus_to_hold(405, "fp8", "h100", cat) >= 6


def test_the_api_bill_of_the_media_case_by_hand() -> None:
    # 30M requests x (900 x $2.50 + 120 x $10) / 1M tokens = $103,500 a month.
    bill = api_cost(_values(MEDIA), REGISTRY.catalogue)
    assert bill.usd_per_month == pytest.approx(103_500)
    assert bill.usd_per_mtok == pytest.approx(103_500 / (30e6 * 1020) * 1e6)


def test_the_self_host_bill_of_the_media_case_by_hand() -> None:
    # 8B at 8 bits fits one H100; 30M x 120 tokens a month is ~1,370 tokens/s, 4,110 at a peak
    # three times the average: two replicas of 3,400 tokens/s carry it. 2 x $3.24 x 730 h, plus
    # half of a $200,000 engineer.
    bill = self_host_cost(_values(MEDIA), REGISTRY.catalogue)
    assert (bill.gpus, bill.replicas, bill.gpu) == (2, 2, "h100")
    expected = 2 * 3.24 * HOURS_PER_MONTH + 0.5 * 200_000 / 12
    assert bill.usd_per_month == pytest.approx(expected)
    average_tps = 30e6 * 120 / (HOURS_PER_MONTH * 3600)
    assert bill.utilisation == pytest.approx(average_tps / (2 * 3400))


def test_a_spiky_load_needs_more_replicas() -> None:
    flat = self_host_cost(_values(MEDIA, **{"scale.peak_to_average": 1.0}), REGISTRY.catalogue)
    spiky = self_host_cost(_values(MEDIA, **{"scale.peak_to_average": 12.0}), REGISTRY.catalogue)
    assert flat.replicas == 2  # two for availability, even when one would carry the load
    assert spiky.replicas is not None and spiky.replicas > flat.replicas


def test_what_a_bill_needs_is_named_when_it_is_missing() -> None:
    bill = self_host_cost({"scale.requests_per_month": 1000}, REGISTRY.catalogue)
    assert bill.usd_per_month is None
    assert bill.missing == ["scale.requests_per_month"]  # the token counts are not given either


def test_without_a_model_size_self_hosting_costs_at_least_the_smallest_model() -> None:
    values = {k: v for k, v in _values(MEDIA).items() if k != "cost.open_model_size_b"}
    found = costs(values, REGISTRY.catalogue)
    bill = found.options["self_host"]
    assert bill.floor and bill.assumed == {"cost.open_model_size_b": 8.0}
    sized = costs(_values(MEDIA), REGISTRY.catalogue).options["self_host"]
    assert bill.usd_per_month == pytest.approx(sized.usd_per_month)  # the case's model is 8B
    assert bill.high_usd_per_month == math.inf  # a larger model can only cost more
    assert not found.known("self_host") and found.known("api")
    assert found.break_even_requests["self_host"] is None  # not worked out from a floor


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
    values = _values(MEDIA, **{"cost.api_model": "llama-3-8b", "cost.open_model_size_b": 405})
    assert break_even(values, REGISTRY.catalogue, "self_host") is None


# --- the shape of each bill ---------------------------------------------------------------------

volumes = st.integers(min_value=1_000, max_value=2_000_000_000)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(requests=volumes, model=st.sampled_from(["gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet"]))
def test_api_cost_is_linear_in_volume(requests: int, model: str) -> None:
    cat = REGISTRY.catalogue
    one = api_cost(
        _values(MEDIA, **{"scale.requests_per_month": requests, "cost.api_model": model}), cat
    )
    two = api_cost(
        _values(MEDIA, **{"scale.requests_per_month": 2 * requests, "cost.api_model": model}), cat
    )
    assert two.usd_per_month == pytest.approx(2 * one.usd_per_month)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(low=volumes, high=volumes, size=st.sampled_from([8, 13, 70]))
def test_self_host_cost_is_two_replicas_then_a_straight_line(
    low: int, high: int, size: int
) -> None:
    low, high = sorted((low, high))
    cat = REGISTRY.catalogue
    a = self_host_cost(
        _values(MEDIA, **{"scale.requests_per_month": low, "cost.open_model_size_b": size}), cat
    )
    b = self_host_cost(
        _values(MEDIA, **{"scale.requests_per_month": high, "cost.open_model_size_b": size}), cat
    )
    assert b.usd_per_month >= a.usd_per_month  # never cheaper for more traffic
    # Never dearer per call for more traffic: the cost per call falls, or stays, with volume.
    assert b.usd_per_month / high <= a.usd_per_month / low * (1 + 1e-9)
    # Every bill is the fixed part plus the replicas, in fractions of one, at least two.
    people = 0.5 * cat["people.ml_engineer.yearly_usd"] / 12
    per_replica = a.gpus_per_replica * cat["gpu.h100.hourly_usd"] * HOURS_PER_MONTH
    for bill in (a, b):
        assert bill.replicas >= 2
        assert bill.usd_per_month - people == pytest.approx(bill.replicas * per_replica)
        assert bill.replicas_at_peak == math.ceil(bill.replicas - 1e-9)
    if a.replicas == b.replicas == 2:
        assert a.usd_per_month == b.usd_per_month  # flat while two replicas carry the load


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(low=volumes, high=volumes)
def test_more_volume_never_makes_the_api_cheaper_relative_to_self_hosting(
    low: int, high: int
) -> None:
    low, high = sorted((low, high))
    cat = REGISTRY.catalogue

    def ratio(requests: int) -> float:
        values = _values(MEDIA, **{"scale.requests_per_month": requests})
        return api_cost(values, cat).usd_per_month / self_host_cost(values, cat).usd_per_month

    assert ratio(high) >= ratio(low) * (1 - 1e-9)


# --- through the engine and the command line ---------------------------------------------------


def test_the_volume_band_comes_from_the_bills(registry: Registry) -> None:
    hospital = evaluate(registry, load_answers(HOSPITAL, registry).values)
    media = evaluate(registry, load_answers(MEDIA, registry).values)
    assert hospital.facts["volume_band"] == "low"  # $1,380 of API against $17,794 to self-host
    assert media.facts["volume_band"] == "high"  # $103,500 against $13,064
    # The band only describes the volume: the economics rule weighs the bills themselves.
    assert media.options["self_host"].economics > 0 and media.options["api"].economics == 0
    assert hospital.costs.options["self_host"].utilisation < 0.01  # four GPUs, well under 1% used


def _json(result: Result) -> Any:
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.stdout)


def test_recommend_json_carries_costs_and_break_even(cli: Callable[..., Result]) -> None:
    data = _json(cli("recommend", str(MEDIA), "--format", "json"))
    costs_out = data["costs"]
    assert costs_out["horizon_months"] == 12 and costs_out["halving_months"] == 6
    assert costs_out["options"]["api"]["usd_per_month"] == pytest.approx(103_500)
    host = costs_out["options"]["self_host"]
    assert host["gpus"] == 2 and host["replicas"] == 2 and host["missing"] == []
    assert [line["what"] for line in host["lines"]] == ["2 x H100 GPUs", "engineering time"]
    low, high = host["usd_per_month_low"], host["usd_per_month_high"]
    assert low < host["usd_per_month"] < high  # the figures' ranges, cheap end and dear end
    assert (
        costs_out["options"]["api"]["horizon_usd_low"]
        < costs_out["options"]["api"]["horizon_usd"]
        < costs_out["options"]["api"]["horizon_usd_high"]
    )  # API prices falling faster or slower
    assert "gpu.h100.hourly_usd" in host["lines"][0]["figures"]
    assert data["break_even"]["self_host"]["requests_per_month"] == pytest.approx(
        3_786_589, rel=1e-3
    )


def test_a_figure_set_on_the_command_line_changes_the_bill(cli: Callable[..., Result]) -> None:
    base = _json(cli("recommend", str(MEDIA), "--format", "json"))
    cheap = _json(
        cli("recommend", str(MEDIA), "--format", "json", "--set", "gpu.h100.hourly_usd=1.62")
    )
    saved = 2 * 1.62 * HOURS_PER_MONTH
    before = base["costs"]["options"]["self_host"]["usd_per_month"]
    after = cheap["costs"]["options"]["self_host"]["usd_per_month"]
    assert before - after == pytest.approx(saved)


def test_text_output_shows_the_costs_in_the_chosen_currency(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    out = cli("recommend", str(MEDIA)).stdout
    assert "$103,500" in out and "2 H100 20%" in out
    assert "self_host costs the same as the API at 3,78" in out
    config = tmp_path / "config.yaml"
    config.write_text("currency:\n  code: EUR\n  per_usd: 0.5\n", encoding="utf-8")
    assert "EUR 51,750" in cli("recommend", str(MEDIA), "--config", str(config)).stdout


# --- latency --------------------------------------------------------------------------------------


def test_the_api_p95_by_hand() -> None:
    from advisor.costs.model import api_p95_ms

    cat = REGISTRY.catalogue
    # gpt-4o: 570 ms to the first token, then 250 tokens at 64 a second, times 1.55 for a p95.
    got = api_p95_ms({"cost.api_model": "gpt-4o", "scale.output_tokens_per_request": 250}, cat)
    assert got == pytest.approx((570 + 250 / 64 * 1000) * 1.55)
    assert (
        api_p95_ms({"cost.api_model": "llama-3-8b", "scale.output_tokens_per_request": 250}, cat)
        is None
    )


def test_the_self_hosted_p95_grows_with_model_size() -> None:
    from advisor.costs.model import self_host_p95_ms

    cat = REGISTRY.catalogue

    def p95(size: float) -> float:
        got = self_host_p95_ms(
            {"cost.open_model_size_b": size, "scale.output_tokens_per_request": 250}, cat
        )
        assert got is not None
        return got

    assert p95(8) == pytest.approx((182 + 250 / 115 * 1000) * 1.55)
    assert p95(70) == pytest.approx((481 + 250 / 38.5 * 1000) * 1.55)
    assert p95(8) < p95(13) < p95(70) < p95(405)


def test_a_budget_the_api_cannot_hold_counts_against_it(registry: Registry) -> None:
    values = load_answers(MEDIA, registry).values  # 3,000 ms budget; gpt-4o ~3,790 ms, 8B ~1,900 ms
    decision = evaluate(registry, values)
    (scl003,) = [r for r in decision.results if r.rule.code == "SCL003"]
    found = {(f.option, f.points) for f in scl003.findings}
    assert found == {("api", -2), ("self_host", 1), ("fine_tune", 1)}
    relaxed = evaluate(registry, {**values, "scale.latency_p95_ms": 5000})
    assert "SCL003" not in {r.rule.code for r in relaxed.fired}


def test_fine_tuning_takes_the_cheaper_route() -> None:
    from advisor.costs.model import fine_tune_cost

    cat = REGISTRY.catalogue
    media = fine_tune_cost(_values(MEDIA), cat)  # gpt-4o's tuned prices: $155k of tokens a month
    assert media.route == "self-hosted" and media.gpus == 2
    mini = fine_tune_cost(_values(MEDIA, **{"cost.api_model": "gpt-4o-mini"}), cat)
    assert mini.route == "vendor" and mini.gpus is None
    # 30M x (900 x $0.30 + 120 x $1.20) / 1M = $12,420 of tuned-model tokens a month.
    (tokens,) = [line for line in mini.lines if line.what == "tuned gpt-4o-mini tokens"]
    assert tokens.usd_per_month == pytest.approx(12_420)
    assert mini.usd_per_month < media.usd_per_month
    # Without vendor prices for the hosted model, only the self-hosted route is open.
    claude = fine_tune_cost(_values(MEDIA, **{"cost.api_model": "claude-3-5-sonnet"}), cat)
    assert claude.route == "self-hosted"


def test_the_vendor_route_is_closed_where_data_may_not_reach_the_vendor() -> None:
    from advisor.costs.model import fine_tune_cost

    cat = REGISTRY.catalogue
    mini = {"cost.api_model": "gpt-4o-mini"}
    assert fine_tune_cost(_values(MEDIA, **mini), cat).route == "vendor"
    for closed in (
        {"privacy.residency": "on_prem"},
        {"privacy.vendor_terms_ok": "no"},
        {"privacy.train_on_user_data": False},
    ):
        bill = fine_tune_cost(_values(MEDIA, **mini, **closed), cat)
        assert bill.route == "self-hosted", closed
