"""The registry: everything the plugins contribute, checked and stamped with the plugin that gave
it, and the faults of plugins that got something wrong. What the engine, the outputs and the UI read;
advisor/plugins/ finds and loads the plugins and fills it in."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from advisor.core.answers.questionnaire import Question, Section
from advisor.core.base.guard import Misbehaved, guarded, printed_message
from advisor.core.decision.memoparts import MemoSection
from advisor.core.decision.rules import Fact, Option, Rule

if TYPE_CHECKING:
    from advisor.costs.bill import Pricing
    from advisor.costs.catalogue import Catalogue


@dataclass
class PluginFault:
    """Something a plugin got wrong; reported by name while the rest keep working."""

    plugin: str
    where: str  # "load", a hook name, a rule code or a fact name
    message: str

    def render(self) -> str:
        return f"plugin {self.plugin} ({self.where}): {self.message}"

    @classmethod
    def slow(cls, plugin: str, where: str, took: str) -> PluginFault:
        """A hook, fact or rule that took longer than it should (``took``: "1.2 s", "60 ms")."""
        return cls(plugin, where, f"{SLOW_PREFIX}took {took} (used all the same)")

    @property
    def timing(self) -> bool:
        """A note on how long the plugin took on this machine, not on what it decided: shown
        where it runs, kept out of records (a memo) that must read the same on every machine."""
        return self.message.startswith(SLOW_PREFIX)


SLOW_PREFIX = "slow: "  # how PluginFault.slow begins its message


@dataclass
class PluginInfo:
    """One plugin as `advisor plugins` shows it."""

    name: str
    module: str
    distribution: str | None = None
    version: str | None = None
    origin: Literal["built-in", "entry point", "registered"] = "registered"
    contributes: dict[str, list[str]] = field(default_factory=dict)
    hooks: list[str] = field(default_factory=list)
    disabled: str = ""  # why it was not loaded: "--disable-plugin", "ADVISOR_PLUGINS", ...


def failure(exc: Exception) -> str:
    """What a plugin's failing call says: the exception, or what it did that it must not."""
    if isinstance(exc, Misbehaved):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


@dataclass
class Registry:
    """Everything the plugins contribute, validated and stamped with the plugin that gave it."""

    sections: list[Section]
    questions: dict[str, Question]
    options: dict[str, Option]
    facts: dict[str, Fact]
    rules: list[Rule]
    plugins: list[PluginInfo]
    faults: list[PluginFault]
    catalogue_entries: list[tuple[str, Any]] = field(default_factory=list, repr=False)
    memo_hooks: list[tuple[str, Callable[..., Any]]] = field(default_factory=list, repr=False)
    make_catalogue: Callable[[list[tuple[str, Any]], list[PluginFault]], Catalogue] | None = field(
        default=None, repr=False
    )
    pricings: list[Pricing] = field(default_factory=list, repr=False)  # how each option is billed
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def catalogue(self) -> Catalogue:
        """The cost catalogue, read from what plugins registered the first time it is asked for
        (by ``make_catalogue``, which the loader gives: the catalogue is the cost model's)."""
        built = self._cache.get("catalogue")
        if built is None:
            if self.make_catalogue is None:
                raise LookupError("this registry was built without a cost catalogue")
            built = self._cache["catalogue"] = self.make_catalogue(
                self.catalogue_entries, self.faults
            )
        return built

    def memo_sections(self, context: Any) -> tuple[list[MemoSection], list[PluginFault]]:
        """Every plugin's memo sections for one memo, one plugin at a time: a plugin that raises or
        gives something else is reported and the others' sections are kept."""
        sections: list[MemoSection] = []
        faults: list[PluginFault] = []
        seen: dict[str, str] = {}
        for plugin_name, function in self.memo_hooks:
            given: list[Any] = []
            said: list[str] = []
            try:
                guarded(function, context=context, register=given.append, printed=said.append)
            except Exception as exc:
                faults.append(PluginFault(plugin_name, "advisor_memo_sections", failure(exc)))
                continue
            finally:
                if said:
                    faults.append(
                        PluginFault(
                            plugin_name, "advisor_memo_sections", printed_message("".join(said))
                        )
                    )
            for item in given:
                if not isinstance(item, MemoSection):
                    faults.append(
                        PluginFault(
                            plugin_name,
                            "advisor_memo_sections",
                            f"expected MemoSection, got {type(item).__name__}",
                        )
                    )
                elif item.id in seen:
                    faults.append(
                        PluginFault(
                            plugin_name,
                            "advisor_memo_sections",
                            f"memo section {item.id!r} is already given by plugin "
                            f"{seen[item.id]}; ignored",
                        )
                    )
                else:
                    seen[item.id] = plugin_name
                    sections.append(dataclasses.replace(item, plugin=plugin_name))
        return sections, faults

    def trusted(self) -> frozenset[str]:
        """The advisor's own plugins (the built-ins), whose rules and facts run unguarded: their
        tests hold them to what the guard enforces on the others (advisor/core/base/guard.py), and an
        evaluation with the built-ins alone pays nothing for it."""
        found = self._cache.get("trusted")
        if found is None:
            found = self._cache["trusted"] = frozenset(
                p.name for p in self.plugins if p.origin == "built-in"
            ) | {"advisor"}
        return found

    def question(self, qid: str) -> Question:
        return self.questions[qid]

    def section(self, sid: str) -> Section:
        for section in self.sections:
            if section.id == sid:
                return section
        raise KeyError(sid)

    def rule(self, code: str) -> Rule:
        for item in self.rules:
            if item.code == code:
                return item
        raise KeyError(code)

    def questions_read(self) -> frozenset[str]:
        """The questions some rule reads, directly or through facts (worked out once)."""
        read = self._cache.get("questions_read")
        if read is None:
            read = self._cache["questions_read"] = self.inputs_of(
                r for rule in self.rules for r in rule.reads
            )
        return read

    def rule_inputs(self) -> list[frozenset[str]]:
        """For each rule, in order, every question and fact behind what it reads, following facts
        to what they read (worked out once)."""
        found = self._cache.get("rule_inputs")
        if found is None:
            found = self._cache["rule_inputs"] = [self._closure(r.reads) for r in self.rules]
        return found

    def _closure(self, reads: Iterable[str]) -> frozenset[str]:
        out: set[str] = set()
        stack = list(reads)
        while stack:
            key = stack.pop()
            if key in out:
                continue
            out.add(key)
            if key in self.facts:
                stack.extend(self.facts[key].reads)
        return frozenset(out)

    def inputs_of(self, reads: Iterable[str]) -> frozenset[str]:
        """The questions behind a list of reads, following facts to what they read."""
        return frozenset(key for key in self._closure(reads) if key in self.questions)
