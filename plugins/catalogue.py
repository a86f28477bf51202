"""Built-in plugin: the cost catalogue's figures (GPUs, serving, fine-tuning, people, trends)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from advisor import hookimpl
from advisor.costs.figures import built_in_sources


@hookimpl
def advisor_catalogue(register: Callable[[Any], None]) -> None:
    for source in built_in_sources():
        register(source)
