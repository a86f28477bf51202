"""The published measurements the capacity model is calibrated to (advisor/costs/data/
measurements.yaml): the file, checked; each point as a Measurement; and what the model predicts
for a point's conditions, which bench/fit_capacity.py fits the factors to and the tests compare."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from advisor.core.base import yamlio
from advisor.costs.capacity.fitted import Factors
from advisor.costs.capacity.hardware import find_gpu
from advisor.costs.capacity.replica import _operating, _Replica
from advisor.costs.capacity.shapes import architectures
from advisor.errors import InputError, Problem

if TYPE_CHECKING:
    from advisor.costs.catalogue import Catalogue

MEASUREMENTS_FILE = "measurements.yaml"


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
