"""What people read in place of ids: a question's prompt, a choice's label, an option's label.

Ids belong in files and JSON; every place a person reads (the terminal output, the memo's prose, the
terminal UI) names a question by its prompt, an answer by its choice label and an option by its
label. Each function falls back to the id when the registry does not know it (a question a plugin
that is no longer installed asked), so nothing is lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from advisor.core.base import numbers

if TYPE_CHECKING:
    from advisor.core.answers.questionnaire import Question
    from advisor.core.decision.engine import Unknown

NOTHING_LEFT = "nothing left"
SINGULAR = {"people": "person", "ms": "ms", "s": "s"}  # units whose singular is not a lost "s"


class Labelled(Protocol):
    """An option, or an option's result in a decision: anything with a label."""

    @property
    def label(self) -> str: ...


def question(questions: Mapping[str, Question], qid: str) -> str:
    """A question as people read it: its prompt without the closing question mark."""
    q = questions.get(qid)
    if q is None:
        return qid
    return q.prompt.rstrip().rstrip("?").rstrip()


def value(questions: Mapping[str, Question], qid: str, answer: Any) -> str:
    """An answer as people read it: a choice's label, "yes"/"no", a number with its unit."""
    q = questions.get(qid)
    if answer is None:
        return "unknown"
    if q is None:
        return numbers.number(answer)
    if q.type == "bool" or isinstance(answer, bool):
        if isinstance(answer, bool):
            return "yes" if answer else "no"
        return str(answer)
    if q.type in ("choice", "multi_choice"):
        labels = {c.value: c.label for c in q.choices}
        if isinstance(answer, list | tuple):
            if not answer:
                return "none"
            return ", ".join(labels.get(str(a), str(a)) for a in answer)
        return labels.get(str(answer), str(answer))
    if q.type in ("int", "number") and isinstance(answer, int | float):
        unit = q.unit or ""
        if unit.startswith("share of "):  # a share reads as a percentage: "30% of calls"
            return f"{numbers.number(round(answer * 100, 6))}% of {unit.removeprefix('share of ')}"
        shown = numbers.number(answer)
        if answer == 1 and " " not in unit:  # "1 person", "1 example", not "1 people"
            unit = SINGULAR.get(unit, unit.removesuffix("s"))
        return f"{shown} {unit}" if unit else shown
    return str(answer)


def option(options: Mapping[str, Labelled], oid: str | None) -> str:
    """An option as people read it: its label; ``nothing left`` when every option is ruled out."""
    if oid is None:
        return NOTHING_LEFT
    opt = options.get(oid)
    return opt.label if opt is not None else oid


def turns(questions: Mapping[str, Question], options: Mapping[str, Labelled], u: Unknown) -> str:
    """What each answer an unknown question could take would recommend, in words:
    ``"Validated (users pay or return) → Self-host an open model"``."""
    return "; ".join(
        f"{value(questions, u.question, _typed(questions, u.question, v))} → {option(options, o)}"
        for v, o in u.outcomes.items()
    )


def _typed(questions: Mapping[str, Question], qid: str, raw: str) -> Any:
    """An outcome's key (held as text, as the JSON has it) back as the answer it stands for, so
    that a yes/no question reads "yes", a list its labels and a number its unit."""
    q = questions.get(qid)
    if q is None:
        return raw
    if q.type == "bool" and raw in ("true", "false"):
        return raw == "true"
    if q.type == "multi_choice" and raw.startswith("[") and raw.endswith("]"):
        return [v.strip() for v in raw[1:-1].split(",") if v.strip()]
    if q.type in ("int", "number"):
        try:
            number = float(raw)
        except ValueError:
            return raw
        return int(number) if number.is_integer() else number
    return raw


@dataclass(frozen=True)
class Words:
    """How a sentence names questions, answers and options: by id when it goes into the JSON
    (``questions`` and ``options`` left out), or as people read them: ``the answer to "How far
    along is the product?"``, ``"Product-market fit shown by usage and retention"``, ``Self-host
    an open model``."""

    questions: Mapping[str, Question] | None = None
    options: Mapping[str, Labelled] | None = None

    def question(self, qid: str) -> str:
        if self.questions is None or qid not in self.questions:
            return qid
        return f'the answer to "{self.questions[qid].prompt}"'

    def value(self, qid: str, answer: Any) -> str:
        """An answer; a choice's label in quotes, since labels are phrases ("unknown", for no
        answer, is not one)."""
        if self.questions is None or answer is None:
            return numbers.number(answer)
        shown = value(self.questions, qid, answer)
        q = self.questions.get(qid)
        return f'"{shown}"' if q is not None and q.type in ("choice", "multi_choice") else shown

    def option(self, oid: str | None) -> str:
        return str(oid) if self.options is None else option(self.options, oid)

    def possessive(self, oid: str) -> str:
        """What an option has, after "its bill and": ``self_host's``, or ``that of Self-host an
        open model``."""
        return f"{oid}'s" if self.options is None else f"that of {self.option(oid)}"

    def bill(self, oid: str) -> str:
        """An option's bill: ``self_host's bill``, or ``the bill of Self-host an open model``."""
        return f"{oid}'s bill" if self.options is None else f"the bill of {self.option(oid)}"
