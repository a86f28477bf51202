"""The first screen: resume an autosaved session, start blank or from an example, or open a file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from advisor.tui.app import AdvisorApp

RESUMABLE = 5  # unsaved sessions offered, newest first

INTRO = (
    "Decide how your product should use a large language model: call a hosted API, host an open "
    "model yourselves, or fine-tune one. Answer what you know; the recommendation, its reasons "
    "and its costs change as you go. Everything you type is saved as you type it."
)


class StartScreen(Screen[None]):
    """Choose how to begin."""

    def __init__(self, examples: dict[str, Any], resumable: list[tuple[str, str]]) -> None:
        super().__init__(id="start")
        self.examples = examples
        self.resumable = resumable  # (autosave name, what to show), newest first

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="start-box"):
            yield Static("[b]advisor[/b]: adopting a large language model", id="start-title")
            yield Static(INTRO, id="intro")
            options = []
            for i, (name, label) in enumerate(self.resumable[:RESUMABLE]):
                lead = "Resume where you stopped" if i == 0 else "Resume"
                options.append(Option(f"{lead}: {label}", id=f"resume:{name}"))
            options += [
                Option(f"Try an example: {name}", id=f"example:{name}") for name in self.examples
            ]
            options += [
                Option("New decision, blank", id="blank"),
                Option("Open an answers file or memo...", id="open"),
            ]
            yield OptionList(*options, id="choices")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "advisor"
        self.query_one("#choices", OptionList).focus()

    @on(OptionList.OptionSelected, "#choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        app: AdvisorApp = self.app  # type: ignore[assignment]
        choice = event.option.id or ""
        if choice.startswith("resume:"):
            app.resume(choice.split(":", 1)[1])
        elif choice == "blank":
            app.begin(None)
        elif choice.startswith("example:"):
            app.begin_example(choice.split(":", 1)[1])
        elif choice == "open":
            from advisor.tui.screens.dialogs import PathDialog

            def opened(result: tuple[Path, str] | None) -> None:
                if result is not None:
                    app.open_file(result[0])

            app.push_screen(PathDialog("Open an answers file or memo", "answers.yaml"), opened)
