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


ANSWERS_SUFFIXES = (".yaml", ".yml", ".json")


def _same(a: Path, b: Path | None) -> bool:
    return b is not None and a.expanduser().resolve() == b.expanduser().resolve()


def _write(app: App[Any], path: Path, write: Any, what: str, own: Path | None = None) -> None:
    """Write through ``write(force)``, asking first when the file exists, unless it is ``own``
    (the file being edited, which saving is meant to replace)."""

    def done(force: bool) -> None:
        try:
            write(force)
        except AdvisorError as exc:
            app.notify(str(exc), title="Not written", severity="error", timeout=8)
            return
        app.notify(f"{what} written to {path}", title="Written")

    if path.exists() and not _same(path, own):

        def answer(yes: bool | None) -> None:
            if yes:
                done(True)
            else:
                app.notify(f"{path} left as it was", title="Not written")

        app.push_screen(Confirm(f"{path} exists. Replace it?"), answer)
    else:
        done(path.exists())


def save_answers(app: App[Any], session: Session, *, ask: bool = False) -> None:
    """Save the answers: straight into the answers file they came from (its comments kept), or,
    for a new decision, one opened from a memo, or with ``ask``, where the user says."""
    source = session.source
    if not ask and source is not None and source.suffix.lower() in ANSWERS_SUFFIXES:
        _write(app, source, lambda force: session.save(source, force=force), "Answers", source)
        return
    default = str(source) if source else "answers.yaml"
    if source is not None and source.suffix.lower() not in ANSWERS_SUFFIXES:
        default = str(source.with_suffix(".yaml"))

    def chosen(result: tuple[Path, str] | None) -> None:
        if result is None:
            return
        path = result[0]
        _write(app, path, lambda force: session.save(path, force=force), "Answers", source)

    app.push_screen(PathDialog("Save the answers to", default), chosen)


def memo_default(session: Session, here: Path | None = None) -> Path:
    """Where a memo goes unless the user says otherwise: the next numbered record in
    docs/decisions/ when the folder is there (where `advisor log` looks), else beside the answers
    file, else in the current folder."""
    from advisor.core.records.log import DECISIONS_DIR, next_record

    here = here or Path.cwd()
    folder = here / DECISIONS_DIR
    if folder.is_dir():
        title = session.title or (session.source.stem if session.source else "decision")
        return next_record(folder, title, ".md").relative_to(here)
    stem = session.source.stem if session.source else "decision"
    beside = session.source.parent if session.source else Path()
    return beside / f"{stem}-memo.md"


def export_memo(app: App[Any], session: Session) -> None:
    """Ask for a file and a format, and write the decision memo there."""

    def chosen(result: tuple[Path, str] | None) -> None:
        if result is None:
            return
        path, fmt = result
        _write(app, path, lambda force: session.export(path, fmt, force=force), "Memo")

    app.push_screen(
        PathDialog("Export the memo to", str(memo_default(session)), ("md", "html")), chosen
    )
