"""The terminal UI: an app built by a factory that is handed the registry and cost catalogue."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from advisor.errors import InputError
from advisor.tui.autosave import Autosave
from advisor.tui.session import Session

if TYPE_CHECKING:
    from advisor.core.answers.document import AnswersFile
    from advisor.core.decision.registry import Registry
    from advisor.costs.catalogue import Catalogue

DARK, LIGHT = "textual-dark", "textual-light"


class AdvisorApp(App[None]):
    """Walks a team through the questionnaires while the decision forms beside them."""

    CSS_PATH = "app.tcss"
    TITLE = "advisor"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", priority=True)]

    def __init__(
        self,
        registry: Registry,
        catalogue: Catalogue,
        *,
        answers: AnswersFile | None = None,
        examples: dict[str, Any] | None = None,
        autosave: Autosave | None = None,
    ) -> None:
        super().__init__()
        self.registry = registry
        self.catalogue = catalogue
        self.initial = answers
        self.examples = examples or {}
        self.autosave = autosave or Autosave()
        self.session: Session | None = None

    def on_mount(self) -> None:
        for fault in self.registry.faults:  # a plugin's problem is said, and the rest work
            self.notify(fault.render(), title="Plugin problem", severity="warning", timeout=12)
        if self.initial is not None:
            self._open_initial(self.initial)
            return
        self.push_screen(self._start_screen())

    def _start_screen(self) -> Screen[None]:
        from advisor.tui.screens.start import StartScreen

        saved = self.autosave.sessions(self.registry)
        return StartScreen(self.examples, [(s.name, s.label) for s in saved])

    def to_start(self) -> None:
        """Leave the decision for the start screen (its answers stay in the autosave)."""
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.session = None
        self.switch_screen(self._start_screen())

    async def action_quit(self) -> None:
        """Quit, taking what is typed first, and say where unsaved answers are kept."""
        from advisor.tui.screens.decision import DecisionScreen

        for screen in self.screen_stack:
            if isinstance(screen, DecisionScreen):
                screen.take_typed()
        self.exit(message=self.farewell())

    def farewell(self) -> str | None:
        """What to tell the user as the app closes: where the answers not saved to a file are."""
        session = self.session
        if session is None or not session.dirty or session.autosave is None:
            return None
        kept = session.autosave.path(session.autosave_name)
        again = (
            f"`advisor tui {session.source}` asks to take them up"
            if session.source is not None
            else "`advisor` offers them first on its start screen"
        )
        return (
            f"Your answers are not saved to a file yet. They are kept in {kept}: {again}, and "
            "ctrl+s there saves them."
        )

    def _open_initial(self, answers: AnswersFile) -> None:
        """Open a file given on the command line; if a session on it was left unsaved (a crash, a
        quit without saving), ask whether to take up those changes first."""
        from advisor.tui.autosave import name_for
        from advisor.tui.screens.dialogs import Confirm

        source = answers.path
        saved = None
        if source is not None and not str(source).startswith("example:"):
            saved = self.autosave.read(self.registry, name_for(source, ""))
        if saved is None:
            self.begin(answers)
            return
        when = saved.saved.replace("T", " ")

        def answer(yes: bool | None) -> None:
            if yes:
                self.resume(saved.name)
            else:
                self.begin(answers)

        self.push_screen(
            Confirm(
                f"Changes to {source} made on {when} were not saved (the session ended before "
                "they were). Take them up again? No opens the file as it is on disk and keeps "
                "the changes aside until you change something."
            ),
            answer,
        )

    # Starting a session --------------------------------------------------------------------------

    def begin(self, answers: AnswersFile | None) -> None:
        """Open the decision screen on these answers (None: a blank decision)."""
        from advisor.tui.screens.decision import DecisionScreen

        self.session = Session.open(self.registry, self.catalogue, answers, self.autosave)
        screen = DecisionScreen(self.session)
        if isinstance(self.screen, Screen) and self.screen.id == "start":
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def begin_example(self, name: str) -> None:
        from advisor.core.answers.document import parse_answers

        text = self.examples[name].read_text(encoding="utf-8")
        self.begin(parse_answers(text, self.registry, Path(f"example:{name}")))

    def open_file(self, path: Path) -> None:
        from advisor.core.answers.document import load_answers

        try:
            answers = load_answers(path, self.registry)
        except InputError as exc:
            self.notify(str(exc), title="Cannot open", severity="error", timeout=10)
            return
        self.begin(answers)

    def resume(self, name: str | None = None) -> None:
        """Take up an autosaved session (the newest without ``name``), and the file it came from,
        so that saving it keeps that file's comments."""
        from advisor.core.answers.document import load_answers

        saved = self.autosave.read(self.registry, name)
        if saved is None:
            self.notify("the autosaved session could not be read", severity="error")
            return
        answers = saved.answers
        answers.path = saved.source  # not the autosave file: the answers file, if there is one
        if saved.source is not None and saved.source.is_file():
            try:
                original = load_answers(saved.source, self.registry)
            except InputError:
                original = None
            if original is not None:
                original.values = answers.values
                original.title, original.why = answers.title, answers.why
                answers = original
        self.begin(answers)
        if self.session is not None:
            self.session.dirty = True
            if saved.source is None:
                self.session.started = saved.name.removeprefix("new-")

    # The command palette --------------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Toggle dark and light", "Switch the colour theme", self.action_toggle_theme
        )
        from advisor.tui.screens.decision import DecisionScreen

        decision = next((s for s in self.screen_stack if isinstance(s, DecisionScreen)), None)
        if decision is None:
            return
        yield SystemCommand(
            "Results", "Rules, costs, flips and when to revisit (ctrl+r)", decision.action_results
        )
        yield SystemCommand(
            "Save the answers", "Write the answers file (ctrl+s)", decision.action_save
        )
        yield SystemCommand(
            "Save the answers as...",
            "Write the answers to another file",
            decision.action_save_as,
        )
        yield SystemCommand(
            "Start screen", "Leave this decision; its answers are kept (escape)", self.to_start
        )
        yield SystemCommand(
            "Export the memo", "Markdown or HTML decision memo (ctrl+o)", decision.action_export
        )
        yield SystemCommand(
            "What if...", "Change one answer and compare, keeping the original", self.action_whatif
        )
        yield SystemCommand(
            "Go to: About this decision", "Title and situation", lambda: self._goto("about")
        )
        for section in self.registry.sections:
            yield SystemCommand(
                f"Go to: {section.title}",
                f"the {section.id} questions",
                lambda sid=section.id: self._goto(sid),
            )

    def _goto(self, section_id: str) -> None:
        from advisor.tui.screens.decision import DecisionScreen

        while not isinstance(self.screen, DecisionScreen) and len(self.screen_stack) > 1:
            self.pop_screen()
        if isinstance(self.screen, DecisionScreen):
            self.screen.show_section(section_id)

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT if self.theme == DARK else DARK

    def action_whatif(self) -> None:
        from advisor.tui.screens.results import ResultsScreen

        if self.session is None:
            return
        if not isinstance(self.screen, ResultsScreen):
            self.push_screen(ResultsScreen(self.session))
        self.call_after_refresh(lambda: self.screen.show_tab("whatif"))  # type: ignore[attr-defined]


# The app, handed what it needs: the registry of plugins' contributions and the catalogue (the
# command line and the tests build it by this name).
make_app = AdvisorApp
