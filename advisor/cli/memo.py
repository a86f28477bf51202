"""Commands for the decision record: memo (write one), diff (compare two) and log (list a folder)."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Any

import click

from advisor.cli.common import (
    config_option,
    example_option,
    file_argument,
    format_option,
    inputs,
    make_catalogue,
    make_overrides,
    make_registry,
    policy_option,
    prices_option,
    set_option,
)
from advisor.core.base import dates
from advisor.core.base.files import WouldOverwrite
from advisor.errors import AdvisorError
from advisor.terminal import echo


def _date(text: str | None) -> date:
    if text is None:
        return dates.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a date like 2026-11-24", param_hint="--date"
        ) from None


RECORD_TRIES = 50  # numbers tried in a folder of records before giving up


@click.command(name="memo")
@policy_option
@file_argument
@example_option
@click.option(
    "-o",
    "--output",
    "output_name",
    type=click.Path(),
    help="Write the memo here (a file, or a folder such as docs/decisions/ to get the next "
    "numbered name); without it the memo goes to standard output.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "html"]),
    help="md (MADR Markdown) or html (one self-contained page with charts); default: from the "
    "output's extension, else md.",
)
@click.option("--date", "when", metavar="YYYY-MM-DD", help="Date the memo (default: today).")
@click.option(
    "--status",
    type=click.Choice(["proposed", "accepted", "rejected", "deprecated", "superseded"]),
    default="proposed",
    show_default=True,
    help="The decision's status, as MADR records it.",
)
@click.option(
    "--template-dir",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="A folder of templates searched before the packaged ones (default: template_dir in "
    "the config file). Rendered in a sandbox.",
)
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@set_option
@config_option
@prices_option
def memo_command(
    file: Path | None,
    example: str | None,
    output_name: str | None,
    fmt: str | None,
    when: str | None,
    status: str,
    template_dir: Path | None,
    force: bool,
    sets: tuple[str, ...],
    config: Path | None,
) -> None:
    """Write the decision memo for FILE (an answers file or an earlier memo): Markdown in the MADR
    layout, or a self-contained HTML page. The same answers, versions and date give the same bytes."""
    from advisor.core.base.files import write_atomic
    from advisor.core.evaluation import evaluate
    from advisor.render.memo.model import build_memo
    from advisor.render.memo.render import render

    today = _date(when)
    output = Path(output_name) if output_name else None
    if output is not None and output_name and output_name.endswith(("/", os.sep)):
        if output.exists() and not output.is_dir():
            raise AdvisorError(f"{output}: is a file, not a folder (-o {output_name})")
        try:
            output.mkdir(parents=True, exist_ok=True)  # a folder named as one, made if it is new
        except OSError as exc:
            raise AdvisorError(f"{output}: cannot make the folder: {exc.strerror}") from None
    given = inputs(file, example, sets, config)
    registry, answers, catalogue = given.registry, given.answers, given.catalogue
    assert answers is not None
    if fmt is None:
        fmt = "html" if output is not None and output.suffix.lower() in (".html", ".htm") else "md"
    folder = output if output is not None and output.is_dir() else None
    suffix = ".html" if fmt == "html" else ".md"
    decision = evaluate(registry, answers.values, catalogue=catalogue, today=today)

    def text_for(path: Path | None) -> str:
        memo = build_memo(
            decision,
            registry,
            answers,
            catalogue,
            today=today,
            status=status,
            memo_path=str(path) if path is not None else "",
            charts=fmt == "html",
            source=_source(file, answers, path),
        )
        return render(memo, fmt, template_dir or given.overrides.template_dir)

    if output is None:
        echo(text_for(None), nl=False)
        return
    if folder is None:
        write_atomic(output, text_for(output), force=force)
        echo(f"wrote {output}", err=True)
        return
    # The next record number is claimed by creating its file: when another writer takes the same
    # number first, this one takes the next (never the same file, never one over another).
    for _ in range(RECORD_TRIES):
        from advisor.core.records.log import next_record

        output = next_record(folder, answers.title or "decision", suffix)
        try:
            write_atomic(output, text_for(output))
        except WouldOverwrite:
            continue
        echo(f"wrote {output}", err=True)
        return
    raise AdvisorError(f"{folder}: no free record number after {RECORD_TRIES} tries")


def _source(file: Path | None, answers: Any, memo: Path | None) -> str:
    """Where the team's answers live, relative to the memo's folder: the answers file the memo is
    written from, or the one an earlier memo named; "" for standard output, an example, or a
    memo with none (the log then checks the memo's own answers)."""
    if file is None or memo is None:
        return ""
    kept = file
    if answers.memo is not None:  # a memo re-run: the answers file it came from, if it names one
        block = answers.memo.get("advisor")
        named = block.get("source") if isinstance(block, dict) else None
        if not isinstance(named, str) or not named:
            return ""
        kept = file.parent / named
    try:
        return Path(os.path.relpath(kept.resolve(), memo.resolve().parent)).as_posix()
    except ValueError:  # another drive: no relative path
        return ""


@click.command(name="diff")
@policy_option
@click.argument("old", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("new", type=click.Path(path_type=Path, dir_okay=False))
@format_option
@config_option
@prices_option
def diff_command(old: Path, new: Path, fmt: str, config: Path | None) -> None:
    """What changed from OLD to NEW (answers files or memos): the answers, then the conclusions.

    Exits 0 when nothing changed and 1 when something did, as diff(1) does; 2 when a file cannot
    be read. A memo is also re-run on its own answers and compared with what it recorded.
    """
    import sys

    from advisor.core.answers.document import load_answers
    from advisor.core.answers.memofile import current_versions
    from advisor.core.records.diff import compare, side

    registry = make_registry()
    overrides = make_overrides(registry, (), config)
    first, second = load_answers(old, registry), load_answers(new, registry)
    catalogue = make_catalogue(registry, overrides)  # today's, for the versions a re-run compares
    before = side(str(old), first, registry, make_catalogue(registry, overrides, first))
    after = side(str(new), second, registry, make_catalogue(registry, overrides, second))
    if new.resolve() == old.resolve():
        after.recorded = None  # one file: its record is compared once
    found = compare(before, after, registry, current_versions(registry, catalogue))
    if fmt == "json":
        from advisor.cli.common import emit_json

        emit_json(found.as_json())
    else:
        _show_diff(found, old, new)
    sys.exit(1 if found.changed else 0)


def _show_diff(found: Any, old: Path, new: Path) -> None:
    echo(f"--- {old}\n+++ {new}")
    if not found.changed:
        echo("No change: the same answers and the same conclusions.")
    elif not (found.answers or found.conclusions or found.rules_added or found.rules_removed):
        echo(
            "Answers and today's results unchanged, but a memo recorded a recommendation that a "
            "re-run no longer gives (below)."
        )
    if found.answers:
        click.secho(f"Answers changed ({len(found.answers)}):", bold=True)
        for question, was, now in found.answers:
            echo(f"  {question}: {was} -> {now}")
    if found.conclusions:
        click.secho("Conclusions changed:", bold=True)
        for what, was, now in found.conclusions:
            echo(f"  {what}: {was} -> {now}")
    if found.rules_added:
        click.secho("Rules that fire now and did not:", bold=True)
        for line in found.rules_added:
            echo(f"  + {line}")
    if found.rules_removed:
        click.secho("Rules that no longer fire:", bold=True)
        for line in found.rules_removed:
            echo(f"  - {line}")
    if found.reruns:
        click.secho("Memos re-run:", bold=True)
        for line in found.reruns:
            echo(f"  {line}")


@click.command(name="log")
@click.argument("folder", required=False, type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--date",
    "when",
    metavar="YYYY-MM-DD",
    help="Judge revisit dates against this day (default: today).",
)
@format_option
def log_command(folder: Path | None, when: str | None, fmt: str) -> None:
    """List the decision memos in FOLDER (default: docs/decisions/): date, title, recommendation,
    status and revisit date, marking those whose revisit date has passed, and the plan's next
    step, marking a step the team's answers already reach as due."""
    from advisor.core.records.log import DECISIONS_DIR, decision_log

    today = _date(when)
    registry: Any = None

    def answers_of(path: Path) -> Any:
        # The questionnaire is built once, and only when some memo has a plan to check.
        nonlocal registry
        from advisor.cli.common import make_registry
        from advisor.core.answers.document import load_answers

        if registry is None:
            registry = make_registry(warn=False)
        return load_answers(path, registry, fast=True).values

    entries = decision_log(folder or DECISIONS_DIR, today, answers_of)
    if fmt == "json":
        from advisor.cli.common import emit_json

        emit_json([e.as_json() for e in entries])
        return
    from rich.table import Table

    from advisor.cli.common import make_console

    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("record", no_wrap=True)
    table.add_column("date", no_wrap=True)
    table.add_column("title", ratio=1, overflow="fold")
    table.add_column("recommends", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("revisit", no_wrap=True)
    table.add_column("next step", ratio=1, overflow="fold")
    for e in entries:
        revisit = e.revisit or "-"
        if e.overdue:
            revisit = f"[bold red]{revisit} overdue[/]"
        title = _escape(e.title)
        if e.problem:
            title += f" [red](unreadable: {_escape(e.problem)})[/]"
        number = re.match(r"^(\d{4})-", e.path.name)
        table.add_row(
            number.group(1) if number else _escape(e.path.name),
            e.date or "-",
            title,
            e.recommendation or "-",
            e.status or "-",
            revisit,
            _step_cell(e),
        )
    console = make_console()
    console.print(table)
    overdue = sum(e.overdue for e in entries)
    due = sum(bool(e.due_step) for e in entries)
    console.print(
        f"{len(entries)} record{'s' if len(entries) != 1 else ''}, {overdue} overdue for a "
        f"revisit, {due} due for a step of {'their' if due != 1 else 'its'} plan"
    )


def _step_cell(e: Any) -> str:
    """The log's last column: a step the answers reach, marked due, then the next one."""
    parts = []
    if e.due_step:
        parts.append(f"[bold yellow]due: {_escape(e.due_step)}[/]")
    if e.next_step:
        parts.append(("then " if e.due_step else "") + _escape(e.next_step))
    if e.check_problem:
        parts.append(f"[red](not checked: {_escape(e.check_problem)})[/]")
    return "; ".join(parts) or "-"


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
