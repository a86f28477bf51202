"""What changed between two decisions: the answers, and what the advisor concludes from them.

Both sides are evaluated by the advisor as it is now, so a difference in conclusions comes from the
answers. When a side is a memo, what the memo recorded at the time is compared too: a re-run that
concludes otherwise on the same answers means the rules, plugins or prices changed since.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from advisor.core.base import numbers
from advisor.core.decision.engine import Decision

if TYPE_CHECKING:
    from advisor.core.answers.document import AnswersFile
    from advisor.core.decision.registry import Registry
    from advisor.costs.catalogue import Catalogue


@dataclass
class Side:
    """One input: its answers, today's decision, and what a memo recorded (None for an answers file)."""

    name: str
    answers: AnswersFile
    decision: Decision
    monthly: dict[str, float | None]
    recorded: dict[str, Any] | None = None
    catalogue: Catalogue | None = None  # the figures and the day its prices were asked at


@dataclass
class Diff:
    answers: list[tuple[str, str, str]] = field(default_factory=list)  # question, old, new
    conclusions: list[tuple[str, str, str]] = field(default_factory=list)  # what, old, new
    rules_added: list[str] = field(default_factory=list)
    rules_removed: list[str] = field(default_factory=list)
    reruns: list[str] = field(default_factory=list)  # a memo's record against today's result
    rerun_differs: bool = False  # a memo recorded a recommendation that a re-run does not give

    @property
    def changed(self) -> bool:
        return bool(
            self.answers
            or self.conclusions
            or self.rules_added
            or self.rules_removed
            or self.rerun_differs
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "changed": self.changed,
            "answers": [{"question": q, "old": o, "new": n} for q, o, n in self.answers],
            "conclusions": [{"what": w, "old": o, "new": n} for w, o, n in self.conclusions],
            "rules_added": self.rules_added,
            "rules_removed": self.rules_removed,
            "reruns": self.reruns,
        }


def side(name: str, answers: AnswersFile, registry: Registry, catalogue: Catalogue) -> Side:
    from advisor.core.evaluation import evaluate

    decision = evaluate(registry, answers.values, catalogue=catalogue)
    found = decision.costs
    monthly = {} if found is None else {o: b.usd_per_month for o, b in found.options.items()}
    recorded = None
    if answers.memo is not None:
        block = answers.memo.get("advisor") or {}
        recorded = {
            "date": str(answers.memo.get("date", "")),
            "recommendation": block.get("recommendation"),
            "confidence": block.get("confidence"),
            "versions": dict(block.get("versions") or {}),
            "plan": block.get("plan"),
        }
    return Side(name, answers, decision, monthly, recorded, catalogue)


def prices_text(catalogue: Catalogue | None, model: Any) -> str | None:
    """A hosted model's prices in a few words: ``OpenAI GPT-4o $2.50 in, $10 out per million
    tokens (2026-12-01)``; None when there is no model or no price."""
    if catalogue is None or not model:
        return None
    try:
        price = catalogue.hosted_price(str(model))
    except KeyError:
        return None
    cached = "" if price.cached_input is None else f", ${price.cached_input.base:g} cached"
    return (
        f"{price.model.label} ${price.input.base:g} in{cached}, ${price.output.base:g} out per "
        f"million tokens ({price.as_of})"
    )


def _prices_moved(item: Side, recorded_day: Any) -> str:
    """For a memo re-run at another day's prices: how its model's prices moved since the day it
    recorded."""
    cat = item.catalogue
    if cat is None or not recorded_day or str(recorded_day) == cat.price_date:
        return ""
    model = item.answers.values.get("cost.api_model")
    then = prices_text(cat.on(str(recorded_day)), model)
    now = prices_text(cat, model)
    if then is None or now is None:
        return ""
    if then.rsplit(" (", 1)[0] == now.rsplit(" (", 1)[0]:
        return f"; hosted prices unchanged from {recorded_day} to {cat.price_date}"
    return f"; hosted prices moved: {then} -> {now}"


def _findings(decision: Decision) -> dict[tuple[str, str, str, float], str]:
    out: dict[tuple[str, str, str, float], str] = {}
    for result in decision.results:
        for f in result.findings:
            key = (result.rule.code, f.option or "-", f.kind, f.points)
            out[key] = f.because
    return out


def _finding_text(
    key: tuple[str, str, str, float], because: str, names: Mapping[str, str] | None = None
) -> str:
    """A finding in a line: its rule, its option (by id, or by the name ``names`` gives it), its
    points or kind, and its reason."""
    code, option, kind, amount = key
    what = numbers.points(amount) if kind == "points" else kind
    return f"{code} {(names or {}).get(option, option)} {what}: {because}"


def _money(usd: float | None, currency: Any = None) -> str:
    return "not worked out" if usd is None else f"{numbers.money(usd, currency)} a month"


def _standing(option: Any) -> str:
    """An option's points, and whether it is ruled out or held back, as the diff shows them."""
    if option is None:
        return "absent"
    if option.eliminated:
        return "ruled out"
    held = f" (held back: {', '.join(r.code for r, _ in option.holds)})" if option.holds else ""
    return numbers.points(option.score) + held


def compare(
    old: Side,
    new: Side,
    registry: Registry,
    versions: dict[str, Any],
    *,
    labelled: bool = False,
) -> Diff:
    """The differences from ``old`` to ``new``; ``versions`` are today's (to compare a memo's).
    With ``labelled`` the rules that start or stop firing name their options by label (the terminal
    UI, which shows no ids); otherwise by id, as ``advisor diff`` does."""
    out = Diff()
    names = {oid: o.label for oid, o in registry.options.items()} if labelled else None
    for qid in registry.questions:
        a, b = old.answers.values.get(qid), new.answers.values.get(qid)
        if a != b:
            out.answers.append(
                (
                    qid,
                    "unanswered" if a is None else numbers.number(a),
                    "unanswered" if b is None else numbers.number(b),
                )
            )
    d1, d2 = old.decision, new.decision
    if d1.recommendation != d2.recommendation:
        out.conclusions.append(
            ("recommendation", str(d1.recommendation or "none"), str(d2.recommendation or "none"))
        )
    if d1.confidence != d2.confidence:
        out.conclusions.append(("confidence", d1.confidence, d2.confidence))
    for oid in dict.fromkeys([*d1.options, *d2.options]):
        s1, s2 = _standing(d1.options.get(oid)), _standing(d2.options.get(oid))
        if s1 != s2:
            out.conclusions.append((f"{oid} score", s1, s2))
    currency = next(
        (d.costs.catalogue.currency for d in (d1, d2) if d.costs is not None and d.costs.catalogue),
        None,
    )
    for oid in dict.fromkeys([*old.monthly, *new.monthly]):
        m1, m2 = _money(old.monthly.get(oid), currency), _money(new.monthly.get(oid), currency)
        if m1 != m2:
            out.conclusions.append((f"{oid} cost", m1, m2))
    p1 = prices_text(old.catalogue, old.answers.values.get("cost.api_model"))
    p2 = prices_text(new.catalogue, new.answers.values.get("cost.api_model"))
    if p1 and p2 and p1 != p2:
        out.conclusions.append(("hosted prices", p1, p2))
    f1, f2 = _findings(d1), _findings(d2)
    out.rules_added = [_finding_text(k, f2[k], names) for k in f2 if k not in f1]
    out.rules_removed = [_finding_text(k, f1[k], names) for k in f1 if k not in f2]
    for item in (old, new):
        if item.recorded is None:
            continue
        then = item.recorded.get("recommendation")
        now = item.decision.recommendation
        when = item.recorded.get("date") or "an unknown date"
        version = item.recorded.get("versions", {}).get("advisor", "an unknown version")
        line = f"{item.name}: recorded {then} on {when} (advisor {version}); re-run today: "
        if then == now:
            line += "the same"
        else:
            out.rerun_differs = True
            line += f"{now} (on the same answers: the rules, plugins or prices have changed)"
        was = item.recorded.get("versions", {})
        moved = [
            f"{key} {numbers.number(was.get(key))} -> {numbers.number(versions.get(key))}"
            for key in ("advisor", "prices", "price_date", "plugins")
            if was.get(key) != versions.get(key)
        ]
        if moved:
            line += "; changed since: " + ", ".join(moved)
        line += _prices_moved(item, was.get("price_date"))
        out.reruns.append(line)
    due = _due(old, new)
    if due:
        out.reruns.append(due)
    return out


def _due(old: Side, new: Side) -> str:
    """The step of OLD's plan (a memo's, with its triggers) that NEW's answers reach, or ""."""
    plan = (old.recorded or {}).get("plan")
    if not isinstance(plan, list) or not any(isinstance(item, Mapping) for item in plan):
        return ""
    from advisor.core.exploration.plan import record_steps

    try:
        steps = record_steps(plan)
    except ValueError:
        return ""  # a plan edited out of shape says nothing about a step
    at = steps.reached(new.answers.values)
    if not at:
        return ""
    text = plan[at - 1].get("step") or f"step {at}"
    return f"{new.name} reaches step {at} of the plan in {old.name}: {text}"
