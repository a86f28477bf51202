"""Results: the EXPLAIN table of rules, the costs with a chart, the flips and revisit date, what-if.

The screen lays out the tabs and acts on them; what each shows is built in ``results_tabs``.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import (
    Button,
    DataTable,
    Footer,
    Header,
    Input,
    Label,
    Select,
    SelectionList,
    Static,
    TabbedContent,
    TabPane,
    Tabs,
)

from advisor.core.base import labels
from advisor.core.base.numbers import points
from advisor.tui.screens.results_tabs import (
    comparison,
    cost_chart,
    cost_table,
    flips_text,
    rule_text,
    value_control,
)
from advisor.tui.session import Session

CODE_WIDTH, OPTION_WIDTH, POINTS_WIDTH = 8, 16, 6  # the rule table's narrow columns


class RuleDetail(ModalScreen[None]):
    """One rule: what it checks, why, where that comes from, and what it found here."""

    BINDINGS = [Binding("escape", "close", "Close"), Binding("enter", "close", "Close", show=False)]

    def __init__(self, text: Text) -> None:
        super().__init__(classes="dialog")
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="box wide"):
            yield Static(self.text)
            yield Button("Close", id="close")

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)


class ResultsScreen(Screen[None]):
    """Everything behind the recommendation, in tabs."""

    BINDINGS = [
        Binding("escape", "back", "Back to the questions"),
        Binding("1", "tab('rules')", "Tabs", key_display="1-4"),  # one entry in the footer
        Binding("2", "tab('costs')", "Costs", show=False),
        Binding("3", "tab('flips')", "Flips", show=False),
        Binding("4", "tab('whatif')", "What if", show=False),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__(id="results")
        self.session = session
        self.decision = session.decision
        self._fill_width = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="tabs"):
            with TabPane("Rules", id="rules"):
                yield Input(
                    placeholder="filter: a code, an option, a word", id="filter", compact=True
                )
                yield DataTable(id="rule-table", cursor_type="row", zebra_stripes=True)
            with TabPane("Costs", id="costs"), VerticalScroll(classes="reading"):
                yield Static(id="cost-table")
                yield Static(id="cost-chart")
            with TabPane("Flips and revisit", id="flips"), VerticalScroll(classes="reading"):
                yield Static(id="flip-text")
            with TabPane("What if", id="whatif"), VerticalScroll(id="whatif-pane"):
                yield Label("Change one answer; the original stays as it is.")
                yield Select(self._questions(), prompt="the question to change", id="wi-question")
                yield Static("", id="wi-hint")
                yield Vertical(id="wi-value-box")
                with Horizontal(classes="buttons"):
                    yield Button("Compare", id="wi-compare", variant="primary")
                    yield Button("Keep this change", id="wi-apply")
                yield Static("", id="wi-result")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "advisor: results"
        self.sub_title = self.session.title
        self.query_one("#whatif-pane").can_focus = False  # its fields take the focus, not it
        self._fill_rules("")
        self._show_costs()
        self._show_flips()
        # The tab bar has the focus first: left and right switch tabs, 1 to 4 go straight to one.
        self.query_one("#tabs", TabbedContent).query_one(Tabs).focus()

    def on_resize(self) -> None:
        if self._fill_width and self._fill_width != self._reason_width():
            self._fill_rules(self.query_one("#filter", Input).value)

    def show_tab(self, tab: str) -> None:
        self.query_one("#tabs", TabbedContent).active = tab

    def action_tab(self, tab: str) -> None:
        self.show_tab(tab)

    def action_back(self) -> None:
        self.app.pop_screen()

    # Rules --------------------------------------------------------------------------------------

    def _rows(self) -> list[tuple[str, str, str, str, str]]:
        """Every finding of every rule that fired, then the quiet rules with when they fire."""
        rows, quiet = [], []
        options = self.decision.options
        for result in self.decision.results:
            rule = result.rule
            if result.findings:
                for f in result.findings:
                    shown = points(f.points) if f.kind == "points" else f.kind
                    option = labels.option(options, f.option) if f.option else "-"
                    rows.append((rule.code, option, shown, f.because, rule.code))
            elif result.error:
                rows.append((rule.code, "-", "error", result.error, rule.code))
            else:
                quiet.append((rule.code, "-", "quiet", f"fires when {rule.fires_when}", rule.code))
        return rows + quiet

    def _reason_width(self) -> int:
        """The reason column's width: what the screen leaves after the other columns, so that a
        reason wraps onto more lines instead of being cut."""
        return max(24, self.app.size.width - CODE_WIDTH - OPTION_WIDTH - POINTS_WIDTH - 12)

    def _fill_rules(self, text: str) -> None:
        table = self.query_one("#rule-table", DataTable)
        width = self._reason_width()
        if width != self._fill_width:
            table.clear(columns=True)
            table.add_column("code", width=CODE_WIDTH)
            table.add_column("option", width=OPTION_WIDTH)
            table.add_column("points", width=POINTS_WIDTH)
            table.add_column("reason, or when it fires", width=width)
            self._fill_width = width
        else:
            table.clear()
        words = text.lower().split()
        for i, row in enumerate(self._rows()):
            haystack = " ".join(row[:4]).lower()
            if all(w in haystack for w in words):
                cells = [Text(cell) for cell in row[:4]]
                table.add_row(*cells, key=f"{row[4]}:{i}", height=None)

    @on(Input.Changed, "#filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill_rules(event.value)

    @on(DataTable.RowSelected, "#rule-table")
    def _open_rule(self, event: DataTable.RowSelected) -> None:
        code = str(event.row_key.value).split(":", 1)[0]
        self.app.push_screen(RuleDetail(rule_text(self.session, self.decision, code)))

    # Costs --------------------------------------------------------------------------------------

    def _show_costs(self) -> None:
        width = self._width()
        self.query_one("#cost-table", Static).update(cost_table(self.session, self.decision, width))
        self.query_one("#cost-chart", Static).update(cost_chart(self.session, self.decision, width))

    def _width(self) -> int:
        """The width to lay text out in: the terminal's, less the scroll bar and a margin."""
        return max(60, self.app.size.width - 4)

    # Flips and revisit ---------------------------------------------------------------------------

    def _show_flips(self) -> None:
        self.query_one("#flip-text", Static).update(flips_text(self.session, self.decision))

    # What if ------------------------------------------------------------------------------------

    def _questions(self) -> list[tuple[str, str]]:
        """The questions to pick from, by section and prompt, in the questionnaire's order."""
        return [
            (f"{section.title}: {q.prompt}", q.qid)
            for section in self.session.registry.sections
            for q in section.questions
        ]

    @on(Select.Changed, "#wi-question")
    async def _pick(self, event: Select.Changed) -> None:
        """A question picked: say what it is now and offer a control fitting its kind (a list of
        its answers for a choice or a yes/no question, a field to type a number in)."""
        box = self.query_one("#wi-value-box", Vertical)
        await box.remove_children()
        if event.value is Select.NULL:
            self.query_one("#wi-hint", Static).update("")
            return
        q = self.session.registry.questions[str(event.value)]
        now = self.session.values.get(q.qid)
        questions = self.session.registry.questions
        shown = labels.value(questions, q.qid, now) if now is not None else "not answered"
        hint = f"Now: {shown}."
        if q.type in ("int", "number", "text"):
            hint += f" Allowed: {q.allowed()}."
        self.query_one("#wi-hint", Static).update(hint)
        await box.mount(value_control(q, now))

    def _picked(self) -> tuple[str, Any] | None:
        """The question and the value read from the what-if fields; a refusal is shown."""
        picked = self.query_one("#wi-question", Select).value
        result = self.query_one("#wi-result", Static)
        if picked is Select.NULL:
            result.update("Pick a question, then its new answer.")
            return None
        qid = str(picked)
        control = self.query_one("#wi-value")
        raw: Any
        if isinstance(control, Select):
            raw = None if control.value is Select.NULL else control.value
        elif isinstance(control, SelectionList):
            raw = list(control.selected)
        else:
            raw = control.value if isinstance(control, Input) and control.value.strip() else None
        if raw is None:
            result.update("Give the new answer.")
            return None
        try:
            return qid, self.session.read_value(qid, raw)
        except ValueError as exc:
            result.update(Text(str(exc), style="red"))
            return None

    @on(Button.Pressed, "#wi-compare")
    @on(Input.Submitted, "#wi-value")
    @on(Button.Pressed, "#wi-apply")
    def _act(self, event: Button.Pressed | Input.Submitted) -> None:
        """Compare the new answer with the answers now (the button, or enter in its field), or
        keep it (the other button)."""
        found = self._picked()
        if found is None:
            return
        if isinstance(event, Button.Pressed) and event.button.id == "wi-apply":
            self._apply(*found)
        else:
            self._compare(*found)

    def _compare(self, qid: str, value: Any) -> None:
        trial = self.session.whatif(qid, value)
        result = self.query_one("#wi-result", Static)
        result.update(comparison(self.session, self.decision, qid, value, trial))
        self.call_after_refresh(result.scroll_visible)

    def _apply(self, qid: str, value: Any) -> None:
        self.session.answer(qid, value)
        self.app.pop_screen()
        # The decision screen below shows the answers: it refreshes them (the results screen is
        # opened from it, and does not import it back).
        refresh = getattr(self.app.screen, "set_answers", None)
        if callable(refresh):
            refresh()
        prompt = labels.question(self.session.registry.questions, qid)
        self.app.notify(f"{prompt}: changed", title="What if kept")
