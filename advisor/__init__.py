"""advisor: decide how to adopt a large language model. This module is what plugins import.

Each name is imported when it is first used, so that a command that needs little (``advisor
--help``) imports little; ``from advisor import rule`` works as ever.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from advisor.version import __version__

if TYPE_CHECKING:
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
    from advisor.costs.figures import Figure
    from advisor.errors import AdvisorError, InputError, Problem
    from advisor.hookspecs import hookimpl
    from advisor.plugins import HOOK_API, build_registry, get_plugin_manager

_WHERE = {
    "AnswersFile": "advisor.core.answers.document",
    "load_answers": "advisor.core.answers.document",
    "parse_answers": "advisor.core.answers.document",
    "Choice": "advisor.core.answers.questionnaire",
    "Question": "advisor.core.answers.questionnaire",
    "Section": "advisor.core.answers.questionnaire",
    "load_section": "advisor.core.answers.sectionfile",
    "Decision": "advisor.core.decision.engine",
    "FactView": "advisor.core.decision.facts",
    "MemoContext": "advisor.core.decision.memoparts",
    "MemoSection": "advisor.core.decision.memoparts",
    "PluginFault": "advisor.core.decision.registry",
    "Registry": "advisor.core.decision.registry",
    "Example": "advisor.core.decision.rules",
    "Fact": "advisor.core.decision.rules",
    "Facts": "advisor.core.decision.rules",
    "Finding": "advisor.core.decision.rules",
    "Option": "advisor.core.decision.rules",
    "Rule": "advisor.core.decision.rules",
    "examples_from_data": "advisor.core.decision.rules",
    "hold": "advisor.core.decision.rules",
    "note": "advisor.core.decision.rules",
    "points": "advisor.core.decision.rules",
    "rule": "advisor.core.decision.rules",
    "veto": "advisor.core.decision.rules",
    "evaluate": "advisor.core.evaluation",
    "Line": "advisor.costs.bill",
    "OptionCost": "advisor.costs.bill",
    "Pricing": "advisor.costs.bill",
    "AdvisorError": "advisor.errors",
    "InputError": "advisor.errors",
    "Problem": "advisor.errors",
    "hookimpl": "advisor.hookspecs",
    "HOOK_API": "advisor.plugins",
    "build_registry": "advisor.plugins",
    "get_plugin_manager": "advisor.plugins",
    "Figure": "advisor.costs.figures",
}


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'advisor' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # found once; later reads do not come here
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])


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
