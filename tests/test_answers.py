"""Answers files: what loads, and how bad input is reported (file:line: question: what is allowed)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from advisor import InputError, Registry, evaluate, load_answers, parse_answers

# --- what loads -----------------------------------------------------------------------------------


SHARED = {  # the worked cases every version must judge as they say, and ours beside them
    "air-gapped-defence.yaml",
    "eu-insurer-claims.yaml",
    "hospital-discharge-notes.yaml",
    "idea-stage-wants-to-fine-tune.yaml",
    "media-tagging-at-scale.yaml",
    "prototype-ticket-summaries.yaml",
}


def test_there_are_worked_cases(case_files: list[Path]) -> None:
    assert {p.name for p in case_files} >= SHARED


def test_every_case_file_loads(registry: Registry, case_files: list[Path]) -> None:
    for path in case_files:
        answers = load_answers(path, registry)
        assert answers.title, path
        assert answers.expect is not None and answers.expect.accept, path
        assert answers.values, path
        assert set(answers.values) <= set(registry.questions), path
        assert answers.path == path


def test_case_values_are_read_into_their_types(registry: Registry, case_files: list[Path]) -> None:
    by_name = {p.stem: p for p in case_files}
    answers = load_answers(by_name["hospital-discharge-notes"], registry)
    assert answers.values["pmf.stage"] == "prototype"
    assert answers.values["pmf.has_evals"] is False
    assert answers.values["privacy.regimes"] == ["hipaa"]
    assert answers.values["privacy.vendor_terms_ok"] == "no"
    assert answers.values["scale.requests_per_month"] == 60000
    assert answers.values["cost.open_model_size_b"] == 70.0


def test_a_single_answer_is_a_valid_file(registry: Registry) -> None:
    answers = parse_answers("answers:\n  pmf:\n    stage: idea\n", registry)
    assert answers.values == {"pmf.stage": "idea"}
    assert answers.expect is None and answers.title is None
    decision = evaluate(registry, answers.values)
    assert decision.recommendation in registry.options


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# nothing yet\n",
        "title: Nothing yet\n",
        "answers:\n",
        "answers: {}\n",
        "answers:\n  pmf:\n  privacy: {}\n  scale: null\n  cost: ~\n",
        "answers:\n  pmf:\n    stage:\n    has_evals: null\n  scale:\n    requests_per_month:\n",
    ],
    ids=[
        "empty",
        "comment only",
        "title only",
        "null answers",
        "empty answers",
        "empty and null sections",
        "null questions",
    ],
)
def test_empty_and_null_parts_are_valid(registry: Registry, text: str) -> None:
    answers = parse_answers(text, registry)
    assert answers.values == {}
    decision = evaluate(registry, answers.values)
    assert "pmf.stage" in decision.resolved.unknown


def test_yaml_1_1_booleans_are_read(registry: Registry, tmp_path: Path) -> None:
    path = tmp_path / "yes.yaml"
    path.write_text(
        "answers:\n"
        "  pmf:\n"
        "    has_evals: yes\n"
        "    domain_gap: off\n"
        "  privacy:\n"
        "    vendor_terms_ok: no\n"
        "    train_on_user_data: Y\n",
        encoding="utf-8",
    )
    answers = load_answers(path, registry)
    assert answers.values == {
        "pmf.has_evals": True,
        "pmf.domain_gap": False,
        "privacy.vendor_terms_ok": "no",
        "privacy.train_on_user_data": True,
    }


def test_numbers_are_read_as_people_write_them(registry: Registry) -> None:
    text = (
        "answers:\n"
        "  scale:\n"
        "    requests_per_month: 2e6\n"
        "    input_tokens_per_request: 1_500\n"
        '    output_tokens_per_request: "2,000"\n'
        "    peak_to_average: 2\n"
    )
    values = parse_answers(text, registry).values
    assert values == {
        "scale.requests_per_month": 2_000_000,
        "scale.input_tokens_per_request": 1500,
        "scale.output_tokens_per_request": 2000,
        "scale.peak_to_average": 2.0,
    }
    assert type(values["scale.requests_per_month"]) is int


def test_json_answers_file_loads(registry: Registry, tmp_path: Path) -> None:
    path = tmp_path / "answers.json"
    path.write_text(
        json.dumps(
            {
                "title": "From a script",
                "expect": {"accept": ["api"]},
                "answers": {
                    "pmf": {"stage": "idea", "has_evals": False},
                    "privacy": {"vendor_terms_ok": True, "regimes": ["gdpr"]},
                    "scale": {"requests_per_month": 5000},
                },
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    answers = load_answers(path, registry)
    assert answers.title == "From a script"
    assert answers.expect is not None and answers.expect.accept == ["api"]
    assert answers.values == {
        "pmf.stage": "idea",
        "pmf.has_evals": False,
        "privacy.vendor_terms_ok": "yes",
        "privacy.regimes": ["gdpr"],
        "scale.requests_per_month": 5000,
    }


# --- bad input through the command line -----------------------------------------------------------


def _fails_cleanly(result: Result) -> str:
    """The run ended with exit code 2 and no traceback; returns what it printed on stderr."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.stdout == ""  # nothing half-printed before the error
    return result.stderr


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# name: (file name, content, line, field, what the message must contain after "field: ")
BAD_ANSWERS: dict[str, tuple[str, str, int, str, list[str]]] = {
    "unknown section": (
        "section.yaml",
        "title: A typo in a section\nanswers:\n  pmf:\n    stage: idea\n  privcy:\n    residency: any\n",
        5,
        "privcy",
        ["unknown section", "did you mean 'privacy'?", "known: pmf, privacy, scale, cost"],
    ),
    "unknown question": (
        "question.yaml",
        "answers:\n  pmf:\n    stage: idea\n    has_eval: true\n",
        4,
        "pmf.has_eval",
        ["unknown question", "did you mean 'has_evals'?", "pmf has: stage, prompting_result"],
    ),
    "wrong type": (
        "type.yaml",
        "answers:\n  pmf:\n    stage: idea\n  scale:\n    requests_per_month: lots\n",
        5,
        "scale.requests_per_month",
        ["'lots' is not allowed", "expected a whole number >= 0"],
    ),
    "wrong type for a bool": (
        "bool.yaml",
        "answers:\n  pmf:\n    stage: idea\n    has_evals: maybe\n",
        4,
        "pmf.has_evals",
        ["'maybe' is not allowed", "expected true or false"],
    ),
    "out of range": (
        "range.yaml",
        "answers:\n  scale:\n    requests_per_month: 1000\n    latency_p95_ms: 0\n",
        4,
        "scale.latency_p95_ms",
        ["0 is out of range", "expected a whole number > 0"],
    ),
    "not among the choices": (
        "choice.yaml",
        "answers:\n  pmf:\n    has_evals: true\n  privacy:\n    data_class: internal\n"
        "    residency: on_premises\n",
        6,
        "privacy.residency",
        [
            "'on_premises' is not allowed",
            "did you mean on_prem?",
            "expected one of any, region, own_cloud, on_prem, air_gapped",
        ],
    ),
    "not among a list's choices": (
        "regimes.yaml",
        "answers:\n  privacy:\n    data_class: regulated\n    regimes:\n      - gdpr\n      - hippa\n",
        4,  # the question's line: the list is read as one answer
        "privacy.regimes",
        ["'hippa' is not allowed", "did you mean hipaa?", "a list of gdpr, hipaa"],
    ),
    "unknown option in expect.accept": (
        "expect.yaml",
        "title: t\nexpect:\n  accept:\n    - api\n    - selfhost\nanswers:\n  pmf:\n    stage: idea\n",
        5,
        "expect.accept",
        ["unknown option 'selfhost'", "known: api, self_host, fine_tune"],
    ),
    "unknown top-level key": (
        "top.yaml",
        "title: t\nanswer:\n  pmf:\n    stage: idea\n",
        2,
        "answer",
        ["unknown key", "did you mean 'answers'?", "allowed: title, why, expect, answers"],
    ),
    "section that is not a mapping": (
        "flat.yaml",
        "title: t\nanswers:\n  pmf: idea\n",
        3,
        "pmf",
        ["expected a mapping of question: answer", "'idea'"],
    ),
}


@pytest.mark.parametrize("case", list(BAD_ANSWERS))
def test_bad_answer_is_reported_with_file_line_and_question(
    cli: Callable[..., Result], tmp_path: Path, case: str
) -> None:
    name, text, line, field, words = BAD_ANSWERS[case]
    path = _write(tmp_path, name, text)
    err = _fails_cleanly(cli("recommend", str(path)))
    first = err.splitlines()[0]
    assert first.startswith(f"{path}:{line}: {field}: "), first
    for word in words:
        assert word in first, (word, first)


@pytest.mark.parametrize("command", ["recommend", "explain"])
def test_bad_answers_fail_the_same_way_for_json_output_and_explain(
    cli: Callable[..., Result], tmp_path: Path, command: str
) -> None:
    path = _write(tmp_path, "bad.yaml", "answers:\n  pmf:\n    stage: idae\n")
    err = _fails_cleanly(cli(command, str(path), "--format", "json"))
    assert err.startswith(f"{path}:3: pmf.stage: 'idae' is not allowed (did you mean idea?)")


def test_every_bad_answer_in_a_file_is_reported_on_its_own_line(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    path = _write(
        tmp_path,
        "many.yaml",
        "answers:\n"
        "  pmf:\n"
        "    stage: idae\n"
        "    labeled_examples: -3\n"
        "  scale:\n"
        "    peak_to_average: 0.5\n"
        "  costs: {}\n",
    )
    err = _fails_cleanly(cli("recommend", str(path)))
    lines = err.splitlines()
    reported = {re.match(r"^(.*?:\d+): ([\w.]+): ", line).group(1, 2) for line in lines}
    assert reported == {
        (f"{path}:3", "pmf.stage"),
        (f"{path}:4", "pmf.labeled_examples"),
        (f"{path}:6", "scale.peak_to_average"),
        (f"{path}:7", "costs"),
    }


def test_top_level_list_is_refused(cli: Callable[..., Result], tmp_path: Path) -> None:
    path = _write(tmp_path, "list.yaml", "- pmf:\n    stage: idea\n")
    err = _fails_cleanly(cli("recommend", str(path)))
    assert err.startswith(f"{path}:1: expected a mapping with keys title, why, expect, answers")
    assert "found a list" in err


def test_top_level_scalar_is_refused(cli: Callable[..., Result], tmp_path: Path) -> None:
    path = _write(tmp_path, "scalar.yaml", "just some words\n")
    err = _fails_cleanly(cli("recommend", str(path)))
    assert err.startswith(f"{path}:1: expected a mapping")
    assert "'just some words'" in err


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("title: t\nanswers:\n  pmf:\n    stage: idea\n   has_evals: true\n", 5),
        ("answers:\n  pmf:\n    stage: idea\n    stage: mvp_live\n", 4),
        ("answers:\n  pmf: {stage: idea\n  scale: {}\n", 3),
    ],
    ids=["bad indentation", "duplicate key", "unclosed flow mapping"],
)
def test_yaml_syntax_error_names_file_and_line(
    cli: Callable[..., Result], tmp_path: Path, text: str, line: int
) -> None:
    path = _write(tmp_path, "syntax.yaml", text)
    err = _fails_cleanly(cli("recommend", str(path)))
    assert err.startswith(f"{path}:{line}: not valid YAML"), err


def test_bad_json_in_a_json_file_names_file_and_line(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    path = _write(
        tmp_path,
        "answers.json",
        '{\n  "answers": {\n    "pmf": {\n      "stage": "idea" "has_evals": true\n    }\n  }\n}\n',
    )
    err = _fails_cleanly(cli("recommend", str(path)))
    assert err.startswith(f"{path}:4: not valid JSON: "), err


def test_json_file_with_a_wrong_value_names_its_line(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    path = _write(
        tmp_path,
        "answers.json",
        '{\n  "answers": {\n    "pmf": {\n      "stage": "idea",\n      "has_evals": 3\n'
        "    }\n  }\n}\n",
    )
    err = _fails_cleanly(cli("recommend", str(path)))
    assert err.startswith(f"{path}:5: pmf.has_evals: 3 is not allowed"), err


def test_missing_file_is_reported(cli: Callable[..., Result], tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    err = _fails_cleanly(cli("recommend", str(path)))
    assert err.strip() == f"{path}: no such file"


def test_folder_given_as_answers_file_is_a_usage_error(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    result = cli("recommend", str(tmp_path))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "is a directory" in result.output


def test_bad_answers_file_is_an_input_error_in_the_library(
    registry: Registry, tmp_path: Path
) -> None:
    path = _write(tmp_path, "bad.yaml", "answers:\n  scale:\n    requests_per_month: -1\n")
    with pytest.raises(InputError) as caught:
        load_answers(path, registry)
    (problem,) = caught.value.problems
    assert (problem.field, problem.line) == ("scale.requests_per_month", 3)
    assert caught.value.path == path


# --- a valid file through the command line --------------------------------------------------------


def _json(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.stdout)


def test_valid_json_answers_file_is_recommended_on(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    path = _write(
        tmp_path,
        "answers.json",
        json.dumps(
            {
                "title": "JSON on the command line",
                "answers": {
                    "pmf": {"stage": "idea", "prompting_result": "not_tried"},
                    "privacy": {"data_class": "public", "vendor_terms_ok": True},
                    "scale": {"requests_per_month": 5000},
                },
            }
        ),
    )
    data = _json(cli("recommend", str(path), "--format", "json"))
    assert data["input"] == {
        "file": str(path),
        "title": "JSON on the command line",
        "why": None,
    }
    assert data["recommendation"] == "api"
    text = cli("recommend", str(path))
    assert text.exit_code == 0
    assert "JSON on the command line" in text.stdout
    assert "Recommendation:" in text.stdout


def test_yaml_1_1_boolean_changes_the_rules_that_fire(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    fired = {}
    for spelled in ("yes", "no"):
        path = _write(
            tmp_path,
            f"{spelled}.yaml",
            f"answers:\n  pmf:\n    stage: mvp_live\n    has_evals: {spelled}\n",
        )
        data = _json(cli("recommend", str(path), "--format", "json"))
        assert "pmf.has_evals" not in data["unanswered"]
        assert "pmf.has_evals" not in data["assumed"]
        fired[spelled] = {r["id"] for r in data["rules"]}
    # EVAL001 fires when there is no eval suite: "no" must read as false and "yes" as true.
    assert "EVAL001" in fired["no"]
    assert "EVAL001" not in fired["yes"]


def test_json_output_lists_assumed_and_unanswered_questions(
    cli: Callable[..., Result], tmp_path: Path, registry: Registry
) -> None:
    path = _write(
        tmp_path,
        "partial.yaml",
        "answers:\n  pmf:\n    stage: prototype\n  scale:\n    requests_per_month: 8000\n",
    )
    data = _json(cli("recommend", str(path), "--format", "json"))
    assert data["assumed"] == {
        "cost.gpu_pricing": "on_demand",
        "cost.tuning_method": "lora",
        "scale.batch_share": 0.0,
        "scale.cached_input_share": 0.0,
        "scale.input_tokens_per_request": 1000,
        "scale.output_tokens_per_request": 250,
        "scale.peak_to_average": 3.0,
    }
    assert "pmf.has_evals" in data["unanswered"]
    assert "privacy.data_class" in data["unanswered"]
    assert "pmf.stage" not in data["unanswered"]
    assert "scale.requests_per_month" not in data["unanswered"]
    # Every question is answered, assumed or unanswered, and only one of them.
    answered = {"pmf.stage", "scale.requests_per_month"}
    assert answered | set(data["assumed"]) | set(data["unanswered"]) == set(registry.questions)
    assert len(answered) + len(data["assumed"]) + len(data["unanswered"]) == len(registry.questions)


def test_a_given_answer_is_not_assumed(cli: Callable[..., Result], tmp_path: Path) -> None:
    path = _write(tmp_path, "given.yaml", "answers:\n  scale:\n    input_tokens_per_request: 200\n")
    data = _json(cli("recommend", str(path), "--format", "json"))
    assert "scale.input_tokens_per_request" not in data["assumed"]
    assert "scale.input_tokens_per_request" not in data["unanswered"]
    assert "scale.output_tokens_per_request" in data["assumed"]


@pytest.mark.parametrize(
    ("data_class", "hidden"),
    [("public", ["privacy.regimes"]), ("regulated", [])],
)
def test_hidden_answers_are_those_the_questionnaire_would_not_ask(
    cli: Callable[..., Result], tmp_path: Path, data_class: str, hidden: list[str]
) -> None:
    path = _write(
        tmp_path,
        "hidden.yaml",
        f"answers:\n  privacy:\n    data_class: {data_class}\n    regimes: [gdpr]\n",
    )
    data = _json(cli("recommend", str(path), "--format", "json"))
    assert data["hidden_answers"] == hidden


def test_unanswered_regimes_are_not_hidden(cli: Callable[..., Result], tmp_path: Path) -> None:
    path = _write(tmp_path, "public.yaml", "answers:\n  privacy:\n    data_class: public\n")
    data = _json(cli("recommend", str(path), "--format", "json"))
    assert data["hidden_answers"] == []


def test_vendor_terms_take_the_yaml_1_1_spellings(registry: Registry) -> None:
    for spelled, meant in (("off", "no"), ("ON", "yes"), ("y", "yes"), ("n", "no")):
        text = f"answers:\n  privacy:\n    vendor_terms_ok: {spelled}\n"
        assert parse_answers(text, registry).values["privacy.vendor_terms_ok"] == meant


def test_brackets_nested_beyond_reason_are_refused_at_once(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    path = _write(tmp_path, "deep.yaml", "title: deep\nanswers: " + "[" * 5000 + "\n")
    message = _fails_cleanly(cli("recommend", str(path)))
    assert message.startswith(f"{path}:2: brackets nested more than")
