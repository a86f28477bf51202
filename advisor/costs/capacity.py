"""How much a deployment of GPUs serves: tokens a second, time to first token and time per output
token for one model at one precision, worked out from the hardware and the model's shape, and the
cheapest deployment that carries a load within a latency budget.

The model in words (docs/capacity.md has the equations and the published measurements it is
calibrated to):

- Memory holds the weights (every parameter, at the bytes a parameter takes at that precision) and
  the KV cache of each live sequence, reserved for all its input + output tokens; the cache gets a
  share of what the weights leave. That room, divided by one sequence's cache, is the largest batch.
- The cache per token follows the attention: grouped-query and multi-head attention keep a key and a
  value per KV head and layer, multi-head latent attention one compressed latent and one rotary key
  per layer, and a sliding-window layer never more than its window. Experts do not change it.
- Prefill (reading the prompt) is bound by compute: 2 x active parameters FLOPs a token, plus the
  attention over the tokens before it, at the tensor throughput the precision delivers (a lower
  precision gives less than its datasheet speed-up) times an efficiency.
- Each decode step makes one token for every sequence in the batch. It reads the weights (for a
  mixture of experts, the experts the batch touches, more as the batch grows) and the cache of every
  live sequence, and it computes; the step takes the two one after the other. At the batches memory
  allows, reading dominates: decode is bound by bandwidth.
- Routed experts run as many small matrix products: slower the smaller the experts, and at BF16's
  rate whatever the precision of their weights.
- One request takes its prefill plus its share of the decode steps; the deployment serves one
  request in that time. Time per output token is one step plus the prefills of the other requests
  that interrupt it; time to first token is the request's time outside the GPUs, the step it
  arrives during, its prefill, and the wait behind other prefills.
- Tensor parallelism over N GPUs pools their memory, bandwidth and compute, less an efficiency per
  doubling of N for the communication between them.
- Sizing tries every GPU, precision and GPUs a replica, runs each replica at the largest batch
  whose 95th-percentile call time fits the budget, and counts replicas (and fractions of one, at
  least two) for the peak: the cheapest wins.

The efficiencies are fitted to published measurements (bench/fit_capacity.py); every constant is a
catalogue figure under ``capacity.`` (advisor/costs/data/capacity.yaml), so ``--set`` changes it.
"""

from __future__ import annotations

import difflib
import functools
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from advisor.core.base import yamlio
from advisor.errors import InputError, Problem

if TYPE_CHECKING:
    from advisor.costs.catalogue import Catalogue

HOURS_PER_MONTH = 730.0  # 8,760 hours a year / 12, as the bills count
GPU_COUNTS = (1, 2, 4, 8)  # GPUs per replica the sizing tries: one server's tensor-parallel groups
LARGEST_COUNT = 64  # the most GPUs gpus_needed looks at before saying that none would do
ESTIMATE_KV_HEADS = 8  # the dense models on file all use 8 KV heads of 128, but Gemma
ESTIMATE_HEAD_DIM = 128


@dataclass(frozen=True, slots=True)
class Precision:
    """A way to serve the weights: what one parameter takes in memory is the figure
    ``capacity.bytes_per_param.<id>``; ``compute`` is the tensor-core precision the GPU multiplies
    at (its ``gpu.<g>.dense_tflops.<compute>``); the KV cache takes ``capacity.kv_bytes_per_value``."""

    id: str
    label: str
    compute: str
    description: str


PRECISIONS: dict[str, Precision] = {
    "bf16": Precision("bf16", "BF16", "bf16", "16-bit weights and compute"),
    "fp8": Precision("fp8", "FP8", "fp8", "8-bit floating-point weights and compute"),
    "int4": Precision(
        "int4", "INT4", "bf16", "4-bit weights (AWQ, GPTQ, MXFP4 on Hopper) with 16-bit compute"
    ),
    "fp4": Precision("fp4", "FP4", "fp4", "4-bit floating-point weights and compute (NVFP4)"),
}


class UnknownModel(KeyError):
    """A model id that is not on file (and not a bare size)."""

    def __str__(self) -> str:
        return str(self.args[0])


class UnknownGpu(KeyError):
    """A GPU the catalogue has no datasheet for."""

    def __str__(self) -> str:
        return str(self.args[0])


class CapacityError(ValueError):
    """A request the model cannot answer: a precision the GPU lacks, tokens below one."""


# --- the architecture file --------------------------------------------------------------------


class _ModelEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    family: str = Field(min_length=1)
    total_params_b: float = Field(gt=0)
    active_params_b: float = Field(gt=0)
    layers: int = Field(ge=1)
    heads: int = Field(ge=1)
    kv_heads: int = Field(ge=1)
    head_dim: int = Field(ge=1)
    attention: Literal["gqa", "mha", "mla"]
    sliding_window: int | None = Field(default=None, ge=1)
    sliding_layers: int = Field(default=0, ge=0)
    global_kv_heads: int | None = Field(default=None, ge=1)
    global_head_dim: int | None = Field(default=None, ge=1)
    global_k_is_v: bool = False
    kv_lora_rank: int | None = Field(default=None, ge=1)
    qk_rope_head_dim: int | None = Field(default=None, ge=1)
    experts: int | None = Field(default=None, ge=2)
    experts_per_token: int | None = Field(default=None, ge=1)
    moe_layers: int | None = Field(default=None, ge=1)
    context: int = Field(ge=1)
    released: str = Field(pattern=r"^\d{4}-\d{2}$")
    source: str = Field(min_length=1)
    note: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> _ModelEntry:
        if self.active_params_b > self.total_params_b:
            raise ValueError("active_params_b cannot exceed total_params_b")
        if (self.experts is None) != (self.experts_per_token is None):
            raise ValueError("give experts and experts_per_token together, or neither")
        if self.experts is None and self.active_params_b != self.total_params_b:
            raise ValueError("a dense model (no experts) uses all its parameters: active = total")
        if self.moe_layers is not None and (self.experts is None or self.moe_layers > self.layers):
            raise ValueError("moe_layers belongs to a mixture of experts and is at most layers")
        if self.experts is not None and self.experts_per_token is not None:
            if self.experts_per_token >= self.experts:
                raise ValueError("experts_per_token must be fewer than experts")
            if self.active_params_b >= self.total_params_b:
                raise ValueError("a mixture of experts activates fewer parameters than it holds")
        if self.kv_heads > self.heads:
            raise ValueError("kv_heads cannot exceed heads")
        if self.attention == "mha" and self.kv_heads != self.heads:
            raise ValueError("mha has as many KV heads as heads; use gqa for fewer")
        if self.attention == "mla" and (self.kv_lora_rank is None or self.qk_rope_head_dim is None):
            raise ValueError("mla needs kv_lora_rank and qk_rope_head_dim")
        if self.attention != "mla" and (
            self.kv_lora_rank is not None or self.qk_rope_head_dim is not None
        ):
            raise ValueError("kv_lora_rank and qk_rope_head_dim belong to mla attention")
        if self.sliding_layers > self.layers:
            raise ValueError("sliding_layers cannot exceed layers")
        if (self.sliding_window is None) != (self.sliding_layers == 0):
            raise ValueError("give sliding_window with a number of sliding_layers above 0")
        if (self.global_kv_heads is None) != (self.global_head_dim is None):
            raise ValueError("give global_kv_heads and global_head_dim together, or neither")
        return self


class _GpuEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)


class _ArchitectureFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1)
    gpus: dict[str, _GpuEntry]
    models: dict[str, _ModelEntry]

    @field_validator("models")
    @classmethod
    def _ids(cls, value: dict[str, _ModelEntry]) -> dict[str, _ModelEntry]:
        import re

        bad = [k for k in value if not re.match(r"^[a-z0-9]+([.-][a-z0-9]+)*$", k)]
        if bad:
            raise ValueError(
                f"model ids are lower-case words joined by - or ., not {', '.join(bad)}"
            )
        return value


@dataclass(frozen=True, slots=True)
class Architecture:
    """The shape of a model that sets what serving it costs (advisor/costs/data/architectures.yaml
    says what each field means). ``estimated`` marks a dense model made up from a bare size."""

    id: str
    name: str
    family: str
    total_params_b: float
    active_params_b: float
    layers: int
    heads: int
    kv_heads: int
    head_dim: int
    attention: str
    sliding_window: int | None = None
    sliding_layers: int = 0
    global_kv_heads: int | None = None
    global_head_dim: int | None = None
    global_k_is_v: bool = False
    kv_lora_rank: int | None = None
    qk_rope_head_dim: int | None = None
    experts: int | None = None
    experts_per_token: int | None = None
    moe_layers: int | None = None
    context: int = 131072
    released: str = ""
    source: str = ""
    note: str = ""
    estimated: bool = False

    @property
    def is_moe(self) -> bool:
        return self.experts is not None

    @property
    def global_layers(self) -> int:
        return self.layers - self.sliding_layers

    @property
    def kv_values_sliding(self) -> int:
        """Values cached per token in one sliding-window layer (or any layer, without globals)."""
        if self.attention == "mla":
            return (self.kv_lora_rank or 0) + (self.qk_rope_head_dim or 0)
        return 2 * self.kv_heads * self.head_dim

    @property
    def kv_values_global(self) -> int:
        """Values cached per token in one full-attention layer."""
        if self.global_kv_heads is not None and self.global_head_dim is not None:
            return (1 if self.global_k_is_v else 2) * self.global_kv_heads * self.global_head_dim
        return self.kv_values_sliding

    def kv_values(self, tokens: float) -> float:
        """Values the cache holds for one sequence of ``tokens``: every full-attention layer holds
        them all, a sliding-window layer at most its window."""
        window = min(tokens, self.sliding_window) if self.sliding_window else 0.0
        return (
            self.global_layers * tokens * self.kv_values_global
            + self.sliding_layers * window * self.kv_values_sliding
        )

    def attention_flops(self, context: float) -> float:
        """FLOPs of attention for one new token over ``context`` earlier ones, as decoding does
        it: scores and weighted values, 2 x 2 x heads x head_dim a layer and earlier token (at most
        the window in a sliding layer). Latent attention multiplies each head's query and output
        with the cached latent itself (the absorbed form engines decode with): 2 x heads x (2 x
        kv_lora_rank + qk_rope_head_dim) a layer and earlier token."""
        if self.attention == "mla":
            per_pair = (
                2.0 * self.heads * (2 * (self.kv_lora_rank or 0) + (self.qk_rope_head_dim or 0))
            )
            return per_pair * self.layers * context
        window = min(context, self.sliding_window) if self.sliding_window else 0.0
        per_pair = 4.0 * self.heads * self.head_dim
        return per_pair * (self.global_layers * context + self.sliding_layers * window)

    def prefill_attention_flops(self, tokens: float) -> float:
        """Attention FLOPs of a whole prompt: each token attends to those before it (causal), so
        the sum over the prompt is half the square of its length (a window caps it)."""
        per_pair = 4.0 * self.heads * self.head_dim
        full = tokens * tokens / 2
        if self.sliding_window and tokens > self.sliding_window:
            w = self.sliding_window
            windowed = w * w / 2 + (tokens - w) * w
        else:
            windowed = full
        return per_pair * (self.global_layers * full + self.sliding_layers * windowed)

    @property
    def expert_params_b(self) -> float:
        """Billions of parameters in one routed expert, over all its layers: what a token does not
        use is (experts - experts_per_token) of them."""
        if self.experts is None or self.experts_per_token is None:
            return 0.0
        return (self.total_params_b - self.active_params_b) / (
            self.experts - self.experts_per_token
        )

    @property
    def shared_params_b(self) -> float:
        """Billions of parameters every token uses: attention, embeddings, dense layers, shared
        experts (for a dense model, all of them)."""
        if self.experts_per_token is None:
            return self.total_params_b
        return self.active_params_b - self.experts_per_token * self.expert_params_b

    @property
    def expert_layer_params(self) -> float:
        """Parameters of one routed expert in one layer: how large the matrix products that
        expert runs are (what sets how efficiently a GPU runs them)."""
        return self.expert_params_b * 1e9 / (self.moe_layers or self.layers)

    def params_read_b(self, batch: float) -> float:
        """Billions of parameters one decode step reads for ``batch`` sequences: the shared ones,
        and each routed expert that at least one token picks, expected over random picks:
        experts x (1 - (1 - per_token / experts) ^ batch). Never more than the total."""
        if self.experts is None or self.experts_per_token is None:
            return self.total_params_b
        untouched = (1.0 - self.experts_per_token / self.experts) ** max(batch, 1.0)
        return self.shared_params_b + self.experts * self.expert_params_b * (1.0 - untouched)


@dataclass(frozen=True, slots=True)
class _Library:
    models: dict[str, Architecture]
    gpu_names: dict[str, str]
    gpu_aliases: dict[str, str]  # a lower-case alias or name -> the GPU id


ARCHITECTURES_FILE = "architectures.yaml"
MEASUREMENTS_FILE = "measurements.yaml"


def load_architectures(source: Path | Any | None = None) -> _Library:
    """The models and GPU names of an architecture file (the built-in one by default); a malformed
    file fails with an InputError naming file, line and field."""
    source = source or files("advisor.costs") / "data" / ARCHITECTURES_FILE
    parsed: _ArchitectureFile = yamlio.validated(
        _ArchitectureFile, source.read_text(encoding="utf-8"), str(source)
    )
    models = {
        key: Architecture(id=key, **entry.model_dump()) for key, entry in parsed.models.items()
    }
    names = {key: entry.name for key, entry in parsed.gpus.items()}
    aliases: dict[str, str] = {}
    for key, entry in parsed.gpus.items():
        for alias in (key, entry.name, *entry.aliases):
            aliases[_gpu_text(alias)] = key
    return _Library(models, names, aliases)


@cache
def _library() -> _Library:
    return load_architectures()


def architectures() -> dict[str, Architecture]:
    """Every model on file, by id (read once)."""
    return _library().models


def gpu_name(gpu: str) -> str:
    """A GPU's name for people ("H100 SXM 80 GB"); its id in capitals when the file has none."""
    return _library().gpu_names.get(gpu, gpu.upper())


def _gpu_text(text: str) -> str:
    return " ".join(text.lower().replace("_", " ").replace("-", " ").split())


def architecture(model: str | float) -> Architecture:
    """A model by id ("llama-3.3-70b", any case), or a dense model estimated from a bare size in
    billions of parameters ("70b", "70", 70.0)."""
    if isinstance(model, int | float) and not isinstance(model, bool):
        return estimated_architecture(float(model))
    text = str(model).strip()
    known = architectures()
    found = known.get(text) or known.get(text.lower())
    if found is not None:
        return found
    size = _bare_size(text)
    if size is not None:
        return estimated_architecture(size)
    near = difflib.get_close_matches(text.lower(), list(known), n=1, cutoff=0.0)
    hint = f" (nearest: {near[0]})" if near else ""
    raise UnknownModel(
        f"no model {text!r} on file{hint}; known: {', '.join(sorted(known))}, "
        "or a size in billions of parameters such as 70b"
    )


def _bare_size(text: str) -> float | None:
    body = text.lower().removesuffix("b").strip()
    try:
        size = float(body)
    except ValueError:
        return None
    return size if math.isfinite(size) and size > 0 else None


@cache
def _depth_rule() -> tuple[float, float]:
    """log(layers) = a + b log(billions of parameters), by least squares over the dense models on
    file with grouped-query attention and no sliding window (one row per distinct shape)."""
    rows = {
        (m.total_params_b, m.layers)
        for m in architectures().values()
        if not m.is_moe and m.attention == "gqa" and not m.sliding_layers
    }
    xs = [math.log(p) for p, _ in rows]
    ys = [math.log(n) for _, n in rows]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )
    return my - slope * mx, slope


@functools.lru_cache(maxsize=256)
def estimated_architecture(size_b: float) -> Architecture:
    """A dense model of ``size_b`` billion parameters shaped like the dense models on file:
    layers from their size-to-depth fit, 8 KV heads of 128, and as many query heads of 128 (a
    multiple of 8) as a width w with parameters = 12 x layers x w^2 (the attention and
    feed-forward weights of a Llama-like block) gives."""
    if not (math.isfinite(size_b) and size_b > 0):
        raise CapacityError(f"a model size is a number of billions above 0, not {size_b:g}")
    a, b = _depth_rule()
    layers = max(1, round(math.exp(a + b * math.log(size_b))))
    width = math.sqrt(size_b * 1e9 / (12 * layers))
    groups = max(1, round(width / ESTIMATE_HEAD_DIM / ESTIMATE_KV_HEADS))
    heads = groups * ESTIMATE_KV_HEADS  # query heads come in groups sharing a KV head
    return Architecture(
        id=f"{size_b:g}b",
        name=f"{size_b:g}B dense model",
        family="estimated",
        total_params_b=size_b,
        active_params_b=size_b,
        layers=layers,
        heads=heads,
        kv_heads=ESTIMATE_KV_HEADS,
        head_dim=ESTIMATE_HEAD_DIM,
        attention="gqa",
        estimated=True,
        source="estimated from the dense models in advisor/costs/data/architectures.yaml",
        note=(
            f"no architecture on file for a model of {size_b:g}B parameters: estimated as a dense model with "
            f"grouped-query attention, {layers} layers (the depth the dense models on file have "
            f"at that size), {ESTIMATE_KV_HEADS} KV heads of {ESTIMATE_HEAD_DIM} and "
            f"{heads} query heads"
        ),
    )


# --- figures and GPUs ------------------------------------------------------------------------

EXPERT_REFERENCE_PARAMS = 50e6  # capacity.expert_compute_efficiency is for experts of this size


@dataclass(frozen=True, slots=True)
class Factors:
    """The capacity figures at one end of their ranges, as the arithmetic reads them."""

    prefill: float  # share of the tensor throughput prefill reaches
    bandwidth: float  # share of the memory bandwidth a decode step reaches
    compute: float  # share of the tensor throughput a decode step's dense layers reach
    experts: float  # ... its routed experts reach, for experts of 50M parameters a layer
    expert_size_exponent: float  # expert efficiency grows as (expert size / 50M) ^ this
    expert_prefill: float  # routed experts in prefill run this many times more efficiently
    precision_speedup: float  # a precision rated k x BF16 delivers k ^ this
    int4_compute: float  # 4-bit weights multiply at this share of BF16 (dequantising)
    tensor_parallel: float  # what each doubling of the GPUs keeps of the sum of their speeds
    overhead_s: float  # a request's time outside the GPUs: network, tokenising, scheduling
    cache_share: float  # share of the memory the weights leave that holds the cache
    max_batch: float  # the most sequences an engine runs at once in a replica
    min_batch: float  # the fewest sequences a deployment must hold to be worth sizing
    p95_over_median: float
    bytes_per_param: Mapping[str, float]
    kv_bytes: Mapping[str, float]
    min_replicas: float

    def replace(self, **values: float) -> Factors:
        """A copy with some factors changed (how the fitting script tries values)."""
        from dataclasses import replace

        return replace(self, **values)  # type: ignore[arg-type]  # floats for float fields


# The fitted factors: attribute of Factors -> catalogue key. More of each (but the request
# overhead) is more throughput.
FITTED = {
    "prefill": "capacity.prefill_efficiency",
    "bandwidth": "capacity.decode_bandwidth_efficiency",
    "compute": "capacity.decode_compute_efficiency",
    "experts": "capacity.expert_compute_efficiency",
    "expert_size_exponent": "capacity.expert_size_exponent",
    "expert_prefill": "capacity.expert_prefill_gain",
    "precision_speedup": "capacity.precision_speedup_exponent",
    "int4_compute": "capacity.int4_compute_efficiency",
    "tensor_parallel": "capacity.tensor_parallel_efficiency",
    "overhead_s": "capacity.request_overhead_ms",
}
FIXED_KEYS = (
    "capacity.cache_share",
    "capacity.max_batch",
    "capacity.min_batch",
    "latency.p95_over_median",
    "capacity.min_replicas",
)
# Which end of a fitted factor's range gives more throughput: the high end, but for the request
# overhead. (The expert size exponent is read at its value: which way it moves a model depends on
# whether its experts are larger or smaller than the reference.)
_MORE_IS_CHEAPER = {name: name != "overhead_s" for name in FITTED}


def factors(cat: Catalogue, bound: str | None = None) -> Factors:
    """The capacity figures, at the end of each range ``bound`` names ("cheap": the end that gives
    more throughput and shorter times, "dear": the other, None: the values); read once per
    catalogue and bound."""
    return cat.memo(("capacity factors", bound), lambda: _read_factors(cat, bound))


def _read_factors(cat: Catalogue, bound: str | None) -> Factors:
    def at(key: str, more_is_cheaper: bool) -> float:
        return cat.at(key, bound, dearer_when_higher=not more_is_cheaper)

    fitted = {name: at(key, _MORE_IS_CHEAPER[name]) for name, key in FITTED.items()}
    if bound is not None:  # the exponent's range is not an optimistic or pessimistic end
        fitted["expert_size_exponent"] = cat[FITTED["expert_size_exponent"]]
    return Factors(
        prefill=fitted["prefill"],
        bandwidth=fitted["bandwidth"],
        compute=fitted["compute"],
        experts=fitted["experts"],
        expert_size_exponent=fitted["expert_size_exponent"],
        expert_prefill=fitted["expert_prefill"],
        precision_speedup=fitted["precision_speedup"],
        int4_compute=fitted["int4_compute"],
        tensor_parallel=fitted["tensor_parallel"],
        overhead_s=fitted["overhead_s"] / 1e3,
        cache_share=at("capacity.cache_share", True),
        max_batch=at("capacity.max_batch", True),
        min_batch=at("capacity.min_batch", False),
        p95_over_median=at("latency.p95_over_median", False),
        bytes_per_param={p: at(f"capacity.bytes_per_param.{p}", False) for p in PRECISIONS},
        kv_bytes={p: at(f"capacity.kv_bytes_per_value.{p}", False) for p in PRECISIONS},
        min_replicas=cat["capacity.min_replicas"],
    )


@dataclass(frozen=True, slots=True)
class Gpu:
    """One GPU's datasheet, from the catalogue's ``gpu.<id>.*`` figures (at their values: a
    datasheet's range, such as B200's 180 to 192 GB, is what different boards ship)."""

    id: str
    name: str
    memory_gb: float
    memory_tb_per_s: float
    tflops: Mapping[str, float]  # dense tensor TFLOPS by compute precision

    def can(self, precision: str) -> bool:
        return PRECISIONS[precision].compute in self.tflops

    @property
    def precisions(self) -> tuple[str, ...]:
        return tuple(p for p in PRECISIONS if self.can(p))


def gpus(cat: Catalogue) -> dict[str, Gpu]:
    """Every GPU the catalogue has a memory size and bandwidth for."""
    return cat.memo(("capacity gpus",), lambda: _read_gpus(cat))


known_gpus = gpus  # the same, for where a parameter called gpus hides the function


def _read_gpus(cat: Catalogue) -> dict[str, Gpu]:
    out = {}
    computes = sorted({pr.compute for pr in PRECISIONS.values()})
    for key in cat.under("gpu"):
        parts = key.split(".")
        if len(parts) != 3 or parts[2] != "memory_gb":
            continue
        g = parts[1]
        if f"gpu.{g}.memory_tb_per_s" not in cat.figures:
            continue
        tflops = {
            p: cat[f"gpu.{g}.dense_tflops.{p}"]
            for p in computes
            if f"gpu.{g}.dense_tflops.{p}" in cat.figures
        }
        out[g] = Gpu(g, gpu_name(g), cat[key], cat[f"gpu.{g}.memory_tb_per_s"], tflops)
    return out


def find_gpu(text: str, cat: Catalogue) -> Gpu:
    """A GPU by id, name or alias, in any case ("H200", "a100-80gb", "A100 SXM 80 GB")."""
    known = known_gpus(cat)
    if text in known:
        return known[text]
    plain = _gpu_text(text)
    key = _library().gpu_aliases.get(plain, plain.replace(" ", "_"))
    if key in known:
        return known[key]
    near = difflib.get_close_matches(plain.replace(" ", "_"), list(known), n=1, cutoff=0.0)
    hint = f" (nearest: {near[0]})" if near else ""
    listing = ", ".join(f"{g.id} ({g.name})" for g in known.values())
    raise UnknownGpu(f"no GPU {text!r} in the catalogue{hint}; known: {listing}")


def check_precision(gpu: Gpu, precision: str) -> Precision:
    """The precision, if the GPU has tensor cores for its compute. A precision it lacks (FP8 on an
    A100, FP4 before Blackwell) is refused with a CapacityError saying what it can do: engines
    that run such weights anyway convert them to a precision the GPU has, which is that
    precision's bill, not this one's."""
    found = PRECISIONS.get(precision)
    if found is None:
        raise CapacityError(f"no precision {precision!r}; known: {', '.join(PRECISIONS)}")
    if not gpu.can(precision):
        raise CapacityError(
            f"the {gpu.name} has no {found.compute.upper()} tensor cores, so it cannot serve "
            f"{found.label}; it serves {', '.join(gpu.precisions)}"
        )
    return found


# --- the arithmetic of one replica -----------------------------------------------------------


def _rate(gpu: Gpu, compute: str, f: Factors) -> float:
    """FLOPs a second the GPU's tensor cores deliver at ``compute``, before efficiencies: BF16's
    datasheet rate times (the datasheet speed-up of ``compute`` over BF16) ^ the fitted exponent;
    lower precisions do not deliver their full datasheet speed-up."""
    bf16 = gpu.tflops["bf16"] * 1e12
    return bf16 * (gpu.tflops[compute] * 1e12 / bf16) ** f.precision_speedup


class _Replica:
    """The constants of one model on N GPUs at one precision for one shape of request, and the
    times that follow from them. Every time is in seconds, every size in bytes."""

    __slots__ = (
        "arch",
        "b_max",
        "b_mem",
        "bandwidth",
        "input",
        "kv_read",
        "kv_sequence",
        "output",
        "overhead",
        "param_bytes",
        "per_token",
        "prefill",
        "weights",
    )

    def __init__(
        self,
        arch: Architecture,
        gpu: Gpu,
        precision: str,
        count: int,
        input_tokens: float,
        output_tokens: float,
        f: Factors,
    ) -> None:
        scale = count * f.tensor_parallel ** math.log2(count)
        if precision == "int4":
            scale *= f.int4_compute
        linear = _rate(gpu, PRECISIONS[precision].compute, f)
        kv_value = f.kv_bytes[precision]
        # Attention multiplies queries with the cached keys and values: at the cache's precision.
        attention = _rate(gpu, "fp8" if kv_value < 2 and "fp8" in gpu.tflops else "bf16", f)
        bf16 = gpu.tflops["bf16"] * 1e12
        self.arch = arch
        self.input = input_tokens
        self.output = output_tokens
        self.overhead = f.overhead_s
        self.param_bytes = 1e9 * f.bytes_per_param[precision]
        self.weights = arch.total_params_b * self.param_bytes
        self.bandwidth = gpu.memory_tb_per_s * 1e12 * f.bandwidth * count
        self.bandwidth *= f.tensor_parallel ** math.log2(count)
        # The engine reserves each sequence's cache for all its tokens; a step reads what a live
        # sequence holds on average, halfway through its output.
        context = input_tokens + output_tokens / 2
        self.kv_sequence = arch.kv_values(input_tokens + output_tokens) * kv_value
        self.kv_read = arch.kv_values(context) * kv_value
        routed = (arch.experts_per_token or 0) * arch.expert_params_b * 1e9
        dense = arch.active_params_b * 1e9 - routed
        expert = 1.0
        if routed:
            size = arch.expert_layer_params / EXPERT_REFERENCE_PARAMS
            expert = min(1.0, f.experts * size**f.expert_size_exponent)
        # Decode arithmetic per token: dense layers and attention, then the routed experts, which
        # run as many small matrix products and gain nothing from a lower precision.
        self.per_token = (2 * dense / linear + arch.attention_flops(context) / attention) / (
            f.compute * scale
        )
        if routed:
            self.per_token += 2 * routed / (bf16 * expert * scale)
        prompt = (2 * dense * input_tokens / linear) / f.prefill
        prompt += arch.prefill_attention_flops(input_tokens) / attention / f.prefill
        if routed:
            prompt += 2 * routed * input_tokens / (bf16 * min(1.0, expert * f.expert_prefill))
        self.prefill = prompt / scale
        room = f.cache_share * (count * gpu.memory_gb * 1e9 - self.weights)
        self.b_mem = max(0, math.floor(room / self.kv_sequence))
        self.b_max = min(self.b_mem, math.floor(f.max_batch))

    def reading(self, batch: float) -> float:
        """A decode step's reads: the weights it touches and the cache of every sequence."""
        b = max(batch, 1.0)
        weights = (
            self.arch.params_read_b(b) * self.param_bytes if self.arch.is_moe else self.weights
        )
        return (weights + b * self.kv_read) / self.bandwidth

    def computing(self, batch: float) -> float:
        """A decode step's arithmetic for ``batch`` sequences."""
        return max(batch, 1.0) * self.per_token

    def step(self, batch: float) -> float:
        """One decode step for ``batch`` sequences: its reads and its arithmetic, one after the
        other (the published points fit this better than the slower of the two)."""
        return self.reading(batch) + self.computing(batch)

    def request_time(self, batch: float) -> float:
        """The deployment's time for one request with ``batch`` in flight: its prefill and its
        share of the decode steps that make its other output tokens (the prefill makes the
        first). The deployment serves one request in this time."""
        b = max(batch, 1e-9)
        return self.prefill + (self.output - 1) * self.step(b) / b

    def tpot(self, batch: float) -> float:
        """Time per output token: a step, plus the prefills of the other sequences in flight,
        spread over this one's tokens."""
        if self.output <= 1:
            return 0.0
        b = max(batch, 1.0)
        return self.step(b) + (b - 1) * self.prefill / (self.output - 1)

    def ttft(self, batch: float) -> float:
        """Time to first token: the request's time outside the GPUs, the decode step it arrives
        during, its prefill, and the wait behind other prefills when requests arrive at random
        (M/D/1: rho x prefill / (2 (1 - rho)), rho the share of the GPUs' time on prefills)."""
        rho = min(self.prefill / self.request_time(batch), 0.99)
        return self.overhead + self.step(batch) + self.prefill * (1 + rho / (2 * (1 - rho)))

    def latency(self, batch: float) -> float:
        """A call's mean time, first token to last."""
        return self.ttft(batch) + max(self.output - 1, 0) * self.tpot(batch)

    def batch_for_rate(self, rate: float, ceiling: float) -> float:
        """The sequences in flight when requests arrive at ``rate`` a second (Little's law): the
        batch whose request time is 1 / rate, found by bisection up to ``ceiling``."""
        if rate <= 0:
            return 0.0
        target = 1.0 / rate
        if self.request_time(ceiling) >= target:
            return ceiling
        low, high = 1e-6, ceiling
        while high / low > 1.0001:
            mid = math.sqrt(low * high)
            if self.request_time(mid) > target:
                low = mid
            else:
                high = mid
        return high

    def largest_batch_within(self, budget_s: float, p95: float, ceiling: float) -> float | None:
        """The largest batch whose call time, times ``p95`` (the 95th percentile over the mean),
        stays within ``budget_s``, to half a percent; None when a single sequence does not.

        The call time rises smoothly with the batch, so the root is found by regula falsi with
        the Illinois step (a few evaluations), kept inside a bracket that always holds it."""
        over_low = self.latency(1.0) * p95 - budget_s
        if over_low > 0:
            return None
        over_high = self.latency(ceiling) * p95 - budget_s
        if over_high <= 0:
            return ceiling
        low, high = 1.0, ceiling
        side = 0
        while high - low > 0.005 * low:
            mid = (low * over_high - high * over_low) / (over_high - over_low)
            # Keep each trial well inside the bracket, so that it shrinks every time.
            width = high - low
            mid = min(max(mid, low + 0.001 * width), high - 0.001 * width)
            over = self.latency(mid) * p95 - budget_s
            if over <= 0:
                low, over_low = mid, over
                if side == -1:
                    over_high /= 2
                side = -1
            else:
                high, over_high = mid, over
                if side == 1:
                    over_low /= 2
                side = 1
        return low


# --- capacity of a deployment ----------------------------------------------------------------


@dataclass(frozen=True)
class Capacity:
    """What N GPUs serve of one model at one precision, for requests of one shape.

    Rates are for the whole deployment. ``batch`` is the sequences in flight the rates and times
    are worked out at: the concurrency given, the largest memory allows (at saturation), or what a
    request rate keeps in flight. Times are means, with waits as under random arrivals; None when
    the model does not fit or the load is more than the deployment serves.
    """

    model: str
    model_name: str
    estimated: bool
    gpu: str
    gpu_name: str
    precision: str
    compute_precision: str
    gpus: int
    input_tokens: int
    output_tokens: int
    concurrency: int | None
    request_rate: float | None
    fits: bool
    gpus_needed: int | None
    weights_gb: float
    kv_gb_per_sequence: float
    max_concurrency: int
    batch: float
    input_tokens_per_s: float
    output_tokens_per_s: float
    requests_per_s: float
    ttft_ms: float | None
    tpot_ms: float | None
    prefill_ms: float
    step_ms: float | None
    limited_by: str
    notes: tuple[str, ...]
    figures: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        from dataclasses import asdict

        out = asdict(self)
        out["notes"] = list(self.notes)
        out["figures"] = list(self.figures)
        return out


def figure_keys(gpu: str, precision: str) -> tuple[str, ...]:
    """The catalogue figures a capacity of ``gpu`` at ``precision`` reads."""
    compute = PRECISIONS[precision].compute
    return (
        *FITTED.values(),
        *FIXED_KEYS,
        f"capacity.bytes_per_param.{precision}",
        f"capacity.kv_bytes_per_value.{precision}",
        f"gpu.{gpu}.memory_gb",
        f"gpu.{gpu}.memory_tb_per_s",
        f"gpu.{gpu}.dense_tflops.{compute}",
    )


def _tokens(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CapacityError(f"{what} is a whole number of tokens, at least 1, not {value!r}")
    if not float(value).is_integer() or value < 1:
        raise CapacityError(f"{what} is a whole number of tokens, at least 1, not {value!r}")
    return int(value)


def gpus_needed(
    arch: Architecture,
    gpu: Gpu,
    precision: str,
    input_tokens: float,
    output_tokens: float,
    f: Factors,
    sequences: float | None = None,
) -> int | None:
    """The fewest GPUs (a power of two) that hold the weights and the cache of ``sequences``
    sequences at their longest, input + output tokens (at least ``capacity.min_batch`` of them);
    None when even 64 would not."""
    need = max(sequences or 0.0, f.min_batch)
    cache = need * arch.kv_values(input_tokens + output_tokens) * f.kv_bytes[precision]
    weights = arch.total_params_b * 1e9 * f.bytes_per_param[precision]
    count = 1
    while count <= LARGEST_COUNT:
        room = f.cache_share * (count * gpu.memory_gb * 1e9 - weights)
        if room >= cache:
            return count
        count *= 2
    return None


def _operating(
    r: _Replica, concurrency: float | None, request_rate: float | None
) -> tuple[float, float, float | None, float | None, str]:
    """Batch, requests a second, TTFT and TPOT (seconds), and a note, at a closed loop of
    ``concurrency`` clients, a random ``request_rate``, or saturation when neither is given."""
    if request_rate is not None:
        ceiling = float(r.b_max)
        served = 1.0 / r.request_time(ceiling)
        if request_rate > served * (1 + 1e-9):
            note = (
                f"{request_rate:,.3g} requests a second is more than the {served:,.3g} this "
                "deployment serves: the queue grows without end"
            )
            return ceiling, served, None, None, note
        batch = r.batch_for_rate(request_rate, ceiling)
        return batch, request_rate, r.ttft(batch), r.tpot(batch), ""
    batch = float(r.b_max if concurrency is None else min(concurrency, r.b_max))
    rate = 1.0 / r.request_time(batch)
    ttft = r.ttft(batch)
    note = ""
    if concurrency is not None and concurrency > r.b_max:
        ttft += (concurrency - r.b_max) / rate  # clients waiting for a slot
        note = (
            f"memory holds {r.b_max:,} sequences at once; the other "
            f"{concurrency - r.b_max:,.0f} clients wait for a slot"
        )
    return batch, rate, ttft, r.tpot(batch), note


def capacity(
    arch: Architecture | str | float,
    gpu: str,
    precision: str,
    gpus: int | None,
    input_tokens: int,
    output_tokens: int,
    concurrency: int | None = None,
    *,
    cat: Catalogue,
    bound: str | None = None,
    request_rate: float | None = None,
) -> Capacity:
    """What ``gpus`` GPUs of type ``gpu`` serve of a model at ``precision`` for requests of
    ``input_tokens`` in and ``output_tokens`` out: at ``concurrency`` sequences at once (a closed
    loop of that many clients), at ``request_rate`` requests a second arriving at random, or at
    saturation when neither is given. ``gpus`` None takes the GPUs the model needs.

    Raises UnknownModel, UnknownGpu, or CapacityError for a precision the GPU lacks in hardware
    (refused, not emulated), tokens below one, or a concurrency below one.
    """
    model = arch if isinstance(arch, Architecture) else architecture(arch)
    spec = find_gpu(gpu, cat)
    prec = check_precision(spec, precision.lower())
    tin = _tokens(input_tokens, "input tokens")
    tout = _tokens(output_tokens, "output tokens")
    if concurrency is not None and (isinstance(concurrency, bool) or concurrency < 1):
        raise CapacityError(f"concurrency is at least 1, not {concurrency!r}")
    if request_rate is not None and (concurrency is not None or request_rate < 0):
        raise CapacityError("give a concurrency or a request rate of at least 0, not both")
    f = factors(cat, bound)
    needed = gpus_needed(model, spec, prec.id, tin, tout, f, concurrency)
    count = gpus if gpus is not None else (needed or LARGEST_COUNT)
    if isinstance(count, bool) or count < 1:
        raise CapacityError(f"a deployment has at least one GPU, not {count!r}")
    r = _Replica(model, spec, prec.id, count, tin, tout, f)
    notes = [model.note] if model.estimated else []
    base: dict[str, Any] = {
        "model": model.id,
        "model_name": model.name,
        "estimated": model.estimated,
        "gpu": spec.id,
        "gpu_name": spec.name,
        "precision": prec.id,
        "compute_precision": prec.compute,
        "gpus": count,
        "input_tokens": tin,
        "output_tokens": tout,
        "concurrency": concurrency,
        "request_rate": request_rate,
        "gpus_needed": needed,
        "weights_gb": r.weights / 1e9,
        "kv_gb_per_sequence": r.kv_sequence / 1e9,
        "max_concurrency": r.b_max,
        "prefill_ms": r.prefill * 1e3,
        "figures": figure_keys(spec.id, prec.id),
    }
    if r.b_max < 1:
        notes.append(
            f"the weights ({r.weights / 1e9:,.1f} GB) leave no room for the cache of one "
            f"sequence ({r.kv_sequence / 1e9:,.2f} GB) on {count} x {spec.name}"
        )
        return Capacity(
            **base,
            fits=False,
            batch=0.0,
            input_tokens_per_s=0.0,
            output_tokens_per_s=0.0,
            requests_per_s=0.0,
            ttft_ms=None,
            tpot_ms=None,
            step_ms=None,
            limited_by="memory",
            notes=tuple(notes),
        )
    batch, rate, ttft, tpot, note = _operating(r, concurrency, request_rate)
    if note:
        notes.append(note)
    limited = "compute" if r.computing(batch) >= r.reading(batch) else "memory bandwidth"
    return Capacity(
        **base,
        fits=True,
        batch=batch,
        input_tokens_per_s=rate * tin,
        output_tokens_per_s=rate * tout,
        requests_per_s=rate,
        ttft_ms=None if ttft is None else ttft * 1e3,
        tpot_ms=None if tpot is None else tpot * 1e3,
        step_ms=r.step(batch) * 1e3,
        limited_by=limited,
        notes=tuple(notes),
    )


# --- sizing a deployment ---------------------------------------------------------------------

Hourly = Callable[[str, "str | None"], "float | None"]


@dataclass(frozen=True)
class Deployment:
    """One way to serve a load: replicas of ``gpus_per_replica`` GPUs at a precision, run at the
    operating point the latency budget allows, and what that costs.

    ``requests_per_s`` and the token rates are what one replica serves at that operating point;
    ``concurrency``, the times and ``p95_ms`` are those at the peak load, spread over the replicas
    (``concurrency`` is the sequences in flight in one replica, by Little's law)."""

    gpu: str
    gpu_name: str
    precision: str
    gpus_per_replica: int
    replicas: float
    utilisation: float
    concurrency: float
    ttft_ms: float
    tpot_ms: float
    p95_ms: float
    requests_per_s: float
    output_tokens_per_s: float
    input_tokens_per_s: float
    hourly_usd: float
    usd_per_month: float
    meets_latency: bool
    sized_for: Literal["peak load", "availability"]  # availability: the floor of min_replicas
    figures: tuple[str, ...]

    @property
    def gpus(self) -> float:
        """GPUs paid for: replicas and fractions of one, times GPUs per replica."""
        return self.replicas * self.gpus_per_replica

    @property
    def label(self) -> str:
        return f"{self.gpus_per_replica} x {self.gpu_name} at {PRECISIONS[self.precision].label}"

    def as_json(self) -> dict[str, Any]:
        from dataclasses import asdict

        out = asdict(self)
        out["gpus"] = self.gpus
        out["figures"] = list(self.figures)
        return out


class Sizing:
    """The cheapest deployment that carries a load within a latency budget, the cheapest with
    another GPU or precision, and every deployment looked at, cheapest first (those that meet the
    budget before those that do not). When none meets the budget, ``meets_latency`` is False,
    ``best`` is the one nearest to it, and ``sentence`` says so (it is empty otherwise).

    ``candidates`` is worked out when first asked for: the bills need only the best two."""

    __slots__ = (
        "_build",
        "_candidates",
        "best",
        "estimated",
        "meets_latency",
        "model",
        "model_name",
        "runner_up",
        "sentence",
        "skipped",
    )

    def __init__(
        self,
        *,
        model: str,
        model_name: str,
        estimated: bool,
        best: Deployment | None,
        runner_up: Deployment | None,
        candidates: Callable[[], tuple[Deployment, ...]],
        meets_latency: bool,
        sentence: str,
        skipped: tuple[str, ...],  # what was not looked at, and why (no price, no tensor cores)
    ) -> None:
        self.model, self.model_name, self.estimated = model, model_name, estimated
        self.best, self.runner_up = best, runner_up
        self.meets_latency, self.sentence, self.skipped = meets_latency, sentence, skipped
        self._build = candidates
        self._candidates: tuple[Deployment, ...] | None = None

    @property
    def candidates(self) -> tuple[Deployment, ...]:
        if self._candidates is None:
            self._candidates = self._build()
        return self._candidates

    def __repr__(self) -> str:
        return f"Sizing({self.model!r}, best={self.best!r}, runner_up={self.runner_up!r})"


@dataclass(frozen=True)
class _Point:
    """Where one replica of a deployment runs, whatever the load: the largest batch within the
    latency budget (the memory's largest without one) and the requests a second it serves there."""

    replica: _Replica
    gpu: Gpu
    precision: str
    count: int
    batch: float
    served: float
    within: bool  # a single sequence already meets the budget


def _point(r: _Replica, gpu: Gpu, precision: str, count: int, budget_s: float | None, f: Factors):
    batch, within = float(r.b_max), True
    if budget_s is not None:
        found = r.largest_batch_within(budget_s, f.p95_over_median, batch)
        batch, within = (1.0, False) if found is None else (found, True)
    return _Point(r, gpu, precision, count, batch, 1.0 / r.request_time(batch), within)


@dataclass(frozen=True)
class _Candidate:
    """A replica that holds the weights and the cache, and the most requests a second it can
    serve (at the largest batch its memory holds): no latency budget lets it serve more."""

    replica: _Replica
    gpu: Gpu
    precision: str
    count: int
    most_served: float


def _candidates(
    model: Architecture, gpu: Gpu, precision: str, tin: int, tout: int, f: Factors
) -> tuple[_Candidate, ...]:
    """The GPU counts of a GPU type and precision that hold the weights and the cache."""
    out = []
    for count in GPU_COUNTS:
        r = _Replica(model, gpu, precision, count, tin, tout, f)
        if r.b_max >= max(f.min_batch, 1.0):
            served = 1.0 / r.request_time(float(r.b_max))
            out.append(_Candidate(r, gpu, precision, count, served))
    return tuple(out)


def _replicas(p: _Point, peak: float, floor: float) -> float:
    return max(floor, peak / p.served)


def _deployment(
    p: _Point, *, peak: float, average: float, hourly: float, f: Factors, floor: float
) -> Deployment:
    """A point carrying a load: the replicas the peak needs (at least ``floor``), and the times
    a call takes at the batch the peak keeps in flight on each."""
    r = p.replica
    needed = peak / p.served
    replicas = max(floor, needed)
    at_peak = r.batch_for_rate(peak / replicas, p.batch)
    p95 = r.latency(at_peak) * f.p95_over_median
    return Deployment(
        gpu=p.gpu.id,
        gpu_name=p.gpu.name,
        precision=p.precision,
        gpus_per_replica=p.count,
        replicas=replicas,
        utilisation=average / (replicas * p.served),
        concurrency=at_peak,
        ttft_ms=r.ttft(at_peak) * 1e3,
        tpot_ms=r.tpot(at_peak) * 1e3,
        p95_ms=p95 * 1e3,
        requests_per_s=p.served,
        output_tokens_per_s=p.served * r.output,
        input_tokens_per_s=p.served * r.input,
        hourly_usd=hourly,
        usd_per_month=replicas * p.count * hourly * HOURS_PER_MONTH,
        meets_latency=p.within,
        sized_for="peak load" if needed >= floor else "availability",
        figures=figure_keys(p.gpu.id, p.precision),
    )


def size_deployment(
    arch: Architecture | str | float,
    *,
    peak_requests_per_s: float,
    average_requests_per_s: float,
    input_tokens: int,
    output_tokens: int,
    latency_p95_ms: float | None,
    cat: Catalogue,
    hourly: Hourly,
    bound: str | None = None,
    min_replicas: float | None = None,
    gpus: Iterable[str] | None = None,
    precisions: Iterable[str] | None = None,
) -> Sizing:
    """The cheapest way to serve ``peak_requests_per_s`` calls of ``input_tokens`` in and
    ``output_tokens`` out with their 95th-percentile time within ``latency_p95_ms`` (None: no
    budget), over every GPU type (``gpus``, by default every GPU in the catalogue), precision the
    GPU has (``precisions``, by default all) and GPUs per replica (1, 2, 4 or 8) that hold the
    weights and the cache.

    Each replica runs at the largest batch whose p95 (TTFT + output tokens x TPOT, times
    ``latency.p95_over_median``) stays within the budget; replicas, in whole numbers and
    fractions, carry the peak, at least ``min_replicas`` of them (``capacity.min_replicas`` by
    default), so the cost of a call never rises with volume. ``hourly(gpu, bound)`` prices an hour
    of one GPU; a GPU it returns None for is not looked at. A month is 730 hours.
    """
    model = arch if isinstance(arch, Architecture) else architecture(arch)
    tin = _tokens(input_tokens, "input tokens")
    tout = _tokens(output_tokens, "output tokens")
    peak, average = float(peak_requests_per_s), float(average_requests_per_s)
    if not (math.isfinite(peak) and math.isfinite(average)) or peak < 0 or average < 0:
        raise CapacityError("requests a second are numbers of at least 0")
    if average > peak * (1 + 1e-12):
        raise CapacityError(f"the average load ({average:g}/s) is above the peak ({peak:g}/s)")
    if latency_p95_ms is not None and not latency_p95_ms > 0:
        raise CapacityError(f"a latency budget is above 0 ms, not {latency_p95_ms!r}")
    f = factors(cat, bound)
    floor = f.min_replicas if min_replicas is None else float(min_replicas)
    if not floor > 0:
        raise CapacityError(f"min_replicas is above 0, not {min_replicas!r}")
    chosen = (
        [find_gpu(g, cat) for g in gpus] if gpus is not None else list(known_gpus(cat).values())
    )
    wanted = list(precisions) if precisions is not None else list(PRECISIONS)
    for p in wanted:
        if p not in PRECISIONS:
            raise CapacityError(f"no precision {p!r}; known: {', '.join(PRECISIONS)}")
    budget = None if latency_p95_ms is None else latency_p95_ms / 1e3
    found: list[tuple[_Candidate, float]] = []  # every candidate with its GPU's hourly price
    skipped: list[str] = []
    for gpu in chosen:
        price = hourly(gpu.id, bound)
        if price is None:
            skipped.append(f"{gpu.name}: no hourly price")
            continue
        for precision in wanted:
            if not gpu.can(precision):
                compute = PRECISIONS[precision].compute.upper()
                skipped.append(f"{gpu.name} at {precision}: no {compute} tensor cores")
                continue
            # What a replica holds and serves depends on the figures and the call's shape, not
            # on the load or prices: worked out once for a catalogue and the copies that
            # reprice it (the flips).
            key = ("capacity candidates", model, gpu.id, precision, tin, tout, bound)

            def hold(gpu: Gpu = gpu, p: str = precision) -> tuple[_Candidate, ...]:
                return _candidates(model, gpu, p, tin, tout, f)

            held: tuple[_Candidate, ...] = cat.shared(key, hold)
            if not held:
                skipped.append(
                    f"{gpu.name} at {precision}: {GPU_COUNTS[-1]} GPUs do not hold the weights "
                    f"and the cache of {f.min_batch:g} sequences"
                )
            found.extend((c, price) for c in held)

    def point(c: _Candidate) -> _Point:
        key = ("capacity point", model, c.gpu.id, c.precision, c.count, tin, tout, budget, bound)
        return cat.shared(key, lambda: _point(c.replica, c.gpu, c.precision, c.count, budget, f))

    def deployment(item: tuple[_Point, float]) -> Deployment:
        p, price = item
        return _deployment(p, peak=peak, average=average, hourly=price, f=f, floor=floor)

    def bill(item: tuple[_Point, float]) -> tuple[bool, float, float, float]:
        """Within the budget first, then cheapest, fewest GPUs, most headroom."""
        p, price = item
        replicas = _replicas(p, peak, floor)
        return (not p.within, replicas * p.count * price, replicas * p.count, -p.served)

    def lowest(item: tuple[_Candidate, float]) -> tuple[float, float]:
        """The least a candidate can cost: the budget only lowers what a replica serves."""
        c, price = item
        replicas = max(floor, peak / c.most_served)
        return (replicas * c.count * price, replicas * c.count)

    def group(p: _Point) -> tuple[str, str]:
        return (p.gpu.id, p.precision)

    # Branch and bound: look at the candidates by the least each can cost, and stop once the
    # cheapest two within the budget (of different GPU types or precisions) cost less than any
    # candidate not looked at can. Without a budget the least is the cost, so two suffice.
    bounded = sorted(found, key=lowest)
    seen: list[tuple[_Point, float]] = []
    # The cheapest bill seen of each GPU type and precision.
    cheapest: dict[tuple[str, str], tuple[bool, float, float, float]] = {}
    index = 0
    while index < len(bounded):
        if len(cheapest) >= 2:
            next_best = sorted(cheapest.values())[1]
            if not next_best[0] and lowest(bounded[index]) > next_best[1:]:
                break
        priced = (point(bounded[index][0]), bounded[index][1])
        seen.append(priced)
        mine, where = bill(priced), group(priced[0])
        if where not in cheapest or mine < cheapest[where]:
            cheapest[where] = mine
        index += 1
    complete = index == len(bounded)

    def every() -> list[tuple[_Point, float]]:
        return seen + [(point(c), price) for c, price in bounded[index:]]

    meets = any(p.within for p, _ in seen)
    if meets or budget is None:
        # The ranking needs only each point's replicas and price; the times are worked out for
        # the two shown and, when asked for, the rest.
        order = sorted(seen, key=bill)
        best: Deployment | None = deployment(order[0]) if order else None
        second = next((x for x in order[1:] if group(x[0]) != group(order[0][0])), None)
        runner_up = deployment(second) if second is not None else None

        def candidates() -> tuple[Deployment, ...]:
            return tuple(deployment(x) for x in sorted(every(), key=bill))
    else:
        assert complete  # nothing within the budget: every candidate was looked at

        # The nearest to the budget: the least p95 at the peak, found by branch and bound on
        # the call's time with no wait for other prefills, which no batch goes below.
        def fastest(item: tuple[_Point, float]) -> float:
            r = item[0].replica
            return (
                (r.overhead + r.step(1.0) * max(r.output, 1.0) + r.prefill)
                * f.p95_over_median
                * 1e3
            )

        def nearness(d: Deployment) -> tuple[float, float]:
            return (d.p95_ms, d.usd_per_month)

        timed: list[Deployment] = []
        for item in sorted(seen, key=fastest):
            if len(timed) >= 2:
                ranked_now = sorted(timed, key=nearness)
                top = ranked_now[0]
                other = next(
                    (d for d in ranked_now[1:] if (d.gpu, d.precision) != (top.gpu, top.precision)),
                    None,
                )
                if other is not None and fastest(item) > other.p95_ms:
                    break
            timed.append(deployment(item))
        ranked = sorted(timed, key=nearness)
        best = ranked[0] if ranked else None
        runner_up = next(
            (d for d in ranked[1:] if best and (d.gpu, d.precision) != (best.gpu, best.precision)),
            None,
        )

        def candidates() -> tuple[Deployment, ...]:
            return tuple(sorted((deployment(x) for x in seen), key=nearness))

    if best is None:
        sentence = (
            f"no GPU in the search both has a price and holds {model.name} with the cache of "
            f"{f.min_batch:g} sequences of {tin + tout:,} tokens on up to {GPU_COUNTS[-1]} GPUs"
        )
    elif not best.meets_latency:
        sentence = (
            f"no deployment meets the p95 budget of {latency_p95_ms:,.0f} ms for calls of "
            f"{tin:,} tokens in and {tout:,} out: the nearest, {best.label}, takes "
            f"{best.p95_ms:,.0f} ms"
        )
    else:
        sentence = ""
    return Sizing(
        model=model.id,
        model_name=model.name,
        estimated=model.estimated,
        best=best,
        runner_up=runner_up,
        candidates=candidates,
        meets_latency=best is not None and best.meets_latency,
        sentence=sentence,
        skipped=tuple(skipped),
    )


# --- published measurements ------------------------------------------------------------------

Load = Literal["offline", "burst", "closed_loop", "poisson"]
# What a point of each load is compared on (advisor/costs/data/measurements.yaml says why).
COMPARED: dict[str, tuple[str, ...]] = {
    "offline": ("output_tokens_per_s",),
    "burst": ("output_tokens_per_s",),
    "closed_loop": ("output_tokens_per_s", "tpot_ms"),
    "poisson": ("ttft_ms", "tpot_ms"),
}


class _PointEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input: int = Field(ge=1)
    output: int = Field(ge=1)
    load: Load | None = None  # the series' load unless given
    concurrency: int | None = Field(default=None, ge=1)
    request_rate: float | None = Field(default=None, gt=0)
    output_tokens_per_s: float | None = Field(default=None, gt=0)
    ttft_ms: float | None = Field(default=None, gt=0)
    tpot_ms: float | None = Field(default=None, gt=0)
    note: str = ""
    outside: dict[str, str] = Field(default_factory=dict)  # figure -> why the model misses it


class _RunEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str
    gpu: str
    gpus: int = Field(ge=1)
    precision: Literal["bf16", "fp8", "int4", "fp4"]
    published_as: str = Field(min_length=1)
    per_gpu: bool = False
    note: str = ""
    points: list[_PointEntry] = Field(min_length=1)


class _SeriesEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")
    source: str = Field(min_length=1)
    as_of: str = Field(pattern=r"^\d{4}(-\d{2})?$")
    engine: str = Field(min_length=1)
    load: Load
    note: str = ""
    runs: list[_RunEntry] = Field(min_length=1)


class _MeasurementFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1)
    series: list[_SeriesEntry] = Field(min_length=1)


@dataclass(frozen=True)
class Measurement:
    """One published serving point: a model on N GPUs at a precision, one request shape, one way
    of loading the server, and what was measured (rates for the whole deployment)."""

    id: str
    series: str
    model: str
    gpu: str
    gpus: int
    precision: str
    published_as: str
    engine: str
    source: str
    as_of: str
    load: str
    input_tokens: int
    output_tokens: int
    concurrency: int | None
    request_rate: float | None
    published: Mapping[str, float]  # the figures compared, by name
    note: str = ""
    outside: Mapping[str, str] = field(default_factory=dict)  # figure -> what the model leaves out

    @property
    def compared(self) -> tuple[str, ...]:
        return tuple(q for q in COMPARED[self.load] if q in self.published)


def load_measurements(source: Path | Any | None = None) -> list[Measurement]:
    """Every point of a measurement file (the built-in one by default), checked: a malformed file,
    an unknown model, a point without what its load needs, fail with file, line and field."""
    source = source or files("advisor.costs") / "data" / MEASUREMENTS_FILE
    text = source.read_text(encoding="utf-8")
    name = str(source)
    parsed: _MeasurementFile = yamlio.validated(_MeasurementFile, text, name)
    known = architectures()
    out: list[Measurement] = []
    problems: list[tuple[list[str | int], str]] = []
    for si, series in enumerate(parsed.series):
        for ri, run in enumerate(series.runs):
            if run.model not in known:
                near = difflib.get_close_matches(run.model, list(known), n=1, cutoff=0.0)
                problems.append(
                    (
                        ["series", si, "runs", ri, "model"],
                        f"no model {run.model!r} on file (nearest: {near[0]})"
                        if near
                        else f"no model {run.model!r} on file",
                    )
                )
                continue
            for pi, point in enumerate(run.points):
                at: list[str | int] = ["series", si, "runs", ri, "points", pi]
                load = point.load or series.load
                need = {"closed_loop": "concurrency", "burst": "concurrency"}.get(load)
                if need == "concurrency" and point.concurrency is None:
                    problems.append((at, f"a {load} point needs its concurrency"))
                if load == "poisson" and point.request_rate is None:
                    problems.append((at, "a poisson point needs its request_rate"))
                published = {
                    q: getattr(point, q)
                    for q in ("output_tokens_per_s", "ttft_ms", "tpot_ms")
                    if getattr(point, q) is not None
                }
                if "output_tokens_per_s" in published and run.per_gpu:
                    published["output_tokens_per_s"] *= run.gpus
                if not any(q in published for q in COMPARED[load]):
                    problems.append((at, f"a {load} point publishes none of {COMPARED[load]}"))
                for q in point.outside:
                    if q not in COMPARED[load] or q not in published:
                        problems.append(
                            ([*at, "outside", q], f"{q} is not a figure this point compares")
                        )
                condition = (f" c{point.concurrency}" if point.concurrency is not None else "") + (
                    f" {point.request_rate:g}/s" if point.request_rate is not None else ""
                )
                out.append(
                    Measurement(
                        id=f"{series.id} {run.model} {run.gpus}x{run.gpu} {run.precision} "
                        f"{point.input}/{point.output}{condition}",
                        series=series.id,
                        model=run.model,
                        gpu=run.gpu,
                        gpus=run.gpus,
                        precision=run.precision,
                        published_as=run.published_as,
                        engine=series.engine,
                        source=series.source,
                        as_of=series.as_of,
                        load=load,
                        input_tokens=point.input,
                        output_tokens=point.output,
                        concurrency=point.concurrency,
                        request_rate=point.request_rate,
                        published=published,
                        note=" ".join(x for x in (run.note, point.note) if x),
                        outside=point.outside,
                    )
                )
    seen: set[str] = set()
    for m in out:
        if m.id in seen:
            problems.append((["series"], f"two points are both {m.id!r}"))
        seen.add(m.id)
    if problems:
        root = yamlio.load_round_trip(text, name)
        raise InputError(
            name,
            [
                Problem(".".join(map(str, at)), message, yamlio.line_of(root, at))
                for at, message in problems
            ],
        )
    return out


@cache
def measurements() -> tuple[Measurement, ...]:
    """The built-in published points (read once)."""
    return tuple(load_measurements())


def predict(m: Measurement, f: Factors, cat: Catalogue) -> dict[str, float | None]:
    """What the model says for a published point's conditions, with the factors ``f``: the
    quantities the point is compared on (None where the model has no answer)."""
    arch = architectures()[m.model]
    spec = find_gpu(m.gpu, cat)
    r = _Replica(arch, spec, m.precision, m.gpus, m.input_tokens, m.output_tokens, f)
    if r.b_max < 1:
        return dict.fromkeys(m.compared)
    _, rate, ttft, tpot, _ = _operating(r, m.concurrency, m.request_rate)
    values = {
        "output_tokens_per_s": rate * m.output_tokens,
        "ttft_ms": None if ttft is None else ttft * 1e3,
        "tpot_ms": None if tpot is None else tpot * 1e3,
    }
    return {q: values[q] for q in m.compared}
