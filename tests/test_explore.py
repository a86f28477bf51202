"""advisor whatif and advisor sweep: changes tried without touching the answers file."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from advisor import build_registry, evaluate, load_answers
from advisor.costs.sweep import parse_range, sweep
from advisor.errors import AdvisorError
from advisor_plugins.bills_api import api_cost
from advisor_plugins.bills_gpu import self_host_cost

CASES = Path(__file__).parent / "cases"
MEDIA = CASES / "media-tagging-at-scale.yaml"
EU = CASES / "eu-insurer-claims.yaml"
REGISTRY = build_registry()


def _json(result: Result) -> Any:
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.stdout)


# --- whatif ------------------------------------------------------------------------------------


def test_whatif_shows_before_and_after_and_leaves_the_file(cli: Callable[..., Result]) -> None:
    before = EU.read_text(encoding="utf-8")
    data = _json(cli("whatif", str(EU), "--format", "json", "--set", "privacy.vendor_terms_ok=no"))
    assert data["changes"] == ["privacy.vendor_terms_ok=no"]
    assert data["before"]["recommendation"] == "api"
    assert data["after"]["recommendation"] == "self_host"
    assert data["difference"]["recommendation"] is True
    assert "PRIV002" in data["difference"]["rules_started"]
    assert "api" in data["after"]["eliminated"]
    assert EU.read_text(encoding="utf-8") == before


def test_whatif_on_a_figure_changes_the_bills(cli: Callable[..., Result]) -> None:
    base = _json(cli("recommend", str(MEDIA), "--format", "json"))["costs"]["options"]
    gpu, gpus = base["self_host"]["gpu"], base["self_host"]["gpus"]
    key = f"gpu.{gpu}.hourly_usd"
    dearer = 1.2 * REGISTRY.catalogue[key]
    data = _json(cli("whatif", str(MEDIA), "--format", "json", "--set", f"{key}={dearer}"))
    was, now = data["before"]["usd_per_month"], data["after"]["usd_per_month"]
    # Dearer by at most what the same GPUs would cost more: the sizing may move to another.
    rise = now["self_host"] - was["self_host"]
    assert 0 < rise <= gpus * (dearer - REGISTRY.catalogue[key]) * 730 * (1 + 1e-9)
    assert now["api"] == was["api"]
    assert data["difference"]["recommendation"] is False


def test_whatif_text(cli: Callable[..., Result]) -> None:
    out = cli("whatif", str(EU), "--set", "privacy.vendor_terms_ok=no").stdout
    assert out.startswith("What if privacy.vendor_terms_ok=no:")
    assert "recommendation changes: api (high) -> self_host" in out
    assert "rules now firing: " in out and "PRIV002" in out


def test_whatif_needs_a_change(cli: Callable[..., Result]) -> None:
    result = cli("whatif", str(EU))
    assert result.exit_code == 2
    assert "give at least one --set KEY=VALUE" in result.output


# --- sweep -------------------------------------------------------------------------------------


def test_sweep_bills_match_the_cost_model_point_by_point() -> None:
    values = load_answers(MEDIA, REGISTRY).values
    found = sweep(REGISTRY, values, "scale.requests_per_month", 1e3, 1e9, points=50)
    assert len(found.points) == 50 and found.points[0] == 1e3 and found.points[-1] == 1e9
    assert all(b > a for a, b in zip(found.points, found.points[1:], strict=False))
    cat = REGISTRY.catalogue
    from advisor.core.decision.engine import resolve

    resolved = resolve(REGISTRY, values).values
    for i in (0, 17, 49):
        at = {**resolved, "scale.requests_per_month": found.points[i]}
        assert found.bills["api"][i] == pytest.approx(api_cost(at, cat).usd_per_month)
        assert found.bills["self_host"][i] == pytest.approx(self_host_cost(at, cat).usd_per_month)


def test_sweep_finds_where_self_hosting_becomes_cheaper() -> None:
    values = load_answers(MEDIA, REGISTRY).values
    found = sweep(REGISTRY, values, "scale.requests_per_month", 1e3, 1e9, points=1000)
    crossings = [(at, a, b) for at, a, b in found.cheapest_changes if b == "self_host"]
    assert len(crossings) == 1
    at, was, _ = crossings[0]
    assert was == "api"
    # The cost model's own break-even, the very number every other output prints.
    decision = evaluate(REGISTRY, values, explore=False)
    assert at == decision.costs.break_even_requests["self_host"]
    at_below = {**values, "scale.requests_per_month": at * 0.99}
    bills = evaluate(REGISTRY, at_below, explore=False).costs.options
    assert bills["api"].usd_per_month < bills["self_host"].usd_per_month


def test_sweep_locates_a_change_of_recommendation_where_the_flips_do() -> None:
    values = {
        **load_answers(EU, REGISTRY).values,
        "cost.open_model_size_b": 8,
        "cost.api_model": "gpt-4o",
        "pmf.open_model_result": "meets_bar",
        "cost.ml_engineers": 3,
    }
    found = sweep(REGISTRY, values, "scale.requests_per_month", 1e3, 1e9, points=200)
    ((at, was, now),) = found.recommendation_changes
    assert (was, now) == ("api", "self_host")

    def rec(x: float) -> str | None:
        return evaluate(
            REGISTRY, {**values, "scale.requests_per_month": int(x)}, explore=False
        ).recommendation

    assert rec(at) == "self_host" and rec(at * 0.99) == "api"
    # The same threshold as "what would flip it", to the unit: one number, however it is found.
    flip = next(f for f in evaluate(REGISTRY, values).flips if f.question.endswith("per_month"))
    assert at == flip.to


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1e3", "expected LOW..HIGH"),
        ("5..1", "LOW must be below HIGH"),
        ("a..b", "expected LOW..HIGH"),
    ],
)
def test_a_bad_range_is_refused(text: str, message: str) -> None:
    with pytest.raises(AdvisorError, match=message):
        parse_range(text)


def test_sweep_takes_number_questions_only() -> None:
    values = load_answers(EU, REGISTRY).values
    with pytest.raises(AdvisorError, match="not a number question"):
        sweep(REGISTRY, values, "pmf.stage", 1, 2)
    with pytest.raises(AdvisorError, match="out of range"):
        sweep(REGISTRY, values, "scale.latency_p95_ms", -5, 100)


def test_sweep_command_plots_and_reports(cli: Callable[..., Result]) -> None:
    out = cli("sweep", str(MEDIA), "scale.requests_per_month", "1e3..1e9").stdout
    assert "└" in out and "a = api  s = self_host  f = fine_tune  * = two or more meet" in out
    assert "*" in out.split("└")[0]  # self-hosting's and fine-tuning's lines run close
    assert "self_host becomes cheaper than api at scale.requests_per_month = 3,1" in out
    data = _json(
        cli(
            "sweep",
            str(MEDIA),
            "scale.requests_per_month",
            "1e3..1e9",
            "--points",
            "20",
            "--format",
            "json",
        )
    )
    assert len(data["points"]) == 20
    assert set(data["usd_per_month"]) == {"api", "self_host", "fine_tune"}  # no routed share
    bad = cli("sweep", str(MEDIA), "pmf.stage", "1..2")
    assert bad.exit_code == 2 and "not a number question" in bad.output
