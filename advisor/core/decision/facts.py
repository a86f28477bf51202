"""The read-only view that rules and derived facts get in an evaluation: answers by ``section.id``
and derived facts by name, each fact computed on first read, guarded and timed."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from advisor.core.base.guard import Misbehaved, call, frozen, printed_message, shielded
from advisor.core.decision.registry import PluginFault
from advisor.core.decision.rules import Fact

if TYPE_CHECKING:
    from advisor.costs.catalogue import Catalogue

# A rule that takes longer than this in an evaluation is named as slow (its findings still count).
SLOW_RULE_SECONDS = 0.05


class FactView:
    """The read-only view rules and facts get: answers by ``section.id``, derived facts by name."""

    __slots__ = (
        "_cache",
        "_catalogue",
        "_computing",
        "_facts",
        "_faults",
        "_nested",
        "_stopped",
        "_timed",
        "_trusted",
        "_values",
        "fact_seconds",
    )

    def __init__(
        self,
        values: Mapping[str, Any],
        facts: Mapping[str, Fact],
        catalogue: Callable[[], Any] | None = None,
        timed: bool = False,
        stopped: dict[str, str] | None = None,
        trusted: frozenset[str] = frozenset(),
    ):
        self._values = values
        self._facts = facts
        self._stopped = {} if stopped is None else stopped  # facts stopped at their time limit
        self._trusted = trusted  # plugins whose facts run unguarded (the built-ins)
        self._catalogue = catalogue
        self._cache: dict[str, Any] = {}
        self._faults: list[PluginFault] = []
        self._computing: set[str] = set()
        self._timed = timed
        self._nested = 0.0  # time of the facts a fact being computed read in turn
        self.fact_seconds = 0.0  # time spent computing facts at the top level

    @property
    def catalogue(self) -> Catalogue:
        """The cost catalogue in effect for this evaluation (overrides applied), read on first use."""
        if self._catalogue is None:
            raise LookupError("this evaluation has no cost catalogue")
        return self._catalogue()

    @shielded
    def __getitem__(self, key: str) -> Any:
        values = self._values
        if key in values:
            value = values[key]
            # Rules and facts get read-only answers, so that one cannot change what another reads.
            return frozen(value) if type(value) in _CONTAINERS else value
        cache = self._cache
        if key in cache:
            return cache[key]
        fact = self._facts.get(key)
        if fact is None:
            raise KeyError(f"no question or fact named {key!r}")
        if key in self._computing:
            raise FactCycle(key)
        if key in self._stopped:
            self._faults.append(PluginFault(fact.plugin, key, self._stopped[key]))
            cache[key] = None
            return None
        self._computing.add(key)
        if self._timed:
            outer, self._nested = self._nested, 0.0
            started = time.perf_counter()
        said: list[str] = []
        try:
            if fact.plugin in self._trusted:
                value = fact.compute(self)
            else:
                value = call(fact.compute, self, said)
            if type(value) in _CONTAINERS:
                value = frozen(value)
        except FactCycle as exc:
            if exc.fact != key:
                raise  # the fact that reads itself is the one to name
            self._faults.append(PluginFault(fact.plugin, key, str(exc)))
            value = None
        except Misbehaved as exc:
            if exc.kind == "time":
                self._stopped[key] = str(exc)
            self._faults.append(PluginFault(fact.plugin, key, str(exc)))
            value = None
        except Exception as exc:
            self._faults.append(PluginFault(fact.plugin, key, f"{type(exc).__name__}: {exc}"))
            value = None
        finally:
            if said:
                self._faults.append(PluginFault(fact.plugin, key, printed_message("".join(said))))
            self._computing.discard(key)
            if self._timed:
                took = time.perf_counter() - started
                own = took - self._nested
                self._nested = outer + took
                if len(self._computing) == 0:
                    self.fact_seconds += took
                # Only a plugin's own facts are timed for the user: the advisor's and the
                # built-ins' are held to their speed by the benchmarks, not blamed on a busy machine.
                slow = own > SLOW_RULE_SECONDS and fact.plugin not in self._trusted
                if slow and key not in self._stopped:
                    self._faults.append(PluginFault.slow(fact.plugin, key, f"{own * 1000:.0f} ms"))
        cache[key] = value
        return value

    @shielded
    def get(self, key: str, default: Any = None) -> Any:
        value = self[key]
        return default if value is None else value

    def report(self, plugin: str, where: str, message: str) -> None:
        """Record what a plugin got wrong inside a fact the advisor computes for it (a pricing's
        bill inside the fact ``bills``): the evaluation names it as that plugin's fault."""
        self._faults.append(PluginFault(plugin, where, message))


class FactCycle(Exception):
    """A fact that reads itself, directly or through other facts."""

    def __init__(self, fact: str):
        super().__init__(f"fact {fact!r} reads itself, directly or through the facts it reads")
        self.fact = fact


_CONTAINERS = frozenset({list, dict, set})  # what frozen() changes (subclasses aside)
