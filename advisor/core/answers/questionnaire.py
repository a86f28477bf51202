"""Questionnaire sections and questions as validated data, and how an answer is read for each type."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from functools import cached_property
from itertools import islice
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

QuestionType = Literal["choice", "multi_choice", "bool", "int", "number", "text"]
ID_PATTERN = r"^[a-z][a-z0-9_]*$"
VALUE_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"  # choice values may be model names such as gpt-4o

# YAML 1.1 spelled booleans many ways; YAML 1.2 reads them as strings. Accept both for yes/no questions.
_TRUE = {"true", "yes", "y", "on"}
_FALSE = {"false", "no", "n", "off"}
# Commas only as thousands separators: "2,000,000" is a number, "2,5" (a decimal comma) is refused.
NUMBER_PATTERN = r"^[+-]?(\d{1,3}(,\d{3})+|\d[\d_]*)(\.\d+)?([eE][+-]?\d+)?$"
_NUMBER = re.compile(NUMBER_PATTERN)


class _At(ValueError):
    """A model check's error about one field within the model; ``loc`` is where, relative to it."""

    def __init__(self, loc: tuple[str | int, ...], message: str):
        super().__init__(message)
        self.loc = loc


class Choice(BaseModel):
    """One allowed value of a choice question, with the label a person reads."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: str = Field(pattern=VALUE_PATTERN)
    label: str
    help: str = ""


class Question(BaseModel):
    """A question: what is asked, why it matters, its type, allowed values and when it is asked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    prompt: str = Field(min_length=1)
    help: str = ""
    why: str = Field(min_length=1, description="Why it matters, naming its principle.")
    principles: tuple[int, ...] = ()
    type: QuestionType
    choices: tuple[Choice, ...] = ()
    open_choices: bool = Field(
        default=False, description="Plugins may add values (e.g. more regulations)."
    )
    values_from: Literal["hosted_models", "open_models"] | None = Field(
        default=None,
        description=(
            "The choices are a shortlist: any name this source knows is accepted too "
            "(hosted_models: any model genai-prices prices; open_models: any architecture in "
            "the catalogue)."
        ),
    )
    unit: str | None = None
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    visible_if: dict[str, tuple[Any, ...]] = Field(
        default_factory=dict,
        description="Asked only when every named question (section.id) has one of the listed values.",
    )
    probe: tuple[Any, ...] = Field(
        default=(),
        description="Values tried when the answer is unknown, to see whether it could change the result.",
    )
    estimate: bool = Field(
        default=False,
        description=(
            "The answer is the team's estimate or judgement, which could plausibly be off (20% on "
            "a number, one step of a choice); a pick that such a change flips is not held with "
            "high confidence. Facts of policy (where data may go) are not estimates."
        ),
    )
    progress: Literal["up"] | tuple[Any, ...] | None = Field(
        default=None,
        description=(
            "How the answer moves as the product matures, for the plan's triggers: `up` for a "
            "number that grows (calls a month, labelled examples), or the values of a choice or "
            "yes/no question in the order a team reaches them (a later value is further on)."
        ),
    )
    section: str = ""  # filled in by the section that holds the question

    @field_validator("principles")
    @classmethod
    def _principles_exist(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        bad = [p for p in value if not 1 <= p <= 12]
        if bad:
            raise ValueError(f"principles are numbered 1 to 12 (docs/principles.md), not {bad}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        has_choices = self.type in ("choice", "multi_choice")
        if has_choices and not self.choices:
            raise ValueError(f"a {self.type} question needs choices")
        if not has_choices and self.choices:
            raise ValueError(f"a {self.type} question takes no choices")
        if self.values_from is not None and self.type != "choice":
            raise ValueError("only a choice question takes values_from")
        values = [c.value for c in self.choices]
        if len(set(values)) != len(values):
            raise ValueError(f"choice values repeat: {values}")
        numeric = self.type in ("int", "number")
        if not numeric and (self.minimum is not None or self.maximum is not None):
            raise ValueError(f"a {self.type} question takes no minimum or maximum")
        if self.default is not None:
            try:
                self.coerce(self.default)
            except ValueError as exc:  # names what is allowed
                raise _At(("default",), str(exc)) from None
        for i, value in enumerate(self.probe):
            try:
                self.coerce(value)
            except ValueError as exc:
                raise _At(("probe", i), str(exc)) from None
        self._check_progress(numeric)
        return self

    def _check_progress(self, numeric: bool) -> None:
        if self.progress is None:
            return
        if self.progress == "up":
            if not numeric:
                raise _At(("progress",), "`up` is for a number; a choice lists its values in order")
            return
        if numeric or self.type not in ("choice", "bool"):
            raise _At(("progress",), f"a {self.type} question takes `progress: up` or none")
        if len(self.progress) < 2:
            raise _At(("progress",), "list at least two values, in the order a team reaches them")
        for i, value in enumerate(self.progress):
            try:
                self.coerce(value)
            except ValueError as exc:
                raise _At(("progress", i), str(exc)) from None
        if len(set(map(repr, self.progress))) != len(self.progress):
            raise _At(("progress",), "a value is listed twice")

    def ahead(self, value: Any) -> tuple[Any, ...]:
        """For a choice or yes/no question with a progress order: the values after ``value``,
        nearest first (all of them from an unknown or unlisted value)."""
        if not isinstance(self.progress, tuple):
            return ()
        order = [self.coerce(v) for v in self.progress]
        if value in order:
            return tuple(order[order.index(value) + 1 :])
        return tuple(order)

    @property
    def qid(self) -> str:
        return f"{self.section}.{self.id}"

    @cached_property
    def choice_values(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.choices)

    def allowed(self) -> str:
        """What this question accepts, in words, for error messages and comments."""
        if self.values_from == "hosted_models":
            return (
                "a hosted model: one of " + ", ".join(self.choice_values) + ", or any model "
                "genai-prices knows, as provider:model (openai:gpt-5-mini) or its model id "
                "(advisor models SEARCH finds them)"
            )
        if self.values_from == "open_models":
            return (
                "an open model: one of " + ", ".join(self.choice_values) + ", or another "
                "architecture on file (advisor capacity lists them when given a name it does not know)"
            )
        if self.type in ("choice", "multi_choice"):
            listed = ", ".join(self.choice_values)
            if self.type == "multi_choice":
                return f"a list of {listed}"
            spelled = " (true/false also read)" if {"yes", "no"} <= set(self.choice_values) else ""
            return f"one of {listed}{spelled}"
        if self.type == "bool":
            return "true or false (yes/no also read)"
        if self.type == "text":
            return "text"
        kind = "a whole number" if self.type == "int" else "a number"
        bounds = []
        if self.minimum is not None:
            bounds.append(f"{'>' if self.exclusive_minimum else '>='} {_fmt(self.minimum)}")
        if self.maximum is not None:
            bounds.append(f"<= {_fmt(self.maximum)}")
        return kind + (" " + " and ".join(bounds) if bounds else "")

    def coerce(self, value: Any) -> Any:
        """Turn a value read from YAML or JSON into this question's type, or raise ValueError."""
        kind = self.type
        if kind == "bool":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
                return value.strip().lower() in _TRUE
            raise ValueError(f"{_show(value)} is not allowed; expected {self.allowed()}")
        if kind == "choice":
            return self._one_choice(value)
        if kind == "multi_choice":
            if isinstance(value, str | bool):
                value = [value]
            if not isinstance(value, list | tuple):
                raise ValueError(f"{_show(value)} is not allowed; expected {self.allowed()}")
            out: list[str] = []
            for item in value:
                choice = self._one_choice(item)
                if choice not in out:
                    out.append(choice)
            return out
        if kind == "text":
            if isinstance(value, str):
                return value
            raise ValueError(f"{_show(value)} is not allowed; expected text")
        return self._number(value)

    def _one_choice(self, value: Any) -> str:
        if isinstance(value, bool):
            # A bare yes/no in a YAML 1.1 reader arrives as a boolean.
            spelled = "yes" if value else "no"
            if spelled in self.choice_values:
                return spelled
        elif isinstance(value, str) and value in self.choice_values:
            return value
        elif (
            isinstance(value, str)
            and value.strip().lower() in _TRUE | _FALSE
            and {"yes", "no"} <= set(self.choice_values)
        ):
            return "yes" if value.strip().lower() in _TRUE else "no"
        elif isinstance(value, str) and self.values_from is not None:
            check = _VALUE_SOURCES.get(self.values_from)
            if check is None:
                raise ValueError(
                    f"{_show(value)} is not allowed; expected one of "
                    f"{', '.join(self.choice_values)} ({self.values_from} are not loaded)"
                )
            return check(value.strip())
        elif isinstance(value, str):
            near = _near(value, self.choice_values)
            hint = f" (did you mean {near}?)" if near else ""
            raise ValueError(f"{_show(value)} is not allowed{hint}; expected {self.allowed()}")
        raise ValueError(f"{_show(value)} is not allowed; expected {self.allowed()}")

    def _number(self, value: Any) -> int | float:
        number: int | float
        if isinstance(value, bool):
            raise ValueError(f"{_show(value)} is not allowed; expected {self.allowed()}")
        if isinstance(value, int | float):
            number = value
        elif isinstance(value, str) and _NUMBER.match(value.strip()):
            text = value.strip().replace("_", "").replace(",", "")
            number = float(text) if any(c in text for c in ".eE") else int(text)
        else:
            raise ValueError(f"{_show(value)} is not allowed; expected {self.allowed()}")
        if isinstance(number, float) and not math.isfinite(number):
            raise ValueError(f"{_show(value)} is not allowed; expected {self.allowed()}")
        if self.type == "int":
            if isinstance(number, float):
                if not number.is_integer():
                    raise ValueError(f"{_show(value)} is not allowed; expected {self.allowed()}")
                number = int(number)
        else:
            try:
                number = float(number)
            except OverflowError:  # a whole number with hundreds of digits
                raise ValueError(
                    f"{_show(value)} is out of range; expected {self.allowed()}"
                ) from None
        low, high = self.minimum, self.maximum
        too_low = low is not None and (number <= low if self.exclusive_minimum else number < low)
        if too_low or (high is not None and number > high):
            raise ValueError(f"{_show(value)} is out of range; expected {self.allowed()}")
        return number

    def is_visible(self, values: dict[str, Any]) -> bool:
        """Whether the questionnaire asks this question, given the answers so far."""
        return all(values.get(qid) in allowed for qid, allowed in self.visible_if.items())


class Section(BaseModel):
    """A questionnaire section (pmf, privacy, scale, cost, or one a plugin adds)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    description: str = ""
    order: int = 100
    extends: bool = Field(
        default=False, description="Adds questions to a section of the same id from another plugin."
    )
    questions: tuple[Question, ...] = ()
    add_choices: dict[str, tuple[Choice, ...]] = Field(
        default_factory=dict,
        description="In a section that extends another: values to add to its questions that "
        "have open_choices, by question id.",
    )
    origin: str = ""  # the file or plugin it came from; filled in by the loader

    @model_validator(mode="before")
    @classmethod
    def _stamp_questions(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("questions"), list | tuple):
            sid = data.get("id", "")
            data = dict(data)
            data["questions"] = [
                {**q, "section": sid}
                if isinstance(q, dict) and "section" not in q
                # A plugin may build its section from Question objects, made before the section.
                else q.model_copy(update={"section": sid})
                if isinstance(q, Question) and not q.section
                else q
                for q in data["questions"]
            ]
        return data

    def with_choices(self, qid: str, extra: tuple[Choice, ...]) -> Section:
        """This section with ``extra`` values added to question ``qid`` (which must allow them)."""
        questions = []
        for q in self.questions:
            if q.id == qid:
                if not q.open_choices:
                    raise ValueError(f"question {q.qid} does not take added choices")
                clash = sorted(set(q.choice_values) & {c.value for c in extra})
                if clash:
                    raise ValueError(f"question {q.qid} already has {', '.join(clash)}")
                data = q.model_dump()
                data["choices"] = [*data["choices"], *(c.model_dump() for c in extra)]
                q = Question.model_validate(data)  # a fresh model: no stale cached values
            questions.append(q)
        if qid not in {q.id for q in self.questions}:
            raise ValueError(f"section {self.id!r} has no question {qid!r}")
        return self.model_copy(update={"questions": tuple(questions)})

    @model_validator(mode="after")
    def _unique(self) -> Section:
        if self.add_choices and not self.extends:
            raise _At(("add_choices",), "only a section with 'extends: true' may add choices")
        ids = [q.id for q in self.questions]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            again = next(n for n, i in enumerate(ids) if i in ids[:n])
            raise _At(("questions", again, "id"), f"question ids repeat: {', '.join(dupes)}")
        return self


# The checks of the values_from sources (any model genai-prices prices, any architecture in the
# catalogue): the cost model's, given by the loader when it builds a registry (provide_values), so
# that the questionnaire does not import the cost model above it.
_VALUE_SOURCES: dict[str, Callable[[str], str]] = {}


def provide_values(source: str, check: Callable[[str], str]) -> None:
    """The check of a ``values_from`` source: the value as kept, or ValueError saying why not."""
    _VALUE_SOURCES[source] = check


def _fmt(number: float) -> str:
    """A bound as people read it: ``0``, ``0.01``, ``1,000,000``."""
    return f"{int(number):,}" if float(number).is_integer() else str(number)


def _show(value: Any) -> str:
    """A value in an error message, cut to 60 characters; a nested value (a YAML alias may
    stand for a tree of millions of nodes) is shown from its first few items, never expanded."""
    if isinstance(value, str):
        text = repr(value[:80])
    elif isinstance(value, bool):
        text = str(value).lower()
    else:
        text = _brief(value, 0)
    return text if len(text) <= 60 else text[:57] + "..."


def _brief(value: Any, depth: int) -> str:
    """At most three items of a mapping or a list at each of two levels, then ``...``."""
    if isinstance(value, Mapping):
        if depth >= 2:
            return "{...}"
        shown = [
            f"{_brief(k, depth + 1)}: {_brief(v, depth + 1)}" for k, v in islice(value.items(), 3)
        ]
        more = ", ..." if len(value) > 3 else ""
        return "{" + ", ".join(shown) + more + "}"
    if isinstance(value, list | tuple):
        if depth >= 2:
            return "[...]"
        shown = [_brief(v, depth + 1) for v in islice(value, 3)]
        more = ", ..." if len(value) > 3 else ""
        return "[" + ", ".join(shown) + more + "]"
    if isinstance(value, str):
        return repr(value[:40])
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _near(word: str, candidates: tuple[str, ...]) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return found[0] if found else None
