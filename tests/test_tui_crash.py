"""Killed mid-session, the app loses nothing: the next start offers to resume, with every answer.

A child Python process runs the app (under ``run_test``, headless) with its autosave in a
temporary data folder, starts a blank decision from the start screen, answers questions through
the widgets (a Select, a Switch, a SelectionList, number Inputs typed into key by key, the title),
reports what it answered, and kills itself with SIGKILL while the app is running: no ``finally``,
no ``atexit``, no Textual shutdown. The test then starts the app again on the same data folder, in
this process, resumes, and compares the answers and the decision panel with the child's.

A second test kills a process in the middle of writing autosaves, again and again, to check the
file is never half-written (it goes through a temporary file and a rename).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import OptionList

from advisor import Registry
from advisor.core.answers.examples import builtin_examples as _examples
from advisor.tui.app import make_app
from advisor.tui.autosave import Autosave
from advisor.tui.screens.decision import DecisionScreen
from advisor.tui.widgets.panel import DecisionPanel

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")

MARK = "ANSWERED "

# The child: answers through the widgets, prints what it answered and the panel, kills itself.
CHILD = r"""
import asyncio, json, os, signal, sys
from pathlib import Path

from textual.widgets import Input, OptionList, Select, SelectionList, Switch

from advisor import build_registry
from advisor.core.answers.examples import builtin_examples as _examples
from advisor.tui.app import make_app
from advisor.tui.autosave import Autosave
from advisor.tui.screens.decision import DecisionScreen
from advisor.tui.widgets.panel import DecisionPanel


async def main(folder):
    registry = build_registry()
    app = make_app(
        registry, registry.catalogue, examples=_examples(), autosave=Autosave(Path(folder))
    )
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        choices = app.screen.query_one("#choices", OptionList)
        choices.highlighted = choices.get_option_index("blank")
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DecisionScreen), screen

        async def type_into(selector, text):
            field = screen.query_one(selector, Input)
            field.focus()
            await pilot.pause()
            await pilot.press(*text, "enter")  # an answer typed in full, then Enter
            await pilot.pause()

        await type_into("#title", "Crash test")

        screen.show_section("pmf")
        await pilot.pause()
        screen.query_one("#q-pmf-stage Select", Select).value = "mvp_live"
        await pilot.pause()
        screen.query_one("#q-pmf-prompting_result Select", Select).value = "meets_bar"
        await pilot.pause()
        screen.query_one("#q-pmf-has_evals Switch", Switch).focus()
        await pilot.pause()
        await pilot.press("space")  # off -> on: answered yes
        await pilot.pause()
        await type_into("#q-pmf-labeled_examples Input", "2k")

        screen.show_section("privacy")
        await pilot.pause()
        screen.query_one("#q-privacy-data_class Select", Select).value = "internal"
        await pilot.pause()
        regimes = screen.query_one("#q-privacy-regimes SelectionList", SelectionList)
        regimes.focus()
        await pilot.pause()
        regimes.highlighted = 0
        await pilot.press("space")  # the first regime ticked
        await pilot.pause()

        screen.show_section("scale")
        await pilot.pause()
        await type_into("#q-scale-requests_per_month Input", "150k")
        await type_into("#q-scale-input_tokens_per_request Input", "2,500")
        await pilot.pause()

        session = app.session
        report = {
            "values": session.values,
            "title": session.title,
            "recommendation": session.decision.recommendation,
            "panel": str(screen.query_one(DecisionPanel).render()),
            "autosave": app.autosave.path(session.autosave_name).name,
            "autosave_exists": app.autosave.path(session.autosave_name).is_file(),
        }
        sys.stdout.write("ANSWERED " + json.dumps(report) + "\n")
        sys.stdout.flush()
        os.kill(os.getpid(), signal.SIGKILL)  # while the app is running: nothing cleans up
        await asyncio.sleep(10)
    sys.stdout.write("NOT KILLED\n")


asyncio.run(main(sys.argv[1]))
"""

# The second child: a session writing its autosave as fast as it can, until killed.
WRITER = r"""
import sys
from pathlib import Path

from advisor import build_registry
from advisor.tui.autosave import Autosave
from advisor.tui.session import Session

registry = build_registry()
session = Session.open(registry, registry.catalogue, None, Autosave(Path(sys.argv[1])))
session.answer("pmf.stage", "mvp_live")
sys.stdout.write(session.autosave_name + "\n")
sys.stdout.flush()
n = 1
while True:
    session.answer("pmf.labeled_examples", n)  # every change writes the autosave
    n += 1
"""


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTEST_CURRENT_TEST", None)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _panel_text(app: Any) -> str:
    return str(app.screen.query_one(DecisionPanel).render())


def test_killed_session_resumes_with_every_answer(tmp_path: Path, registry: Registry) -> None:
    """SIGKILL mid-session (see the module's docstring), then a new start resumes all of it."""
    data = tmp_path / "data"
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(data)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=_child_env(),
    )
    assert done.returncode == -signal.SIGKILL, (done.returncode, done.stdout, done.stderr)
    assert "NOT KILLED" not in done.stdout
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARK)]
    assert len(lines) == 1, (done.stdout, done.stderr)
    before = json.loads(lines[0][len(MARK) :])
    assert before["autosave_exists"]
    # Every widget's answer reached the session (otherwise the test proves little).
    assert before["values"] == {
        "pmf.stage": "mvp_live",
        "pmf.prompting_result": "meets_bar",
        "pmf.has_evals": True,
        "pmf.labeled_examples": 2000,
        "privacy.data_class": "internal",
        "privacy.regimes": ["gdpr"],
        "scale.requests_per_month": 150_000,
        "scale.input_tokens_per_request": 2500,
    }
    assert before["title"] == "Crash test"

    # Nothing half-written: no temporary file left beside the session's autosave, and it reads.
    autosave = Autosave(data)
    assert sorted(p.name for p in autosave.folder.iterdir()) == [before["autosave"]]
    saved = autosave.read(registry)
    assert saved is not None
    assert saved.answers.values == before["values"]
    assert saved.answers.title == before["title"]

    async def restart() -> None:
        app = make_app(registry, registry.catalogue, examples=_examples(), autosave=Autosave(data))
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.pause()
            assert app.screen.id == "start"
            choices = app.screen.query_one("#choices", OptionList)
            assert choices.highlighted == 0
            first = choices.get_option_at_index(0)
            assert first.id == "resume:" + before["autosave"].removesuffix(".yaml")
            assert str(first.prompt).startswith("Resume where you stopped: Crash test")
            await pilot.press("enter")  # the first choice: resume
            await pilot.pause()
            assert isinstance(app.screen, DecisionScreen)
            assert app.session is not None
            assert app.session.values == before["values"]
            assert app.session.title == before["title"]
            assert app.session.decision.recommendation == before["recommendation"]
            assert _panel_text(app) == before["panel"]

    asyncio.run(restart())


def test_autosave_never_half_written(tmp_path: Path, registry: Registry) -> None:
    """SIGKILL at moments spread over the writes: the file always reads, whole."""
    data = tmp_path / "data"
    seen: set[int] = set()
    for delay in (0.0, 0.013, 0.029, 0.047, 0.071, 0.1, 0.15, 0.23):
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(data)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
            env=_child_env(),
        )
        try:
            assert child.stdout is not None
            name = child.stdout.readline().strip()
            assert name, child.stderr and child.stderr.read()
            time.sleep(delay)
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
            for stream in (child.stdout, child.stderr):
                if stream is not None:
                    stream.close()
        assert child.returncode == -signal.SIGKILL
        autosave = Autosave(data)
        saved = autosave.read(registry, name)
        assert saved is not None, autosave.path(name).read_text(encoding="utf-8")
        assert saved.answers.values["pmf.stage"] == "mvp_live"
        seen.add(saved.answers.values.get("pmf.labeled_examples", 0))
    # A kill between creating the temporary file and renaming it may leave one behind
    # (.NAME.yaml.XXXX.tmp). Beside them every session's file still reads whole, and none of
    # them is offered as a session.
    autosave = Autosave(data)
    sessions = autosave.sessions(registry)
    assert len(sessions) == len(list(autosave.folder.glob("*.yaml"))) == 8
    assert all(s.answers.values["pmf.stage"] == "mvp_live" for s in sessions)
    assert len(seen) > 1, "every kill found the same answer: the writes were not under way"


def test_resumed_new_decision_is_not_tied_to_its_autosave_file(
    tmp_path: Path, registry: Registry
) -> None:
    """A new decision (never saved to a file), resumed, is still a new decision: it has no source
    file, goes on writing the autosave it came from, and offers to save to answers.yaml.

    Fails at the time of writing: ``AdvisorApp.resume`` hands ``Session.open`` the answers read
    from the autosave, whose ``path`` is the autosave file itself, so the session takes
    ``<data>/sessions/new-....yaml`` for its source. Then the save dialog offers to save over that
    autosave file, the export dialog's default is ``new-<timestamp>-memo.md``, and every change
    writes a second autosave (``file-<hash of the autosave's path>.yaml``) beside the first, which
    stays on the start screen even after the answers are saved.
    """
    from textual.widgets import Input

    from advisor.tui.session import Session

    data = tmp_path / "data"
    first = Session.open(registry, registry.catalogue, None, Autosave(data))
    first.answer("pmf.stage", "mvp_live")
    name = first.autosave_name

    async def resume() -> None:
        app = make_app(registry, registry.catalogue, examples=_examples(), autosave=Autosave(data))
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.pause()
            await pilot.press("enter")  # "Resume where you stopped", the first choice
            await pilot.pause()
            session = app.session
            assert session is not None
            assert session.values == {"pmf.stage": "mvp_live"}
            session.answer("pmf.stage", "prototype")
            await app.run_action("screen.save")
            await pilot.pause()
            default = app.screen.query_one("#path", Input).value
            assert (session.source, session.autosave_name, default) == (
                None,
                name,
                "answers.yaml",
            )
            assert sorted(p.stem for p in Autosave(data).folder.glob("*.yaml")) == [name]

    asyncio.run(resume())
