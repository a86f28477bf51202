"""Hosted models: any model genai-prices knows can be named, priced as genai-prices prices it on the
day of the run; old ids keep loading with a note on their retirement; memos keep their price day."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from conftest import TODAY
from genai_prices import Usage, calc_price

from advisor import Registry
from advisor.costs import hosted
from advisor.costs.hosted import genai
from advisor.costs.hosted.models import built_in_aliases

TESTS = Path(__file__).parent


def _answers(tmp_path: Path, model: str, **scale: Any) -> Path:
    extra = "".join(f"    {k}: {v}\n" for k, v in scale.items())
    path = tmp_path / "answers.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            answers:
              pmf:
                stage: mvp_live
              scale:
                requests_per_month: 2000000
                input_tokens_per_request: 3000
                output_tokens_per_request: 400
            """
        )
        + extra
        + f"  cost:\n    api_model: {json.dumps(model)}\n",
        encoding="utf-8",
    )
    return path


def _json(result: Result) -> Any:
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.stdout)


def _api_bill(data: dict[str, Any]) -> float:
    return float(data["costs"]["options"]["api"]["usd_per_month"])


def _genai(ref: str, provider: str | None, day: str, **usage: int) -> float:
    when = datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)
    return float(
        calc_price(
            Usage(**usage), ref, provider_id=provider, genai_request_timestamp=when
        ).total_price
    )


@pytest.mark.parametrize(
    ("model", "ref", "provider"),
    [
        ("gpt-5-mini", "gpt-5-mini", None),
        ("openai:gpt-5-mini", "gpt-5-mini", "openai"),
        ("claude-sonnet-5-5", "claude-sonnet-5-5", "anthropic"),
        ("groq-gpt-oss-120b", "openai/gpt-oss-120b", "groq"),
        ("together:openai/gpt-oss-120b", "openai/gpt-oss-120b", "together"),
        ("gpt-4o", "gpt-4o", "openai"),
    ],
)
def test_any_model_prices_exactly_as_genai_prices_does(
    cli: Callable[..., Result], tmp_path: Path, model: str, ref: str, provider: str | None
) -> None:
    data = _json(cli("recommend", str(_answers(tmp_path, model)), "--format", "json"))
    one_call = _genai(ref, provider, TODAY, input_tokens=3000, output_tokens=400)
    assert _api_bill(data) == pytest.approx(2_000_000 * one_call, rel=1e-9)
    assert data["costs"]["price_date"] == TODAY


def test_cached_input_and_batch_price_as_genai_prices_does(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    path = _answers(tmp_path, "gpt-5-mini", cached_input_share=0.8, batch_share=0.5)
    data = _json(cli("recommend", str(path), "--format", "json"))
    now = _genai("gpt-5-mini", "openai", TODAY, input_tokens=3000, cache_read_tokens=2400,
                 output_tokens=400)  # fmt: skip
    when = datetime.fromisoformat(TODAY).replace(hour=12, tzinfo=UTC)
    later = float(
        calc_price(
            Usage(input_tokens=3000, cache_read_tokens=2400, output_tokens=400),
            "gpt-5-mini",
            provider_id="openai",
            genai_request_timestamp=when,
            price_context={"processing": "batch"},
        ).total_price
    )
    assert later < now
    assert _api_bill(data) == pytest.approx(2_000_000 * (0.5 * now + 0.5 * later), rel=1e-9)
    working = data["costs"]["options"]["api"]["lines"][0]["working"]
    assert "80% of the input cached" in working and "50% of calls at the batch rates" in working


def test_a_long_prompt_is_billed_at_the_vendors_long_prompt_price(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    path = _answers(tmp_path, "gpt-6.1-sol")
    path.write_text(path.read_text().replace("3000", "300000"), encoding="utf-8")
    data = _json(cli("recommend", str(path), "--format", "json"))
    one_call = _genai("gpt-6.1-sol", "openai", TODAY, input_tokens=300000, output_tokens=400)
    assert _api_bill(data) == pytest.approx(2_000_000 * one_call, rel=1e-9)


def test_a_model_with_no_batch_rate_says_so(cli: Callable[..., Result], tmp_path: Path) -> None:
    path = _answers(tmp_path, "together:openai/gpt-oss-120b", batch_share=1)
    data = _json(cli("recommend", str(path), "--format", "json"))
    working = data["costs"]["options"]["api"]["lines"][0]["working"]
    assert "this model has no batch rate" in working
    one_call = _genai("openai/gpt-oss-120b", "together", TODAY, input_tokens=3000,
                      output_tokens=400)  # fmt: skip
    assert _api_bill(data) == pytest.approx(2_000_000 * one_call, rel=1e-9)


def test_an_old_id_loads_priced_with_a_note_and_a_revisit(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    data = _json(cli("recommend", str(_answers(tmp_path, "gpt-4o")), "--format", "json"))
    assert data["recommendation"] == "api"
    notes = data["costs"]["options"]["api"]["notes"]
    assert notes == ["OpenAI GPT-4o is shut down on 2027-01-14 (announced 2026-10-14); "
                     "consider gpt-6-luna"]  # fmt: skip
    assert data["revisit"]["date"] == "2027-01-14"
    text = cli("recommend", str(_answers(tmp_path, "claude-3-5-sonnet"))).stdout
    assert "was retired on 2025-10-28" in " ".join(text.split())


def test_an_unknown_model_is_refused_with_file_line_and_the_nearest(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    result = cli("recommend", str(_answers(tmp_path, "gpt-9")))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "answers.yaml:9: cost.api_model: 'gpt-9' is not a model" in result.stderr
    assert "not a model genai-prices knows" in result.stderr
    assert "did you mean" in result.stderr


def test_the_questionnaire_offers_the_shortlist(registry: Registry) -> None:
    question = registry.questions["cost.api_model"]
    offered = [name for name, _ in hosted.shortlist()]
    assert list(question.choice_values) == offered
    labels = {c.value: c.label for c in question.choices}
    for name, alias in hosted.shortlist():
        assert labels[name] == alias.label
        assert registry.catalogue.hosted_price(name).input.base > 0, name
    assert "gpt-4o" not in offered  # an old id loads, but is not offered


def test_init_offers_the_shortlist_and_says_any_other_model_may_be_named(
    cli: Callable[..., Result],
) -> None:
    text = cli("init").stdout
    for name, alias in hosted.shortlist():
        assert f"#   {name}: {alias.label}" in text
    assert "or any model genai-prices knows: provider:model (openai:gpt-5-mini)" in text
    assert "gpt-4o:" not in text  # an old id loads, but is not offered


def test_every_friendly_id_is_priced_and_its_replacement_offered(registry: Registry) -> None:
    offered = {name for name, _ in hosted.shortlist()}
    for name, alias in built_in_aliases().models.items():
        price = registry.catalogue.hosted_price(name)
        assert price.output.base > 0, name
        if alias.replacement is not None:
            assert alias.replacement in offered, name


def test_models_lists_the_shortlist_and_searches_the_rest(cli: Callable[..., Result]) -> None:
    data = _json(cli("models", "--format", "json"))
    assert [m["model"] for m in data["models"]] == [n for n, _ in hosted.shortlist()]
    found = _json(cli("models", "qwen3", "235b", "--format", "json"))["models"]
    assert found[0]["model"] == "fireworks-qwen3-235b-a22b"
    assert any(m["model"].startswith("openrouter:") for m in found)
    text = cli("models", "gpt-4o").stdout
    assert "shut down on 2027-01-14" in " ".join(text.split())


def test_prices_are_those_of_the_day(cli: Callable[..., Result], tmp_path: Path) -> None:
    """Gemini 4 Argon's introductory price ended on 2026-11-30 (genai-prices' data)."""
    path = _answers(tmp_path, "gemini-4-argon")
    today = _api_bill(_json(cli("recommend", str(path), "--format", "json")))
    before = _json(cli("recommend", str(path), "--format", "json", "--prices", "2026-11-30"))
    assert before["costs"]["price_date"] == "2026-11-30"
    assert _api_bill(before) == pytest.approx(today / 2)
    bad = cli("recommend", str(path), "--prices", "soon")
    assert bad.exit_code == 2 and "is not recorded, today or a date" in bad.stderr


def test_a_memo_is_re_run_at_its_recorded_prices_unless_asked(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    memo = tmp_path / "memo.md"
    path = _answers(tmp_path, "gemini-4-argon")
    made = cli("memo", str(path), "-o", str(memo), "--prices", "2026-11-30")
    assert made.exit_code == 0, made.output
    again = _json(cli("recommend", str(memo), "--format", "json"))
    assert again["costs"]["price_date"] == "2026-11-30"
    now = _json(cli("recommend", str(memo), "--format", "json", "--prices", "today"))
    assert now["costs"]["price_date"] == TODAY
    assert _api_bill(now) == pytest.approx(2 * _api_bill(again))


def test_diff_says_when_prices_moved(cli: Callable[..., Result], tmp_path: Path) -> None:
    memo = tmp_path / "memo.md"
    path = _answers(tmp_path, "gemini-4-argon")
    assert cli("memo", str(path), "-o", str(memo), "--prices", "2026-11-30").exit_code == 0
    same = cli("diff", str(memo), str(memo))
    assert "hosted prices" not in same.stdout
    moved = cli("diff", str(memo), str(memo), "--prices", "today")
    flat = " ".join(moved.stdout.split())
    assert "hosted prices moved: Google Gemini 4 Argon $2 in" in flat
    assert "-> Google Gemini 4 Argon $4 in" in flat
    answers = cli("diff", str(memo), str(path))
    assert answers.exit_code == 1
    assert "hosted prices: Google Gemini 4 Argon $2 in" in " ".join(answers.stdout.split())


def test_a_price_can_be_given_for_a_model_genai_prices_lacks(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    data = _json(
        cli(
            "recommend",
            str(_answers(tmp_path, "gpt-4o")),
            "--format",
            "json",
            "--set",
            "price.gpt_4o.input_usd_per_mtok=1",
            "--set",
            "price.gpt_4o.output_usd_per_mtok=4",
        )
    )
    assert _api_bill(data) == pytest.approx(2_000_000 * (3000 * 1 + 400 * 4) / 1e6)


def test_hosted_lookups_are_kept_between_runs(tmp_path: Path) -> None:
    """genai-prices takes about a quarter of a second to import: the first run pays it and keeps
    what it asked in the user's cache folder; a later run reads that and never imports it."""
    answers = _answers(tmp_path, "gpt-5-mini")
    code = (
        "import sys\n"
        "from advisor.cli import main\n"
        f"main(['recommend', {str(answers)!r}, '--format', 'json'], standalone_mode=False)\n"
        "print('genai_prices' in sys.modules, file=sys.stderr)\n"
    )
    env = {
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "ADVISOR_TODAY": TODAY,
        "ADVISOR_PLUGINS": "",
    }

    def imported() -> str:
        run = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
        )
        return run.stderr.strip().splitlines()[-1]

    assert imported() == "True"
    assert list((tmp_path / "cache" / "advisor").glob("hosted-models-*.json"))
    assert imported() == "False"


OPEN_MODEL_ONLY = """\
answers:
  pmf:
    stage: scaling
    prompting_result: partially_meets_bar
  scale:
    requests_per_month: 30000000
    input_tokens_per_request: 900
    output_tokens_per_request: 120
  cost:
    open_model: llama-3.3-70b
    ml_engineers: 4
"""


@pytest.mark.parametrize(
    "case",
    ["open-model-only", "media-tagging-at-scale", "eu-insurer-claims"],
)
def test_a_cold_price_cache_makes_no_slow_fault(tmp_path: Path, case: str) -> None:
    """The first run on a machine reads genai-prices' whole data set (no price cache yet). It is
    read before any rule or fact is timed, so it is never blamed on the one that first prices a
    model: with no hosted model named, that was the bills pricing the open model's endpoints."""
    if case == "open-model-only":
        answers = tmp_path / "answers.yaml"
        answers.write_text(OPEN_MODEL_ONLY, encoding="utf-8")
    else:
        answers = TESTS / "cases" / f"{case}.yaml"
    cache = tmp_path / "cache"
    cache.mkdir()
    env = {
        "XDG_CACHE_HOME": str(cache),
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "ADVISOR_TODAY": TODAY,
        "ADVISOR_PLUGINS": "",
    }
    run = subprocess.run(
        [sys.executable, "-m", "advisor", "recommend", str(answers), "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert not [e for e in data["errors"] if e["message"].startswith("slow")], data["errors"]
    assert list((cache / "advisor").glob("hosted-models-*.json"))  # the cache was cold: made now
    if case == "open-model-only":
        assert data["costs"]["open_endpoint"]["model"]  # the endpoints were priced


def test_no_rule_or_fact_reads_genai_prices_while_it_is_timed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same, without a clock: with an empty price cache, every read of genai-prices' data
    happens before the timed evaluation starts, none during it."""
    from advisor import build_registry, evaluate
    from advisor.core.decision import engine

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(genai, "_STORES", {})
    reads: list[bool] = []
    timing = [False]
    snapshot = genai._snapshot

    def counted() -> Any:
        reads.append(timing[0])
        return snapshot()

    decide = engine.decide

    def timed_decide(*args: Any, **kwargs: Any) -> Any:
        timing[0] = bool(kwargs.get("timed"))
        try:
            return decide(*args, **kwargs)
        finally:
            timing[0] = False

    monkeypatch.setattr(genai, "_snapshot", counted)
    monkeypatch.setattr(engine, "decide", timed_decide)
    registry = build_registry()  # a catalogue of its own: nothing priced yet
    values = {
        "pmf.stage": "scaling",
        "scale.requests_per_month": 30_000_000,
        "scale.input_tokens_per_request": 900,
        "scale.output_tokens_per_request": 120,
        "cost.open_model": "llama-3.3-70b",
        "cost.ml_engineers": 4,
    }
    decision = evaluate(registry, values, explore=False)
    assert decision.costs.open_endpoint is not None
    assert reads and not any(reads), "genai-prices was read while a rule or fact was timed"
