"""Input that the loader used to accept and the engine then choked on: numbers beyond any sensible
range, non-finite figures, arithmetic that overflowed. Each is refused at load with the file, line,
field and what is allowed (exit 2, no traceback), or handled, and the JSON stays strict."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from advisor import Registry

HUGE = "9" * 309  # a whole number no float holds


def _strict(text: str) -> object:
    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in the JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize(
    ("qid", "written"),
    [
        ("pmf.labeled_examples", "1e300"),
        ("scale.requests_per_month", HUGE),
        ("scale.output_tokens_per_request", "1e15"),
        ("cost.open_model_size_b", "1e307"),
        ("scale.latency_p95_ms", ".inf"),
        ("scale.peak_to_average", ".nan"),
        ("cost.ml_engineers", "-1"),
    ],
)
def test_a_number_beyond_its_range_is_refused_with_its_line(
    cli: Callable[..., Result], registry: Registry, tmp_path: Path, qid: str, written: str
) -> None:
    section, key = qid.split(".")
    path = tmp_path / "answers.yaml"
    path.write_text(
        f"answers:\n  pmf:\n    stage: scaling\n  {section}:\n    {key}: {written}\n",
        encoding="utf-8",
    )
    if section == "pmf":
        path.write_text(f"answers:\n  pmf:\n    stage: scaling\n    {key}: {written}\n", "utf-8")
    for command in ("recommend", "memo", "flips"):
        done = cli(command, str(path))
        assert done.exit_code == 2, (command, done.output)
        assert "Traceback" not in done.output
        line = 5 if section != "pmf" else 4
        assert f"{path}:{line}: {qid}: " in done.output, done.output
        assert registry.questions[qid].allowed() in done.output


def test_the_largest_answers_allowed_are_worked_out_quickly(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    """Every bound at once: a trillion calls a month of a million tokens each, on the largest and
    the smallest model; the decision comes back (timed in bench/, not here) and its JSON is strict."""
    for size in ("0.01", "100000", "70"):
        path = tmp_path / f"edge-{size}.yaml"
        path.write_text(
            "answers:\n  pmf: {stage: scaling, labeled_examples: 1000000000}\n"
            "  scale: {requests_per_month: 1000000000000, input_tokens_per_request: 10000000,"
            " output_tokens_per_request: 1000000, latency_p95_ms: 1, peak_to_average: 1000}\n"
            f"  cost: {{open_model_size_b: {size}, ml_engineers: 100000}}\n",
            encoding="utf-8",
        )
        done = cli("recommend", str(path), "--format", "json")
        assert done.exit_code == 0, done.output
        _strict(done.stdout)


@pytest.mark.parametrize("written", ["0", ".inf", ".nan", "-3", "100000", "1e400"])
def test_a_config_figure_beyond_sense_is_refused_with_its_line(
    cli: Callable[..., Result], tmp_path: Path, written: str
) -> None:
    config = tmp_path / "advisor.yaml"
    config.write_text(f"figures:\n  trend.essay_halving_months: {written}\n", encoding="utf-8")
    done = cli("recommend", "--example", "support-bot", "--config", str(config))
    assert done.exit_code == 2, done.output
    assert "Traceback" not in done.output
    assert f"{config}:2: figures.trend.essay_halving_months: " in done.output, done.output


def test_a_set_figure_beyond_sense_is_refused(cli: Callable[..., Result]) -> None:
    done = cli("recommend", "--example", "support-bot", "--set", "gpu.h100.hourly_usd=-1")
    assert done.exit_code == 2, done.output
    assert "gpu.h100.hourly_usd: -1 is not allowed; expected a positive finite number" in (
        done.output
    )
    fine = cli("recommend", "--example", "support-bot", "--set", "gpu.h100.hourly_usd=3.1")
    assert fine.exit_code == 0, fine.output


INFINITE_POINTS = '''
from advisor import hookimpl, points, rule


@rule("INF001", "Infinite", source="a test", reads=["pmf.stage"], fires_when="always")
def infinite(facts):
    """Points no JSON number can hold."""
    yield points("api", float("inf"), "infinitely good")


class Plugin:
    @hookimpl
    def advisor_rules(self, register):
        register(infinite)


plugin = Plugin()
'''


def test_json_output_is_strict_whatever_a_plugin_scores(
    cli: Callable[..., Result], distribution: Callable[[str, str, str, str], None]
) -> None:
    """A plugin's infinite points reach the JSON as null, never as a bare Infinity that strict
    readers refuse."""
    distribution(
        "infinite-plugin",
        "advisor_test_infinite",
        "infinite = advisor_test_infinite:plugin",
        INFINITE_POINTS,
    )
    for command in ("recommend", "explain", "flips"):
        done = cli(command, "--example", "support-bot", "--format", "json")
        assert done.exit_code == 0, done.output
        _strict(done.stdout)


@pytest.mark.parametrize(
    ("given", "field", "says"),
    [
        ('    when: "true"\n    points: {api: 1}\n', "ACME009.when", "names no question"),
        ("    when: '1'\n    points: {api: 1}\n", "ACME009.when", "names no question"),
        (
            f"    when: 'pmf.stage == \"scaling\"'\n    points: {{api: {'9' * 310}}}\n",
            "ACME009.points",
            "from -100 to 100",
        ),
    ],
)
def test_a_policy_rule_that_cannot_work_is_refused_with_its_line(
    cli: Callable[..., Result], tmp_path: Path, given: str, field: str, says: str
) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(
        f"rules:\n  - code: ACME009\n    title: T\n{given}    because: b\n", encoding="utf-8"
    )
    done = cli("recommend", "--example", "support-bot", "--policy", str(pack))
    assert done.exit_code == 2, done.output
    assert "Traceback" not in done.output
    line = 4 if field.endswith("when") else 5
    assert f"{pack}:{line}: {field}: " in done.output and says in done.output


def test_ten_thousand_unknown_keys_are_counted_not_listed(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    path = tmp_path / "answers.yaml"
    keys = "".join(f"    k{i}: 1\n" for i in range(10_000))
    path.write_text(f"answers:\n  pmf:\n    stage: scaling\n{keys}", encoding="utf-8")
    done = cli("recommend", str(path))
    assert done.exit_code == 2, done.output
    lines = done.output.strip().splitlines()
    assert len(lines) == 4, lines[:6]
    assert lines[0].startswith(f"{path}:4: pmf.k0: unknown question")
    assert lines[-1] == (
        f"{path}: and 9,997 more with the same message (lines 7 to 10003): pmf.k3 ..."
    )


def test_an_alias_bomb_is_refused_without_being_expanded(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    """Nine levels of nine aliases stand for 387 million strings in 528 bytes; the message shows
    the first few items and the run ends at once (it used to take minutes and gigabytes)."""
    levels = ["  a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    levels += [f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    path = tmp_path / "bomb.yaml"
    path.write_text(
        "x-anchors:\n" + "\n".join(levels) + "\nanswers:\n  pmf:\n    stage: *a8\n",
        encoding="utf-8",
    )
    done = cli("recommend", str(path))
    assert done.exit_code == 2, done.output
    assert f"{path}:13: pmf.stage: [[[...]" in done.output
    assert max(len(line) for line in done.output.splitlines()) < 300


def test_control_characters_a_user_wrote_do_not_reach_the_terminal(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    """An escape sequence in a key (here one that would clear the screen) is shown escaped."""
    path = tmp_path / "answers.yaml"
    path.write_text('answers:\n  pmf:\n    "k\\e[2J": 1\n', encoding="utf-8")
    done = cli("recommend", str(path))
    assert done.exit_code == 2, done.output
    assert "\x1b" not in done.output and "k\\x1b[2J" in done.output


TITLE = "Evil \x1b]52;c;aGVsbG8=\x07 title \x1b[2J \u202eevil\x9b"


@pytest.mark.parametrize(
    "command",
    [["recommend"], ["explain"], ["memo"], ["log"], ["recommend", "--format", "json"]],
)
def test_escape_sequences_in_a_title_are_shown_not_acted_on(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    """A title that would write the clipboard, clear the screen and reverse the line reaches the
    terminal as escapes from every command that prints it; JSON reads back the title as written."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "answers.yaml"
    title = TITLE.encode("unicode_escape").decode().replace("\\x", "\\x")
    path.write_text(f'title: "{title}"\nanswers:\n  pmf:\n    stage: idea\n', encoding="utf-8")
    if command == ["log"]:
        (tmp_path / "docs" / "decisions").mkdir(parents=True)
        made = cli("memo", str(path), "-o", "docs/decisions/")
        assert made.exit_code == 0, made.output
        done = cli("log")
    else:
        done = cli(command[0], str(path), *command[1:])
    assert done.exit_code == 0, done.output
    for active in ("\x1b", "\x07", "\u202e", "\x9b"):
        assert active not in done.stdout, (active, done.stdout[:300])
    if "json" in command:
        assert json.loads(done.stdout)["input"]["title"] == TITLE
    else:
        assert "\\x1b" in done.stdout and "\\u202eevil" in done.stdout  # shown, as escapes


def _writers(command: list[str], count: int, cwd: Path) -> list[int]:
    """``count`` copies of an `advisor` command started at once; their exit codes."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "ADVISOR_PLUGINS": ""}
    started = [
        subprocess.Popen(
            [sys.executable, "-c", "from advisor.cli import main; main()", *command],
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(count)
    ]
    return [p.wait(timeout=300) for p in started]


def test_concurrent_writers_into_the_decision_log_each_get_their_own_record(
    tmp_path: Path,
) -> None:
    """Four memos written into docs/decisions/ at once, three rounds: twelve records, numbered
    1 to 12, none lost, none written over another."""
    folder = tmp_path / "docs" / "decisions"
    folder.mkdir(parents=True)
    for _ in range(3):
        codes = _writers(["memo", "--example", "support-bot", "-o", f"{folder}/"], 4, tmp_path)
        assert codes == [0, 0, 0, 0]
    names = sorted(p.name for p in folder.iterdir())
    assert [n[:4] for n in names] == [f"{i:04d}" for i in range(1, 13)], names
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_concurrent_writers_of_one_file_never_overwrite_each_other(tmp_path: Path) -> None:
    target = tmp_path / "memo.md"
    codes = _writers(["memo", "--example", "support-bot", "-o", str(target)], 4, tmp_path)
    assert sorted(codes) == [0, 2, 2, 2]  # one wrote it; the others were told it exists
    assert target.read_text(encoding="utf-8").startswith("---")
    assert [p.name for p in tmp_path.iterdir()] == ["memo.md"]


@pytest.mark.parametrize("kind", ["file-as-folder", "symlink"])
def test_a_path_of_the_wrong_kind_is_a_clear_error(
    cli: Callable[..., Result], tmp_path: Path, kind: str
) -> None:
    existing = tmp_path / "notes.md"
    existing.write_text("ours\n", encoding="utf-8")
    if kind == "file-as-folder":
        target, says = f"{existing}/", "is a file, not a folder"
    else:
        link = tmp_path / "link.md"
        link.symlink_to(tmp_path / "nowhere.md")  # dangling: it points at nothing yet
        target, says = str(link), "is a symbolic link; not overwritten"
    done = cli("memo", "--example", "support-bot", "-o", target)
    assert done.exit_code == 2, done.output
    assert "Traceback" not in done.output and says in done.output
    assert existing.read_text(encoding="utf-8") == "ours\n"
    assert not (tmp_path / "nowhere.md").exists()


@pytest.mark.skipif(not Path("/sys").is_dir(), reason="needs Linux's /sys, which nobody may write")
def test_a_folder_that_cannot_be_written_is_a_clear_error(cli: Callable[..., Result]) -> None:
    """A folder the system refuses (read-only, even for root) is named, with the reason."""
    done = cli("memo", "--example", "support-bot", "-o", "/sys/advisor-memo.md")
    assert done.exit_code == 2, done.output
    assert "Traceback" not in done.output
    assert "/sys/advisor-memo.md: cannot write in /sys" in done.output


def test_temporary_files_a_killed_write_left_are_removed_by_the_next(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    import os
    import time

    target = tmp_path / "memo.md"
    stale = tmp_path / ".memo.md.abc123.tmp"  # what a write killed mid-way leaves
    stale.write_text("half a memo", encoding="utf-8")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    fresh = tmp_path / ".memo.md.def456.tmp"  # another writer's, still at work
    fresh.write_text("in progress", encoding="utf-8")
    done = cli("memo", "--example", "support-bot", "-o", str(target))
    assert done.exit_code == 0, done.output
    assert target.is_file() and not stale.exists() and fresh.exists()


# Answers files that cannot be read: each refused with the line of the fault ----------------------


@pytest.mark.parametrize(
    ("name", "content", "line", "says"),
    [
        ("nul.yaml", b"answers:\n  pmf:\n    stage: idea\x00\n", 3, "U+0000 is not allowed"),
        ("esc.yaml", b'title: a\nwhy: "b\x1b[2J"\n', 2, "U+001B is not allowed"),
        ("bytes.yaml", b"answers:\n  pmf:\n    stage: id\xffea\n", 3, "not UTF-8 text: byte 0xFF"),
        (
            "twice.json",
            b'{"answers": {"pmf": {"stage": "idea",\n "stage": "scaling"}}}',
            2,
            'duplicate key "stage"',
        ),
        ("deep.json", b'{"answers":\n' + b"[" * 70 + b"]" * 70 + b"}", 2, "nested more than"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_the_line_at_fault(
    cli: Callable[..., Result], tmp_path: Path, name: str, content: bytes, line: int, says: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    done = cli("recommend", str(path))
    assert done.exit_code == 2, done.output
    assert done.output.startswith(f"{path}:{line}: "), done.output
    assert says in done.output and "\x1b" not in done.output


def test_a_file_far_larger_than_any_answers_file_is_refused_unread(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    from advisor.core.answers.document import MAX_ANSWERS_BYTES

    path = tmp_path / "huge.yaml"
    path.write_text("answers:\n#" + "#" * MAX_ANSWERS_BYTES, encoding="utf-8")
    done = cli("recommend", str(path))
    assert done.exit_code == 2, done.output
    assert f"{path}: {MAX_ANSWERS_BYTES + 10:,} bytes is too large for an answers file" in (
        done.output
    )


def test_a_condition_longer_than_any_rule_needs_is_refused_with_its_line(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    """The tokenizer reads a condition in one pass (a 2.3 MB one took 30 s, now under 2); one past
    MAX_CONDITION_CHARS is refused before it is read."""
    from advisor.core.base.conditions import MAX_CONDITION_CHARS, parse_condition

    long = " or ".join(['pmf.stage == "idea"'] * (MAX_CONDITION_CHARS // 24))
    assert parse_condition(long).reads == ("pmf.stage",)
    pack = tmp_path / "pack.yaml"
    condition = " or ".join(['pmf.stage == "idea"'] * 1_000)
    pack.write_text(
        f"rules:\n  - code: ACME001\n    title: T\n    when: '{condition}'\n"
        "    points: {api: 1}\n    because: b\n",
        encoding="utf-8",
    )
    done = cli("recommend", "--example", "support-bot", "--policy", str(pack))
    assert done.exit_code == 2, done.output
    assert f"{pack}:4: ACME001.when: " in done.output and "longer than any rule" in done.output


# User templates within a budget -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "line", "says"),
    [
        (
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
            None,
            "took more than 0.5 s",
        ),
        (
            "{% for i in range(99999) %}{{ 'x' * 999999 }}{% endfor %}",
            None,
            "the memo is longer than",
        ),
        ("line one\n{{ 'a' * 10**10 }}", 2, "would build 10,000,000,000 characters"),
        ("{{ 10 ** 100000000 }}", 1, "a number too large to write"),
        ("{{ range(10**9) | length }}", 1, "Range too big"),
        ("{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(1) }}", None, "calls itself"),
        ("{{ 'a'.ljust(10**10) }}", 1, "would build"),
        ("{{ '{:>10000000000}'.format('a') }}", 1, "would build"),
        ("{{ '%10000000000s' % 'a' }}", 1, "would build"),
    ],
)
def test_a_user_template_past_its_budget_is_a_clear_error(
    cli: Callable[..., Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    template: str,
    line: int | None,
    says: str,
) -> None:
    import advisor.render.memo.render

    if "took more than" in says:
        monkeypatch.setattr(advisor.render.memo.render, "TEMPLATE_SECONDS", 0.5)
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "memo.md.j2").write_text(template, encoding="utf-8")
    out = tmp_path / "memo.md"
    done = cli("memo", "--example", "support-bot", "--template-dir", str(folder), "-o", str(out))
    assert done.exit_code == 2, done.output
    where = f"{folder / 'memo.md.j2'}:{line}: " if line else f"{folder / 'memo.md.j2'}: "
    assert done.output.startswith(where), done.output
    assert "template too costly: " in done.output and says in done.output
    assert not out.exists()


@pytest.mark.parametrize("kind", ["--policy", "--config"])
def test_a_policy_pack_or_config_file_is_read_within_the_same_limits(
    cli: Callable[..., Result], tmp_path: Path, kind: str
) -> None:
    deep = tmp_path / "deep.yaml"
    deep.write_text("rules:\n" + "[" * 70 + "]" * 70 + "\n", encoding="utf-8")
    done = cli("recommend", "--example", "support-bot", kind, str(deep))
    assert done.exit_code == 2, done.output
    assert done.output.startswith(f"{deep}:2: brackets nested more than 64 levels deep")
    huge = tmp_path / "huge.yaml"
    huge.write_text("#" * 1_000_001, encoding="utf-8")
    done = cli("recommend", "--example", "support-bot", kind, str(huge))
    assert done.exit_code == 2, done.output
    assert "1,000,001 bytes is too large for a" in done.output
