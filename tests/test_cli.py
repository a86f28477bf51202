"""Every `advisor` command, run the way a user runs it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from advisor import Registry, parse_answers
from advisor.core.base import numbers

TESTS = Path(__file__).parent
ROOT = TESTS.parent
CASES = TESTS / "cases"
HOSPITAL = CASES / "hospital-discharge-notes.yaml"
MEDIA = CASES / "media-tagging-at-scale.yaml"
EXAMPLES = ("bank-document-extraction", "first-pilot", "support-bot")
SCHEMA_FILE = "advisor-answers.schema.json"


def _ok(result: Result) -> Result:
    assert result.exit_code == 0, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    return result


def _json(result: Result) -> Any:
    return json.loads(_ok(result).stdout)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- recommend ------------------------------------------------------------------------------------


def test_recommend_text_shows_the_recommendation_scores_and_vetoes(
    cli: Callable[..., Result],
) -> None:
    out = _ok(cli("recommend", str(HOSPITAL))).stdout
    assert out.splitlines()[0] == "Hospital drafting discharge summaries from patient records"
    assert "Recommendation: Self-host an open model (self_host)" in out
    for option in ("api", "self_host", "fine_tune"):
        assert re.search(rf"^{option}\s+[+-]?\d", out, re.MULTILINE), option
    assert "ruled out (constraint): PRIV001" in out  # the veto that rules the API out
    assert "ruled out (constraint): FT001" in out
    assert "Why self_host" in out


def test_recommend_json_follows_the_contract(cli: Callable[..., Result]) -> None:
    data = _json(cli("recommend", str(HOSPITAL), "--format", "json"))
    for key in (
        "schema_version",
        "recommendation",
        "ranking",
        "options",
        "rules",
        "assumed",
        "unanswered",
        "hidden_answers",
        "errors",
    ):
        assert key in data, key
    assert data["schema_version"] == 1
    assert data["recommendation"] == "self_host"
    assert data["ranking"] == ["self_host"]  # the others are ruled out
    assert set(data["options"]) == {"api", "self_host", "fine_tune", "hybrid"}
    for oid, option in data["options"].items():
        assert isinstance(option["score"], int | float), oid
        assert isinstance(option["eliminated"], bool), oid
        assert isinstance(option["reasons"], list), oid
    assert data["options"]["api"]["eliminated"] is True
    assert data["options"]["fine_tune"]["eliminated"] is True
    assert data["options"]["self_host"]["eliminated"] is False
    assert {v["rule"] for v in data["options"]["api"]["vetoes"]} >= {"PRIV001", "PRIV002"}
    assert data["rules"], "no rule fired"
    for fired in data["rules"]:
        assert {"id", "option", "points", "veto", "because", "source"} <= set(fired), fired
        assert fired["because"] and fired["source"]
        assert isinstance(fired["veto"], bool)
    vetoes = {(r["id"], r["option"]) for r in data["rules"] if r["veto"]}
    assert ("PRIV001", "api") in vetoes
    assert ("FT001", "fine_tune") in vetoes
    # No plugin problem; a note that a rule was slow depends on how busy this machine is.
    assert [e for e in data["errors"] if not e["message"].startswith("slow: ")] == []


def test_recommend_json_scores_are_the_sum_of_the_points_that_fired(
    cli: Callable[..., Result],
) -> None:
    data = _json(cli("recommend", str(MEDIA), "--format", "json"))
    assert data["recommendation"] == "fine_tune"
    assert data["ranking"][0] == "fine_tune"
    for oid, option in data["options"].items():
        fired = [r for r in data["rules"] if r["option"] == oid and r["kind"] == "points"]
        assert option["score"] == sum(r["points"] for r in fired), oid
        assert sorted(r["rule"] for r in option["reasons"]) == sorted(r["id"] for r in fired)
    # Held back by fewer gates first, then by points (hybrid routing, held, comes last).
    ranked = [
        (len(data["options"][o]["holds"]), -data["options"][o]["score"]) for o in data["ranking"]
    ]
    assert ranked == sorted(ranked)


def test_recommend_json_on_a_near_empty_file_assumes_and_lists_unknowns(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    path = _write(tmp_path / "one.yaml", "answers:\n  pmf:\n    stage: idea\n")
    data = _json(cli("recommend", str(path), "--format", "json"))
    assert data["recommendation"] == "api"
    assert data["input"] == {"file": str(path), "title": None, "why": None}
    assert data["expect"] is None
    assert "scale.requests_per_month" in data["unanswered"]
    for unknown in data["unknowns"]:
        assert unknown["question"] in data["unanswered"] or unknown["question"] in data["assumed"]
        assert all(v != "api" for v in unknown["could_change_to"].values())


def test_recommend_without_a_file_is_a_usage_error(cli: Callable[..., Result]) -> None:
    result = cli("recommend")
    assert result.exit_code == 2
    assert "give an answers FILE" in result.output


def test_recommend_with_a_file_and_an_example_is_a_usage_error(
    cli: Callable[..., Result],
) -> None:
    result = cli("recommend", str(HOSPITAL), "--example", "first-pilot")
    assert result.exit_code == 2
    assert "not both" in result.output


# --- explain --------------------------------------------------------------------------------------


def test_explain_lists_every_rule_fired_or_not(
    cli: Callable[..., Result], registry: Registry
) -> None:
    out = _ok(cli("explain", str(MEDIA))).stdout
    assert re.search(r"recommends\s+fine_tune", out)
    codes = [r.code for r in registry.rules]
    assert len(codes) >= 20
    for code in codes:
        assert re.search(rf"\b{code}\b", out), code
    # fired rules say yes, quiet ones no
    assert re.search(r"\bFT002\s+│\s+preference\s+│\s+fine_tune\s+│\s+\+3\b", out)
    assert re.search(r"\bPMF001\s+│\s+gate\s+│\s+│\s+quiet\b", out)
    # the stage each option fell at, before the rules
    assert re.search(r"self_host\s+fewer points \(preference\)", out)
    # The API's bill is five times the tuned model's, but their ranges (every figure at its
    # cheap end, then its dear end) overlap, so cost does not settle it: the points do.
    assert re.search(r"api\s+fewer points \(preference\)", out)


def test_explain_json_accounts_for_every_rule(
    cli: Callable[..., Result], registry: Registry
) -> None:
    data = _json(cli("explain", str(MEDIA), "--format", "json"))
    fired = {r["id"] for r in data["rules"]}
    quiet = {r["id"] for r in data["not_fired"]}
    assert fired.isdisjoint(quiet)
    assert fired | quiet == {r.code for r in registry.rules}


# --- check ----------------------------------------------------------------------------------------


def test_check_cases_passes_every_case(cli: Callable[..., Result], case_files: list[Path]) -> None:
    result = _ok(cli("check", str(CASES)))
    lines = result.stdout.splitlines()
    assert lines[-1] == f"{len(case_files)} passed, 0 failed"
    body = lines[:-1]
    assert len(body) == len(case_files)
    for line, path in zip(body, case_files, strict=True):
        assert line.startswith(f"PASS  {path}: "), line


def test_check_examples_passes(cli: Callable[..., Result]) -> None:
    folder = ROOT / "advisor" / "examples"
    result = _ok(cli("check", str(folder)))
    lines = result.stdout.splitlines()
    shipped = sorted(folder.glob("*.yaml"))
    assert len(shipped) >= len(EXAMPLES)
    assert lines[-1] == f"{len(shipped)} passed, 0 failed"
    assert [line.split()[0] for line in lines[:-1]] == ["PASS"] * len(shipped)


def test_check_reports_a_wrong_expectation_as_fail(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    text = HOSPITAL.read_text(encoding="utf-8").replace(
        "  accept: [self_host]\n  reject: [api, fine_tune]\n",
        "  accept: [api]\n",
    )
    assert "accept: [api]" in text
    path = _write(tmp_path / "wrong.yaml", text)
    result = cli("check", str(path))
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"FAIL  {path}: recommended self_host; expected one of api (ranking: self_host -1)"
    )
    assert lines[-1] == "0 passed, 1 failed"


def test_check_reports_reject_violations(cli: Callable[..., Result], tmp_path: Path) -> None:
    text = HOSPITAL.read_text(encoding="utf-8").replace(
        "  accept: [self_host]\n  reject: [api, fine_tune]\n", "  reject: [self_host]\n"
    )
    path = _write(tmp_path / "reject.yaml", text)
    result = cli("check", str(path))
    assert result.exit_code == 1
    assert result.stdout.startswith(
        f"FAIL  {path}: recommended self_host; expected never self_host"
    )


def test_check_malformed_file_exits_2(cli: Callable[..., Result], tmp_path: Path) -> None:
    path = _write(tmp_path / "bad.yaml", "answers:\n  pmf:\n    stage: idae\n")
    result = cli("check", str(path))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"ERROR {path}:3: pmf.stage: 'idae' is not allowed")
    assert lines[-1] == "0 passed, 1 failed"


def test_check_without_expect_skips(cli: Callable[..., Result], tmp_path: Path) -> None:
    path = _write(tmp_path / "plain.yaml", "answers:\n  pmf:\n    stage: idea\n")
    result = _ok(cli("check", str(path)))
    assert result.stdout.splitlines() == [
        f"SKIP  {path}: no expect: (accept or reject) to check",
        "0 passed, 0 failed, 1 skipped",
    ]


def test_check_a_folder_goes_on_past_a_bad_file(cli: Callable[..., Result], tmp_path: Path) -> None:
    _write(tmp_path / "a-bad.yaml", "answers: [\n")
    _write(tmp_path / "b-good.yaml", HOSPITAL.read_text(encoding="utf-8"))
    _write(tmp_path / "c-plain.json", '{"answers": {"pmf": {"stage": "idea"}}}')
    _write(tmp_path / "notes.txt", "not an answers file")
    result = cli("check", str(tmp_path))
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines[:-1]] == ["ERROR", "PASS", "SKIP"]
    assert lines[-1] == "1 passed, 1 failed, 1 skipped"


def test_check_in_several_processes_says_what_one_process_says(
    cli: Callable[..., Result], tmp_path: Path, case_files: list[Path]
) -> None:
    """`--jobs` shares the files among worker processes; the lines, their order, the summary and
    the exit code are those of checking them one by one."""
    for i, case in enumerate(case_files):
        _write(tmp_path / f"{i:02d}-{case.name}", case.read_text(encoding="utf-8"))
    _write(tmp_path / "90-bad.yaml", "answers:\n  pmf:\n    stage: nowhere\n")
    text = HOSPITAL.read_text(encoding="utf-8").replace(
        "accept: [self_host]", "accept: [fine_tune]"
    )
    _write(tmp_path / "91-wrong.yaml", text)
    one = cli("check", str(tmp_path))
    many = cli("check", "--jobs", "2", str(tmp_path))
    assert one.exit_code == many.exit_code == 2
    assert many.stdout == one.stdout
    assert one.stdout.splitlines()[-1] == f"{len(case_files)} passed, 2 failed"
    assert [line.split()[0] for line in one.stdout.splitlines()[-3:-1]] == ["ERROR", "FAIL"]
    assert ":3: " in one.stdout  # the bad file's error names its line, read again carefully


def test_check_missing_path_is_a_usage_error(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("check", str(tmp_path / "nowhere.yaml"))
    assert result.exit_code == 2
    assert "does not exist" in result.output


# --- questions ------------------------------------------------------------------------------------


def test_questions_text_shows_every_section_and_question(
    cli: Callable[..., Result], registry: Registry
) -> None:
    out = _ok(cli("questions")).stdout
    for section in registry.sections:
        assert re.search(rf"^{section.id}: {re.escape(section.title)}", out, re.MULTILINE)
        for q in section.questions:
            assert re.search(rf"^  {re.escape(q.qid)} \[{q.type}\] ", out, re.MULTILINE), q.qid
    assert "allowed: one of idea, prototype, mvp_live, pmf_validated, scaling" in out
    assert "asked when privacy.data_class is internal or confidential or regulated" in out


def test_questions_json_shows_every_section_and_question(
    cli: Callable[..., Result], registry: Registry
) -> None:
    data = _json(cli("questions", "--format", "json"))
    assert [s["id"] for s in data] == [s.id for s in registry.sections]
    for section, given in zip(registry.sections, data, strict=True):
        assert [q["id"] for q in given["questions"]] == [q.id for q in section.questions]
        for q in given["questions"]:
            assert q["section"] == section.id
            assert q["type"] in ("choice", "multi_choice", "bool", "int", "number", "text")
    stage = data[0]["questions"][0]
    assert stage["id"] == "stage"
    assert [c["value"] for c in stage["choices"]][:2] == ["idea", "prototype"]


# --- plugins --------------------------------------------------------------------------------------

BUILT_IN_PLUGINS = (
    "questionnaires",
    "catalogue",
    "costs",
    "options",
    "facts",
    "pmf",
    "prompting",
    "tuning",
    "evals",
    "privacy",
    "scale",
    "economics",
    "team",
    "hybrid",
    "memo",
)


def test_plugins_text_lists_built_ins_with_version_and_contributions(
    cli: Callable[..., Result], registry: Registry
) -> None:
    out = _ok(cli("plugins")).stdout
    for name in BUILT_IN_PLUGINS:
        assert re.search(rf"│ {name}\s+│ 0\.1\.0\s+│ built-in: advisor", out), name
    for item in registry.rules:
        assert re.search(rf"\b{item.code}\b", out), item.code
    for word in ("sections:", "options:", "facts:", "rules:", "pmf", "self_host"):
        assert word in out
    assert "Plugin problems" not in out


def test_plugins_json_lists_what_each_built_in_contributes(
    cli: Callable[..., Result], registry: Registry
) -> None:
    data = _json(cli("plugins", "--format", "json"))
    assert data["errors"] == []
    by_name = {p["name"]: p for p in data["plugins"] if not p["disabled"]}
    assert set(by_name) == set(BUILT_IN_PLUGINS)
    for name, info in by_name.items():
        assert info["version"] == "0.1.0", name
        assert info["origin"] == "built-in", name
        assert info["distribution"] == "advisor", name
        assert info["module"].startswith("advisor_plugins."), name
        assert info["contributes"], f"{name} contributes nothing"
    assert by_name["questionnaires"]["contributes"] == {
        "sections": ["pmf", "privacy", "scale", "cost"]
    }
    assert by_name["options"]["contributes"] == {
        "options": ["api", "self_host", "fine_tune", "hybrid"]
    }
    assert by_name["catalogue"]["contributes"] == {
        "catalogue": [
            "hardware.yaml",
            "capacity.yaml",
            "gpus.yaml",
            "fine_tuning.yaml",
            "people.yaml",
            "trend.yaml",
            "latency.yaml",
            "uncertainty.yaml",
        ]
    }
    facts = [f for p in by_name.values() for f in p["contributes"].get("facts", [])]
    # The engine gives ruled_out, and the cost model bills from the pricings plugins give.
    assert {*facts, "ruled_out", "bills"} == set(registry.facts)
    assert by_name["costs"]["contributes"]["bills"] == ["api", "self_host", "fine_tune", "hybrid"]
    contributed = [c for p in data["plugins"] for c in p["contributes"].get("rules", [])]
    assert sorted(contributed) == sorted(r.code for r in registry.rules)


# --- rules ----------------------------------------------------------------------------------------


def test_rules_text_lists_every_rule(cli: Callable[..., Result], registry: Registry) -> None:
    out = _ok(cli("rules")).stdout
    for item in registry.rules:
        assert re.search(rf"│ {item.code}\s+│", out), item.code


def test_rules_json_lists_every_rule_with_its_metadata(
    cli: Callable[..., Result], registry: Registry
) -> None:
    data = _json(cli("rules", "--format", "json"))
    assert [r["id"] for r in data] == [r.code for r in registry.rules]
    for entry in data:
        for key in ("title", "fires_when", "rationale", "source", "plugin"):
            assert isinstance(entry[key], str) and entry[key].strip(), (entry["id"], key)
        assert entry["reads"], entry["id"]
        assert set(entry["options"]) <= {"api", "self_host", "fine_tune", "hybrid"}


def test_rules_markdown_has_a_row_and_a_section_per_rule(
    cli: Callable[..., Result], registry: Registry
) -> None:
    out = _ok(cli("rules", "--format", "markdown")).stdout
    assert out.startswith("# Rule catalogue\n")
    for item in registry.rules:
        assert f"| [{item.code}](#{item.code.lower()}) | {item.title} |" in out
        assert f"\n## {item.code}\n" in out
        assert f"*Source:* {item.source}" in out


# --- schema ---------------------------------------------------------------------------------------


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow a $ref, or the one non-null branch of an optional, to the node it stands for."""
    while True:
        if "$ref" in node:
            node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
        elif "anyOf" in node and "enum" not in node:
            branches = [b for b in node["anyOf"] if b.get("type") != "null"]
            if len(branches) != 1:
                return node
            node = branches[0]
        else:
            return node


def _property(schema: dict[str, Any], *path: str) -> dict[str, Any]:
    node = schema
    for key in path:
        node = _resolve(schema, _resolve(schema, node)["properties"][key])
    return node


def _branch(node: dict[str, Any], kind: str) -> dict[str, Any]:
    """The branch of an anyOf that has the JSON type ``kind``."""
    found = [b for b in node["anyOf"] if b.get("type") == kind]
    assert len(found) == 1, node
    return found[0]


def test_schema_gives_the_stage_enum(cli: Callable[..., Result]) -> None:
    schema = _json(cli("schema"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    stage = _property(schema, "answers", "pmf", "stage")
    assert stage["enum"] == ["idea", "prototype", "mvp_live", "pmf_validated", "scaling"]
    assert set(_resolve(schema, _property(schema, "answers"))["properties"]) == {
        "pmf",
        "privacy",
        "scale",
        "cost",
    }


def test_schema_is_as_lenient_as_the_loader(cli: Callable[..., Result]) -> None:
    """Editors check files against the schema: it must admit what the advisor reads."""
    schema = _json(cli("schema"))
    has_evals = _property(schema, "answers", "pmf", "has_evals")
    assert _branch(has_evals, "boolean") == {"type": "boolean"}
    assert {"yes", "no", "on", "off"} <= set(_branch(has_evals, "string")["enum"])
    requests = _property(schema, "answers", "scale", "requests_per_month")
    assert _branch(requests, "integer")["minimum"] == 0
    pattern = re.compile(_branch(requests, "string")["pattern"])
    for text in ("2,000,000", "20_000", "1e7"):
        assert pattern.match(text), text
    assert not pattern.match("2,5")
    latency = _property(schema, "answers", "scale", "latency_p95_ms")
    assert _branch(latency, "integer")["exclusiveMinimum"] == 0
    terms = _property(schema, "answers", "privacy", "vendor_terms_ok")
    assert _branch(terms, "boolean") == {"type": "boolean"}
    accept = _property(schema, "expect", "accept")
    assert accept["items"]["enum"] == ["api", "self_host", "fine_tune", "hybrid"]
    assert "$schema" in schema["properties"]


def test_schema_output_writes_a_file_and_will_not_overwrite_it(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    target = tmp_path / "schema.json"
    result = _ok(cli("schema", "-o", str(target)))
    assert result.stdout == ""
    assert f"wrote {target}" in result.stderr
    written = json.loads(target.read_text(encoding="utf-8"))
    assert written == _json(cli("schema"))

    _write(target, "mine\n")
    refused = cli("schema", "--output", str(target))
    assert refused.exit_code == 2
    assert "already exists" in refused.stderr and "--force" in refused.stderr
    assert target.read_text(encoding="utf-8") == "mine\n"

    _ok(cli("schema", "-o", str(target), "--force"))
    assert json.loads(target.read_text(encoding="utf-8")) == written


def test_schema_into_a_missing_folder_fails_cleanly(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    result = cli("schema", "-o", str(tmp_path / "no" / "such" / "schema.json"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.output


# --- init -----------------------------------------------------------------------------------------


def _uncomment(skeleton: str, registry: Registry) -> str:
    """Uncomment each question line of a skeleton: `    # stage: idea` -> `    stage: idea`."""
    ids = {q.id for q in registry.questions.values()}
    out = []
    for line in skeleton.splitlines():
        m = re.match(r"^    # ([a-z][a-z0-9_]*):(.*)$", line)
        out.append(f"    {m.group(1)}:{m.group(2)}" if m and m.group(1) in ids else line)
    return "\n".join(out) + "\n"


def test_init_prints_a_skeleton_that_loads_as_empty_answers(
    cli: Callable[..., Result], registry: Registry
) -> None:
    text = _ok(cli("init")).stdout
    assert text.startswith(f"# yaml-language-server: $schema={SCHEMA_FILE}\n")
    answers = parse_answers(text, registry)
    assert answers.values == {}
    assert answers.title == "What we are deciding"
    for q in registry.questions.values():
        assert re.search(rf"^    # {q.id}:", text, re.MULTILINE), q.qid


def test_init_title_option(cli: Callable[..., Result], registry: Registry) -> None:
    text = _ok(cli("init", "--title", "Support bot for a bank")).stdout
    assert parse_answers(text, registry).title == "Support bot for a bank"


def test_uncommented_skeleton_is_a_valid_answers_file_that_evaluates(
    cli: Callable[..., Result], registry: Registry, tmp_path: Path
) -> None:
    text = _uncomment(_ok(cli("init")).stdout, registry)
    answers = parse_answers(text, registry)
    assert answers.values["pmf.stage"] == "idea"
    assert answers.values["privacy.vendor_terms_ok"] == "yes"
    assert answers.values["scale.input_tokens_per_request"] == 1000
    path = _write(tmp_path / "answers.yaml", text)
    data = _json(cli("recommend", str(path), "--format", "json"))
    assert data["recommendation"] in ("api", "self_host", "fine_tune")
    assert "pmf.stage" not in data["unanswered"]


def test_init_file_writes_it_and_the_schema_beside_it(
    cli: Callable[..., Result], registry: Registry, tmp_path: Path
) -> None:
    target = tmp_path / "answers.yaml"
    result = _ok(cli("init", str(target)))
    assert result.stdout == ""
    assert target.read_text(encoding="utf-8") == _ok(cli("init")).stdout
    schema = tmp_path / SCHEMA_FILE
    assert json.loads(schema.read_text(encoding="utf-8")) == _json(cli("schema"))
    assert f"wrote {target}" in result.stderr and f"wrote {schema}" in result.stderr
    _ok(cli("recommend", str(target)))


def test_init_leaves_an_existing_schema_file_alone(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    schema = _write(tmp_path / SCHEMA_FILE, "{}\n")
    _ok(cli("init", str(tmp_path / "answers.yaml")))
    assert schema.read_text(encoding="utf-8") == "{}\n"


def test_init_refuses_to_overwrite_without_force(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    target = _write(tmp_path / "answers.yaml", "title: keep me\n")
    refused = cli("init", str(target))
    assert refused.exit_code == 2
    assert "already exists" in refused.stderr
    assert "Traceback" not in refused.output
    assert target.read_text(encoding="utf-8") == "title: keep me\n"
    assert [p.name for p in tmp_path.iterdir()] == ["answers.yaml"]  # no stray temporary file

    _ok(cli("init", str(target), "--force", "--title", "Replaced"))
    assert 'title: "Replaced"\n' in target.read_text(encoding="utf-8")


# --- examples -------------------------------------------------------------------------------------


def test_examples_lists_the_built_in_examples(cli: Callable[..., Result]) -> None:
    lines = _ok(cli("examples")).stdout.splitlines()
    shipped = sorted(
        e.name.removesuffix(".yaml")
        for e in (files("advisor") / "examples").iterdir()
        if e.name.endswith(".yaml")
    )
    assert set(EXAMPLES) <= set(shipped)
    assert [line.split(":")[0] for line in lines] == shipped
    assert "first-pilot: Internal pilot summarising sales calls" in lines


@pytest.mark.parametrize("name", EXAMPLES)
def test_recommend_example(cli: Callable[..., Result], name: str) -> None:
    data = _json(cli("recommend", "--example", name, "--format", "json"))
    assert data["input"]["file"] == f"example:{name}"
    assert data["expect"]["met"] is True
    assert _ok(cli("explain", "--example", name)).stdout


def test_unknown_example_is_a_usage_error(cli: Callable[..., Result]) -> None:
    result = cli("recommend", "--example", "no-such-example")
    assert result.exit_code == 2
    assert "no example named 'no-such-example'" in result.output
    assert "first-pilot" in result.output  # and says which there are


# --- the program itself ---------------------------------------------------------------------------


def test_version(cli: Callable[..., Result]) -> None:
    import advisor

    assert _ok(cli("--version")).stdout.strip() == f"advisor, version {advisor.__version__}"


def test_help_lists_every_command(cli: Callable[..., Result]) -> None:
    out = _ok(cli("--help")).stdout
    for command in (
        "recommend",
        "explain",
        "check",
        "questions",
        "plugins",
        "rules",
        "schema",
        "init",
        "examples",
    ):
        assert re.search(rf"^  {command}\b", out, re.MULTILINE), command


def test_python_dash_m_advisor_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "advisor", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: python -m advisor [OPTIONS] [COMMAND]")
    assert re.search(r"^  recommend\b", done.stdout, re.MULTILINE)
    assert done.stderr == ""


def test_python_dash_m_advisor_recommends(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "advisor", "recommend", str(HOSPITAL), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["recommendation"] == "self_host"


# --- details a user runs into ------------------------------------------------------------------


def test_check_on_a_folder_skips_the_schema_that_init_writes(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    _ok(cli("init", str(tmp_path / "answers.yaml")))
    assert (tmp_path / "advisor-answers.schema.json").exists()
    result = _ok(cli("check", str(tmp_path)))
    assert "schema.json" not in result.stdout
    assert result.stdout.splitlines()[-1] == "0 passed, 0 failed, 1 skipped"


def test_an_empty_expect_is_nothing_to_check(cli: Callable[..., Result], tmp_path: Path) -> None:
    path = _write(tmp_path / "empty.yaml", "expect: {}\nanswers:\n  pmf:\n    stage: idea\n")
    result = _ok(cli("check", str(path)))
    assert result.stdout.splitlines()[-1] == "0 passed, 0 failed, 1 skipped"


def test_init_title_with_yaml_punctuation_still_loads(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    target = tmp_path / "answers.yaml"
    _ok(cli("init", str(target), "--title", 'Bot: v2 # "quoted"'))
    data = _json(cli("recommend", str(target), "--format", "json"))
    assert data["input"]["title"] == 'Bot: v2 # "quoted"'


def test_files_written_take_the_usual_permissions(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    old = os.umask(0o022)
    try:
        _ok(cli("init", str(tmp_path / "answers.yaml")))
    finally:
        os.umask(old)
    for name in ("answers.yaml", "advisor-answers.schema.json"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o644, name


def test_a_schema_key_for_editors_is_accepted(cli: Callable[..., Result], tmp_path: Path) -> None:
    path = _write(
        tmp_path / "answers.json",
        json.dumps(
            {"$schema": "advisor-answers.schema.json", "answers": {"pmf": {"stage": "idea"}}}
        ),
    )
    assert _json(cli("recommend", str(path), "--format", "json"))["recommendation"] == "api"


def test_quiet_rules_show_the_derived_facts_they_read(cli: Callable[..., Result]) -> None:
    data = _json(cli("explain", str(CASES / "media-tagging-at-scale.yaml"), "--format", "json"))
    quiet = {r["id"]: r for r in data["not_fired"]}
    assert quiet["PRM001"]["inputs"] == {"best_prompted_result": "partially_meets_bar"}
    assert data["facts"]["volume_band"] == "high"
    assert data["facts"]["self_host_usd_per_month"] == pytest.approx(12_232.48)
    text = cli("explain", str(CASES / "media-tagging-at-scale.yaml")).stdout
    compact = re.sub(r"[\s│]+", "", text)  # the table folds long words over its lines
    assert "best_prompted_result=partially_meets_bar" in compact


def test_the_why_of_a_file_is_shown(cli: Callable[..., Result]) -> None:
    path = CASES / "air-gapped-defence.yaml"
    assert "Export-controlled data" in cli("recommend", str(path)).stdout
    assert _json(cli("recommend", str(path), "--format", "json"))["input"]["why"].startswith(
        "Export-controlled data"
    )


def test_no_command_without_a_terminal_prints_the_help() -> None:
    """`advisor` alone opens the TUI in a terminal; piped or in a script it explains itself."""
    done = subprocess.run(
        [sys.executable, "-m", "advisor"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: python -m advisor [OPTIONS] [COMMAND]")
    assert "opens the terminal UI" in done.stdout
    assert "textual" not in done.stderr.lower()


def test_recommend_gives_a_plan_whose_triggers_start_its_steps(cli: Callable[..., Result]) -> None:
    """The plan in the JSON and the text; and its steps as a team would check them, by re-running
    with each step's triggers given as answers (--set)."""
    case = CASES / "consumer-app-no-ml-team.yaml"
    done = cli("recommend", str(case), "--format", "json")
    assert done.exit_code == 0, done.output
    out = json.loads(done.output)
    steps = out["plan"]["steps"]
    assert steps[0] == {
        "option": out["recommendation"],
        "when": [],
        "text": f"now: {out['recommendation']}",
    }
    assert len(steps) >= 2, steps
    sets: list[str] = []
    for step in steps[1:]:
        assert step["option"] not in [s["option"] for s in steps[: steps.index(step)]]
        for trigger in step["when"]:
            assert trigger["kind"] in ("at_least", "reaches")
            assert trigger["to"] != trigger["from"]
            sets += ["--set", f"{trigger['question']}={json.dumps(trigger['to'])}"]
        moved = cli("recommend", str(case), *sets, "--format", "json")
        assert moved.exit_code == 0, moved.output
        assert json.loads(moved.output)["recommendation"] == step["option"], (sets, step)
    text = cli("recommend", str(case))
    assert text.exit_code == 0, text.output
    flat = " ".join(text.output.split())
    assert "Plan 1. now: Call a hosted API 2. when the answer to" in flat
    assert "cost.ml_engineers" not in flat  # prompts and labels, not ids


def test_the_least_share_that_makes_routing_pay_is_where_it_becomes_the_cheapest(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    path = tmp_path / "routing.yaml"
    path.write_text(
        "answers:\n"
        "  pmf: {stage: pmf_validated, prompting_result: meets_bar, has_evals: true}\n"
        "  privacy: {data_class: internal, vendor_terms_ok: 'yes', residency: any}\n"
        "  scale: {requests_per_month: 30000000, input_tokens_per_request: 2000,"
        " output_tokens_per_request: 400}\n"
        "  cost: {api_model: claude-sonnet-5-5, open_model: llama-3.3-70b, ml_engineers: 3}\n",
        encoding="utf-8",
    )
    data = json.loads(cli("recommend", str(path), "--format", "json").output)
    least = data["facts"]["hybrid_cheapest_share"]
    assert 0 < least < 1
    hold = [r for r in data["rules"] if r["id"] == "HYB003"]
    assert hold and hold[0]["kind"] == "hold"

    def bills(share: float) -> tuple[float, float]:
        """Routing's bill at ``share``, and the cheapest bill of the other options not ruled out."""
        out = json.loads(
            cli(
                "recommend", str(path), "--set", f"scale.routed_share={share}", "--format", "json"
            ).output
        )
        ruled_out = {oid for oid, o in out["options"].items() if o["eliminated"]}
        rivals = [
            bill["usd_per_month"]
            for oid, bill in out["costs"]["options"].items()
            if oid != "hybrid" and oid not in ruled_out and bill["usd_per_month"] is not None
        ]
        assert len(rivals) >= 2  # the API and self-hosting at least
        return out["costs"]["options"]["hybrid"]["usd_per_month"], min(rivals)

    mine, best = bills(least)
    assert mine < best
    mine, best = bills(max(least - 0.01, 0.0))
    assert mine >= best
    # The text says it beside routing's bill, in words.
    text = " ".join(cli("recommend", str(path)).output.split())
    said = re.search(
        r"costs less than every option not ruled out once the small model answers (\S+)", text
    )
    assert said is not None, text
    assert said.group(1) == numbers.share(least)
    # No router allowed: routing is ruled out, and what would make it pay goes unsaid.
    barred = cli("recommend", str(path), "--set", "scale.routing_ok=false", "--format", "json")
    assert json.loads(barred.output)["facts"]["hybrid_cheapest_share"] is None
    assert (
        "once the small model answers"
        not in cli("recommend", str(path), "--set", "scale.routing_ok=false").output
    )
