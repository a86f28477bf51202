"""The `tui` command: the terminal UI, the only command that imports Textual."""

from __future__ import annotations

import gc
from pathlib import Path

import click

from advisor.cli.common import (
    config_option,
    example_option,
    file_argument,
    inputs,
    policy_option,
    set_option,
)
from advisor.core.answers.examples import builtin_examples

DEFAULT_THRESHOLDS = (
    gc.get_threshold()
)  # the interpreter's, read before advisor.cli.run sets its own


def run_tui(
    file: Path | None, example: str | None, sets: tuple[str, ...], config: Path | None
) -> None:
    """Open the app: on FILE or an example, else on the start screen (resume, examples, blank)."""
    gc.set_threshold(*DEFAULT_THRESHOLDS)  # a session, not a short command (advisor.cli.run)
    given = inputs(file, example, sets, config, answers=None)
    registry, answers, catalogue = given.registry, given.answers, given.catalogue
    from advisor.tui.app import make_app

    make_app(registry, catalogue, answers=answers, examples=builtin_examples()).run()


@click.command(name="tui")
@policy_option
@file_argument
@example_option
@set_option
@config_option
def tui_command(
    file: Path | None, example: str | None, sets: tuple[str, ...], config: Path | None
) -> None:
    """Open the terminal UI: answer the questionnaires and watch the decision form, explore what-ifs,
    save the answers and export the memo. FILE (an answers file or a memo) opens it straight away;
    without one, a start screen offers to resume, to try an example or to begin blank."""
    run_tui(file, example, sets, config)
