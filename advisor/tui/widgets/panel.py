"""The live decision panel and the section list: what the answers lead to, and how far they go."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from rich.text import Text
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from advisor.core.answers.questionnaire import Question
from advisor.core.base import labels
from advisor.core.base.numbers import points
from advisor.core.decision.engine import FELL_AT, Decision
from advisor.tui.session import Session

BAR = 12  # cells for the longest bar
UNKNOWNS = 4  # unknowns listed under the ranking; the rest are counted


def ranking_text(
    decision: Decision, questions: Mapping[str, Question] | None = None, width: int = BAR
) -> Text:
    """The options best first, each by its label: points as a bar and the stage where each fell
    behind the choice; the ruled-out ones with the rules that did it, the held-back ones with the
    gates; then the unanswered questions that could still change it, by their prompts."""
    questions = questions or {}
    out = Text()
    if not decision.resolved.answered:
        out.append("Nothing decided yet\n", style="bold")
        out.append(
            "No question is answered. Answer what you know on the right: the options are "
            "ranked here as you go.\n",
            style="dim",
        )
        return out
    rec = decision.recommendation
    if rec:
        out.append("Recommended: ", style="bold")
        out.append(decision.options[rec].label, style="bold green")
        if decision.explored:
            out.append(f"\nconfidence {decision.confidence}\n")
        else:
            out.append("\nconfidence: weighing what could change it\n", style="dim")
        holds = decision.options[rec].holds
        if holds:
            out.append("first meet: " + ", ".join(r.code for r, _ in holds) + "\n", style="yellow")
        out.append("\n")
    else:
        out.append("Every option is ruled out\n\n", style="bold red")
    scores = [abs(o.score) for o in decision.options.values()] or [1]
    scale = max(max(scores), 1)
    order = [*decision.ranking, *(o for o in decision.options if o not in decision.ranking)]
    for oid in order:
        opt = decision.options[oid]
        if opt.eliminated:
            out.append(f"x {opt.label}\n", style="red")
            out.append(
                "  ruled out: " + ", ".join(r.code for r, _ in opt.vetoes) + "\n", style="red"
            )
            continue
        rank = decision.ranking.index(oid) + 1
        style = "green" if opt.score >= 0 else "yellow"
        out.append(f"{rank} {opt.label}\n", style="bold" if oid == rec else "")
        out.append(f"  {points(opt.score):>4} ")
        out.append(
            ("█" if opt.score >= 0 else "▒") * round(abs(opt.score) / scale * width), style=style
        )
        if opt.fell_at == "gate":
            out.append(" held: " + ", ".join(r.code for r, _ in opt.holds), style="yellow")
        elif opt.fell_at:
            out.append(f" {FELL_AT[opt.fell_at]}", style="dim")
        out.append("\n")
    if decision.unknowns:
        out.append("\nCould still change it:\n", style="bold")
        for unknown in decision.unknowns[:UNKNOWNS]:
            out.append(f" {labels.question(questions, unknown.question)}: ", style="italic")
            out.append(labels.turns(questions, decision.options, unknown) + "\n")
        more = len(decision.unknowns) - UNKNOWNS
        if more > 0:
            out.append(f" and {more} more (results, ctrl+r)\n", style="italic")
    return out


class DecisionPanel(Static):
    """Ranking, scores as bars, vetoes and the unknowns that could still change the result."""

    DEFAULT_CSS = """
    DecisionPanel { padding: 0 1; height: auto; }
    """

    _waiting: Callable[[], None] | None = None  # to run once the ranking shown has been drawn

    def show(self, decision: Decision, questions: Mapping[str, Question]) -> None:
        self.update(ranking_text(decision, questions))

    def when_drawn(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the ranking last shown has been drawn: the next time the panel is
        rendered for the screen, after the frame it is part of (the one it replaces, if any, is
        dropped)."""
        self._waiting = callback

    def render(self) -> Any:
        waiting, self._waiting = self._waiting, None
        if waiting is not None:
            self.call_after_refresh(waiting)
        return super().render()


class SectionList(OptionList):
    """The sections in a sidebar, each with answered / asked questions."""

    DEFAULT_CSS = """
    SectionList { height: auto; max-height: 12; }
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        options = [Option("About this decision", id="about")]
        options += [Option(self._label(s.id, s.title), id=s.id) for s in session.registry.sections]
        super().__init__(*options, id="sections")

    def _label(self, sid: str, title: str) -> str:
        """A section's line: done, how far along, and its whole title (wrapped, never cut)."""
        done, asked = self.session.progress(sid)
        mark = "✓" if done == asked and asked else " "
        return f"{mark} {done}/{asked} {title}"

    def refresh_progress(self) -> None:
        for s in self.session.registry.sections:
            self.replace_option_prompt(s.id, self._label(s.id, s.title))
