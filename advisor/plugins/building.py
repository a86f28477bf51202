"""Building the registry: every plugin's hooks called, what they give checked, and the faults of
those that got something wrong (advisor/core/decision/registry.py holds the result)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Mapping
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import pluggy

from advisor.core.answers.questionnaire import Question, Section, provide_values
from advisor.core.answers.sectionfile import load_section
from advisor.core.base.guard import guarded, printed_message
from advisor.core.decision.registry import PluginFault, PluginInfo, Registry, failure
from advisor.core.decision.rules import RULED_OUT, STAGES, Fact, Option, Rule, ruled_out_fact
from advisor.errors import InputError
from advisor.plugins.loading import HOOKS, SLOW_SECONDS, _Loaded, _one_by_one, get_plugin_manager


def build_registry(pm: pluggy.PluginManager | None = None) -> Registry:
    """Call every plugin's hooks, one plugin at a time, and check what they give."""
    pm = pm or get_plugin_manager()
    loaded: _Loaded = getattr(pm, "_advisor_loaded", _Loaded())
    faults = list(loaded.faults)
    infos = dict(loaded.info)
    for name, plugin in pm.list_name_plugin():
        if name not in infos and plugin is not None:
            infos[name] = PluginInfo(name=name, module=getattr(plugin, "__name__", name))

    given: dict[str, list[tuple[str, Any]]] = {hook: [] for hook in HOOKS}
    for hook in HOOKS:
        # get_hookimpls() lists them in registration order (pluggy calls them in reverse); the
        # first plugin to give an id keeps it.
        for impl, one in _one_by_one(pm, hook):
            plugin_name = impl.plugin_name
            items: list[tuple[str, Any]] = []

            def register(
                item: Any, _items: list[tuple[str, Any]] = items, _name: str = plugin_name
            ) -> None:
                _items.append((_name, item))

            started = time.perf_counter()
            said: list[str] = []
            try:
                guarded(one, printed=said.append, register=register)
            except Exception as exc:
                faults.append(PluginFault(plugin_name, hook, failure(exc)))
                continue
            finally:
                if said:
                    faults.append(PluginFault(plugin_name, hook, printed_message("".join(said))))
            took = time.perf_counter() - started
            if took > SLOW_SECONDS:
                faults.append(PluginFault.slow(plugin_name, hook, f"{took:.1f} s"))
            given[hook].extend(items)
            if plugin_name in infos:
                infos[plugin_name].hooks.append(hook)

    from advisor.costs.values import VALUE_SOURCES

    for source, check in VALUE_SOURCES.items():
        provide_values(source, check)
    _expand_policies(given, faults)
    sections = _collect_sections(given["advisor_sections"], faults)
    questions = {q.qid: q for s in sections for q in s.questions}
    options = _collect_unique(given["advisor_options"], Option, "option", lambda o: o.id, faults)
    facts = _collect_facts(given["advisor_facts"], faults)
    pricings = _collect_pricings(given["advisor_bills"], options, questions, facts, infos, faults)
    rules_by_code = _collect_unique(given["advisor_rules"], Rule, "rule", lambda r: r.code, faults)
    if RULED_OUT in facts:
        faults.append(
            PluginFault(facts[RULED_OUT].plugin, RULED_OUT, "the engine gives this fact; ignored")
        )
    constraint_reads = [
        r
        for x in rules_by_code.values()
        if x.stage == "constraint"
        for r in x.reads
        if (r in questions or r in facts) and r != RULED_OUT
    ]
    facts[RULED_OUT] = ruled_out_fact(constraint_reads)
    _check_reads(facts, rules_by_code, questions, options, faults)
    for code, item in list(rules_by_code.items()):
        if item.stage == "constraint" and _reads_ruled_out(item.reads, facts):
            faults.append(
                PluginFault(
                    item.plugin,
                    code,
                    "a constraint rule reads ruled_out, which is known only once the constraint "
                    "rules have run; ignored (make it a gate)",
                )
            )
            del rules_by_code[code]

    for kind, store in (
        ("sections", sections),
        ("options", options.values()),
        ("facts", facts.values()),
        ("rules", rules_by_code.values()),
        ("bills", pricings),
    ):
        for item in store:
            owner = item.origin if isinstance(item, Section) else item.plugin
            label = (
                item.id
                if isinstance(item, Section | Option)
                else getattr(item, "code", getattr(item, "name", getattr(item, "option", "")))
            )
            for plugin_name in owner.split(","):
                if plugin_name in infos:
                    infos[plugin_name].contributes.setdefault(kind, []).append(label)
    for plugin_name, entry in given["advisor_catalogue"]:
        label = getattr(entry, "key", None) or getattr(entry, "name", None) or str(entry)
        if plugin_name in infos:
            infos[plugin_name].contributes.setdefault("catalogue", []).append(label)
    memo_hooks = []
    for impl, one in _one_by_one(pm, "advisor_memo_sections"):
        memo_hooks.append((impl.plugin_name, one))
        if impl.plugin_name in infos:
            infos[impl.plugin_name].hooks.append("advisor_memo_sections")
        if impl.plugin_name in infos:
            infos[impl.plugin_name].contributes.setdefault("memo", []).append("sections")
    order = {name: i for i, name in enumerate(n for n, _ in pm.list_name_plugin())}
    plugins = sorted(infos.values(), key=lambda p: order.get(p.name, len(order)))
    from advisor.costs.catalogue import build_catalogue

    return Registry(
        make_catalogue=build_catalogue,
        sections=sections,
        questions=questions,
        options=dict(sorted(options.items(), key=lambda kv: (kv[1].effort, kv[0]))),
        facts=facts,
        rules=sorted(rules_by_code.values(), key=lambda r: (STAGES.index(r.stage), r.code)),
        plugins=plugins,
        faults=faults,
        catalogue_entries=given["advisor_catalogue"],
        memo_hooks=memo_hooks,
        pricings=pricings,
    )


def _expand_policies(given: dict[str, list[tuple[str, Any]]], faults: list[PluginFault]) -> None:
    """A plugin may register a policy pack's path from ``advisor_rules``: its rules join the
    rules, its questions the sections, each stamped with that plugin."""
    from advisor.core.decision.policy import load_policy

    rules = []
    for plugin, item in given["advisor_rules"]:
        if not isinstance(item, Path | Traversable) or isinstance(item, Rule):
            rules.append((plugin, item))
            continue
        try:
            policy = load_policy(item)
        except InputError as exc:
            faults.append(PluginFault(plugin, "advisor_rules", str(exc)))
            continue
        rules += [(plugin, r) for r in policy.rules]
        given["advisor_sections"] += [(plugin, s) for s in policy.sections]
    given["advisor_rules"] = rules


def _collect_sections(given: list[tuple[str, Any]], faults: list[PluginFault]) -> list[Section]:
    bases: dict[str, Section] = {}
    extensions: list[Section] = []
    for plugin, item in given:
        try:
            if isinstance(item, Path | Traversable) and not isinstance(item, Section):
                section = load_section(item, origin=f"{plugin}:{getattr(item, 'name', item)}")
            elif isinstance(item, Section):
                section = item
            else:
                raise TypeError(f"expected a Section or a path, got {type(item).__name__}")
        except InputError as exc:
            faults.append(PluginFault(plugin, "advisor_sections", str(exc)))
            continue
        except (TypeError, OSError) as exc:
            faults.append(PluginFault(plugin, "advisor_sections", str(exc)))
            continue
        section = section.model_copy(update={"origin": plugin})
        if section.extends:
            extensions.append(section)
        elif section.id in bases:
            faults.append(
                PluginFault(
                    plugin,
                    "advisor_sections",
                    f"section {section.id!r} is already given by {bases[section.id].origin}; "
                    "set 'extends: true' to add questions to it",
                )
            )
        else:
            bases[section.id] = section
    for ext in extensions:
        base = bases.get(ext.id)
        if base is None:
            faults.append(
                PluginFault(
                    ext.origin,
                    "advisor_sections",
                    f"extends section {ext.id!r}, which no plugin gives",
                )
            )
            continue
        have = {q.id for q in base.questions}
        clash = [q.id for q in ext.questions if q.id in have]
        if clash:
            faults.append(
                PluginFault(
                    ext.origin,
                    "advisor_sections",
                    f"questions {', '.join(clash)} already exist in section {ext.id!r} "
                    f"(given by {base.origin})",
                )
            )
            continue
        merged = base.model_copy(
            update={
                "questions": base.questions + ext.questions,
                "origin": f"{base.origin},{ext.origin}",
            }
        )
        try:
            for qid, extra in ext.add_choices.items():
                merged = merged.with_choices(qid, extra)
        except ValueError as exc:
            faults.append(PluginFault(ext.origin, "advisor_sections", str(exc)))
            continue
        bases[ext.id] = merged
    return sorted(bases.values(), key=lambda s: (s.order, s.id))


def _collect_unique(
    given: list[tuple[str, Any]],
    kind: type,
    noun: str,
    key: Callable[[Any], str],
    faults: list[PluginFault],
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    hook = f"advisor_{noun}s"
    for plugin, item in given:
        if not isinstance(item, kind):
            faults.append(
                PluginFault(plugin, hook, f"expected {kind.__name__}, got {type(item).__name__}")
            )
            continue
        ident = key(item)
        if ident in out:
            faults.append(
                PluginFault(
                    plugin,
                    hook,
                    f"{noun} {ident!r} is already given by plugin {out[ident].plugin}; ignored",
                )
            )
            continue
        out[ident] = dataclasses.replace(item, plugin=plugin)  # type: ignore[type-var]
    return out


def _collect_facts(given: list[tuple[str, Any]], faults: list[PluginFault]) -> dict[str, Fact]:
    out: dict[str, Fact] = {}
    # A fact that replaces another is taken after every fact that does not, whatever the order
    # the plugins load in.
    ordered = sorted(given, key=lambda pair: isinstance(pair[1], Fact) and pair[1].replaces)
    for plugin, item in ordered:
        if not isinstance(item, Fact):
            faults.append(
                PluginFault(plugin, "advisor_facts", f"expected Fact, got {type(item).__name__}")
            )
            continue
        if item.name in out and not item.replaces:
            faults.append(
                PluginFault(
                    plugin,
                    "advisor_facts",
                    f"fact {item.name!r} is already given by plugin {out[item.name].plugin}; "
                    "set replaces=True to replace it",
                )
            )
            continue
        out[item.name] = dataclasses.replace(item, plugin=plugin)
    return out


def _collect_pricings(
    given: list[tuple[str, Any]],
    options: Mapping[str, Option],
    questions: Mapping[str, Question],
    facts: dict[str, Fact],
    infos: Mapping[str, PluginInfo],
    faults: list[PluginFault],
) -> list[Any]:
    """The pricings of options that exist, reading what some plugin gives; and from them the fact
    ``bills``, which the cost model gives (a plugin's fact of that name is ignored)."""
    from advisor.costs.bill import Pricing
    from advisor.costs.model import BILLS_FACT, bills_fact

    found = _collect_unique(given, Pricing, "bill", lambda p: p.option, faults)
    for option, pricing in list(found.items()):
        absent = [
            r
            for r in pricing.reads
            if (r not in questions and r not in facts) or r in (BILLS_FACT, RULED_OUT)
        ]
        why = None
        if option not in options:
            why = f"prices option {option!r}, which no plugin gives; ignored"
        elif absent:
            why = f"bill of {option} reads {', '.join(absent)}, which no plugin gives; ignored"
        if why:
            faults.append(PluginFault(pricing.plugin, "advisor_bills", why))
            del found[option]
    if BILLS_FACT in facts:
        faults.append(
            PluginFault(
                facts[BILLS_FACT].plugin, BILLS_FACT, "the cost model gives this fact; ignored"
            )
        )
        del facts[BILLS_FACT]
    pricings = list(found.values())
    if pricings:
        trusted = frozenset(p.name for p in infos.values() if p.origin == "built-in") | {"advisor"}
        facts[BILLS_FACT] = bills_fact(pricings, trusted)
    return pricings


def _reads_ruled_out(reads: Iterable[str], facts: dict[str, Fact]) -> bool:
    """Whether ``reads`` reach the ``ruled_out`` fact, directly or through other facts."""
    seen: set[str] = set()
    stack = list(reads)
    while stack:
        key = stack.pop()
        if key == RULED_OUT:
            return True
        if key in seen or key not in facts:
            continue
        seen.add(key)
        stack.extend(facts[key].reads)
    return False


def _check_reads(
    facts: dict[str, Fact],
    rules: dict[str, Rule],
    questions: dict[str, Question],
    options: dict[str, Option],
    faults: list[PluginFault],
) -> None:
    """Drop the facts and rules that read something no plugin gives, or name unknown options.

    Facts go first, until none is left out: a fact that reads a dropped fact is dropped too.
    """

    def missing(reads: tuple[str, ...]) -> str | None:
        absent = [r for r in reads if r not in questions and r not in facts]
        return f"reads {', '.join(absent)}, which no plugin gives; ignored" if absent else None

    dropped = True
    while dropped:
        dropped = False
        for name, fact in list(facts.items()):
            why = missing(fact.reads)
            if why:
                faults.append(PluginFault(fact.plugin, name, why))
                del facts[name]
                dropped = True
    for code, item in list(rules.items()):
        unknown = [o for o in item.options if o not in options]
        why = missing(item.reads) or (
            f"names options {', '.join(unknown)}, which no plugin gives; ignored"
            if unknown
            else None
        )
        if why:
            faults.append(PluginFault(item.plugin, code, why))
            del rules[code]
