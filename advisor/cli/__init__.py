"""The `advisor` command line (click): the group, and the commands each module gives, added to it.
Each command imports what it needs when it runs; only `tui` imports Textual."""

from __future__ import annotations

import gc
import sys

import click

from advisor.cli import capacity, decide, explore, info, memo, tui
from advisor.cli.common import AdvisorGroup
from advisor.terminal import echo


@click.group(
    cls=AdvisorGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    invoke_without_command=True,
)
@click.version_option(package_name="advisor", prog_name="advisor")
@click.option(
    "--disable-plugin",
    "disabled",
    multiple=True,
    metavar="NAME",
    help="Do not load this plugin (a name `advisor plugins` shows); repeatable. "
    "ADVISOR_PLUGINS=a,b loads only those third-party plugins (empty: none).",
)
@click.pass_context
def main(ctx: click.Context, disabled: tuple[str, ...]) -> None:
    """Decide how to adopt a large language model: call a hosted API, self-host an open model, or
    fine-tune one, with every reason shown.

    Without a command, in a terminal, opens the terminal UI (`advisor tui`)."""
    ctx.meta["advisor.disabled"] = list(disabled)
    if ctx.invoked_subcommand is not None:
        return
    if sys.stdin.isatty() and sys.stdout.isatty():
        from advisor.cli.tui import run_tui

        run_tui(None, None, (), None)
        return
    echo(ctx.get_help())


for command in (
    decide.recommend,
    decide.explain,
    decide.check,
    info.questions,
    info.plugins,
    info.rules,
    info.schema,
    info.init,
    info.examples,
    info.catalogue_command,
    info.models,
    explore.flips_command,
    explore.whatif,
    explore.sweep_command,
    memo.memo_command,
    memo.diff_command,
    memo.log_command,
    tui.tui_command,
    capacity.capacity_command,
):
    main.add_command(command)


# A command allocates a few hundred thousand objects, nearly all of which live to its end: the
# default thresholds (700 allocations) collect dozens of times for next to nothing freed, and the
# collection at exit walks every object once more. A long session (the terminal UI) puts the
# defaults back (run_tui).
SHORT_COMMAND_THRESHOLDS = (50_000, 20, 100)


def run() -> None:
    """The `advisor` command (the script and `python -m advisor`): main() with the collector
    running rarely, and nothing left for it to walk at exit."""
    import atexit

    gc.set_threshold(*SHORT_COMMAND_THRESHOLDS)
    atexit.register(gc.freeze)
    main()
