"""Policy packs (advisor/core/decision/policy.py): rules and questions written as YAML, used the ways a user
uses them: `--policy FILE` on the commands, `policies:` in the config file, and a plugin that
registers a pack's path from its advisor_rules hook."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from advisor import (
    PluginFault,
    build_registry,
    evaluate,
    get_plugin_manager,
    hookimpl,
    parse_answers,
)
from advisor.core.decision.policy import PolicyPlugin, load_policy
from advisor.errors import InputError

TESTS = Path(__file__).parent
EU = TESTS / "cases" / "eu-insurer-claims.yaml"  # regulated data, terms accepted: api

# The pack from the issue, exactly as written.
ACME = """\
rules:
  - code: ACME001
    title: Sensitive data stays in our cloud
    when: privacy.data_class in ["confidential", "regulated"]
    veto: api
    because: Company policy keeps confidential and regulated data in our own cloud.
"""
ACME_BECAUSE = "Company policy keeps confidential and regulated data in our own cloud."

PIPL = """\
questions:
  privacy:
    - id: pipl_applies
      type: bool
      prompt: Does China's Personal Information Protection Law apply?
      why: A regulation that keeps data in one country rules out a vendor elsewhere (principle 6).
rules:
  - code: ACME010
    title: PIPL data stays in China
    when: privacy.pipl_applies == true
    veto: api
    because: Personal information of people in China stays on our servers in China.
"""


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in tmp_path, with the built-in plugins only and no user config file."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ADVISOR_PLUGINS", "")  # no third-party plugin that happens to be installed
    monkeypatch.delenv("ADVISOR_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _ok(result: Result, code: int = 0) -> Result:
    assert result.exit_code == code, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    return result


def _json(result: Result) -> Any:
    return json.loads(_ok(result).stdout)


def _refused(result: Result) -> str:
    """The command stopped with exit 2 and a message, not a traceback; the message."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.stderr


def _recommend(cli: Callable[..., Result], *args: str) -> Any:
    return _json(cli("recommend", str(EU), "--format", "json", *args))


def _rule(
    item: str, *, when: str = 'privacy.data_class == "regulated"', code: str = "ACME001"
) -> str:
    """A pack of one rule; ``item`` is what it does (veto:, points:, note:), as YAML lines."""
    return (
        "rules:\n"
        f"  - code: {code}\n"
        "    title: A company rule\n"
        f"    when: {when}\n"
        f"    {item}\n"
        "    because: Company policy.\n"
    )


def _fired(data: Any, code: str) -> list[dict[str, Any]]:
    return [r for r in data["rules"] if r["id"] == code]


# --- the pack from the issue ----------------------------------------------------------------------


def test_the_pack_from_the_issue_rules_the_api_out(cli: Callable[..., Result]) -> None:
    _write(Path("acme.yaml"), ACME)
    data = _recommend(cli, "--policy", "acme.yaml")
    assert data["recommendation"] != "api"
    assert data["recommendation"] == "self_host"
    assert "api" not in data["ranking"]
    api = data["options"]["api"]
    assert api["eliminated"] is True
    assert {"rule": "ACME001", "because": ACME_BECAUSE, "source": "policy pack acme.yaml"} in api[
        "vetoes"
    ]
    [fired] = _fired(data, "ACME001")
    assert fired["option"] == "api" and fired["veto"] is True and fired["kind"] == "veto"
    assert fired["title"] == "Sensitive data stays in our cloud"
    assert "acme.yaml" in fired["source"]
    assert fired["plugin"] == "policy:acme.yaml"
    assert data["errors"] == []


def test_without_the_pack_the_case_still_recommends_the_api(cli: Callable[..., Result]) -> None:
    _write(Path("acme.yaml"), ACME)  # in the current folder, but not named: not used
    data = _recommend(cli)
    assert data["recommendation"] == "api"
    assert data["options"]["api"]["eliminated"] is False
    assert _fired(data, "ACME001") == []


def test_the_pack_fires_only_when_its_condition_holds(cli: Callable[..., Result]) -> None:
    _write(Path("acme.yaml"), ACME)
    data = _recommend(cli, "--policy", "acme.yaml", "--set", "privacy.data_class=internal")
    assert data["recommendation"] == "api"
    assert _fired(data, "ACME001") == []
    [not_fired] = [r for r in data["not_fired"] if r["id"] == "ACME001"]
    assert not_fired["inputs"] == {"privacy.data_class": "internal"}
    assert not_fired["plugin"] == "policy:acme.yaml"


def test_points_add_to_an_option_score(cli: Callable[..., Result]) -> None:
    _write(Path("points.yaml"), ACME.replace("veto: api", "points: {self_host: 2}"))
    before = _recommend(cli)
    after = _recommend(cli, "--policy", "points.yaml")
    scores = {
        o: after["options"][o]["score"] - before["options"][o]["score"] for o in after["options"]
    }
    assert scores == {"api": 0, "self_host": 2, "fine_tune": 0, "hybrid": 0}
    [fired] = _fired(after, "ACME001")
    assert (fired["option"], fired["kind"], fired["points"], fired["veto"]) == (
        "self_host",
        "points",
        2,
        False,
    )
    assert after["options"]["api"]["eliminated"] is False
    assert after["recommendation"] == "api"  # 2 points do not overturn the API's lead
    [reason] = [r for r in after["options"]["self_host"]["reasons"] if r["rule"] == "ACME001"]
    assert reason == {
        "rule": "ACME001",
        "points": 2,
        "because": ACME_BECAUSE,
        "source": "policy pack points.yaml",
    }


def test_points_may_be_negative_and_name_several_options(cli: Callable[..., Result]) -> None:
    _write(Path("points.yaml"), _rule("points: {api: -1.5, fine_tune: 3}"))
    before = _recommend(cli)
    after = _recommend(cli, "--policy", "points.yaml")
    diff = {
        o: after["options"][o]["score"] - before["options"][o]["score"] for o in after["options"]
    }
    assert diff == {"api": -1.5, "self_host": 0, "fine_tune": 3, "hybrid": 0}


def test_a_note_gives_a_note(cli: Callable[..., Result]) -> None:
    _write(Path("note.yaml"), _rule("note: Tell the data protection officer before launch."))
    data = _recommend(cli, "--policy", "note.yaml")
    [fired] = _fired(data, "ACME001")
    assert fired["kind"] == "note" and fired["option"] is None and fired["veto"] is False
    assert fired["because"] == "Tell the data protection officer before launch."
    assert data["recommendation"] == "api"  # a note changes no score
    assert not any(v["eliminated"] for v in data["options"].values())
    text = _ok(cli("explain", str(EU), "--policy", "note.yaml")).stdout
    assert "ACME001" in text


def test_a_list_veto_rules_out_each_option(cli: Callable[..., Result]) -> None:
    _write(Path("both.yaml"), _rule("veto: [api, fine_tune]"))
    data = _recommend(cli, "--policy", "both.yaml")
    for option in ("api", "fine_tune"):
        assert data["options"][option]["eliminated"] is True
        assert "ACME001" in {v["rule"] for v in data["options"][option]["vetoes"]}
    assert data["recommendation"] == "self_host"
    assert data["ranking"] == ["self_host"]
    assert sorted(r["option"] for r in _fired(data, "ACME001")) == ["api", "fine_tune"]


def test_a_rule_may_veto_and_give_points_and_a_note_at_once(cli: Callable[..., Result]) -> None:
    pack = _rule("veto: api\n    points: {self_host: 1}\n    note: Reviewed by security.")
    _write(Path("all.yaml"), pack)
    data = _recommend(cli, "--policy", "all.yaml")
    kinds = sorted((r["kind"], r["option"] or "") for r in _fired(data, "ACME001"))
    assert kinds == [("note", ""), ("points", "self_host"), ("veto", "api")]


def test_source_and_principles_are_kept(cli: Callable[..., Result]) -> None:
    pack = _rule("veto: api\n    source: ACME security policy, section 4.2\n    principles: [6]")
    _write(Path("src.yaml"), pack)
    data = _recommend(cli, "--policy", "src.yaml")
    assert {
        "rule": "ACME001",
        "because": "Company policy.",
        "source": "ACME security policy, section 4.2",
    } in data["options"]["api"]["vetoes"]
    rules = _json(cli("rules", "--format", "json", "--policy", "src.yaml"))
    [rule] = [r for r in rules if r["id"] == "ACME001"]
    assert rule["principles"] == [6]
    assert rule["source"] == "ACME security policy, section 4.2"


def test_several_packs_apply_together(cli: Callable[..., Result]) -> None:
    _write(Path("acme.yaml"), ACME)
    _write(Path("more.yaml"), _rule("veto: fine_tune", code="MORE001"))
    data = _recommend(cli, "--policy", "acme.yaml", "--policy", "more.yaml")
    assert data["ranking"] == ["self_host"]
    assert {r["id"] for r in data["rules"]} >= {"ACME001", "MORE001"}


def test_a_condition_on_a_list_answer_and_a_derived_fact(cli: Callable[..., Result]) -> None:
    pack = (
        _rule("veto: api", when='privacy.regimes in ["gdpr", "hipaa"]') + "  - code: ACME002\n"
        "    title: Volume\n"
        '    when: tokens_per_month >= 1e6 and not pmf.stage == "idea"\n'
        "    points: {self_host: 1}\n"
        "    because: Volume.\n"
    )
    _write(Path("pack.yaml"), pack)
    data = _recommend(cli, "--policy", "pack.yaml")
    assert data["errors"] == []
    assert {r["id"] for r in data["rules"]} >= {"ACME001", "ACME002"}


# --- questions a pack adds ------------------------------------------------------------------------


def _pipl_answers(value: str = "true") -> Path:
    text = EU.read_text(encoding="utf-8").replace(
        "    train_on_user_data: false\n",
        f"    train_on_user_data: false\n    pipl_applies: {value}\n",
    )
    assert "pipl_applies" in text
    return _write(Path("answers.yaml"), text)


def test_questions_lists_the_question_a_pack_adds(cli: Callable[..., Result]) -> None:
    _write(Path("pipl.yaml"), PIPL)
    text = _ok(cli("questions", "--policy", "pipl.yaml")).stdout
    assert "privacy.pipl_applies [bool]" in text
    assert "privacy.pipl_applies" not in _ok(cli("questions")).stdout
    sections = _json(cli("questions", "--format", "json", "--policy", "pipl.yaml"))
    [privacy] = [s for s in sections if s["id"] == "privacy"]
    assert [q["id"] for q in privacy["questions"]][-1] == "pipl_applies"
    assert [s["id"] for s in sections] == ["pmf", "privacy", "scale", "cost"]  # no new section


def test_an_answers_file_may_answer_a_question_a_pack_adds(cli: Callable[..., Result]) -> None:
    _write(Path("pipl.yaml"), PIPL)
    answers = _pipl_answers("true")
    data = _json(cli("recommend", str(answers), "--format", "json", "--policy", "pipl.yaml"))
    assert data["recommendation"] == "self_host"
    assert {v["rule"] for v in data["options"]["api"]["vetoes"]} == {"ACME010"}
    assert data["options"]["api"]["vetoes"][0]["source"] == "policy pack pipl.yaml"


def test_the_rule_on_the_added_question_fires_only_when_it_holds(
    cli: Callable[..., Result],
) -> None:
    _write(Path("pipl.yaml"), PIPL)
    answers = _pipl_answers("false")
    data = _json(cli("recommend", str(answers), "--format", "json", "--policy", "pipl.yaml"))
    assert data["recommendation"] == "api"
    assert _fired(data, "ACME010") == []
    unanswered = _json(cli("recommend", str(EU), "--format", "json", "--policy", "pipl.yaml"))
    assert unanswered["recommendation"] == "api"  # unanswered: null, the comparison is false
    assert "privacy.pipl_applies" in unanswered["unanswered"]


def test_without_the_pack_its_question_is_unknown(cli: Callable[..., Result]) -> None:
    answers = _pipl_answers("true")
    message = _refused(cli("recommend", str(answers), "--format", "json"))
    assert "answers.yaml:21: privacy.pipl_applies: unknown question" in message


def test_a_question_a_pack_adds_may_be_set_on_the_command_line(
    cli: Callable[..., Result],
) -> None:
    _write(Path("pipl.yaml"), PIPL)
    data = _recommend(cli, "--policy", "pipl.yaml", "--set", "privacy.pipl_applies=yes")
    assert data["recommendation"] == "self_host"


# --- every command that takes --policy ------------------------------------------------------------


@pytest.fixture
def acme() -> Path:
    return _write(Path("acme.yaml"), ACME)


def test_explain(cli: Callable[..., Result], acme: Path) -> None:
    text = _ok(cli("explain", str(EU), "--policy", "acme.yaml")).stdout
    [row] = [line for line in text.splitlines() if line.startswith("│ ACME001")]
    assert "constraint" in row and "veto" in row and "policy pack acme.yaml" in row
    assert re.search(r"api\s+ruled out \(constraint\): ACME001 Company policy", text)
    assert "ACME001" not in _ok(cli("explain", str(EU))).stdout


def test_recommend_text(cli: Callable[..., Result], acme: Path) -> None:
    text = _ok(cli("recommend", str(EU), "--policy", "acme.yaml")).stdout
    assert "Recommendation: Self-host an open model (self_host)" in text
    assert "ACME001" in text


def test_check(cli: Callable[..., Result], acme: Path) -> None:
    case = EU.read_text(encoding="utf-8").replace(
        "  accept: [api]\n  reject: [self_host, fine_tune]\n",
        "  accept: [self_host]\n  reject: [api]\n",
    )
    path = _write(Path("case.yaml"), case)
    assert "accept: [self_host]" in case
    with_pack = _ok(cli("check", str(path), "--policy", "acme.yaml")).stdout
    assert with_pack.startswith("PASS") and "1 passed, 0 failed" in with_pack
    without = _ok(cli("check", str(path)), code=1).stdout
    assert without.startswith("FAIL") and "0 passed, 1 failed" in without


def test_memo_shows_the_rule_and_its_source(cli: Callable[..., Result], acme: Path) -> None:
    memo = _ok(cli("memo", str(EU), "--policy", "acme.yaml", "--date", "2025-01-02")).stdout
    assert f"`ACME001`: {ACME_BECAUSE}" in memo
    assert "* policy pack acme.yaml: `ACME001`" in memo  # the source, once, with its rules
    assert "policy:acme.yaml" in memo  # the pack is listed with the plugins
    plain = _ok(cli("memo", str(EU), "--date", "2025-01-02")).stdout
    assert "ACME001" not in plain


def test_flips(cli: Callable[..., Result], acme: Path) -> None:
    assert (
        _json(cli("flips", str(EU), "--format", "json", "--policy", "acme.yaml"))["recommendation"]
        == "self_host"
    )
    assert _json(cli("flips", str(EU), "--format", "json"))["recommendation"] == "api"


def test_whatif(cli: Callable[..., Result], acme: Path) -> None:
    args = ("whatif", str(EU), "--set", "privacy.data_class=internal", "--format", "json")
    data = _json(cli(*args, "--policy", "acme.yaml"))
    assert data["before"]["recommendation"] == "self_host"
    assert data["after"]["recommendation"] == "api"
    assert "ACME001" in data["difference"]["rules_stopped"]
    assert "api" in data["before"]["eliminated"]
    assert "ACME001" not in _json(cli(*args))["difference"]["rules_stopped"]


def test_diff(cli: Callable[..., Result], acme: Path) -> None:
    internal = _write(
        Path("internal.yaml"),
        EU.read_text(encoding="utf-8").replace("data_class: regulated", "data_class: internal"),
    )
    args = ("diff", str(EU), str(internal), "--format", "json")
    data = json.loads(_ok(cli(*args, "--policy", "acme.yaml"), code=1).stdout)
    assert any(line.startswith("ACME001 api veto") for line in data["rules_removed"])
    assert {"what": "recommendation", "old": "self_host", "new": "api"} in data["conclusions"]
    plain = json.loads(_ok(cli(*args), code=1).stdout)
    assert not any("ACME001" in line for line in plain["rules_removed"])


def test_rules(cli: Callable[..., Result], acme: Path) -> None:
    rules = _json(cli("rules", "--format", "json", "--policy", "acme.yaml"))
    [rule] = [r for r in rules if r["id"] == "ACME001"]
    assert rule == {
        "id": "ACME001",
        "title": "Sensitive data stays in our cloud",
        "stage": "constraint",
        "fires_when": 'privacy.data_class in ["confidential", "regulated"]',
        "rationale": ACME_BECAUSE,
        "source": "policy pack acme.yaml",
        "principles": [],
        "options": ["api"],
        "reads": ["privacy.data_class"],
        "plugin": "policy:acme.yaml",
        "since": None,  # the pack does not say
    }
    assert "ACME001" in _ok(cli("rules", "--policy", "acme.yaml")).stdout
    assert "ACME001" in _ok(cli("rules", "--format", "markdown", "--policy", "acme.yaml")).stdout
    assert "ACME001" not in {r["id"] for r in _json(cli("rules", "--format", "json"))}


def test_plugins_lists_the_pack_as_a_plugin(cli: Callable[..., Result], acme: Path) -> None:
    _write(Path("pipl.yaml"), PIPL)
    data = _json(
        cli("plugins", "--format", "json", "--policy", "acme.yaml", "--policy", "pipl.yaml")
    )
    found = {p["name"]: p for p in data["plugins"]}
    assert found["policy:acme.yaml"]["contributes"] == {"rules": ["ACME001"]}
    assert found["policy:acme.yaml"]["origin"] == "registered"
    assert found["policy:pipl.yaml"]["contributes"] == {
        "sections": ["privacy"],
        "rules": ["ACME010"],
    }
    assert data["errors"] == []
    assert "policy:acme.yaml" not in {
        p["name"] for p in _json(cli("plugins", "--format", "json"))["plugins"]
    }


def test_sweep(cli: Callable[..., Result], acme: Path) -> None:
    args = ("sweep", str(EU), "scale.requests_per_month", "1e5..1e7", "--points", "5")
    assert "the recommendation stays self_host across the range" in (
        _ok(cli(*args, "--policy", "acme.yaml")).stdout
    )
    assert "the recommendation stays api across the range" in _ok(cli(*args)).stdout


def test_the_pack_path_is_checked_by_the_option(cli: Callable[..., Result]) -> None:
    result = cli("recommend", str(EU), "--policy", "missing.yaml")
    assert result.exit_code == 2
    assert "'missing.yaml' does not exist" in result.output


# --- the config file ------------------------------------------------------------------------------


def test_policies_in_the_config_file_apply(cli: Callable[..., Result], tmp_path: Path) -> None:
    _write(tmp_path / "cfg" / "packs" / "acme.yaml", ACME)
    config = _write(tmp_path / "cfg" / "config.yaml", "policies:\n  - packs/acme.yaml\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.chdir(elsewhere)  # paths are relative to the config file, not the current folder
    data = _recommend(cli, "--config", str(config))
    assert data["recommendation"] == "self_host"
    [veto] = [v for v in data["options"]["api"]["vetoes"] if v["rule"] == "ACME001"]
    assert veto == {"rule": "ACME001", "because": ACME_BECAUSE, "source": "policy pack acme.yaml"}


def test_a_config_file_may_name_one_pack_without_a_list(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    _write(tmp_path / "cfg" / "acme.yaml", ACME)
    config = _write(tmp_path / "cfg" / "config.yaml", "policies: acme.yaml\n")
    assert _recommend(cli, "--config", str(config))["recommendation"] == "self_host"


@pytest.mark.parametrize(
    ("command", "shows"),
    [
        (("explain",), "policy pack acme.yaml"),
        (("flips", "--format", "json"), '{\n  "recommendation": "self_host"'),
        (("memo", "--date", "2025-01-02"), "* policy pack acme.yaml: `ACME001`"),
        (
            ("whatif", "--set", "privacy.data_class=internal", "--format", "json"),
            '"ACME001"',
        ),
        (("check",), "FAIL"),  # the case expects api, which the pack rules out
    ],
)
def test_config_policies_apply_on_each_command(
    cli: Callable[..., Result], tmp_path: Path, command: tuple[str, ...], shows: str
) -> None:
    _write(tmp_path / "cfg" / "acme.yaml", ACME)
    config = _write(tmp_path / "cfg" / "config.yaml", "policies: [acme.yaml]\n")
    code = 1 if command[0] == "check" else 0
    args = (command[0], str(EU), *command[1:])
    assert shows in _ok(cli(*args, "--config", str(config)), code).stdout
    assert shows not in _ok(cli(*args), 0).stdout


def test_config_policies_apply_to_diff(cli: Callable[..., Result], tmp_path: Path) -> None:
    _write(tmp_path / "cfg" / "acme.yaml", ACME)
    config = _write(tmp_path / "cfg" / "config.yaml", "policies: [acme.yaml]\n")
    internal = _write(
        Path("internal.yaml"),
        EU.read_text(encoding="utf-8").replace("data_class: regulated", "data_class: internal"),
    )
    result = cli("diff", str(EU), str(internal), "--format", "json", "--config", str(config))
    data = json.loads(_ok(result, code=1).stdout)
    assert any(line.startswith("ACME001") for line in data["rules_removed"])


def test_advisor_config_applies_to_commands_without_config_option(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path / "cfg" / "acme.yaml", ACME)
    config = _write(tmp_path / "cfg" / "config.yaml", "policies: [acme.yaml]\n")
    monkeypatch.setenv("ADVISOR_CONFIG", str(config))
    assert "ACME001" in {r["id"] for r in _json(cli("rules", "--format", "json"))}
    assert _recommend(cli)["recommendation"] == "self_host"


def test_a_config_file_naming_a_missing_pack_is_an_error(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    config = _write(tmp_path / "cfg" / "config.yaml", "policies: [packs/nope.yaml]\n")
    message = _refused(cli("recommend", str(EU), "--config", str(config)))
    assert f"{tmp_path / 'cfg' / 'packs' / 'nope.yaml'}: no such file" in message


def test_a_config_file_with_policies_not_a_list_is_an_error(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    config = _write(tmp_path / "config.yaml", "policies: 3\n")
    message = _refused(cli("recommend", str(EU), "--config", str(config)))
    assert f"{config}:1: policies: expected a list of names or paths" in message


def test_a_broken_pack_named_in_the_config_file_is_reported_with_its_line(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    pack = _write(tmp_path / "cfg" / "bad.yaml", ACME.replace("veto: api", "veto: API"))
    config = _write(tmp_path / "cfg" / "config.yaml", "policies: [bad.yaml]\n")
    message = _refused(cli("recommend", str(EU), "--config", str(config)))
    assert f"{pack}:5: ACME001.veto: expected an option id" in message


# --- mistakes in a pack ---------------------------------------------------------------------------

GOOD_RULE = (
    "  - code: ACME001\n"
    "    title: T\n"
    '    when: privacy.data_class == "regulated"\n'
    "    veto: api\n"
    "    because: B\n"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "rules:\n" + GOOD_RULE + "    severity: high\n",
            "bad.yaml:7: rules[0].severity: unknown key; allowed: code, title, when, veto, hold, "
            "points, note, because, source, principles",
            id="unknown key in a rule",
        ),
        pytest.param(
            "rules:\n" + GOOD_RULE.replace("ACME001", "acme1"),
            "bad.yaml:2: rules[0].code: expected a code: capitals then three digits, e.g. ACME001",
            id="bad code",
        ),
        pytest.param(
            "rules:\n" + GOOD_RULE.replace("ACME001", "ACME1"),
            "bad.yaml:2: rules[0].code: expected a code",
            id="code without three digits",
        ),
        pytest.param(
            "rules:\n" + GOOD_RULE.replace("    because: B\n", ""),
            "bad.yaml:2: ACME001.because: expected text",
            id="missing because",
        ),
        pytest.param(
            "rules:\n" + GOOD_RULE.replace("because: B", 'because: "  "'),
            "bad.yaml:6: ACME001.because: expected text",
            id="blank because",
        ),
        pytest.param(
            "rules:\n" + GOOD_RULE.replace("    title: T\n", ""),
            "bad.yaml:2: ACME001.title: expected text",
            id="missing title",
        ),
        pytest.param(
            "rules:\n" + GOOD_RULE.replace('== "regulated"', '=== "regulated"'),
            "bad.yaml:4: ACME001.when: cannot read '= \"regulated\"' (at column 22)",
            id="bad condition",
        ),
        pytest.param(
            "rules:\n"
            + GOOD_RULE.replace(
                'privacy.data_class == "regulated"',
                'privacy.data_class in ["confidential" "regulated"]',
            ),
            "bad.yaml:4: ACME001.when: expected ',' or ']', found 'regulated' (at column 39)",
            id="condition missing a comma (docs/plugins.md)",
        ),
        pytest.param(
            "rules:\n" + GOOD_RULE.replace('    when: privacy.data_class == "regulated"\n', ""),
            "bad.yaml:2: ACME001.when: a condition is text",
            id="missing condition",
        ),
        pytest.param(
            "rules:\n" + GOOD_RULE.replace('when: privacy.data_class == "regulated"', "when: 3"),
            "bad.yaml:4: ACME001.when: a condition is text",
            id="condition not text",
        ),
        pytest.param(
            "rules:\n" + GOOD_RULE.replace("veto: api", "veto: API"),
            "bad.yaml:5: ACME001.veto: expected an option id or a list of them, e.g. api",
            id="veto not an option id",
        ),
        pytest.param(
            "rules:\n" + GOOD_RULE.replace("veto: api", "veto: [api, 3]"),
            "bad.yaml:5: ACME001.veto: expected an option id or a list of them",
            id="veto list with a number",
        ),
        pytest.param(
            "rules:\n" + GOOD_RULE.replace("veto: api", "veto: {api: true}"),
            "bad.yaml:5: ACME001.veto: expected an option id or a list of them",
            id="veto a mapping",
        ),
        pytest.param(
            "rules:\n" + GOOD_RULE.replace("veto: api", "points: [self_host, 2]"),
            "bad.yaml:5: ACME001.points: expected option: non-zero number pairs from -100 to "
            "100, e.g. {self_host: 2}",
            id="points a list",
        ),
        pytest.param(
            "rules:\n" + GOOD_RULE.replace("veto: api", "points: {self_host: lots}"),
            "bad.yaml:5: ACME001.points: expected option: non-zero number pairs",
            id="points not a number",
        ),
        pytest.param(
            "rules:\n" + GOOD_RULE.replace("veto: api", 'points: {self_host: "2"}'),
            "bad.yaml:5: ACME001.points: expected option: non-zero number pairs",
            id="points a quoted number",
        ),
        pytest.param(
            "rules:\n" + GOOD_RULE.replace("veto: api", "points: {self_host: true}"),
            "bad.yaml:5: ACME001.points: expected option: non-zero number pairs",
            id="points a boolean",
        ),
        pytest.param(
            "rules:\n" + GOOD_RULE.replace("veto: api", "points: {self_host: 0}"),
            "bad.yaml:5: ACME001.points: expected option: non-zero number pairs",
            id="points zero",
        ),
        pytest.param(
            "rules:\n" + GOOD_RULE.replace("veto: api", "points: {Self Host: 2}"),
            "bad.yaml:5: ACME001.points: expected option: non-zero number pairs",
            id="points for a bad option id",
        ),
        pytest.param(
            "rules:\n" + GOOD_RULE.replace("veto: api", "points: 2"),
            "bad.yaml:5: ACME001.points: expected option: non-zero number pairs",
            id="points a bare number",
        ),
        pytest.param(
            "rules:\n" + GOOD_RULE.replace("    veto: api\n", ""),
            "bad.yaml:2: ACME001: a rule needs veto, hold, points or note: what it does when it fires",
            id="a rule with nothing to do",
        ),
        pytest.param(
            "rules:\n" + GOOD_RULE.replace("veto: api", "veto: []"),
            "bad.yaml:2: ACME001: a rule needs veto, hold, points or note",
            id="an empty veto list",
        ),
        pytest.param(
            "rules:\n" + GOOD_RULE.replace("veto: api", 'note: ""'),
            "bad.yaml:5: ACME001.note: expected text",
            id="an empty note",
        ),
        pytest.param(
            "rules:\n" + GOOD_RULE + "    principles: [13]\n",
            "bad.yaml:7: ACME001.principles: expected a list of principle numbers 1 to 12",
            id="principle out of range",
        ),
        pytest.param(
            "rules:\n" + GOOD_RULE + GOOD_RULE.replace("title: T", "title: Again"),
            "bad.yaml:7: ACME001: this code is used twice",
            id="duplicate code in one pack",
        ),
        pytest.param(
            "rules:\n  - ACME001\n",
            "bad.yaml:2: rules[0]: expected a mapping with code, title, when, because and veto "
            "or points",
            id="a rule not a mapping",
        ),
        pytest.param(
            "rules:\n" + GOOD_RULE + "rulez: []\n",
            "bad.yaml:7: rulez: unknown key; allowed: policy, rules, questions",
            id="top-level unknown key",
        ),
        pytest.param(
            "rules:\n  code: ACME001\n",
            "bad.yaml:1: rules: expected a list of rules",
            id="rules not a list",
        ),
        pytest.param(
            "- code: ACME001\n  veto: api\n",
            "bad.yaml:1: expected a mapping with rules: (and questions:)",
            id="a list, not a mapping",
        ),
        pytest.param(
            "just some text\n",
            "bad.yaml:1: expected a mapping with rules: (and questions:)",
            id="text, not a mapping",
        ),
        pytest.param(
            "",
            "bad.yaml:1: expected a mapping with rules: (and questions:)",
            id="an empty file",
        ),
        pytest.param(
            "rules: [\n  - code\n",
            "bad.yaml:2: not valid YAML or JSON",
            id="not YAML",
        ),
        pytest.param(
            "questions:\n  privacy:\n    - id: pipl_applies\n      type: boolean\n"
            "      prompt: P?\n      why: W.\n",
            "bad.yaml:4: questions.privacy.0.type: Input should be 'choice', 'multi_choice', "
            "'bool', 'int', 'number' or 'text'",
            id="a question with a bad type",
        ),
        pytest.param(
            "questions:\n  privacy:\n    - id: pipl_applies\n      type: bool\n      prompt: P?\n",
            "bad.yaml:3: questions.privacy.0.why: Field required",
            id="a question without why",
        ),
        pytest.param(
            "questions:\n  privacy:\n    - id: PIPL\n      type: bool\n      prompt: P?\n"
            "      why: W.\n",
            "bad.yaml:3: questions.privacy.0.id: String should match pattern",
            id="a question with a bad id",
        ),
        pytest.param(
            "questions: [pipl_applies]\n",
            "bad.yaml:1: questions: expected section: [questions], e.g. privacy: [...]",
            id="questions not a mapping",
        ),
    ],
)
def test_each_mistake_is_reported_with_file_line_field_and_what_is_allowed(
    cli: Callable[..., Result], text: str, expected: str
) -> None:
    _write(Path("bad.yaml"), text)
    message = _refused(cli("recommend", str(EU), "--format", "json", "--policy", "bad.yaml"))
    assert expected in message, message


def test_every_mistake_in_a_pack_is_reported_at_once(cli: Callable[..., Result]) -> None:
    pack = (
        "rules:\n"
        "  - code: ACME001\n"
        "    title: T\n"
        "    when: x ==\n"
        "    veto: API\n"
        "    because: B\n"
        "  - code: bad\n"
        "    title: T\n"
        "    when: x == 1\n"
        "    veto: api\n"
        "    because: B\n"
        "colour: red\n"
    )
    _write(Path("bad.yaml"), pack)
    lines = _refused(cli("recommend", str(EU), "--policy", "bad.yaml")).splitlines()
    assert [line.split(": ")[0] + ": " + line.split(": ")[1] for line in lines] == [
        "bad.yaml:12: colour",
        "bad.yaml:4: ACME001.when",
        "bad.yaml:5: ACME001.veto",
        "bad.yaml:7: rules[1].code",
    ]


@pytest.mark.parametrize("command", ["explain", "flips", "memo", "check"])
def test_a_broken_pack_stops_every_command_with_exit_2(
    cli: Callable[..., Result], command: str
) -> None:
    _write(Path("bad.yaml"), ACME.replace("veto: api", "veto: API"))
    message = _refused(cli(command, str(EU), "--policy", "bad.yaml"))
    assert "bad.yaml:5: ACME001.veto" in message


@pytest.mark.parametrize("command", [("rules",), ("questions",), ("plugins", "--format", "json")])
def test_a_broken_pack_stops_the_listing_commands_with_exit_2(
    cli: Callable[..., Result], command: tuple[str, ...]
) -> None:
    _write(Path("bad.yaml"), ACME.replace("veto: api", "veto: API"))
    message = _refused(cli(*command, "--policy", "bad.yaml"))
    assert "bad.yaml:5: ACME001.veto" in message


def test_load_policy_raises_input_error_naming_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "bad.yaml", ACME.replace("ACME001", "acme"))
    with pytest.raises(InputError) as caught:
        load_policy(path)
    assert caught.value.path == path
    assert [(p.field, p.line) for p in caught.value.problems] == [("rules[0].code", 2)]


def test_load_policy_reads_a_good_pack(tmp_path: Path) -> None:
    path = _write(tmp_path / "acme.yaml", "policy: ACME security policy\n" + ACME)
    policy = load_policy(str(path))  # a str is taken as a path too
    assert policy.name == "ACME security policy"
    assert policy.path == path
    [rule] = policy.rules
    assert (rule.code, rule.reads, rule.options) == ("ACME001", ("privacy.data_class",), ("api",))
    assert rule.rationale == ACME_BECAUSE and rule.source == "policy pack acme.yaml"
    assert policy.sections == []
    assert load_policy(_write(tmp_path / "noname.yaml", ACME)).name == "noname"
    assert PolicyPlugin(policy).__name__ == f"policy:{path}"


# --- what is the pack's problem, reported while the rest goes on ----------------------------------

WARN = """\
rules:
  - code: ACME001
    title: Buy it
    when: privacy.data_class == "regulated"
    veto: buy
    because: We buy.
  - code: ACME002
    title: A typo
    when: privacy.data_clas == "regulated"
    veto: api
    because: Typo.
  - code: ACME003
    title: Tell the DPO
    when: privacy.data_class == "regulated"
    note: Ask the DPO.
    because: Our DPO wants to know.
"""


def test_an_unknown_option_or_question_is_the_packs_problem_and_the_rest_goes_on(
    cli: Callable[..., Result],
) -> None:
    _write(Path("warn.yaml"), WARN)
    result = cli("recommend", str(EU), "--format", "json", "--policy", "warn.yaml")
    data = _json(result)
    assert data["recommendation"] == "api"  # ACME002 (a veto on api) was left out
    assert {
        "plugin": "policy:warn.yaml",
        "where": "ACME001",
        "message": "names options buy, which no plugin gives; ignored",
    } in data["errors"]
    assert {
        "plugin": "policy:warn.yaml",
        "where": "ACME002",
        "message": "reads privacy.data_clas, which no plugin gives; ignored",
    } in data["errors"]
    assert [r["id"] for r in data["rules"] if r["id"].startswith("ACME")] == ["ACME003"]
    assert "advisor: warning: plugin policy:warn.yaml (ACME001): names options buy" in result.stderr
    assert "advisor: warning: plugin policy:warn.yaml (ACME002): reads privacy.data_clas" in (
        result.stderr
    )


def test_the_packs_problems_are_shown_in_the_text_output(cli: Callable[..., Result]) -> None:
    _write(Path("warn.yaml"), WARN)
    text = " ".join(_ok(cli("recommend", str(EU), "--policy", "warn.yaml")).stdout.split())
    assert "Plugin problems (the rest kept working)" in text
    assert "plugin policy:warn.yaml (ACME001): names options buy" in text


def test_a_code_that_collides_with_a_built_in_rule_is_a_duplicate_not_a_crash(
    cli: Callable[..., Result],
) -> None:
    _write(Path("pmf.yaml"), _rule("veto: api", code="PMF001"))
    result = cli("recommend", str(EU), "--format", "json", "--policy", "pmf.yaml")
    data = _json(result)
    [fault] = [e for e in data["errors"] if "PMF001" in e["message"]]
    assert fault["plugin"] == "policy:pmf.yaml"
    assert "rule 'PMF001' is already given by plugin pmf; ignored" in fault["message"]
    assert data["recommendation"] == "api"  # the pack's PMF001 (a veto on api) was left out
    rules = _json(cli("rules", "--format", "json", "--policy", "pmf.yaml"))
    [pmf001] = [r for r in rules if r["id"] == "PMF001"]
    assert pmf001["plugin"] == "pmf"


def test_a_code_two_packs_share_is_reported_naming_both(cli: Callable[..., Result]) -> None:
    _write(Path("one.yaml"), ACME)
    _write(Path("two.yaml"), ACME.replace("veto: api", "veto: fine_tune"))
    data = _recommend(cli, "--policy", "one.yaml", "--policy", "two.yaml")
    [fault] = data["errors"]
    assert fault["plugin"] == "policy:two.yaml"
    assert "'ACME001' is already given by plugin policy:one.yaml" in fault["message"]
    assert {v["rule"] for v in data["options"]["api"]["vetoes"]} == {"ACME001"}  # the first kept


def test_a_question_in_a_section_no_plugin_gives_is_the_packs_problem(
    cli: Callable[..., Result],
) -> None:
    _write(Path("legal.yaml"), PIPL.replace("  privacy:", "  legal:"))
    data = _recommend(cli, "--policy", "legal.yaml")
    messages = [(e["plugin"], e["message"]) for e in data["errors"]]
    assert ("policy:legal.yaml", "extends section 'legal', which no plugin gives") in messages
    assert any(p == "policy:legal.yaml" and "reads privacy.pipl_applies" in m for p, m in messages)


def test_a_question_that_already_exists_is_the_packs_problem(cli: Callable[..., Result]) -> None:
    pack = PIPL.replace("id: pipl_applies", "id: data_class").replace(
        "pipl_applies ==", "data_class =="
    )
    _write(Path("clash.yaml"), pack)
    data = _recommend(cli, "--policy", "clash.yaml")
    assert any(
        e["plugin"] == "policy:clash.yaml" and "data_class already exist" in e["message"]
        for e in data["errors"]
    )


# --- safety ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "condition",
    [
        "__import__('os').system('touch PWNED')",
        "open('PWNED', 'w')",
        "privacy.data_class == 1 or __import__('os').system('touch PWNED')",
        "exec(\"open('PWNED', 'w')\")",
    ],
)
def test_python_in_a_condition_is_refused_and_runs_nothing(
    cli: Callable[..., Result], tmp_path: Path, condition: str
) -> None:
    _write(Path("pwn.yaml"), _rule("veto: api", when=json.dumps(condition)))
    message = _refused(cli("recommend", str(EU), "--policy", "pwn.yaml"))
    assert "pwn.yaml:4: ACME001.when:" in message and "(at column" in message
    assert not (tmp_path / "PWNED").exists()
    assert not Path("PWNED").exists()


def test_a_yaml_python_tag_is_not_run(cli: Callable[..., Result], tmp_path: Path) -> None:
    pack = ACME.replace(
        "title: Sensitive data stays in our cloud",
        'title: !!python/object/apply:os.system ["touch PWNED"]',
    )
    _write(Path("tag.yaml"), pack)
    message = _refused(cli("recommend", str(EU), "--policy", "tag.yaml"))
    assert "tag.yaml:3: ACME001.title: expected text" in message
    assert not (tmp_path / "PWNED").exists()


def test_python_in_a_string_is_only_text(cli: Callable[..., Result], tmp_path: Path) -> None:
    code = "__import__('os').system('touch PWNED')"
    _write(Path("str.yaml"), _rule("veto: api", when=json.dumps(f'privacy.data_class == "{code}"')))
    data = _recommend(cli, "--policy", "str.yaml")
    assert data["recommendation"] == "api"
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("key", ["policy", "policies", "plugins"])
def test_an_answers_file_cannot_name_a_pack(
    cli: Callable[..., Result], key: str, tmp_path: Path
) -> None:
    _write(Path("acme.yaml"), ACME)
    answers = _write(Path("answers.yaml"), f"{key}: acme.yaml\n" + EU.read_text(encoding="utf-8"))
    message = _refused(cli("recommend", str(answers), "--format", "json"))
    assert f"answers.yaml:1: {key}: unknown key; allowed: title, why, expect, answers" in message
    # and with --policy given, the answers file's own key is still refused
    assert _refused(cli("recommend", str(answers), "--policy", "acme.yaml"))


# --- a plugin that registers a pack ---------------------------------------------------------------


class PackPlugin:
    """A plugin whose advisor_rules hook registers the path of a policy pack."""

    def __init__(self, name: str, *paths: Path):
        self.__name__ = name
        self.paths = paths

    @hookimpl
    def advisor_rules(self, register: Callable[[Any], None]) -> None:
        for path in self.paths:
            register(path)


def _plugin_registry(*plugins: object) -> Any:
    return build_registry(get_plugin_manager(plugins=plugins, only=[]))


def test_a_plugin_may_register_a_pack(tmp_path: Path) -> None:
    pack = _write(tmp_path / "pipl.yaml", PIPL)
    registry = _plugin_registry(PackPlugin("acme", pack))
    assert registry.faults == []
    rule = registry.rule("ACME010")
    assert rule.plugin == "acme"
    assert rule.source == "policy pack pipl.yaml"
    assert rule.reads == ("privacy.pipl_applies",)
    question = registry.questions["privacy.pipl_applies"]
    assert question.type == "bool"
    assert registry.section("privacy").origin == "questionnaires,acme"
    [info] = [p for p in registry.plugins if p.name == "acme"]
    assert info.contributes == {"sections": ["privacy"], "rules": ["ACME010"]}
    assert info.hooks == ["advisor_rules"]
    assert registry.rule("PMF001").plugin == "pmf"  # the built-ins are all there


def test_the_rules_of_a_pack_a_plugin_registers_are_used(tmp_path: Path) -> None:
    pack = _write(tmp_path / "pipl.yaml", PIPL)
    registry = _plugin_registry(PackPlugin("acme", pack))
    answers = parse_answers(_pipl_answers("true").read_text(encoding="utf-8"), registry)
    decision = evaluate(registry, answers.values)
    assert decision.options["api"].eliminated
    assert [rule.code for rule, _ in decision.options["api"].vetoes] == ["ACME010"]
    assert decision.recommendation == "self_host"
    [(rule, finding)] = decision.options["api"].vetoes
    assert rule.plugin == "acme" and finding.because == (
        "Personal information of people in China stays on our servers in China."
    )


def test_a_plugin_may_mix_packs_and_rules(tmp_path: Path) -> None:
    from advisor import rule as make_rule
    from advisor import veto

    @make_rule(
        code="MIX001",
        title="Mixed",
        source="tests",
        reads=("privacy.data_class",),
        fires_when="never",
        options=("fine_tune",),
    )
    def mixed(facts: Any) -> Iterator[Any]:
        """A Python rule beside a pack."""
        if facts["privacy.data_class"] == "nothing":
            yield veto("fine_tune", "never")

    class Mixed:
        __name__ = "mixed"

        @hookimpl
        def advisor_rules(self, register: Callable[[Any], None]) -> None:
            register(mixed)
            register(_write(tmp_path / "acme.yaml", ACME))

    registry = _plugin_registry(Mixed())
    assert registry.faults == []
    assert registry.rule("MIX001").plugin == "mixed"
    assert registry.rule("ACME001").plugin == "mixed"


def test_a_broken_pack_a_plugin_registers_is_that_plugins_fault(tmp_path: Path) -> None:
    good = _write(tmp_path / "good.yaml", ACME)
    bad = _write(tmp_path / "bad.yaml", PIPL.replace("veto: api", "veto: API"))
    registry = _plugin_registry(PackPlugin("broken", bad), PackPlugin("fine", good))
    [fault] = registry.faults
    assert isinstance(fault, PluginFault)
    assert (fault.plugin, fault.where) == ("broken", "advisor_rules")
    assert f"{bad}:11: ACME010.veto: expected an option id" in fault.message
    assert fault.render().startswith("plugin broken (advisor_rules): ")
    assert registry.rule("ACME001").plugin == "fine"  # the rest load
    assert "privacy.pipl_applies" not in registry.questions  # nothing of the broken pack
    assert registry.rule("PMF001").plugin == "pmf"


def test_a_missing_pack_a_plugin_registers_is_that_plugins_fault(tmp_path: Path) -> None:
    good = _write(tmp_path / "good.yaml", ACME)
    registry = _plugin_registry(PackPlugin("acme", tmp_path / "nope.yaml", good))
    [fault] = registry.faults
    assert (fault.plugin, fault.where) == ("acme", "advisor_rules")
    assert "nope.yaml" in fault.message
    assert registry.rule("ACME001").plugin == "acme"


def test_a_pack_a_plugin_registers_may_name_an_unknown_option(tmp_path: Path) -> None:
    pack = _write(tmp_path / "warn.yaml", WARN)
    registry = _plugin_registry(PackPlugin("acme", pack))
    faults = {(f.plugin, f.where) for f in registry.faults}
    assert faults == {("acme", "ACME001"), ("acme", "ACME002")}
    assert registry.rule("ACME003").plugin == "acme"


def test_python_in_a_pack_a_plugin_registers_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    pack = _write(
        tmp_path / "pwn.yaml", _rule("veto: api", when="__import__('os').system('touch PWNED')")
    )
    registry = _plugin_registry(PackPlugin("evil", pack))
    [fault] = registry.faults
    assert fault.plugin == "evil" and "ACME001.when" in fault.message
    assert not (tmp_path / "PWNED").exists()


def test_get_plugin_manager_raises_input_error_for_a_broken_pack(tmp_path: Path) -> None:
    bad = _write(tmp_path / "bad.yaml", "rules: 3\n")
    with pytest.raises(InputError) as caught:
        get_plugin_manager(policies=[bad], only=[])
    assert str(caught.value) == f"{bad}:1: rules: expected a list of rules"


# --- bugs -----------------------------------------------------------------------------------------


def test_the_same_pack_named_twice_is_not_a_traceback(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    """BUG: advisor/plugins/loading.py get_plugin_manager registers one PolicyPlugin per path, named
    `policy:<path>`; the same path twice (`--policy acme.yaml --policy acme.yaml`, or a pack in
    `policies:` of the config file given again with --policy by the same absolute path) makes
    pluggy raise ValueError("Plugin name already registered") and `advisor` ends in a traceback
    (exit 1). The pack should be used once (or the mistake reported with exit 2)."""
    _write(Path("acme.yaml"), ACME)
    twice = cli(
        "recommend", str(EU), "--format", "json", "--policy", "acme.yaml", "--policy", "acme.yaml"
    )
    assert twice.exit_code in (0, 2), (twice.exit_code, repr(twice.exception))
    config = _write(tmp_path / "config.yaml", "policies: [acme.yaml]\n")
    both = cli(
        "recommend", str(EU), "--config", str(config), "--policy", str(tmp_path / "acme.yaml")
    )
    assert both.exit_code in (0, 2), (both.exit_code, repr(both.exception))


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_points_that_are_not_finite_are_refused(cli: Callable[..., Result], value: str) -> None:
    """BUG: advisor/core/decision/policy.py _rule accepts any float for points, NaN and infinity included:
    `points: {self_host: .nan}` makes self_host's score NaN, the JSON output holds `NaN` (not
    JSON), and the confidence reads "a margin of only nan points". It should be refused like
    `points: {self_host: 0}`, with the line and "expected option: non-zero number pairs"."""
    _write(Path("nan.yaml"), _rule(f"points: {{self_host: {value}}}"))
    message = _refused(cli("recommend", str(EU), "--format", "json", "--policy", "nan.yaml"))
    assert "nan.yaml:5: ACME001.points:" in message


def test_in_with_text_on_its_right_is_refused_when_the_pack_is_read(
    cli: Callable[..., Result],
) -> None:
    """BUG: `when: privacy.data_class in "regulated"` (a string, not a list, after `in`) loads;
    then every evaluation raises TypeError in advisor/core/base/conditions.py _compare, the rule is
    reported as the pack's problem on each run, and the company's veto never applies. The pack
    should be refused when read (exit 2, file:line, and the column of the string)."""
    _write(Path("in.yaml"), _rule("veto: api", when="privacy.data_class in 'regulated'"))
    message = _refused(cli("recommend", str(EU), "--format", "json", "--policy", "in.yaml"))
    assert "in.yaml:4: ACME001.when:" in message and "(at column 23)" in message


def test_a_condition_that_ends_too_soon_is_reported_with_its_column(
    cli: Callable[..., Result],
) -> None:
    """BUG: a condition cut short (`privacy.data_class ==`, an unclosed list or parenthesis) is
    reported without "(at column N)": ConditionError.column is None at the end of the text
    (advisor/core/base/conditions.py _Parser.fail)."""
    _write(Path("cut.yaml"), _rule("veto: api", when="privacy.data_class =="))
    message = _refused(cli("recommend", str(EU), "--policy", "cut.yaml"))
    assert "cut.yaml:4: ACME001.when: the condition ends where a name or a value was expected" in (
        message
    )
    assert "(at column 22)" in message


@pytest.mark.parametrize(
    "condition",
    [
        "privacy.data_class == " + "1" * 5000,
        "(" * 1500 + 'privacy.data_class == "regulated"' + ")" * 1500,
        "not " * 1500 + 'privacy.data_class == "regulated"',
    ],
    ids=["a huge number", "deep parentheses", "many nots"],
)
def test_a_pathological_condition_is_refused_not_a_traceback(
    cli: Callable[..., Result], condition: str
) -> None:
    """BUG: advisor/core/base/conditions.py lets ValueError (a number of more than 4300 digits, from
    int() in _tokens) and RecursionError (deep nesting, in the recursive parser) escape
    parse_condition; load_policy catches only ConditionError, so `advisor` ends in a traceback."""
    _write(Path("big.yaml"), _rule("veto: api", when=json.dumps(condition)))
    result = cli("recommend", str(EU), "--policy", "big.yaml")
    assert isinstance(result.exception, SystemExit | None), repr(result.exception)
    assert result.exit_code in (0, 2)


@pytest.mark.parametrize(
    ("examples", "says"),
    [
        ("[1, 2]", "expected {fires: [answers, ...], quiet: [answers, ...]}"),
        ("{fires: {pmf.stage: idea}}", "expected {fires: [answers, ...]"),
        ("{fires: [{stage: idea}]}", "'stage': expected a question as section.question"),
    ],
)
def test_a_policy_rules_examples_are_checked_with_their_line(
    cli: Callable[..., Result], tmp_path: Path, examples: str, says: str
) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(
        "rules:\n  - code: ACME001\n    title: T\n    when: 'pmf.stage == \"idea\"'\n"
        f"    points: {{api: 1}}\n    because: b\n    examples: {examples}\n",
        encoding="utf-8",
    )
    done = cli("recommend", "--example", "support-bot", "--policy", str(pack))
    assert done.exit_code == 2, done.output
    assert f"{pack}:7: ACME001.examples" in done.output and says in done.output
