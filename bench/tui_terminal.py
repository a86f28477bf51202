"""The terminal UI as a person meets it: from typing `advisor tui --example first-pilot` to the
questionnaire on the screen, and from a keystroke to the screen drawn again, in a real terminal.

Each run starts the command in a fresh process on a pseudo-terminal of 80 x 24 (what a terminal
emulator gives a program: Textual cannot tell it from one), with the clock started before the
process is. The first figure ends when the decision screen's text (its section list) has been
written to the terminal; the second is from writing one keystroke (a letter typed into the focused
field) to the end of the burst of output that redraws the screen (no more output for 30 ms, which
is not counted). The third and fourth are an answer that changes the decision: in the first
section, the stage's list is opened and moved to "Scaling an established product" (untimed), and
the clock runs from the Enter that chooses it to the end of the burst that draws the new ranking,
and then to the screen settled (no output for 0.4 s, not counted), the search for what would
change the new decision done and its confidence drawn. The process is then closed with ctrl+q.

    .venv/bin/python bench/tui_terminal.py            # 10 runs
    .venv/bin/python bench/tui_terminal.py --runs 3

The in-process figures (the app under Textual's run_test(), without a terminal) are bench/tui.py's.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = "first-pilot"
ROWS, COLUMNS = 24, 80
MARKER = b"Aboutthisdecision"  # the decision screen's first section, spaces and styling taken out
QUIET = 0.03  # no output for this long ends a redraw
SETTLE = 0.4  # no output for this long: the screen is settled (the cursor blinks each 0.5 s)
GOAL_START = 0.400  # issue 16: process start to the questionnaire on screen
GOAL_KEY = 0.033  # issue 16: a keystroke to the screen drawn again (two frames at 60 Hz)
DOWN, ENTER, NEXT_SECTION = b"\x1b[B", b"\r", b"\x0e"  # the arrow key, Enter, ctrl+n
STAGE_STEPS = 3  # from "A prototype or internal trial", the example's stage, down to "Scaling"
RANKED = b"Self-host"  # written when the new ranking puts self-hosting first
_CONTROL = re.compile(
    rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|[\x00-\x1f\x7f]"
)


def _command() -> list[str]:
    script = Path(sys.executable).parent / "advisor"
    base = [str(script)] if script.exists() else [sys.executable, "-m", "advisor"]
    return [*base, "tui", "--example", EXAMPLE]


def _read(master: int, wait: float) -> bytes:
    ready, _, _ = select.select([master], [], [], wait)
    if not ready:
        return b""
    try:
        return os.read(master, 1 << 16)
    except OSError:
        return b""


def _settle(master: int) -> None:
    """Read until the screen has been quiet for SETTLE seconds."""
    while _read(master, SETTLE):
        pass


def _text(screen: bytes) -> bytes:
    """What was written, styling, cursor moves and spaces taken out."""
    return re.sub(rb"\s+", b"", _CONTROL.sub(b"", screen))


def _timed(master: int, keys: bytes, marker: bytes = b"") -> tuple[float | None, float | None]:
    """Write ``keys``; seconds to the end of the first burst of output after them that has
    written ``marker``, and to the last output before the screen settles (None when nothing, or
    not the marker, was drawn)."""
    pressed = time.perf_counter()
    os.write(master, keys)
    first = last = None
    written = b""
    while time.perf_counter() - pressed < 10:
        chunk = _read(master, QUIET)
        if chunk:
            written += chunk
            last = time.perf_counter()
            continue
        if last is None:
            continue
        if first is None and marker in _text(written):
            first = last
        if first is not None:
            more = _read(master, SETTLE - QUIET)
            if not more:
                break
            written += more
            last = time.perf_counter()
    if first is None or last is None:
        return None, None
    return first - pressed, last - pressed


Times = tuple[float | None, float | None, float | None, float | None]


def one_run(home: Path, timeout: float = 20.0) -> Times:
    """Seconds to the questionnaire on screen, from a keystroke to the redraw's end, and from
    choosing an answer that changes the decision to the new ranking and to the settled screen;
    the app runs in ``home`` (its autosave goes there, not into the user's folders)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    env = dict(
        os.environ,
        TERM="xterm-256color",
        COLORTERM="truecolor",
        ADVISOR_PLUGINS="",
        HOME=str(home),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CONFIG_HOME=str(home / "config"),
    )
    env.pop("NO_COLOR", None)
    started = time.perf_counter()
    proc = subprocess.Popen(
        _command(),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=home,
        start_new_session=True,
    )
    os.close(slave)
    shown = key = ranked = settled = None
    screen = b""
    try:
        while time.perf_counter() - started < timeout:
            screen += _read(master, 0.02)
            if MARKER in _text(screen):
                shown = time.perf_counter() - started
                break
        if shown is not None:
            # Let the first screen finish drawing and the search for what would change the
            # decision (it runs once the ranking is drawn, a quiet stretch of a few hundred ms)
            # finish and redraw: the keystroke is timed on a settled screen. The cursor blinks
            # every 500 ms, so a shorter quiet than that is the sign.
            _settle(master)
            key, _ = _timed(master, b"x")
            _settle(master)
            for keys in (NEXT_SECTION, ENTER, DOWN * STAGE_STEPS):  # the stage's list, open
                os.write(master, keys)
                _settle(master)
            ranked, settled = _timed(master, ENTER, RANKED)
    finally:
        os.write(master, b"\x11")  # ctrl+q
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        os.close(master)
    return shown, key, ranked, settled


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="advisor-tui-") as tmp:
        return _runs(Path(tmp), args.runs)


def _runs(home: Path, runs: int) -> int:
    one_run(home)  # warm-up: the bytecode cache and the OS's file cache
    figures: list[list[float]] = [[], [], [], []]
    for _ in range(runs):
        times = one_run(home)
        if times[0] is None:
            print("the questionnaire never appeared", file=sys.stderr)
            return 1
        for kept, value in zip(figures, times, strict=True):
            if value is not None:
                kept.append(value)
    rows: list[tuple[str, list[float], float | None]] = [
        ("process start to the questionnaire on screen", figures[0], GOAL_START),
        ("a keystroke to the screen drawn again", figures[1], GOAL_KEY),
        ("an answer that changes the decision to the new ranking drawn", figures[2], GOAL_KEY),
        ("the same answer to the screen settled (its confidence drawn)", figures[3], None),
    ]
    for label, times, goal in rows:
        if not times:
            print(f"{label}: no figure")
            continue
        median = statistics.median(times)
        said = f"{label}: median {median * 1000:.0f} ms (min {min(times) * 1000:.0f} ms, "
        said += f"{len(times)} runs)"
        if goal is not None:
            verdict = "met" if median <= goal else "MISSED"
            said += f"; goal <= {goal * 1000:.0f} ms: {verdict}"
        print(said)
    return 0


if __name__ == "__main__":
    sys.exit(main())
