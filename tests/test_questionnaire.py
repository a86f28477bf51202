"""The built-in questionnaires: they load, they offer what ANSWERS.md promises, malformed ones are
reported precisely, and answers are read the way a person writes them."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import advisor
from advisor import InputError, Question, Registry, Section, load_section

BUILT_IN_SECTIONS = ("pmf", "privacy", "scale", "cost")

# ANSWERS.md, "The answers file: the contract every part shares", as data:
# (section, question id, type, listed values or None, lower bound or None).
# A bound is (">=", n) or (">", n). For choices, the listed values must all be offered (plugins and
# later versions may add more); "list of choice" is a multi_choice question.
ANSWERS_MD = [
    ("pmf", "stage", "choice", ["idea", "prototype", "mvp_live", "pmf_validated", "scaling"], None),
    (
        "pmf",
        "prompting_result",
        "choice",
        ["not_tried", "fails_bar", "partially_meets_bar", "meets_bar"],
        None,
    ),
    (
        "pmf",
        "open_model_result",
        "choice",
        ["not_tried", "fails_bar", "partially_meets_bar", "meets_bar"],
        None,
    ),
    ("pmf", "has_evals", "bool", None, None),
    ("pmf", "labeled_examples", "int", None, (">=", 0)),
    ("pmf", "domain_gap", "bool", None, None),
    ("pmf", "commodity_use_case", "bool", None, None),
    ("privacy", "data_class", "choice", ["public", "internal", "confidential", "regulated"], None),
    (
        "privacy",
        "regimes",
        "multi_choice",
        ["gdpr", "hipaa", "pci_dss", "glba", "sox", "itar", "pipl", "ccpa"],
        None,
    ),
    ("privacy", "vendor_terms_ok", "choice", ["yes", "no", "unknown"], None),
    (
        "privacy",
        "residency",
        "choice",
        ["any", "region", "own_cloud", "on_prem", "air_gapped"],
        None,
    ),
    ("privacy", "train_on_user_data", "bool", None, None),
    ("scale", "requests_per_month", "int", None, (">=", 0)),
    ("scale", "input_tokens_per_request", "int", None, (">=", 0)),
    ("scale", "output_tokens_per_request", "int", None, (">=", 0)),
    ("scale", "latency_p95_ms", "int", None, (">", 0)),
    ("scale", "peak_to_average", "number", None, (">=", 1)),
    ("scale", "vendor_limits_blocking", "bool", None, None),
    ("cost", "api_model", "choice", ["gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet"], None),
    ("cost", "open_model_size_b", "number", None, (">", 0)),
    ("cost", "ml_engineers", "int", None, (">=", 0)),
]


def _contract_id(row: tuple) -> str:
    return f"{row[0]}.{row[1]}"


# --- the built-in questionnaires ------------------------------------------------------------------


@pytest.mark.parametrize("name", BUILT_IN_SECTIONS)
def test_built_in_questionnaire_file_loads(name: str) -> None:
    source = files("advisor_questionnaires") / f"{name}.yaml"
    section = load_section(source)
    assert section.id == name
    assert section.questions
    assert all(q.section == name for q in section.questions)
    assert all(q.qid == f"{name}.{q.id}" for q in section.questions)


def test_built_in_sections_register_without_faults(registry: Registry) -> None:
    assert [f.render() for f in registry.faults] == []
    assert [s.id for s in registry.sections] == list(BUILT_IN_SECTIONS)
    assert {s.origin for s in registry.sections} == {"questionnaires"}


def test_every_answers_md_question_is_offered_and_nothing_else_is_missing(
    registry: Registry,
) -> None:
    promised = {_contract_id(row) for row in ANSWERS_MD}
    missing = promised - set(registry.questions)
    assert not missing, f"questions ANSWERS.md promises but the questionnaires lack: {missing}"


@pytest.mark.parametrize("row", ANSWERS_MD, ids=_contract_id)
def test_answers_md_question_has_its_type_and_values(registry: Registry, row: tuple) -> None:
    section, qid, kind, values, bound = row
    question = registry.question(f"{section}.{qid}")
    assert question.type == kind
    if values is not None and question.values_from is not None:
        # A choice from a catalogue: every value ANSWERS.md names loads, offered or not (old ids
        # stay valid; the menu shows current models).
        for value in values:
            assert question.coerce(value) == value
    elif values is not None:
        offered = set(question.choice_values)
        assert set(values) <= offered, f"missing values: {set(values) - offered}"
    else:
        assert question.choices == ()
    if bound is None:
        assert question.minimum is None
    else:
        op, limit = bound
        assert question.minimum == limit
        assert question.exclusive_minimum is (op == ">")


def test_every_question_explains_why_it_matters(registry: Registry) -> None:
    for q in registry.questions.values():
        assert q.prompt.strip() and q.why.strip(), q.qid
        assert all(1 <= p <= 12 for p in q.principles), q.qid


def test_regimes_accepts_plugin_values_and_is_asked_only_for_non_public_data(
    registry: Registry,
) -> None:
    regimes = registry.question("privacy.regimes")
    assert regimes.open_choices
    assert not regimes.is_visible({"privacy.data_class": "public"})
    for data_class in ("internal", "confidential", "regulated"):
        assert regimes.is_visible({"privacy.data_class": data_class})


# --- malformed questionnaire files ----------------------------------------------------------------

# A valid section; each case below appends to it a second question (or breaks it), so that the fault
# is on a line past the first question and the reported line number means something.
HEAD = """\
id: extra
title: Extra questions
questions:
  - id: first
    prompt: The first question?
    why: Because it matters.
    type: bool
  - id: second
    prompt: The second question?
    why: Because it matters too.
"""
SECOND_QUESTION_LINE = 8

MALFORMED = {
    # name: (text after HEAD, expected field, expected line, words the message must contain)
    "unknown key in a question": (
        "    type: int\n    colour: red\n",
        "questions.1.colour",
        12,
        ["extra inputs are not permitted"],
    ),
    "choice question without choices": (
        "    type: choice\n",
        "questions.1",
        SECOND_QUESTION_LINE,
        ["choice question needs choices"],
    ),
    "default outside the choices": (
        "    type: choice\n"
        "    choices:\n"
        "      - {value: small, label: Small}\n"
        "      - {value: large, label: Large}\n"
        "    default: medium\n",
        "questions.1.default",
        15,
        ["'medium' is not allowed", "small, large"],
    ),
    "principle 13": (
        "    type: bool\n    principles: [3, 13]\n",
        "questions.1.principles",
        12,
        ["1 to 12", "13"],
    ),
    "wrong type name": (
        "    type: integer\n",
        "questions.1.type",
        11,
        ["'choice'", "'int'", "'number'"],
    ),
    "progress up on a choice": (
        "    type: choice\n"
        "    choices:\n"
        "      - {value: small, label: Small}\n"
        "      - {value: large, label: Large}\n"
        "    progress: up\n",
        "questions.1.progress",
        15,
        ["`up` is for a number", "in order"],
    ),
    "progress listing a value the choice lacks": (
        "    type: choice\n"
        "    choices:\n"
        "      - {value: small, label: Small}\n"
        "      - {value: large, label: Large}\n"
        "    progress: [small, huge]\n",
        "questions.1.progress.1",
        15,
        ["'huge' is not allowed", "small, large"],
    ),
    "progress on a text question": (
        "    type: text\n    progress: [a, b]\n",
        "questions.1.progress",
        12,
        ["text question takes `progress: up` or none"],
    ),
    "repeated question id": (
        "    type: bool\n"
        "  - id: first\n"
        "    prompt: The first question again?\n"
        "    why: Because.\n"
        "    type: bool\n",
        "questions.2.id",
        12,
        ["question ids repeat", "first"],
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_questionnaire_names_file_line_and_field(tmp_path: Path, case: str) -> None:
    tail, field, line, words = MALFORMED[case]
    path = tmp_path / "extra.yaml"
    path.write_text(HEAD + tail, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_section(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: {field}: "), message
    for word in words:
        assert word.lower() in message.lower(), message
    assert caught.value.path == str(path)
    (problem,) = caught.value.problems
    assert (problem.field, problem.line) == (field, line)


def test_questionnaire_with_invalid_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(HEAD + "    type: [bool\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_section(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:12: "), message
    assert "not valid YAML" in message


def test_questionnaire_error_uses_the_origin_given_for_the_file(tmp_path: Path) -> None:
    path = tmp_path / "extra.yaml"
    path.write_text(HEAD + "    type: integer\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_section(path, origin="myplugin:extra.yaml")
    assert str(caught.value).startswith("myplugin:extra.yaml:11: questions.1.type: ")


def test_questionnaire_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- id: first\n- id: second\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_section(path)
    assert str(caught.value).startswith(f"{path}:1: ")


def test_every_problem_in_a_questionnaire_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "extra.yaml"
    path.write_text(HEAD + "    type: bool\n    principles: [0]\n    colour: red\n", "utf-8")
    with pytest.raises(InputError) as caught:
        load_section(path)
    fields = {p.field: p.line for p in caught.value.problems}
    assert fields == {"questions.1.principles": 12, "questions.1.colour": 13}
    assert len(str(caught.value).splitlines()) == 2


# --- Question.coerce ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (1e7, 10_000_000),
        ("1e7", 10_000_000),
        ("2_000_000", 2_000_000),
        ("2,000,000", 2_000_000),
        ("12,345", 12_345),
        (" 40000 ", 40_000),
        ("2.0", 2),
        (0, 0),
    ],
)
def test_int_question_reads_numbers_as_people_write_them(
    registry: Registry, given: object, expected: int
) -> None:
    got = registry.question("scale.requests_per_month").coerce(given)
    assert got == expected
    assert type(got) is int


@pytest.mark.parametrize("given", [2.5, "2.5", "1e-1", "lots", "", True, None, [1], "1,5", "1,00"])
def test_int_question_refuses_what_is_not_a_whole_number(registry: Registry, given: object) -> None:
    question = registry.question("scale.requests_per_month")
    with pytest.raises(ValueError, match="expected a whole number >= 0"):
        question.coerce(given)


@pytest.mark.parametrize("given", ["2,5", "1,50"])
def test_decimal_comma_is_refused_not_misread(registry: Registry, given: str) -> None:
    # "2,5" is two and a half in much of Europe; reading it as 25 would be a silent guess.
    with pytest.raises(ValueError, match="is not allowed"):
        registry.question("scale.peak_to_average").coerce(given)


@pytest.mark.parametrize("given", [float("nan"), float("inf"), "1e400"])
def test_numbers_that_are_not_finite_are_refused(registry: Registry, given: object) -> None:
    with pytest.raises(ValueError, match="is not allowed"):
        registry.question("scale.requests_per_month").coerce(given)


def test_number_question_reads_ints_and_strings_as_floats(registry: Registry) -> None:
    question = registry.question("cost.open_model_size_b")
    assert question.coerce(8) == 8.0 and type(question.coerce(8)) is float
    assert question.coerce("0.5") == 0.5
    assert question.coerce("7e1") == 70.0


def test_inclusive_minimum(registry: Registry) -> None:
    peak = registry.question("scale.peak_to_average")
    assert peak.coerce(1) == 1.0
    with pytest.raises(ValueError, match=r"out of range; expected a number >= 1"):
        peak.coerce(0.99)
    examples = registry.question("pmf.labeled_examples")
    assert examples.coerce(0) == 0
    with pytest.raises(ValueError, match=r"-1 is out of range; expected a whole number >= 0"):
        examples.coerce(-1)


def test_exclusive_minimum(registry: Registry) -> None:
    latency = registry.question("scale.latency_p95_ms")
    assert latency.coerce(1) == 1
    with pytest.raises(ValueError, match=r"0 is out of range; expected a whole number > 0"):
        latency.coerce(0)
    size = registry.question("cost.open_model_size_b")
    assert size.coerce(0.1) == 0.1
    with pytest.raises(ValueError, match=r"out of range; expected a number > 0"):
        size.coerce(0)


def test_maximum_is_enforced() -> None:
    question = Question(
        id="share", prompt="Share?", why="Because.", type="number", minimum=0, maximum=1
    )
    assert question.coerce(1) == 1.0
    with pytest.raises(ValueError, match=r"out of range; expected a number >= 0 and <= 1"):
        question.coerce(1.01)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("yes", True),
        ("no", False),
        ("on", True),
        ("off", False),
        ("y", True),
        ("n", False),
        ("Yes", True),
        ("OFF", False),
        ("true", True),
        ("false", False),
        (True, True),
        (False, False),
    ],
)
def test_bool_question_reads_yaml_1_1_spellings(
    registry: Registry, given: object, expected: bool
) -> None:
    assert registry.question("pmf.has_evals").coerce(given) is expected


@pytest.mark.parametrize("given", [1, 0, "maybe", "", None, "yess"])
def test_bool_question_refuses_other_values(registry: Registry, given: object) -> None:
    with pytest.raises(ValueError, match=r"expected true or false"):
        registry.question("pmf.has_evals").coerce(given)


def test_vendor_terms_ok_reads_booleans_as_yes_and_no(registry: Registry) -> None:
    question = registry.question("privacy.vendor_terms_ok")
    assert question.coerce(True) == "yes"
    assert question.coerce(False) == "no"
    assert question.coerce("yes") == "yes"
    assert question.coerce("unknown") == "unknown"


def test_a_boolean_is_not_read_into_a_choice_without_yes_and_no(registry: Registry) -> None:
    with pytest.raises(ValueError, match="expected one of idea, prototype"):
        registry.question("pmf.stage").coerce(True)


@pytest.mark.parametrize(
    ("qid", "given", "near"),
    [
        ("pmf.stage", "prototyp", "prototype"),
        ("pmf.stage", "mvp-live", "mvp_live"),
        ("privacy.residency", "onprem", "on_prem"),
        ("privacy.vendor_terms_ok", "unknwn", "unknown"),
        ("privacy.regimes", ["gdpr", "hipa"], "hipaa"),
    ],
)
def test_near_miss_choice_gets_a_did_you_mean(
    registry: Registry, qid: str, given: object, near: str
) -> None:
    question = registry.question(qid)
    with pytest.raises(ValueError) as caught:
        question.coerce(given)
    message = str(caught.value)
    assert f"(did you mean {near}?)" in message
    assert ", ".join(question.choice_values) in message  # and everything allowed


def test_far_miss_choice_lists_what_is_allowed_without_a_guess(registry: Registry) -> None:
    with pytest.raises(ValueError) as caught:
        registry.question("pmf.stage").coerce("zzz")
    assert "did you mean" not in str(caught.value)
    assert "expected one of idea, prototype, mvp_live, pmf_validated, scaling" in str(caught.value)


def test_multi_choice_reads_one_value_and_drops_repeats(registry: Registry) -> None:
    regimes = registry.question("privacy.regimes")
    assert regimes.coerce("gdpr") == ["gdpr"]
    assert regimes.coerce(["gdpr", "hipaa", "gdpr"]) == ["gdpr", "hipaa"]
    assert regimes.coerce([]) == []


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=10**15))
def test_int_question_reads_any_grouping_of_a_whole_number(n: int) -> None:
    question = Question(id="count", prompt="How many?", why="Because.", type="int", minimum=0)
    for spelled in (n, str(n), f"{n:,}", f"{n:_}", float(n) if n < 2**53 else n):
        assert question.coerce(spelled) == n


@settings(max_examples=60, deadline=None)
@given(st.floats(min_value=0, max_value=1e9, allow_nan=False).filter(lambda x: x != int(x)))
def test_int_question_refuses_every_non_integral_float(x: float) -> None:
    question = Question(id="count", prompt="How many?", why="Because.", type="int", minimum=0)
    with pytest.raises(ValueError, match="not allowed"):
        question.coerce(x)


# --- sections built in code -----------------------------------------------------------------------


def test_section_built_from_question_objects_stamps_their_section() -> None:
    question = Question(id="product_exists", prompt="Exists?", why="Because.", type="bool")
    section = Section(id="vendor", title="Vendor", questions=[question])
    assert [q.qid for q in section.questions] == ["vendor.product_exists"]


def test_section_rejects_repeated_question_ids_in_code() -> None:
    question = {"id": "a", "prompt": "A?", "why": "Because.", "type": "bool"}
    with pytest.raises(ValueError, match="question ids repeat: a"):
        Section(id="vendor", title="Vendor", questions=[question, question])


def test_public_api_exports_what_questionnaire_authors_need() -> None:
    for name in ("Question", "Section", "Choice", "load_section", "InputError", "Problem"):
        assert hasattr(advisor, name), name
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", advisor.__version__)


def test_progress_says_which_values_lie_ahead(registry: Registry) -> None:
    stage = registry.questions["pmf.stage"]
    assert stage.ahead("prototype") == ("mvp_live", "pmf_validated", "scaling")
    assert stage.ahead("scaling") == ()
    assert stage.ahead(None) == ("idea", "prototype", "mvp_live", "pmf_validated", "scaling")
    assert registry.questions["pmf.has_evals"].ahead(False) == (True,)
    assert registry.questions["scale.requests_per_month"].progress == "up"
    assert registry.questions["privacy.residency"].progress is None  # a policy does not mature
