"""Fuzzing `advisor recommend FILE --format json` with generated answers files and arbitrary text.

Whatever the file holds, the command must either give a recommendation (exit 0, JSON with a
``recommendation`` key) or refuse with exit code 2 and one ``FILE[:LINE]: ...`` line a problem,
never a traceback.
"""

from __future__ import annotations

import importlib.util
import json
import math
import re
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from advisor import build_registry

REGISTRY = build_registry()
SECTIONS = [s.id for s in REGISTRY.sections]
QUESTION_IDS = sorted({q.id for q in REGISTRY.questions.values()})
CHOICE_VALUES = sorted({v for q in REGISTRY.questions.values() for v in q.choice_values})
TOP_KEYS = ["title", "why", "expect", "answers"]
OPTION_IDS = list(REGISTRY.options)

# The cli fixture is function scoped but holds no state between calls: a new CliRunner each test.
FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

junk_text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12
)  # surrogates cannot be written as UTF-8

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(CHOICE_VALUES),
    st.sampled_from(
        [
            "yes",
            "no",
            "on",
            "off",
            "y",
            "n",
            "2e4",
            "20_000",
            "1,000",
            "2,5",
            "-1",
            "1e400",
            "0x10",
            "",
            " ",
            "null",
            "~",
            ".nan",
            ".inf",
            "true",
            "False",
            "\t",
            "a: b",
            "[1",
        ]
    ),
    junk_text,
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(junk_text, st.sampled_from(QUESTION_IDS)), inner, max_size=4),
    ),
    max_leaves=12,
)
keys = st.one_of(
    st.sampled_from(QUESTION_IDS),
    st.sampled_from(SECTIONS),
    st.sampled_from(TOP_KEYS),
    junk_text,
    st.integers(-5, 5),
    st.booleans(),
    st.none(),
)
question_maps = st.dictionaries(st.one_of(st.sampled_from(QUESTION_IDS), keys), values, max_size=6)
answer_sections = st.dictionaries(
    st.one_of(st.sampled_from(SECTIONS), keys), st.one_of(question_maps, values), max_size=5
)
expects = st.one_of(
    st.dictionaries(
        st.one_of(st.sampled_from(["accept", "reject"]), keys),
        st.one_of(st.lists(st.one_of(st.sampled_from(OPTION_IDS), junk_text), max_size=3), values),
        max_size=3,
    ),
    values,
)
documents = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "title": st.one_of(junk_text, values),
            "why": st.one_of(junk_text, values),
            "expect": expects,
            "answers": st.one_of(answer_sections, values),
        },
    ),
    st.dictionaries(keys, values, max_size=4),
    values,
)

# Pieces of YAML and JSON syntax, good and bad, for text that is almost an answers file.
FRAGMENTS = [
    "answers:\n",
    "  pmf:\n",
    "    stage: idea\n",
    "  privacy: {residency: on_prem}\n",
    "\t",
    "    ",
    "&a ",
    "*a",
    "<<: *a\n",
    "? ",
    ": ",
    "- ",
    "---\n",
    "...\n",
    "%YAML 1.1\n",
    "%TAG ! tag:x,2024:\n",
    "!!python/object:os.system ",
    "!!binary ",
    "!custom ",
    "#",
    "'",
    '"',
    "[",
    "]",
    "{",
    "}",
    ",",
    "\n",
    "\r\n",
    "\ufeff",
    "\x00",
    "\x85",
    "\u2028",
    "|\n",
    ">-\n",
    "{{{{{{{{{{",
    "[[[[[[[[[[",
    "]]]]]",
    "null",
    "~",
    "1e400",
    ".nan",
    "yes",
    "scale:",
    "requests_per_month: ",
    '"\\u12',
    "\\",
    "@",
    "`",
    "&",
    "*",
    "!",
    "%",
]
texts = st.lists(st.one_of(st.sampled_from(FRAGMENTS), junk_text), max_size=30).map("".join)
raw_bytes = st.one_of(
    st.binary(max_size=200),
    st.tuples(texts, st.binary(min_size=1, max_size=8), texts).map(
        lambda t: t[0].encode("utf-8") + b"\xff\xfe" + t[1] + t[2].encode("utf-8")
    ),
)

_yaml = YAML(typ="safe", pure=True)
_yaml.default_flow_style = False


def _dump_yaml(document: Any) -> str:
    import io

    stream = io.StringIO()
    _yaml.dump(document, stream)
    return stream.getvalue()


def _check(cli: Callable[..., Result], path: Path) -> None:
    result = cli("recommend", str(path), "--format", "json")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        assert result.exc_info is not None
        shown = "".join(traceback.format_exception(*result.exc_info))
        raise AssertionError(f"the command raised:\n{shown[-3000:]}")
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 2), (result.exit_code, result.output)
    if result.exit_code == 2:
        lines = result.stderr.splitlines()
        assert lines, "exit 2 without a message"
        for line in lines:
            assert line.startswith(str(path)), f"stderr line without the file's name: {line!r}"
            rest = line[len(str(path)) :]
            assert re.match(r":\d+: ", rest) or rest.startswith(": and "), f"no line: {line!r}"
        assert not result.stdout
    else:
        data = json.loads(result.stdout)
        assert "recommendation" in data
        assert data["recommendation"] is None or data["recommendation"] in REGISTRY.options


@FUZZ
@given(
    document=documents, suffix=st.sampled_from([".yaml", ".yml", ".json"]), as_json=st.booleans()
)
def test_generated_documents(
    cli: Callable[..., Result], tmp_path: Path, document: Any, suffix: str, as_json: bool
) -> None:
    if as_json:
        try:
            text = json.dumps(document)  # NaN and Infinity are written as JSON does not allow
        except (TypeError, ValueError):
            text = _dump_yaml(document)  # keys json cannot write (None, bool) are fine in YAML
    else:
        text = _dump_yaml(document)
    path = tmp_path / f"answers{suffix}"
    path.write_text(text, encoding="utf-8")
    _check(cli, path)


@FUZZ
@given(text=texts, suffix=st.sampled_from([".yaml", ".json"]))
# Nesting past the recursion limit. (The YAML reader's time grows with the square of the depth:
# about 5 s at 2,000 levels, so the examples stay near the limit.)
@example(text="[" * 600, suffix=".yaml")
@example(text="[" * 600, suffix=".json")
@example(text="{" * 600 + "}" * 600, suffix=".yaml")
@example(text="- " * 3000, suffix=".yaml")
@example(text='{"a": ' * 3000 + "1" + "}" * 3000, suffix=".json")
@example(text="a: &a [*a]\n", suffix=".yaml")
@example(text="x: &x\n  y: *x\n", suffix=".yaml")
@example(text='{"answers": {"pmf": {"stage": "idea", "stage": "scaling"}}}', suffix=".json")
@example(text="answers:\n\tpmf: {}\n", suffix=".yaml")
@example(text="answers:\n  pmf:\n    stage: idea\n    stage: idea\n", suffix=".yaml")
@example(text="!!python/object/apply:os.system ['true']\n", suffix=".yaml")
@example(text="answers: {scale: {requests_per_month: 1e400}}", suffix=".json")
@example(text='{"answers": {"scale": {"requests_per_month": NaN}}}', suffix=".json")
@example(text="\ufeffanswers: {}\n", suffix=".yaml")
def test_arbitrary_text(cli: Callable[..., Result], tmp_path: Path, text: str, suffix: str) -> None:
    path = tmp_path / f"answers{suffix}"
    path.write_text(text, encoding="utf-8", newline="")
    _check(cli, path)


@FUZZ
@given(data=raw_bytes, suffix=st.sampled_from([".yaml", ".json"]))
@example(data=b"answers:\n  pmf:\n    stage: \xff\n", suffix=".yaml")
@example(data=b"\xef\xbb\xbf\xc3\x28", suffix=".json")
def test_arbitrary_bytes(
    cli: Callable[..., Result], tmp_path: Path, data: bytes, suffix: str
) -> None:
    path = tmp_path / f"answers{suffix}"
    path.write_bytes(data)
    _check(cli, path)


@pytest.mark.parametrize(
    "text",
    [
        '{"answers": {"pmf": {"stage": "idea", "stage": "scaling"}}}',
        "answers:\n  pmf:\n    stage: idea\n    stage: scaling\n",
    ],
    ids=["json", "yaml"],
)
@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_a_repeated_key_is_an_error_not_a_guess(
    cli: Callable[..., Result], tmp_path: Path, text: str, suffix: str
) -> None:
    path = tmp_path / f"answers{suffix}"
    path.write_text(text, encoding="utf-8")
    result = cli("recommend", str(path), "--format", "json")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(str(path))


def test_a_valid_document_written_either_way_recommends(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    document = {"answers": {"pmf": {"stage": "idea"}, "scale": {"requests_per_month": 5000}}}
    outputs = []
    for suffix, text in ((".json", json.dumps(document)), (".yaml", _dump_yaml(document))):
        path = tmp_path / f"answers{suffix}"
        path.write_text(text, encoding="utf-8")
        result = cli("recommend", str(path), "--format", "json")
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["recommendation"] == "api"
        outputs.append(data["options"])
    assert outputs[0] == outputs[1]
    assert not math.isnan(outputs[0]["api"]["score"])


def _bench_fuzz() -> Any:
    """bench/fuzz.py, the mutation fuzzer whose full run (10,000 files) is a benchmark."""
    path = Path(__file__).resolve().parent.parent / "bench" / "fuzz.py"
    spec = importlib.util.spec_from_file_location("bench_fuzz", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("seed", [11, 12])
def test_mutated_cases_are_recommended_or_refused_with_a_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    """A seeded share of the benchmark's mutations (bench/fuzz.py runs 10,000): each file gives a
    recommendation or is refused with a line for every problem, and never a traceback."""
    monkeypatch.setenv("ADVISOR_PLUGINS", "")
    fuzz = _bench_fuzz()
    tally = fuzz.run(seed, 80, slow=float("inf"), folder=tmp_path)
    assert tally.runs == 80
    assert tally.tracebacks == [] and tally.unlocated == []
    assert tally.recommended >= 5 and tally.refused >= 40  # both ways are exercised


def _read(path: Path, fast: bool) -> Any:
    from advisor.core.answers.document import load_answers
    from advisor.errors import InputError

    try:
        found = load_answers(path, REGISTRY, fast=fast)
    except InputError as exc:
        return ("refused", str(exc))
    expect = None if found.expect is None else found.expect.model_dump()
    return ("read", found.values, found.title, found.why, expect)


def _same_either_way(path: Path) -> None:
    careful, quick = _read(path, fast=False), _read(path, fast=True)
    assert quick == careful


@FUZZ
@given(document=documents, suffix=st.sampled_from([".yaml", ".json"]), as_json=st.booleans())
def test_the_quick_reader_reads_generated_documents_as_the_careful_one(
    tmp_path: Path, document: Any, suffix: str, as_json: bool
) -> None:
    """`advisor check` reads with the quick reader and goes back to the careful one only for a file
    it cannot take: whatever the file, the answers, or the error and its line, are the same."""
    try:
        text = json.dumps(document) if as_json else _dump_yaml(document)
    except (TypeError, ValueError):
        text = _dump_yaml(document)
    path = tmp_path / f"answers{suffix}"
    path.write_text(text, encoding="utf-8")
    _same_either_way(path)


@FUZZ
@given(text=texts, suffix=st.sampled_from([".yaml", ".json"]))
@example(text="a: &a [*a]\n", suffix=".yaml")
@example(text="answers:\n  pmf:\n    stage: idea\n    stage: idea\n", suffix=".yaml")
@example(text="answers: {pmf: &p {stage: idea}, privacy: {<<: *p}}\n", suffix=".yaml")
@example(text="answers:\n  scale: {requests_per_month: 2024-01-01}\n", suffix=".yaml")
@example(text="title: !custom x\n", suffix=".yaml")
@example(text='{"answers": {"scale": {"requests_per_month": NaN}}}', suffix=".json")
@example(text='{"title": NaN, "answers": {"scale": {"peak_to_average": Infinity}}}', suffix=".json")
@example(text='{"title": "a \\ud83d\\ude00 b", "answers": {}}', suffix=".json")
@example(text='{"title": "half \\ud83d", "answers": {}}', suffix=".json")
@example(text='{"answers": {"pmf": {"stage": "idea"}}, "answers": {}}', suffix=".json")
def test_the_quick_reader_reads_arbitrary_text_as_the_careful_one(
    tmp_path: Path, text: str, suffix: str
) -> None:
    path = tmp_path / f"answers{suffix}"
    path.write_text(text, encoding="utf-8")
    _same_either_way(path)


def test_the_quick_reader_reads_every_worked_case_as_the_careful_one() -> None:
    cases = sorted((Path(__file__).parent / "cases").glob("*.yaml"))
    examples = sorted((Path(__file__).parent.parent / "advisor" / "examples").glob("*.yaml"))
    assert len(cases) >= 5 and examples
    for path in [*cases, *examples]:
        _same_either_way(path)
