"""The machine-readable result of an evaluation: the JSON contract of `advisor recommend --format json`.

The keys are documented in docs/output.md. ``schema_version`` changes only when a key is removed or
changes meaning; new keys may be added within a version.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from advisor.core.answers.document import AnswersFile
from advisor.core.decision.engine import Decision, RuleResult
from advisor.core.decision.registry import Registry
from advisor.core.decision.rules import Finding, Rule
from advisor.core.exploration.flips import Flip
from advisor.core.records.cases import expectation_met

if TYPE_CHECKING:
    from advisor.costs.catalogue import Catalogue

SCHEMA_VERSION = 1


def _ages_json(found: Any) -> dict[str, Any]:
    from advisor.core.base.dates import today

    on = today().isoformat()
    ages = found.ages(on)

    def one(item: tuple[int, str, str]) -> dict[str, Any]:
        months, key, as_of = item
        return {"key": key, "as_of": as_of, "age_months": months}

    return {
        "today": on,
        "oldest": None if ages.oldest is None else one(ages.oldest),
        "stale": [one(item) for item in ages.stale],
    }


def finding_json(item: Rule, finding: Finding) -> dict[str, Any]:
    return {
        "id": item.code,
        "title": item.title,
        "option": finding.option,
        "kind": finding.kind,
        "points": finding.points,
        "veto": finding.kind == "veto",
        "because": finding.because,
        "source": item.source,
        "plugin": item.plugin,
    }


def plain(value: Any) -> Any:
    """A value as JSON writes it: a set of option ids as a sorted list."""
    if isinstance(value, set | frozenset):
        return sorted(value)
    return value


def _quiet_json(result: RuleResult, decision: Decision, registry: Registry) -> dict[str, Any]:
    values = decision.resolved.values
    inputs = {}
    facts = decision.facts
    for key in result.rule.reads:
        if key in values:
            inputs[key] = values[key]
        elif key in facts:
            inputs[key] = plain(facts[key])
    return {
        "id": result.rule.code,
        "title": result.rule.title,
        "fires_when": result.rule.fires_when,
        "inputs": inputs,
        "error": result.error,
        "source": result.rule.source,
        "plugin": result.rule.plugin,
    }


def flip_json(flip: Flip) -> dict[str, Any]:
    return {
        "question": flip.question,
        "from": flip.current,
        "to": flip.to,
        "direction": flip.direction,
        "recommendation": flip.recommendation,
        "distance": flip.distance,
        "estimate": flip.estimate,
        "text": flip.describe(),
    }


def _finite(value: float | None) -> float | None:
    """A number for JSON: an unbounded end of a range is written as null."""
    return None if value is None or math.isinf(value) else value


def _revisit_json(decision: Decision) -> dict[str, Any]:
    flips = decision.flips or []
    when = decision.revisit
    return {
        "flips": [flip_json(f) for f in flips],
        "revisit": None
        if when is None
        else {"date": when.date.isoformat(), "reason": when.reason, "triggers": when.triggers},
    }


def plan_json(decision: Decision) -> dict[str, Any] | None:
    """The plan: today's step, then each step after it with the answers that start it (its
    ``text`` names questions and options by id, as the flips' does)."""
    found = decision.plan
    if found is None:
        return None
    from advisor.core.base.labels import Words
    from advisor.core.exploration.plan import describe_step

    words = Words()
    return {
        "steps": [
            {
                "option": step.option,
                "when": [
                    {
                        "question": t.question,
                        "from": plain(t.current),
                        "to": plain(t.to),
                        "kind": t.kind,
                    }
                    for t in step.when
                ],
                "text": describe_step(step, words),
            }
            for step in found.steps
        ],
    }


def costs_json(decision: Decision, catalogue: Catalogue) -> dict[str, Any]:
    """The cost model's figures for these answers: bills and their ranges, horizon totals and
    break-even volumes, read off the decision (worked out once, by the engine)."""
    found = decision.costs
    if found is None:  # a catalogue without the figures the cost model needs
        return {"costs": None, "break_even": None, "cost_error": decision.cost_error}
    options = {}
    for oid, bill in found.options.items():
        low, value, high = found.horizon(oid) or (None, None, None)
        options[oid] = {
            "usd_per_month": bill.usd_per_month,
            "usd_per_month_low": bill.low_usd_per_month,
            "usd_per_month_high": _finite(bill.high_usd_per_month),
            "usd_per_mtok": bill.usd_per_mtok,
            "horizon_usd": value,
            "horizon_usd_low": low,
            "horizon_usd_high": _finite(high),
            "floor": bill.floor,
            "assumed": bill.assumed,
            "gpu": bill.gpu,
            "gpus": bill.gpus,
            "gpus_per_replica": bill.gpus_per_replica,
            "replicas": bill.replicas,
            "replicas_at_peak": bill.replicas_at_peak,
            "utilisation": bill.utilisation,
            "p95_latency_ms": found.p95_latency_ms.get(oid),
            "route": bill.route or None,
            "deployment": _deployment_json(bill),
            "price_as_of": bill.price_as_of,
            "missing": bill.missing,
            "notes": bill.notes,
            "lines": [
                {
                    "what": line.what,
                    "usd_per_month": line.usd_per_month,
                    "working": line.working,
                    "figures": list(line.figures),
                }
                for line in bill.lines
            ],
        }
    return {
        "costs": {
            "currency": catalogue.currency.model_dump(),
            "price_date": catalogue.price_date,
            "horizon_months": found.horizon_months,
            # Kept from the first contract: the months in which the API's price of this
            # capability halves at the tier's decline (12 ln 2 / ln of the yearly factor).
            "halving_months": None if found.falling is None else _halving(found.falling.per_year),
            "halving_months_range": None
            if found.falling is None
            else sorted(h for h in map(_halving, found.falling.per_year_range) if h is not None),
            "figures_age": _ages_json(found),
            "open_endpoint": None
            if found.open_endpoint is None
            else {
                "model": found.open_endpoint.model,
                "label": found.open_endpoint.label,
                "usd_per_month": found.open_endpoint.usd_per_month,
                "others": [{"model": m, "usd_per_month": u} for m, u in found.open_endpoint.others],
            },
            "price_decline": None
            if found.falling is None
            else {
                "tier": found.falling.tier,
                "tier_guessed": found.falling.tier_guessed,
                "per_year": found.falling.per_year,
                "per_year_range": list(found.falling.per_year_range),
                "switch_months": found.falling.switch_months,
                "horizon_share": list(found.falling.shares),
            },
            "options": options,
        },
        "break_even": {
            oid: {
                "requests_per_month": found.break_even_requests[oid],
                "requests_per_month_over_horizon": found.break_even_requests_horizon[oid],
            }
            for oid in found.break_even_requests
        },
    }


def _halving(per_year: float) -> float | None:
    return 12 * math.log(2) / math.log(per_year) if per_year > 1 else None


def _deployment_json(bill: Any) -> dict[str, Any] | None:
    """The serving deployment a bill pays for (self-hosting, fine-tuning on one's own GPUs): the
    model sized, the cheapest GPU type, count and precision that meets memory, throughput and
    latency, and the runner-up on another GPU or precision; None for the API."""
    sized = bill.sizing
    if sized is None or sized.best is None:
        return None

    def one(d: Any) -> dict[str, Any]:
        return {
            "gpu": d.gpu,
            "gpu_name": d.gpu_name,
            "precision": d.precision,
            "gpus_per_replica": d.gpus_per_replica,
            "replicas": d.replicas,
            "gpus": d.gpus,
            "sized_for": d.sized_for,
            "requests_per_s_per_replica": d.requests_per_s,
            "input_tokens_per_s_per_replica": d.input_tokens_per_s,
            "output_tokens_per_s_per_replica": d.output_tokens_per_s,
            "utilisation": d.utilisation,
            "concurrency_at_peak": d.concurrency,
            "ttft_ms": d.ttft_ms,
            "tpot_ms": d.tpot_ms,
            "p95_ms": d.p95_ms,
            "meets_latency": d.meets_latency,
            "hourly_usd": d.hourly_usd,
            "gpu_usd_per_month": d.usd_per_month,
        }

    return {
        "model": sized.model,
        "model_name": sized.model_name,
        "estimated": sized.estimated,
        "meets_latency": sized.meets_latency,
        "sentence": sized.sentence or None,
        **one(sized.best),
        "runner_up": None if sized.runner_up is None else one(sized.runner_up),
    }


def confidence_json(decision: Decision) -> dict[str, Any]:
    robust = decision.robustness
    out: dict[str, Any] = {
        "level": decision.confidence,
        "margin": decision.margin,
        "reason": decision.confidence_reason,
    }
    if robust is not None:
        out.update(
            {
                "nearest_flip": flip_json(robust.nearest) if robust.nearest else None,
                "plausible_flips": [flip_json(f) for f in robust.plausible],
                "one_step_flips": [flip_json(f) for f in robust.one_step],
                "bills_overlap": robust.overlap,
                "tie": robust.tie,
            }
        )
    return out


def decision_json(
    decision: Decision,
    registry: Registry,
    answers: AnswersFile,
    catalogue: Catalogue | None = None,
) -> dict[str, Any]:
    from advisor.version import __version__

    options: dict[str, Any] = {}
    for oid, opt in decision.options.items():
        options[oid] = {
            "label": opt.label,
            "score": opt.score,
            "eliminated": opt.eliminated,
            "rank": decision.ranking.index(oid) + 1 if oid in decision.ranking else None,
            "stage": opt.fell_at or None,
            "fell_because": opt.fell_because or None,
            "economics": opt.economics,
            "preferences": opt.preferences,
            "vetoes": [
                {"rule": r.code, "because": f.because, "source": r.source} for r, f in opt.vetoes
            ],
            "holds": [
                {"rule": r.code, "because": f.because, "source": r.source} for r, f in opt.holds
            ],
            "reasons": [
                {"rule": r.code, "points": f.points, "because": f.because, "source": r.source}
                for r, f in opt.reasons
                if f.kind == "points"
            ],
            "notes": [
                {"rule": r.code, "because": f.because} for r, f in opt.reasons if f.kind == "note"
            ],
        }
    fired = [finding_json(res.rule, f) for res in decision.results for f in res.findings]
    resolved = decision.resolved
    met = expectation_met(decision, answers)
    return {
        "schema_version": SCHEMA_VERSION,
        "advisor_version": __version__,
        "input": {
            "file": str(answers.path) if answers.path else None,
            "title": answers.title,
            "why": answers.why,
        },
        "recommendation": decision.recommendation,
        "confidence": confidence_json(decision),
        "ranking": list(decision.ranking),
        "options": options,
        "rules": fired,
        "not_fired": [
            _quiet_json(res, decision, registry) for res in decision.results if not res.fired
        ],
        "facts": {name: plain(value) for name, value in decision.facts.items()},
        "unknowns": [
            {"question": u.question, "assumed": u.assumed, "could_change_to": u.outcomes}
            for u in decision.unknowns
        ],
        "assumed": {qid: resolved.values[qid] for qid in resolved.assumed},
        "unanswered": list(resolved.unknown),
        "hidden_answers": list(resolved.hidden),
        "expect": None
        if answers.expect is None
        else {
            "accept": answers.expect.accept,
            "reject": answers.expect.reject,
            "met": met,
        },
        **costs_json(decision, catalogue or registry.catalogue),
        **_revisit_json(decision),
        "plan": plan_json(decision),
        "errors": [
            {"plugin": f.plugin, "where": f.where, "message": f.message}
            for f in (*registry.faults, *decision.faults)
        ],
    }
