"""The example third-party plugin, plugins/advisor-buy, built and installed by pip the way a user
installs it, though into a temporary folder rather than the environment running the tests, and seen in `advisor plugins`, the questionnaire, the recommendation, the memo and the TUI.

The rest of the suite runs with ADVISOR_PLUGINS="" (tests/conftest.py); these tests choose the
plugin with ADVISOR_PLUGINS=advisor-buy.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = ROOT / "plugins" / "advisor-buy"
CASE = PLUGIN / "cases" / "support-bot.case.yaml"


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory, pip_offline: Callable[..., None]) -> Path:
    """The plugin built by pip from a copy of its folder (so the build writes nothing into the
    checkout) and installed into a folder of its own, never into the environment running the
    tests: a test puts that folder on its path, as ``pip install`` would have put the plugin on
    the user's, and takes it off again."""
    source = tmp_path_factory.mktemp("plugin") / "advisor-buy"
    skip = shutil.ignore_patterns("*.egg-info", "build", "__pycache__", ".pytest_cache")
    shutil.copytree(PLUGIN, source, ignore=skip)
    site = tmp_path_factory.mktemp("site")
    pip_offline("install", "--target", str(site), str(source))
    return site


@pytest.fixture
def on_path(installed: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The installed plugin visible to this process for one test (its entry point included)."""
    monkeypatch.syspath_prepend(str(installed))
    return installed


@pytest.fixture
def chosen(on_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ADVISOR_PLUGINS", "advisor-buy")
    yield


def _json(result: Result) -> object:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_advisor_plugins_lists_what_it_contributes(
    chosen: None, cli: Callable[..., Result]
) -> None:
    data = _json(cli("plugins", "--format", "json"))
    assert isinstance(data, dict)
    assert data["errors"] == []
    info = next(p for p in data["plugins"] if p["name"] == "advisor-buy:buy")
    assert (info["version"], info["origin"], info["disabled"]) == ("0.1.0", "entry point", "")
    contributes = info["contributes"]
    assert contributes["sections"] == ["buy"]
    assert contributes["options"] == ["buy"]
    assert contributes["rules"] == ["BUY001", "BUY002", "BUY003", "BUY004"]
    assert contributes["catalogue"] and contributes["memo"] == ["sections"]


def test_without_choosing_it_it_is_listed_but_not_loaded(
    on_path: Path, cli: Callable[..., Result]
) -> None:
    data = _json(cli("plugins", "--format", "json"))
    assert isinstance(data, dict)
    info = next(p for p in data["plugins"] if p["name"] == "advisor-buy:buy")
    assert info["disabled"] == "not in ADVISOR_PLUGINS"
    assert "buy.product_fit" not in cli("questions").stdout


def test_its_questions_join_the_questionnaire(chosen: None, cli: Callable[..., Result]) -> None:
    shown = cli("questions")
    assert shown.exit_code == 0, shown.output
    assert "buy: Buying a product" in shown.stdout
    assert "buy.product_fit [choice]" in shown.stdout


def test_it_changes_the_recommendation_and_passes_its_cases(
    chosen: None, cli: Callable[..., Result]
) -> None:
    data = _json(cli("recommend", str(CASE), "--format", "json"))
    assert isinstance(data, dict)
    assert data["recommendation"] == "buy"
    assert {r["id"] for r in data["rules"] if r["option"] == "buy"} >= {"BUY001"}
    checked = cli("check", str(PLUGIN / "cases"))
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.splitlines()[-1] == "2 passed, 0 failed"


def test_its_bill_comes_from_its_own_price_and_is_swept(
    chosen: None, cli: Callable[..., Result]
) -> None:
    data = _json(cli("recommend", str(CASE), "--format", "json"))
    assert isinstance(data, dict)
    bill = data["costs"]["options"]["buy"]
    assert bill["usd_per_month"] == 1200 and bill["horizon_usd"] == 12 * 1200
    assert [line["what"] for line in bill["lines"]] == ["the product, as quoted"]
    # Its price includes the building the API's bill leaves out: shown, not weighed.
    assert not [r for r in data["rules"] if r["id"] == "ECON001" and r["option"] == "buy"]
    swept = cli("sweep", str(CASE), "scale.requests_per_month", "1e3..1e8")
    assert swept.exit_code == 0, swept.output
    assert "b = buy" in swept.stdout
    # gpt-4o-mini at 20,000 calls costs $6.00 a month: $0.0003 a call meets $1,200 at 4M.
    assert "buy becomes cheaper than api at scale.requests_per_month = 4,000,000" in swept.stdout
    memo = cli("memo", str(CASE), "--date", "2026-11-24")
    assert memo.exit_code == 0, memo.output
    assert "| Buy a finished product | $1,200 |" in memo.stdout  # a row of the cost table


def test_its_memo_section_and_price_show_in_the_memo(
    chosen: None, cli: Callable[..., Result]
) -> None:
    memo = cli("memo", str(CASE), "--date", "2026-11-24")
    assert memo.exit_code == 0, memo.output
    assert "#### Buying instead of building" in memo.stdout
    assert "The product's quote ($1,200 a month)" in memo.stdout
    assert "advisor-buy:buy" in memo.stdout  # the plugin's version, under Versions


def test_it_shows_in_the_tui(chosen: None, tmp_path: Path) -> None:
    from advisor import build_registry, load_answers
    from advisor.tui.app import make_app
    from advisor.tui.autosave import Autosave

    registry = build_registry()
    assert "buy" in registry.options

    async def scenario(folder: Path) -> None:
        app = make_app(
            registry,
            registry.catalogue,
            answers=load_answers(CASE, registry),
            autosave=Autosave(folder),
        )
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            panel = str(app.screen.query_one("#panel").render())
            assert "Recommended: Buy a finished product" in panel
            sections = app.screen.query_one("#sections")
            assert "buy" in [o.id for o in sections.options]
            app.screen.show_section("buy")
            await pilot.pause()
            assert app.screen.query_one("#q-buy-product_fit").display

    asyncio.run(scenario(tmp_path))


def test_its_own_tests_pass_under_its_own_pytest(installed: Path, tmp_path: Path) -> None:
    env = dict(os.environ)
    env.pop("ADVISOR_PLUGINS", None)  # as its author runs them: everything installed loads
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(installed), env.get("PYTHONPATH")) if p)
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # nothing written into the checkout
    source = (
        tmp_path / "advisor-buy"
    )  # its tests run from a copy, as they would from its repository
    shutil.copytree(PLUGIN, source, ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=source,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "7 passed" in done.stdout
