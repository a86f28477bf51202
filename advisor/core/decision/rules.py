"""What plugins declare: options, derived facts, rules and the findings a rule returns."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

CODE_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{1,9}[0-9]{3}$")
OPTION_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
FACT_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")

# The stages of the decision procedure, in the order the engine runs them (docs/scoring.md):
# constraints rule options out, gates hold back options whose preconditions are not met,
# economics weighs the bills by how much they differ, preferences weigh what remains.
STAGES = ("constraint", "gate", "economics", "preference")
KINDS = ("points", "veto", "hold", "note")  # what a finding can be
# A finding's points, either way: more than any rule needs, since what must win whatever else is
# said is a veto. Plugins' rules and policy packs are held to it alike.
POINTS_LIMIT = 100
Stage = Literal["constraint", "gate", "economics", "preference"]


class Facts(Protocol):
    """What a rule or a derived fact reads: ``facts["pmf.stage"]`` for an answer (None when unknown),
    ``facts["tokens_per_month"]`` for a derived fact."""

    def __getitem__(self, key: str) -> Any: ...

    @property
    def catalogue(self) -> Any:
        """The cost catalogue in effect (figures by key, hosted prices), for cost facts."""
        ...


@dataclass(frozen=True, slots=True)
class Option:
    """A way to adopt a model that the advisor can recommend."""

    id: str
    label: str
    summary: str
    effort: int = 0  # relative effort; breaks ties in favour of the lighter option
    plugin: str = ""

    def __post_init__(self) -> None:
        if not OPTION_PATTERN.match(self.id):
            raise ValueError(f"option id {self.id!r} must be a short snake_case word")


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a rule concluded about one option: points for (positive) or against, a veto, a
    hold, or a note."""

    option: str | None  # None only for a note about the decision as a whole
    kind: Literal["points", "veto", "hold", "note"]
    because: str
    points: float = 0

    def __post_init__(self) -> None:
        # What the engine relies on, checked where every finding is made (a plugin may build one
        # without the helpers below); that the option exists is the engine's to check.
        if self.kind not in KINDS:
            raise ValueError(f"finding of unknown kind {self.kind!r}; known: {', '.join(KINDS)}")
        if not isinstance(self.because, str) or not self.because.strip():
            raise ValueError("a finding needs a reason ('because')")
        if self.option is None and self.kind != "note":
            raise ValueError("only a note may leave out the option")
        if self.option is not None and not isinstance(self.option, str):
            raise ValueError(f"a finding names its option by id, not {self.option!r:.40}")
        if self.kind == "points":
            amount = self.points
            if (
                isinstance(amount, bool)
                or not isinstance(amount, int | float)
                or amount == 0
                or not abs(amount) <= POINTS_LIMIT  # NaN and infinity included; no float()
            ):
                raise ValueError(
                    f"points must be finite, non-zero and from -{POINTS_LIMIT} to "
                    f"{POINTS_LIMIT}, not {amount!r:.40}"
                )


def points(option: str, amount: float, because: str) -> Finding:
    """Points for ``option`` (negative: against it): a non-zero finite number within
    POINTS_LIMIT either way."""
    return Finding(option, "points", because, amount)


def veto(option: str, because: str) -> Finding:
    """A hard constraint: ``option`` is ruled out whatever its score."""
    return Finding(option, "veto", because)


def hold(option: str, because: str) -> Finding:
    """A gate: ``option`` is held back, because a precondition for it is not met (no product-market
    fit yet, nobody to run models, no evidence that tuning is needed). A held option still stands,
    but ranks below every option that no gate holds back."""
    return Finding(option, "hold", because)


def note(option: str | None, because: str) -> Finding:
    """Advice that changes no score, about ``option`` or (None) the decision as a whole."""
    return Finding(option, "note", because)


@dataclass(frozen=True, slots=True)
class Example:
    """Answers (``{"pmf.stage": "idea", ...}``) under which a rule should fire, or stay quiet."""

    answers: Mapping[str, Any]
    fires: bool
    note: str = ""


@dataclass(frozen=True, slots=True)
class Fact:
    """A value derived from answers (and other facts) that rules read, e.g. tokens a month."""

    name: str
    description: str
    compute: Callable[[Facts], Any]
    reads: tuple[str, ...]
    unit: str | None = None
    replaces: bool = False  # True: deliberately replaces a fact another plugin gave
    plugin: str = ""

    def __post_init__(self) -> None:
        if not FACT_PATTERN.match(self.name):
            raise ValueError(f"fact name {self.name!r} must be snake_case without dots")


@dataclass(frozen=True, slots=True)
class Rule:
    """A small declared unit of reasoning with a stable code, a rationale and a source."""

    code: str
    title: str
    rationale: str
    source: str
    check: Callable[[Facts], Iterable[Finding] | Finding | None]
    reads: tuple[str, ...]
    fires_when: str
    principles: tuple[int, ...] = ()
    options: tuple[str, ...] = ()  # the options its findings may name
    examples: tuple[Example, ...] = field(default=())
    plugin: str = ""
    since: str = ""  # the version of its plugin the rule first appeared in
    stage: Stage = "preference"  # when the engine runs it; constraint rules run first

    def __post_init__(self) -> None:
        if self.stage not in STAGES:
            raise ValueError(
                f"rule {self.code}: stage must be one of {', '.join(STAGES)}, not {self.stage!r}"
            )
        if not CODE_PATTERN.match(self.code):
            raise ValueError(
                f"rule code {self.code!r} must be capitals then three digits, e.g. PMF001"
            )
        for text, name in (
            (self.title, "title"),
            (self.rationale, "rationale"),
            (self.source, "source"),
            (self.fires_when, "fires_when"),
        ):
            if not text or not text.strip():
                raise ValueError(f"rule {self.code} needs a {name}")
        if not self.reads:
            raise ValueError(f"rule {self.code} must declare what it reads")

    def run(self, facts: Facts) -> list[Finding]:
        """Call the rule and normalise what it returns to a list of findings."""
        result = self.check(facts)
        if result is None:
            return []
        if isinstance(result, Finding):
            return [result]
        found = list(result)
        for item in found:
            if not isinstance(item, Finding):
                raise TypeError(f"rule {self.code} returned {type(item).__name__}, not a Finding")
        return found


def rule(
    code: str,
    title: str,
    *,
    source: str,
    reads: Iterable[str],
    fires_when: str,
    principles: Iterable[int] = (),
    options: Iterable[str] = (),
    examples: Iterable[Example] = (),
    stage: Stage = "preference",
    since: str = "",
) -> Callable[[Callable[[Facts], Any]], Rule]:
    """Declare a rule from a function; its docstring is the rationale.

    The function receives the facts and returns (or yields) findings: ``points``, ``veto``,
    ``hold`` or ``note``. It must be pure: the same answers always give the same findings.
    ``stage`` places it in the decision procedure: ``constraint`` rules run first, and the options
    they rule out are the fact ``ruled_out`` that later rules may read. ``since`` is the version of
    the plugin the rule first appeared in, so a reader of an old memo can tell a rule that is new
    from one that changed its mind.
    """

    def wrap(func: Callable[[Facts], Any]) -> Rule:
        rationale = inspect.cleandoc(func.__doc__ or "")
        check = func
        if inspect.isgeneratorfunction(func):

            def check(facts: Facts, _f: Callable[[Facts], Any] = func) -> list[Finding]:
                return list(_f(facts))

        return Rule(
            code=code,
            title=title,
            rationale=rationale,
            source=source,
            check=check,
            reads=tuple(reads),
            fires_when=fires_when,
            principles=tuple(principles),
            options=tuple(options),
            examples=tuple(examples),
            stage=stage,
            since=since,
        )

    return wrap


def examples_from_data(data: Mapping[str, Any]) -> tuple[Example, ...]:
    """Examples from a mapping ``{"fires": [answers...], "quiet": [answers...]}``."""
    out: list[Example] = []
    for key, fires in (("fires", True), ("quiet", False)):
        for item in data.get(key) or ():
            item = dict(item)
            text = str(item.pop("_note", ""))
            out.append(Example(answers=item, fires=fires, note=text))
    return tuple(out)


# The engine's own fact: the options the constraint rules ruled out (a frozenset of option ids),
# known once they have run; rules of later stages may read it.
RULED_OUT = "ruled_out"


def ruled_out_fact(reads: Iterable[str]) -> Fact:
    """The ``ruled_out`` fact, which reads what the constraint rules read."""

    def compute(facts: Facts) -> Any:
        raise LookupError(
            "ruled_out is known only once the constraint rules have run: a rule of the "
            "constraint stage cannot read it"
        )

    return Fact(
        name=RULED_OUT,
        description="The options the constraint rules ruled out, before any other stage runs.",
        compute=compute,
        reads=tuple(dict.fromkeys(reads)),
        plugin="advisor",
    )
