"""What every command shares: the error handling of the group, the options, and the steps that
set up a command's inputs (registry, overrides, answers, catalogue)."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from advisor.errors import AdvisorError, InputError
from advisor.terminal import echo

if TYPE_CHECKING:
    from rich.console import Console

    from advisor.core.answers.document import AnswersFile
    from advisor.core.answers.overrides import Config, Overrides
    from advisor.core.decision.registry import Registry
    from advisor.costs.catalogue import Catalogue

ANSWER_SUFFIXES = (".yaml", ".yml", ".json")


class AdvisorGroup(click.Group):
    """Turns the advisor's own errors into a message and exit code 2, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputError as exc:
            echo(str(exc), err=True)  # file:line: field: message, one problem a line
            sys.exit(exc.exit_code)
        except AdvisorError as exc:
            echo(f"advisor: {exc}", err=True)
            sys.exit(exc.exit_code)


def command_config(named: Path | None = None) -> Config:
    """The config file of the running command (its --config, else the default), read once for
    the command however many of its steps ask."""
    from advisor.core.answers.overrides import read_config

    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return read_config(named)
    named = named if named is not None else ctx.params.get("config")
    key = f"advisor.config:{named}"
    if key not in ctx.meta:
        ctx.meta[key] = read_config(named)
    found: Config = ctx.meta[key]
    return found


def policies_named() -> list[Path]:
    """The policy packs for this command: the config file's, then each --policy."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return []
    return [*command_config().policies(), *ctx.meta.get("advisor.policies", ())]


def plugins_disabled() -> list[str]:
    """Plugins not to load: --disable-plugin before the command, and disable_plugins in the config."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return []
    return [*command_config().names("disable_plugins"), *ctx.meta.get("advisor.disabled", ())]


def make_registry(warn: bool = True) -> Registry:
    from advisor.plugins import build_registry, get_plugin_manager

    registry = build_registry(
        get_plugin_manager(policies=policies_named(), disabled=plugins_disabled())
    )
    _ = registry.catalogue  # read now, so that its plugins' problems are reported with the rest
    if warn:
        for fault in registry.faults:
            echo(f"advisor: warning: {fault.render()}", err=True)
    return registry


def make_console() -> Console:
    from advisor.terminal import console

    made: Console = console(highlight=False)
    return made


def read_answers(registry: Registry, file: Path | None, example: str | None) -> AnswersFile:
    from advisor.core.answers.document import load_answers, parse_answers
    from advisor.core.answers.examples import builtin_examples

    if file is not None and example is not None:
        raise click.UsageError("give FILE or --example, not both")
    if example is not None:
        found = builtin_examples()
        if example not in found:
            raise click.UsageError(
                f"no example named {example!r}; built-in examples: {', '.join(found)}"
            )
        return parse_answers(
            found[example].read_text(encoding="utf-8"), registry, Path(f"example:{example}")
        )
    if file is None:
        raise click.UsageError("give an answers FILE (or --example NAME; see `advisor examples`)")
    return load_answers(file, registry)


def emit_json(data: Any) -> None:
    from advisor.core.base.numbers import json_safe

    safe = json_safe(data)
    echo(json.dumps(safe, indent=2, ensure_ascii=False, default=str, allow_nan=False), json=True)


file_argument = click.argument(
    "file", required=False, type=click.Path(path_type=Path, dir_okay=False)
)
example_option = click.option(
    "--example", metavar="NAME", help="Use a built-in example instead of a file."
)
set_option = click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="KEY=VALUE",
    help="Change an answer (section.question=VALUE) or a catalogue figure (gpu.h100.hourly_usd=2.9) "
    "for this run; repeatable. The file is not changed.",
)
config_option = click.option(
    "--config",
    "config",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Config file with figure overrides and currency (default: $ADVISOR_CONFIG, else "
    "~/.config/advisor/config.yaml if present).",
)


def make_overrides(registry: Registry, sets: tuple[str, ...], config: Path | None) -> Overrides:
    """The --set items and the config file, checked against the questions and the catalogue."""
    from advisor.core.answers.overrides import load_config, parse_sets

    overrides = load_config(parse_sets(sets, registry), command_config(config))
    if overrides.figures or overrides.config_figures or overrides.currency:
        make_catalogue(registry, overrides)  # unknown figures and a bad currency fail now
    return overrides


def make_catalogue(
    registry: Registry, overrides: Overrides, answers: AnswersFile | None = None
) -> Catalogue:
    """The catalogue with the overrides applied, asking hosted prices at the day --prices names
    (by default a memo's recorded day, else today)."""
    from pydantic import ValidationError

    from advisor.errors import Problem

    try:
        cat = overrides.apply_catalogue(registry.catalogue)
        day = price_day(answers)
        return cat if day == cat.price_date else cat.on(day)
    except KeyError as exc:
        from advisor.costs.catalogue import FigureError

        message = str(exc.args[0])
        if isinstance(exc, FigureError):
            if exc.key in overrides.figures or exc.key not in overrides.config_lines:
                raise InputError("--set", [Problem(exc.key, exc.message)]) from None
            problem = Problem(f"figures.{exc.key}", exc.message, overrides.config_lines[exc.key])
            raise InputError(overrides.config_path, [problem]) from None
        for key, line in overrides.config_lines.items():
            if f"no figure {key!r}" in message:
                problem = Problem(f"figures.{key}", message, line)
                raise InputError(overrides.config_path, [problem]) from None
        raise InputError("--set", [Problem("", message)]) from None
    except ValidationError as exc:
        problems = [
            Problem("currency." + ".".join(map(str, e["loc"])), e["msg"]) for e in exc.errors()
        ]
        raise InputError(overrides.config_path, problems) from None


def price_day(answers: AnswersFile | None) -> str:
    """The day to ask hosted prices at: --prices, else the day a memo recorded, else today."""
    from advisor.core.base.dates import today

    ctx = click.get_current_context(silent=True)
    asked = ctx.meta.get("advisor.prices") if ctx is not None else None
    if asked not in (None, "recorded"):
        return today().isoformat() if asked == "today" else str(asked)
    recorded = recorded_price_day(answers)
    return recorded or today().isoformat()


def recorded_price_day(answers: AnswersFile | None) -> str | None:
    """The day a memo's prices were asked at, as its front matter records it."""
    memo = getattr(answers, "memo", None)
    if not isinstance(memo, dict):
        return None
    block = memo.get("advisor")
    versions = block.get("versions") if isinstance(block, dict) else None
    day = versions.get("price_date") if isinstance(versions, dict) else None
    return str(day) if day else None


def _remember_policies(ctx: click.Context, _param: Any, value: tuple[Path, ...]) -> None:
    ctx.meta["advisor.policies"] = list(value)


policy_option = click.option(
    "--policy",
    "policies",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    expose_value=False,
    callback=_remember_policies,
    help="A policy pack (YAML rules, docs/plugins.md) to apply; repeatable. Packs named in the "
    "config file (policies:) apply too.",
)


def _remember_prices(ctx: click.Context, _param: Any, value: str | None) -> None:
    if value is not None and value not in ("recorded", "today"):
        from datetime import date

        try:
            date.fromisoformat(value)
        except ValueError:
            raise click.BadParameter(
                f"{value!r} is not recorded, today or a date like 2026-12-01",
                param_hint="--prices",
            ) from None
    ctx.meta["advisor.prices"] = value


prices_option = click.option(
    "--prices",
    metavar="recorded|today|YYYY-MM-DD",
    expose_value=False,
    callback=_remember_prices,
    help="The day hosted prices are asked at: recorded (the default: a memo's recorded day, "
    "else today), today, or a date.",
)


format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for scripts (the contract in docs/output.md).",
)


def decision_inputs(func: Any) -> Any:
    """The inputs of a command that decides on answers, in the order `--help` lists them: policy
    packs, FILE or --example, the output format, --set, --config and --prices."""
    for option in (
        prices_option,
        config_option,
        set_option,
        format_option,
        example_option,
        file_argument,
        policy_option,
    ):
        func = option(func)
    return func


@dataclass
class Inputs:
    """What a command works on, set up once: the registry, the overrides (the config file and
    --set), the answers with --set answers in place (None for a command without answers), and the
    catalogue in effect for them."""

    registry: Registry
    overrides: Overrides
    answers: AnswersFile | None
    catalogue: Catalogue


def inputs(
    file: Path | None = None,
    example: str | None = None,
    sets: tuple[str, ...] = (),
    config: Path | None = None,
    *,
    answers: bool | None = True,
    warn: bool = True,
    command: str = "",
) -> Inputs:
    """The one set-up step of a command. ``answers``: True, FILE or --example must be given;
    None, they may be; False, the command takes none, and --set may name figures only (the error
    names ``command``). ``warn``: plugins' problems are printed on standard error."""
    registry = make_registry(warn=warn)
    overrides = make_overrides(registry, sets, config)
    if answers is False and overrides.answers:
        raise click.UsageError(f"`{command}` takes catalogue figures in --set, not answers")
    given = None
    if answers or (answers is None and (file is not None or example is not None)):
        given = overrides.apply_answers(read_answers(registry, file, example))
    return Inputs(registry, overrides, given, make_catalogue(registry, overrides, given))
