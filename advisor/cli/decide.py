"""Commands that decide: recommend, explain, and check (worked cases against what they expect)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import click

from advisor.cli.common import (
    ANSWER_SUFFIXES,
    config_option,
    decision_inputs,
    emit_json,
    inputs,
    make_catalogue,
    make_console,
    make_overrides,
    make_registry,
    policy_option,
    set_option,
)
from advisor.errors import InputError
from advisor.terminal import echo


def _decide_and_show(
    file: Path | None,
    example: str | None,
    fmt: str,
    show: str,
    sets: tuple[str, ...] = (),
    config: Path | None = None,
) -> None:
    """Evaluate an answers file; print the JSON contract, or the text view named ``show``."""
    from advisor.core.evaluation import evaluate

    # The text output lists plugin problems itself.
    given = inputs(file, example, sets, config, warn=fmt == "json")
    registry, answers, catalogue = given.registry, given.answers, given.catalogue
    assert answers is not None
    decision = evaluate(registry, answers.values, catalogue=catalogue)
    if fmt == "json":
        from advisor.render.contract import decision_json

        emit_json(decision_json(decision, registry, answers, catalogue))
        return
    from advisor.render import text

    getattr(text, show)(make_console(), decision, registry, answers, catalogue)


@click.command()
@decision_inputs
def recommend(
    file: Path | None, example: str | None, fmt: str, sets: tuple[str, ...], config: Path | None
) -> None:
    """Recommend an option for the answers in FILE."""
    _decide_and_show(file, example, fmt, "recommendation", sets, config)


@click.command()
@decision_inputs
def explain(
    file: Path | None, example: str | None, fmt: str, sets: tuple[str, ...], config: Path | None
) -> None:
    """Show every rule for FILE, fired or not, with points, reason and source."""
    _decide_and_show(file, example, fmt, "explain", sets, config)


def _answer_files(paths: tuple[Path, ...]) -> Iterator[Path]:
    """Files named on the command line, and the answers files in folders named on it.

    In a folder, JSON Schema files (``*.schema.json``, as `advisor init` writes) are not answers.
    """
    for path in paths:
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                if (
                    found.is_file()
                    and found.suffix.lower() in ANSWER_SUFFIXES
                    and not found.name.lower().endswith(".schema.json")
                ):
                    yield found
        else:
            yield path


@click.command()
@policy_option
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@set_option
@config_option
def check(paths: tuple[Path, ...], sets: tuple[str, ...], config: Path | None) -> None:
    """Check answers files that carry `expect:` (files, or folders searched for .yaml/.yml/.json).

    Prints a line per file and `N passed, N failed`; exits 1 when any check fails and 2 when a file
    cannot be read.
    """
    from advisor.core.answers.document import load_answers
    from advisor.core.records.cases import check_case

    registry = make_registry()
    overrides = make_overrides(registry, sets, config)
    catalogue = make_catalogue(registry, overrides)
    passed = failed = skipped = broken = 0
    for path in _answer_files(paths):
        try:
            answers = overrides.apply_answers(load_answers(path, registry))
        except InputError as exc:
            broken += 1
            click.secho("ERROR ", fg="red", nl=False)
            echo(str(exc).replace("\n", "\n      "))
            continue
        result = check_case(answers, registry, catalogue)
        if result.status == "skip":
            skipped += 1
            click.secho("SKIP  ", fg="yellow", nl=False)
        elif result.status == "pass":
            passed += 1
            click.secho("PASS  ", fg="green", nl=False)
        else:
            failed += 1
            click.secho("FAIL  ", fg="red", nl=False)
        echo(f"{path}: {result.message}")
    summary = f"{passed} passed, {failed + broken} failed"
    if skipped:
        summary += f", {skipped} skipped"
    echo(summary)
    if broken:
        sys.exit(2)
    if failed:
        sys.exit(1)
