"""Finding and loading plugins: the plugin manager, the entry points, the hook API a plugin asks
for, and each plugin's hook called one plugin at a time (with pluggy's wrappers and tracing)."""

from __future__ import annotations

import importlib.metadata
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pluggy

from advisor import hookspecs
from advisor.core.base.guard import guarded, printed_message
from advisor.core.decision.registry import PluginFault, PluginInfo, failure

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
    "advisor_bills",
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
