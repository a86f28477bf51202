"""Results: the EXPLAIN table of rules, the costs with a chart, the flips and revisit date, what-if."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import (
    Button,
    DataTable,
    Footer,
    Header,
    Input,
    Label,
    Select,
    Static,
    TabbedContent,
    TabPane,
)

from advisor.core.engine import Decision
from advisor.core.flips import show_value
from advisor.core.numbers import points
from advisor.tui.session import Session
from advisor.tui.widgets.panel import ranking_text

VOLUME = "scale.requests_per_month"
CHART_POINTS = 120  # volumes at which the cost chart samples each bill


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


def _capture(width: int, draw: Any) -> Text:
    console = Console(
        file=io.StringIO(),
        width=width,
        force_terminal=True,
        color_system="truecolor",
        highlight=False,
    )
    draw(console)
    return Text.from_ansi(console.file.getvalue())  # type: ignore[attr-defined]


class ResultsScreen(Screen[None]):
    """Everything behind the recommendation, in tabs."""

    BINDINGS = [Binding("escape", "back", "Back to the questions")]

    def __init__(self, session: Session) -> None:
        super().__init__(id="results")
        self.session = session
        self.decision = session.decision

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="tabs"):
            with TabPane("Rules", id="rules"):
                yield Input(
                    placeholder="filter: a code, an option, a word", id="filter", compact=True
                )
                yield DataTable(id="rule-table", cursor_type="row", zebra_stripes=True)
            with TabPane("Costs", id="costs"), VerticalScroll():
                yield Static(id="cost-table")
                yield Static(id="cost-chart")
            with TabPane("Flips and revisit", id="flips"), VerticalScroll():
                yield Static(id="flip-text")
            with TabPane("What if", id="whatif"), VerticalScroll():
                yield Label("Change one answer; the original stays as it is.")
                with Horizontal(classes="whatif-row"):
                    yield Select(self._questions(), prompt="question", id="wi-question")
                    yield Input(placeholder="new value", id="wi-value")
                yield Static("", id="wi-hint")
                with Horizontal(classes="buttons"):
                    yield Button("Compare", id="wi-compare", variant="primary")
                    yield Button("Keep this change", id="wi-apply")
                yield Static("", id="wi-result")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "advisor: results"
        self.sub_title = self.session.title
        table = self.query_one("#rule-table", DataTable)
        table.add_columns("code", "option", "points", "reason or condition")
        self._fill_rules("")
        self._show_costs()
        self._show_flips()

    def show_tab(self, tab: str) -> None:
        self.query_one("#tabs", TabbedContent).active = tab

    def action_back(self) -> None:
        self.app.pop_screen()

    # Rules --------------------------------------------------------------------------------------

    def _rows(self) -> list[tuple[str, str, str, str, str]]:
        """Every finding of every rule that fired, then the quiet rules with when they fire."""
        rows, quiet = [], []
        for result in self.decision.results:
            rule = result.rule
            if result.findings:
                for f in result.findings:
                    shown = points(f.points) if f.kind == "points" else f.kind
                    rows.append((rule.code, f.option or "-", shown, f.because, rule.code))
            elif result.error:
                rows.append((rule.code, "-", "error", result.error, rule.code))
            else:
                quiet.append((rule.code, "-", "quiet", f"fires when {rule.fires_when}", rule.code))
        return rows + quiet

    def _fill_rules(self, text: str) -> None:
        table = self.query_one("#rule-table", DataTable)
        table.clear()
        words = text.lower().split()
        for i, row in enumerate(self._rows()):
            haystack = " ".join(row[:4]).lower()
            if all(w in haystack for w in words):
                table.add_row(*row[:4], key=f"{row[4]}:{i}")

    @on(Input.Changed, "#filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill_rules(event.value)

    @on(DataTable.RowSelected, "#rule-table")
    def _open_rule(self, event: DataTable.RowSelected) -> None:
        code = str(event.row_key.value).split(":", 1)[0]
        rule = self.session.registry.rule(code)
        result = next(r for r in self.decision.results if r.rule.code == code)
        text = Text()
        text.append(f"{rule.code}  {rule.title}\n\n", style="bold")
        text.append(" ".join(rule.rationale.split()) + "\n\n")
        text.append("Fires when: ", style="bold")
        text.append(f"{rule.fires_when}\n")
        text.append("Reads: ", style="bold")
        text.append(", ".join(rule.reads) + "\n")
        text.append("Source: ", style="bold")
        text.append(f"{rule.source}\n")
        text.append("Stage: ", style="bold")
        text.append(f"{rule.stage}\n")
        text.append("Plugin: ", style="bold")
        text.append(f"{rule.plugin}\n\n")
        if result.findings:
            text.append("Here:\n", style="bold")
            for f in result.findings:
                shown = points(f.points) if f.kind == "points" else f.kind
                text.append(f"  {f.option or '-'} {shown}: {f.because}\n")
        else:
            text.append("Here: quiet" + (f" ({result.error})" if result.error else "") + "\n")
        self.app.push_screen(RuleDetail(text))

    # Costs --------------------------------------------------------------------------------------

    def _show_costs(self) -> None:
        from advisor.render import costs as cost_view

        decision, cat = self.decision, self.session.catalogue
        self.query_one("#cost-table", Static).update(
            _capture(self._width(), lambda console: cost_view.costs(console, decision, cat))
        )
        self.query_one("#cost-chart", Static).update(self._chart())

    def _width(self) -> int:
        """The width to lay text out in: the terminal's, less the scroll bar and a margin."""
        return max(60, self.app.size.width - 4)

    def _chart(self) -> Text:
        from advisor.core.sweep import Sweep, bills_over, spaced
        from advisor.render.plot import chart

        found = self.decision.costs
        volume = self.decision.resolved.values.get(VOLUME)
        if found is None:
            return Text("No chart: the cost figures are missing from the catalogue.")
        missing = sorted({m for bill in found.options.values() for m in bill.missing} - {VOLUME})
        if missing:
            return Text("No chart until these are answered: " + ", ".join(missing), style="italic")
        centre = volume or 1e6
        low, high = max(10.0, centre / 1000), centre * 1000
        # The bills across the range; the chart needs no recommendation at each point.
        xs = spaced(low, high, CHART_POINTS, whole=True)
        bills = bills_over(self.decision.resolved.values, VOLUME, xs, self.session.catalogue)
        swept = Sweep(VOLUME, xs, bills)
        marks = [
            (x, "^", f"{oid} costs the same as the API at {x:,.0f} calls a month")
            for oid, x in found.break_even_requests.items()
            if x
        ]
        if volume:
            marks.append((volume, "V", f"your volume: {volume:,.0f} calls a month"))
        never = [oid for oid, x in found.break_even_requests.items() if not x]
        width = self._width()
        text = _capture(width, lambda console: chart(console, swept, width, marks))
        for oid in never:
            text.append(f"\n{oid} never costs less than the API at these answers", style="italic")
        return text

    # Flips and revisit ---------------------------------------------------------------------------

    def _show_flips(self) -> None:
        found = self.decision.flips or []
        when = self.decision.revisit
        text = Text("What would flip it, nearest first:\n", style="bold")
        for flip in found or []:
            text.append(f"  - {flip.describe()}\n", style="")
        if not found:
            text.append("  no single change of one answer changes it\n", style="")
        if when is not None:
            text.append(f"\nRevisit by {when.date.isoformat()}", style="bold")
            text.append(f": {when.reason}\n", style="")
            for trigger in when.triggers:
                text.append(f"  - sooner {trigger}\n", style="")
        self.query_one("#flip-text", Static).update(text)

    # What if ------------------------------------------------------------------------------------

    def _questions(self) -> list[tuple[str, str]]:
        return [(q.qid, q.qid) for q in self.session.registry.questions.values()]

    @on(Select.Changed, "#wi-question")
    def _pick(self, event: Select.Changed) -> None:
        if event.value is Select.NULL:
            return
        q = self.session.registry.questions[str(event.value)]
        now = self.session.values.get(q.qid)
        self.query_one("#wi-hint", Static).update(
            f"{q.prompt} Now: {show_value(now) if now is not None else 'not answered'}; "
            f"allowed: {q.allowed()}"
        )

    def _picked(self) -> tuple[str, Any] | None:
        """The question and the value read from the what-if fields; a refusal is shown."""
        picked = self.query_one("#wi-question", Select).value
        raw = self.query_one("#wi-value", Input).value
        if picked is Select.NULL or not raw.strip():
            self.query_one("#wi-result", Static).update("Pick a question and give a value.")
            return None
        qid = str(picked)
        try:
            return qid, self.session.read_value(qid, raw)
        except ValueError as exc:
            self.query_one("#wi-result", Static).update(Text(str(exc), style="red"))
            return None

    @on(Button.Pressed, "#wi-compare")
    @on(Input.Submitted, "#wi-value")
    def _compare(self) -> None:
        found = self._picked()
        if found is None:
            return
        qid, value = found
        trial = self.session.whatif(qid, value)
        result = self.query_one("#wi-result", Static)
        result.update(self._comparison(qid, value, trial))
        self.call_after_refresh(result.scroll_visible)

    def _comparison(self, qid: str, value: Any, trial: Decision) -> Any:
        from rich.table import Table

        from advisor.core.diff import Side, compare
        from advisor.core.report import current_versions

        session = self.session
        changed = session.answers_file()
        changed.values = {**changed.values, qid: value}

        def side(name: str, answers: Any, decision: Decision) -> Side:
            found = decision.costs
            monthly = (
                {} if found is None else {o: b.usd_per_month for o, b in found.options.items()}
            )
            return Side(name, answers, decision, monthly)

        diff = compare(
            side("now", session.answers_file(), self.decision),
            side("what if", changed, trial),
            session.registry,
            current_versions(session.registry, session.catalogue),
        )
        grid = Table.grid(padding=(0, 3))
        grid.add_row(Text("now", style="bold"), Text("what if", style="bold"))
        grid.add_row(ranking_text(self.decision), ranking_text(trial))
        lines = Text()
        for what, old, new in diff.conclusions:
            lines.append(f"{what}: {old} -> {new}\n")
        for line in diff.rules_added:
            lines.append(f"+ {line}\n", style="green")
        for line in diff.rules_removed:
            lines.append(f"- {line}\n", style="red")
        if not diff.conclusions:
            lines.append("The same conclusions.\n")
        outer = Table.grid()
        outer.add_row(grid)
        outer.add_row(lines)
        return outer

    @on(Button.Pressed, "#wi-apply")
    def _apply(self) -> None:
        from advisor.tui.screens.decision import DecisionScreen

        found = self._picked()
        if found is None:
            return
        qid, value = found
        self.session.answer(qid, value)
        self.app.pop_screen()
        screen = self.app.screen
        if isinstance(screen, DecisionScreen):
            screen.set_answers()
        self.app.notify(f"{qid} changed", title="What if kept")
