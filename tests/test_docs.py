"""Generated documentation must match what it is generated from."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import Result

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
