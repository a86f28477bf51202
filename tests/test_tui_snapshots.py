"""How the terminal UI looks: one SVG snapshot per screen, dialog and results tab.

Each test drives the app (``advisor.tui.app.make_app``) headless at a fixed terminal size, 80x24
(some at 120x36 too: the decision screen, the open questions in the panel, the flips, the cost chart
and the what-if comparison), and compares a
screenshot with the SVG kept in ``tests/__snapshots__/test_tui_snapshots/``, using
pytest-textual-snapshot's ``snap_compare`` fixture.

After an intended change to the UI (or to a rule, the costs, the built-in example, or a Textual
upgrade that redraws something), look at what changed, then write the snapshots again::

    .venv/bin/python -m pytest tests/test_tui_snapshots.py                    # shows what differs
    .venv/bin/python -m pytest tests/test_tui_snapshots.py --snapshot-update  # rewrites the SVGs

A failing run writes ``snapshot_report.html`` (in the folder pytest runs from) with the old and
the new screenshot side by side; look at it, or at the changed SVGs in a browser, before
committing them. ``--snapshot-update`` also deletes the SVGs of tests that no longer exist.

What keeps the screenshots the same from run to run:

- The date. The flips tab shows "Revisit by <date>", a year (at most) from today:
  ``advisor.core.exploration.revisit.date`` is replaced by a date whose ``today()`` is fixed. The start
  screen's "Resume where you stopped: <title> (saved <when>)" shows when the autosave was written:
  ``Session.stamp`` is fixed too.
- Paths. Every test runs in its own temporary folder (``monkeypatch.chdir``), the autosave folder
  is a relative ``data`` folder there, and no session is opened from a file, so the dialogs show
  their plain default names (``answers.yaml``, ``decision-memo.md``) and the overwrite question
  names ``answers.yaml``: no temporary path appears.
- The cursor. Textual 8 does not stop an Input's or a TextArea's cursor from blinking when it runs
  headless (its blink timer runs every 0.5 s), so a screenshot could catch it on or off:
  :func:`settle` turns ``cursor_blink`` off on every Input and TextArea before the screenshot, and
  the cursor of the focused one is then always drawn.
- No notifications (their toasts time out) are on screen in any of these states.
"""

from __future__ import annotations

import datetime
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select, TextArea

from advisor import Registry
from advisor.core.answers.document import parse_answers
from advisor.core.answers.examples import builtin_examples as _examples
from advisor.tui.app import AdvisorApp, make_app
from advisor.tui.autosave import Autosave
from advisor.tui.screens.decision import DecisionScreen
from advisor.tui.screens.results import ResultsScreen
from advisor.tui.session import Session

CASES = Path(__file__).parent / "cases"
EXAMPLE = "support-bot"
SMALL = (80, 24)
LARGE = (120, 36)
TODAY = datetime.date(2026, 1, 15)
SAVED_AT = "2026-01-15T09:30:00"
SECTIONS = ("about", "pmf", "privacy", "scale", "cost")

Snap = Callable[..., bool]
Steps = Callable[[Pilot[Any]], Awaitable[None]]


class FrozenDate(datetime.date):
    """A date whose today() is fixed, for the revisit date the flips tab shows."""

    @classmethod
    def today(cls) -> FrozenDate:
        return cls(TODAY.year, TODAY.month, TODAY.day)


@pytest.fixture(autouse=True)
def _steady(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Nothing in a screenshot from the clock or a temporary path (see the module's docstring)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("advisor.core.exploration.revisit.date", FrozenDate)
    monkeypatch.setattr(Session, "stamp", lambda self: SAVED_AT)
    yield


def autosave() -> Autosave:
    return Autosave(Path("data"))


def start_app(registry: Registry) -> AdvisorApp:
    """The app as `advisor tui` opens it without a file: on the start screen."""
    return make_app(registry, registry.catalogue, examples=_examples(), autosave=autosave())


def example_app(registry: Registry, name: str = EXAMPLE) -> AdvisorApp:
    """The app as `advisor tui --example NAME` opens it: on the decision screen."""
    text = _examples()[name].read_text(encoding="utf-8")
    answers = parse_answers(text, registry, Path(f"example:{name}"))
    return make_app(
        registry, registry.catalogue, answers=answers, examples=_examples(), autosave=autosave()
    )


async def settle(pilot: Pilot[Any]) -> None:
    """Let the app finish what it is doing, and stop every cursor blinking."""
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    for screen in pilot.app.screen_stack:
        for widget in screen.query("Input, TextArea"):
            assert isinstance(widget, Input | TextArea)
            widget.cursor_blink = False
    await pilot.pause()


def steps(*actions: Steps) -> Steps:
    """``run_before`` for snap_compare: the actions in turn, then :func:`settle`."""

    async def run(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        for step in actions:
            await step(pilot)
            await pilot.pause()
        await settle(pilot)

    return run


def press(*keys: str) -> Steps:
    async def run(pilot: Pilot[Any]) -> None:
        await pilot.press(*keys)

    return run


def action(name: str) -> Steps:
    """Run an action as its key would ("screen.save" is ctrl+s on the decision screen), named
    rather than pressed so that a key moving elsewhere does not change what the test shows."""

    async def run(pilot: Pilot[Any]) -> None:
        await pilot.app.run_action(name)

    return run


def section(section_id: str) -> Steps:
    """Show one section's form, as picking it in the sidebar does."""

    async def run(pilot: Pilot[Any]) -> None:
        screen = pilot.app.screen
        assert isinstance(screen, DecisionScreen)
        screen.show_section(section_id)

    return run


def focus(selector: str) -> Steps:
    async def run(pilot: Pilot[Any]) -> None:
        pilot.app.screen.query_one(selector).focus()

    return run


def results_tab(tab: str) -> Steps:
    """From the decision screen, the results (ctrl+r) on one tab."""

    async def run(pilot: Pilot[Any]) -> None:
        await pilot.app.run_action("screen.results")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, ResultsScreen)
        screen.show_tab(tab)

    return run


# The start screen --------------------------------------------------------------------------------


def test_start_screen(snap_compare: Snap, registry: Registry) -> None:
    """No autosave: the examples, a blank decision and opening a file."""
    assert snap_compare(start_app(registry), terminal_size=SMALL)


def test_start_screen_offers_to_resume(snap_compare: Snap, registry: Registry) -> None:
    """An autosave from an earlier session: "Resume where you stopped" comes first."""
    text = _examples()[EXAMPLE].read_text(encoding="utf-8")
    session = Session.open(registry, registry.catalogue, parse_answers(text, registry))
    autosave().write(session)
    assert len(autosave().sessions(registry)) == 1
    assert snap_compare(start_app(registry), terminal_size=SMALL)


# The decision screen -----------------------------------------------------------------------------


def test_decision_screen_first_section(snap_compare: Snap, registry: Registry) -> None:
    """The support-bot example on its first section (next section, ctrl+n, from "About this
    decision"), the focus on its first question."""
    assert snap_compare(
        example_app(registry), run_before=steps(action("screen.next_section")), terminal_size=SMALL
    )


def test_decision_screen_first_section_wide(snap_compare: Snap, registry: Registry) -> None:
    """The same at 120x36: the whole decision panel and more of the form."""
    assert snap_compare(
        example_app(registry), run_before=steps(action("screen.next_section")), terminal_size=LARGE
    )


def test_decision_screen_invalid_value(snap_compare: Snap, registry: Registry) -> None:
    """A number field given a word: the field is marked and says what it accepts."""

    async def type_words(pilot: Pilot[Any]) -> None:
        pilot.app.screen.query_one("#q-pmf-labeled_examples Input", Input).focus()
        await pilot.pause()
        await pilot.press(*"lots", "enter")  # over "300", which the focus selected

    async def marked(pilot: Pilot[Any]) -> None:
        screen = pilot.app.screen
        assert isinstance(screen, DecisionScreen)
        assert screen.query_one("#q-pmf-labeled_examples").has_class("invalid")
        assert screen.session.values["pmf.labeled_examples"] == 300  # the last valid answer kept

    run = steps(action("screen.next_section"), type_words, marked)
    assert snap_compare(example_app(registry), run_before=run, terminal_size=SMALL)


def test_blank_decision(snap_compare: Snap, registry: Registry) -> None:
    """ "New decision, blank", then a few keys: they land in the title, and the panel says that
    nothing is decided yet."""

    async def blank(pilot: Pilot[Any]) -> None:
        choices = pilot.app.screen.query_one("#choices", OptionList)
        choices.highlighted = choices.get_option_index("blank")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"Support bot")

    assert snap_compare(start_app(registry), run_before=steps(blank), terminal_size=SMALL)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x36"])
def test_decision_screen_could_still_change(
    snap_compare: Snap, registry: Registry, size: tuple[int, int]
) -> None:
    """The first-pilot example, which leaves questions open that could change the result: the
    panel names them by their prompts and answers by their labels, at both sizes."""

    async def down(pilot: Pilot[Any]) -> None:
        pilot.app.screen.query_one("#panel-scroll").scroll_end(animate=False)

    run = steps(down)
    assert snap_compare(example_app(registry, "first-pilot"), run_before=run, terminal_size=size)


@pytest.mark.parametrize("section_id", SECTIONS)
def test_section_form(snap_compare: Snap, registry: Registry, section_id: str) -> None:
    """Each section's form with the example's answers, the focus on its first field (whose
    "Why this matters" shows under the form)."""
    first = f"#form-{section_id} Input, #form-{section_id} Select, #form-{section_id} SelectionList"

    async def into_form(pilot: Pilot[Any]) -> None:
        pilot.app.screen.query(first).first().focus()

    run = steps(section(section_id), into_form)
    assert snap_compare(example_app(registry), run_before=run, terminal_size=SMALL)


# Results ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("tab", ["rules", "costs", "flips"])
def test_results_tab(snap_compare: Snap, registry: Registry, tab: str) -> None:
    """The results (ctrl+r) of the example, one tab each. The flips tab's revisit date is the
    frozen today's (see the module's docstring)."""
    assert snap_compare(
        example_app(registry), run_before=steps(results_tab(tab)), terminal_size=SMALL
    )


def test_results_flips_wide(snap_compare: Snap, registry: Registry) -> None:
    """The flips of the first-pilot example at 120x36, in words: prompts, labels, no ids."""
    run = steps(results_tab("flips"))
    assert snap_compare(example_app(registry, "first-pilot"), run_before=run, terminal_size=LARGE)


def test_results_whatif_choice(snap_compare: Snap, registry: Registry) -> None:
    """A what-if on a choice: its new answer is picked from the choice's labels."""

    async def pick(pilot: Pilot[Any]) -> None:
        screen = pilot.app.screen
        screen.query_one("#wi-question", Select).value = "privacy.data_class"
        await pilot.pause()
        screen.query_one("#wi-value", Select).focus()

    run = steps(results_tab("whatif"), pick)
    assert snap_compare(example_app(registry), run_before=run, terminal_size=SMALL)


def test_results_costs_chart(snap_compare: Snap, registry: Registry) -> None:
    """The costs tab with every cost question answered (tests/cases/media-tagging-at-scale.yaml):
    the table and the chart of the three bills against requests a month, at 120x36. (The
    built-in examples each leave a cost question unanswered, so their tabs have no chart.)"""
    text = (CASES / "media-tagging-at-scale.yaml").read_text(encoding="utf-8")
    answers = parse_answers(text, registry)  # no path: nothing of the checkout is shown
    app = make_app(registry, registry.catalogue, answers=answers, autosave=autosave())
    assert snap_compare(app, run_before=steps(results_tab("costs")), terminal_size=LARGE)


def test_results_whatif_comparison(snap_compare: Snap, registry: Registry) -> None:
    """What if the support bot had 50M requests a month: the two rankings side by side, and what
    changes. At 120x36: at 80x24 the comparison starts below the fold."""

    async def compare(pilot: Pilot[Any]) -> None:
        screen = pilot.app.screen
        screen.query_one("#wi-question", Select).value = "scale.requests_per_month"
        await pilot.pause()
        screen.query_one("#wi-value", Input).value = "50M"
        await pilot.pause()
        await pilot.click("#wi-compare")

    run = steps(results_tab("whatif"), compare)
    assert snap_compare(example_app(registry), run_before=run, terminal_size=LARGE)


def test_rule_detail(snap_compare: Snap, registry: Registry) -> None:
    """Enter on the rules table's first row: what the rule checks, why, and what it found."""
    run = steps(results_tab("rules"), focus("#rule-table"), press("enter"))
    assert snap_compare(example_app(registry), run_before=run, terminal_size=SMALL)


# Dialogs ------------------------------------------------------------------------------------------


def test_save_dialog(snap_compare: Snap, registry: Registry) -> None:
    """Save (ctrl+s): where to save the answers (answers.yaml, since the example has no file)."""
    assert snap_compare(
        example_app(registry), run_before=steps(action("screen.save")), terminal_size=SMALL
    )


def test_export_dialog(snap_compare: Snap, registry: Registry) -> None:
    """Export (ctrl+o): the memo's file name and its format."""
    assert snap_compare(
        example_app(registry), run_before=steps(action("screen.export")), terminal_size=SMALL
    )


def test_overwrite_confirmation(snap_compare: Snap, registry: Registry) -> None:
    """Saving over an existing answers.yaml asks first."""
    Path("answers.yaml").write_text("answers: {}\n", encoding="utf-8")
    run = steps(action("screen.save"), press("enter"))
    assert snap_compare(example_app(registry), run_before=run, terminal_size=SMALL)
    assert Path("answers.yaml").read_text(encoding="utf-8") == "answers: {}\n"


def test_command_palette(snap_compare: Snap, registry: Registry) -> None:
    """The command palette (ctrl+p) on the decision screen: the app's commands and the sections
    to go to."""

    async def open_palette(pilot: Pilot[Any]) -> None:
        await pilot.app.run_action("app.command_palette")
        for _ in range(50):  # the palette gathers its commands in a worker
            await pilot.pause(0.02)
            found = pilot.app.screen.query(OptionList)
            if found and found.first().option_count:
                break
        else:
            raise AssertionError("the command palette listed no commands")
        await pilot.app.workers.wait_for_complete()

    run = steps(open_palette)
    assert snap_compare(example_app(registry), run_before=run, terminal_size=SMALL)
