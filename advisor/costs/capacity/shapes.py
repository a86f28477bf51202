"""The shapes of models: the architecture file (advisor/costs/data/architectures.yaml), the
Architecture of each model on file with what follows from it (the KV cache a token takes, the
FLOPs of attention, the parameters a decode step reads), a dense model estimated from a bare size,
and the GPUs' names and aliases the file also holds."""

from __future__ import annotations

import difflib
import functools
import math
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from advisor.core.base import yamlio
from advisor.costs.capacity.errors import CapacityError, UnknownModel

ESTIMATE_KV_HEADS = 8  # the dense models on file all use 8 KV heads of 128, but Gemma
ESTIMATE_HEAD_DIM = 128


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
