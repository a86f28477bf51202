"""An evaluation: the decision procedure (advisor/core/decision/engine.py) on a set of answers, and, when
exploring, what could change it: the unknowns that matter, the flips, the confidence they give and
the revisit date. Every command builds its outcome here."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from advisor.core.base.guard import ticking
from advisor.core.decision.engine import (
    Decision,
    Resolved,
    Unknown,
    catalogue_source,
    decide,
    resolve,
)
from advisor.core.decision.registry import Registry

if TYPE_CHECKING:
    from advisor.costs.catalogue import Catalogue


def evaluate(
    registry: Registry,
    answers: Mapping[str, Any],
    *,
    explore: bool = True,
    catalogue: Catalogue | None = None,
    today: date | None = None,
) -> Decision:
    """Evaluate answers (``{"pmf.stage": "idea", ...}``) with every rule in the registry.

    With ``explore`` (what every command does) the outcome is complete: the engine also tries
    other values for each unknown or assumed question a rule reads, finds the nearest change of
    each answer (and of prices) that would flip the recommendation, dates the revisit, and judges
    the confidence from how far the nearest flip is. Without it, only the decision itself.
    """
    with ticking():  # the clock that stops a rule or fact at its limit, armed once
        return _evaluate(registry, answers, explore, catalogue, today)


def _evaluate(
    registry: Registry,
    answers: Mapping[str, Any],
    explore: bool,
    catalogue: Catalogue | None,
    today: date | None,
) -> Decision:
    from advisor.core.exploration.confidence import judge

    resolved = resolve(registry, answers)
    source = catalogue_source(registry, catalogue)
    if "bills" in registry.facts:  # load the hosted prices before anything is timed
        model = resolved.values.get("cost.api_model")
        weights = resolved.values.get("cost.open_model")
        source().warm(
            [str(model)] if model is not None else [],
            open_model=str(weights) if weights is not None else None,
        )
    decision = decide(registry, resolved, source, timed=True)
    _attach_costs(decision, registry)
    if explore:
        from advisor.core.exploration.flips import flips

        decision.explored = True
        # The unknowns and the flips try many of the same single changes (every other value of
        # an assumed or unanswered choice): each is decided once.
        tried: dict[tuple[str, str], str | None] = {}
        decision.unknowns = _unknowns(
            registry, resolved, decision.recommendation, source, start=decision, tried=tried
        )
        decision.flips = flips(registry, answers, catalogue, base=decision, tried=tried)
    decision.robustness = judge(decision)
    decision.confidence = decision.robustness.level
    decision.confidence_reason = decision.robustness.reason
    if explore:
        from advisor.core.exploration.plan import plan
        from advisor.core.exploration.revisit import revisit

        decision.revisit = revisit(decision, today)
        decision.plan = plan(registry, decision, source)
    return decision


def _attach_costs(decision: Decision, registry: Registry) -> None:
    """The bills the cost model worked out for these answers (the fact ``bills``, with their ranges
    and break-even volumes), or why there are none."""
    view = decision.view
    if view is None or "bills" not in registry.facts:
        decision.cost_error = "no plugin gives the cost model's bills (the fact 'bills')"
        return
    bills = view["bills"]
    error = getattr(bills, "error", None)
    if bills is None or error:
        decision.cost_error = error or "the bills could not be worked out"
        return
    decision.costs = bills


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
    start: Decision | None = None,
    tried: dict[tuple[str, str], str | None] | None = None,
) -> list[Unknown]:
    from advisor.core.exploration.flips import trial_key

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
            key = trial_key(qid, value)
            if tried is not None and key in tried:
                got = tried[key]
            else:
                got = decide(
                    registry,
                    resolved.trial({qid: value}),
                    catalogue,
                    base=start,
                    changed=frozenset((qid,)),
                ).recommendation
                if tried is not None:
                    tried[key] = got
            if got != current:
                outcomes[_show(value)] = got
        if outcomes:
            out.append(Unknown(qid, base, outcomes))
    return out


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)
