"""What a deployment serves: the Capacity of N GPUs for one model at one precision, at a
concurrency, a request rate or saturation (what `advisor capacity` prints)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from advisor.costs.capacity.errors import CapacityError
from advisor.costs.capacity.fitted import factors, figure_keys
from advisor.costs.capacity.hardware import check_precision, find_gpu
from advisor.costs.capacity.replica import LARGEST_COUNT, _operating, _Replica, gpus_needed
from advisor.costs.capacity.shapes import Architecture, architecture

if TYPE_CHECKING:
    from advisor.costs.catalogue import Catalogue


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


def _tokens(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CapacityError(f"{what} is a whole number of tokens, at least 1, not {value!r}")
    if not float(value).is_integer() or value < 1:
        raise CapacityError(f"{what} is a whole number of tokens, at least 1, not {value!r}")
    return int(value)


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
