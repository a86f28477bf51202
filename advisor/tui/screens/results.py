"""Results: the EXPLAIN table of rules, the costs with a chart, the flips and revisit date, what-if."""

from __future__ import annotations

import io
import math
from typing import Any

from rich.console import Console, Group
from rich.table import Table
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
from advisor.core.decision.engine import Decision
from advisor.tui.session import Session, number_hint
from advisor.tui.widgets.panel import ranking_text

VOLUME = "scale.requests_per_month"
CODE_WIDTH, OPTION_WIDTH, POINTS_WIDTH = 8, 16, 6  # the rule table's narrow columns
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
        rule = self.session.registry.rule(code)
        result = next(r for r in self.decision.results if r.rule.code == code)
        text = Text()
        text.append(f"{rule.code}  {rule.title}\n\n", style="bold")
        text.append(" ".join(rule.rationale.split()) + "\n\n")
        text.append("Fires when: ", style="bold")
        text.append(f"{rule.fires_when}\n")
        text.append("Reads: ", style="bold")
        questions = self.session.registry.questions
        text.append("; ".join(labels.question(questions, r) for r in rule.reads) + "\n")
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
                option = labels.option(self.decision.options, f.option) if f.option else "-"
                text.append(f"  {option} {shown}: {f.because}\n")
        else:
            text.append("Here: quiet" + (f" ({result.error})" if result.error else "") + "\n")
        self.app.push_screen(RuleDetail(text))

    # Costs --------------------------------------------------------------------------------------

    def _show_costs(self) -> None:
        from advisor.render import costs as cost_view

        decision, cat = self.decision, self.session.catalogue
        questions = self.session.registry.questions
        self.query_one("#cost-table", Static).update(
            _capture(
                self._width(),
                lambda console: cost_view.costs(console, decision, cat, questions, labelled=True),
            )
        )
        self.query_one("#cost-chart", Static).update(self._chart())

    def _width(self) -> int:
        """The width to lay text out in: the terminal's, less the scroll bar and a margin."""
        return max(60, self.app.size.width - 4)

    def _chart(self) -> Text:
        from advisor.costs.sweep import Sweep, bills_over, spaced
        from advisor.render.plot import chart

        found = self.decision.costs
        volume = self.decision.resolved.values.get(VOLUME)
        if found is None:
            return Text("No chart: the cost figures are missing from the catalogue.")
        missing = sorted({m for bill in found.options.values() for m in bill.missing} - {VOLUME})
        if missing:
            questions = self.session.registry.questions
            named = "; ".join(labels.question(questions, m) for m in missing)
            return Text("No chart until these are answered: " + named, style="italic")
        # The range that decides: a decade either side of the team's volume and the break-evens.
        points = [x for x in (volume, *found.break_even_requests.values()) if x]
        low = max(10.0, 10 ** (math.floor(math.log10(min(points or [1e6]))) - 1))
        high = 10 ** (math.ceil(math.log10(max(points or [1e6]))) + 1)
        # The bills across the range; the chart needs no recommendation at each point.
        xs = spaced(low, high, CHART_POINTS, whole=True)
        bills = bills_over(self.decision.resolved.values, VOLUME, xs, self.session.catalogue)
        swept = Sweep(VOLUME, xs, bills)
        options = self.decision.options
        marks = [
            (
                x,
                "^",
                f"{labels.option(options, oid)} costs the same as the API at {x:,.0f} calls a month",
            )
            for oid, x in found.break_even_requests.items()
            if x
        ]
        if volume:
            marks.append((volume, "V", f"your volume: {volume:,.0f} calls a month"))
        never = [oid for oid, x in found.break_even_requests.items() if not x]
        width = self._width()
        names = {oid: labels.option(options, oid) for oid in bills}
        axis = "calls a month"
        text = _capture(
            width, lambda console: chart(console, swept, width, marks, names=names, axis=axis)
        )
        for oid in never:
            text.append(
                f"\n{labels.option(options, oid)} never costs less than the API at these answers",
                style="italic",
            )
        return text

    # Flips and revisit ---------------------------------------------------------------------------

    def _show_flips(self) -> None:
        from advisor.core.exploration.revisit import revisit

        found = self.decision.flips or []
        questions = self.session.registry.questions
        when = (
            None
            if self.decision.revisit is None
            else revisit(
                self.decision,
                self.decision.revisit.made_on,
                questions=questions,
                options=self.decision.options,
            )
        )
        parts: list[Any] = [Text("What would flip it, nearest first:", style="bold")]
        said = [flip.describe(questions, self.decision.options) for flip in found]
        parts.append(_bullets(said or ["no single change of one answer changes it"]))
        if when is not None:
            head = Text(f"\nRevisit by {when.date.isoformat()}", style="bold")
            head.append(f": {when.reason}", style="")
            parts += [head, _bullets([f"sooner {t}" for t in when.triggers])]
        self.query_one("#flip-text", Static).update(Group(*parts))

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
        await box.mount(self._value_control(q, now))

    def _value_control(self, q: Any, now: Any) -> Any:
        if q.type == "choice":
            options = [(c.label or c.value, c.value) for c in q.choices if c.value != now]
            return Select(options, prompt="the new answer", id="wi-value")
        if q.type == "bool":
            options = [(label, value) for label, value in (("yes", True), ("no", False))]
            return Select(
                [o for o in options if o[1] != now], prompt="the new answer", id="wi-value"
            )
        if q.type == "multi_choice":
            chosen = set(now or [])
            items = [(c.label or c.value, c.value, c.value in chosen) for c in q.choices]
            return SelectionList[str](*items, id="wi-value")
        placeholder = number_hint(q) if q.type in ("int", "number") else "the new answer"
        return Input(placeholder=placeholder, id="wi-value")

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

        from advisor.core.answers.memofile import current_versions
        from advisor.core.records.diff import Side, compare

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
            labelled=True,
        )
        grid = Table.grid(padding=(0, 3))
        grid.add_row(Text("now", style="bold"), Text("what if", style="bold"))
        questions = session.registry.questions
        grid.add_row(ranking_text(self.decision, questions), ranking_text(trial, questions))
        lines = Text()
        for what, old, new in diff.conclusions:
            what, old, new = _in_words(what, old, new, trial)
            lines.append(f"{what}: {old} → {new}\n")
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
        found = self._picked()
        if found is None:
            return
        qid, value = found
        self.session.answer(qid, value)
        self.app.pop_screen()
        # The decision screen below shows the answers: it refreshes them (the results screen is
        # opened from it, and does not import it back).
        refresh = getattr(self.app.screen, "set_answers", None)
        if callable(refresh):
            refresh()
        prompt = labels.question(self.session.registry.questions, qid)
        self.app.notify(f"{prompt}: changed", title="What if kept")


def _in_words(what: str, old: str, new: str, decision: Decision) -> tuple[str, str, str]:
    """A line of a what-if's comparison with options by their labels, not their ids."""
    options = decision.options
    if what == "recommendation":
        return what, _option_or_none(options, old), _option_or_none(options, new)
    oid, _, kind = what.rpartition(" ")
    if oid in options and kind in ("score", "cost"):
        return f"{labels.option(options, oid)} {'points' if kind == 'score' else 'cost'}", old, new
    return what, old, new


def _option_or_none(options: Any, oid: str) -> str:
    return "nothing left" if oid == "none" else labels.option(options, oid)


def _bullets(lines: list[str]) -> Table:
    """Lines as a list whose wrapped lines hang under their text, not under the dash."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    for line in lines:
        grid.add_row("  -", Text(line))
    return grid
