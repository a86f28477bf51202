"""The cost catalogue: shipped figures, hosted prices, plugin entries, config file and --set."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from conftest import TODAY

from advisor import Figure, Registry, build_registry, get_plugin_manager, hookimpl
from advisor.costs import hosted

TESTS = Path(__file__).parent
H100 = 3.9  # gpu.h100.hourly_usd as shipped (a neocloud's on-demand price, 2026-09)
EU = TESTS / "cases" / "eu-insurer-claims.yaml"


def _json(result: Result) -> Any:
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.stdout)


def _fails_cleanly(result: Result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    return result.stderr


# --- what ships --------------------------------------------------------------------------------


def test_built_in_figures_are_dated_and_sourced(registry: Registry) -> None:
    cat = registry.catalogue
    assert not registry.faults, [f.render() for f in registry.faults]
    assert len(cat.figures) >= 40
    for fig in cat.figures.values():
        assert fig.source.strip() and fig.as_of, fig.key
        assert fig.origin.startswith("catalogue:"), fig.key
        assert fig.unit, fig.key


def test_the_figures_in_domain_md_are_the_ones_shipped(registry: Registry) -> None:
    """DOMAIN.md's tables for the cost model: the 2025-2026 figures within the ranges it gives,
    the 2024 ones kept for reference where the bills no longer read them."""
    cat = registry.catalogue
    h100 = cat.figure("gpu.h100.hourly_usd")
    assert 2.99 <= h100.value <= 6.88 and h100.as_of >= "2026"  # RunPod to AWS p5, 2026-08
    assert h100.high is not None and h100.high <= 12.29  # Azure's on-demand price
    assert 1.70 <= cat["gpu.h100.committed_hourly_usd"] <= 2.35  # the one-year index, 2025-26
    assert 1.13 <= cat["gpu.a100_80gb.hourly_usd"] <= 5.07
    assert 0.80 <= cat["gpu.l40s.hourly_usd"] <= 2.62
    assert 4.21 <= cat["gpu.h200.hourly_usd"] <= 10.60
    assert 5.89 <= cat["gpu.b200.hourly_usd"] <= 14.24
    assert cat["gpu.h100.memory_gb"] == 80
    seed = cat.figure("gpu.china_8gpu_machine.monthly_rmb")  # seed 004, 2024
    assert (seed.value, seed.as_of, seed.reference) == (40_000, "2024", True)
    assert cat["trend.essay_halving_months"] == 6  # the essay's figure, for reference
    assert cat.figure("trend.essay_halving_months").reference
    assert cat["trend.capability_decline_per_year.mid"] == 10  # a16z's "LLMflation"


def test_every_hosted_model_the_questionnaire_offers_has_a_price(registry: Registry) -> None:
    offered = registry.questions["cost.api_model"].choice_values
    assert list(offered) == [name for name, _ in hosted.shortlist()]
    cat = registry.catalogue
    for model in offered:
        price = cat.hosted_price(model)
        assert price.input.base > 0 and price.output.base > 0, model
        assert price.source.startswith("genai-prices "), model
        assert price.as_of == cat.price_date


@pytest.mark.parametrize(
    ("model", "tokens_in", "tokens_out"),
    [
        ("gpt-4o", 2.50, 10.00),
        ("gpt-4o-mini", 0.15, 0.60),
        ("claude-3-5-sonnet", 3.00, 15.00),
        ("llama-3-70b", 0.88, 0.88),
        ("gemini-1-5-pro", 1.25, 5.00),  # the price of prompts up to 128k tokens
    ],
)
def test_hosted_prices_match_the_vendors_list_prices(
    registry: Registry, model: str, tokens_in: float, tokens_out: float
) -> None:
    price = registry.catalogue.hosted_price(model)
    assert price.input_usd_per_mtok == pytest.approx(tokens_in)
    assert price.output_usd_per_mtok == pytest.approx(tokens_out)


def test_a_hosted_price_can_be_overridden(registry: Registry) -> None:
    cat = registry.catalogue.overridden(
        {"price.gpt_4o.input_usd_per_mtok": 1.0, "price.gpt_4o.output_usd_per_mtok": 4.0}, "--set"
    )
    price = cat.hosted_price("gpt-4o")
    assert (price.input_usd_per_mtok, price.output_usd_per_mtok) == (1.0, 4.0)
    assert "overridden by --set" in price.source
    assert registry.catalogue.hosted_price("gpt-4o").input_usd_per_mtok == 2.5  # unchanged


def test_an_unknown_figure_names_the_nearest(registry: Registry) -> None:
    with pytest.raises(KeyError, match=re.escape("did you mean 'gpu.h100.hourly_usd'")):
        registry.catalogue.overridden({"gpu.h100.hourly": 2.0}, "--set")
    with pytest.raises(KeyError, match="'gpt-9' is not a model genai-prices knows"):
        registry.catalogue.hosted_price("gpt-9")


# --- plugins contribute figures ------------------------------------------------------------


def _figure(key: str, value: float, **extra: Any) -> Figure:
    return Figure(key=key, value=value, unit="USD", as_of="2026-01", source="a test", **extra)


class _PricePlugin:
    def __init__(self, *figures: Figure) -> None:
        self.figures = figures

    @hookimpl
    def advisor_catalogue(self, register: Callable[[Any], None]) -> None:
        for fig in self.figures:
            register(fig)


def test_a_plugin_adds_a_figure() -> None:
    plugin = _PricePlugin(_figure("gpu.mi300x.committed_hourly_usd", 1.4))
    registry = build_registry(get_plugin_manager(plugins=[plugin]))
    assert registry.catalogue["gpu.mi300x.committed_hourly_usd"] == 1.4
    assert registry.catalogue.figure("gpu.mi300x.committed_hourly_usd").origin == "_PricePlugin"
    assert not registry.faults


def test_a_plugin_may_replace_a_figure_only_when_it_says_so() -> None:
    quiet = build_registry(
        get_plugin_manager(plugins=[_PricePlugin(_figure("gpu.h100.hourly_usd", 1.0))])
    )
    assert quiet.catalogue["gpu.h100.hourly_usd"] == H100
    (fault,) = [f for f in quiet.faults if f.plugin == "_PricePlugin"]
    assert "already given by catalogue:gpus.yaml" in fault.message
    loud = build_registry(
        get_plugin_manager(
            plugins=[_PricePlugin(_figure("gpu.h100.hourly_usd", 1.0, replaces=True))]
        )
    )
    assert loud.catalogue["gpu.h100.hourly_usd"] == 1.0


def test_a_malformed_catalogue_file_is_a_fault_naming_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "extra.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            title: Extra GPUs
            figures:
              gpu.gb300.hourly_usd:
                value: lots
                unit: USD per GPU-hour
                as_of: "2026"
                source: a price page
              gpu.gb300.memory_gb:
                value: 288
                unit: GB
                as_of: last year
                source: a datasheet
            """
        ),
        encoding="utf-8",
    )

    class FilePlugin:
        @hookimpl
        def advisor_catalogue(self, register: Callable[[Any], None]) -> None:
            register(path)

    registry = build_registry(get_plugin_manager(plugins=[FilePlugin()]))
    cat = registry.catalogue
    (fault,) = [f for f in registry.faults if f.plugin == "FilePlugin"]
    assert "extra.yaml:4: figures.gpu.gb300.hourly_usd.value:" in fault.message
    assert "extra.yaml:11: figures.gpu.gb300.memory_gb.as_of:" in fault.message
    assert "gpu.gb300.memory_gb" not in cat.figures  # a bad file adds nothing
    assert cat["gpu.h100.hourly_usd"] == H100  # and the rest still load


# --- the command line ----------------------------------------------------------------------


def test_catalogue_lists_figures_with_date_and_source(cli: Callable[..., Result]) -> None:
    out = cli("catalogue").stdout
    flat = " ".join(out.split())
    assert "gpu.h100.hourly_usd = 3.9 USD per GPU-hour (2.4 to 6.16), as of 2026-09" in flat
    assert "gpu.h100.memory_gb = 80 GB (exact)" in flat
    assert "Hosted models" in out and "gpt-6-luna" in out
    data = _json(cli("catalogue", "--format", "json"))
    keys = {f["key"]: f for f in data["figures"]}
    assert keys["gpu.h100.memory_gb"]["value"] == 80
    assert keys["gpu.h100.memory_gb"]["stale"] is False  # a datasheet does not age
    assert keys["latency.p95_over_median"]["stale"] is True  # measured 2023-12
    assert data["price_date"] == data["today"] == TODAY
    assert [p["model"] for p in data["hosted_prices"]] == [n for n, _ in hosted.shortlist()]
    assert data["currency"] == {"code": "USD", "per_usd": 1.0}


def test_set_overrides_a_figure_for_one_run(cli: Callable[..., Result]) -> None:
    data = _json(cli("catalogue", "--format", "json", "--set", "gpu.h100.hourly_usd=2.5"))
    fig = {f["key"]: f for f in data["figures"]}["gpu.h100.hourly_usd"]
    assert fig["value"] == 2.5
    assert fig["origin"] == "--set"
    assert fig["note"].startswith("was 3.9 (")
    assert "(overridden)" in cli("catalogue", "--set", "gpu.h100.hourly_usd=2.5").stdout


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("gpu.h100.hourly=2", "did you mean 'gpu.h100.hourly_usd'"),
        ("gpu.h100.hourly_usd=cheap", "'cheap' is not a number"),
        ("nonsense", "expected KEY=VALUE"),
    ],
)
def test_a_bad_set_is_refused_with_what_is_allowed(
    cli: Callable[..., Result], item: str, message: str
) -> None:
    err = _fails_cleanly(cli("catalogue", "--set", item))
    assert err.startswith("--set: ")
    assert message in err


def test_catalogue_takes_no_answers(cli: Callable[..., Result]) -> None:
    result = cli("catalogue", "--set", "pmf.stage=idea")
    assert result.exit_code == 2
    assert "takes catalogue figures in --set, not answers" in result.output


def test_config_file_overrides_figures_and_currency(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "figures:\n  gpu.h100.hourly_usd: 2.9\ncurrency:\n  code: EUR\n  per_usd: 0.92\n",
        encoding="utf-8",
    )
    data = _json(cli("catalogue", "--format", "json", "--config", str(config)))
    fig = {f["key"]: f for f in data["figures"]}["gpu.h100.hourly_usd"]
    assert fig["value"] == 2.9 and fig["origin"] == f"config {config}"
    assert data["currency"] == {"code": "EUR", "per_usd": 0.92}
    # --set comes after the config file and wins.
    both = _json(
        cli(
            "catalogue",
            "--format",
            "json",
            "--config",
            str(config),
            "--set",
            "gpu.h100.hourly_usd=2",
        )
    )
    assert {f["key"]: f for f in both["figures"]}["gpu.h100.hourly_usd"]["value"] == 2


def test_config_file_from_the_environment(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("figures:\n  trend.switch_months: 9\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "advisor", "catalogue", "--format", "json"],
        capture_output=True,
        text=True,
        env={"ADVISOR_CONFIG": str(config), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        check=False,
    )
    assert run.returncode == 0, run.stderr
    figures = {f["key"]: f for f in json.loads(run.stdout)["figures"]}
    assert figures["trend.switch_months"]["value"] == 9


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("figures:\n  gpu.h100.hourly: 2.9\n", ":2: figures.gpu.h100.hourly: no figure"),
        ("figures:\n  gpu.h100.hourly_usd: cheap\n", ":2: figures.gpu.h100.hourly_usd: 'cheap'"),
        (
            "figure:\n  gpu.h100.hourly_usd: 2\n",
            ":1: figure: unknown key; allowed: figures, currency",
        ),
        ("currency:\n  code: euro\n", ": currency.code: String should match pattern"),
    ],
)
def test_a_bad_config_file_names_file_line_and_field(
    cli: Callable[..., Result], tmp_path: Path, text: str, message: str
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(text, encoding="utf-8")
    err = _fails_cleanly(cli("catalogue", "--config", str(config)))
    assert err.startswith(str(config))
    assert message in err


# --- --set on answers --------------------------------------------------------------------------


def test_set_changes_an_answer_for_one_run_and_leaves_the_file(cli: Callable[..., Result]) -> None:
    before = EU.read_text(encoding="utf-8")
    assert _json(cli("recommend", str(EU), "--format", "json"))["recommendation"] == "api"
    changed = _json(
        cli("recommend", str(EU), "--format", "json", "--set", "privacy.vendor_terms_ok=no")
    )
    assert changed["recommendation"] == "self_host"
    assert any(r["id"] == "PRIV002" and r["veto"] for r in changed["rules"])
    assert EU.read_text(encoding="utf-8") == before


def test_set_answers_are_checked_like_answers_in_a_file(cli: Callable[..., Result]) -> None:
    err = _fails_cleanly(cli("recommend", str(EU), "--set", "pmf.stage=ide"))
    assert "--set: pmf.stage: 'ide' is not allowed (did you mean idea?)" in err
    err = _fails_cleanly(cli("explain", str(EU), "--set", "scale.request_per_month=5e7"))
    assert "did you mean scale.requests_per_month?" in err


def test_set_takes_lists_and_number_spellings(registry: Registry) -> None:
    from advisor.core.answers.overrides import parse_sets

    got = parse_sets(
        ("privacy.regimes=gdpr, hipaa", "scale.requests_per_month=5e7", "pmf.has_evals=no"),
        registry,
    )
    assert got.answers == {
        "privacy.regimes": ["gdpr", "hipaa"],
        "scale.requests_per_month": 50_000_000,
        "pmf.has_evals": False,
    }


def test_check_applies_set_to_every_file(cli: Callable[..., Result]) -> None:
    result = cli("check", str(TESTS / "cases"), "--set", "privacy.residency=air_gapped")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    # Air-gapped rules out the API: the cases that expect the API now fail, the rest still hold.
    assert lines[-1] == "4 passed, 5 failed"
    failing = sorted(
        line.split()[1].rsplit("/", 1)[-1].rstrip(":") for line in lines if line.startswith("FAIL")
    )
    assert failing == [
        "consumer-app-no-ml-team.yaml",
        "eu-insurer-claims.yaml",
        "idea-stage-wants-to-fine-tune.yaml",
        "prototype-planning-500m-calls.yaml",
        "prototype-ticket-summaries.yaml",
    ]


def test_figure_values_are_numbers() -> None:
    with pytest.raises(ValueError, match="a figure is a number"):
        Figure(key="gpu.x.memory_gb", value=True, as_of="2026", source="s")
