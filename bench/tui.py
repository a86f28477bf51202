"""Benchmarks for the terminal UI: time to the first usable screen, and to take in one change.

Run ``.venv/bin/python bench/tui.py`` (``--quick`` for fewer repetitions, ``--json`` for results a
script can read). The app runs in-process under Textual's ``run_test()`` (headless: every widget
is composed, laid out and rendered to segments, but nothing is written to a terminal). Timings come
from ``time.perf_counter``; the helpers and the table are those of ``bench/run.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ is not a package: for run.py

from run import Result, machine, print_header, summarise, table  # sets ADVISOR_PLUGINS=""

from advisor import Registry, build_registry
from advisor.core.answers.document import AnswersFile, parse_answers
from advisor.core.answers.examples import builtin_examples as _examples
from advisor.core.evaluation import evaluate

EXAMPLE = "support-bot"  # what `advisor tui --example support-bot` opens
SIZE = (80, 24)
# The answer changed for the re-evaluation: between the example's 150,000 calls a month and 50M,
# which changes the scores (and so the panel) every time.
CHANGE = ("scale.requests_per_month", ("50M", "150k"))

GOAL_FIRST_SCREEN = 300e-3
GOAL_CHANGE = 16e-3  # one frame at 60 Hz


def each(func: Callable[[], Any], count: int) -> list[float]:
    """Seconds for each of ``count`` calls, the garbage collector paused during a call."""
    times = []
    for _ in range(count):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            func()
            times.append(time.perf_counter() - start)
        finally:
            gc.enable()
    return times


def example_answers(registry: Registry) -> AnswersFile:
    text = _examples()[EXAMPLE].read_text(encoding="utf-8")
    return parse_answers(text, registry, Path(f"example:{EXAMPLE}"))


def _make_app(registry: Registry, folder: Path, answers: AnswersFile | None) -> Any:
    from advisor.tui.app import make_app
    from advisor.tui.autosave import Autosave

    return make_app(
        registry,
        registry.catalogue,
        answers=answers,
        examples=_examples(),
        autosave=Autosave(folder),
    )


def _decision_ready(app: Any) -> bool:
    """The decision screen is mounted, its fields hold the answers and the panel is filled."""
    from textual.widgets import Input

    from advisor.tui.screens.decision import DecisionScreen
    from advisor.tui.widgets.panel import DecisionPanel

    if not app.screen_stack:
        return False
    screen = app.screen
    if not isinstance(screen, DecisionScreen) or not screen.is_mounted:
        return False
    # The screen opens on "About this decision" (the other sections' forms are built when first
    # shown): usable once the title is in its field and the decision panel is filled.
    title = screen.query("#title")
    if not title or not title.first(Input).value:
        return False
    panels = screen.query(DecisionPanel)
    return bool(panels) and "Recommended" in str(panels.first().render())


def _start_ready(app: Any) -> bool:
    """The start screen is mounted with its choices listed and focused."""
    from textual.widgets import OptionList

    if not app.screen_stack or app.screen.id != "start" or not app.screen.is_mounted:
        return False
    choices = app.screen.query("#choices")
    return (
        bool(choices) and choices.first(OptionList).option_count > 0 and choices.first().has_focus
    )


async def _time_to_ready(
    make: Callable[[], Any], ready: Callable[[Any], bool], size: tuple[int, int]
) -> float:
    """Seconds from creating the app to ``ready(app)``, polled between the app's own steps."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        app = make()
        async with app.run_test(size=size):
            while not ready(app):
                await asyncio.sleep(0)
            elapsed = time.perf_counter() - start
    finally:
        gc.enable()
    return elapsed


def bench_first_screen(
    registry: Registry, folder: Path, runs: int, size: tuple[int, int]
) -> tuple[list[Result], dict[str, float]]:
    """Creating the app to the decision screen on the example (and to the start screen)."""
    answers = example_answers(registry)
    info: dict[str, float] = {}

    def decision_app() -> Any:
        return _make_app(registry, folder / "decision", answers)

    def start_app() -> Any:
        return _make_app(registry, folder / "start", None)  # no autosave there: nothing to resume

    # The first run in a process also imports Textual's widgets and parses the app's CSS.
    info["first_in_process"] = asyncio.run(_time_to_ready(decision_app, _decision_ready, size))
    results = []
    for key, label, make, ready, goal in (
        (
            "tui_first_screen",
            f"first usable screen: app created to decision screen on {EXAMPLE}, panel filled",
            decision_app,
            _decision_ready,
            GOAL_FIRST_SCREEN,
        ),
        (
            "tui_start_screen",
            "start screen: app created to the choices listed",
            start_app,
            _start_ready,
            None,
        ),
    ):
        for _ in range(2):  # warm-up
            asyncio.run(_time_to_ready(make, ready, size))
        times = [asyncio.run(_time_to_ready(make, ready, size)) for _ in range(runs)]
        results.append(summarise(key, label, times, 1, goal=goal))
    return results, info


async def _time_changes(
    registry: Registry, folder: Path, changes: int, size: tuple[int, int]
) -> list[Result]:
    from textual.widgets import Input

    from advisor.tui.messages import AnswerGiven
    from advisor.tui.screens.decision import DecisionScreen
    from advisor.tui.widgets.panel import DecisionPanel

    qid, values = CHANGE
    app = _make_app(registry, folder / "change", example_answers(registry))
    results = []
    async with app.run_test(size=size) as pilot:
        while not _decision_ready(app):
            await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DecisionScreen)
        section = qid.split(".")[0]
        screen.show_section(section)  # build the form of the question changed, as a user would
        while not screen.query(f"#q-{qid.replace('.', '-')} Input"):
            await pilot.pause()
        session = screen.session
        panel = screen.query_one(DecisionPanel)

        def other() -> str:
            """Whichever of the two values the answer does not hold now."""
            return values[1] if session.values.get(qid) == 50_000_000 else values[0]

        async def handler_times(label_key: str, label: str, **extra: Any) -> None:
            """One on_answer_given call a sample, the value alternating; the app catches up
            (repaints) between samples, untimed."""
            times = []
            for n in range(changes + 10):
                message = AnswerGiven(qid, other())
                before = str(panel.render())
                gc.collect()
                gc.disable()
                try:
                    start = time.perf_counter()
                    screen.on_answer_given(message)
                    elapsed = time.perf_counter() - start
                finally:
                    gc.enable()
                assert str(panel.render()) != before, "the change did not change the panel"
                if n >= 10:  # the first ten are a warm-up
                    times.append(elapsed)
                await pilot.pause()
            results.append(summarise(label_key, label, times, 1, **extra))

        await handler_times(
            "tui_change",
            "one change: on_answer_given(AnswerGiven(...)), decision and panel updated, autosaved",
            goal=GOAL_CHANGE,
            note="the handler: the answer parsed and stored, the autosave written (atomically, "
            "fsync included), the decision worked out again (its ranking: the exploration follows "
            "once the frame is drawn, timed below), the panel, the sections' progress and which "
            "questions are shown updated; the repaint follows in the next frame",
        )

        # The parts of it, each alone.
        autosave = session.autosave
        assert autosave is not None
        session.autosave = None
        await handler_times("tui_change_no_autosave", "  the same without the autosave")
        session.autosave = autosave
        times = each(lambda: autosave.write(session), changes)
        results.append(summarise("tui_autosave", "  of which: the autosave write", times, 1))
        times = each(
            lambda: evaluate(registry, session.values, catalogue=session.catalogue, explore=False),
            changes,
        )
        results.append(
            summarise(
                "tui_evaluate", "  of which: the decision shown at once, explore=False", times, 1
            )
        )
        times = each(
            lambda: evaluate(registry, session.values, catalogue=session.catalogue), changes
        )
        results.append(
            summarise(
                "tui_explore",
                "then, after the frame: the complete decision, explore=True (flips, unknowns, "
                "confidence)",
                times,
                1,
            )
        )

        # End to end, through the widget: the Input's value set, to the panel showing the result
        # (Input.Changed and AnswerGiven go through the app's message queues).
        field = screen.query_one(f"#q-{qid.replace('.', '-')} Input", Input)
        times = []
        for n in range(changes + 10):
            before = str(panel.render())
            gc.collect()
            gc.disable()
            try:
                start = time.perf_counter()
                field.value = other()
                while str(panel.render()) == before:
                    await asyncio.sleep(0)
                elapsed = time.perf_counter() - start
            finally:
                gc.enable()
            if n >= 10:
                times.append(elapsed)
            await pilot.pause()
        results.append(
            summarise(
                "tui_change_through_input",
                "one change through the Input: value set to panel updated (messages included)",
                times,
                1,
                note="Input.Changed, then AnswerGiven, each through a message queue, then the "
                "handler above; each of the Input's keystrokes would do this",
            )
        )
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Run the TUI benchmarks and print the table (or JSON)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a rough look)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--runs", type=int, help="app starts timed (default 15, 5 with --quick)")
    parser.add_argument("--changes", type=int, help="changes timed (default 200, 40 with --quick)")
    args = parser.parse_args(argv)
    runs = args.runs or (5 if args.quick else 15)
    changes = args.changes or (40 if args.quick else 200)

    about = machine()
    import importlib.metadata

    about["libraries"]["textual"] = importlib.metadata.version("textual")
    if not args.json:
        print_header(
            about,
            "TUI benchmarks",
            f"example: {EXAMPLE}; terminal {SIZE[0]}x{SIZE[1]} under run_test(), headless",
        )

    registry = build_registry()
    if registry.faults:
        raise SystemExit("the built-in registry has faults")
    folder = Path(tempfile.mkdtemp(prefix="advisor-bench-tui-"))
    try:
        results, info = bench_first_screen(registry, folder, runs, SIZE)
        results += asyncio.run(_time_changes(registry, folder, changes, SIZE))
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    if args.json:
        payload = {
            "machine": about,
            "example": EXAMPLE,
            "terminal": list(SIZE),
            "info": info,
            "results": [{**dataclasses.asdict(r), "met": r.met} for r in results],
        }
        print(json.dumps(payload, indent=2))
        return 0
    print(table(results))
    print()
    first = info["first_in_process"]
    print(
        f"the first start in this process (imports Textual's widgets, parses the CSS): "
        f"{first * 1e3:.1f} ms; the figures above are later starts"
    )
    for r in results:
        if r.note:
            print(f"{r.label.strip()}: {r.note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
