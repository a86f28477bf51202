"""The decision record through the command line: `advisor diff`, memos read back as input, and
`advisor log`, run the way a user runs them."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from ruamel.yaml import YAML

from advisor import Registry

TESTS = Path(__file__).parent
CASES = TESTS / "cases"
CASE_NAMES = sorted(p.stem for p in CASES.glob("*.yaml"))
EU = CASES / "eu-insurer-claims.yaml"  # recommends the API at 300,000 calls a month
MEDIA = CASES / "media-tagging-at-scale.yaml"
HOSPITAL = CASES / "hospital-discharge-notes.yaml"
DATE = "2026-11-24"
VERSION = version("advisor")
EU_MD = "0001-european-insurer-triaging-claims-emails-under-gdpr.md"
HOSPITAL_MD = "0002-hospital-drafting-discharge-summaries-from-patient-records.md"
MEDIA_HTML = "0003-media-company-tagging-and-rewriting-articles-at-high-volume.html"

Cli = Callable[..., Result]


# --- helpers --------------------------------------------------------------------------------------


def _ok(result: Result, code: int = 0) -> Result:
    assert result.exit_code == code, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    return result


def _fails(result: Result) -> str:
    """The run ended with exit code 2, no traceback and nothing on stdout; returns stderr."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    return result.stderr


def _json(result: Result, code: int = 0) -> Any:
    return json.loads(_ok(result, code).stdout)


def _edit(path: Path, old: str, new: str, target: Path | None = None) -> Path:
    """Replace the one ``old`` in ``path``; write the result to ``target`` (default: in place)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (old, text.count(old))
    target = target or path
    target.write_text(text.replace(old, new), encoding="utf-8")
    return target


def _sub(path: Path, pattern: str, replacement: str) -> Path:
    """Edit the one line of ``path`` matching ``pattern`` (whatever quoting the writer chose)."""
    text, count = re.subn(pattern, replacement, path.read_text(encoding="utf-8"), flags=re.M)
    assert count == 1, (pattern, count)
    path.write_text(text, encoding="utf-8")
    return path


def _variant(tmp_path: Path, name: str, old: str, new: str, source: Path = EU) -> Path:
    """A copy of an answers file with one answer changed."""
    return _edit(source, old, new, tmp_path / name)


def _memo(cli: Cli, source: Path | str, output: Path | str, *extra: str) -> Path:
    """Write a memo with `advisor memo SOURCE -o OUTPUT`; returns the path it says it wrote."""
    result = _ok(cli("memo", str(source), "-o", str(output), "--date", DATE, *extra))
    assert result.stdout == ""
    found = re.fullmatch(r"wrote (.+)\n", result.stderr)
    assert found is not None, result.stderr
    written = Path(found.group(1))
    assert written.is_file()
    return written


def _front(path: Path) -> Any:
    """A memo's front matter, read with plain YAML and JSON readers (not the advisor's)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        found = re.search(
            r'<script type="application/json" id="advisor-memo">(.*?)</script>', text, re.DOTALL
        )
        assert found is not None
        return json.loads(found.group(1))
    lines = text.split("\n")
    assert lines[0] == "---"
    end = lines.index("---", 1)
    return YAML(typ="safe").load("\n".join(lines[1:end]))


def _line_of(path: Path, needle: str) -> int:
    """The 1-based number of the one line of ``path`` holding ``needle``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [n for n, line in enumerate(lines, start=1) if needle in line]
    assert len(found) == 1, (needle, found)
    return found[0]


# --- 1. diff on answers files ---------------------------------------------------------------------


@pytest.fixture
def sized(tmp_path: Path) -> tuple[Path, Path]:
    """The EU case with a model size (so all three bills are worked out) and a larger hosted
    model, and the same at 90M calls a month."""
    old = _variant(
        tmp_path,
        "old.yaml",
        "    ml_engineers: 1\n",
        "    ml_engineers: 1\n    open_model_size_b: 8\n",
    )
    old.write_text(
        old.read_text(encoding="utf-8").replace("api_model: gpt-4o-mini", "api_model: gpt-4o"),
        encoding="utf-8",
    )
    new = _variant(
        tmp_path,
        "new.yaml",
        "requests_per_month: 300000",
        "requests_per_month: 90000000",
        source=old,
    )
    return old, new


def test_diff_lists_the_changed_answer_and_every_changed_conclusion(
    cli: Cli, sized: tuple[Path, Path]
) -> None:
    old, new = sized
    out = _ok(cli("diff", str(old), str(new)), code=1).stdout
    lines = out.splitlines()
    assert lines[:2] == [f"--- {old}", f"+++ {new}"]
    assert "No change" not in out
    answers = lines[lines.index("Answers changed (1):") + 1]
    assert answers == "  scale.requests_per_month: 300,000 -> 90,000,000"
    assert "Conclusions changed:" in lines
    assert "  recommendation: api -> self_host" in lines
    for option in ("self_host", "fine_tune"):  # the API's points do not depend on volume here
        held = r"( \(held back: [A-Z0-9, ]+\))?"
        pattern = rf"^  {option} score: [+-][\d.]+{held} -> [+-][\d.]+{held}$"
        assert re.search(pattern, out, re.MULTILINE), option
    for option in ("api", "self_host", "fine_tune"):
        assert re.search(
            rf"^  {option} cost: \$[\d,]+ a month -> \$[\d,]+ a month$", out, re.MULTILINE
        ), option
    assert "  api cost: $1,500 a month -> $450,000 a month" in lines
    added = lines.index("Rules that fire now and did not:")
    removed = lines.index("Rules that no longer fire:")
    assert added < removed
    # The economics rule weighs both sides; what it found about self-hosting changed.
    assert any(line.startswith("  + ECON001 self_host +") for line in lines[added:removed])
    assert any(line.startswith("  - ECON001 self_host -") for line in lines[removed:])
    assert "Memos re-run:" not in out  # no memo on either side


def _expected_findings(data: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(r["id"], r["option"] or "-", r["because"]) for r in data["rules"]}


def _parsed_findings(lines: list[str]) -> set[tuple[str, str, str]]:
    out = set()
    for line in lines:
        found = re.fullmatch(r"(\S+) (\S+) (\S+): (.*)", line)
        assert found is not None, line
        out.add((found.group(1), found.group(2), found.group(4)))
    return out


def test_diff_json_agrees_with_what_recommend_says_for_each_side(
    cli: Cli, sized: tuple[Path, Path]
) -> None:
    old, new = sized
    found = _json(cli("diff", str(old), str(new), "--format", "json"), code=1)
    assert set(found) == {
        "changed",
        "answers",
        "conclusions",
        "rules_added",
        "rules_removed",
        "reruns",
    }
    assert found["changed"] is True
    assert found["answers"] == [
        {"question": "scale.requests_per_month", "old": "300,000", "new": "90,000,000"}
    ]
    assert found["reruns"] == []

    before = _json(cli("recommend", str(old), "--format", "json"))
    after = _json(cli("recommend", str(new), "--format", "json"))
    conclusions = {c["what"]: (c["old"], c["new"]) for c in found["conclusions"]}
    assert len(conclusions) == len(found["conclusions"])
    assert conclusions["recommendation"] == (before["recommendation"], after["recommendation"])
    assert conclusions["recommendation"] == ("api", "self_host")
    assert conclusions["confidence"] == (
        before["confidence"]["level"],
        after["confidence"]["level"],
    )
    expected_rows = 2
    for option in ("self_host", "fine_tune"):
        was, now = before["options"][option]["score"], after["options"][option]["score"]
        assert was != now, option
        shown = conclusions[f"{option} score"]
        assert shown[0].startswith(f"{was:+g}") and shown[1].startswith(f"{now:+g}"), shown
        bill = before["costs"]["options"][option]["usd_per_month"]
        later = after["costs"]["options"][option]["usd_per_month"]
        assert round(bill) != round(later), option
        assert conclusions[f"{option} cost"] == (f"${bill:,.0f} a month", f"${later:,.0f} a month")
        expected_rows += 2
    api_was = before["costs"]["options"]["api"]["usd_per_month"]
    api_now = after["costs"]["options"]["api"]["usd_per_month"]
    assert conclusions["api cost"] == (f"${api_was:,.0f} a month", f"${api_now:,.0f} a month")
    assert len(conclusions) == expected_rows + 1  # and the API's bill, though not its points

    old_rules, new_rules = _expected_findings(before), _expected_findings(after)
    # A finding kept with other words (a share or an amount in its reason) is neither added nor
    # removed: the diff matches findings by rule, option, kind and points.
    kept = {(r["id"], r["option"], r["kind"], r.get("points")) for r in before["rules"]} & {
        (r["id"], r["option"], r["kind"], r.get("points")) for r in after["rules"]
    }
    reworded = {(i, o or "-") for i, o, _, _ in kept}
    added = {f for f in new_rules - old_rules if f[:2] not in reworded}
    removed = {f for f in old_rules - new_rules if f[:2] not in reworded}
    assert _parsed_findings(found["rules_added"]) == added
    assert _parsed_findings(found["rules_removed"]) == removed
    assert found["rules_added"] and found["rules_removed"]


def test_an_answer_taken_out_is_shown_as_unanswered(cli: Cli, tmp_path: Path) -> None:
    less = _variant(tmp_path, "less.yaml", "    ml_engineers: 1\n", "")
    out = _ok(cli("diff", str(EU), str(less)), code=1).stdout
    assert "Answers changed (1):\n  cost.ml_engineers: 1 -> unanswered\n" in out
    assert "recommendation:" not in out  # still the API
    assert re.search(r"^  - TEAM002 self_host ", out, re.MULTILINE)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_diff_of_a_file_with_itself_is_no_change(cli: Cli, fmt: str) -> None:
    result = _ok(cli("diff", str(EU), str(EU), "--format", fmt))
    if fmt == "json":
        assert json.loads(result.stdout) == {
            "changed": False,
            "answers": [],
            "conclusions": [],
            "rules_added": [],
            "rules_removed": [],
            "reruns": [],
        }
    else:
        assert result.stdout == (
            f"--- {EU}\n+++ {EU}\nNo change: the same answers and the same conclusions.\n"
        )


def test_two_files_with_the_same_answers_written_differently_are_no_change(
    cli: Cli, tmp_path: Path
) -> None:
    text = EU.read_text(encoding="utf-8")
    text = text.replace("requests_per_month: 300000", 'requests_per_month: "300,000"  # a note')
    text = text.replace("title: European insurer", "title: Another title for the insurer")
    text = text.replace("regimes: [gdpr]", "regimes:\n      - gdpr")
    other = tmp_path / "same.yaml"
    other.write_text("# the same answers, spelled otherwise\n" + text, encoding="utf-8")
    result = _ok(cli("diff", str(EU), str(other)))
    assert "No change: the same answers and the same conclusions." in result.stdout
    assert "changed" not in result.stdout.replace("No change", "")


# --- 2. diff with memos ---------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".md", ".html"])
@pytest.mark.parametrize("memo_first", [True, False], ids=["memo-old", "memo-new"])
def test_diff_of_a_memo_and_its_answers_is_no_change_and_the_re_run_agrees(
    cli: Cli, tmp_path: Path, suffix: str, memo_first: bool
) -> None:
    memo = _memo(cli, EU, tmp_path / f"memo{suffix}")
    old, new = (memo, EU) if memo_first else (EU, memo)
    out = _ok(cli("diff", str(old), str(new))).stdout
    lines = out.splitlines()
    assert lines[2] == "No change: the same answers and the same conclusions."
    assert lines[-2:] == [
        "Memos re-run:",
        f"  {memo}: recorded api on {DATE} (advisor {VERSION}); re-run today: the same",
    ]
    assert "changed since" not in out


def test_a_memo_against_other_answers_shows_the_changes_and_its_re_run(
    cli: Cli, tmp_path: Path
) -> None:
    memo = _memo(cli, EU, tmp_path / "memo.md")
    more = _variant(tmp_path, "more.yaml", 'vendor_terms_ok: "yes"', 'vendor_terms_ok: "no"')
    found = _json(cli("diff", str(memo), str(more), "--format", "json"), code=1)
    assert found["answers"] == [{"question": "privacy.vendor_terms_ok", "old": "yes", "new": "no"}]
    assert {"what": "recommendation", "old": "api", "new": "self_host"} in found["conclusions"]
    assert found["reruns"] == [
        f"{memo}: recorded api on {DATE} (advisor {VERSION}); re-run today: the same"
    ]


def test_a_memo_compared_with_itself_is_re_run_once(cli: Cli, tmp_path: Path) -> None:
    memo = _memo(cli, EU, tmp_path / "memo.md")
    found = _json(cli("diff", str(memo), str(memo), "--format", "json"))
    assert found["changed"] is False
    assert len(found["reruns"]) == 1


# What a memo written by an older advisor, which concluded otherwise, looks like in each format.
RECORDED = {
    ".md": (r"^(  recommendation: )[\"']?api[\"']?$", r"\g<1>self_host"),
    ".html": (r'^(\s+"recommendation": )"api"', r'\g<1>"self_host"'),
}
OLD_VERSION = {
    ".md": (rf"^(    advisor: )[\"']?{re.escape(VERSION)}[\"']?$", r'\g<1>"0.0.9"'),
    ".html": (rf'^(\s+"advisor": )"{re.escape(VERSION)}"', r'\g<1>"0.0.9"'),
}


@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_a_memo_that_recorded_another_recommendation_says_the_re_run_differs(
    cli: Cli, tmp_path: Path, suffix: str
) -> None:
    memo = _sub(_memo(cli, EU, tmp_path / f"memo{suffix}"), *RECORDED[suffix])
    out = _ok(cli("diff", str(memo), str(EU)), 1).stdout  # a record that no longer holds: changed
    assert "but a memo recorded a recommendation that a re-run no longer gives" in out
    rerun = out.splitlines()[-1]
    assert rerun == (
        f"  {memo}: recorded self_host on {DATE} (advisor {VERSION}); re-run today: api "
        "(on the same answers: the rules, plugins or prices have changed)"
    )
    assert "changed since" not in rerun  # only the recommendation was edited


@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_a_memo_from_an_older_advisor_names_the_version_it_was_written_with(
    cli: Cli, tmp_path: Path, suffix: str
) -> None:
    memo = _memo(cli, EU, tmp_path / f"memo{suffix}")
    _sub(memo, *RECORDED[suffix])
    _sub(memo, *OLD_VERSION[suffix])
    found = _json(cli("diff", str(EU), str(memo), "--format", "json"), 1)
    assert found["changed"] is True
    assert found["reruns"] == [
        f"{memo}: recorded self_host on {DATE} (advisor 0.0.9); re-run today: api "
        "(on the same answers: the rules, plugins or prices have changed); "
        f"changed since: advisor 0.0.9 -> {VERSION}"
    ]


def test_diff_of_an_old_memo_and_its_re_run_does_not_say_no_change(
    cli: Cli, tmp_path: Path
) -> None:
    """The memo's own footer says `advisor memo m.md -o NEW.md && advisor diff m.md NEW.md` shows
    what changed since. When the old memo recommended self_host and the re-run recommends the API,
    the two records differ: diff must not print "the same conclusions" and exit 0 as if nothing
    changed (a script checking whether a decision still holds goes by the exit code)."""
    old = _sub(_memo(cli, EU, tmp_path / "old.md"), *RECORDED[".md"])
    new = _memo(cli, old, tmp_path / "new.md")
    assert _front(old)["advisor"]["recommendation"] == "self_host"
    assert _front(new)["advisor"]["recommendation"] == "api"
    result = cli("diff", str(old), str(new))
    assert "recorded self_host" in result.stdout  # the re-run line is there
    assert "the same conclusions" not in result.stdout
    assert result.exit_code == 1, result.stdout
    found = json.loads(cli("diff", str(old), str(new), "--format", "json").stdout)
    assert found["changed"] is True


# --- 3. a memo read back as input -----------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".md", ".html"])
@pytest.mark.parametrize("case", CASE_NAMES)
def test_recommend_on_a_memo_gives_what_its_answers_give(
    cli: Cli, tmp_path: Path, case: str, suffix: str
) -> None:
    source = CASES / f"{case}.yaml"
    memo = _memo(cli, source, tmp_path / f"{case}{suffix}")
    want = _json(cli("recommend", str(source), "--format", "json"))
    got = _json(cli("recommend", str(memo), "--format", "json"))
    assert got["input"]["file"] == str(memo)
    for key in ("recommendation", "confidence", "ranking", "assumed", "unanswered", "rules"):
        assert got[key] == want[key], key
    assert {o: (v["score"], v["eliminated"]) for o, v in got["options"].items()} == {
        o: (v["score"], v["eliminated"]) for o, v in want["options"].items()
    }
    assert (got["input"]["title"], got["input"]["why"]) == (
        want["input"]["title"],
        want["input"]["why"],
    )
    assert got["expect"] == want["expect"]
    assert got["recommendation"] == _front(memo)["advisor"]["recommendation"]


@pytest.mark.parametrize("case", CASE_NAMES)
def test_a_memo_of_a_memo_is_the_same_memo(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    """Re-running a memo on the same date gives the same bytes, whichever format it was read from;
    the memo names its own path, so both are written under the same name in different folders."""
    source = CASES / f"{case}.yaml"
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    monkeypatch.chdir(first)
    for suffix in (".md", ".html"):
        _memo(cli, source, f"memo{suffix}")
    monkeypatch.chdir(second)
    for read in (".md", ".html"):
        for suffix in (".md", ".html"):
            again = _memo(cli, f"../first/memo{read}", f"memo{suffix}", "--force")
            assert again.read_bytes() == (first / f"memo{suffix}").read_bytes(), (read, suffix)
    # To standard output too, where the memo names no path.
    from_answers = _ok(cli("memo", str(source), "--date", DATE)).stdout
    from_memo = _ok(cli("memo", str(first / "memo.html"), "--date", DATE)).stdout
    assert from_answers.startswith("---\n")
    assert from_memo == from_answers


@pytest.mark.parametrize(
    "text",
    [
        '<b>R&D</b> </script> "quoted" <!-- not a comment',
        "an ellipsis from cp1252 read as latin-1: \x85",
        "smart quotes from cp1252 read as latin-1: \x93quoted\x94",
    ],
    ids=["markup", "nel", "c1-controls"],
)
@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_answer_text_reads_back_unchanged_from_a_memo(
    cli: Cli, tmp_path: Path, text: str, suffix: str
) -> None:
    source = tmp_path / "answers.json"
    source.write_text(
        json.dumps({"title": "A title", "why": text, "answers": {"pmf": {"stage": "idea"}}}),
        encoding="utf-8",
    )
    memo = _memo(cli, source, tmp_path / f"memo{suffix}")
    got = _json(cli("recommend", str(memo), "--format", "json"))
    assert got["input"]["why"] == text


# --- 4. files that are not memos, and memos edited wrongly ---------------------------------------


def test_a_markdown_file_without_front_matter_is_refused_by_name(cli: Cli, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# Meeting notes\n\nWe talked about LLMs.\n", encoding="utf-8")
    err = _fails(cli("recommend", str(notes)))
    assert err.startswith(f"{notes}:1: ")
    assert "not an answers file or a memo" in err


def test_a_madr_record_without_an_advisor_block_is_refused(cli: Cli, tmp_path: Path) -> None:
    record = tmp_path / "0001-use-postgres.md"
    record.write_text(
        "---\nstatus: accepted\ndate: 2024-03-05\n---\n# Use PostgreSQL\n", encoding="utf-8"
    )
    err = _fails(cli("recommend", str(record)))
    assert err.startswith(f"{record}:")
    assert "no 'advisor:' block" in err


INVALID_STAGE = {
    ".md": (r"^(      stage: )[\"']?pmf_validated[\"']?$", r"\g<1>someday", "stage: someday"),
    ".html": (r'^(\s+"stage": )"pmf_validated"', r'\g<1>"someday"', '"stage": "someday"'),
}


@pytest.mark.parametrize("command", ["recommend", "diff", "memo"])
@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_an_invalid_answer_edited_into_a_memo_names_its_line_and_the_choices(
    cli: Cli, tmp_path: Path, registry: Registry, suffix: str, command: str
) -> None:
    pattern, replacement, needle = INVALID_STAGE[suffix]
    memo = _sub(_memo(cli, EU, tmp_path / f"memo{suffix}"), pattern, replacement)
    line = _line_of(memo, needle)
    assert line > 5  # deep in the file, not the first line of the front matter
    args = {
        "recommend": ["recommend", str(memo)],
        "diff": ["diff", str(EU), str(memo)],
        "memo": ["memo", str(memo), "-o", str(tmp_path / f"again{suffix}")],
    }[command]
    err = _fails(cli(*args))
    assert err.startswith(f"{memo}:{line}: pmf.stage: "), err
    assert "someday" in err
    for stage in registry.questions["pmf.stage"].choice_values:
        assert stage in err, stage
    assert len(err.splitlines()) == 1
    assert not (tmp_path / f"again{suffix}").exists()


# --- 5. advisor log -------------------------------------------------------------------------------


@pytest.fixture
def decisions(cli: Cli, tmp_path: Path) -> Path:
    """Three memos written into a folder by number: one overdue on DATE, one due exactly on DATE."""
    folder = tmp_path / "decisions"
    folder.mkdir()
    written = [
        _memo(cli, EU, f"{folder}/", "--date", "2025-01-10"),
        _memo(cli, HOSPITAL, f"{folder}/", "--date", "2025-11-24", "--status", "accepted"),
        _memo(cli, MEDIA, f"{folder}/", "--date", "2026-06-01", "--format", "html"),
    ]
    assert [p.name for p in written] == [EU_MD, HOSPITAL_MD, MEDIA_HTML]
    assert [p.parent for p in written] == [folder] * 3
    # The revisit dates the rest of these tests rely on, as the memos record them.
    assert [str(_front(p)["advisor"]["revisit"]) for p in written] == [
        "2026-01-10",
        "2026-11-24",
        "2027-06-01",
    ]
    return folder


LOG_FIELDS = {
    "file",
    "date",
    "title",
    "status",
    "recommendation",
    "revisit",
    "overdue",
    "next_step",
    "due_step",
    "checked_against",
    "check_problem",
    "problem",
}


def test_log_json_lists_each_memo_and_marks_only_those_past_their_revisit_date(
    cli: Cli, decisions: Path
) -> None:
    entries = _json(cli("log", str(decisions), "--date", DATE, "--format", "json"))
    assert [set(e) for e in entries] == [LOG_FIELDS] * 3
    # The next step is the memo's plan's second step: what a re-run of the memo plans too.
    for index, entry in enumerate(entries):
        again = _json(cli("recommend", entry["file"], "--format", "json"))
        steps = again["plan"]["steps"]
        assert entry.pop("next_step") == (steps[1]["text"] if len(steps) > 1 else None)
        # Each memo names the answers file it was written from; the cases reach no step.
        checked, due, problem = (
            entry.pop(k) for k in ("checked_against", "due_step", "check_problem")
        )
        assert (due, problem) == (None, None)
        if len(steps) > 1:
            assert Path(checked).resolve() == {0: EU, 1: HOSPITAL, 2: MEDIA}[index].resolve()
    assert entries == [
        {
            "file": str(decisions / EU_MD),
            "date": "2025-01-10",
            "title": "European insurer triaging claims emails under GDPR",
            "status": "proposed",
            "recommendation": "api",
            "revisit": "2026-01-10",
            "overdue": True,
            "problem": None,
        },
        {
            "file": str(decisions / HOSPITAL_MD),
            "date": "2025-11-24",
            "title": "Hospital drafting discharge summaries from patient records",
            "status": "accepted",
            "recommendation": "self_host",
            "revisit": "2026-11-24",
            "overdue": False,  # due today, not yet past
            "problem": None,
        },
        {
            "file": str(decisions / MEDIA_HTML),
            "date": "2026-06-01",
            "title": "Media company tagging and rewriting articles at high volume",
            "status": "proposed",
            "recommendation": "fine_tune",
            "revisit": "2027-06-01",
            "overdue": False,
            "problem": None,
        },
    ]
    a_day_later = _json(cli("log", str(decisions), "--date", "2026-11-25", "--format", "json"))
    assert [e["overdue"] for e in a_day_later] == [True, True, False]
    long_ago = _json(cli("log", str(decisions), "--date", "2025-01-01", "--format", "json"))
    assert [e["overdue"] for e in long_ago] == [False, False, False]


def test_log_text_shows_a_row_per_memo_and_counts_the_overdue(
    cli: Cli, decisions: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "220")  # one line per row
    out = _ok(cli("log", str(decisions), "--date", DATE)).stdout
    rows = {line.split()[0]: line for line in out.splitlines() if re.match(r"^\d{4}\s", line)}
    assert set(rows) == {"0001", "0002", "0003"}
    expected = {
        "0001": ("2025-01-10", "European insurer", "api", "proposed", "2026-01-10"),
        "0002": ("2025-11-24", "Hospital drafting", "self_host", "accepted", "2026-11-24"),
        "0003": ("2026-06-01", "Media company", "fine_tune", "proposed", "2027-06-01"),
    }
    for number, (when, title, option, status, revisit) in expected.items():
        assert re.search(
            rf"^{number}\s+{when}\s+{title}.*\s{option}\s+{status}\s+{revisit}\b", rows[number]
        ), rows[number]
    assert [n for n, row in rows.items() if "overdue" in row] == ["0001"]
    assert (
        out.splitlines()[-1] == "3 records, 1 overdue for a revisit, 0 due for a step of their plan"
    )


def test_log_lists_other_records_and_unreadable_ones_but_not_the_readme(
    cli: Cli, decisions: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (decisions / "0004-use-postgres.md").write_text(
        "---\nstatus: accepted\ndate: 2024-03-05\n---\n\n# Use PostgreSQL for storage\n\nBody.\n",
        encoding="utf-8",
    )
    (decisions / "0005-broken.md").write_text(
        "---\nstatus: [accepted\n---\n# A broken record\n", encoding="utf-8"
    )
    (decisions / "README.md").write_text("# Decisions\n\nThe records.\n", encoding="utf-8")
    (decisions / "notes.txt").write_text("not a record\n", encoding="utf-8")
    (decisions / "old").mkdir()
    _memo(cli, EU, decisions / "old" / "0009-in-a-subfolder.md")
    entries = _json(cli("log", str(decisions), "--date", DATE, "--format", "json"))
    assert [Path(e["file"]).name for e in entries] == [
        EU_MD,
        HOSPITAL_MD,
        MEDIA_HTML,
        "0004-use-postgres.md",
        "0005-broken.md",
    ]
    madr, broken = entries[3], entries[4]
    assert madr == {
        "file": str(decisions / "0004-use-postgres.md"),
        "date": "2024-03-05",
        "title": "Use PostgreSQL for storage",
        "status": "accepted",
        "recommendation": None,
        "revisit": None,
        "overdue": False,
        "next_step": None,
        "due_step": None,
        "checked_against": None,
        "check_problem": None,
        "problem": None,
    }
    assert broken["title"] == "A broken record"
    assert broken["recommendation"] is None and broken["overdue"] is False
    assert broken["problem"] and broken["problem"].startswith(f"{decisions / '0005-broken.md'}:")
    monkeypatch.setenv("COLUMNS", "300")
    out = _ok(cli("log", str(decisions), "--date", DATE)).stdout
    assert re.search(r"^0005\s.*A broken record \(unreadable: ", out, re.MULTILINE)
    assert re.search(r"^0004\s+2024-03-05\s+Use PostgreSQL for storage\s+-\s+accepted\s", out, re.M)
    assert "README" not in out and "Decisions" not in out
    assert (
        out.splitlines()[-1] == "5 records, 1 overdue for a revisit, 0 due for a step of their plan"
    )


def test_log_takes_the_title_of_a_madr_record_from_its_heading_not_a_front_matter_comment(
    cli: Cli, tmp_path: Path
) -> None:
    """MADR's own template opens its front matter with a YAML comment; it is not the title."""
    folder = tmp_path / "decisions"
    folder.mkdir()
    (folder / "0001-use-postgres.md").write_text(
        "---\n"
        "# These are optional metadata elements. Feel free to remove any of them.\n"
        "status: accepted\n"
        "date: 2024-03-05\n"
        "---\n"
        "# Use PostgreSQL for storage\n",
        encoding="utf-8",
    )
    [entry] = _json(cli("log", str(folder), "--date", DATE, "--format", "json"))
    assert entry["status"] == "accepted"
    assert entry["title"] == "Use PostgreSQL for storage"


def test_log_of_a_missing_folder_is_a_clear_error(cli: Cli, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    err = _fails(cli("log", str(missing)))
    assert f"{missing}: no such folder" in err
    assert not missing.exists()


def test_log_reads_docs_decisions_by_default(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert "docs/decisions: no such folder" in _fails(cli("log"))
    Path("docs/decisions").mkdir(parents=True)
    written = _memo(cli, EU, "docs/decisions/", "--date", "2025-01-10")
    assert written == Path("docs/decisions") / EU_MD
    [entry] = _json(cli("log", "--date", DATE, "--format", "json"))
    assert entry["file"] == str(Path("docs/decisions") / EU_MD)
    assert (entry["recommendation"], entry["overdue"]) == ("api", True)


def test_log_refuses_a_date_it_cannot_read(cli: Cli, decisions: Path) -> None:
    result = cli("log", str(decisions), "--date", "tomorrow")
    assert result.exit_code == 2
    assert "'tomorrow' is not a date like 2026-11-24" in result.stderr


# --- 5b. advisor log: the step of the plan a team is due for --------------------------------------

PROTOTYPE = CASES / "prototype-planning-500m-calls.yaml"  # a plan of two steps


def _reach(answers: Path, when: list[dict[str, Any]]) -> None:
    """Edit an answers file as a team would once the triggers of a step hold."""
    yaml = YAML()
    document = yaml.load(answers.read_text(encoding="utf-8"))
    for trigger in when:
        section, key = trigger["question"].split(".", 1)
        value = trigger["at_least"] if "at_least" in trigger else trigger["reaches"][0]
        document["answers"].setdefault(section, {})[key] = value
    with answers.open("w", encoding="utf-8") as out:
        yaml.dump(document, out)


@pytest.fixture
def planned(cli: Cli, tmp_path: Path) -> tuple[Path, Path]:
    """A team's answers file and the memo written from it into its decisions folder."""
    answers = tmp_path / "advisor.yaml"
    answers.write_text(PROTOTYPE.read_text(encoding="utf-8"), encoding="utf-8")
    memo = _memo(cli, answers, f"{tmp_path / 'docs' / 'decisions'}/")
    return answers, memo


def test_a_memo_keeps_its_plan_with_triggers_and_the_answers_file_it_came_from(
    cli: Cli, planned: tuple[Path, Path]
) -> None:
    answers, memo = planned
    block = _front(memo)["advisor"]
    assert block["source"] == "../../advisor.yaml"
    again = _json(cli("recommend", str(answers), "--format", "json"))["plan"]["steps"]
    assert [step["step"] for step in block["plan"]] == [step["text"] for step in again[1:]]
    assert [step["option"] for step in block["plan"]] == [step["option"] for step in again[1:]]
    for kept, made in zip(block["plan"], again[1:], strict=True):
        assert [t["question"] for t in kept["when"]] == [t["question"] for t in made["when"]]
    # A memo written to standard output does not know where it will be kept.
    printed = _ok(cli("memo", str(answers), "--date", DATE)).stdout
    assert "\n  source:" not in printed and "\n  plan:\n    - step: " in printed


def test_log_marks_the_step_the_teams_answers_now_reach_as_due(
    cli: Cli, planned: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    answers, memo = planned
    folder = memo.parent
    plan = _front(memo)["advisor"]["plan"]
    assert len(plan) == 2
    [entry] = _json(cli("log", str(folder), "--date", DATE, "--format", "json"))
    assert Path(entry["checked_against"]).resolve() == answers.resolve()
    assert (entry["due_step"], entry["next_step"]) == (None, plan[0]["step"])

    _reach(answers, plan[0]["when"])
    # The triggers really move the decision: a re-run of the answers picks the step's option.
    now = _json(cli("recommend", str(answers), "--format", "json"))["recommendation"]
    assert now == plan[0]["option"] != _front(memo)["advisor"]["recommendation"]
    [entry] = _json(cli("log", str(folder), "--date", DATE, "--format", "json"))
    assert (entry["due_step"], entry["next_step"]) == (plan[0]["step"], plan[1]["step"])
    monkeypatch.setenv("COLUMNS", "400")
    out = _ok(cli("log", str(folder), "--date", DATE)).stdout
    assert f"due: {plan[0]['step']}; then {plan[1]['step']}" in out
    assert out.splitlines()[-1] == "1 record, 0 overdue for a revisit, 1 due for a step of its plan"
    found = _ok(cli("diff", str(memo), str(answers)), 1).stdout
    assert f"{answers} reaches step 1 of the plan in {memo}: {plan[0]['step']}" in found

    _reach(answers, plan[1]["when"])
    [entry] = _json(cli("log", str(folder), "--date", DATE, "--format", "json"))
    assert (entry["due_step"], entry["next_step"]) == (plan[1]["step"], None)


def test_log_checks_a_memo_that_names_no_answers_file_against_its_own_answers(
    cli: Cli, tmp_path: Path
) -> None:
    """A memo printed and saved by hand has no `source`: the answers edited into its front matter
    are the team's answers."""
    from advisor.core.answers.memofile import dump_yaml

    folder = tmp_path / "decisions"
    folder.mkdir()
    memo = folder / "0001-prototype.md"
    memo.write_text(_ok(cli("memo", str(PROTOTYPE), "--date", DATE)).stdout, encoding="utf-8")
    [entry] = _json(cli("log", str(folder), "--date", DATE, "--format", "json"))
    assert (entry["checked_against"], entry["due_step"]) == (str(memo), None)
    front = _front(memo)
    for trigger in front["advisor"]["plan"][0]["when"]:
        section, key = trigger["question"].split(".", 1)
        front["advisor"]["answers"][section][key] = trigger["reaches"][0]
    body = memo.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    memo.write_text(f"---\n{dump_yaml(front)}---\n{body}", encoding="utf-8")
    [entry] = _json(cli("log", str(folder), "--date", DATE, "--format", "json"))
    assert entry["due_step"] == front["advisor"]["plan"][0]["step"]


def test_log_says_why_a_plan_could_not_be_checked_and_lists_the_memo_still(
    cli: Cli, planned: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    answers, memo = planned
    folder = memo.parent
    answers.rename(answers.with_name("moved.yaml"))
    [entry] = _json(cli("log", str(folder), "--date", DATE, "--format", "json"))
    assert entry["check_problem"] == f"{answers}: no such file"
    assert (entry["due_step"], entry["checked_against"]) == (None, None)
    assert entry["next_step"] == _front(memo)["advisor"]["plan"][0]["step"]
    monkeypatch.setenv("COLUMNS", "400")
    assert "(not checked: " in _ok(cli("log", str(folder), "--date", DATE)).stdout

    answers.with_name("moved.yaml").rename(answers)
    _edit(memo, "reaches:\n            - mvp_live", "reaches: soon")
    [entry] = _json(cli("log", str(folder), "--date", DATE, "--format", "json"))
    assert entry["check_problem"] == (
        "advisor.plan step 1: pmf.stage has neither a number `at_least` nor a list `reaches`"
    )


def test_log_does_not_check_the_plan_of_a_decision_no_longer_followed(
    cli: Cli, planned: tuple[Path, Path]
) -> None:
    answers, memo = planned
    plan = _front(memo)["advisor"]["plan"]
    _reach(answers, plan[0]["when"])
    _edit(memo, "status: proposed", "status: superseded")
    [entry] = _json(cli("log", str(memo.parent), "--date", DATE, "--format", "json"))
    assert (entry["status"], entry["due_step"], entry["checked_against"]) == (
        "superseded",
        None,
        None,
    )
    assert entry["next_step"] == plan[0]["step"]


def test_log_reads_the_plan_of_a_memo_that_kept_its_steps_in_words_only(
    cli: Cli, planned: tuple[Path, Path]
) -> None:
    """Memos written before the plan's triggers were recorded kept each step as a sentence."""
    _, memo = planned
    text = memo.read_text(encoding="utf-8")
    start, end = text.index("  plan:\n"), text.index("  versions:\n")
    memo.write_text(
        text[:start] + '  plan:\n    - "when pmf.stage is mvp_live: fine_tune"\n' + text[end:],
        encoding="utf-8",
    )
    [entry] = _json(cli("log", str(memo.parent), "--date", DATE, "--format", "json"))
    assert entry["next_step"] == "when pmf.stage is mvp_live: fine_tune"
    assert (entry["due_step"], entry["checked_against"], entry["check_problem"]) == (
        None,
        None,
        None,
    )


# --- 6. writing memos -----------------------------------------------------------------------------


def test_memo_does_not_overwrite_a_file_without_force(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "decision.md"
    target.write_text("my own notes\n", encoding="utf-8")
    err = _fails(cli("memo", str(EU), "-o", str(target), "--date", DATE))
    assert str(target) in err and "already exists" in err and "use --force" in err
    assert target.read_text(encoding="utf-8") == "my own notes\n"
    assert [p.name for p in tmp_path.iterdir()] == ["decision.md"]  # no temporary file left

    _memo(cli, EU, target, "--force")
    assert target.read_text(encoding="utf-8").startswith("---\nstatus: proposed\n")
    assert _front(target)["advisor"]["recommendation"] == "api"


def test_memo_into_a_folder_takes_the_next_number(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "decisions"
    folder.mkdir()
    for name in ("0003-older.md", "0007-latest.md", "README.md", "notes-2099.md"):
        (folder / name).write_text("x\n", encoding="utf-8")
    first = _memo(cli, EU, f"{folder}/")
    assert first == folder / EU_MD.replace("0001", "0008")
    second = _memo(cli, HOSPITAL, folder, "--format", "html")
    assert second == folder / HOSPITAL_MD.replace("0002", "0009").replace(".md", ".html")
    assert second.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    assert (folder / "0007-latest.md").read_text(encoding="utf-8") == "x\n"


def test_memo_into_a_folder_that_does_not_exist_does_not_write_a_file_of_that_name(
    cli: Cli, tmp_path: Path
) -> None:
    """`-o docs/decisions/` names a folder (the trailing slash says so). When it is missing, the
    memo must not be written as a file called `decisions`: either the folder is made and the memo
    numbered in it, or the command fails saying the folder is missing."""
    folder = tmp_path / "decisions"
    result = cli("memo", str(EU), "-o", f"{folder}/", "--date", DATE)
    assert "Traceback" not in result.output
    assert not folder.is_file(), "the memo was written to a file named like the folder"
    if result.exit_code == 0:
        assert (folder / EU_MD).is_file()
    else:
        assert result.exit_code == 2
        assert str(folder) in result.stderr
