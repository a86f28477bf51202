"""Finding and loading plugins: the plugin manager, entry points, and calling each plugin's hooks
one plugin at a time to fill in the registry (advisor/core/decision/registry.py)."""

from __future__ import annotations

import dataclasses
import importlib.metadata
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

from advisor import hookspecs
from advisor.core.answers.questionnaire import Question, Section, load_section, provide_values
from advisor.core.base.guard import guarded, printed_message
from advisor.core.decision.registry import PluginFault, PluginInfo, Registry, failure
from advisor.core.decision.rules import RULED_OUT, STAGES, Fact, Option, Rule, ruled_out_fact
from advisor.errors import InputError

if TYPE_CHECKING:
    pass

ENTRY_POINT_GROUP = "advisor"
HOOK_API = 1  # the version of the hook contract; a plugin may declare ADVISOR_HOOK_API it needs
SELECT_ENV = "ADVISOR_PLUGINS"  # load only these third-party plugins ("" for none)
TRACE_ENV = "ADVISOR_TRACE_PLUGINS"  # set (to anything) to trace every hook call on stderr
SLOW_SECONDS = 0.5  # a plugin's hook that takes longer is reported as slow (and still used)
HOOKS = (
    "advisor_sections",
    "advisor_options",
    "advisor_facts",
    "advisor_rules",
    "advisor_catalogue",
)


class _Loaded:
    """Entry-point plugins that loaded, and those that did not."""

    def __init__(self) -> None:
        self.info: dict[str, PluginInfo] = {}
        self.faults: list[PluginFault] = []


def get_plugin_manager(
    *,
    entry_points: bool = True,
    plugins: Iterable[object] = (),
    policies: Iterable[Path] = (),
    disabled: Iterable[str] = (),
    only: Iterable[str] | None = None,
) -> pluggy.PluginManager:
    """A new plugin manager: the installed entry-point plugins (built-ins included), ``plugins``,
    and the policy packs at ``policies`` (YAML rules, see advisor/core/decision/policy.py).

    Each entry point is loaded on its own, so one that fails to import is reported by name (in
    the registry's ``faults``) and the rest still load. A policy pack that cannot be read is an
    InputError naming its file and line: the user named it, so it is not skipped.

    ``disabled`` names plugins not to load (built-in ones included, by their names in `advisor
    plugins`); ``only``, or else the ADVISOR_PLUGINS environment variable (names separated by
    commas; empty for none), limits the third-party plugins loaded. A plugin left out is never
    imported. A plugin that declares ``ADVISOR_HOOK_API`` (a version or a list of them) not
    including :data:`HOOK_API` is reported and not used.
    """
    pm = pluggy.PluginManager("advisor")
    pm.add_hookspecs(hookspecs)
    if os.environ.get(TRACE_ENV):
        pm.add_hookcall_monitoring(_trace_before, _trace_after)
    loaded = _Loaded()
    pm._advisor_loaded = loaded  # type: ignore[attr-defined]
    if only is None and SELECT_ENV in os.environ:
        only = [n.strip() for n in os.environ[SELECT_ENV].split(",") if n.strip()]
    if entry_points:
        _load_entry_points(pm, loaded, set(disabled), None if only is None else set(only))
    from advisor.core.decision.policy import PolicyPlugin, load_policy

    unique = {Path(path).resolve(): Path(path) for path in policies}  # a pack named twice: once
    plugins = [*plugins, *(PolicyPlugin(load_policy(path)) for path in unique.values())]
    for plugin in plugins:
        if pm.is_registered(plugin):  # installed and also given (a plugin's own tests): once
            continue
        name = getattr(plugin, "__name__", None) or type(plugin).__name__
        pm.register(plugin, name=name)
        loaded.info[name] = PluginInfo(
            name=name, module=getattr(plugin, "__module__", name) or name
        )
    return pm


def _compatible(module: object) -> str | None:
    """Why a plugin cannot be used with this hook API, or None when it can."""
    need = getattr(module, "ADVISOR_HOOK_API", None)
    if need is None:
        return None
    wanted = need if isinstance(need, list | tuple | set) else [need]
    if HOOK_API in wanted:
        return None
    shown = ", ".join(str(v) for v in wanted)
    return (
        f"needs hook API {shown}; this advisor provides hook API {HOOK_API}: install a release "
        "of the plugin made for it, or an advisor that provides its API"
    )


def _load_entry_points(
    pm: pluggy.PluginManager, loaded: _Loaded, disabled: set[str], only: set[str] | None
) -> None:
    found = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    # Each read of ``dist.metadata`` parses the whole METADATA file again (the README included):
    # read it once per distribution, for its name and version, not twice per entry point.
    described: dict[int, tuple[str, str]] = {}
    rows = []
    for ep in found:
        dist = getattr(ep, "dist", None)
        dist_name = version = None
        if dist is not None:
            if id(dist) not in described:
                metadata = dist.metadata
                described[id(dist)] = (metadata["Name"], metadata["Version"])
            dist_name, version = described[id(dist)]
        builtin = dist_name == "advisor"
        rows.append((not builtin, dist_name or "", ep.name, ep, version))
    for not_builtin, dist_name, _, ep, version in sorted(rows, key=lambda r: r[:3]):
        name = ep.name if not not_builtin else f"{dist_name}:{ep.name}" if dist_name else ep.name
        info = PluginInfo(
            name=name,
            module=ep.value,
            distribution=dist_name,
            version=version,
            origin="built-in" if not not_builtin else "entry point",
        )
        if name in disabled or (not_builtin and dist_name in disabled):
            info.disabled = "disabled"
        elif not_builtin and only is not None and not ({name, dist_name} & only):
            info.disabled = f"not in {SELECT_ENV}" if SELECT_ENV in os.environ else "not chosen"
        if info.disabled:
            loaded.info[name] = info
            continue
        if pm.has_plugin(name):
            loaded.faults.append(PluginFault(name, "load", "two entry points share this name"))
            continue
        said: list[str] = []
        try:
            # Importing it runs its module's code: with hands tied, like its hooks.
            module = guarded(ep.load, printed=said.append)
            why = _compatible(module)
            if why:
                loaded.faults.append(PluginFault(name, "load", why))
                continue
            pm.register(module, name=name)
        except Exception as exc:  # a broken plugin must not take the rest down
            loaded.faults.append(PluginFault(name, "load", failure(exc)))
            continue
        finally:
            if said:
                loaded.faults.append(PluginFault(name, "load", printed_message("".join(said))))
        loaded.info[name] = info


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
    ):
        for item in store:
            owner = item.origin if isinstance(item, Section) else item.plugin
            label = (
                item.id
                if isinstance(item, Section | Option)
                else getattr(item, "code", getattr(item, "name", ""))
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
    )


def _trace_before(hook: str, impls: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
    """With ADVISOR_TRACE_PLUGINS set: each hook call, and the plugins it calls, on stderr."""
    names = ", ".join(i.plugin_name for i in impls) or "no plugin"
    sys.stderr.write(f"advisor: trace: {hook} -> {names}\n")


def _trace_after(outcome: Any, hook: str, impls: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
    failed = outcome.exception
    how = f"raised {type(failed).__name__}: {failed}" if failed is not None else "done"
    sys.stderr.write(f"advisor: trace: {hook} <- {how}\n")


def _one_by_one(pm: pluggy.PluginManager, hook: str) -> list[tuple[Any, Any]]:
    """Each plugin's implementation of ``hook`` with a hook caller of its own, in registration
    order: pluggy calls it (with any wrapper implementations around it, and its tracing), and a
    plugin that fails fails alone. A wrapper contributes by wrapping, not on its own."""
    caller = getattr(pm.hook, hook)
    impls = caller.get_hookimpls()
    wrappers = {i.plugin_name for i in impls if i.wrapper or i.hookwrapper}
    named = pm.list_name_plugin()
    out = []
    for impl in impls:
        if impl.plugin_name in wrappers:
            continue
        others = [p for name, p in named if name != impl.plugin_name and name not in wrappers]
        out.append((impl, pm.subset_hook_caller(hook, remove_plugins=others)))
    return out


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


__all__ = [
    "ENTRY_POINT_GROUP",
    "HOOK_API",
    "build_registry",
    "get_plugin_manager",
]
