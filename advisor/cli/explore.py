"""Commands that explore changes to the answers: flips, whatif and sweep."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from advisor.cli.common import (
    config_option,
    decision_inputs,
    emit_json,
    file_argument,
    format_option,
    inputs,
    make_catalogue,
    make_console,
    make_overrides,
    make_registry,
    policy_option,
    prices_option,
    read_answers,
    set_option,
)


@click.command(name="flips")
@decision_inputs
def flips_command(
    file: Path | None, example: str | None, fmt: str, sets: tuple[str, ...], config: Path | None
) -> None:
    """What would flip the decision: each question's smallest change that alters it, nearest first."""
    from advisor.core.evaluation import evaluate
    from advisor.render.contract import flip_json

    given = inputs(file, example, sets, config)  # the text here lists no plugin problems
    registry, answers, catalogue = given.registry, given.answers, given.catalogue
    assert answers is not None
    decision = evaluate(registry, answers.values, catalogue=catalogue)
    found = decision.flips or []
    if fmt == "json":
        emit_json(
            {
                "recommendation": decision.recommendation,
                "flips": [flip_json(f) for f in found],
            }
        )
        return
    from advisor.render import text

    text.flips(make_console(), decision, found, questions=registry.questions)


def _summary(decision: Any, catalogue: Any) -> dict[str, Any]:
    bills = decision.costs
    return {
        "recommendation": decision.recommendation,
        "confidence": decision.confidence,
        "scores": {oid: o.score for oid, o in decision.options.items()},
        "eliminated": [oid for oid, o in decision.options.items() if o.eliminated],
        "fired": sorted({r.rule.code for r in decision.results if r.fired}),
        "usd_per_month": (
            {oid: bill.usd_per_month for oid, bill in bills.options.items()} if bills else {}
        ),
    }


@click.command()
@decision_inputs
def whatif(
    file: Path | None, example: str | None, fmt: str, sets: tuple[str, ...], config: Path | None
) -> None:
    """The result with the answers or figures in --set changed, beside the result without them."""
    from advisor.core.evaluation import evaluate

    if not sets:
        raise click.UsageError("give at least one --set KEY=VALUE to try")
    registry = make_registry()  # text output here does not list plugin problems: warn on stderr
    plain = make_overrides(registry, (), config)
    changed = make_overrides(registry, sets, config)
    original = plain.apply_answers(read_answers(registry, file, example))
    before_cat = make_catalogue(registry, plain, original)
    after_cat = make_catalogue(registry, changed, original)
    before = evaluate(registry, original.values, catalogue=before_cat)
    after_values = {**original.values, **changed.answers}
    after = evaluate(registry, after_values, catalogue=after_cat)
    was = _summary(before, before_cat)
    now = _summary(after, after_cat)
    difference = {
        "recommendation": was["recommendation"] != now["recommendation"],
        "rules_started": sorted(set(now["fired"]) - set(was["fired"])),
        "rules_stopped": sorted(set(was["fired"]) - set(now["fired"])),
        "scores": {o: now["scores"][o] - was["scores"][o] for o in was["scores"]},
    }
    if fmt == "json":
        emit_json({"changes": list(sets), "before": was, "after": now, "difference": difference})
        return
    from advisor.render import text

    text.whatif(make_console(), list(sets), was, now, difference, after_cat)


@click.command(name="sweep")
@policy_option
@file_argument
@click.argument("question")
@click.argument("span", metavar="LOW..HIGH")
@click.option("--points", default=1000, show_default=True, help="How many values to try.")
@format_option
@set_option
@config_option
@prices_option
def sweep_command(
    file: Path | None,
    question: str,
    span: str,
    points: int,
    fmt: str,
    sets: tuple[str, ...],
    config: Path | None,
) -> None:
    """Each option's monthly bill as QUESTION runs from LOW to HIGH, with the break-even points
    and where the recommendation changes, plotted in the terminal."""
    from advisor.costs.sweep import parse_range, sweep

    given = inputs(file, None, sets, config)  # the text here lists no plugin problems
    registry, answers, catalogue = given.registry, given.answers, given.catalogue
    assert answers is not None
    low, high = parse_range(span)
    found = sweep(registry, answers.values, question, low, high, points, catalogue)
    if fmt == "json":
        emit_json(
            {
                "question": found.question,
                "points": found.points,
                "usd_per_month": found.bills,
                "cheapest_changes": [
                    {"at": at, "from": a, "to": b} for at, a, b in found.cheapest_changes
                ],
                "recommendation_changes": [
                    {"at": at, "from": a, "to": b} for at, a, b in found.recommendation_changes
                ],
            }
        )
        return
    from advisor.render import plot

    console = make_console()
    plot.chart(console, found)
    for at, a, b in found.cheapest_changes:
        console.print(f"  {b} becomes cheaper than {a} at {question} = {at:,.0f}")
    for where, before, after in found.recommendation_changes:
        console.print(
            f"  the recommendation changes from {before} to {after} at {question} = {where:,.0f}"
        )
    if not found.recommendation_changes:
        rec = found.recommendations[0][1] if found.recommendations else None
        console.print(f"  the recommendation stays {rec} across the range")
