"""Deployments: one way to serve a load (Deployment), what the search finds (Sizing), and the
replicas it weighs: which GPU counts hold the weights and the cache, where each runs within the
latency budget, and the replicas and price of carrying the peak on them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from advisor.costs.capacity.fitted import Factors, figure_keys
from advisor.costs.capacity.hardware import PRECISIONS, Gpu
from advisor.costs.capacity.replica import _Replica
from advisor.costs.capacity.shapes import Architecture

HOURS_PER_MONTH = 730.0  # 8,760 hours a year / 12, as the bills count
GPU_COUNTS = (1, 2, 4, 8)  # GPUs per replica the sizing tries: one server's tensor-parallel groups


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
