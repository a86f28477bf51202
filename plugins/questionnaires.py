"""Built-in plugin: the pmf, privacy, scale and cost questionnaire sections."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from typing import Any

from advisor import hookimpl

SECTIONS = ("pmf", "privacy", "scale", "cost")


@hookimpl
def advisor_sections(register: Callable[[Any], None]) -> None:
    folder = files("advisor_questionnaires")
    for name in SECTIONS:
        register(folder / f"{name}.yaml")
