"""Built-in plugin: the three options every team weighs (docs/principles.md, "The options")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from advisor import Option, hookimpl

OPTIONS = (
    Option(
        id="api",
        label="Call a hosted API",
        summary="Call a hosted vendor model and improve it with prompting, evals and caching; pay "
        "per token, no fixed cost.",
        effort=1,
    ),
    Option(
        id="self_host",
        label="Self-host an open model",
        summary="Run an open-weight model on GPUs you control with a serving stack such as vLLM; "
        "GPU hours and people whether used or not.",
        effort=2,
    ),
    Option(
        id="fine_tune",
        label="Fine-tune a model",
        summary="Adapt a model to the task with your own labelled data, then serve it; labelling and "
        "training runs repeated as base models improve.",
        effort=3,
    ),
    Option(
        id="hybrid",
        label="Route between a small model and the API",
        summary="Serve the easy share of calls on a small open model of your own and send the hard "
        "rest to a hosted API, with a router or cascade in front; GPUs for the share only, plus "
        "the router's upkeep.",
        effort=3,
    ),
)


@hookimpl
def advisor_options(register: Callable[[Any], None]) -> None:
    for option in OPTIONS:
        register(option)
