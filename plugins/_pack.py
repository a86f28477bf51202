"""Shared by the built-in rule packs: the essay's citation and examples loaded from data files."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from importlib.resources import files
from typing import Any

from advisor import Rule, examples_from_data, hookimpl
from advisor.core.base import yamlio

ESSAY = (
    'Yan, Bischof, Frye, Husain, Liu and Shankar, "What We Learned from a Year of Building with '
    "LLMs, Part III: Strategy\" (O'Reilly Radar, 2024)"
)
API, SELF_HOST, FINE_TUNE = "api", "self_host", "fine_tune"
HYBRID = "hybrid"  # the easy share on a small model of one's own, the rest on the API
ALL = (API, SELF_HOST, FINE_TUNE)
SINCE = "0.1.0"  # the release the built-in rules first appeared in; a rule added later says its own
# How a model did against the bar (pmf.prompting_result and the like): short of it, or measured.
SHORT = ("fails_bar", "partially_meets_bar")
MEASURED = ("fails_bar", "partially_meets_bar", "meets_bar")
PROVEN = ("pmf_validated", "scaling")  # pmf.stage once product-market fit is shown


def principle(*numbers: int) -> str:
    """A source line naming the advisor's principles (docs/principles.md)."""
    if len(numbers) == 1:
        return f"principle {numbers[0]} (docs/principles.md)"
    shown = ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"
    return f"principles {shown} (docs/principles.md)"


def result_words(result: str) -> str:
    return {
        "fails_bar": "falls well short of the bar",
        "partially_meets_bar": "gets close but misses the bar",
    }[result]


def with_examples(rules: list[Rule], pack: str) -> list[Rule]:
    """Attach the examples in ``examples/<pack>.yaml`` (keyed by rule code) to each rule."""
    resource = files("advisor_plugins") / "examples" / f"{pack}.yaml"
    data = yamlio.load_shipped(resource.read_text(encoding="utf-8"), str(resource)) or {}
    out = []
    for item in rules:
        out.append(dataclasses.replace(item, examples=examples_from_data(data.get(item.code, {}))))
    unknown = set(data) - {r.code for r in rules}
    if unknown:
        raise ValueError(
            f"{resource}: examples for rules this pack does not have: {sorted(unknown)}"
        )
    return out


def rules_hook(rules: list[Rule]) -> Callable[[Callable[[Any], None]], None]:
    """The ``advisor_rules`` hook implementation of a pack: it registers ``rules``."""

    @hookimpl
    def advisor_rules(register: Callable[[Any], None]) -> None:
        for item in rules:
            register(item)

    return advisor_rules
