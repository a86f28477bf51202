"""The TUI's session without the UI: reading numbers, answering, progress, what-if, saving, autosave."""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from advisor.core.answers.document import load_answers
from advisor.core.answers.questionnaire import Question
from advisor.core.base.files import WouldOverwrite
from advisor.tui.autosave import KEEP, Autosave, name_for
from advisor.tui.session import Session, number_hint, parse_number

CASES = Path(__file__).parent / "cases"
EU = CASES / "eu-insurer-claims.yaml"
HOSPITAL = CASES / "hospital-discharge-notes.yaml"
VOLUME = "scale.requests_per_month"


def _session(registry: Any, path: Path | None = None, autosave: Autosave | None = None) -> Session:
    answers = load_answers(path, registry) if path is not None else None
    return Session.open(registry, registry.catalogue, answers, autosave)


def _commented(case: Path, to: Path) -> str:
    text = "# Draft for the architecture review\n" + case.read_text(encoding="utf-8")
    text = text.replace("  scale:\n", "  # volumes from the pilot, March\n  scale:\n", 1)
    to.write_text(text, encoding="utf-8")
    return text


def _keys(text: str) -> list[tuple[str, list[str]]]:
    """The top-level keys, then each section's, in the order the file has them."""
    doc = YAML(typ="rt").load(text)
    return [("", list(doc))] + [(sid, list(doc["answers"][sid])) for sid in doc["answers"]]


def _diff(before: str, after: str) -> list[str]:
    """The lines removed (-) and added (+) between two texts."""
    return [
        line.rstrip("\n")
        for line in difflib.unified_diff(before.splitlines(True), after.splitlines(True), n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


# Numbers as people type them ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("2M", 2_000_000),
        ("2m", 2_000_000),
        (" 2 M ", 2_000_000),
        ("1.5k", 1500),
        ("2.5M", 2_500_000),
        ("3bn", 3_000_000_000),
        ("3B", 3_000_000_000),
        ("1t", 1_000_000_000_000),
        ("1,500k", 1_500_000),
        ("2_000k", 2_000_000),
        ("1e3k", 1_000_000),
        ("1.2345k", 1234.5),
    ],
)
def test_parse_number_reads_a_suffix(typed: str, number: float) -> None:
    got = parse_number(typed)
    assert got == number
    assert type(got) is type(number)  # a whole number comes back as an int


@pytest.mark.parametrize("typed", ["1e6", "2,000,000", "2_000_000", "42", "lots", "k", "2 apples"])
def test_parse_number_leaves_the_rest_to_the_question(typed: str) -> None:
    assert parse_number(typed) == typed.strip()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("2M", 2_000_000),
        ("1.5k", 1500),
        ("3bn", 3_000_000_000),
        ("1e6", 1_000_000),
        ("2,000,000", 2_000_000),
        ("2_000_000", 2_000_000),
        ("  40000 ", 40_000),
    ],
)
def test_typed_numbers_are_stored_as_numbers(registry: Any, typed: str, stored: int) -> None:
    session = _session(registry)
    assert session.answer(VOLUME, typed) == stored
    assert session.values[VOLUME] == stored and type(session.values[VOLUME]) is int
    size = "cost.open_model_size_b"  # a number question, read as a float (at most 100,000)
    if stored <= 100_000:
        session.answer(size, typed)
        assert session.values[size] == float(stored)
        assert type(session.values[size]) is float


def test_number_hint_says_what_is_allowed(registry: Any) -> None:
    q: Question = registry.questions[VOLUME]
    hint = number_hint(q)
    assert q.allowed() in hint  # a whole number >= 0


# Answering ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qid", "raw", "words"),
    [
        (VOLUME, "lots", ["lots", "a whole number >= 0"]),
        (VOLUME, "junk", ["junk", "2M"]),
        (VOLUME, "-5", ["-5", ">= 0"]),
        (VOLUME, "1.5", ["1.5", "whole number"]),
        (VOLUME, "2.5x", ["2.5x"]),
        ("scale.latency_p95_ms", "0", ["> 0"]),
        ("pmf.stage", "launched", ["launched", "idea"]),
        ("privacy.vendor_terms_ok", "maybe", ["maybe", "unknown"]),
        ("pmf.has_evals", "perhaps", ["perhaps", "true or false"]),
        ("privacy.regimes", ["gdpr", "nope"], ["nope", "gdpr"]),
    ],
)
def test_a_refused_answer_changes_nothing(
    registry: Any, tmp_path: Path, qid: str, raw: Any, words: list[str]
) -> None:
    autosave = Autosave(tmp_path)
    session = _session(registry, EU, autosave)
    values, decision = dict(session.values), session.decision
    with pytest.raises(ValueError) as refused:
        session.answer(qid, raw)
    for word in words:
        assert word in str(refused.value)
    assert session.values == values
    assert session.decision is decision
    assert not session.dirty
    assert autosave.sessions(registry) == []


def test_an_answer_is_stored_and_the_decision_follows(registry: Any, tmp_path: Path) -> None:
    autosave = Autosave(tmp_path)
    session = _session(registry, EU, autosave)
    before = session.decision
    assert before.recommendation == "api"
    assert session.answer("privacy.vendor_terms_ok", "no") == "no"
    assert session.dirty
    assert session.decision is not before
    assert session.decision.recommendation != "api"
    assert session.answer("privacy.vendor_terms_ok", False) == "no"  # YAML 1.1's bare no
    assert session.answer("privacy.regimes", ["hipaa", "gdpr", "hipaa"]) == ["hipaa", "gdpr"]
    assert [s.name for s in autosave.sessions(registry)] == [session.autosave_name]


def test_the_same_answer_again_is_no_change(registry: Any, tmp_path: Path) -> None:
    autosave = Autosave(tmp_path)
    session = _session(registry, EU, autosave)
    decision = session.decision
    assert session.answer(VOLUME, "300k") == 300_000  # what the file says already
    assert session.decision is decision
    assert not session.dirty
    assert autosave.sessions(registry) == []


@pytest.mark.parametrize("empty", [None, "", "   ", []])
def test_an_empty_answer_clears(registry: Any, empty: Any) -> None:
    session = _session(registry, EU)
    qid = VOLUME if empty != [] else "privacy.regimes"
    assert qid in session.values
    assert session.answer(qid, empty) is None
    assert qid not in session.values
    assert session.dirty


def test_clear(registry: Any, tmp_path: Path) -> None:
    autosave = Autosave(tmp_path)
    session = _session(registry, EU, autosave)
    decision = session.decision
    assert "pmf.domain_gap" not in session.values
    session.clear("pmf.domain_gap")  # not answered: nothing happens
    assert not session.dirty and session.decision is decision
    session.clear(VOLUME)
    assert VOLUME not in session.values
    assert session.dirty and session.decision is not decision
    saved = autosave.read(registry, session.autosave_name)
    assert saved is not None and VOLUME not in saved.answers.values


def test_progress_counts_only_the_questions_asked(registry: Any) -> None:
    session = _session(registry)
    privacy = len(registry.section("privacy").questions)
    assert session.progress("privacy") == (0, privacy - 1)  # regimes is not asked yet
    session.answer("privacy.data_class", "internal")
    assert session.progress("privacy") == (1, privacy)
    session.answer("privacy.regimes", ["gdpr"])
    assert session.progress("privacy") == (2, privacy)
    session.answer("privacy.data_class", "public")
    assert session.progress("privacy") == (1, privacy - 1)
    session.clear("privacy.data_class")
    assert session.progress("privacy") == (0, privacy - 1)
    for section in registry.sections:
        full = _session(registry, HOSPITAL)
        done, asked = full.progress(section.id)
        given = [q for q in section.questions if q.qid in full.values]
        assert done == len(given) and asked >= done


# What if ------------------------------------------------------------------------------------------


def test_whatif_leaves_the_answers_as_they_are(registry: Any) -> None:
    session = _session(registry, EU)
    values, decision = dict(session.values), session.decision
    trial = session.whatif("privacy.vendor_terms_ok", "no")
    assert trial.recommendation != decision.recommendation
    louder = session.whatif(VOLUME, "30M")
    assert louder.resolved.values[VOLUME] == 30_000_000
    assert session.values == values
    assert session.decision is decision
    assert not session.dirty
    with pytest.raises(ValueError):
        session.whatif(VOLUME, "lots")
    assert session.values == values


# Saving -------------------------------------------------------------------------------------------


def test_save_keeps_comments_and_order(registry: Any, tmp_path: Path) -> None:
    path = tmp_path / "eu.yaml"
    original = _commented(EU, path)
    autosave = Autosave(tmp_path / "data")
    session = _session(registry, path, autosave)
    session.answer(VOLUME, "450k")
    session.answer("cost.open_model_size_b", "70")  # a new answer, in a section that has others
    assert len(autosave.sessions(registry)) == 1
    session.save(path, force=True)

    saved = path.read_text(encoding="utf-8")
    assert saved.startswith("# Draft for the architecture review\n")
    assert "  # volumes from the pilot, March\n  scale:\n" in saved
    assert "requests_per_month: 450000" in saved and "300000" not in saved
    loaded = load_answers(path, registry)
    assert loaded.values == session.values
    assert loaded.title == session.title
    assert _keys(saved) == [
        (where, [*keys, "open_model_size_b"] if where == "cost" else keys)
        for where, keys in _keys(original)
    ]
    assert not session.dirty
    assert autosave.sessions(registry) == []


def test_save_writes_json_for_a_json_name(registry: Any, tmp_path: Path) -> None:
    session = _session(registry, EU)
    path = tmp_path / "eu.json"
    session.save(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["answers"]["scale"]["requests_per_month"] == 300_000
    assert load_answers(path, registry).values == session.values
    assert session.source == path


def test_save_refuses_to_overwrite_without_force(registry: Any, tmp_path: Path) -> None:
    path = tmp_path / "eu.yaml"
    original = _commented(EU, path)
    autosave = Autosave(tmp_path / "data")
    session = _session(registry, path, autosave)
    session.answer(VOLUME, "1M")
    with pytest.raises(WouldOverwrite):
        session.save(path)
    assert path.read_bytes() == original.encode("utf-8")
    assert session.dirty
    assert len(autosave.sessions(registry)) == 1  # the safety net stays until a save succeeds
    session.save(path, force=True)
    assert load_answers(path, registry).values[VOLUME] == 1_000_000


def test_save_to_a_new_file_then_its_autosave_follows_it(registry: Any, tmp_path: Path) -> None:
    autosave = Autosave(tmp_path / "data")
    session = _session(registry, None, autosave)
    session.answer("pmf.stage", "idea")
    first = session.autosave_name
    assert first.startswith("new-")
    target = tmp_path / "ours.yaml"
    session.save(target)
    assert session.source == target
    assert autosave.sessions(registry) == []
    session.answer("pmf.stage", "prototype")
    assert session.autosave_name == name_for(target, "") != first
    assert [s.name for s in autosave.sessions(registry)] == [session.autosave_name]


def test_save_changes_only_the_line_of_the_answer_that_changed(
    registry: Any, tmp_path: Path
) -> None:
    """docs/tui.md: saving into a YAML file opened from disk "changes only the answers that
    changed". The hospital case has a quoted "no" and a folded `why:` with long lines."""
    path = tmp_path / "hospital.yaml"
    original = _commented(HOSPITAL, path)
    session = _session(registry, path)
    session.answer(VOLUME, "65k")
    session.save(path, force=True)
    assert _diff(original, path.read_text(encoding="utf-8")) == [
        "-    requests_per_month: 60000",
        "+    requests_per_month: 65000",
    ]


def test_save_keeps_the_quotes_of_an_unchanged_yes_or_no(registry: Any, tmp_path: Path) -> None:
    """A bare `no` is the boolean false to a YAML 1.1 reader (ANSWERS.md says so): the quotes the
    file had on an answer nobody changed must survive a save."""
    path = tmp_path / "hospital.yaml"
    _commented(HOSPITAL, path)
    session = _session(registry, path)
    session.answer("cost.ml_engineers", "3")
    session.save(path, force=True)
    assert 'vendor_terms_ok: "no"' in path.read_text(encoding="utf-8")


def test_save_keeps_an_unchanged_number_as_it_was_written(registry: Any, tmp_path: Path) -> None:
    """`1,200` in a file is read as 1200: the same answer, so a save of another change must not
    write it over as `1200`."""
    path = tmp_path / "eu.yaml"
    text = EU.read_text(encoding="utf-8")
    text = text.replace("input_tokens_per_request: 1200", "input_tokens_per_request: 1,200")
    path.write_text(text, encoding="utf-8")
    session = _session(registry, path)
    assert session.values["scale.input_tokens_per_request"] == 1200
    session.answer("cost.ml_engineers", "2")
    session.save(path, force=True)
    saved = path.read_text(encoding="utf-8")
    assert "ml_engineers: 2" in saved
    assert "input_tokens_per_request: 1,200" in saved


def test_export_writes_the_memo_and_refuses_to_overwrite(registry: Any, tmp_path: Path) -> None:
    session = _session(registry, EU)
    html, md = tmp_path / "memo.html", tmp_path / "memo.md"
    session.export(html, "html")
    session.export(md, "md")
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert md.read_text(encoding="utf-8").startswith("---")
    before = md.read_bytes()
    with pytest.raises(WouldOverwrite):
        session.export(md, "md")
    assert md.read_bytes() == before


# Autosave -----------------------------------------------------------------------------------------


def test_autosave_round_trip(registry: Any, tmp_path: Path) -> None:
    autosave = Autosave(tmp_path)
    session = _session(registry, EU, autosave)
    session.answer(VOLUME, "2M")
    session.set_about(title="Claims triage, second look")
    saved = autosave.read(registry, session.autosave_name)
    assert saved is not None
    assert saved.answers.values == session.values
    assert saved.answers.title == "Claims triage, second look"
    assert saved.source == EU.resolve()
    assert saved.saved[:4].isdigit() and "T" in saved.saved
    assert saved.name == session.autosave_name == name_for(EU, "")
    assert "Claims triage, second look" in saved.label
    newest = autosave.read(registry)
    assert newest is not None and newest.answers.values == session.values


def test_autosave_of_a_new_decision(registry: Any, tmp_path: Path) -> None:
    autosave = Autosave(tmp_path)
    session = _session(registry, None, autosave)
    session.answer("pmf.stage", "idea")
    saved = autosave.read(registry, session.autosave_name)
    assert saved is not None
    assert saved.source is None
    assert saved.answers.values == {"pmf.stage": "idea"}
    assert "untitled decision" in saved.label


@pytest.mark.parametrize(
    "text",
    [
        "answers: {pmf: {stage: [unclosed\n",  # not YAML
        "- just\n- a list\n",  # not a mapping
        "answers:\n  pmf:\n    stage: launched\n",  # a value the question does not allow
        "answers:\n  nosuch: {x: 1}\n",  # an unknown section
        "\udcff",  # not UTF-8 once written
    ],
)
def test_a_corrupt_autosave_reads_as_none(registry: Any, tmp_path: Path, text: str) -> None:
    autosave = Autosave(tmp_path)
    autosave.folder.mkdir(parents=True)
    path = autosave.path("new-1")
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    assert autosave.read(registry, "new-1") is None
    assert autosave.read(registry) is None
    assert autosave.sessions(registry) == []


def test_a_corrupt_autosave_does_not_hide_the_good_ones(registry: Any, tmp_path: Path) -> None:
    autosave = Autosave(tmp_path)
    session = _session(registry, None, autosave)
    session.answer("pmf.stage", "idea")
    autosave.path("new-0").write_text("{{{", encoding="utf-8")
    assert [s.name for s in autosave.sessions(registry)] == [session.autosave_name]


def test_autosave_into_a_folder_that_cannot_be_written(registry: Any, tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("", encoding="utf-8")
    autosave = Autosave(blocked)  # its sessions folder would be inside a file
    session = _session(registry, None, autosave)
    session.answer("pmf.stage", "idea")  # no exception: the session goes on
    assert session.values == {"pmf.stage": "idea"}
    assert autosave.sessions(registry) == []


def test_autosave_keeps_the_newest_sessions(registry: Any, tmp_path: Path) -> None:
    autosave = Autosave(tmp_path)
    names = []
    for i in range(KEEP + 3):
        session = _session(registry, None, autosave)
        session.started = f"2026010100{i:04d}"
        session.answer("pmf.labeled_examples", str(i))
        path = autosave.path(session.autosave_name)
        os.utime(path, (1_700_000_000 + i, 1_700_000_000 + i))
        names.append(session.autosave_name)
    kept = {p.stem for p in autosave.folder.glob("*.yaml")}
    assert len(kept) == KEEP
    assert kept == set(names[-KEEP:])


def test_clearing_an_autosave(registry: Any, tmp_path: Path) -> None:
    autosave = Autosave(tmp_path)
    session = _session(registry, None, autosave)
    session.answer("pmf.stage", "idea")
    autosave.clear(session.autosave_name)
    assert autosave.read(registry, session.autosave_name) is None
    autosave.clear(session.autosave_name)  # twice: no error


@pytest.mark.parametrize(
    ("typed", "unit", "number"),
    [
        ("3 s", "ms", 3000),
        ("3s", "ms", 3000),
        ("1.5 sec", "ms", 1500),
        ("300ms", "ms", 300),
        ("300 ms", "ms", 300),
        ("2 min", "ms", 120_000),
        ("1.5k", "ms", 1500),
        ("30%", "share of calls", 0.3),
        ("800 tokens", "tokens", 800),
        ("1 token", "tokens", 1),
        ("3 people", "people", 3),
        ("2M", "requests/month", 2_000_000),
    ],
)
def test_parse_number_reads_the_unit_it_is_written_in(typed: str, unit: str, number: float) -> None:
    assert parse_number(typed, unit) == number


@pytest.mark.parametrize(
    ("typed", "unit"),
    [("3m", "ms"), ("3 s", "tokens"), ("30%", "tokens"), ("5 apples", "people"), ("3 ms", None)],
)
def test_parse_number_leaves_a_unit_it_cannot_read_to_the_question(
    typed: str, unit: str | None
) -> None:
    """ "3m" for a latency could be minutes or millions; a duration or a percentage for a count is
    a mistake: each is handed back for the question to refuse with what it allows."""
    assert parse_number(typed, unit) == typed


def test_a_latency_in_seconds_is_stored_in_milliseconds(registry: Any) -> None:
    session = _session(registry)
    assert session.answer("scale.latency_p95_ms", "3 s") == 3000
    with pytest.raises(ValueError, match="3 s, 300 ms"):
        session.answer("scale.latency_p95_ms", "3m")
    assert session.values["scale.latency_p95_ms"] == 3000


_TRICKY = [
    "true",
    "true\n",
    "null",
    "null\n",
    "false\n",
    "~",
    "---",
    "1. x",
    "yes",
    "- a",
    "#x",
    "a: b",
]
_WRITTEN = st.one_of(  # what a person might type: words YAML reads as something else, or anything
    st.sampled_from(_TRICKY),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_WRITTEN)
def test_any_text_written_round_trips_through_the_autosave(
    registry: Any, tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    """What a user types as the title or the situation comes back exactly after a crash, and the
    session is offered again: `true`, `null`, `---` and the like included."""
    folder = tmp_path_factory.mktemp("autosave")
    autosave = Autosave(folder)
    session = _session(registry, autosave=autosave)
    session.set_about(title=text, why=text)
    saved = autosave.read(registry, session.autosave_name)
    assert saved is not None, f"the session with {text!r} is not offered again"
    assert saved.answers.title == text and saved.answers.why == text


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_WRITTEN)
def test_any_text_written_round_trips_through_the_memo(
    registry: Any, tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    """A memo carries the title and the situation exactly as written, so that re-running it
    (advisor memo MEMO) starts from the same words."""
    session = _session(registry)
    session.values = {"pmf.stage": "mvp_live"}
    session.set_about(title=text, why=text)
    for fmt in ("md", "html"):
        path = tmp_path_factory.mktemp("memo") / f"memo.{fmt}"
        path.write_text(session.memo_text(fmt), encoding="utf-8")
        back = load_answers(path, registry)
        assert (back.title, back.why) == (text, text), fmt
