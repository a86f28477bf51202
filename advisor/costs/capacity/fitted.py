"""The catalogue figures the capacity model reads, as the arithmetic reads them (Factors): the
efficiencies fitted to published measurements (bench/fit_capacity.py) and the fixed figures beside
them, each at the end of its range a bound names; and the keys of every figure a result reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from advisor.costs.capacity.hardware import PRECISIONS

if TYPE_CHECKING:
    from advisor.costs.catalogue import Catalogue

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
