"""Dialogs: a path to save to or export to, and a yes/no question before anything is overwritten."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from advisor.errors import AdvisorError
from advisor.tui.session import Session


class Confirm(ModalScreen[bool]):
    """A yes/no question; dismisses with True for yes."""

    BINDINGS = [
        Binding("escape", "no", "Cancel"),
        Binding("y", "yes", "Yes"),
        Binding("n", "no", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__(classes="dialog")
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="box"):
            yield Static(self.question, classes="question")
            with Horizontal(classes="buttons"):
                yield Button("Yes", id="yes", variant="warning")
                yield Button("No", id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_yes(self) -> None:
        self.dismiss(True)

    def action_no(self) -> None:
        self.dismiss(False)


class PathDialog(ModalScreen[tuple[Path, str] | None]):
    """Ask for a file name (and, for a memo, its format); dismisses with (path, format) or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, heading: str, default: str, formats: tuple[str, ...] = ()) -> None:
        super().__init__(classes="dialog")
        self.heading = heading
        self.default = default
        self.formats = formats

    def compose(self) -> ComposeResult:
        with Vertical(classes="box"):
            yield Label(self.heading, classes="question")
            yield Input(value=self.default, id="path")
            if self.formats:
                with RadioSet(id="format"):
                    for i, fmt in enumerate(self.formats):
                        label = {"md": "Markdown (MADR)", "html": "HTML page with charts"}[fmt]
                        yield RadioButton(label, value=i == 0, id=f"fmt-{fmt}")
            yield Static("", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("OK", id="ok", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()

    def _format(self) -> str:
        if not self.formats:
            return ""
        pressed = self.query_one("#format", RadioSet).pressed_button
        return (pressed.id or "fmt-md")[4:] if pressed is not None else self.formats[0]

    @on(RadioSet.Changed, "#format")
    def _switch_suffix(self, event: RadioSet.Changed) -> None:
        field = self.query_one("#path", Input)
        fmt = self._format()
        path = Path(field.value)
        if path.suffix.lower() in (".md", ".html", ".htm"):
            field.value = str(path.with_suffix(".html" if fmt == "html" else ".md"))

    @on(Input.Submitted, "#path")
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        text = self.query_one("#path", Input).value.strip()
        if not text:
            self.query_one(".error", Static).update("give a file name")
            return
        self.dismiss((Path(text).expanduser(), self._format()))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def _write(app: App[Any], path: Path, write: Any, what: str) -> None:
    """Write through ``write(force)``, asking first when the file exists."""

    def done(force: bool) -> None:
        try:
            write(force)
        except AdvisorError as exc:
            app.notify(str(exc), title="Not written", severity="error", timeout=8)
            return
        app.notify(f"{what} written to {path}", title="Written")

    if path.exists():

        def answer(yes: bool | None) -> None:
            if yes:
                done(True)
            else:
                app.notify(f"{path} left as it was", title="Not written")

        app.push_screen(Confirm(f"{path} exists. Replace it?"), answer)
    else:
        done(False)


def save_answers(app: App[Any], session: Session) -> None:
    """Ask where to save the answers (the file they came from, by default) and save them."""
    default = str(session.source) if session.source else "answers.yaml"
    if session.source is not None and session.source.suffix.lower() in (
        ".md",
        ".markdown",
        ".html",
        ".htm",
    ):
        default = str(session.source.with_suffix(".yaml"))

    def chosen(result: tuple[Path, str] | None) -> None:
        if result is None:
            return
        path = result[0]
        _write(app, path, lambda force: session.save(path, force=force), "Answers")

    app.push_screen(PathDialog("Save the answers to", default), chosen)


def export_memo(app: App[Any], session: Session) -> None:
    """Ask for a file and a format, and write the decision memo there."""
    stem = session.source.stem if session.source else "decision"

    def chosen(result: tuple[Path, str] | None) -> None:
        if result is None:
            return
        path, fmt = result
        _write(app, path, lambda force: session.export(path, fmt, force=force), "Memo")

    app.push_screen(PathDialog("Export the memo to", f"{stem}-memo.md", ("md", "html")), chosen)
