"""What each command imports: the TUI library (textual) never, and `import advisor` only the core.

Each run is a fresh interpreter, since a module imported once stays in ``sys.modules``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
HOSPITAL = ROOT / "tests" / "cases" / "hospital-discharge-notes.yaml"
CASES = ROOT / "tests" / "cases"

# Runs the command as the `advisor` script does, then reports its exit code and the modules loaded.
PROBE = """\
import json, sys
from advisor.cli import main
try:
    code = main(sys.argv[1:], standalone_mode=False)
except SystemExit as exc:
    code = exc.code
print()
print(json.dumps({"exit": code or 0, "modules": sorted(sys.modules)}))
"""

COMMANDS = {
    "recommend json": ["recommend", str(HOSPITAL), "--format", "json"],
    "recommend text": ["recommend", str(HOSPITAL)],
    "recommend example": ["recommend", "--example", "first-pilot"],
    "explain": ["explain", str(HOSPITAL)],
    "check": ["check", str(CASES)],
    "questions": ["questions"],
    "questions json": ["questions", "--format", "json"],
    "plugins": ["plugins"],
    "rules": ["rules"],
    "rules markdown": ["rules", "--format", "markdown"],
    "schema": ["schema"],
    "init": ["init"],
    "examples": ["examples"],
    "help": ["--help"],
    "memo": ["memo", str(HOSPITAL), "--date", "2026-11-24"],
    "memo html": ["memo", str(HOSPITAL), "--format", "html", "--date", "2026-11-24"],
    "diff": ["diff", str(HOSPITAL), str(HOSPITAL)],
    "log": ["log", str(CASES)],
}


def _probe(args: list[str]) -> tuple[int, set[str], str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.rstrip().splitlines()[-1])
    return report["exit"], set(report["modules"]), done.stdout


@pytest.mark.parametrize("name", list(COMMANDS))
def test_command_does_not_import_textual(name: str) -> None:
    code, modules, output = _probe(COMMANDS[name])
    assert code == 0, output
    assert "advisor.cli" in modules  # the probe ran the command
    loaded = sorted(m for m in modules if m == "textual" or m.startswith("textual."))
    assert loaded == [], f"`advisor {' '.join(COMMANDS[name])}` imported {loaded[:5]}"


def test_text_output_does_load_its_renderer() -> None:
    # The probe sees what a command imports: the text report needs rich, and gets it.
    code, modules, output = _probe(COMMANDS["recommend text"])
    assert code == 0, output
    assert {"rich", "advisor.render.text"} <= modules


def test_import_advisor_alone_imports_no_ui_or_templates() -> None:
    modules = set(_python("import json, sys, advisor; print(json.dumps(sorted(sys.modules)))"))
    assert "advisor" in modules
    for heavy in ("textual", "rich", "jinja2"):
        assert not any(m == heavy or m.startswith(f"{heavy}.") for m in modules), heavy


def test_help_imports_click_and_the_command_modules_only() -> None:
    # `advisor --help` lists the commands: nothing that reads files, validates or decides.
    code, modules, output = _probe(["--help"])
    assert code == 0, output
    assert "Usage:" in output
    for heavy in (
        "pydantic",
        "ruamel",
        "pluggy",
        "rich",
        "jinja2",
        "textual",
        "importlib.metadata",
    ):
        assert not any(m == heavy or m.startswith(f"{heavy}.") for m in modules), heavy
    assert not any(m.startswith(("advisor.core.decision", "advisor.costs")) for m in modules)


def _python(code: str) -> Any:
    """What a fresh interpreter prints as JSON after running ``code``."""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_name_from_advisor_is_imported_when_first_used() -> None:
    found = _python(
        "import json, sys, advisor; before = 'advisor.core.decision.rules' in sys.modules; "
        "from advisor import rule, Pricing; "
        "print(json.dumps([before, rule.__module__, Pricing.__module__]))"
    )
    assert found == [False, "advisor.core.decision.rules", "advisor.costs.bill"]
