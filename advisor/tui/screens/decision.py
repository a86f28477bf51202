"""The main screen: sections in a sidebar, one form per section, and the decision forming live."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import (
    ContentSwitcher,
    Footer,
    Header,
    Input,
    Label,
    OptionList,
    Static,
    TextArea,
)

from advisor.core.base import numbers
from advisor.tui.messages import AboutChanged, AnswerGiven, QuestionFocused
from advisor.tui.session import Session, number_help
from advisor.tui.widgets.fields import QuestionField, SectionForm, TypedField, field_for
from advisor.tui.widgets.panel import DecisionPanel, SectionList

if TYPE_CHECKING:
    from advisor.tui.app import AdvisorApp

PREBUILD_AFTER = 0.2  # seconds after the screen is up before the other forms are built
EXPLORE_AT_LATEST = 0.5  # seconds: the search runs then even if the panel was not drawn (covered)


ABOUT_HELP = (
    "[b]About this decision[/b]: a title and the situation, for the memo. Then pick a section on "
    "the left (or ctrl+n for the next one) and answer what you know; leave out what you do not "
    "know: the advisor says what it assumed and which answers could still change the result. "
    "ctrl+l clears a field; escape goes back to the start screen (the answers are kept)."
)


class AboutForm(VerticalScroll):
    """The decision's title and the situation in a few words (the answers file's title and why)."""

    BINDINGS = [Binding("ctrl+l", "clear", "Clear", show=False)]

    def __init__(self, session: Session) -> None:
        super().__init__(id="form-about", classes="form")
        self.session = session

    def compose(self) -> ComposeResult:
        yield Label("About this decision", classes="section-title")
        yield Label("Title", classes="prompt")
        yield Input(
            value=self.session.title, placeholder="e.g. Support bot for our help desk", id="title"
        )
        yield Label("The situation, in a few sentences (optional)", classes="prompt")
        yield TextArea(self.session.why, id="why")

    def action_clear(self) -> None:
        """Clear the field with the cursor: the title, or the situation."""
        focused = self.screen.focused
        if isinstance(focused, Input):
            focused.value = ""
        elif isinstance(focused, TextArea):
            focused.clear()

    @on(Input.Changed, "#title")
    def _title(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(AboutChanged(title=event.value))

    @on(TextArea.Changed, "#why")
    def _why(self, event: TextArea.Changed) -> None:
        event.stop()
        self.post_message(AboutChanged(why=event.text_area.text))


class DecisionScreen(Screen[None]):
    """Answer the questionnaires and watch the recommendation change."""

    BINDINGS = [
        Binding("ctrl+n", "next_section", "Next section"),
        Binding("ctrl+r", "results", "Results"),
        Binding("ctrl+s", "save", "Save"),
        Binding("ctrl+o", "export", "Export memo"),
        Binding("escape", "start", "Start screen", show=False),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__(id="decision")
        self.session = session
        self.fields: dict[str, QuestionField] = {}  # the questions of the sections built so far
        self.built: set[str] = set()
        self._generation = 0  # counts changes: an exploration is for the latest one only

    def compose(self) -> ComposeResult:
        session = self.session
        yield Header()
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield SectionList(session)
                with VerticalScroll(id="panel-scroll"):
                    yield DecisionPanel(id="panel")
            with Vertical(id="right"):
                # Each section's form is built the first time it is shown: the screen comes up
                # without styling every question of every section first.
                with ContentSwitcher(initial="form-about", id="forms"):
                    yield AboutForm(session)
                yield Static("", id="help")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "advisor"
        self._refresh()
        self.query_one("#help", Static).update(ABOUT_HELP)
        # Keys typed at once land in the first field (the title), not in the section list.
        self.query_one("#title", Input).focus()
        # The other sections' forms are built one at a time once the screen is up, so that the
        # first screen comes quickly and a section is ready by the time someone goes to it.
        self.set_timer(PREBUILD_AFTER, self._build_next)

    def _build_next(self) -> None:
        waiting = [s.id for s in self.session.registry.sections if s.id not in self.built]
        if waiting:
            self._form(waiting[0])
            self.call_after_refresh(self._build_next)

    # What the user does ---------------------------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#sections")
    def _section(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id:
            self.show_section(event.option.id)

    @on(OptionList.OptionSelected, "#sections")
    def _enter_section(self, event: OptionList.OptionSelected) -> None:
        """Enter on a section: show it and put the cursor on its first question."""
        if event.option.id:
            self.show_section(event.option.id)
            self.call_after_refresh(self.focus_form, event.option.id)

    def _form(self, section_id: str) -> None:
        """Build a section's form, if it is not built yet."""
        if section_id == "about" or section_id in self.built:
            return
        self.built.add(section_id)
        switcher = self.query_one("#forms", ContentSwitcher)
        section = self.session.registry.section(section_id)
        values = self.session.values
        fields = [field_for(q, values.get(q.qid)) for q in section.questions]
        for field in fields:
            field.display = self.session.visible(field.q)
        self.fields.update({f.q.qid: f for f in fields})
        form = SectionForm(section.title, fields, section.id)
        form.display = False  # shown when it becomes the switcher's current form
        switcher.mount(form)

    def show_section(self, section_id: str) -> None:
        self._form(section_id)
        switcher = self.query_one("#forms", ContentSwitcher)
        if switcher.current != f"form-{section_id}":
            self.query_one("#help", Static).update(self._section_help(section_id))
        switcher.current = f"form-{section_id}"
        sections = self.query_one(SectionList)
        index = sections.get_option_index(section_id)
        if sections.highlighted != index:
            # Moved here, not by the user in the list: no OptionHighlighted to come back later
            # and show the section again after a quicker key has moved on (ctrl+n ctrl+n).
            with sections.prevent(OptionList.OptionHighlighted):
                sections.highlighted = index

    def _section_help(self, section_id: str) -> str:
        """The help box for a section before a question is chosen: what the section is about."""
        if section_id == "about":
            return ABOUT_HELP
        section = self.session.registry.section(section_id)
        text = f"[b]{escape(section.title)}[/b]"
        if section.description:
            text += ": " + escape(" ".join(section.description.split()))
        return text + "\nTab moves through the questions; ctrl+l clears an answer."

    def action_next_section(self) -> None:
        order = ["about", *(s.id for s in self.session.registry.sections)]
        current = (self.query_one("#forms", ContentSwitcher).current or "form-about")[5:]
        following = order[(order.index(current) + 1) % len(order)]
        self.show_section(following)
        self.call_after_refresh(self.focus_form, following)

    def focus_form(self, section_id: str) -> None:
        """Put the cursor on the first question of a section that is asked."""
        form = self.query_one(f"#form-{section_id}")
        form.scroll_home(animate=False)
        for widget in form.query("#control, #title"):
            if widget.focusable and widget.parent is not None and self._shown(widget):
                widget.focus(scroll_visible=False)  # the first question is at the top
                return

    @staticmethod
    def _shown(widget: Any) -> bool:
        node = widget
        while node is not None:
            if not getattr(node, "display", True):
                return False
            node = node.parent
        return True

    def on_answer_given(self, message: AnswerGiven) -> None:
        self._apply(message.qid, message.raw)

    def _apply(self, qid: str, raw: Any) -> None:
        """Take an answer given in a field: into the session, or refused in place."""
        field = self.fields[qid]
        try:
            value = self.session.answer(qid, raw)
        except ValueError as exc:
            previous = self.session.values.get(qid)
            kept = (
                "the question stays unanswered"
                if previous is None
                else f"the advisor still uses {numbers.number(previous)}"
            )
            field.show_error(f"{exc}. Not taken: {kept}.")
            return
        field.show_error(None)
        field.show_state(value)
        self._refresh()

    def on_about_changed(self, message: AboutChanged) -> None:
        self.session.set_about(message.title, message.why)
        self.sub_title = self.session.title

    def on_question_focused(self, message: QuestionFocused) -> None:
        q = self.session.registry.questions[message.qid]
        parts = [f"[b]Why this matters[/b]: {escape(q.why)}"]
        if q.help:
            parts.append(escape(q.help))
        if q.type in ("int", "number"):
            parts.append(escape(number_help(q)))
        self.query_one("#help", Static).update("\n".join(parts))

    # Keeping the screen up to date -------------------------------------------------------------

    def _refresh(self) -> None:
        """After a change: the decision, the sections' progress, which questions are asked. The
        ranking is shown at once; what could change it (the flips, the unknowns, the confidence)
        is worked out once the screen has been drawn, unless another change came first."""
        session = self.session
        self._generation += 1
        generation = self._generation
        panel = self.query_one(DecisionPanel)
        panel.show(session.quick, session.registry.questions)
        if not session.explored:
            # Textual runs a callback "after the refresh" once the screen's own queue is idle,
            # which can come before the panel (a widget with a queue of its own) has told the
            # screen it changed: the panel says when its new text has been drawn instead.
            panel.when_drawn(lambda: self._explore(generation))
            self.set_timer(EXPLORE_AT_LATEST, lambda: self._explore(generation))
        self.query_one(SectionList).refresh_progress()
        for field in self.fields.values():
            shown = session.visible(field.q)
            if field.display != shown:
                field.display = shown
        self.sub_title = session.title

    def _explore(self, generation: int) -> None:
        if generation != self._generation or self.session.explored:
            return  # a later change is on its way, or it is done
        self.query_one(DecisionPanel).show(self.session.decision, self.session.registry.questions)

    def set_answers(self) -> None:
        """Show the session's answers in every field (after a what-if was applied, say)."""
        for qid, field in self.fields.items():
            value = self.session.values.get(qid)
            field.set_value(value)
            field.show_state(value)
            field.show_error(None)
        self._refresh()

    def take_typed(self) -> None:
        """Take what is typed and not yet taken (a number still being written when the user
        saves, exports, looks at the results or leaves)."""
        for qid, field in self.fields.items():
            if isinstance(field, TypedField) and field.pending:
                self._apply(qid, field.take(post=False))

    def action_results(self) -> None:
        from advisor.tui.screens.results import ResultsScreen

        self.take_typed()
        self.app.push_screen(ResultsScreen(self.session))

    def action_save(self) -> None:
        from advisor.tui.screens.dialogs import save_answers

        self.take_typed()
        save_answers(self.app, self.session)

    def action_save_as(self) -> None:
        from advisor.tui.screens.dialogs import save_answers

        self.take_typed()
        save_answers(self.app, self.session, ask=True)

    def action_export(self) -> None:
        from advisor.tui.screens.dialogs import export_memo

        self.take_typed()
        export_memo(self.app, self.session)

    def action_start(self) -> None:
        """Back to the start screen; the answers stay in the autosave, offered there to resume."""
        app: AdvisorApp = self.app  # type: ignore[assignment]
        self.take_typed()
        app.to_start()
