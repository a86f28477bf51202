"""GPUs and precisions: the ways to serve weights (Precision), each GPU's datasheet as the
catalogue's ``gpu.<id>.*`` figures give it (Gpu), finding a GPU by id, name or alias, and refusing a
precision a GPU has no tensor cores for."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from advisor.costs.capacity.errors import CapacityError, UnknownGpu
from advisor.costs.capacity.shapes import _gpu_text, _library, gpu_name

if TYPE_CHECKING:
    from advisor.costs.catalogue import Catalogue


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
