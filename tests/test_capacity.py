"""The capacity model (advisor/costs/capacity/): its physics, its calibration to published
serving measurements, the sizing of a deployment, its data files and the `advisor capacity`
command."""

from __future__ import annotations

import importlib.util
import itertools
import json
import math
import re
import textwrap
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner, Result

from advisor.costs import capacity as cap
from advisor.costs.capacity.calibration import Measurement, load_measurements, measurements, predict
from advisor.costs.capacity.deployments import HOURS_PER_MONTH, Sizing
from advisor.costs.capacity.errors import CapacityError, UnknownGpu, UnknownModel
from advisor.costs.capacity.fitted import FITTED, figure_keys
from advisor.costs.capacity.hardware import PRECISIONS, known_gpus
from advisor.costs.capacity.shapes import estimated_architecture, load_architectures
from advisor.costs.catalogue import Catalogue
from advisor.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "capacity.md"
CALLS_A_MONTH = 1e9
SECONDS_A_MONTH = HOURS_PER_MONTH * 3600
# Test prices, so that the sizing tests do not move when the catalogue's GPU prices do.
PRICES = {"h100": 3.0, "h200": 4.0, "b200": 6.5, "a100_80gb": 1.8, "l40s": 1.1, "l4": 0.7}


def _hourly(gpu: str, bound: str | None) -> float | None:
    return PRICES.get(gpu)


@pytest.fixture(scope="module")
def cat(monkeypatch_module: pytest.MonkeyPatch) -> Catalogue:
    from advisor import build_registry

    registry = build_registry()
    assert not registry.faults, [f.render() for f in registry.faults]
    return registry.catalogue


@pytest.fixture(scope="module")
def monkeypatch_module() -> pytest.MonkeyPatch:
    """Only the built-in plugins, for this module's registry."""
    patch = pytest.MonkeyPatch()
    patch.setenv("ADVISOR_PLUGINS", "")
    yield patch
    patch.undo()


@pytest.fixture(scope="module")
def fitting() -> ModuleType:
    """bench/fit_capacity.py, imported as a module."""
    spec = importlib.util.spec_from_file_location(
        "fit_capacity", ROOT / "bench" / "fit_capacity.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(*args: str) -> Result:
    from advisor.cli import main

    return CliRunner().invoke(main, ["capacity", *args], catch_exceptions=True)


# --- the physics ------------------------------------------------------------------------------


def test_an_8b_model_at_fp8_on_one_h100_decodes_as_tensorrt_llm_publishes(cat: Catalogue) -> None:
    """1,000 tokens in and 1,000 out at saturation: TensorRT-LLM 1.0 publishes 15,220 output
    tokens a second; the model must land between 12,000 and 15,000, the range the issue asks."""
    found = cap.capacity("llama-3.1-8b", "h100", "fp8", 1, 1000, 1000, cat=cat)
    assert found.fits and found.concurrency is None
    assert 12_000 <= found.output_tokens_per_s <= 15_000
    assert found.input_tokens_per_s == pytest.approx(found.output_tokens_per_s)
    assert found.limited_by == "memory bandwidth"


def _h100_gpus(cat: Catalogue, tokens_in: int, tokens_out: int, peak_over_average: float) -> float:
    average = CALLS_A_MONTH / SECONDS_A_MONTH
    sized = cap.size_deployment(
        "llama-3.1-8b",
        peak_requests_per_s=average * peak_over_average,
        average_requests_per_s=average,
        input_tokens=tokens_in,
        output_tokens=tokens_out,
        latency_p95_ms=None,
        cat=cat,
        hourly=_hourly,
        gpus=["h100"],
        precisions=["fp8"],
    )
    assert sized.best is not None
    return sized.best.gpus


def test_a_prefill_heavy_moderation_workload_is_sized_on_its_input_tokens(cat: Catalogue) -> None:
    """The issue's moderation workload: a billion calls a month of 300 tokens in and 5 out, an 8B
    model at FP8 on H100s. Assumed here: the peak is twice the average (the old model counted
    output tokens only and, at any peak, said 2: its floor of two replicas).

    The issue says about 7 H100s; it divided the calls' 114,000 input tokens a second by 34,590,
    the input rate TensorRT-LLM's 5000/500 point implies with its 499 decode steps a request
    counted in. The model reproduces that point and the 2048/128 one (3,450 output tokens a
    second, so 55,200 input tokens with 127 decode steps each), which put an H100's prefill at
    about 76,000 tokens a second for these prompts: about 3 H100s, not 7, and half again the old
    model's 2."""
    needed = _h100_gpus(cat, 300, 5, peak_over_average=2.0)
    assert 2.5 <= needed <= 3.6
    per_gpu = cap.capacity("llama-3.1-8b", "h100", "fp8", 1, 300, 5, cat=cat)
    assert 60_000 <= per_gpu.input_tokens_per_s <= 95_000
    assert per_gpu.output_tokens_per_s < per_gpu.input_tokens_per_s / 40


def test_a_code_completion_workload_needs_about_six_h100s(cat: Catalogue) -> None:
    """The issue's code completion (600 in, 24 out): the old model said 3, and about 6 is right.
    Assumed as for moderation: a billion calls a month, an 8B model at FP8, a peak twice the
    average; the arithmetic agrees (about 6.4 H100s)."""
    needed = _h100_gpus(cat, 600, 24, peak_over_average=2.0)
    assert 5.5 <= needed <= 7.5


@pytest.mark.parametrize("gpu", ["h100", "a100_80gb"])
def test_a_70b_model_at_bf16_never_runs_on_one_80_gb_gpu(cat: Catalogue, gpu: str) -> None:
    found = cap.capacity("llama-3.3-70b", gpu, "bf16", 1, 100, 100, cat=cat)
    assert not found.fits and found.max_concurrency == 0
    assert found.weights_gb == pytest.approx(141.1, abs=0.1)
    assert found.gpus_needed is not None and found.gpus_needed >= 2
    estimated = cap.capacity("70b", gpu, "bf16", 1, 100, 100, cat=cat)
    assert not estimated.fits
    sized = cap.size_deployment(
        "llama-3.3-70b",
        peak_requests_per_s=1.0,
        average_requests_per_s=0.5,
        input_tokens=500,
        output_tokens=200,
        latency_p95_ms=None,
        cat=cat,
        hourly=_hourly,
        gpus=[gpu],
        precisions=["bf16"],
    )
    assert sized.candidates and all(d.gpus_per_replica >= 2 for d in sized.candidates)


def test_a_mixture_of_experts_holds_its_total_parameters_and_computes_its_active_ones(
    cat: Catalogue,
) -> None:
    arch = cap.architectures()["qwen3-235b-a22b"]
    found = cap.capacity(arch, "h200", "fp8", 8, 1000, 1000, cat=cat)
    assert found.weights_gb == pytest.approx(235.0)  # every expert in memory, a byte each
    # One token reads the shared weights and its own 8 experts: the active parameters.
    assert arch.params_read_b(1) == pytest.approx(arch.active_params_b)
    # A large batch touches every expert, and never more than the model holds.
    assert arch.params_read_b(4096) == pytest.approx(arch.total_params_b, rel=1e-3)
    assert arch.params_read_b(10**6) <= arch.total_params_b + 1e-9
    reads = [arch.params_read_b(b) for b in (1, 2, 8, 32, 128)]
    assert reads == sorted(reads) and len(set(reads)) == len(reads)
    # A dense model of the same total computes ten times the FLOPs a token.
    dense = estimated_architecture(235)
    moe_prefill = cap.capacity(arch, "h200", "fp8", 8, 2000, 10, cat=cat).prefill_ms
    dense_prefill = cap.capacity(dense, "h200", "fp8", 8, 2000, 10, cat=cat).prefill_ms
    assert moe_prefill < dense_prefill / 3


def test_the_cache_follows_the_attention(cat: Catalogue) -> None:
    """Values cached a token: grouped-query attention keeps keys and values of its KV heads,
    latent attention one latent and a rotary key, sliding layers at most their window; experts
    change nothing."""
    models = cap.architectures()
    llama = models["llama-3.1-8b"]
    assert llama.kv_values(1) == 2 * 32 * 8 * 128
    deepseek = models["deepseek-v3"]
    assert deepseek.kv_values(1) == (512 + 64) * 61
    assert deepseek.kv_values(1000) == 1000 * (512 + 64) * 61
    gemma = models["gemma-3-27b"]
    per_layer = 2 * 16 * 128
    assert gemma.kv_values(100_000) == (10 * 100_000 + 52 * 1024) * per_layer
    assert gemma.kv_values(500) == 62 * 500 * per_layer  # shorter than the window: every layer
    gemma4 = models["gemma-4-31b"]
    assert gemma4.kv_values(10_000) == 10 * 10_000 * 4 * 512 + 50 * 1024 * 2 * 16 * 256
    oss = models["gpt-oss-120b"]
    assert oss.kv_values(8192) == (18 * 8192 + 18 * 128) * 2 * 8 * 64
    moe, dense = models["qwen3-30b-a3b"], models["qwen3-8b"]
    assert moe.kv_values(1) == 2 * 48 * 4 * 128 and dense.kv_values(1) == 2 * 36 * 8 * 128
    a = cap.capacity("llama-3.1-8b", "h100", "bf16", 1, 1000, 1000, cat=cat)
    b = cap.capacity("llama-3.1-8b", "h100", "fp8", 1, 1000, 1000, cat=cat)
    assert a.kv_gb_per_sequence == pytest.approx(2 * b.kv_gb_per_sequence)  # a 16-bit cache
    assert b.kv_gb_per_sequence == pytest.approx(2000 * 2 * 32 * 8 * 128 / 1e9)


def test_capacity_grows_with_the_gpus_but_by_less_than_their_number(cat: Catalogue) -> None:
    runs = {
        n: cap.capacity("llama-3.3-70b", "h100", "fp8", n, 1000, 1000, cat=cat) for n in (2, 4, 8)
    }
    assert all(r.fits for r in runs.values())
    for small, large in ((2, 4), (4, 8)):
        gain = runs[large].output_tokens_per_s / runs[small].output_tokens_per_s
        assert 1.2 < gain < 2.0
        assert runs[large].max_concurrency > 2 * runs[small].max_concurrency
    assert runs[8].prefill_ms < runs[2].prefill_ms / 2.5


def test_without_a_gpu_count_it_takes_the_gpus_the_model_needs(cat: Catalogue) -> None:
    """The fewest GPUs that hold the weights and the cache of 16 sequences at full length: one
    H100 holds a 70B model at FP8 with 27 sequences of 2,000 tokens, but only 4 of 11,000."""
    short = cap.capacity("llama-3.3-70b", "h100", "fp8", None, 1000, 1000, cat=cat)
    long = cap.capacity("llama-3.3-70b", "h100", "fp8", None, 10_000, 1000, cat=cat)
    assert (short.gpus, long.gpus) == (1, 2)
    assert (
        cap.capacity("llama-3.3-70b", "h100", "fp8", 1, 10_000, 1000, cat=cat).max_concurrency == 4
    )
    found = cap.capacity("llama-3.1-405b", "h100", "fp8", None, 1000, 1000, cat=cat)
    assert found.gpus == found.gpus_needed == 8 and found.fits
    assert cap.capacity("llama-3.1-405b", "h200", "fp8", None, 1000, 1000, cat=cat).gpus == 4


def test_a_precision_the_gpu_lacks_is_refused_and_int4_computes_at_16_bits(cat: Catalogue) -> None:
    with pytest.raises(CapacityError, match=r"A100 SXM 80 GB has no FP8 tensor cores.*bf16, int4"):
        cap.capacity("llama-3.1-8b", "a100_80gb", "fp8", 1, 100, 100, cat=cat)
    with pytest.raises(CapacityError, match="no FP4 tensor cores"):
        cap.capacity("llama-3.1-8b", "h100", "fp4", 1, 100, 100, cat=cat)
    assert cap.capacity("llama-3.1-8b", "l4", "fp8", 1, 100, 100, cat=cat).fits
    four_bit = cap.capacity("llama-3.1-8b", "a100_80gb", "int4", 1, 100, 100, cat=cat)
    assert four_bit.fits and four_bit.compute_precision == "bf16"
    assert four_bit.weights_gb == pytest.approx(8.03 * 0.53)
    assert (
        cap.capacity("llama-3.3-70b", "b200", "fp4", 1, 100, 100, cat=cat).compute_precision
        == "fp4"
    )


def test_the_cheap_end_serves_more_than_the_dear_end(cat: Catalogue) -> None:
    args = ("qwen3-30b-a3b", "h100", "fp8", 1, 2000, 500)
    cheap = cap.capacity(*args, cat=cat, bound="cheap")
    value = cap.capacity(*args, cat=cat)
    dear = cap.capacity(*args, cat=cat, bound="dear")
    assert cheap.output_tokens_per_s > value.output_tokens_per_s > dear.output_tokens_per_s
    assert cheap.prefill_ms < value.prefill_ms < dear.prefill_ms


def test_a_concurrency_beyond_memory_waits_for_a_slot(cat: Catalogue) -> None:
    full = cap.capacity("llama-3.3-70b", "h100", "fp8", 2, 5000, 500, cat=cat)
    beyond = cap.capacity(
        "llama-3.3-70b", "h100", "fp8", 2, 5000, 500, full.max_concurrency * 3, cat=cat
    )
    assert beyond.output_tokens_per_s == pytest.approx(full.output_tokens_per_s)
    assert beyond.ttft_ms is not None and full.ttft_ms is not None
    assert beyond.ttft_ms > 10 * full.ttft_ms
    assert any("wait for a slot" in n for n in beyond.notes)
    light = cap.capacity("llama-3.3-70b", "h100", "fp8", 2, 5000, 500, 4, cat=cat)
    assert light.tpot_ms is not None and full.tpot_ms is not None and light.tpot_ms < full.tpot_ms


def test_a_request_rate_beyond_capacity_has_no_steady_latency(cat: Catalogue) -> None:
    full = cap.capacity("llama-3.1-8b", "h100", "fp8", 1, 1000, 200, cat=cat)
    within = cap.capacity(
        "llama-3.1-8b", "h100", "fp8", 1, 1000, 200, cat=cat, request_rate=full.requests_per_s / 2
    )
    assert within.ttft_ms is not None and within.batch < full.batch
    over = cap.capacity(
        "llama-3.1-8b", "h100", "fp8", 1, 1000, 200, cat=cat, request_rate=full.requests_per_s * 2
    )
    assert over.ttft_ms is None and over.tpot_ms is None
    assert over.requests_per_s == pytest.approx(full.requests_per_s)


def test_bad_requests_are_refused(cat: Catalogue) -> None:
    with pytest.raises(CapacityError, match="input tokens"):
        cap.capacity("llama-3.1-8b", "h100", "fp8", 1, 0, 10, cat=cat)
    with pytest.raises(CapacityError, match="output tokens"):
        cap.capacity("llama-3.1-8b", "h100", "fp8", 1, 10, 2.5, cat=cat)  # type: ignore[arg-type]
    with pytest.raises(CapacityError, match="concurrency"):
        cap.capacity("llama-3.1-8b", "h100", "fp8", 1, 10, 10, 0, cat=cat)
    with pytest.raises(UnknownGpu, match=r"nearest: h200.*H100 SXM 80 GB"):
        cap.capacity("llama-3.1-8b", "h300", "fp8", 1, 10, 10, cat=cat)


def test_an_unknown_model_names_the_known_ones_and_the_nearest() -> None:
    with pytest.raises(UnknownModel) as caught:
        cap.architecture("llama-3.3-7b")
    message = str(caught.value)
    assert "nearest: llama-3.3-70b" in message
    assert all(model in message for model in cap.architectures())
    assert isinstance(caught.value, KeyError)


def test_a_bare_size_is_a_dense_model_estimated_from_those_on_file() -> None:
    made = cap.architecture("70b")
    assert made == cap.architecture("70") == cap.architecture(70.0) == cap.architecture("70B")
    assert made.estimated and "estimated" in made.note and made.experts is None
    assert made.total_params_b == made.active_params_b == 70.0
    assert (made.kv_heads, made.head_dim, made.attention) == (8, 128, "gqa")
    llama = cap.architectures()["llama-3.3-70b"]
    assert abs(made.layers - llama.layers) <= 12 and made.heads % 8 == 0
    assert cap.architecture(8).layers < made.layers < cap.architecture(405).layers
    assert not cap.architectures()["llama-3.3-70b"].estimated
    assert cap.architecture("Llama-3.3-70B") is llama
    with pytest.raises(UnknownModel):
        cap.architecture("-5b")


# --- the published points ---------------------------------------------------------------------

FIGURES = [(m, q) for m in measurements() for q in m.compared]


@pytest.mark.parametrize(("point", "figure"), FIGURES, ids=[f"{m.id} {q}" for m, q in FIGURES])
def test_every_published_point_is_predicted_within_35_percent(
    cat: Catalogue, point: Measurement, figure: str
) -> None:
    """Within 35% of the published figure, with the stored factors; a figure marked outside: in
    measurements.yaml is one the model is known to miss, for the reason given there, and must
    still be missed (so that the mark is removed when the model improves) by less than 60%."""
    predicted = predict(point, cap.factors(cat), cat)[figure]
    assert predicted is not None, "the model says this published deployment does not fit"
    ratio = predicted / point.published[figure]
    if figure in point.outside:
        assert not 0.65 <= ratio <= 1.35, f"now within 35%: drop its outside mark ({ratio:.2f})"
        assert 0.4 <= ratio <= 1.6, f"predicted {predicted:,.4g}: {ratio:.2f} of published"
    else:
        assert 0.65 <= ratio <= 1.35, (
            f"predicted {predicted:,.4g}, published {point.published[figure]:,.4g}: {ratio:.2f}"
        )


def test_few_figures_are_marked_outside() -> None:
    marked = [q for m in measurements() for q in m.outside]
    assert len(FIGURES) >= 350
    assert len(marked) <= len(FIGURES) // 40  # fewer than 2.5% of the figures


def test_the_points_cover_every_gpu_but_mi300x_and_dense_and_moe_models() -> None:
    points = measurements()
    assert {m.gpu for m in points} == {"h100", "h200", "b200", "a100_80gb", "l40s"}
    assert {m.precision for m in points} == set(PRECISIONS)
    models = cap.architectures()
    assert any(models[m.model].is_moe for m in points)
    assert any(models[m.model].attention == "mla" for m in points)
    assert any(models[m.model].sliding_layers for m in points)
    assert {m.load for m in points} == {"offline", "closed_loop", "poisson"}


def test_refitting_reproduces_the_stored_factors(cat: Catalogue, fitting: ModuleType) -> None:
    points = measurements()
    best = fitting.fit(points, cat)
    spans = fitting.ranges(best, points, cat)
    for name, key in FITTED.items():
        scale = 1e3 if name == "overhead_s" else 1.0
        stored = cat.figure(key)
        assert "fitted" in stored.source, key
        assert getattr(best, name) * scale == pytest.approx(stored.value, rel=0.01), key
        low, high = spans[name]
        assert low * scale == pytest.approx(stored.low, rel=0.01), key
        assert high * scale == pytest.approx(stored.high, rel=0.01), key


def test_the_table_in_docs_capacity_md_is_current(cat: Catalogue, fitting: ModuleType) -> None:
    text = DOC.read_text(encoding="utf-8")
    start, end = fitting.TABLE_START, fitting.TABLE_END
    assert start in text and end in text
    written = text[text.index(start) : text.index(end) + len(end)] + "\n"
    assert written == fitting.markdown(cap.factors(cat), cat), (
        "docs/capacity.md's table is stale: regenerate it with "
        "`.venv/bin/python bench/fit_capacity.py --docs`"
    )


# --- the data files ---------------------------------------------------------------------------


def test_every_capacity_figure_is_under_its_prefix_and_collides_with_no_other(
    cat: Catalogue,
) -> None:
    from advisor.costs.figures import built_in_sources, load_figures

    keys: dict[str, str] = {}
    for source in built_in_sources():
        for fig in load_figures(source):
            assert fig.key not in keys, f"{fig.key} in {source.name} and {keys[fig.key]}"
            keys[fig.key] = source.name
    own = {k for k, name in keys.items() if name == "capacity.yaml"}
    assert own and all(k.startswith("capacity.") for k in own)
    assert all(name == "capacity.yaml" for k, name in keys.items() if k.startswith("capacity."))
    read = {k for g in known_gpus(cat) for p in PRECISIONS for k in figure_keys(g, p)}
    assert {k for k in read if k.startswith("capacity.")} == own  # each is read, none missing
    for key in own:
        fig = cat.figure(key)
        assert fig.unit and fig.source and fig.low is not None and fig.high is not None, key


def test_every_gpu_of_the_datasheet_has_a_name() -> None:
    library = load_architectures()
    assert set(library.gpu_names) >= {"h100", "h200", "b200", "a100_80gb", "l40s", "l4", "mi300x"}
    assert cap.gpu_name("h200") == "H200 SXM 141 GB"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


MODEL = """\
    title: test
    gpus:
      h100: {name: H100 SXM 80 GB}
    models:
      tiny:
        name: Tiny
        family: test
        total_params_b: 1
        active_params_b: 1
        layers: 4
        heads: 8
        kv_heads: 8
        head_dim: 64
        attention: %s
        context: 4096
        released: "2025-01"
        source: a test
"""


def test_an_architecture_file_error_names_file_line_and_field(tmp_path: Path) -> None:
    good = _write(tmp_path, "good.yaml", MODEL % "mha")
    assert load_architectures(good).models["tiny"].kv_values(1) == 2 * 4 * 8 * 64
    bad = _write(tmp_path, "bad.yaml", (MODEL % "mha").replace("layers: 4", "layers: 0"))
    with pytest.raises(InputError) as caught:
        load_architectures(bad)
    assert str(caught.value) == (
        f"{bad}:10: models.tiny.layers: Input should be greater than or equal to 1"
    )
    latent = _write(tmp_path, "latent.yaml", MODEL % "mla")
    with pytest.raises(InputError) as caught:
        load_architectures(latent)
    assert str(caught.value) == (
        f"{latent}:5: models.tiny: mla needs kv_lora_rank and qk_rope_head_dim"
    )
    unknown = _write(tmp_path, "unknown.yaml", (MODEL % "gqa") + "        window: 4\n")
    with pytest.raises(InputError, match=rf"{re.escape(str(unknown))}:18: models.tiny.window"):
        load_architectures(unknown)


def test_a_measurement_file_error_names_file_line_and_field(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "points.yaml",
        """\
        title: test
        series:
          - id: test
            source: a test
            as_of: "2025-01"
            engine: none
            load: closed_loop
            runs:
              - model: llama-3.1-8b
                gpu: h100
                gpus: 1
                precision: fp8
                published_as: H100
                points:
                  - {input: 100, output: 100, output_tokens_per_s: 10}
              - model: llama-9
                gpu: h100
                gpus: 1
                precision: fp8
                published_as: H100
                points:
                  - {input: 100, output: 100, concurrency: 4, output_tokens_per_s: 10}
        """,
    )
    with pytest.raises(InputError) as caught:
        load_measurements(path)
    lines = str(caught.value).splitlines()
    assert (
        f"{path}:15: series.0.runs.0.points.0: a closed_loop point needs its concurrency" in lines
    )
    assert any(
        line.startswith(f"{path}:16: series.0.runs.1.model: no model 'llama-9'") for line in lines
    )


# --- sizing -----------------------------------------------------------------------------------


def _size(cat: Catalogue, **given: object) -> Sizing:
    args: dict[str, object] = {
        "peak_requests_per_s": 20.0,
        "average_requests_per_s": 8.0,
        "input_tokens": 1500,
        "output_tokens": 300,
        "latency_p95_ms": 20_000,
        "cat": cat,
        "hourly": _hourly,
    }
    args.update(given)
    return cap.size_deployment("llama-3.3-70b", **args)  # type: ignore[arg-type]


def test_sizing_picks_the_cheapest_and_a_runner_up_of_another_gpu_or_precision(
    cat: Catalogue,
) -> None:
    sized = _size(cat)
    best, runner = sized.best, sized.runner_up
    assert best is not None and runner is not None and sized.meets_latency and not sized.sentence
    meeting = [d for d in sized.candidates if d.meets_latency]
    assert best.usd_per_month == min(d.usd_per_month for d in meeting)
    others = [d for d in meeting if (d.gpu, d.precision) != (best.gpu, best.precision)]
    assert runner.usd_per_month == min(d.usd_per_month for d in others)
    assert (runner.gpu, runner.precision) != (best.gpu, best.precision)
    assert {d.gpu for d in sized.candidates} == set(PRICES)  # mi300x has no test price
    assert any("MI300X" in s and "price" in s for s in sized.skipped)
    assert any("A100" in s and "FP8" in s for s in sized.skipped)
    for d in sized.candidates:
        assert d.usd_per_month == pytest.approx(
            d.replicas * d.gpus_per_replica * d.hourly_usd * 730
        )
        assert d.hourly_usd == PRICES[d.gpu]
        assert (d.replicas >= 2 and d.p95_ms <= 20_000) or not d.meets_latency
        assert 0 < d.utilisation <= 8.0 / 20.0 + 1e-9


def test_sizing_carries_the_peak_by_littles_law(cat: Catalogue) -> None:
    best = _size(cat, peak_requests_per_s=200.0, average_requests_per_s=100.0).best
    assert best is not None and best.sized_for == "peak load"
    assert best.replicas * best.requests_per_s == pytest.approx(200.0)
    assert best.utilisation == pytest.approx(0.5)
    in_flight = best.replicas * best.concurrency
    mean_call_s = best.p95_ms / 1e3 / cat["latency.p95_over_median"]
    assert in_flight == pytest.approx(200.0 * mean_call_s, rel=0.02)


def test_sizing_honours_the_least_replicas(cat: Catalogue) -> None:
    tiny = _size(cat, peak_requests_per_s=0.01, average_requests_per_s=0.005)
    assert tiny.best is not None and tiny.best.replicas == cat["capacity.min_replicas"] == 2
    assert tiny.best.sized_for == "availability"
    three = _size(cat, peak_requests_per_s=0.01, average_requests_per_s=0.005, min_replicas=3)
    assert three.best is not None and three.best.replicas == 3


def test_a_call_costs_no_more_as_the_volume_grows(cat: Catalogue) -> None:
    costs = []
    for peak in (0.5, 5.0, 50.0, 500.0):
        best = _size(cat, peak_requests_per_s=peak, average_requests_per_s=peak / 2).best
        assert best is not None
        costs.append(best.usd_per_month / peak)
    # Once the peak sets the replicas a call costs the same at any volume (to rounding).
    assert all(later <= earlier * (1 + 1e-9) for earlier, later in itertools.pairwise(costs))


def test_sizing_says_when_no_option_meets_the_latency_budget(cat: Catalogue) -> None:
    sized = _size(cat, latency_p95_ms=50.0)
    assert not sized.meets_latency and sized.best is not None and not sized.best.meets_latency
    assert "no deployment meets the p95 budget of 50 ms" in sized.sentence
    assert sized.best.label in sized.sentence
    assert sized.best.p95_ms == min(d.p95_ms for d in sized.candidates)
    assert sized.best.p95_ms > 50.0


def test_a_tighter_budget_costs_more(cat: Catalogue) -> None:
    loose = _size(cat, latency_p95_ms=60_000, gpus=["h100"], precisions=["fp8"]).best
    tight = _size(cat, latency_p95_ms=8_000, gpus=["h100"], precisions=["fp8"]).best
    assert loose is not None and tight is not None and tight.meets_latency
    assert tight.usd_per_month > loose.usd_per_month
    assert tight.p95_ms <= 8_000 < loose.p95_ms


def test_sizing_refuses_bad_loads(cat: Catalogue) -> None:
    with pytest.raises(CapacityError, match="above the peak"):
        _size(cat, peak_requests_per_s=1.0, average_requests_per_s=2.0)
    with pytest.raises(CapacityError, match="latency budget"):
        _size(cat, latency_p95_ms=0)
    with pytest.raises(CapacityError, match="no precision 'fp16'"):
        _size(cat, precisions=["fp16"])
    nothing = cap.size_deployment(
        "llama-3.1-405b",
        peak_requests_per_s=1.0,
        average_requests_per_s=1.0,
        input_tokens=100,
        output_tokens=100,
        latency_p95_ms=None,
        cat=cat,
        hourly=_hourly,
        gpus=["l4"],
        precisions=["bf16"],
    )
    assert nothing.best is None and not nothing.meets_latency and "no GPU" in nothing.sentence


# --- the command ------------------------------------------------------------------------------


def test_the_command_prints_json_for_the_whole_deployment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_PLUGINS", "")
    args = [
        "llama-3.3-70b",
        "--gpu",
        "H200",
        "--precision",
        "fp8",
        "--input",
        "1000",
        "--output",
        "1000",
    ]
    one = _run(*args, "--gpus", "1", "--format", "json")
    two = _run(*args, "--gpus", "2", "--format", "json")
    assert one.exit_code == 0 and two.exit_code == 0, (one.output, two.output)
    a, b = json.loads(one.stdout), json.loads(two.stdout)
    for key in (
        "input_tokens_per_s",
        "output_tokens_per_s",
        "ttft_ms",
        "tpot_ms",
        "gpus_needed",
        "fits",
    ):
        assert key in a
    assert a["fits"] and a["gpus"] == 1 and a["gpus_needed"] == 1 and b["gpus"] == 2
    assert 1.2 < b["output_tokens_per_s"] / a["output_tokens_per_s"] < 2.0
    assert a["gpu_name"] == "H200 SXM 141 GB" and a["model_name"] == "Llama 3.3 70B Instruct"
    expected = cap.capacity("llama-3.3-70b", "h200", "fp8", 2, 1000, 1000, cat=_catalogue())
    assert b["output_tokens_per_s"] == pytest.approx(expected.output_tokens_per_s)


def _catalogue() -> Catalogue:
    from advisor import build_registry

    return build_registry().catalogue


def test_the_command_speaks_in_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_PLUGINS", "")
    result = _run(
        "llama-3.3-70b",
        "--gpu",
        "h200",
        "--precision",
        "FP8",
        "--input",
        "1000",
        "--output",
        "1000",
        "--gpus",
        "2",
        "--concurrency",
        "64",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Llama 3.3 70B Instruct on 2 x H200 SXM 141 GB at FP8")
    assert "At 64 requests in flight" in result.stdout and "output tokens" in result.stdout
    assert "h200" not in result.stdout


@pytest.mark.parametrize("written", ["A100-80GB", "a100_80gb", "A100 SXM 80 GB", "a100"])
def test_gpu_names_are_taken_in_any_case(monkeypatch: pytest.MonkeyPatch, written: str) -> None:
    monkeypatch.setenv("ADVISOR_PLUGINS", "")
    result = _run(
        "llama-3.1-8b",
        "--gpu",
        written,
        "--precision",
        "bf16",
        "--input",
        "100",
        "--output",
        "100",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["gpu"] == "a100_80gb"


def test_without_gpus_the_command_uses_what_the_model_needs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ADVISOR_PLUGINS", "")
    result = _run(
        "llama-3.1-405b",
        "--gpu",
        "h100",
        "--precision",
        "fp8",
        "--input",
        "1000",
        "--output",
        "1000",
        "--format",
        "json",
    )
    found = json.loads(result.stdout)
    assert found["gpus"] == found["gpus_needed"] == 8 and found["fits"]


def test_a_bare_size_says_it_is_estimated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_PLUGINS", "")
    text = _run("70b", "--gpu", "h100", "--precision", "fp8", "--input", "500", "--output", "200")
    assert text.exit_code == 0, text.output
    assert "70B dense model (estimated as dense)" in text.stdout and "estimated" in text.stdout
    data = json.loads(
        _run(
            "70",
            "--gpu",
            "h100",
            "--precision",
            "fp8",
            "--input",
            "500",
            "--output",
            "200",
            "--format",
            "json",
        ).stdout
    )
    assert data["estimated"] is True and "estimated" in data["notes"][0]


def test_a_model_that_does_not_fit_says_what_it_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_PLUGINS", "")
    result = _run(
        "llama-3.3-70b",
        "--gpu",
        "h100",
        "--precision",
        "bf16",
        "--input",
        "1000",
        "--output",
        "1000",
        "--gpus",
        "1",
    )
    assert result.exit_code == 0, result.output
    assert "Does not fit" in result.stdout and "need 2 GPUs" in result.stdout


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["llama-9", "--gpu", "h100", "--precision", "fp8"], "MODEL: no model 'llama-9'"),
        (["llama-3.1-8b", "--gpu", "h300", "--precision", "fp8"], "--gpu: no GPU 'h300'"),
        (
            ["llama-3.1-8b", "--gpu", "a100_80gb", "--precision", "fp8"],
            "--precision: the A100 SXM 80 GB has no FP8",
        ),
        (
            ["llama-3.1-8b", "--gpu", "h100", "--precision", "fp16"],
            "--precision: no precision 'fp16'; known: bf16, fp8, int4, fp4",
        ),
        (
            ["llama-3.1-8b", "--gpu", "h100", "--precision", "fp8", "--gpus", "0"],
            "--gpus: at least 1",
        ),
    ],
    ids=["model", "gpu", "precision the gpu lacks", "unknown precision", "gpus"],
)
def test_bad_input_is_one_line_and_exit_code_2(
    monkeypatch: pytest.MonkeyPatch, args: list[str], says: str
) -> None:
    monkeypatch.setenv("ADVISOR_PLUGINS", "")
    result = _run(*args, "--input", "100", "--output", "100")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert says in result.stderr


@pytest.mark.parametrize("option", ["--input", "--output"])
def test_non_positive_tokens_are_refused(monkeypatch: pytest.MonkeyPatch, option: str) -> None:
    monkeypatch.setenv("ADVISOR_PLUGINS", "")
    args = {"--input": "100", "--output": "100", option: "0"}
    result = _run(
        "llama-3.1-8b",
        "--gpu",
        "h100",
        "--precision",
        "fp8",
        *[x for kv in args.items() for x in kv],
    )
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"{option}: a whole number of tokens, at least 1, not 0" in result.stderr


def test_set_changes_a_figure_for_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_PLUGINS", "")
    args = [
        "llama-3.1-8b",
        "--gpu",
        "h100",
        "--precision",
        "fp8",
        "--input",
        "1000",
        "--output",
        "1000",
        "--format",
        "json",
    ]
    plain = json.loads(_run(*args).stdout)
    slower = json.loads(_run(*args, "--set", "capacity.decode_bandwidth_efficiency=0.3").stdout)
    assert slower["output_tokens_per_s"] < 0.7 * plain["output_tokens_per_s"]
    unknown = _run(*args, "--set", "capacity.no_such_figure=1")
    assert unknown.exit_code == 2 and "no figure 'capacity.no_such_figure'" in unknown.stderr


def test_the_command_does_not_import_textual(monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from advisor.cli import main; "
        "from click.testing import CliRunner; "
        "r = CliRunner().invoke(main, ['capacity', 'llama-3.1-8b', '--gpu', 'h100', "
        "'--precision', 'fp8', '--input', '10', '--output', '10']); "
        "assert r.exit_code == 0, r.output; "
        "print(any(m == 'textual' or m.startswith('textual.') for m in sys.modules))"
    )
    env = {"ADVISOR_PLUGINS": "", "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == "False"


def test_math_is_finite_for_every_model_on_every_gpu(cat: Catalogue) -> None:
    for model in cap.architectures().values():
        for gpu in known_gpus(cat).values():
            for precision in gpu.precisions:
                found = cap.capacity(model, gpu.id, precision, 8, 2000, 500, cat=cat)
                for value in (found.output_tokens_per_s, found.prefill_ms, found.weights_gb):
                    assert math.isfinite(value) and value >= 0, (model.id, gpu.id, precision)
