"""The economics stage: bills weighed by how much they differ beyond their ranges, and confidence
that a pick resting on bills within each other's uncertainty is never high."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor import build_registry, evaluate, load_answers
from advisor_plugins.economics_rules import MOST_POINTS, POINTS_PER_DOUBLING, weigh

CASES = Path(__file__).parent / "cases"
REGISTRY = build_registry()
MEDIA = load_answers(CASES / "media-tagging-at-scale.yaml", REGISTRY).values
SPREAD = 0.25  # a bill's range here: 25% either side of its value


def _weigh(value: float, yardstick: float) -> float:
    """Points for a bill of ``value`` against the yardstick's, both +/-SPREAD."""
    low, high = 1 - SPREAD, 1 + SPREAD
    return weigh(value * low, value * high, yardstick * low, yardstick * high)


def test_a_gap_inside_the_ranges_is_a_tie_and_a_large_one_weighs_more() -> None:
    assert _weigh(100, 108) == 0  # 1.08x apart: within the figures' uncertainty, a tie on cost
    assert _weigh(108, 100) == 0
    big = _weigh(100, 2600)  # 26x cheaper
    assert big > 5
    assert _weigh(2600, 100) == -big  # and as much against, the other way
    assert 0 < _weigh(100, 300) < _weigh(100, 900) < big  # more apart, more points


def test_each_doubling_beyond_the_overlap_is_worth_the_same_up_to_a_cap() -> None:
    # ranges of zero width: the gap is the ratio itself
    assert weigh(100, 100, 200, 200) == POINTS_PER_DOUBLING
    assert weigh(100, 100, 400, 400) == 2 * POINTS_PER_DOUBLING
    assert weigh(1, 1, 1e9, 1e9) == MOST_POINTS
    assert weigh(1e9, 1e9, 1, 1) == -MOST_POINTS


@given(a=st.floats(1, 1e7), b=st.floats(1, 1e7), c=st.floats(1, 1e7))
def test_a_cheaper_bill_never_earns_fewer_points(a: float, b: float, c: float) -> None:
    cheap, dear = sorted((a, b))
    assert _weigh(cheap, c) >= _weigh(dear, c)


def _at(**changes: Any) -> Any:
    return evaluate(REGISTRY, {**MEDIA, **changes}, explore=False)


def _where_apart(ratio: float, **changes: Any) -> Any:
    """The media case's decision at the volume where the API's bill is ``ratio`` times
    self-hosting's (found by bisection on volume: the ratio grows with volume)."""
    low, high = 1e3, 1e12
    for _ in range(80):
        middle = (low * high) ** 0.5
        bills = _at(**changes, **{"scale.requests_per_month": round(middle)}).costs
        apart = bills.options["api"].usd_per_month / bills.options["self_host"].usd_per_month
        low, high = (middle, high) if apart < ratio else (low, middle)
    return _at(**changes, **{"scale.requests_per_month": round(high)})


def test_a_1_08x_and_a_26x_saving_weigh_differently() -> None:
    near = _where_apart(1.08)
    far = _where_apart(26, **{"cost.api_model": "claude-3-5-sonnet"})
    for decision, ratio in ((near, 1.08), (far, 26)):
        bills = decision.costs
        apart = bills.options["api"].usd_per_month / bills.options["self_host"].usd_per_month
        assert apart == pytest.approx(ratio, rel=0.01)
    assert near.options["self_host"].economics == 0  # within the uncertainty: a tie on cost
    econ = next(r for r in near.results if r.rule.code == "ECON001")
    words = [f.because for f in econ.findings if f.option == "self_host"]
    assert words and "a tie on cost" in words[0]
    # Beyond it, points by the doublings of the gap between the ranges: the bills' own ranges
    # (engineers' pay, on-call, GPU prices, serving efficiency) are wide, so a 26x gap at the
    # values is about a 3x gap between the nearest ends, over one doubling.
    far_bills = far.costs
    _, _, hi = far_bills.horizon("self_host")
    ref_lo, _, _ = far_bills.horizon("api")
    assert ref_lo / hi > 2
    assert far.options["self_host"].economics > 2
    assert far.options["self_host"].economics > near.options["self_host"].economics


def test_without_a_model_size_self_hosting_is_never_credited_with_a_saving() -> None:
    unsized = {k: v for k, v in MEDIA.items() if k != "cost.open_model_size_b"}
    decision = evaluate(REGISTRY, unsized, explore=False)
    assert decision.costs.options["self_host"].floor
    assert decision.options["self_host"].economics <= 0  # a floor can show it dearer, not cheaper


BILLS_APART = st.floats(min_value=0.3, max_value=3.0)


@settings(max_examples=40, deadline=None)
@given(share=BILLS_APART, size=st.sampled_from([8, 70]), people=st.sampled_from([1, 2, 4]))
def test_a_pick_on_bills_within_their_ranges_is_never_high_confidence(
    share: float, size: int, people: int
) -> None:
    """Self-hosting and the API, both meeting the bar, at a volume that puts the bills close."""
    answers = {
        "pmf.stage": "pmf_validated",
        "pmf.prompting_result": "meets_bar",
        "pmf.open_model_result": "meets_bar",
        "pmf.has_evals": True,
        "pmf.labeled_examples": 5000,
        "pmf.domain_gap": False,
        "privacy.data_class": "internal",
        "privacy.vendor_terms_ok": "yes",
        "privacy.residency": "any",
        "scale.peak_to_average": 2.0,
        "scale.vendor_limits_blocking": False,
        "cost.api_model": "gpt-4o",
        "cost.open_model_size_b": size,
        "cost.ml_engineers": people,
    }
    decision = evaluate(REGISTRY, {**answers, "scale.requests_per_month": 1_000_000})
    bills = decision.costs
    # The volume at which the two bills are `share` apart, the bills being straight lines.
    api_per_call = bills.options["api"].usd_per_month / 1_000_000
    own = bills.options["self_host"].usd_per_month
    volume = max(1000, round(own * share / api_per_call))
    decision = evaluate(REGISTRY, {**answers, "scale.requests_per_month": volume})
    robust = decision.robustness
    if robust.overlap:
        assert decision.confidence != "high", decision.confidence_reason
    rec, other = decision.recommendation, decision.runner_up
    mine, theirs = decision.costs.horizon(rec), decision.costs.horizon(other)
    if other and mine and theirs and mine[0] <= theirs[2] and theirs[0] <= mine[2]:
        same_tier = len(decision.options[rec].holds) == len(decision.options[other].holds)
        assert robust.overlap == same_tier
