"""Commands that show what the advisor knows: questions, plugins, rules, the catalogue, hosted
models, examples, the answers schema and a starter file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from advisor.cli.common import (
    config_option,
    emit_json,
    inputs,
    make_console,
    make_registry,
    policy_option,
    set_option,
)
from advisor.core.answers.examples import builtin_examples
from advisor.terminal import echo

if TYPE_CHECKING:
    from advisor.costs.catalogue import Catalogue


@click.command()
@policy_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def questions(fmt: str) -> None:
    """List the questionnaire as the engine sees it, plugins' sections included."""
    registry = make_registry()
    if fmt == "json":
        emit_json([s.model_dump(mode="json") for s in registry.sections])
        return
    from advisor.render import text

    text.questions(make_console(), registry)


@click.command()
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
        from advisor.render.reference import hooks_markdown

        echo(hooks_markdown(), nl=False)
        return
    registry = make_registry(warn=False)
    if fmt == "json":
        import dataclasses

        from advisor.plugins import HOOK_API

        emit_json(
            {
                "hook_api": HOOK_API,
                "plugins": [dataclasses.asdict(p) for p in registry.plugins],
                "errors": [dataclasses.asdict(f) for f in registry.faults],
            }
        )
        return
    from advisor.render import text

    text.plugins(make_console(), registry, verbose)


@click.command()
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
    registry = make_registry()
    if fmt == "markdown":
        from advisor.render.reference import rules_markdown

        echo(rules_markdown(registry), nl=False)
        return
    if fmt == "json":
        emit_json(
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
                    "since": r.since or None,
                }
                for r in registry.rules
            ]
        )
        return
    from advisor.render import text

    text.rules(make_console(), registry)


@click.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the schema to this file instead of standard output.",
)
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists.")
def schema(output: Path | None, force: bool) -> None:
    """Print the JSON Schema of the answers file (for editors' YAML support)."""
    from advisor.core.answers.schema import json_schema

    text = json.dumps(json_schema(make_registry()), indent=2) + "\n"
    if output is None:
        echo(text, nl=False)
        return
    from advisor.core.base.files import write_atomic

    write_atomic(output, text, force=force)
    echo(f"wrote {output}", err=True)


@click.command()
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--title", default="", help="The title to put in the file.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def init(file: Path | None, title: str, force: bool) -> None:
    """Start a new answers file with every question, its allowed values and default as comments.

    Without FILE the file is printed. With FILE, the JSON Schema it points editors to is written
    beside it too (unless a file of that name is already there).
    """
    from advisor.core.answers.schema import json_schema
    from advisor.core.base.files import write_atomic
    from advisor.render.reference import SCHEMA_FILE, answers_skeleton

    registry = make_registry()
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


@click.command()
def examples() -> None:
    """List the built-in example answers files (use with --example NAME)."""
    from advisor.core.base import yamlio

    for name, entry in builtin_examples().items():
        data = yamlio.load_fast(entry.read_text(encoding="utf-8"), name) or {}
        echo(f"{name}: {data.get('title', '')}")


@click.command(name="catalogue")
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
def catalogue_command(sets: tuple[str, ...], config: Path | None, stale: bool, fmt: str) -> None:
    """List the cost catalogue: every figure with its value, range, date, age and source, and the
    hosted models offered with their prices on the day."""
    from advisor.core.base.dates import today

    given = inputs(sets=sets, config=config, answers=False, command="catalogue")
    cat = given.catalogue
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
        emit_json(
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

    text.catalogue(make_console(), cat, figures, prices, missing, on, stale_only=stale)


@click.command()
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

    given = inputs(sets=sets, config=config, answers=False, command="models")
    cat = given.catalogue
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
        emit_json({"price_date": cat.price_date, "models": [_price_json(p) for p in prices]})
        return
    from advisor.render import text

    text.models(make_console(), cat, prices, words)


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
