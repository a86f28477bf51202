"""The terminal UI, driven through Textual's Pilot the way a person uses it.

Each test runs the app at 80x24 with its own autosave folder. Choices are made by setting a
Select's value or a SelectionList's selection (which posts the same messages a person's choice
does), yes/no by pressing space on the switch, numbers by typing them key by key. The worked cases
set switches and number fields as a click or a paste would (the text, not the number), to keep the
file quick; the keys themselves are tested on their own. Paths are pasted into dialogs likewise.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import shutil
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.text import Text
from ruamel.yaml import YAML
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import (
    DataTable,
    Input,
    OptionList,
    Select,
    SelectionList,
    Static,
    Switch,
    TabbedContent,
)

from advisor.core.answers.document import load_answers, parse_answers
from advisor.core.answers.examples import builtin_examples as _examples
from advisor.tui.app import DARK, LIGHT, AdvisorApp, make_app
from advisor.tui.autosave import Autosave
from advisor.tui.screens.decision import DecisionScreen
from advisor.tui.screens.dialogs import Confirm, PathDialog
from advisor.tui.screens.results import ResultsScreen, RuleDetail
from advisor.tui.screens.start import StartScreen
from advisor.tui.session import Session
from advisor.tui.widgets.fields import BoolField, QuestionField, TypedField

CASES = sorted((Path(__file__).parent / "cases").glob("*.yaml"))
SIZE = (80, 24)
EXAMPLES = _examples()
Scenario = Callable[[Pilot[None]], Awaitable[None]]


# Running the app ---------------------------------------------------------------------------------


def _app(registry: Any, tmp_path: Path, answers: Any = None) -> AdvisorApp:
    return make_app(
        registry,
        registry.catalogue,
        answers=answers,
        examples=_examples(),
        autosave=Autosave(tmp_path / "data"),
    )


def _run(app: AdvisorApp, scenario: Scenario) -> None:
    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await scenario(pilot)

    asyncio.run(main())


async def _settle(pilot: Pilot[None]) -> None:
    """Let a change travel: control -> field -> screen -> panel."""
    await pilot.pause()


# Reading what is shown ---------------------------------------------------------------------------


def _text(widget: Static) -> str:
    """The plain text a Static shows (a string, a rich Text, or any rich renderable)."""
    content = widget.content
    if isinstance(content, str):
        return content
    if isinstance(content, Text):
        return content.plain
    console = Console(file=io.StringIO(), width=200, record=True, color_system=None)
    console.print(content)
    return console.export_text()


def _panel(app: AdvisorApp) -> str:
    return _text(app.screen.query_one("#panel", Static))


def _panel_ranking(app: AdvisorApp, text: str) -> tuple[list[tuple[str, float]], set[str]]:
    """From the decision panel, which names options by label: the ranked (option id, points)
    and the ruled-out options' ids."""
    ids = {o.label: oid for oid, o in app.registry.options.items()}
    pattern = r"^(\d+) (.+)\n +([+-]?[\d.]+)"
    ranked = [(ids[m[2].strip()], float(m[3])) for m in re.finditer(pattern, text, re.M)]
    out = {ids[m[1].strip()] for m in re.finditer(r"^x (.+)\n +ruled out", text, re.M)}
    return ranked, out


def _progress(app: AdvisorApp, section: str) -> tuple[int, int]:
    sections = app.screen.query_one("#sections", OptionList)
    label = str(sections.get_option(section).prompt)
    found = re.search(r"(\d+)/(\d+)", label)
    assert found, label
    return int(found[1]), int(found[2])


def _notes(app: AdvisorApp) -> list[Any]:
    return list(app._notifications)


def _unsaved(app: AdvisorApp) -> list[str]:
    """The sessions with autosaved changes not yet saved to a file of the user's."""
    return [saved.name for saved in app.autosave.sessions(app.registry)]


# Doing what a person does ------------------------------------------------------------------------


def _field(app: AdvisorApp, qid: str) -> QuestionField:
    return app.screen.query_one(f"#q-{qid.replace('.', '-')}", QuestionField)


def _control(app: AdvisorApp, qid: str) -> Any:
    return _field(app, qid).query_one("#control")


async def _start(pilot: Pilot[None], option_id: str) -> None:
    """On the start screen, point at an option and press enter."""
    choices = pilot.app.screen.query_one("#choices", OptionList)
    assert choices.has_focus
    choices.highlighted = choices.get_option_index(option_id)
    await pilot.press("enter")
    await _settle(pilot)


async def _section(pilot: Pilot[None], section: str) -> None:
    """Pick a section in the sidebar."""
    app: AdvisorApp = pilot.app  # type: ignore[assignment]
    sections = app.screen.query_one("#sections", OptionList)
    sections.highlighted = sections.get_option_index(section)
    await _settle(pilot)
    assert app.screen.query_one("#forms").current == f"form-{section}"


async def _focus(pilot: Pilot[None], widget: Any) -> None:
    widget.focus()
    await pilot.pause()
    assert widget.has_focus


async def _type(pilot: Pilot[None], field: Input, text: str) -> None:
    """Focus a text field, select what is in it, and type over it (each key waits for the app)."""
    field.focus()
    if field.value:
        await pilot.press("ctrl+shift+a")
    await pilot.press(*text)
    assert field.has_focus and field.value == text


async def _give(pilot: Pilot[None], field: Input, text: str) -> None:
    """Type an answer into a field and press Enter, which takes it."""
    await _type(pilot, field, text)
    await pilot.press("enter")
    await _settle(pilot)


async def _fill(pilot: Pilot[None], field: Input, text: str) -> None:
    """Put a long text (a path) in a field, as a paste would."""
    await _focus(pilot, field)
    field.value = text
    await _settle(pilot)


def _spelled(value: int | float) -> str:
    """A number as a person might type it, short: 30M, 40k, 1.2k, 70."""
    if float(value).is_integer():
        value = int(value)
        if value >= 1_000_000 and value % 1_000_000 == 0:
            return f"{value // 1_000_000}M"
        if value >= 1000 and value % 100 == 0:
            return f"{value / 1000:g}k"
    return str(value)


async def _answer(
    pilot: Pilot[None], qid: str, value: Any, keys: bool = True, wait: bool = True
) -> None:
    """Answer a question in its field. With ``keys``, a switch is toggled with space and a
    number typed key by key; without, they are set as a click or a paste would. Without
    ``wait``, the next answer may be given before the screen has caught up with this one."""
    app: AdvisorApp = pilot.app  # type: ignore[assignment]
    field = _field(app, qid)
    assert field.display, f"{qid} is not asked"
    control = field.query_one("#control")
    if isinstance(control, Select) and field.q.values_from and value not in field.q.choice_values:
        other = field.query_one("#other", Input)  # a model off the shortlist: typed by name
        if keys:
            await _type(pilot, other, value)
        else:
            other.value = value
        other.focus()
        await pilot.press("enter")
    elif isinstance(control, Select):
        control.value = value
    elif isinstance(control, SelectionList):
        for item in value:
            control.select(item)
    elif isinstance(control, Switch) and keys:
        control.focus()
        await pilot.press("space")  # an untouched switch reads "no" but is not yet an answer
        if not value:
            await pilot.press("space")
        assert control.has_focus
    elif isinstance(control, Switch):
        control.value = True  # like a click: on, and for "no" a second click
        control.value = bool(value)
    elif isinstance(control, Input):
        text = _spelled(value) if isinstance(value, int | float) else value
        if keys:
            await _type(pilot, control, text)
        else:
            control.focus()
            control.value = text
        await pilot.press("enter")  # a typed answer is taken when it is complete
    else:  # pragma: no cover - a new kind of field
        raise AssertionError(f"no way to answer {type(control)}")
    if wait:
        await _settle(pilot)


async def _palette(pilot: Pilot[None], typed: str, command: str) -> None:
    """Open the command palette, type a few words, and run the best match: ``command``."""
    await pilot.press("ctrl+p")
    await _settle(pilot)
    assert isinstance(pilot.app.screen, CommandPalette)
    await pilot.press(*typed)
    await _settle(pilot)
    commands = pilot.app.screen.query_one(CommandList)
    assert commands.option_count >= 1
    assert str(commands.get_option_at_index(0).prompt).split("\n")[0] == command
    await pilot.press("enter")
    await _settle(pilot)


def _recommend(cli: Any, path: Path) -> dict[str, Any]:
    result = cli("recommend", str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


def _commented(case: Path, to: Path) -> str:
    """A copy of a case with comments of a person's own."""
    text = case.read_text(encoding="utf-8")
    text = "# Draft for the architecture review\n" + text
    text = text.replace("  scale:\n", "  # volumes from the pilot, March\n  scale:\n", 1)
    text = re.sub(r"(\n    stage: \w+)\n", r"\1  # as of the last board meeting\n", text, count=1)
    to.write_text(text, encoding="utf-8")
    return text


def _keys(text: str) -> list[tuple[str, list[str]]]:
    doc = YAML(typ="rt").load(text)
    return [("", list(doc))] + [(sid, list(doc["answers"][sid])) for sid in doc["answers"]]


# 1. Every worked case, answered through the form ---------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_case_answered_through_the_form_gives_the_clis_decision(
    registry: Any, cli: Any, tmp_path: Path, case: Path
) -> None:
    expected = _recommend(cli, case)
    given = load_answers(case, registry)
    app = _app(registry, tmp_path)
    conditions = {qid for q in registry.questions.values() for qid in q.visible_if}

    async def scenario(pilot: Pilot[None]) -> None:
        assert isinstance(app.screen, StartScreen)
        await _start(pilot, "blank")
        assert isinstance(app.screen, DecisionScreen)
        assert app.session is not None and app.session.values == {}
        forms = app.screen.query_one("#forms")
        for section in registry.sections:
            await pilot.press("ctrl+n")  # the next section, the cursor on its first question
            await _settle(pilot)
            assert forms.current == f"form-{section.id}"
            for q in section.questions:  # in the form's order, as a person goes down it
                if q.qid in given.values:
                    wait = q.qid in conditions  # what is asked next depends on it
                    await _answer(pilot, q.qid, given.values[q.qid], keys=False, wait=wait)
            await _settle(pilot)
        assert app.session.values == given.values
        decision = app.session.decision
        assert decision.recommendation == expected["recommendation"]
        assert decision.ranking == expected["ranking"]

        shown = _panel(app)
        label = expected["options"][expected["recommendation"]]["label"]
        assert f"Recommended: {label}" in shown
        ranked, ruled_out = _panel_ranking(app, shown)
        assert [oid for oid, _ in ranked] == expected["ranking"]
        assert {oid: score for oid, score in ranked} == {
            oid: expected["options"][oid]["score"] for oid in expected["ranking"]
        }
        assert ruled_out == {oid for oid, o in expected["options"].items() if o["eliminated"]}

    _run(app, scenario)


# 2. Conditional questions --------------------------------------------------------------------------


def test_a_conditional_question_is_asked_only_while_its_condition_holds(
    registry: Any, tmp_path: Path
) -> None:
    app = _app(registry, tmp_path)
    regimes = "privacy.regimes"
    asked = len(registry.section("privacy").questions)

    async def scenario(pilot: Pilot[None]) -> None:
        await _start(pilot, "blank")
        await _section(pilot, "privacy")
        assert not _field(app, regimes).display
        assert _progress(app, "privacy") == (0, asked - 1)

        await _answer(pilot, "privacy.data_class", "internal")
        assert _field(app, regimes).display
        assert _progress(app, "privacy") == (1, asked)

        await _answer(pilot, regimes, ["gdpr", "ccpa"])
        assert app.session is not None
        assert app.session.values[regimes] == ["gdpr", "ccpa"]
        assert _progress(app, "privacy") == (2, asked)

        await _answer(pilot, "privacy.data_class", "public")
        assert not _field(app, regimes).display
        assert _progress(app, "privacy") == (1, asked - 1)

        await _answer(pilot, "privacy.data_class", "regulated")
        assert _field(app, regimes).display
        assert _progress(app, "privacy") == (2, asked)
        assert list(_control(app, regimes).selected) == ["gdpr", "ccpa"]

    _run(app, scenario)


# 3. Invalid input, numbers as people type them, clearing ------------------------------------------


def test_a_refused_number_is_shown_in_place_and_changes_nothing(
    registry: Any, tmp_path: Path
) -> None:
    qid = "scale.requests_per_month"
    app = _app(registry, tmp_path)

    async def scenario(pilot: Pilot[None]) -> None:
        await _start(pilot, "blank")
        await _section(pilot, "scale")
        field, control = _field(app, qid), _control(app, qid)
        error = field.query_one(".error", Static)
        await _give(pilot, control, "2M")
        assert app.session is not None
        values = dict(app.session.values)
        assert values[qid] == 2_000_000
        assert not error.display

        for typed in ("lots", "-5"):
            decision, panel = app.session.decision, _panel(app)
            await _give(pilot, control, typed)
            assert field.has_class("invalid"), typed
            assert error.display and error.styles.display == "block"
            assert typed in _text(error)
            assert registry.questions[qid].allowed() in _text(error)  # "a whole number >= 0"
            assert app.session.values == values
            assert app.session.decision is decision
            assert _panel(app) == panel

            await _give(pilot, control, "3M")
            assert not field.has_class("invalid")
            assert not error.display and _text(error) == ""
            assert app.session.values[qid] == 3_000_000

            await _give(pilot, control, "2M")
            assert app.session.values == values

    _run(app, scenario)


def test_numbers_are_read_as_people_type_them(registry: Any, tmp_path: Path) -> None:
    app = _app(registry, tmp_path)
    typed = {"2M": 2_000_000, "1e6": 1_000_000, "2,000,000": 2_000_000, "1.5k": 1500}

    async def scenario(pilot: Pilot[None]) -> None:
        await _start(pilot, "blank")
        for qid, forms in (  # a whole number, and a number (at most 100,000)
            ("scale.requests_per_month", list(typed)),
            ("cost.open_model_size_b", ["1.5k"]),
        ):
            await _section(pilot, qid.split(".")[0])
            control = _control(app, qid)
            for text in forms:
                value = typed[text]
                await _give(pilot, control, text)
                assert app.session is not None
                stored = app.session.values[qid]
                assert stored == value, text
                assert type(stored) is registry.questions[qid].coerce(1).__class__, text
                assert not _field(app, qid).has_class("invalid")

    _run(app, scenario)


def test_ctrl_l_on_a_field_clears_its_answer(registry: Any, tmp_path: Path) -> None:
    """ctrl+l clears whatever kind of field has the focus (a number field's Input included)."""
    app = _app(registry, tmp_path)
    given: list[tuple[str, Any, Any]] = [  # question, answer, the control once cleared
        ("pmf.stage", "mvp_live", Select.NULL),
        ("pmf.has_evals", False, False),
        ("privacy.data_class", "confidential", Select.NULL),
        ("privacy.regimes", ["hipaa", "gdpr"], []),
        ("scale.input_tokens_per_request", 4000, ""),
        ("scale.requests_per_month", 40_000, ""),
    ]

    async def scenario(pilot: Pilot[None]) -> None:
        await _start(pilot, "blank")
        for qid, value, _ in given:
            await _section(pilot, qid.split(".")[0])
            await _answer(pilot, qid, value, keys=False)
        assert app.session is not None
        assert app.session.values == {qid: value for qid, value, _ in given}

        for qid, _, empty in reversed(given):  # regimes before the question it depends on
            section = qid.split(".")[0]
            await _section(pilot, section)
            before = _progress(app, section)
            field, control = _field(app, qid), _control(app, qid)
            await _focus(pilot, control)
            await pilot.press("ctrl+l")
            await _settle(pilot)
            assert qid not in app.session.values, f"ctrl+l left {qid} in place"
            hides = 1 if qid == "privacy.data_class" else 0  # and with it the regimes
            assert _progress(app, section) == (before[0] - 1, before[1] - hides)
            shown = list(control.selected) if isinstance(control, SelectionList) else control.value
            assert shown == empty
            if isinstance(control, Switch):  # the word beside it: not "no" but unanswered
                assert _text(field.query_one("#word", Static)) == BoolField._word(None)
            state = _text(field.query_one(".state", Static))
            if registry.questions[qid].default is not None:
                assert state.startswith("not answered: the advisor assumes")
            else:
                assert state == ""
        assert app.session.values == {}

    _run(app, scenario)


# 4. Saving -----------------------------------------------------------------------------------------


def _open_commented(registry: Any, tmp_path: Path, name: str) -> tuple[AdvisorApp, Path, str]:
    path = tmp_path / "answers.yaml"
    text = _commented(Path(__file__).parent / "cases" / f"{name}.yaml", path)
    return _app(registry, tmp_path, load_answers(path, registry)), path, text


async def _save_dialog(pilot: Pilot[None]) -> PathDialog:
    await pilot.press("ctrl+s")
    await _settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, PathDialog)
    return dialog


def test_ctrl_s_saves_into_the_opened_file_keeping_comments_and_order(
    registry: Any, cli: Any, tmp_path: Path
) -> None:
    """Saving the file being edited is what ctrl+s is for: no dialog, no "Replace it?"."""
    app, path, original = _open_commented(registry, tmp_path, "prototype-ticket-summaries")
    qid = "scale.requests_per_month"

    async def scenario(pilot: Pilot[None]) -> None:
        assert isinstance(app.screen, DecisionScreen)
        await _section(pilot, "scale")
        await _give(pilot, _control(app, qid), "55k")
        assert app.session is not None and app.session.values[qid] == 55_000
        assert _unsaved(app) == [app.session.autosave_name]

        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert isinstance(app.screen, DecisionScreen)  # written straight away
        assert any(str(path) in str(n.message) for n in _notes(app))
        saved = path.read_text(encoding="utf-8")
        assert "requests_per_month: 55000" in saved
        assert "requests_per_month: 20000" not in saved
        for comment in (
            "# Draft for the architecture review\n",
            "  # volumes from the pilot, March\n",
            "# as of the last board meeting",
        ):
            assert comment in saved
        assert _keys(saved) == _keys(original)
        assert load_answers(path, registry).values == app.session.values
        assert _unsaved(app) == []
        assert not app.session.dirty

    _run(app, scenario)
    assert _recommend(cli, path)["recommendation"] == "api"


@pytest.mark.parametrize("yes", [True, False], ids=["yes", "no"])
def test_save_as_over_another_file_asks_first(registry: Any, tmp_path: Path, yes: bool) -> None:
    app, path, _ = _open_commented(registry, tmp_path, "prototype-ticket-summaries")
    other = tmp_path / "theirs.yaml"
    other.write_text("# a colleague's answers\n", encoding="utf-8")

    async def scenario(pilot: Pilot[None]) -> None:
        await _section(pilot, "scale")
        await _give(pilot, _control(app, "scale.requests_per_month"), "55k")
        await _palette(pilot, "save the answers as", "Save the answers as...")
        dialog = app.screen
        assert isinstance(dialog, PathDialog)
        assert dialog.query_one("#path", Input).value == str(path)
        await _fill(pilot, dialog.query_one("#path", Input), str(other))
        await pilot.press("enter")
        await _settle(pilot)
        assert isinstance(app.screen, Confirm)  # not the file being edited: ask
        await pilot.click("#yes" if yes else "#no")
        await _settle(pilot)
        assert isinstance(app.screen, DecisionScreen)
        assert app.session is not None
        if yes:
            assert load_answers(other, registry).values == app.session.values
            assert app.session.source == other
        else:
            assert other.read_text(encoding="utf-8") == "# a colleague's answers\n"
            assert app.session.dirty

    _run(app, scenario)


def test_save_to_a_new_file_reads_back_to_the_same_decision(
    registry: Any, cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = _app(registry, tmp_path)
    target = tmp_path / "ours.yaml"
    shown: dict[str, Any] = {}

    async def scenario(pilot: Pilot[None]) -> None:
        await _start(pilot, "example:support-bot")
        await _section(pilot, "about")
        await _type(pilot, app.screen.query_one("#title", Input), "Bot v2")
        await _settle(pilot)
        assert app.session is not None and app.session.title == "Bot v2"
        assert app.screen.sub_title == "Bot v2"
        await _section(pilot, "privacy")
        await _answer(pilot, "privacy.data_class", "regulated")
        await _answer(pilot, "privacy.vendor_terms_ok", "no")
        assert app.session is not None
        assert _unsaved(app) == [app.session.autosave_name]
        shown["decision"] = app.session.decision
        shown["values"] = dict(app.session.values)

        dialog = await _save_dialog(pilot)
        assert dialog.query_one("#path", Input).value == "answers.yaml"
        await _fill(pilot, dialog.query_one("#path", Input), str(target))
        await pilot.click("#ok")
        await _settle(pilot)
        assert isinstance(app.screen, DecisionScreen)  # no question: the file is new
        assert target.is_file()
        assert _unsaved(app) == []
        assert app.session.source == target

    _run(app, scenario)
    assert load_answers(target, registry).values == shown["values"]
    assert load_answers(target, registry).title == "Bot v2"
    back = _recommend(cli, target)
    assert back["recommendation"] == shown["decision"].recommendation
    assert back["ranking"] == shown["decision"].ranking


# 5. Exporting --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "start"), [("html", "<!DOCTYPE html>"), ("md", "---")])
def test_export_the_memo_beside_the_answers_file(
    registry: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, start: str
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "project" / "answers"
    folder.mkdir(parents=True)
    case = folder / CASES[0].name
    shutil.copyfile(CASES[0], case)
    app = _app(registry, tmp_path, load_answers(case, registry))

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("ctrl+o")
        await _settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PathDialog)
        field = dialog.query_one("#path", Input)
        assert field.value == str(folder / f"{case.stem}-memo.md")
        if fmt == "html":
            await pilot.click("#fmt-html")
            await _settle(pilot)
            assert field.value == str(folder / f"{case.stem}-memo.html")
        await pilot.click("#ok")
        await _settle(pilot)
        assert isinstance(app.screen, DecisionScreen)

    _run(app, scenario)
    written = folder / f"{case.stem}-memo.{fmt}"
    text = written.read_text(encoding="utf-8")
    assert text.startswith(start)
    title = load_answers(case, registry).title
    assert title and title in text


def test_export_goes_to_the_decision_log_when_there_is_one(
    registry: Any, cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With docs/decisions/ in the folder the TUI runs in, the memo is its next record, where
    `advisor log` finds it."""
    monkeypatch.chdir(tmp_path)
    log = tmp_path / "docs" / "decisions"
    log.mkdir(parents=True)
    (log / "0003-an-earlier-decision.md").write_text("# An earlier decision\n", encoding="utf-8")
    app = _app(registry, tmp_path, load_answers(CASES[0], registry))
    title = load_answers(CASES[0], registry).title or ""

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("ctrl+o")
        await _settle(pilot)
        assert isinstance(app.screen, PathDialog)
        field = app.screen.query_one("#path", Input).value
        assert field.startswith(str(Path("docs") / "decisions" / "0004-"))
        await pilot.click("#ok")
        await _settle(pilot)

    _run(app, scenario)
    (written,) = log.glob("0004-*.md")
    assert title in written.read_text(encoding="utf-8")
    listed = cli("log")
    assert listed.exit_code == 0, listed.output
    assert "0004" in listed.stdout and "2 records" in listed.stdout


def test_export_over_an_existing_file_asks_first(registry: Any, tmp_path: Path) -> None:
    app = _app(registry, tmp_path, load_answers(CASES[1], registry))
    target = tmp_path / "memo.md"
    target.write_text("our own notes\n", encoding="utf-8")

    async def scenario(pilot: Pilot[None]) -> None:
        for yes in (False, True):
            await pilot.press("ctrl+o")
            await _settle(pilot)
            assert isinstance(app.screen, PathDialog)
            await _fill(pilot, app.screen.query_one("#path", Input), str(target))
            await pilot.press("enter")
            await _settle(pilot)
            assert isinstance(app.screen, Confirm)
            await pilot.press("y" if yes else "n")
            await _settle(pilot)
            assert isinstance(app.screen, DecisionScreen)
            if not yes:
                assert target.read_bytes() == b"our own notes\n"
        assert target.read_text(encoding="utf-8").startswith("---")

    _run(app, scenario)


def test_export_and_save_keys_work_while_typing_in_a_number_field(
    registry: Any, tmp_path: Path
) -> None:
    """The screen's keys must not be swallowed by the focused Input (ctrl+e, ctrl+d were), and
    what is typed there is taken before the file is written."""
    copy = tmp_path / "answers.yaml"
    shutil.copyfile(CASES[1], copy)
    app = _app(registry, tmp_path, load_answers(copy, registry))
    qid = "scale.requests_per_month"

    async def scenario(pilot: Pilot[None]) -> None:
        await _section(pilot, "scale")
        await _focus(pilot, _control(app, qid))
        await pilot.press("ctrl+o")
        await _settle(pilot)
        assert isinstance(app.screen, PathDialog), "ctrl+o in a number field opened no dialog"
        assert app.screen.query("#format")  # the export dialog, with its formats
        await pilot.press("escape")
        await _settle(pilot)
        assert _control(app, qid).has_focus
        await _type(pilot, _control(app, qid), "77k")
        await pilot.press("ctrl+s")  # no Enter: saving takes what is typed
        await _settle(pilot)
        assert isinstance(app.screen, DecisionScreen)
        assert load_answers(copy, registry).values[qid] == 77_000

    _run(app, scenario)


# 6. Results ----------------------------------------------------------------------------------------


def _table_rows(table: DataTable[Any]) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def test_results_rules_costs_and_flips(registry: Any, cli: Any, tmp_path: Path) -> None:
    case = next(c for c in CASES if c.stem == "eu-insurer-claims")
    expected = _recommend(cli, case)
    app = _app(registry, tmp_path, load_answers(case, registry))

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("ctrl+r")
        await _settle(pilot)
        results = app.screen
        assert isinstance(results, ResultsScreen)
        table = results.query_one("#rule-table", DataTable)

        rows = _table_rows(table)
        fired = [r for r in rows if r[2] not in ("quiet", "error")]
        label = {oid: o.label for oid, o in registry.options.items()}
        assert Counter((r[0], r[1], r[3]) for r in fired) == Counter(
            (rule["id"], label.get(rule["option"], "-"), rule["because"])
            for rule in expected["rules"]
        )
        for row in fired:
            rule = next(x for x in expected["rules"] if (x["id"], x["because"]) == (row[0], row[3]))
            assert row[2] == (f"{rule['points']:+g}" if rule["kind"] == "points" else rule["kind"])
        assert sum(r[2] == "quiet" for r in rows) == len(expected["not_fired"])

        code = expected["rules"][0]["id"]
        await _type(pilot, results.query_one("#filter", Input), code.lower())
        await _settle(pilot)
        narrowed = _table_rows(table)
        assert narrowed and len(narrowed) < len(rows)
        assert all(code.lower() in " ".join(r).lower() for r in narrowed)
        assert len(narrowed) == sum(code.lower() in " ".join(r).lower() for r in rows)

        await _focus(pilot, table)
        await pilot.press("enter")
        await _settle(pilot)
        detail = app.screen
        assert isinstance(detail, RuleDetail)
        shown = detail.text.plain
        first = narrowed[0][0]
        source = next(
            x["source"] for x in expected["rules"] + expected["not_fired"] if x["id"] == first
        )
        assert shown.startswith(first)
        assert f"Source: {source}" in shown
        await pilot.press("escape")
        await _settle(pilot)
        assert app.screen is results

        await pilot.click("#--content-tab-costs")
        await _settle(pilot)
        assert results.query_one("#tabs", TabbedContent).active == "costs"
        costs = " ".join(_text(results.query_one("#cost-table", Static)).split())
        for oid in expected["options"]:
            assert oid not in costs.split()  # options by their labels, not their ids
        assert "$90" in costs  # the API bill the CLI works out: 300,000 calls of gpt-4o-mini

        await pilot.click("#--content-tab-flips")
        await _settle(pilot)
        assert results.query_one("#tabs", TabbedContent).active == "flips"
        flips = _text(results.query_one("#flip-text", Static))
        assert f"Revisit by {expected['revisit']['date']}" in flips
        prompt = registry.questions["privacy.vendor_terms_ok"].prompt
        assert prompt in " ".join(flips.split())
        assert "privacy.vendor_terms_ok" not in flips

        await pilot.press("escape")
        await _settle(pilot)
        assert isinstance(app.screen, DecisionScreen)

    _run(app, scenario)


def test_whatif_compares_and_keeps_only_when_asked(registry: Any, tmp_path: Path) -> None:
    case = next(c for c in CASES if c.stem == "eu-insurer-claims")
    app = _app(registry, tmp_path, load_answers(case, registry))
    qid = "privacy.vendor_terms_ok"

    async def scenario(pilot: Pilot[None]) -> None:
        assert app.session is not None
        values = dict(app.session.values)
        before = app.session.decision
        assert before.recommendation == "api" and values[qid] == "yes"
        trial = Session(registry, registry.catalogue, values={**values, qid: "no"}).decision
        assert trial.recommendation != "api"

        await pilot.press("ctrl+r")
        await _settle(pilot)
        results = app.screen
        assert isinstance(results, ResultsScreen)
        await pilot.click("#--content-tab-whatif")
        await _settle(pilot)
        results.query_one("#wi-question", Select).value = qid
        await _settle(pilot)
        q = registry.questions[qid]
        now = next(c.label for c in q.choices if c.value == "yes")
        assert f"Now: {now}" in " ".join(_text(results.query_one("#wi-hint", Static)).split())
        picker = results.query_one("#wi-value", Select)  # a choice's new answer is picked
        assert "yes" not in [value for _, value in picker._options]
        picker.value = "no"
        await _settle(pilot)
        await pilot.click("#wi-compare")
        await _settle(pilot)
        compared = _text(results.query_one("#wi-result", Static))
        labels = {oid: o.label for oid, o in before.options.items()}
        assert compared.count("Recommended:") == 2
        assert labels["api"] in compared and labels[str(trial.recommendation)] in compared
        assert compared.index(labels["api"]) < compared.index(labels[str(trial.recommendation)])
        assert app.session.values == values
        assert app.session.decision.recommendation == "api"

        await pilot.click("#wi-apply")
        await _settle(pilot)
        assert isinstance(app.screen, DecisionScreen)
        assert app.session.values == {**values, qid: "no"}
        assert app.session.decision.recommendation == trial.recommendation
        await _section(pilot, "privacy")
        assert _control(app, qid).value == "no"
        label = trial.options[str(trial.recommendation)].label
        assert f"Recommended: {label}" in _panel(app)

    _run(app, scenario)


# 7. The command palette ----------------------------------------------------------------------------


def test_command_palette(registry: Any, tmp_path: Path) -> None:
    app = _app(registry, tmp_path, load_answers(CASES[0], registry))

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("ctrl+p")
        await _settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        commands = app.screen.query_one(CommandList)
        listed = [str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)]
        titles = {line.split("\n")[0] for line in listed}
        wanted = {"Go to: About this decision"} | {f"Go to: {s.title}" for s in registry.sections}
        wanted |= {"Save the answers", "Export the memo", "Results", "What if..."}
        wanted |= {"Toggle dark and light"}
        assert wanted <= titles, wanted - titles
        await pilot.press("escape")
        await _settle(pilot)

        theme = app.theme
        await _palette(pilot, "togg", "Toggle dark and light")
        assert app.theme == (LIGHT if theme == DARK else DARK)

        scale = next(s.title for s in registry.sections if s.id == "scale")
        await _palette(pilot, "vol", f"Go to: {scale}")
        assert isinstance(app.screen, DecisionScreen)
        assert app.screen.query_one("#forms").current == "form-scale"

        await _palette(pilot, "what", "What if...")
        await _settle(pilot)
        assert isinstance(app.screen, ResultsScreen)
        assert app.screen.query_one("#tabs", TabbedContent).active == "whatif"

        privacy = next(s.title for s in registry.sections if s.id == "privacy")
        await _palette(pilot, "data", f"Go to: {privacy}")  # from the results, back to a form
        assert isinstance(app.screen, DecisionScreen)
        assert app.screen.query_one("#forms").current == "form-privacy"

    _run(app, scenario)


# 8. The start screen -------------------------------------------------------------------------------


def test_resume_an_autosaved_session(registry: Any, tmp_path: Path) -> None:
    first = _app(registry, tmp_path)

    async def answer(pilot: Pilot[None]) -> None:
        await _start(pilot, "blank")
        await _section(pilot, "pmf")
        await _answer(pilot, "pmf.stage", "mvp_live")
        await _answer(pilot, "pmf.labeled_examples", 1200)

    _run(first, answer)
    assert first.session is not None
    given = dict(first.session.values)
    assert given == {"pmf.stage": "mvp_live", "pmf.labeled_examples": 1200}

    second = _app(registry, tmp_path)

    async def resume(pilot: Pilot[None]) -> None:
        choices = second.screen.query_one("#choices", OptionList)
        top = choices.get_option_at_index(0)
        assert str(top.id).startswith("resume:")
        assert str(top.prompt).startswith("Resume where you stopped")
        assert choices.option_count == len(_examples()) + 3  # one session to resume
        await _start(pilot, str(top.id))
        assert isinstance(second.screen, DecisionScreen)
        assert second.session is not None
        assert second.session.values == given
        assert second.session.dirty
        await _section(pilot, "pmf")
        assert _control(second, "pmf.stage").value == "mvp_live"
        assert _control(second, "pmf.labeled_examples").value == "1,200"

    _run(second, resume)


def test_no_resume_offered_without_an_autosave(registry: Any, tmp_path: Path) -> None:
    app = _app(registry, tmp_path)

    async def scenario(pilot: Pilot[None]) -> None:
        choices = app.screen.query_one("#choices", OptionList)
        ids = [choices.get_option_at_index(i).id for i in range(choices.option_count)]
        assert ids == [*(f"example:{name}" for name in _examples()), "blank", "open"]

    _run(app, scenario)


def test_resume_a_file_then_save_keeps_its_comments(registry: Any, tmp_path: Path) -> None:
    first, path, original = _open_commented(registry, tmp_path, "eu-insurer-claims")

    async def change(pilot: Pilot[None]) -> None:
        await _section(pilot, "cost")
        await _answer(pilot, "cost.ml_engineers", 4)

    _run(first, change)
    assert path.read_text(encoding="utf-8") == original  # quitting leaves the file alone
    second = _app(registry, tmp_path)

    async def resume(pilot: Pilot[None]) -> None:
        top = second.screen.query_one("#choices", OptionList).get_option_at_index(0)
        await _start(pilot, str(top.id))
        assert second.session is not None
        assert second.session.values["cost.ml_engineers"] == 4
        assert second.session.source == path
        await pilot.press("ctrl+s")  # into the file it came from, without a question
        await _settle(pilot)
        assert isinstance(second.screen, DecisionScreen)

    _run(second, resume)
    saved = path.read_text(encoding="utf-8")
    assert "ml_engineers: 4" in saved
    assert "# Draft for the architecture review" in saved
    assert "# volumes from the pilot, March" in saved
    assert _keys(saved) == _keys(original)


def test_reopening_a_file_with_unsaved_changes_asks_to_take_them_up(
    registry: Any, tmp_path: Path
) -> None:
    first, path, original = _open_commented(registry, tmp_path, "eu-insurer-claims")
    on_disk = load_answers(path, registry).values
    qid = "cost.ml_engineers"

    async def change(pilot: Pilot[None]) -> None:
        await _section(pilot, "cost")
        await _answer(pilot, qid, 4)

    _run(first, change)
    assert on_disk[qid] == 1

    def reopen(yes: bool) -> None:
        app = _app(registry, tmp_path, load_answers(path, registry))

        async def scenario(pilot: Pilot[None]) -> None:
            assert isinstance(app.screen, Confirm)
            await pilot.press("y" if yes else "n")
            await _settle(pilot)
            assert isinstance(app.screen, DecisionScreen)
            assert app.session is not None and app.session.source == path
            assert app.session.values == ({**on_disk, qid: 4} if yes else on_disk)
            await _section(pilot, "cost")
            assert _control(app, qid).value == ("4" if yes else "1")
            assert len(_unsaved(app)) == 1  # with no, the changes stay aside
            if not yes:  # until something is changed
                await _answer(pilot, "cost.api_model", "gpt-4o")
                saved = app.autosave.read(registry, app.session.autosave_name)
                assert saved is not None
                assert saved.answers.values == {**on_disk, "cost.api_model": "gpt-4o"}

        _run(app, scenario)

    reopen(yes=True)
    reopen(yes=False)
    assert path.read_text(encoding="utf-8") == original


def test_try_an_example(registry: Any, tmp_path: Path) -> None:
    app = _app(registry, tmp_path)
    name = "bank-document-extraction"
    example = parse_answers(_examples()[name].read_text(encoding="utf-8"), registry)

    async def scenario(pilot: Pilot[None]) -> None:
        await _start(pilot, f"example:{name}")
        assert isinstance(app.screen, DecisionScreen)
        assert app.session is not None
        assert app.session.values == example.values
        assert app.session.title == example.title
        assert app.session.source is None  # saving asks for a file of the user's own
        label = app.session.decision.options[str(app.session.decision.recommendation)].label
        assert f"Recommended: {label}" in _panel(app)
        await _section(pilot, "about")
        assert app.screen.query_one("#title", Input).value == example.title

    _run(app, scenario)


def test_open_a_file_from_the_start_screen(registry: Any, tmp_path: Path) -> None:
    case = CASES[2]
    app = _app(registry, tmp_path)

    async def scenario(pilot: Pilot[None]) -> None:
        await _start(pilot, "open")
        assert isinstance(app.screen, PathDialog)
        await _fill(pilot, app.screen.query_one("#path", Input), str(tmp_path / "missing.yaml"))
        await pilot.press("enter")
        await _settle(pilot)
        assert isinstance(app.screen, StartScreen)
        errors = [n for n in _notes(app) if n.severity == "error"]
        assert errors and "missing.yaml" in errors[-1].message
        assert app.session is None

        await _start(pilot, "open")
        await _fill(pilot, app.screen.query_one("#path", Input), str(case))
        await pilot.press("enter")
        await _settle(pilot)
        assert isinstance(app.screen, DecisionScreen)
        assert app.session is not None
        assert app.session.values == load_answers(case, registry).values
        assert app.session.source == case

    _run(app, scenario)


def test_open_a_file_that_is_not_answers(registry: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    shutil.copy(CASES[0], bad)
    bad.write_text(bad.read_text().replace("stage: mvp_live", "stage: launched"), encoding="utf-8")
    app = _app(registry, tmp_path)

    async def scenario(pilot: Pilot[None]) -> None:
        await _start(pilot, "open")
        await _fill(pilot, app.screen.query_one("#path", Input), str(bad))
        await pilot.press("enter")
        await _settle(pilot)
        assert isinstance(app.screen, StartScreen)
        errors = [n for n in _notes(app) if n.severity == "error"]
        assert errors and "pmf.stage" in errors[-1].message and "launched" in errors[-1].message

    _run(app, scenario)


# 9. A new user's first hour ------------------------------------------------------------------------


def _ids(app: AdvisorApp) -> set[str]:
    """Every id a person should not have to read: question ids, choice values that are not
    words anyone writes, and option ids."""
    found = set(app.registry.questions) | set(app.registry.options)
    found |= {
        c.value
        for q in app.registry.questions.values()
        for c in q.choices
        if "_" in c.value  # "pmf_validated"; a value such as "gdpr" reads as itself
    }
    return found


def _shown_ids(app: AdvisorApp, text: str) -> set[str]:
    words = set(re.findall(r"[a-z][a-z0-9_.]*[a-z0-9]", text))
    return words & _ids(app)


def test_keys_typed_into_a_blank_decision_land_in_the_title(registry: Any, tmp_path: Path) -> None:
    app = _app(registry, tmp_path)

    async def scenario(pilot: Pilot[None]) -> None:
        await _start(pilot, "blank")
        assert isinstance(app.screen, DecisionScreen)
        await pilot.press(*"Support bot")
        await _settle(pilot)
        assert app.screen.query_one("#title", Input).value == "Support bot"
        assert app.session is not None and app.session.title == "Support bot"
        await pilot.press("ctrl+l")  # clears the title, as it clears an answer
        await _settle(pilot)
        assert app.screen.query_one("#title", Input).value == ""
        assert app.session.title == ""

    _run(app, scenario)


def test_a_blank_decision_says_nothing_is_decided_yet(registry: Any, tmp_path: Path) -> None:
    app = _app(registry, tmp_path)

    async def scenario(pilot: Pilot[None]) -> None:
        await _start(pilot, "blank")
        panel = _panel(app)
        assert "Nothing decided yet" in panel
        assert "Recommended" not in panel
        await _section(pilot, "pmf")
        await _answer(pilot, "pmf.stage", "mvp_live")
        assert "Recommended:" in _panel(app)

    _run(app, scenario)


def test_a_half_typed_number_does_not_change_the_recommendation(
    registry: Any, tmp_path: Path
) -> None:
    app = _app(registry, tmp_path, load_answers(CASES[0], registry))
    qid = "scale.requests_per_month"

    async def scenario(pilot: Pilot[None]) -> None:
        assert app.session is not None
        before = dict(app.session.values)
        panel = _panel(app)
        await _section(pilot, "scale")
        control = _control(app, qid)
        await _type(pilot, control, "3")  # on the way to "3M"
        await _settle(pilot)
        assert app.session.values == before
        assert _panel(app) == panel
        await pilot.press("M")
        await _settle(pilot)
        assert app.session.values == before
        await pilot.press("enter")
        await _settle(pilot)
        assert app.session.values[qid] == 3_000_000
        assert "taken as 3,000,000" in _text(_field(app, qid).query_one(".state", Static))

    _run(app, scenario)


def test_a_number_is_taken_after_a_pause_or_on_leaving_the_field(
    registry: Any, tmp_path: Path
) -> None:
    app = _app(registry, tmp_path)

    async def scenario(pilot: Pilot[None]) -> None:
        await _start(pilot, "blank")
        await _section(pilot, "scale")
        assert app.session is not None
        volume = _control(app, "scale.requests_per_month")
        await _type(pilot, volume, "40k")
        await pilot.press("tab")  # leaving the field takes it
        await _settle(pilot)
        assert app.session.values["scale.requests_per_month"] == 40_000
        tokens = _control(app, "scale.input_tokens_per_request")
        await _type(pilot, tokens, "1.5k")
        assert "scale.input_tokens_per_request" not in app.session.values
        await pilot.pause(TypedField.PAUSE + 0.3)  # a pause in the typing takes it too
        assert app.session.values["scale.input_tokens_per_request"] == 1500

    _run(app, scenario)


@pytest.mark.parametrize(
    ("typed", "ms"), [("3 s", 3000), ("3s", 3000), ("300ms", 300), ("1.5k", 1500), ("800", 800)]
)
def test_a_latency_is_read_in_the_unit_it_is_written_in(
    registry: Any, tmp_path: Path, typed: str, ms: int
) -> None:
    app = _app(registry, tmp_path)
    qid = "scale.latency_p95_ms"

    async def scenario(pilot: Pilot[None]) -> None:
        await _start(pilot, "blank")
        await _section(pilot, "scale")
        await _give(pilot, _control(app, qid), typed)
        assert app.session is not None and app.session.values[qid] == ms
        assert not _field(app, qid).has_class("invalid")

    _run(app, scenario)


def test_the_help_box_follows_the_section(registry: Any, tmp_path: Path) -> None:
    app = _app(registry, tmp_path, load_answers(CASES[0], registry))

    async def scenario(pilot: Pilot[None]) -> None:
        await _section(pilot, "pmf")
        await _focus(pilot, _control(app, "pmf.stage"))
        why = app.screen.query_one("#help", Static)
        assert registry.questions["pmf.stage"].why.split()[0] in _text(why)
        await pilot.press("ctrl+n")
        await _settle(pilot)
        privacy = registry.section("privacy")
        shown = _text(why)
        assert registry.questions["pmf.stage"].why not in " ".join(shown.split())
        assert privacy.title in shown or any(
            q.why.split(":")[0] in shown for q in privacy.questions
        )

    _run(app, scenario)


def test_no_id_in_the_panel_the_flips_or_the_whatif_picker(registry: Any, tmp_path: Path) -> None:
    app = _app(registry, tmp_path, load_answers(EXAMPLES["first-pilot"], registry))

    async def scenario(pilot: Pilot[None]) -> None:
        await _settle(pilot)
        assert app.session is not None and app.session.decision.unknowns
        panel = _panel(app)
        assert "Could still change it" in panel
        assert _shown_ids(app, panel) == set()
        await pilot.press("ctrl+r")
        await _settle(pilot)
        results = app.screen
        assert isinstance(results, ResultsScreen)
        flips = _text(results.query_one("#flip-text", Static))
        assert "if the answer to" in flips
        assert _shown_ids(app, flips) == set()
        picker = results.query_one("#wi-question", Select)
        prompts = " ".join(str(prompt) for prompt, _ in picker._options)
        assert _shown_ids(app, prompts) == set()

    _run(app, scenario)


def test_results_tabs_switch_by_key(registry: Any, tmp_path: Path) -> None:
    app = _app(registry, tmp_path, load_answers(CASES[0], registry))

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("ctrl+r")
        await _settle(pilot)
        tabs = app.screen.query_one("#tabs", TabbedContent)
        assert tabs.active == "rules"
        await pilot.press("right")  # the tab bar has the focus: arrows switch tabs
        await _settle(pilot)
        assert tabs.active == "costs"
        await pilot.press("right")
        await _settle(pilot)
        assert tabs.active == "flips"
        await pilot.press("left")
        await _settle(pilot)
        assert tabs.active == "costs"
        for key, tab in (("4", "whatif"), ("1", "rules"), ("3", "flips"), ("2", "costs")):
            await pilot.press(key)
            await _settle(pilot)
            assert tabs.active == tab, key

    _run(app, scenario)


def test_escape_goes_from_an_example_back_to_the_start_screen(
    registry: Any, tmp_path: Path
) -> None:
    example = EXAMPLES["first-pilot"]
    text = example.read_text(encoding="utf-8")
    app = _app(registry, tmp_path, parse_answers(text, registry, Path("example:first-pilot")))

    async def scenario(pilot: Pilot[None]) -> None:
        assert isinstance(app.screen, DecisionScreen)
        await _section(pilot, "cost")
        await _answer(pilot, "cost.ml_engineers", 2)
        await pilot.press("escape")
        await _settle(pilot)
        assert isinstance(app.screen, StartScreen)
        choices = app.screen.query_one("#choices", OptionList)
        first = str(choices.get_option_at_index(0).id)
        assert first.startswith("resume:")  # the changed example, kept to take up again
        await _start(pilot, first)
        assert app.session is not None and app.session.values["cost.ml_engineers"] == 2

    _run(app, scenario)


def test_quitting_with_unsaved_answers_says_where_they_are_kept(
    registry: Any, tmp_path: Path
) -> None:
    app = _app(registry, tmp_path)
    said: dict[str, Any] = {}

    async def scenario(pilot: Pilot[None]) -> None:
        await _start(pilot, "blank")
        await _section(pilot, "scale")
        await _type(pilot, _control(app, "scale.requests_per_month"), "40k")
        await pilot.press("ctrl+q")  # quitting takes what is typed, then says where it is
        await _settle(pilot)
        assert app.session is not None
        said["kept"] = app.autosave.path(app.session.autosave_name)
        said["farewell"] = app.farewell()

    _run(app, scenario)
    kept: Path = said["kept"]
    assert kept.is_file() and "40000" in kept.read_text(encoding="utf-8")
    assert str(kept) in said["farewell"]


def _searches_after_drawing(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each search for what would change the decision (an explored evaluation), as the text the
    decision panel had last been rendered with when it started: what the screen showed."""
    import advisor.tui.session as session_module
    from advisor.tui.widgets.panel import DecisionPanel

    drawn = [""]
    seen: list[str] = []
    real_render = DecisionPanel.render
    real_evaluate = session_module.evaluate

    def render(self: DecisionPanel) -> Any:
        drawn[0] = _text(self)
        return real_render(self)

    def evaluate(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("explore", True):
            seen.append(drawn[0])
        return real_evaluate(*args, **kwargs)

    monkeypatch.setattr(DecisionPanel, "render", render)
    monkeypatch.setattr(session_module, "evaluate", evaluate)
    return seen


async def _explored(pilot: Pilot[None]) -> None:
    for _ in range(40):
        if pilot.app.screen.session.explored:  # type: ignore[attr-defined]
            return
        await pilot.pause(0.05)
    raise AssertionError("the search never finished")


def test_the_ranking_is_drawn_before_the_search_for_what_would_change_it(
    registry: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening an example shows its ranking at once, and so does an answer that changes it: the
    flips and the confidence (hundreds of trial decisions) are worked out only once the new
    ranking has been drawn."""
    seen = _searches_after_drawing(monkeypatch)
    text = _examples()["first-pilot"].read_text(encoding="utf-8")
    # As `advisor tui --example first-pilot` opens it: straight on the decision screen.
    app = _app(registry, tmp_path, parse_answers(text, registry, Path("example:first-pilot")))

    async def scenario(pilot: Pilot[None]) -> None:
        await _explored(pilot)
        assert "Recommended: Call a hosted API" in _panel(app)
        await _section(pilot, "pmf")
        stage = _control(app, "pmf.stage")
        await _focus(pilot, stage)
        # The list opened, moved from the prototype stage down to scaling, and chosen with Enter.
        await pilot.press("enter", "down", "down", "down", "enter")
        await _explored(pilot)
        assert "Recommended: Self-host an open model" in _panel(app)
        # A number typed and taken with Enter: nobody to run models holds self-hosting back.
        await _section(pilot, "cost")
        await _type(pilot, _control(app, "cost.ml_engineers"), "0")
        await pilot.press("enter")
        await _explored(pilot)
        assert "TEAM001" in _panel(app)

    _run(app, scenario)
    assert len(seen) == 3, seen
    assert "Recommended: Call a hosted API" in seen[0]
    assert "Recommended: Self-host an open model" in seen[1]
    assert "TEAM001" in seen[2]


def test_an_open_list_hides_the_help_box_alone(registry: Any, tmp_path: Path) -> None:
    """While a choice's list is open the help box beside it is blank, so that what shows past the
    list does not read as stray characters; the class that does it is set on the help box, not on
    the screen, where it would restyle every widget each time a list opens or closes."""
    app = _app(registry, tmp_path)
    seen: dict[str, Any] = {}

    async def scenario(pilot: Pilot[None]) -> None:
        await _start(pilot, "blank")
        await _section(pilot, "pmf")
        help_box = app.screen.query_one("#help", Static)
        classes = set(app.screen.classes)
        await _focus(pilot, _control(app, "pmf.stage"))
        await pilot.press("enter")
        await _settle(pilot)
        seen["open"] = (help_box.styles.text_opacity, set(app.screen.classes))
        await pilot.press("escape")
        await _settle(pilot)
        seen["closed"] = (help_box.styles.text_opacity, set(app.screen.classes))
        seen["before"] = classes

    _run(app, scenario)
    assert seen["open"] == (0.0, seen["before"])
    assert seen["closed"] == (1.0, seen["before"])
