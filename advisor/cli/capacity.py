"""`advisor capacity`: what a deployment of GPUs serves of one model (advisor/costs/capacity/)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from advisor.cli.common import (
    config_option,
    emit_json,
    format_option,
    inputs,
)
from advisor.errors import AdvisorError
from advisor.terminal import echo

if TYPE_CHECKING:
    from advisor.costs.capacity.serving import Capacity


class _BadOption(AdvisorError):
    """An option whose value the capacity model cannot take; printed on one line, exit code 2."""

    def __init__(self, option: str, message: str):
        super().__init__(f"{option}: {message}")


capacity_set_option = click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="KEY=VALUE",
    help="Change a catalogue figure for this run (capacity.decode_bandwidth_efficiency=0.6); "
    "repeatable.",
)


@click.command(name="capacity")
@click.argument("model")
@click.option("--gpu", required=True, help="GPU type: h100, H200, a100_80gb, A100-80GB, ...")
@click.option(
    "--precision", required=True, help="bf16, fp8, int4 (4-bit weights, 16-bit compute) or fp4."
)
@click.option("--input", "input_tokens", type=int, required=True, help="Input tokens a request.")
@click.option("--output", "output_tokens", type=int, required=True, help="Output tokens a request.")
@click.option(
    "--gpus", "count", type=int, default=None, help="GPUs in the deployment (default: as needed)."
)
@click.option(
    "--concurrency",
    type=int,
    default=None,
    help="Requests in flight at once (default: as many as memory holds, saturation).",
)
@format_option
@capacity_set_option
@config_option
def capacity_command(
    model: str,
    gpu: str,
    precision: str,
    input_tokens: int,
    output_tokens: int,
    count: int | None,
    concurrency: int | None,
    fmt: str,
    sets: tuple[str, ...],
    config: Path | None,
) -> None:
    """What GPUs serve of MODEL (an id such as llama-3.3-70b, or a size such as 70b): tokens a
    second at saturation for the whole deployment, time to first token and per output token at
    the concurrency, and the GPUs the weights and the cache need."""
    from advisor.costs import capacity as cap
    from advisor.costs.capacity.errors import CapacityError, UnknownGpu, UnknownModel
    from advisor.costs.capacity.hardware import check_precision, find_gpu

    for option, value in (("--input", input_tokens), ("--output", output_tokens)):
        if value < 1:
            raise _BadOption(option, f"a whole number of tokens, at least 1, not {value}")
    if count is not None and count < 1:
        raise _BadOption("--gpus", f"at least 1 GPU, not {count}")
    if concurrency is not None and concurrency < 1:
        raise _BadOption("--concurrency", f"at least 1 request at once, not {concurrency}")
    try:
        arch = cap.architecture(model)
    except (UnknownModel, CapacityError) as exc:
        raise _BadOption("MODEL", str(exc)) from None
    cat = inputs(sets=sets, config=config, answers=False, command="capacity").catalogue
    try:
        spec = find_gpu(gpu, cat)
    except UnknownGpu as exc:
        raise _BadOption("--gpu", str(exc)) from None
    try:
        check_precision(spec, precision.lower())
    except CapacityError as exc:
        raise _BadOption("--precision", str(exc)) from None
    found = cap.capacity(
        arch,
        spec.id,
        precision.lower(),
        count,
        input_tokens,
        output_tokens,
        concurrency,
        cat=cat,
    )
    if fmt == "json":
        emit_json(found.as_json())
        return
    echo(_wrapped(describe(found)))


def _wrapped(text: str) -> str:
    """Each line folded to the terminal's width, continued at its own indent."""
    import shutil
    import textwrap

    width = max(60, shutil.get_terminal_size((100, 24)).columns)
    out = []
    for line in text.splitlines():
        indent = line[: len(line) - len(line.lstrip())]
        if len(line) <= width:
            out.append(line)
        else:
            out.append(
                textwrap.fill(
                    line.strip(), width, initial_indent=indent, subsequent_indent=indent + "  "
                )
            )
    return "\n".join(out)


def _count(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.3g}"


def describe(c: Capacity) -> str:
    """The capacity in words, for people: names, not ids."""
    from advisor.costs.capacity.hardware import PRECISIONS

    precision = PRECISIONS[c.precision]
    name = f"{c.model_name} (estimated as dense)" if c.estimated else c.model_name
    lines = [
        f"{name} on {c.gpus} x {c.gpu_name} at {precision.label}, "
        f"{c.input_tokens:,} tokens in and {c.output_tokens:,} out",
    ]
    if c.estimated:
        lines.append(f"  ({c.notes[0]})")
    if c.compute_precision != c.precision:
        lines.append(
            f"  {precision.label} is {precision.description}: the GPUs multiply at "
            f"{c.compute_precision.upper()}."
        )
    lines.append("")
    needed = (
        f"{c.gpus_needed} GPU{'s' if c.gpus_needed != 1 else ''}"
        if c.gpus_needed is not None
        else "more GPUs than one deployment has"
    )
    if not c.fits:
        lines.append(
            f"Does not fit: the weights take {c.weights_gb:,.1f} GB, and with the cache they need "
            f"{needed} of this type."
        )
        return "\n".join(lines)
    lines.append(
        f"Fits. The weights take {c.weights_gb:,.1f} GB and a sequence's cache "
        f"{c.kv_gb_per_sequence:,.2f} GB; the weights and the cache need {needed}. "
        f"{c.gpus} GPU{'s' if c.gpus != 1 else ''} hold{'s' if c.gpus == 1 else ''} "
        f"{c.max_concurrency:,} sequences at once."
    )
    if c.concurrency is None:
        at = f"At saturation ({c.max_concurrency:,} requests in flight), the whole deployment:"
    else:
        at = f"At {c.concurrency:,} requests in flight, the whole deployment:"
    lines += [
        "",
        at,
        f"  output tokens     {_count(c.output_tokens_per_s)} a second",
        f"  input tokens      {_count(c.input_tokens_per_s)} a second",
        f"  requests          {_count(c.requests_per_s)} a second",
        f"  to first token    {_ms(c.ttft_ms)}",
        f"  per output token  {_ms(c.tpot_ms)}",
        "",
        f"Decoding is limited by {c.limited_by}.",
    ]
    lines += [f"Note: {n}." for n in c.notes if not c.estimated or n != c.notes[0]]
    return "\n".join(lines)


def _ms(value: Any) -> str:
    if value is None:
        return "(none: the queue grows without end)"
    return f"{value:,.0f} ms" if value >= 100 else f"{value:,.3g} ms"
