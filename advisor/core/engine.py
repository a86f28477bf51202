"""Evaluation: resolve answers, run every rule, apply vetoes, rank options and judge confidence."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from advisor.core.rules import Fact, Finding, Rule
from advisor.plugins import PluginFault, Registry

if TYPE_CHECKING:
    from advisor.costs.catalogue import Catalogue

# Confidence from the margin between the first and second option, in points.
# A rule that takes longer than this in an evaluation is named as slow (its findings still count).
SLOW_RULE_SECONDS = 0.05
HIGH_MARGIN = 4
MEDIUM_MARGIN = 2


class FactView:
    """The read-only view rules and facts get: answers by ``section.id``, derived facts by name."""

    __slots__ = ("_cache", "_catalogue", "_computing", "_facts", "_faults", "_values")

    def __init__(
        self,
        values: Mapping[str, Any],
        facts: Mapping[str, Fact],
        catalogue: Callable[[], Any] | None = None,
    ):
        self._values = values
        self._facts = facts
        self._catalogue = catalogue
        self._cache: dict[str, Any] = {}
        self._faults: list[PluginFault] = []
        self._computing: set[str] = set()

    @property
    def catalogue(self) -> Catalogue:
        """The cost catalogue in effect for this evaluation (overrides applied), read on first use."""
        if self._catalogue is None:
            raise LookupError("this evaluation has no cost catalogue")
        return self._catalogue()

    def __getitem__(self, key: str) -> Any:
        values = self._values
        if key in values:
            return values[key]
        cache = self._cache
        if key in cache:
            return cache[key]
        fact = self._facts.get(key)
        if fact is None:
            raise KeyError(f"no question or fact named {key!r}")
        if key in self._computing:
            raise RecursionError(f"fact {key!r} depends on itself")
        self._computing.add(key)
        try:
            value = fact.compute(self)
        except RecursionError:
            raise
        except Exception as exc:
            self._faults.append(PluginFault(fact.plugin, key, f"{type(exc).__name__}: {exc}"))
            value = None
        finally:
            self._computing.discard(key)
        cache[key] = value
        return value

    def get(self, key: str, default: Any = None) -> Any:
        value = self[key]
        return default if value is None else value


@dataclass(frozen=True)
class Resolved:
    """Answers with defaults filled in: what was answered, assumed, or is unknown."""

    values: dict[str, Any]
    answered: tuple[str, ...]
    assumed: tuple[str, ...]
    unknown: tuple[str, ...]
    hidden: tuple[str, ...]  # answered although the questionnaire would not ask them


def resolve(registry: Registry, answers: Mapping[str, Any]) -> Resolved:
    values: dict[str, Any] = {}
    answered, assumed, unknown = [], [], []
    for qid, q in registry.questions.items():
        if qid in answers and answers[qid] is not None:
            values[qid] = answers[qid]
            answered.append(qid)
        elif q.default is not None:
            values[qid] = q.coerce(q.default)
            assumed.append(qid)
        else:
            values[qid] = None
            unknown.append(qid)
    hidden = tuple(qid for qid in answered if not registry.questions[qid].is_visible(values))
    return Resolved(values, tuple(answered), tuple(assumed), tuple(unknown), hidden)


@dataclass
class RuleResult:
    rule: Rule
    findings: list[Finding]
    error: str | None = None

    @property
    def fired(self) -> bool:
        return bool(self.findings)


@dataclass
class OptionResult:
    id: str
    label: str
    score: float = 0
    vetoes: list[tuple[Rule, Finding]] = field(default_factory=list)
    reasons: list[tuple[Rule, Finding]] = field(default_factory=list)

    @property
    def eliminated(self) -> bool:
        return bool(self.vetoes)


@dataclass
class Unknown:
    """An unanswered (or assumed) question whose answer could change the recommendation."""

    question: str
    assumed: Any  # the default used, or None when unknown
    outcomes: dict[str, str | None]  # a value it could take -> the recommendation it would give


@dataclass
class Decision:
    recommendation: str | None
    ranking: list[str]
    options: dict[str, OptionResult]
    results: list[RuleResult]
    resolved: Resolved
    margin: float | None
    faults: list[PluginFault]
    view: FactView | None = field(default=None, repr=False)
    unknowns: list[Unknown] = field(default_factory=list)
    confidence: str = "low"
    confidence_reason: str = ""

    @property
    def facts(self) -> dict[str, Any]:
        """Every derived fact by name, computed on first use: rules compute only what they read,
        and the output shows the rest, so the cost of the others is paid only for output."""
        view = self.view
        if view is None:
            return {}
        known = len(view._faults)
        values = {name: view[name] for name in view._facts}
        self.faults.extend(view._faults[known:])
        return values

    @property
    def fired(self) -> list[RuleResult]:
        return [r for r in self.results if r.fired]


def evaluate(
    registry: Registry,
    answers: Mapping[str, Any],
    *,
    explore: bool = True,
    catalogue: Catalogue | None = None,
) -> Decision:
    """Evaluate answers (``{"pmf.stage": "idea", ...}``) with every rule in the registry.

    With ``explore`` the engine also tries other values for each unknown or assumed question that a
    rule reads, and reports those that would change the recommendation.
    """
    resolved = resolve(registry, answers)
    decision = _decide(registry, resolved, _catalogue_of(registry, catalogue), timed=True)
    if explore:
        decision.unknowns = _unknowns(
            registry, resolved, decision.recommendation, _catalogue_of(registry, catalogue)
        )
    decision.confidence, decision.confidence_reason = _confidence(decision)
    return decision


def _catalogue_of(registry: Registry, given: Catalogue | None) -> Callable[[], Catalogue]:
    """The catalogue to use: the one given (with a user's overrides), else the registry's."""
    if given is not None:
        return lambda: given
    return lambda: registry.catalogue


def _decide(
    registry: Registry,
    resolved: Resolved,
    catalogue: Callable[[], Catalogue] | None = None,
    timed: bool = False,
) -> Decision:
    view = FactView(resolved.values, registry.facts, catalogue)
    options = {oid: OptionResult(oid, o.label) for oid, o in registry.options.items()}
    results: list[RuleResult] = []
    faults: list[PluginFault] = []
    clock = time.perf_counter
    for item in registry.rules:
        try:
            started = clock() if timed else 0.0
            found = item.run(view)
            if timed and clock() - started > SLOW_RULE_SECONDS:
                took = (clock() - started) * 1000
                faults.append(
                    PluginFault(
                        item.plugin, item.code, f"slow: took {took:.0f} ms (used all the same)"
                    )
                )
            for f in found:
                if f.option is not None and f.option not in options:
                    raise ValueError(f"finding names unknown option {f.option!r}")
        except Exception as exc:  # one broken rule must not stop the evaluation
            message = f"{type(exc).__name__}: {exc}"
            faults.append(PluginFault(item.plugin, item.code, message))
            results.append(RuleResult(item, [], message))
            continue
        results.append(RuleResult(item, found))
        for f in found:
            if f.option is None:
                continue
            target = options[f.option]
            if f.kind == "veto":
                target.vetoes.append((item, f))
            else:
                target.reasons.append((item, f))
                target.score += f.points
    effort = {oid: o.effort for oid, o in registry.options.items()}
    ranking = sorted(
        (oid for oid, o in options.items() if not o.eliminated),
        key=lambda oid: (-options[oid].score, effort[oid], oid),
    )
    margin = None
    if len(ranking) >= 2:
        margin = options[ranking[0]].score - options[ranking[1]].score
    faults.extend(view._faults)
    return Decision(
        recommendation=ranking[0] if ranking else None,
        ranking=ranking,
        options=options,
        results=results,
        resolved=resolved,
        margin=margin,
        faults=faults,
        view=view,
    )


def _candidates(registry: Registry, qid: str) -> Iterable[Any]:
    q = registry.questions[qid]
    if q.probe:
        return [q.coerce(v) for v in q.probe]
    if q.type == "bool":
        return [True, False]
    if q.type == "choice":
        return list(q.choice_values)
    return []


def _unknowns(
    registry: Registry,
    resolved: Resolved,
    current: str | None,
    catalogue: Callable[[], Catalogue] | None = None,
) -> list[Unknown]:
    read = registry.questions_read()
    out = []
    for qid in (*resolved.unknown, *resolved.assumed):
        if qid not in read:
            continue
        outcomes: dict[str, str | None] = {}
        base = resolved.values[qid]
        for value in _candidates(registry, qid):
            if value == base:
                continue
            values = dict(resolved.values)
            values[qid] = value
            trial = Resolved(values, resolved.answered, resolved.assumed, resolved.unknown, ())
            got = _decide(registry, trial, catalogue).recommendation
            if got != current:
                outcomes[_show(value)] = got
        if outcomes:
            out.append(Unknown(qid, base, outcomes))
    return out


def _confidence(decision: Decision) -> tuple[str, str]:
    """The confidence level and, in words, what set it."""
    rec = decision.recommendation
    if rec is None:
        return "none", "every option is ruled out"
    if decision.margin is None:  # the only option left standing
        score = decision.options[rec].score
        if score < 0:
            level, reason = (
                "medium",
                f"the only option not ruled out, though the rules count against it: score {score:g}",
            )
        else:
            level, reason = "high", "the only option not ruled out"
    elif decision.margin >= HIGH_MARGIN:
        level, reason = "high", f"a margin of {decision.margin:g} points over the next option"
    elif decision.margin >= MEDIUM_MARGIN:
        level, reason = "medium", f"a margin of {decision.margin:g} points over the next option"
    else:
        level, reason = (
            "low",
            (
                "a tie on points with the next option; the option that takes less effort ranks first"
                if decision.margin == 0
                else f"a margin of only {decision.margin:g} points over the next option"
            ),
        )
    if decision.unknowns and level == "high":
        count = len(decision.unknowns)
        level = "medium"
        which = "answer" if count == 1 else "answers"
        reason += f"; lowered from high: {count} unanswered or assumed {which} could change it"
    return level, reason


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)
