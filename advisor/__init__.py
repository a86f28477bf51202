"""advisor: decide how to adopt a large language model. This module is what plugins import."""

from __future__ import annotations

from advisor.core.answers.document import AnswersFile, load_answers, parse_answers
from advisor.core.answers.questionnaire import Choice, Question, Section
from advisor.core.answers.sectionfile import load_section
from advisor.core.decision.engine import Decision
from advisor.core.decision.facts import FactView
from advisor.core.decision.memoparts import MemoContext, MemoSection
from advisor.core.decision.registry import PluginFault, Registry
from advisor.core.decision.rules import (
    Example,
    Fact,
    Facts,
    Finding,
    Option,
    Rule,
    examples_from_data,
    hold,
    note,
    points,
    rule,
    veto,
)
from advisor.core.evaluation import evaluate
from advisor.costs.bill import Line, OptionCost, Pricing
from advisor.errors import AdvisorError, InputError, Problem
from advisor.hookspecs import hookimpl
from advisor.plugins import HOOK_API, build_registry, get_plugin_manager
from advisor.version import __version__


def __getattr__(name: str) -> object:
    # The cost catalogue's model loads on first use: most commands never need it.
    if name == "Figure":
        from advisor.costs.figures import Figure

        return Figure
    raise AttributeError(f"module 'advisor' has no attribute {name!r}")


__all__ = [
    "HOOK_API",
    "AdvisorError",
    "AnswersFile",
    "Choice",
    "Decision",
    "Example",
    "Fact",
    "FactView",
    "Facts",
    "Figure",
    "Finding",
    "InputError",
    "Line",
    "MemoContext",
    "MemoSection",
    "Option",
    "OptionCost",
    "PluginFault",
    "Pricing",
    "Problem",
    "Question",
    "Registry",
    "Rule",
    "Section",
    "__version__",
    "build_registry",
    "evaluate",
    "examples_from_data",
    "get_plugin_manager",
    "hold",
    "hookimpl",
    "load_answers",
    "load_section",
    "note",
    "parse_answers",
    "points",
    "rule",
    "veto",
]
