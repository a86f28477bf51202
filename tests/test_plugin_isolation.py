"""Choosing plugins, the hook API version, slow hooks, and `advisor plugins --verbose`."""

from __future__ import annotations

import json
import sys
import time
import types
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import Result

import advisor.plugins
from advisor import HOOK_API, Option, build_registry, hookimpl
from advisor.plugins import get_plugin_manager


def test_a_built_in_plugin_can_be_disabled(cli: Callable[..., Result]) -> None:
    done = cli("--disable-plugin", "team", "plugins", "--format", "json")
    assert done.exit_code == 0, done.output
    by_name = {p["name"]: p for p in json.loads(done.stdout)["plugins"]}
    assert by_name["team"]["disabled"] == "disabled"
    assert by_name["pmf"]["disabled"] == ""
    rules = json.loads(cli("--disable-plugin", "team", "rules", "--format", "json").stdout)
    codes = {r["id"] for r in rules}
    assert not any(code.startswith("TEAM") for code in codes)
    assert any(code.startswith("PMF") for code in codes)


def test_the_config_file_disables_plugins(cli: Callable[..., Result], tmp_path: Any) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("disable_plugins: [team]\n", encoding="utf-8")
    result = cli(
        "recommend",
        "tests/cases/eu-insurer-claims.yaml",
        "--format",
        "json",
        "--config",
        str(config),
    )
    assert result.exit_code == 0, result.output
    assert not any(r["id"].startswith("TEAM") for r in json.loads(result.stdout)["rules"])


def test_a_disabled_plugin_is_never_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    sys.modules.pop("advisor_plugins.team_rules", None)
    get_plugin_manager(disabled=["team"])
    assert "advisor_plugins.team_rules" not in sys.modules


def test_a_plugin_needing_another_hook_api_is_reported_not_loaded() -> None:
    module = types.ModuleType("needs_api")
    module.ADVISOR_HOOK_API = [HOOK_API + 1]  # type: ignore[attr-defined]
    assert advisor.plugins._compatible(module) is not None
    assert f"this advisor provides hook API {HOOK_API}" in str(advisor.plugins._compatible(module))
    module.ADVISOR_HOOK_API = [HOOK_API, HOOK_API + 1]  # type: ignore[attr-defined]
    assert advisor.plugins._compatible(module) is None
    assert advisor.plugins._compatible(types.ModuleType("says_nothing")) is None


class _Slow:
    @hookimpl
    def advisor_options(self, register: Callable[[Any], None]) -> None:
        time.sleep(advisor.plugins.SLOW_SECONDS + 0.1)
        register(Option(id="slowpoke", label="Slow", summary="takes its time"))


def test_a_slow_plugin_is_named_and_still_used() -> None:
    registry = build_registry(get_plugin_manager(plugins=[_Slow()]))
    assert "slowpoke" in registry.options
    slow = [f for f in registry.faults if f.plugin == "_Slow"]
    assert slow and slow[0].where == "advisor_options" and slow[0].message.startswith("slow:")


def test_plugins_verbose_lists_each_plugins_hooks(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # hook names on one line each
    done = cli("plugins", "--verbose")
    assert done.exit_code == 0, done.output
    assert "advisor_rules" in done.stdout and "advisor_memo_sections" in done.stdout
    assert f"hook API {HOOK_API}" in done.stdout
    data = json.loads(cli("plugins", "--format", "json").stdout)
    assert data["hook_api"] == HOOK_API
    pmf = next(p for p in data["plugins"] if p["name"] == "pmf")
    assert pmf["hooks"] == ["advisor_rules"]
