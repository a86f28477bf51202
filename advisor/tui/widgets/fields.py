"""One widget per question, fitting its type, and the form that holds a section's questions.

Choices are a Select, several choices a SelectionList, yes/no a Switch (with a way back to "not
answered"), numbers an Input that reads 2M, 1e6 and 2,000,000 and shows the unit. Each field posts
:class:`AnswerGiven` when the user changes it and shows, in place, why a value was refused.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import DescendantFocus
from textual.timer import Timer
from textual.widgets import Input, Label, Select, SelectionList, Static, Switch

from advisor.core.answers.questionnaire import Question
from advisor.core.base import numbers
from advisor.tui.messages import AnswerGiven, QuestionFocused
from advisor.tui.session import number_hint


class QuestionField(Vertical):
    """A question: its prompt, its control, and a line for what went wrong."""

    DEFAULT_CSS = """
    QuestionField { height: auto; margin: 0 0 1 0; }
    QuestionField .prompt { text-style: bold; width: 1fr; }
    QuestionField .error { color: $error; display: none; }
    QuestionField.invalid .error { display: block; }
    QuestionField .state { color: $text-muted; }
    QuestionField .state.empty { display: none; }
    QuestionField SelectionList { height: auto; max-height: 10; }
    """

    BINDINGS = [Binding("ctrl+l", "clear", "Clear answer", show=False)]

    def __init__(self, q: Question, value: Any) -> None:
        super().__init__(id=f"q-{q.qid.replace('.', '-')}", classes="question")
        self.q = q
        self.initial = value

    def compose(self) -> ComposeResult:
        yield Static(self.q.prompt, classes="prompt")
        yield from self.control()
        yield Static("", classes="state")
        yield Static("", classes="error")

    def control(self) -> ComposeResult:
        """The control for this kind of question (each subclass gives its own)."""
        raise NotImplementedError

    def on_mount(self) -> None:
        self.show_state(self.initial)

    def show_state(self, value: Any) -> None:
        """Under the control: the default that applies when the question is left unanswered."""
        default = self.q.default
        text = ""
        if value is None and default is not None:
            text = f"not answered: the advisor assumes {numbers.number(default)}"
        state = self.query_one(".state", Static)
        state.update(text)
        state.set_class(not text, "empty")

    def show_error(self, message: str | None) -> None:
        self.set_class(message is not None, "invalid")
        self.query_one(".error", Static).update(message or "")

    def give(self, raw: Any) -> None:
        self.post_message(AnswerGiven(self.q.qid, raw))

    def set_value(self, value: Any) -> None:
        """Show ``value`` in the control without posting a change (each subclass gives its own)."""
        raise NotImplementedError

    def action_clear(self) -> None:
        self.set_value(None)
        self.give(None)

    def _on_descendant_focus(self, event: DescendantFocus) -> None:
        self.post_message(QuestionFocused(self.q.qid))


class ChoiceField(QuestionField):
    def on_mount(self) -> None:
        super().on_mount()
        self.watch(self.query_one("#control", Select), "expanded", self._menu, init=False)

    def _menu(self, expanded: bool) -> None:
        """While its list is open the help box's text is hidden: the list may be drawn over part
        of it, and what shows beside the list would read as stray characters. The class is set
        on the help box alone: on the screen, it would restyle every widget of the screen each
        time a list opens or closes (about 150 ms in a real terminal)."""
        for box in self.screen.query("#help"):
            box.set_class(expanded, "menu-open")

    def control(self) -> ComposeResult:
        options = [(c.label or c.value, c.value) for c in self.q.choices]
        value = self.initial if self.initial in self.q.choice_values else Select.NULL
        yield Select(options, value=value, prompt="not answered", id="control", compact=True)

    @on(Select.Changed, "#control")
    def _changed(self, event: Select.Changed) -> None:
        event.stop()
        self.give(None if event.value is Select.NULL else event.value)

    def set_value(self, value: Any) -> None:
        select = self.query_one("#control", Select)
        with select.prevent(Select.Changed):
            select.value = value if value in self.q.choice_values else Select.NULL


class CatalogueField(ChoiceField):
    """A choice from a catalogue (hosted models, open models): the shortlist in a Select, and a
    line to name any other model, which lists the matches as it is typed; Enter takes the name
    typed when the catalogue knows it, else the first match."""

    DEFAULT_CSS = """
    CatalogueField #other { margin: 0 0 0 0; }
    CatalogueField .matches { color: $text-muted; }
    CatalogueField .matches.empty { display: none; }
    """

    def control(self) -> ComposeResult:
        options = [(c.label or c.value, c.value) for c in self.q.choices]
        value: Any = Select.NULL
        if self.initial is not None:
            if self.initial not in self.q.choice_values:
                options.append((self._label(self.initial), self.initial))
            value = self.initial
        yield Select(options, value=value, prompt="not answered", id="control", compact=True)
        yield Input(placeholder=self._hint(), id="other", compact=True)
        yield Static("", classes="matches empty")

    def _hint(self) -> str:
        if self.q.values_from == "hosted_models":
            return "or another model: provider:model, or words to search (Enter takes it)"
        return "or another open model: its id, or words to search (Enter takes it)"

    def _label(self, value: str) -> str:
        try:
            return catalogue_label(self.q.values_from, value)
        except (KeyError, LookupError, ValueError):
            return value

    def _matches(self, text: str) -> list[tuple[str, str]]:
        return catalogue_search(self.q.values_from, text)

    @on(Input.Changed, "#other")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        found = self._matches(event.value) if len(event.value.strip()) >= 2 else []
        shown = "; ".join(f"{label} ({name})" for name, label in found[:5])
        matches = self.query_one(".matches", Static)
        matches.update(("matches: " + shown) if shown else "")
        matches.set_class(not shown, "empty")

    @on(Input.Submitted, "#other")
    def _take(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            return
        try:
            chosen = self.q.coerce(text)
        except ValueError:
            found = self._matches(text)
            if not found:
                self.show_error(f"no model matches {text!r}")
                return
            chosen = found[0][0]
        self.set_value(chosen)
        event.input.value = ""
        self.give(chosen)

    def set_value(self, value: Any) -> None:
        select = self.query_one("#control", Select)
        with select.prevent(Select.Changed):
            if value is None:
                select.value = Select.NULL
                return
            known = [(c.label or c.value, c.value) for c in self.q.choices]
            if value not in self.q.choice_values:
                known.append((self._label(value), value))
            select.set_options(known)
            select.value = value


def catalogue_label(source: str | None, value: str) -> str:
    """What a model named in a catalogue choice is called."""
    if source == "hosted_models":
        from advisor.costs import hosted

        return f"{hosted.resolve(value).label} ({value})"
    from advisor.costs import capacity

    return f"{capacity.architecture(value).name} ({value})"


def catalogue_search(source: str | None, text: str) -> list[tuple[str, str]]:
    """(name to write, label) of the models matching every word of ``text``."""
    words = text.lower().split()
    if not words:
        return []
    if source == "hosted_models":
        from advisor.costs import hosted

        return [(m.ref, m.label) for m in hosted.search(text, limit=8)]
    from advisor.costs import capacity

    return [
        (a.id, a.name)
        for a in capacity.architectures().values()
        if all(w in f"{a.id} {a.name}".lower() for w in words)
    ]


class MultiField(QuestionField):
    def control(self) -> ComposeResult:
        chosen = set(self.initial or [])
        items = [(c.label or c.value, c.value, c.value in chosen) for c in self.q.choices]
        yield SelectionList[str](*items, id="control", compact=True)

    @on(SelectionList.SelectedChanged, "#control")
    def _changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        event.stop()
        self.give(list(event.selection_list.selected))

    def set_value(self, value: Any) -> None:
        widget = self.query_one("#control", SelectionList)
        with widget.prevent(SelectionList.SelectedChanged):
            widget.deselect_all()
            for item in value or []:
                widget.select(item)


class BoolField(QuestionField):
    """A switch; until it is touched (or after ctrl+l) the question stays unanswered."""

    def control(self) -> ComposeResult:
        with Horizontal(classes="switch-row"):
            yield Switch(bool(self.initial), id="control", animate=False)
            yield Label(self._word(self.initial), id="word")

    @staticmethod
    def _word(value: Any) -> str:
        return "not answered" if value is None else ("yes" if value else "no")

    @on(Switch.Changed, "#control")
    def _changed(self, event: Switch.Changed) -> None:
        event.stop()
        self.query_one("#word", Label).update(self._word(event.value))
        self.give(event.value)

    def set_value(self, value: Any) -> None:
        switch = self.query_one("#control", Switch)
        with switch.prevent(Switch.Changed):
            switch.value = bool(value)
        self.query_one("#word", Label).update(self._word(value))


class TypedField(QuestionField):
    """A question answered by typing. What is typed becomes the answer when it is complete: on
    Enter, on leaving the field, or after a pause in the typing (PAUSE), so that "3" on the way to
    "3M" is never taken for an answer."""

    PAUSE = 1.2  # seconds without a keystroke after which what is typed is taken

    def __init__(self, q: Question, value: Any) -> None:
        super().__init__(q, value)
        self._taken = self._shown(value)  # the text last given as the answer
        self._timer: Timer | None = None

    @staticmethod
    def _shown(value: Any) -> str:
        return "" if value is None else numbers.number(value)

    def control(self) -> ComposeResult:
        yield Input(value=self._taken, id="control", compact=True)

    @property
    def pending(self) -> bool:
        """Whether something typed has not been taken yet (never, before the field is drawn)."""
        controls = self.query("#control").results(Input)
        control = next(iter(controls), None)
        return control is not None and control.value != self._taken

    @on(Input.Changed, "#control")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(self.PAUSE, self.take) if self.pending else None

    @on(Input.Submitted, "#control")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.take()

    @on(Input.Blurred, "#control")
    def _left(self, event: Input.Blurred) -> None:
        self.take()

    def take(self, post: bool = True) -> str:
        """Give what is typed as the answer, if it changed since it was last given; with
        ``post`` False the caller applies it (at once, before a save), and nothing is posted."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        text = self.query_one("#control", Input).value
        if text != self._taken:
            self._taken = text
            if post:
                self.give(text)
        return text

    def set_value(self, value: Any) -> None:
        field = self.query_one("#control", Input)
        self._taken = self._shown(value)
        with field.prevent(Input.Changed):
            field.value = self._taken


class NumberField(TypedField):
    """A number, read as people write it (2M, 1.5k, 3 s for a question in ms, 30% for a share);
    under it, what was taken when that differs from what was typed."""

    def control(self) -> ComposeResult:
        with Horizontal(classes="number-row"):
            placeholder = number_hint(self.q)
            yield Input(value=self._taken, placeholder=placeholder, id="control", compact=True)
            if self.q.unit:
                yield Label(self.q.unit, classes="unit")

    def show_state(self, value: Any) -> None:
        super().show_state(value)
        if value is None or not self.is_mounted:
            return
        typed = self.query_one("#control", Input).value.strip()
        if typed and not _plainly(typed, value):
            unit = f" {self.q.unit}" if self.q.unit else ""
            state = self.query_one(".state", Static)
            state.update(f"taken as {numbers.number(value)}{unit}")
            state.set_class(False, "empty")


def _plainly(typed: str, value: Any) -> bool:
    """Whether what was typed is the number itself (``3000``, ``3,000``), which needs no "taken
    as" under it, rather than a short form or another unit (``3k``, ``3 s``)."""
    try:
        return float(typed.replace(",", "").replace("_", "").replace(" ", "")) == float(value)
    except ValueError:
        return False


class TextField(TypedField):
    pass


FIELDS: dict[str, type[QuestionField]] = {
    "choice": ChoiceField,
    "multi_choice": MultiField,
    "bool": BoolField,
    "int": NumberField,
    "number": NumberField,
    "text": TextField,
}


def field_for(q: Question, value: Any) -> QuestionField:
    if q.values_from is not None:
        return CatalogueField(q, value)
    return FIELDS[q.type](q, value)


class SectionForm(VerticalScroll):
    """The questions of one section; hidden ones are not shown."""

    DEFAULT_CSS = """
    SectionForm { padding: 0 1; }
    SectionForm .section-title { text-style: bold; color: $accent; margin: 0 0 1 0; }
    """

    def __init__(self, title: str, fields: list[QuestionField], section_id: str) -> None:
        super().__init__(id=f"form-{section_id}", classes="form")
        self.title = title
        self.fields = fields

    def compose(self) -> ComposeResult:
        yield Label(self.title, classes="section-title")
        yield from self.fields
