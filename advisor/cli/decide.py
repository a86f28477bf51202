"""Commands that decide: recommend, explain, and check (worked cases against what they expect)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


_CHECKING: dict[str, Any] = {}  # what each file is checked against, set before workers fork


def _check_one(path: Path) -> tuple[str, str]:
    """One file checked: its status (PASS, FAIL, SKIP or ERROR) and the rest of its line."""
    from advisor.core.answers.document import load_answers
    from advisor.core.records.cases import check_case

    registry, overrides, catalogue = (
        _CHECKING["registry"],
        _CHECKING["overrides"],
        _CHECKING["catalogue"],
    )
    try:
        answers = overrides.apply_answers(load_answers(path, registry, fast=True))
    except InputError as exc:
        return "ERROR", str(exc).replace("\n", "\n      ")
    result = check_case(answers, registry, catalogue)
    status = {"skip": "SKIP", "pass": "PASS"}.get(result.status, "FAIL")
    return status, f"{path}: {result.message}"


AUTO_JOBS_FROM = 500  # files from which `check` uses every core unless told how many processes


def _checked(paths: list[Path], jobs: int | None) -> Iterator[tuple[str, str]]:
    """Each file's result, in the order of ``paths``: in this process, or shared among ``jobs``
    worker processes forked from it (each with the registry and catalogue already built)."""
    import multiprocessing

    if jobs is None:
        jobs = 0 if len(paths) >= AUTO_JOBS_FROM else 1
    if jobs == 0:
        jobs = os.cpu_count() or 1
    forking = "fork" in multiprocessing.get_all_start_methods()
    if jobs <= 1 or len(paths) < 2 * jobs or not forking:
        yield from map(_check_one, paths)
        return
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        yield from pool.imap(_check_one, paths, chunksize=max(1, min(64, len(paths) // (jobs * 8))))


@click.command()
@policy_option
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@set_option
@config_option
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=0),
    default=None,
    help="Check the files in this many processes (0: one for each core; by default one, or one "
    f"for each core from {AUTO_JOBS_FROM} files).",
)
def check(
    paths: tuple[Path, ...], sets: tuple[str, ...], config: Path | None, jobs: int | None
) -> None:
    """Check answers files that carry `expect:` (files, or folders searched for .yaml/.yml/.json).

    Prints a line per file and `N passed, N failed`; exits 1 when any check fails and 2 when a file
    cannot be read. Thousands of files are read with a quick reader, and only a file it cannot take
    is read again for the line of its problem.
    """
    registry = make_registry()
    overrides = make_overrides(registry, sets, config)
    catalogue = make_catalogue(registry, overrides)
    _CHECKING.update(registry=registry, overrides=overrides, catalogue=catalogue)
    counts = dict.fromkeys(("PASS", "FAIL", "SKIP", "ERROR"), 0)
    colours = {"PASS": "green", "FAIL": "red", "SKIP": "yellow", "ERROR": "red"}
    for status, text in _checked(list(_answer_files(paths)), jobs):
        counts[status] += 1
        click.secho(f"{status:<6}", fg=colours[status], nl=False)
        echo(text)
    summary = f"{counts['PASS']} passed, {counts['FAIL'] + counts['ERROR']} failed"
    if counts["SKIP"]:
        summary += f", {counts['SKIP']} skipped"
    echo(summary)
    if counts["ERROR"]:
        sys.exit(2)
    if counts["FAIL"]:
        sys.exit(1)
