"""The `advisor` command line (click). Each command imports what it needs when it runs."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from advisor.errors import AdvisorError, InputError
from advisor.terminal import echo

if TYPE_CHECKING:
    from rich.console import Console

    from advisor.core.answers import AnswersFile
    from advisor.core.overrides import Overrides
    from advisor.costs.catalogue import Catalogue
    from advisor.plugins import Registry

ANSWER_SUFFIXES = (".yaml", ".yml", ".json")


class _Group(click.Group):
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


def _policies() -> list[Path]:
    """The policy packs for this command: the config file's, then each --policy."""
    from advisor.core.overrides import config_path, config_policies

    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return []
    named = ctx.params.get("config")
    return [*config_policies(config_path(named)), *ctx.meta.get("advisor.policies", ())]


def _disabled() -> list[str]:
    """Plugins not to load: --disable-plugin before the command, and disable_plugins in the config."""
    from advisor.core.overrides import config_list, config_path

    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return []
    named = config_list(config_path(ctx.params.get("config")), "disable_plugins")
    return [*named, *ctx.meta.get("advisor.disabled", ())]


def _registry(warn: bool = True) -> Registry:
    from advisor.plugins import build_registry, get_plugin_manager

    policies = _policies()
    disabled = _disabled()
    chosen = policies or disabled
    pm = get_plugin_manager(policies=policies, disabled=disabled) if chosen else None
    registry = build_registry(pm)
    _ = registry.catalogue  # read now, so that its plugins' problems are reported with the rest
    if warn:
        for fault in registry.faults:
            echo(f"advisor: warning: {fault.render()}", err=True)
    return registry


def _console() -> Console:
    from advisor.terminal import console

    made: Console = console(highlight=False)
    return made


def _examples() -> dict[str, Any]:
    from importlib.resources import files

    folder = files("advisor") / "examples"
    return {
        entry.name.rsplit(".", 1)[0]: entry
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".yaml")
    }


def _load(registry: Registry, file: Path | None, example: str | None) -> AnswersFile:
    from advisor.core.answers import load_answers, parse_answers

    if file is not None and example is not None:
        raise click.UsageError("give FILE or --example, not both")
    if example is not None:
        found = _examples()
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


def _emit_json(data: Any) -> None:
    from advisor.core.numbers import json_safe

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


def _overrides(registry: Registry, sets: tuple[str, ...], config: Path | None) -> Overrides:
    """The --set items and the config file, checked against the questions and the catalogue."""
    from advisor.core.overrides import config_path, load_config, parse_sets

    overrides = load_config(parse_sets(sets, registry), config_path(config))
    if overrides.figures or overrides.config_figures or overrides.currency:
        _catalogue(registry, overrides)  # unknown figures and a bad currency fail now
    return overrides


def _catalogue(
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
    from advisor.core.dates import today

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


@click.group(
    cls=_Group,
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
        from advisor.cli_tui import run_tui

        run_tui(None, None, (), None)
        return
    echo(ctx.get_help())


def _decide_and_show(
    file: Path | None,
    example: str | None,
    fmt: str,
    show: str,
    sets: tuple[str, ...] = (),
    config: Path | None = None,
) -> None:
    """Evaluate an answers file; print the JSON contract, or the text view named ``show``."""
    from advisor.core.engine import evaluate

    registry = _registry(warn=fmt == "json")  # the text output lists plugin problems itself
    overrides = _overrides(registry, sets, config)
    answers = overrides.apply_answers(_load(registry, file, example))
    catalogue = _catalogue(registry, overrides, answers)
    decision = evaluate(registry, answers.values, catalogue=catalogue)
    if fmt == "json":
        from advisor.core.report import decision_json

        _emit_json(decision_json(decision, registry, answers, catalogue))
        return
    from advisor.render import text

    getattr(text, show)(_console(), decision, registry, answers, catalogue)


@main.command()
@policy_option
@file_argument
@example_option
@format_option
@set_option
@config_option
@prices_option
def recommend(
    file: Path | None, example: str | None, fmt: str, sets: tuple[str, ...], config: Path | None
) -> None:
    """Recommend an option for the answers in FILE."""
    _decide_and_show(file, example, fmt, "recommendation", sets, config)


@main.command()
@policy_option
@file_argument
@example_option
@format_option
@set_option
@config_option
@prices_option
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


@main.command()
@policy_option
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@set_option
@config_option
def check(paths: tuple[Path, ...], sets: tuple[str, ...], config: Path | None) -> None:
    """Check answers files that carry `expect:` (files, or folders searched for .yaml/.yml/.json).

    Prints a line per file and `N passed, N failed`; exits 1 when any check fails and 2 when a file
    cannot be read.
    """
    from advisor.core.answers import load_answers
    from advisor.core.cases import check_case

    registry = _registry()
    overrides = _overrides(registry, sets, config)
    catalogue = _catalogue(registry, overrides)
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


@main.command()
@policy_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def questions(fmt: str) -> None:
    """List the questionnaire as the engine sees it, plugins' sections included."""
    registry = _registry()
    if fmt == "json":
        _emit_json([s.model_dump(mode="json") for s in registry.sections])
        return
    from advisor.render import text

    text.questions(_console(), registry)


@main.command()
@policy_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("-v", "--verbose", is_flag=True, help="Show the hooks each plugin implements.")
@click.option(
    "--reference",
    is_flag=True,
    help="Print the hook reference in Markdown (generated from the hooks' docstrings).",
)
def plugins(fmt: str, verbose: bool, reference: bool) -> None:
    """List each plugin: its version, where it comes from, and what it contributes (with
    --verbose, the hooks it implements). Plugins left out are listed with the reason."""
    if reference:
        from advisor.core.catalogue import hooks_markdown

        echo(hooks_markdown(), nl=False)
        return
    registry = _registry(warn=False)
    if fmt == "json":
        import dataclasses

        from advisor.plugins import HOOK_API

        _emit_json(
            {
                "hook_api": HOOK_API,
                "plugins": [dataclasses.asdict(p) for p in registry.plugins],
                "errors": [dataclasses.asdict(f) for f in registry.faults],
            }
        )
        return
    from advisor.render import text

    text.plugins(_console(), registry, verbose)


@main.command()
@policy_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="markdown is the catalogue in docs/rules.md.",
)
def rules(fmt: str) -> None:
    """List the rule catalogue: every rule's code, title, when it fires and its source."""
    registry = _registry()
    if fmt == "markdown":
        from advisor.core.catalogue import rules_markdown

        echo(rules_markdown(registry), nl=False)
        return
    if fmt == "json":
        _emit_json(
            [
                {
                    "id": r.code,
                    "title": r.title,
                    "stage": r.stage,
                    "fires_when": r.fires_when,
                    "rationale": r.rationale,
                    "source": r.source,
                    "principles": list(r.principles),
                    "options": list(r.options),
                    "reads": list(r.reads),
                    "plugin": r.plugin,
                }
                for r in registry.rules
            ]
        )
        return
    from advisor.render import text

    text.rules(_console(), registry)


@main.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the schema to this file instead of standard output.",
)
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists.")
def schema(output: Path | None, force: bool) -> None:
    """Print the JSON Schema of the answers file (for editors' YAML support)."""
    from advisor.core.answers import json_schema

    text = json.dumps(json_schema(_registry()), indent=2) + "\n"
    if output is None:
        echo(text, nl=False)
        return
    from advisor.core.files import write_atomic

    write_atomic(output, text, force=force)
    echo(f"wrote {output}", err=True)


@main.command()
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--title", default="", help="The title to put in the file.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def init(file: Path | None, title: str, force: bool) -> None:
    """Start a new answers file with every question, its allowed values and default as comments.

    Without FILE the file is printed. With FILE, the JSON Schema it points editors to is written
    beside it too (unless a file of that name is already there).
    """
    from advisor.core.answers import json_schema
    from advisor.core.catalogue import SCHEMA_FILE, answers_skeleton
    from advisor.core.files import write_atomic

    registry = _registry()
    text = answers_skeleton(registry, title)
    if file is None:
        echo(text, nl=False)
        return
    write_atomic(file, text, force=force)
    echo(f"wrote {file}", err=True)
    schema_path = file.parent / SCHEMA_FILE
    if not schema_path.exists():
        write_atomic(schema_path, json.dumps(json_schema(registry), indent=2) + "\n")
        echo(f"wrote {schema_path}", err=True)


@main.command()
def examples() -> None:
    """List the built-in example answers files (use with --example NAME)."""
    from advisor.core import yamlio

    for name, entry in _examples().items():
        data = yamlio.load_fast(entry.read_text(encoding="utf-8"), name) or {}
        echo(f"{name}: {data.get('title', '')}")


@main.command()
@set_option
@config_option
@click.option(
    "--stale",
    is_flag=True,
    help="Only the figures older than twelve months (datasheets, which do not age, left out).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def catalogue(sets: tuple[str, ...], config: Path | None, stale: bool, fmt: str) -> None:
    """List the cost catalogue: every figure with its value, range, date, age and source, and the
    hosted models offered with their prices on the day."""
    from advisor.core.dates import today

    registry = _registry()
    overrides = _overrides(registry, sets, config)
    if overrides.answers:
        raise click.UsageError("`catalogue` takes figures in --set, not answers")
    cat = _catalogue(registry, overrides)
    on = today().isoformat()
    figures = [f for f in cat.figures.values() if f.stale(on) or not stale]
    offered = [name for name, _ in hosted_shortlist(cat)]
    prices, missing = [], []
    for name in [] if stale else offered:
        try:
            prices.append(cat.hosted_price(name))
        except KeyError:
            missing.append(name)
    if fmt == "json":
        _emit_json(
            {
                "currency": cat.currency.model_dump(),
                "today": on,
                "price_date": cat.price_date,
                "figures": [
                    {
                        **f.model_dump(exclude={"replaces"}),
                        "age_months": f.age_months(on),
                        "stale": f.stale(on),
                    }
                    for f in figures
                ],
                "hosted_prices": [_price_json(p) for p in prices],
                "unpriced_models": missing,
            }
        )
        return
    from advisor.render import text

    text.catalogue(_console(), cat, figures, prices, missing, on, stale_only=stale)


@main.command()
@click.argument("search", nargs=-1)
@set_option
@config_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def models(search: tuple[str, ...], sets: tuple[str, ...], config: Path | None, fmt: str) -> None:
    """The hosted models to name in cost.api_model: the shortlist offered, or with SEARCH (words
    such as "qwen 235b") every model genai-prices knows that matches, priced on the day."""
    from advisor.costs import hosted

    registry = _registry()
    overrides = _overrides(registry, sets, config)
    if overrides.answers:
        raise click.UsageError("`models` takes figures in --set, not answers")
    cat = _catalogue(registry, overrides)
    words = " ".join(search)
    names = (
        [m.ref for m in hosted.search(words, cat.aliases, limit=40)]
        if words
        else [name for name, _ in hosted.shortlist(cat.aliases)]
    )
    prices = []
    for name in names:
        try:
            prices.append(cat.hosted_price(name))
        except KeyError:
            continue
    if fmt == "json":
        _emit_json({"price_date": cat.price_date, "models": [_price_json(p) for p in prices]})
        return
    from advisor.render import text

    text.models(_console(), cat, prices, words)


def hosted_shortlist(cat: Catalogue) -> list[tuple[str, Any]]:
    from advisor.costs import hosted

    return hosted.shortlist(cat.aliases)


def _price_json(price: Any) -> dict[str, Any]:
    """A hosted model's prices as JSON: US dollars per million tokens."""
    model = price.model
    batch = price.batch
    return {
        "model": model.ref,
        "label": model.label,
        "provider": model.provider,
        "provider_model": model.model,
        "tier": model.tier,
        "input_usd_per_mtok": price.input.base,
        "cached_input_usd_per_mtok": price.cached_usd_per_mtok,
        "output_usd_per_mtok": price.output.base,
        "batch": None
        if batch is None
        else {
            "input_usd_per_mtok": batch[0].base,
            "output_usd_per_mtok": batch[1].base,
            "cached_input_usd_per_mtok": (batch[2] or batch[0]).base,
        },
        "long_prompt_tiers": [
            {"above_input_tokens": start, "input_usd_per_mtok": value}
            for start, value in price.input.tiers
        ],
        "price_changes": [
            {"from": when, "input_usd_per_mtok": i, "output_usd_per_mtok": o}
            for when, i, o in price.changes
        ],
        "status": model.status(price.as_of) or None,
        "as_of": price.as_of,
        "source": price.source,
    }


# Commands that explore changes to the answers live in their own module.
from advisor import cli_explore  # noqa: E402

# mypy cannot type these across the import cycle; each is a click.Command.
main.add_command(cli_explore.flips_command)  # type: ignore[has-type]
main.add_command(cli_explore.whatif)  # type: ignore[has-type]
main.add_command(cli_explore.sweep_command)  # type: ignore[has-type]

from advisor import cli_memo  # noqa: E402

main.add_command(cli_memo.memo_command)  # type: ignore[has-type]
main.add_command(cli_memo.diff_command)  # type: ignore[has-type]
main.add_command(cli_memo.log_command)  # type: ignore[has-type]

from advisor import cli_tui  # noqa: E402

main.add_command(cli_tui.tui_command)  # type: ignore[has-type]

from advisor import cli_capacity  # noqa: E402

main.add_command(cli_capacity.capacity_command)  # type: ignore[has-type]
