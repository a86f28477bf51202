"""The arithmetic of one replica: one model on N GPUs at one precision, for one shape of request.
What memory holds (the weights, the cache of each sequence, so the largest batch and the fewest GPUs
that fit), what prefill and a decode step take, and the times of a call that follow, at a batch, a
request rate or a closed loop of clients."""

from __future__ import annotations

import math

from advisor.costs.capacity.fitted import EXPERT_REFERENCE_PARAMS, Factors
from advisor.costs.capacity.hardware import PRECISIONS, Gpu
from advisor.costs.capacity.shapes import Architecture

LARGEST_COUNT = 64  # the most GPUs gpus_needed looks at before saying that none would do


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
