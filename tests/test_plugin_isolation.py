"""Choosing plugins, the hook API version, slow hooks, and `advisor plugins --verbose`."""

from __future__ import annotations

import json
import sys
import textwrap
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

import advisor.core.decision.engine
import advisor.plugins
import advisor.plugins.loading
from advisor import HOOK_API, Option, build_registry, evaluate, hookimpl, points, rule
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
    assert advisor.plugins.loading._compatible(module) is not None
    assert f"this advisor provides hook API {HOOK_API}" in str(
        advisor.plugins.loading._compatible(module)
    )
    module.ADVISOR_HOOK_API = [HOOK_API, HOOK_API + 1]  # type: ignore[attr-defined]
    assert advisor.plugins.loading._compatible(module) is None
    assert advisor.plugins.loading._compatible(types.ModuleType("says_nothing")) is None


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


@rule(
    "SLOW001",
    "Takes its time",
    source="a test",
    reads=["pmf.stage"],
    fires_when="always",
)
def _slow_rule(facts: Any) -> Any:
    """Sleeps past the slow-rule limit, then gives a point."""
    time.sleep(advisor.core.decision.engine.SLOW_RULE_SECONDS + 0.02)
    return points("api", 1, "eventually")


class _SlowRules:
    @hookimpl
    def advisor_rules(self, register: Callable[[Any], None]) -> None:
        register(_slow_rule)


def test_a_slow_rule_is_named_in_the_evaluation_and_still_counts() -> None:
    registry = build_registry(get_plugin_manager(plugins=[_SlowRules()]))
    decision = evaluate(registry, {"pmf.stage": "idea"}, explore=False)
    slow = [f for f in decision.faults if f.where == "SLOW001"]
    assert slow and slow[0].plugin == "_SlowRules" and slow[0].message.startswith("slow: took")
    assert any(r.rule.code == "SLOW001" and r.fired for r in decision.results)
    # How long a rule took on this machine is no part of the record a team keeps.
    from datetime import date

    from advisor.core.answers.document import parse_answers
    from advisor.render.memo.model import build_memo

    answers = parse_answers("answers:\n  pmf:\n    stage: idea\n", registry)
    memo = build_memo(decision, registry, answers, registry.catalogue, today=date(2026, 12, 1))
    assert slow[0].timing and not any("slow: took" in p for p in memo.problems)


NEEDS_API = textwrap.dedent(
    '''\
    """A plugin written for a later hook API."""

    import advisor

    ADVISOR_HOOK_API = 99


    @advisor.hookimpl
    def advisor_options(register):
        register(advisor.Option(id="future", label="From the future", summary="x"))
    '''
)


def test_an_installed_plugin_for_another_hook_api_is_named_and_not_used(
    cli: Callable[..., Result], distribution: Callable[[str, str, str, str], None]
) -> None:
    distribution("future-plugin", "advisor_test_future", "future = advisor_test_future", NEEDS_API)
    data = json.loads(cli("plugins", "--format", "json").stdout)
    (fault,) = data["errors"]
    assert fault["plugin"] == "future-plugin:future"
    assert "needs hook API 99; this advisor provides hook API 1" in fault["message"]
    done = cli("recommend", "--example", "first-pilot", "--format", "json")
    assert done.exit_code == 0, done.output
    assert "future" not in json.loads(done.stdout)["options"]


def test_code_is_not_loaded_from_an_answers_file_or_the_current_folder(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "RAN"
    (tmp_path / "advisor_local_plugin.py").write_text(
        f"open({str(marker)!r}, 'w').write('imported')\n", encoding="utf-8"
    )
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        "plugins: [advisor_local_plugin]\npolicy: policy.yaml\nanswers:\n  pmf:\n    stage: idea\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ADVISOR_PLUGINS", raising=False)
    done = cli("recommend", str(answers))
    assert done.exit_code == 2
    assert "plugins: unknown key" in done.stderr
    assert not marker.exists()
    plain = tmp_path / "plain.yaml"
    plain.write_text("answers:\n  pmf:\n    stage: idea\n", encoding="utf-8")
    assert cli("recommend", str(plain)).exit_code == 0
    assert not marker.exists()


class _Raises:
    @hookimpl
    def advisor_options(self, register: Callable[[Any], None]) -> None:
        raise RuntimeError("cannot count options today")


def test_the_tui_names_a_plugin_problem_and_works(tmp_path: Path) -> None:
    import asyncio

    from advisor.core.answers.examples import builtin_examples as _examples
    from advisor.tui.app import make_app
    from advisor.tui.autosave import Autosave

    registry = build_registry(get_plugin_manager(plugins=[_Raises()]))
    app = make_app(registry, registry.catalogue, examples=_examples(), autosave=Autosave(tmp_path))

    async def scenario() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            shown = [n.message for n in app._notifications]
            assert any("_Raises (advisor_options): RuntimeError" in m for m in shown)
            assert app.screen.id == "start"  # and the app goes on

    asyncio.run(scenario())


class _Wrapping:
    """A wrapper implementation of advisor_rules: pluggy runs it around each plugin's call."""

    def __init__(self) -> None:
        self.wrapped: list[str] = []

    @hookimpl(wrapper=True)
    def advisor_rules(self, register: Callable[[Any], None]) -> Any:
        self.wrapped.append("call")
        return (yield)


class _Raising:
    @hookimpl
    def advisor_rules(self, register: Callable[[Any], None]) -> None:
        raise RuntimeError("no rules today")


def test_hooks_run_through_pluggy_one_plugin_at_a_time_with_wrappers_around_each() -> None:
    wrapping = _Wrapping()
    plain = build_registry(get_plugin_manager())
    registry = build_registry(get_plugin_manager(plugins=[wrapping, _Raising()]))
    # Each plugin that gives rules was called through the hook, the wrapper around it ...
    givers = [p for p in plain.plugins if "advisor_rules" in p.hooks]
    assert len(wrapping.wrapped) == len(givers) + 1  # the built-ins and _Raising
    # ... and one that raises fails alone: every built-in rule is there.
    assert [r.code for r in registry.rules] == [r.code for r in plain.rules]
    assert any(f.plugin == "_Raising" and "no rules today" in f.message for f in registry.faults)


def test_a_switch_traces_every_hook_call_on_standard_error(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADVISOR_TRACE_PLUGINS", "1")
    done = cli("recommend", "--example", "support-bot", "--format", "json")
    assert done.exit_code == 0, done.output
    assert "advisor: trace: advisor_rules -> pmf" in done.stderr
    assert "advisor: trace: advisor_rules <- done" in done.stderr
    assert json.loads(done.stdout)["recommendation"]  # the trace stays off standard output
