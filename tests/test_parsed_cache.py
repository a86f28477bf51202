"""The cache of parsed shipped YAML (advisor/core/base/parsedcache.py) and the collector's settings
of a short command (advisor.cli.run): what they keep, and that they change no answer."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from advisor.core.base import parsedcache, yamlio

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted(
    p
    for folder in ("advisor", "plugins", "questionnaires")
    for p in (ROOT / folder).rglob("*.yaml")
    if "__pycache__" not in p.parts
)
CASE = ROOT / "tests" / "cases" / "media-tagging-at-scale.yaml"


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty cache folder, and the module's store forgotten (as in a new process)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(parsedcache, "_store", None)
    monkeypatch.setattr(parsedcache, "_changed", [True])  # no exit hook from this test
    yield tmp_path / "advisor"


def test_there_are_shipped_files_to_cache() -> None:
    assert len(SHIPPED) >= 15, SHIPPED


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_cache_gives_what_the_parser_gives(path: Path, fresh_cache: Path) -> None:
    text = path.read_text(encoding="utf-8")
    parsed = yamlio.load_fast(text, path)
    assert yamlio.load_shipped(text, path) == parsed  # parsed now
    parsedcache.save()
    parsedcache._store = None  # a new process: read back from the file
    again = yamlio.load_shipped(text, path)
    assert again == parsed
    assert type(again) is type(parsed)


def test_each_caller_gets_its_own_copy(fresh_cache: Path) -> None:
    text = "a: [1, 2]\nwhen: 2026-05-15\n"
    first = yamlio.load_shipped(text)
    first["a"].append(3)
    second = yamlio.load_shipped(text)
    assert second == {"a": [1, 2], "when": first["when"]}
    assert str(second["when"]) == "2026-05-15"


def test_a_changed_file_is_parsed_again(fresh_cache: Path) -> None:
    calls: list[str] = []

    def parse(text: str) -> Any:
        calls.append(text)
        return yamlio.load_fast(text)

    for text in ("x: 1\n", "x: 1\n", "x: 2\n", "x: 1\n"):
        assert parsedcache.kept(text, lambda t=text: parse(t)) == yamlio.load_fast(text)
    assert calls == ["x: 1\n", "x: 2\n"]


def test_a_damaged_cache_is_ignored_and_written_again(fresh_cache: Path) -> None:
    fresh_cache.mkdir(parents=True)
    path = parsedcache._path()
    path.write_bytes(b"not a pickle at all")
    assert yamlio.load_shipped("k: v\n") == {"k": "v"}
    parsedcache.save()
    parsedcache._store = None
    assert parsedcache._load()  # the rewritten file holds the entry
    assert yamlio.load_shipped("k: v\n") == {"k": "v"}


def test_at_most_limit_files_are_kept(fresh_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsedcache, "LIMIT", 3)
    for n in range(5):
        yamlio.load_shipped(f"n: {n}\n")
    parsedcache.save()
    parsedcache._store = None
    kept = parsedcache._load()
    assert len(kept) == 3


def _recommend(cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "ADVISOR_PLUGINS": ""}
    command = [sys.executable, "-m", "advisor", "recommend", str(CASE), "--format", "json"]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)


def test_a_command_writes_the_cache_once_and_later_ones_read_it(tmp_path: Path) -> None:
    first = _recommend(tmp_path)
    assert first.returncode == 0, first.stderr
    cached = tmp_path / "advisor" / parsedcache._path().name
    assert cached.is_file()
    written = cached.stat().st_mtime_ns
    second = _recommend(tmp_path)
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout
    assert cached.stat().st_mtime_ns == written  # nothing new to keep: not written again
    cached.write_bytes(b"\x80\x05garbage")
    third = _recommend(tmp_path)
    assert third.returncode == 0, third.stderr
    assert third.stdout == first.stdout


def test_run_sets_the_collector_for_a_short_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """`advisor` (the script and `python -m advisor`) runs the collector rarely and leaves it
    nothing to walk at exit; the terminal UI puts the interpreter's settings back."""
    import atexit

    import advisor.cli as cli
    from advisor.cli import tui

    registered: list[Any] = []
    monkeypatch.setattr(atexit, "register", registered.append)
    monkeypatch.setattr(sys, "argv", ["advisor", "--version"])
    before = gc.get_threshold()
    try:
        with pytest.raises(SystemExit) as done:
            cli.run()
        assert done.value.code in (0, None)
        assert gc.get_threshold() == cli.SHORT_COMMAND_THRESHOLDS
        assert registered == [gc.freeze]
        assert before == tui.DEFAULT_THRESHOLDS
    finally:
        gc.set_threshold(*before)
