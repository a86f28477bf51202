"""Generated documentation must match what it is generated from."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import Result

import advisor

RULES_MD = Path(__file__).parent.parent / "docs" / "rules.md"
REGENERATE = "regenerate it with `.venv/bin/advisor rules --format markdown > docs/rules.md`"


def test_rule_catalogue_is_up_to_date(cli: Callable[..., Result]) -> None:
    result = cli("rules", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert not result.stderr, result.stderr
    generated = result.stdout
    assert generated.startswith("# Rule catalogue\n")
    assert RULES_MD.is_file(), f"docs/rules.md is missing: {REGENERATE}"
    written = RULES_MD.read_text(encoding="utf-8")
    assert written == generated, f"docs/rules.md is stale: {REGENERATE}"


def test_the_readme_plugin_example_works() -> None:
    """The rule shown in the README registers as a plugin and fires as its text says."""
    import re

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    (code,) = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), namespace)
    example = namespace["idle_gpus"]
    assert isinstance(example, advisor.Rule)

    class ReadmePlugin:
        @advisor.hookimpl
        def advisor_rules(self, register: Callable[[object], None]) -> None:
            register(example)

    registry = advisor.build_registry(advisor.get_plugin_manager(plugins=[ReadmePlugin()]))
    assert not registry.faults
    flat = advisor.evaluate(registry, {"scale.peak_to_average": 1.5}, explore=False)
    spiky = advisor.evaluate(registry, {"scale.peak_to_average": 4}, explore=False)
    fired = [r.rule.code for r in flat.results if r.fired]
    assert "ACME001" in fired
    assert "ACME001" not in [r.rule.code for r in spiky.results if r.fired]
    assert flat.options["self_host"].score == spiky.options["self_host"].score + 1


def test_the_catalogue_page_lists_every_figure_as_shipped(registry: advisor.Registry) -> None:
    """docs/catalogue.md tables each figure by hand: each row must match the data files."""
    import re

    page = (Path(__file__).parent.parent / "docs" / "catalogue.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z0-9_.]+)` \| ([^|]+) \|", page, flags=re.M))
    for key, fig in registry.catalogue.figures.items():
        assert key in rows, f"docs/catalogue.md has no row for {key}"
        assert float(rows[key].replace(",", "")) == fig.value, key


def test_the_hook_reference_in_docs_plugins_is_up_to_date(cli: Callable[..., Result]) -> None:
    reference = cli("plugins", "--reference")
    assert reference.exit_code == 0, reference.output
    page = (Path(__file__).parent.parent / "docs" / "plugins.md").read_text(encoding="utf-8")
    marker = "a test fails when it is stale. -->\n\n"
    assert marker in page
    assert page.split(marker, 1)[1] == reference.stdout, (
        "docs/plugins.md is stale: regenerate its hook reference with `advisor plugins --reference`"
    )


def test_every_hook_is_documented_and_tested() -> None:
    """Each hookspec has a docstring with its parameters, is in the reference, and some test
    uses it (by name)."""
    import inspect

    from advisor import hookspecs

    tests = "\n".join(
        p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_*.py")
    )
    hooks = [
        n for n, f in inspect.getmembers(hookspecs, inspect.isfunction) if n.startswith("advisor_")
    ]
    assert len(hooks) >= 6
    for name in hooks:
        doc = inspect.getdoc(getattr(hookspecs, name)) or ""
        assert ":param register:" in doc, f"{name} has no documented parameters"
        uses = tests.count(f"def {name}(")
        assert uses, f"no test implements the hook {name}"
