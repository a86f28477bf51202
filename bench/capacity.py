"""Time the capacity model: ``capacity()`` for a few models and deployments, and
``size_deployment()`` over every GPU, precision and GPU count.

Run ``.venv/bin/python bench/capacity.py`` (``--quick`` for fewer repetitions). Each case is
called many times in a row, in several rounds; the median of the rounds' mean call time is
printed. ``capacity()`` should take under 50 microseconds: the bills call it for every GPU count
and precision they try, and the flips work out bills many times over.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable

os.environ.setdefault("ADVISOR_PLUGINS", "")  # the built-in figures alone

from advisor import build_registry
from advisor.costs import capacity as cap
from advisor.costs.capacity.deployments import Sizing

TARGET_US = 50.0
CASES = (
    ("llama-3.1-8b", "h100", "fp8", 1, 1000, 1000, None),
    ("llama-3.3-70b", "h200", "fp8", 2, 5000, 500, 64),
    ("qwen3-235b-a22b", "b200", "fp4", 8, 1000, 1000, None),
    ("deepseek-v3", "h200", "fp8", 8, 2000, 500, 256),
    ("gemma-3-27b", "l40s", "bf16", 2, 20000, 1000, None),
)


def _hourly(gpu: str, bound: str | None) -> float | None:
    """Round prices, so that the timing does not depend on the catalogue's GPU prices."""
    return {"h100": 3.0, "h200": 4.0, "b200": 6.5, "a100_80gb": 1.8, "l40s": 1.1, "l4": 0.7}.get(
        gpu
    )


def timed(call: Callable[[], object], calls: int, rounds: int) -> float:
    """The median over ``rounds`` of the mean time of ``calls`` calls, in microseconds."""
    call()  # warm the catalogue's memo and the architecture file
    means = []
    for _ in range(rounds):
        gc.disable()
        start = time.perf_counter()
        for _ in range(calls):
            call()
        means.append((time.perf_counter() - start) / calls * 1e6)
        gc.enable()
    return statistics.median(means)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    calls, rounds = (500, 5) if args.quick else (5000, 15)
    cat = build_registry().catalogue
    worst = 0.0
    for model, gpu, precision, count, tokens_in, tokens_out, concurrency in CASES:

        def one(
            m: str = model,
            g: str = gpu,
            p: str = precision,
            n: int = count,
            i: int = tokens_in,
            o: int = tokens_out,
            c: int | None = concurrency,
        ) -> object:
            return cap.capacity(m, g, p, n, i, o, c, cat=cat)

        micro = timed(one, calls, rounds)
        worst = max(worst, micro)
        at = "saturation" if concurrency is None else f"{concurrency} at once"
        print(
            f"capacity  {model:16} {count} x {gpu:9} {precision:4} {tokens_in:>5}/{tokens_out:<5}"
            f" {at:12} {micro:8.1f} us"
        )
    for budget in (None, 2000.0):

        def sizing(b: float | None = budget) -> object:
            return cap.size_deployment(
                "llama-3.3-70b",
                peak_requests_per_s=40.0,
                average_requests_per_s=15.0,
                input_tokens=1500,
                output_tokens=300,
                latency_p95_ms=b,
                cat=cat,
                hourly=_hourly,
            )

        found = sizing()
        assert isinstance(found, Sizing)
        micro = timed(sizing, max(calls // 100, 5), rounds)
        label = "no budget" if budget is None else f"p95 {budget:,.0f} ms"
        print(
            f"size_deployment llama-3.3-70b, {len(found.candidates)} deployments, {label:14}"
            f" {micro:8.1f} us"
        )
    verdict = "within" if worst < TARGET_US else "OVER"
    print(f"slowest capacity() {worst:.1f} us: {verdict} the {TARGET_US:.0f} us target")
    return 0 if worst < TARGET_US else 1


if __name__ == "__main__":
    sys.exit(main())
