"""Evaluation: resolve answers, run the rules stage by stage, rank the options, and build the outcome."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from advisor.core.base.guard import Misbehaved, call, printed_message, ticking
from advisor.core.decision.facts import SLOW_RULE_SECONDS, FactView
from advisor.core.decision.registry import PluginFault, Registry
from advisor.core.decision.rules import RULED_OUT, Finding, Rule

if TYPE_CHECKING:
    from advisor.costs.catalogue import Catalogue


def _checked(found: list[Finding], options: Mapping[str, Any]) -> list[Finding]:
    """A rule's findings, each naming an option the registry has (a Finding checks the rest of
    itself when it is made)."""
    for f in found:
        if f.option is not None and f.option not in options:
            raise ValueError(f"finding names unknown option {f.option!r}")
    return found


@dataclass(frozen=True)
class Resolved:
    """Answers with defaults filled in: what was answered, assumed, or is unknown."""

    values: dict[str, Any]
    answered: tuple[str, ...]
    assumed: tuple[str, ...]
    unknown: tuple[str, ...]
    hidden: tuple[str, ...]  # answered although the questionnaire would not ask them

    def trial(self, changes: Mapping[str, Any]) -> Resolved:
        """These answers with ``changes`` applied, for a trial decision (a flip, an unknown, a
        step of a plan, a point of a sweep): the same questions answered, assumed and unknown."""
        return Resolved({**self.values, **changes}, self.answered, self.assumed, self.unknown, ())


def resolve(registry: Registry, answers: Mapping[str, Any]) -> Resolved:
    """The answers with each question's default where one is not answered, and which questions
    were answered, assumed (a default) or left unknown."""
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


# Where an option fell in the decision procedure, in the order the stages run, and in words.
FELL_AT = {
    "constraint": "ruled out",
    "gate": "held back",
    "economics": "costs more",
    "preference": "fewer points",
}


@dataclass
class OptionResult:
    id: str
    label: str
    score: float = 0  # every point for and against: economics and preferences together
    vetoes: list[tuple[Rule, Finding]] = field(default_factory=list)
    holds: list[tuple[Rule, Finding]] = field(default_factory=list)
    reasons: list[tuple[Rule, Finding]] = field(default_factory=list)  # points and notes
    economics: float = 0  # the part of the score that the economics stage gave
    fell_at: Literal["", "constraint", "gate", "economics", "preference"] = ""  # "": recommended
    fell_because: str = ""

    @property
    def eliminated(self) -> bool:
        return bool(self.vetoes)

    @property
    def held(self) -> bool:
        return bool(self.holds)

    @property
    def preferences(self) -> float:
        """The part of the score that is not the economics stage's."""
        return self.score - self.economics

    @property
    def standing(self) -> str:
        """Where it fell and why, in words ("" for the recommendation): "held back (gates): ..."."""
        if not self.fell_at:
            return ""
        return f"{FELL_AT[self.fell_at]} ({self.fell_at}): {self.fell_because}"


@dataclass
class Unknown:
    """An unanswered (or assumed) question whose answer could change the recommendation."""

    question: str
    assumed: Any  # the default used, or None when unknown
    outcomes: dict[str, str | None]  # a value it could take -> the recommendation it would give


@dataclass
class Decision:
    """The outcome of one evaluation, built once: every output renders it and recomputes nothing.

    ``recommendation`` and ``ranking`` come from the staged procedure (constraints, gates,
    economics, preferences). With ``explore`` the engine also fills in the unknowns that could
    change it, the flips, the revisit date and the confidence those give.
    """

    recommendation: str | None
    ranking: list[str]
    options: dict[str, OptionResult]
    results: list[RuleResult]
    resolved: Resolved
    margin: float | None
    faults: list[PluginFault]
    view: FactView | None = field(default=None, repr=False)
    unknowns: list[Unknown] = field(default_factory=list)
    confidence: Literal["low", "medium", "high"] = "low"
    confidence_reason: str = ""
    costs: Any = None  # the cost model's bills (advisor.costs.model.Costs), or None
    cost_error: str | None = None  # why there are no bills, when there are none
    flips: list[Any] | None = (
        None  # advisor.core.exploration.flips.Flip, nearest first; None: not explored
    )
    revisit: Any = None  # advisor.core.exploration.revisit.Revisit
    plan: Any = None  # advisor.core.exploration.plan.Plan: today's step and those after it
    robustness: Any = (
        None  # advisor.core.exploration.confidence.Robustness: what set the confidence
    )
    explored: bool = False

    @property
    def facts(self) -> dict[str, Any]:
        """Every derived fact by name, computed on first use: rules compute only what they read,
        and the output shows the rest, so the cost of the others is paid only for output."""
        view = self.view
        if view is None:
            return {}
        known = len(view._faults)
        values = {name: view[name] for name in view._facts if name not in HIDDEN_FACTS}
        self.faults.extend(view._faults[known:])
        return values

    def fact(self, name: str) -> Any:
        """One derived fact, worked out if no rule read it (None when no fact has that name): for
        an output that shows a single fact without paying for every other."""
        view = self.view
        if view is None or name not in view._facts or name in HIDDEN_FACTS:
            return None
        known = len(view._faults)
        value = view[name]
        self.faults.extend(view._faults[known:])
        return value

    @property
    def fired(self) -> list[RuleResult]:
        return [r for r in self.results if r.fired]

    @property
    def runner_up(self) -> str | None:
        return self.ranking[1] if len(self.ranking) > 1 else None


HIDDEN_FACTS = frozenset({"bills"})  # facts that are objects, shown through the costs instead


def catalogue_source(registry: Registry, given: Catalogue | None) -> Callable[[], Catalogue]:
    """The catalogue to use: the one given (with a user's overrides), else the registry's."""
    if given is not None:
        return lambda: given
    return lambda: registry.catalogue


def decide(
    registry: Registry,
    resolved: Resolved,
    catalogue: Callable[[], Catalogue] | None = None,
    timed: bool = False,
    *,
    base: Decision | None = None,
    changed: frozenset[str] = frozenset(),
) -> Decision:
    """The staged procedure: constraint rules first (what they rule out becomes the fact
    ``ruled_out``), then gates, economics and preferences; then the ranking: options not ruled out,
    those held back by fewer gates first, then by points, then by effort.

    Given ``base``, a decision for the same answers but the questions (or facts) in ``changed``, a
    rule that reads none of those, directly or through facts, keeps its findings from ``base``
    instead of running again: how the flips try hundreds of changes fast.
    """
    with ticking():  # armed once for all its rules (flips and sweeps call it hundreds of times)
        return _run_rules(registry, resolved, catalogue, timed, base, changed)


def _run_rules(
    registry: Registry,
    resolved: Resolved,
    catalogue: Callable[[], Catalogue] | None,
    timed: bool,
    base: Decision | None,
    changed: frozenset[str],
) -> Decision:
    stopped: dict[str, str] = registry._cache.setdefault("stopped", {})
    trusted = registry.trusted()
    said: list[str] = []  # what the rule just run printed
    view = FactView(resolved.values, registry.facts, catalogue, timed, stopped, trusted)
    options = {oid: OptionResult(oid, o.label) for oid, o in registry.options.items()}
    results: list[RuleResult] = []
    faults: list[PluginFault] = []
    clock = time.perf_counter
    constraints_done = False
    inputs = registry.rule_inputs() if base is not None else None
    for i, item in enumerate(registry.rules):  # in stage order (build_registry sorts them)
        if not constraints_done and item.stage != "constraint":
            view._cache[RULED_OUT] = frozenset(o for o, r in options.items() if r.vetoes)
            constraints_done = True
        if inputs is not None and base is not None and not inputs[i] & changed:
            kept = base.results[i]
            results.append(kept)
            _apply(item, kept.findings, options)
            continue
        if item.code in stopped:  # it ran past its time limit before: not run again
            faults.append(PluginFault(item.plugin, item.code, stopped[item.code]))
            results.append(RuleResult(item, [], stopped[item.code]))
            continue
        try:
            started = clock() if timed else 0.0
            in_facts = view.fact_seconds
            found = item.run(view) if item.plugin in trusted else call(item.run, view, said)
            if found:
                _checked(found, options)
            # A rule is timed on its own work: facts it read first are timed as facts.
            own = clock() - started - (view.fact_seconds - in_facts) if timed else 0.0
            if own > SLOW_RULE_SECONDS and item.plugin not in trusted:
                faults.append(PluginFault.slow(item.plugin, item.code, f"{own * 1000:.0f} ms"))
        except Exception as exc:  # one broken rule must not stop the evaluation
            if isinstance(exc, Misbehaved):
                message = str(exc)
                if exc.kind == "time":
                    stopped[item.code] = message
            else:
                message = f"{type(exc).__name__}: {exc}"
            faults.append(PluginFault(item.plugin, item.code, message))
            results.append(RuleResult(item, [], message))
            continue
        finally:
            if said:
                faults.append(PluginFault(item.plugin, item.code, printed_message("".join(said))))
                said.clear()
        results.append(RuleResult(item, found))
        _apply(item, found, options)
    if not constraints_done:
        view._cache[RULED_OUT] = frozenset(o for o, r in options.items() if r.vetoes)
    for opt in options.values():  # sums of tenths, without the float noise (2.1 - 4.2 ...)
        opt.score, opt.economics = round(opt.score, 9), round(opt.economics, 9)
    effort = {oid: o.effort for oid, o in registry.options.items()}
    ranking = sorted(
        (oid for oid, o in options.items() if not o.eliminated),
        key=lambda oid: (len(options[oid].holds), -options[oid].score, effort[oid], oid),
    )
    margin = None
    if len(ranking) >= 2:
        margin = options[ranking[0]].score - options[ranking[1]].score
    faults.extend(view._faults)
    decision = Decision(
        recommendation=ranking[0] if ranking else None,
        ranking=ranking,
        options=options,
        results=results,
        resolved=resolved,
        margin=margin,
        faults=faults,
        view=view,
    )
    if timed:
        _where_each_fell(decision)
    return decision


def _points_of(score: float) -> str:
    from advisor.core.base.numbers import points

    return f"{points(score)} point" + ("" if abs(score) == 1 else "s")


def _apply(item: Rule, found: list[Finding], options: dict[str, OptionResult]) -> None:
    """A rule's findings, added to the options they name."""
    for f in found:
        if f.option is None:
            continue
        target = options[f.option]
        if f.kind == "veto":
            target.vetoes.append((item, f))
        elif f.kind == "hold":
            target.holds.append((item, f))
        else:
            target.reasons.append((item, f))
            target.score += f.points
            if item.stage == "economics":
                target.economics += f.points


def _where_each_fell(decision: Decision) -> None:
    """For each option but the recommendation, the stage at which it lost to it, and why."""
    rec = decision.recommendation
    chosen = decision.options.get(rec) if rec else None
    for oid, opt in decision.options.items():
        if opt.eliminated:
            opt.fell_at = "constraint"
            opt.fell_because = "; ".join(f.because for _, f in opt.vetoes)
        elif chosen is None or oid == rec:
            continue
        elif len(opt.holds) > len(chosen.holds):
            opt.fell_at = "gate"
            mine = {r.code for r, _ in chosen.holds}
            extra = [f.because for r, f in opt.holds if r.code not in mine]
            opt.fell_because = "; ".join(extra or [f.because for _, f in opt.holds])
        elif opt.economics < chosen.economics:
            opt.fell_at = "economics"
            opt.fell_because = "; ".join(
                f.because
                for mine in (opt, chosen)
                for r, f in mine.reasons
                if r.stage == "economics" and f.kind == "points" and (mine is opt) == (f.points < 0)
            )
        else:
            opt.fell_at = "preference"
            opt.fell_because = (
                f"{_points_of(opt.score)} against {_points_of(chosen.score)} for the "
                f"recommendation ({chosen.label})"
                if opt.score != chosen.score
                else f"tied on points with the recommendation ({chosen.label}), which takes "
                "less effort"
            )
