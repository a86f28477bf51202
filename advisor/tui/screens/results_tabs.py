"""What the results screen's tabs show, built from the session and its decision: a rule in detail,
the cost table and chart, the flips and revisit date, and the what-if's answer field and
comparison."""

from __future__ import annotations

import io
import math
from typing import Any

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Input, Select, SelectionList

from advisor.core.base import labels
from advisor.core.base.numbers import points
from advisor.core.decision.engine import Decision
from advisor.tui.session import Session, number_hint
from advisor.tui.widgets.panel import ranking_text

VOLUME = "scale.requests_per_month"
CHART_POINTS = 120  # volumes at which the cost chart samples each bill


def capture(width: int, draw: Any) -> Text:
    """What ``draw`` prints on a console of this width, as text a widget shows."""
    console = Console(
        file=io.StringIO(),
        width=width,
        force_terminal=True,
        color_system="truecolor",
        highlight=False,
    )
    draw(console)
    return Text.from_ansi(console.file.getvalue())  # type: ignore[attr-defined]


# Rules ------------------------------------------------------------------------------------------


def rule_text(session: Session, decision: Decision, code: str) -> Text:
    """One rule: what it checks, why, where that comes from, and what it found here."""
    rule = session.registry.rule(code)
    result = next(r for r in decision.results if r.rule.code == code)
    text = Text()
    text.append(f"{rule.code}  {rule.title}\n\n", style="bold")
    text.append(" ".join(rule.rationale.split()) + "\n\n")
    text.append("Fires when: ", style="bold")
    text.append(f"{rule.fires_when}\n")
    text.append("Reads: ", style="bold")
    questions = session.registry.questions
    text.append("; ".join(labels.question(questions, r) for r in rule.reads) + "\n")
    text.append("Source: ", style="bold")
    text.append(f"{rule.source}\n")
    text.append("Stage: ", style="bold")
    text.append(f"{rule.stage}\n")
    text.append("Plugin: ", style="bold")
    text.append(f"{rule.plugin}\n\n")
    if result.findings:
        text.append("Here:\n", style="bold")
        for f in result.findings:
            shown = points(f.points) if f.kind == "points" else f.kind
            option = labels.option(decision.options, f.option) if f.option else "-"
            text.append(f"  {option} {shown}: {f.because}\n")
    else:
        text.append("Here: quiet" + (f" ({result.error})" if result.error else "") + "\n")
    return text


# Costs ------------------------------------------------------------------------------------------


def cost_table(session: Session, decision: Decision, width: int) -> Text:
    """The bills, as the text output shows them, each option by its label."""
    from advisor.render import costs as cost_view

    cat, questions = session.catalogue, session.registry.questions
    return capture(
        width, lambda console: cost_view.costs(console, decision, cat, questions, labelled=True)
    )


def cost_chart(session: Session, decision: Decision, width: int) -> Text:
    """Each option's monthly bill against volume, with the break-evens and the team's volume."""
    from advisor.costs.sweep import Sweep, bills_over, spaced
    from advisor.render.plot import chart

    found = decision.costs
    volume = decision.resolved.values.get(VOLUME)
    if found is None:
        return Text("No chart: the cost figures are missing from the catalogue.")
    missing = sorted({m for bill in found.options.values() for m in bill.missing} - {VOLUME})
    if missing:
        questions = session.registry.questions
        named = "; ".join(labels.question(questions, m) for m in missing)
        return Text("No chart until these are answered: " + named, style="italic")
    # The range that decides: a decade either side of the team's volume and the break-evens.
    points = [x for x in (volume, *found.break_even_requests.values()) if x]
    low = max(10.0, 10 ** (math.floor(math.log10(min(points or [1e6]))) - 1))
    high = 10 ** (math.ceil(math.log10(max(points or [1e6]))) + 1)
    # The bills across the range; the chart needs no recommendation at each point.
    xs = spaced(low, high, CHART_POINTS, whole=True)
    bills = bills_over(found, VOLUME, xs)
    swept = Sweep(VOLUME, xs, bills)
    options = decision.options
    marks = [
        (
            x,
            "^",
            f"{labels.option(options, oid)} costs the same as the API at {x:,.0f} calls a month",
        )
        for oid, x in found.break_even_requests.items()
        if x
    ]
    if volume:
        marks.append((volume, "V", f"your volume: {volume:,.0f} calls a month"))
    never = [oid for oid, x in found.break_even_requests.items() if not x]
    names = {oid: labels.option(options, oid) for oid in bills}
    axis = "calls a month"
    text = capture(
        width, lambda console: chart(console, swept, width, marks, names=names, axis=axis)
    )
    for oid in never:
        text.append(
            f"\n{labels.option(options, oid)} never costs less than the API at these answers",
            style="italic",
        )
    return text


# Flips and revisit -------------------------------------------------------------------------------


def flips_text(session: Session, decision: Decision) -> Group:
    """What would flip the decision, nearest first, then when to revisit it and what brings that
    sooner."""
    from advisor.core.exploration.revisit import revisit

    found = decision.flips or []
    questions = session.registry.questions
    when = (
        None
        if decision.revisit is None
        else revisit(
            decision,
            decision.revisit.made_on,
            questions=questions,
            options=decision.options,
        )
    )
    parts: list[Any] = [Text("What would flip it, nearest first:", style="bold")]
    said = [flip.describe(questions, decision.options) for flip in found]
    parts.append(_bullets(said or ["no single change of one answer changes it"]))
    if decision.plan is not None:
        steps = decision.plan.describe(labels.Words(questions, decision.options))
        if len(steps) == 1:
            steps.append("no change the team grows into moves it on")
        parts += [Text("\nPlan:", style="bold"), _bullets(steps)]
    if when is not None:
        head = Text(f"\nRevisit by {when.date.isoformat()}", style="bold")
        head.append(f": {when.reason}", style="")
        parts += [head, _bullets([f"sooner {t}" for t in when.triggers])]
    return Group(*parts)


# What if ----------------------------------------------------------------------------------------


def value_control(q: Any, now: Any) -> Any:
    """The field for a question's new answer: a list of its answers for a choice or a yes/no
    question, a list to tick for a multiple choice, a field to type in for the rest."""
    if q.type == "choice":
        options = [(c.label or c.value, c.value) for c in q.choices if c.value != now]
        return Select(options, prompt="the new answer", id="wi-value")
    if q.type == "bool":
        options = [(label, value) for label, value in (("yes", True), ("no", False))]
        return Select([o for o in options if o[1] != now], prompt="the new answer", id="wi-value")
    if q.type == "multi_choice":
        chosen = set(now or [])
        items = [(c.label or c.value, c.value, c.value in chosen) for c in q.choices]
        return SelectionList[str](*items, id="wi-value")
    placeholder = number_hint(q) if q.type in ("int", "number") else "the new answer"
    return Input(placeholder=placeholder, id="wi-value")


def comparison(session: Session, decision: Decision, qid: str, value: Any, trial: Decision) -> Any:
    """The decision now beside the one with ``qid`` answered ``value`` (``trial``): the rankings,
    then the conclusions that changed and the rules that started or stopped firing."""
    from advisor.core.answers.memofile import current_versions
    from advisor.core.records.diff import Side, compare

    changed = session.answers_file()
    changed.values = {**changed.values, qid: value}

    def side(name: str, answers: Any, decision: Decision) -> Side:
        found = decision.costs
        monthly = {} if found is None else {o: b.usd_per_month for o, b in found.options.items()}
        return Side(name, answers, decision, monthly)

    diff = compare(
        side("now", session.answers_file(), decision),
        side("what if", changed, trial),
        session.registry,
        current_versions(session.registry, session.catalogue),
        labelled=True,
    )
    grid = Table.grid(padding=(0, 3))
    grid.add_row(Text("now", style="bold"), Text("what if", style="bold"))
    questions = session.registry.questions
    grid.add_row(ranking_text(decision, questions), ranking_text(trial, questions))
    lines = Text()
    for what, old, new in diff.conclusions:
        what, old, new = _in_words(what, old, new, trial)
        lines.append(f"{what}: {old} → {new}\n")
    for line in diff.rules_added:
        lines.append(f"+ {line}\n", style="green")
    for line in diff.rules_removed:
        lines.append(f"- {line}\n", style="red")
    if not diff.conclusions:
        lines.append("The same conclusions.\n")
    outer = Table.grid()
    outer.add_row(grid)
    outer.add_row(lines)
    return outer


def _in_words(what: str, old: str, new: str, decision: Decision) -> tuple[str, str, str]:
    """A line of a what-if's comparison with options by their labels, not their ids."""
    options = decision.options
    if what == "recommendation":
        return what, _option_or_none(options, old), _option_or_none(options, new)
    oid, _, kind = what.rpartition(" ")
    if oid in options and kind in ("score", "cost"):
        return f"{labels.option(options, oid)} {'points' if kind == 'score' else 'cost'}", old, new
    return what, old, new


def _option_or_none(options: Any, oid: str) -> str:
    return "nothing left" if oid == "none" else labels.option(options, oid)


def _bullets(lines: list[str]) -> Table:
    """Lines as a list whose wrapped lines hang under their text, not under the dash."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    for line in lines:
        grid.add_row("  -", Text(line))
    return grid
