"""Shared fixtures: the built-in registry, a CLI runner, and the worked cases."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from advisor import Registry, build_registry
from advisor.cli import main

TESTS = Path(__file__).parent
CASES = TESTS / "cases"

# The suite judges the built-in plugins alone, whatever else is installed (advisor-buy, which the
# tests of the example plugin install, included); those tests choose it back with ADVISOR_PLUGINS.
os.environ["ADVISOR_PLUGINS"] = ""
# One day for the whole run, so that hosted prices (asked at the date of the run), revisit dates and
# memo dates are the same whatever the calendar says. A test that needs another day sets it itself.
TODAY = "2026-12-01"
os.environ["ADVISOR_TODAY"] = TODAY


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite the golden files (tests/golden/) from the current output instead of "
        "comparing with them.",
    )


@pytest.fixture(scope="session", autouse=True)
def _own_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the hosted-price cache of the test run out of the user's cache folder."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))


def _pip_offline(*args: str) -> None:
    """Run pip for a test without touching the network, pip's cache or the user's pip settings:
    builds use the setuptools already installed (a development requirement), and whatever pip
    installs goes where ``args`` say (always a temporary folder, never this environment)."""
    env = {**os.environ, "PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    command = [sys.executable, "-m", "pip", *args]
    command += ["--no-deps", "--no-index", "--no-build-isolation", "--no-cache-dir", "--quiet"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="session")
def pip_offline() -> Callable[..., None]:
    """pip, offline and into temporary folders only (see ``_pip_offline``)."""
    return _pip_offline


@pytest.fixture
def distribution(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[str, str, str, str], None]]:
    """Install a plugin as a distribution for one test: ``(name, module, entry point, source)``
    writes the module and its dist-info (with an ``advisor`` entry point) into a temporary folder
    on the path, and chooses it with ADVISOR_PLUGINS; the module is forgotten afterwards."""
    import sys

    made: list[str] = []

    def install(name: str, module: str, target: str, source: str) -> None:
        (tmp_path / f"{module}.py").write_text(source, encoding="utf-8")
        info = tmp_path / f"{name.replace('-', '_')}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", encoding="utf-8"
        )
        (info / "entry_points.txt").write_text(f"[advisor]\n{target}\n", encoding="utf-8")
        monkeypatch.syspath_prepend(str(tmp_path))
        monkeypatch.setenv("ADVISOR_PLUGINS", name)
        made.append(module)

    yield install
    for module in made:
        sys.modules.pop(module, None)


@pytest.fixture(scope="session")
def registry() -> Registry:
    """The registry built from the installed entry points (the built-in plugins)."""
    built = build_registry()
    assert not built.faults, [f.render() for f in built.faults]
    return built


@pytest.fixture
def cli() -> Callable[..., Result]:
    """Run the `advisor` command in-process, the way a user would call it."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None) -> Result:
        return runner.invoke(main, list(args), input=input, catch_exceptions=True)

    return run


@pytest.fixture(scope="session")
def case_files() -> list[Path]:
    return sorted(CASES.glob("*.yaml"))
