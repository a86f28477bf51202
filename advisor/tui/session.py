"""One TUI session without the UI: the answers, the live decision, saving, exporting and autosave.

Everything the terminal UI does to the answers goes through a :class:`Session`, so it can be tested
without Textual and timed on its own. Nothing here imports Textual.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.core.answers.document import AnswersFile
from advisor.core.answers.questionnaire import Question
from advisor.core.answers.schema import Expect
from advisor.core.base import dates
from advisor.core.base.files import write_atomic
from advisor.core.decision.engine import Decision
from advisor.core.evaluation import evaluate

if TYPE_CHECKING:
    from advisor.core.decision.registry import Registry
    from advisor.costs.catalogue import Catalogue
    from advisor.tui.autosave import Autosave

_SCALE = {"k": 1e3, "m": 1e6, "b": 1e9, "bn": 1e9, "t": 1e12}
# Durations, in milliseconds, for a question asked in "ms" or "s".
_TIME = {
    "ms": 1.0,
    "msec": 1.0,
    "millisecond": 1.0,
    "milliseconds": 1.0,
    "s": 1e3,
    "sec": 1e3,
    "secs": 1e3,
    "second": 1e3,
    "seconds": 1e3,
    "min": 60e3,
    "mins": 60e3,
    "minute": 60e3,
    "minutes": 60e3,
}
_TIME_UNITS = {"ms": 1.0, "s": 1e3}  # the question's unit, in milliseconds
_WRITTEN = re.compile(
    r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*([a-z%/ ]*)$", re.IGNORECASE
)


def parse_number(text: str, unit: str | None = None) -> float | str:
    """What a person types for a number: ``2M``, ``1.5k``, ``1e6``, ``2,000,000``, ``2_000_000``;
    with the question's unit, a duration in any unit (``3 s`` is 3,000 for a question in ms,
    ``300ms`` is 300), a share as a percentage (``30%`` is 0.3) and the unit itself written after
    the number (``800 tokens``).

    Returns the number, or the text unchanged when it is not one of these (the question's own
    reader then judges it, with its own message).
    """
    stripped = text.strip()
    found = _WRITTEN.match(stripped.replace(",", "").replace("_", ""))
    if found is None:
        return stripped
    number, word = float(found.group(1)), " ".join(found.group(2).lower().split())
    if not word:
        return stripped  # a plain number: the question reads it (and keeps ints whole)
    scale = _scale(word, (unit or "").strip().lower())
    if scale is None:
        return stripped
    value = number * scale
    return int(value) if value.is_integer() else value


def _scale(word: str, unit: str) -> float | None:
    """What a word after a number multiplies it by, for a question in ``unit``; None: unknown."""
    if word in _SCALE:
        if unit in _TIME_UNITS and word == "m":
            return None  # "3m" for a latency: minutes or millions? Neither is taken.
        return _SCALE[word]
    if unit in _TIME_UNITS and word in _TIME:
        return _TIME[word] / _TIME_UNITS[unit]
    if word == "%" and unit.startswith("share"):
        return 0.01
    if unit and (word == unit or word == unit.split()[0] or word.rstrip("s") == unit.rstrip("s")):
        return 1.0  # the unit written out: "800 tokens", "3 people"
    return None


def number_examples(unit: str | None) -> str:
    """The short forms a number question takes, for its messages."""
    unit = (unit or "").strip().lower()
    if unit in _TIME_UNITS:
        return "3 s, 300 ms or 1.5k work too"
    if unit.startswith("share"):
        return "30% or 0.3 work too"
    return "2M, 1.5k, 1e6 or 2,000,000 work too"


def number_hint(q: Question) -> str:
    """What a number field accepts, for its placeholder (the short forms are in its help)."""
    return q.allowed()


def number_help(q: Question) -> str:
    """How to type a number question's answer, for the help shown beside it."""
    return f"Type {number_examples(q.unit).replace(' work too', '')}; Enter takes it."


@dataclass
class Session:
    """The answers being given, where they came from, and the decision they lead to."""

    registry: Registry
    catalogue: Catalogue
    values: dict[str, Any] = field(default_factory=dict)
    title: str = ""
    why: str = ""
    expect: Expect | None = None
    source: Path | None = None  # the answers file or memo it was opened from
    document: Any = None  # that file's round-trip tree, to keep comments and order on save
    autosave: Autosave | None = None
    dirty: bool = False  # changed since opened or last saved
    started: str = field(default_factory=lambda: datetime.now().strftime("%Y%m%d%H%M%S%f"))
    _decision: Decision | None = field(default=None, repr=False)
    _quick: Decision | None = field(default=None, repr=False)

    @classmethod
    def open(
        cls,
        registry: Registry,
        catalogue: Catalogue,
        answers: AnswersFile | None = None,
        autosave: Autosave | None = None,
    ) -> Session:
        if answers is None:
            return cls(registry, catalogue, autosave=autosave)
        from_file = answers.path is not None and not str(answers.path).startswith("example:")
        return cls(
            registry,
            catalogue,
            values=dict(answers.values),
            title=answers.title or "",
            why=answers.why or "",
            expect=answers.expect,
            source=answers.path if from_file else None,
            document=answers.document if from_file and answers.memo is None else None,
            autosave=autosave,
        )

    # The decision -------------------------------------------------------------------------------

    @property
    def decision(self) -> Decision:
        """The complete decision for the answers as they stand (flips, unknowns and confidence
        included), worked out again after each change, when first asked for."""
        if self._decision is None:
            self._decision = evaluate(self.registry, self.values, catalogue=self.catalogue)
            self._quick = None
        return self._decision

    @property
    def quick(self) -> Decision:
        """The decision without its exploration: the recommendation and ranking at once, while
        what could change it is still being worked out (the complete one once it is there)."""
        if self._decision is not None:
            return self._decision
        if self._quick is None:
            self._quick = evaluate(
                self.registry, self.values, catalogue=self.catalogue, explore=False
            )
        return self._quick

    @property
    def explored(self) -> bool:
        """Whether the complete decision for the answers as they stand is worked out."""
        return self._decision is not None

    def visible(self, q: Question) -> bool:
        return q.is_visible(self.quick.resolved.values)

    def progress(self, section_id: str) -> tuple[int, int]:
        """Answered and asked questions of a section (those its conditions hide not counted)."""
        asked = [q for q in self.registry.section(section_id).questions if self.visible(q)]
        return sum(1 for q in asked if q.qid in self.values), len(asked)

    # Changing answers ---------------------------------------------------------------------------

    def read_value(self, qid: str, raw: Any) -> Any:
        """What was typed or chosen, as the question's value: numbers in short forms (2M),
        several choices separated by commas; ValueError saying what is allowed otherwise."""
        q = self.registry.questions[qid]
        if q.type == "multi_choice" and isinstance(raw, str):
            raw = [part.strip() for part in raw.split(",") if part.strip()]
        if q.type not in ("int", "number") or not isinstance(raw, str):
            return q.coerce(raw)
        try:
            return q.coerce(parse_number(raw, q.unit))
        except ValueError as exc:
            raise ValueError(f"{exc} ({number_examples(q.unit)})") from None

    def answer(self, qid: str, raw: Any) -> Any:
        """Set an answer from what was typed or chosen; an empty value clears it.

        Raises ValueError with what is allowed when the value is not; the answers are then as
        they were. Returns the value as stored.
        """
        if raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []:
            self.clear(qid)
            return None
        value = self.read_value(qid, raw)
        if self.values.get(qid) != value or qid not in self.values:
            self.values[qid] = value
            self._changed()
        return value

    def clear(self, qid: str) -> None:
        if qid in self.values:
            del self.values[qid]
            self._changed()

    def set_about(self, title: str | None = None, why: str | None = None) -> None:
        if title is not None and title != self.title:
            self.title = title
            self._changed(decide=False)
        if why is not None and why != self.why:
            self.why = why
            self._changed(decide=False)

    def _changed(self, decide: bool = True) -> None:
        self.dirty = True
        if decide:
            self._decision = self._quick = None
        if self.autosave is not None:
            self.autosave.write(self)

    # Files --------------------------------------------------------------------------------------

    def answers_file(self) -> AnswersFile:
        """The answers as the rest of the advisor takes them (memo, diff)."""
        return AnswersFile(
            values=dict(self.values),
            title=self.title or None,
            why=self.why or None,
            expect=self.expect,
            path=self.source,
        )

    def tree(self) -> dict[str, dict[str, Any]]:
        """The answers by section, in the questionnaire's order."""
        tree: dict[str, dict[str, Any]] = self.data()["answers"]
        return tree

    def data(self) -> dict[str, Any]:
        """The answers file as plain data: title, why, expect and the answers."""
        from advisor.core.answers.document import answers_data

        return answers_data(self.answers_file(), self.registry)

    def answers_text(self, suffix: str = ".yaml") -> str:
        """The answers file's text. Into the YAML file the answers came from, only what changed is
        written over: its comments, order, quoting and folded text stay as they were."""
        if suffix.lower() == ".json":
            return json.dumps(self.data(), indent=2, ensure_ascii=False) + "\n"
        merged = self._merged()
        if merged is not None:
            return merged
        from advisor.core.answers.memofile import dump_yaml

        return dump_yaml(self.data())  # quotes yes/no and the like, for YAML 1.1 readers too

    def _merged(self) -> str | None:
        """The source file's YAML with the session's answers in place, or None when the answers
        did not come from a YAML file that can still be read."""
        import io

        from ruamel.yaml import YAML
        from ruamel.yaml.comments import CommentedMap

        if self.source is None or self.document is None or not hasattr(self.document, "lc"):
            return None
        yaml = YAML(typ="rt")
        yaml.preserve_quotes = True
        yaml.width = 4096
        try:
            doc = yaml.load(self.source.read_text(encoding="utf-8"))
        except Exception:  # changed on disk into something unreadable: write afresh
            return None
        if not isinstance(doc, dict):
            return None
        for key, value in (("title", self.title), ("why", self.why)):
            if not value:
                doc.pop(key, None)
            elif str(doc.get(key, "")).strip() != value.strip():
                doc[key] = value
        sections = doc.get("answers")
        if not isinstance(sections, dict):
            sections = doc["answers"] = CommentedMap()
        tree = self.tree()
        for sid in list(sections):
            given = sections[sid]
            if not isinstance(given, dict):
                continue
            for qid in list(given):
                if qid not in tree.get(sid, {}):
                    del given[qid]
        for sid, answers in tree.items():
            given = sections.get(sid)
            if not isinstance(given, dict):
                given = sections[sid] = CommentedMap()
            for qid, value in answers.items():
                if qid not in given or self._read(f"{sid}.{qid}", given[qid]) != value:
                    given[qid] = value
        out = io.StringIO()
        yaml.dump(doc, out)
        return out.getvalue()

    def _read(self, qid: str, written: Any) -> Any:
        """A value as the file has it, read as the question reads it (``1,200`` is 1200)."""
        try:
            return self.registry.questions[qid].coerce(written)
        except (KeyError, ValueError):
            return written

    @property
    def autosave_name(self) -> str:
        """The name of this session's autosave file (see advisor/tui/autosave.py)."""
        from advisor.tui.autosave import name_for

        return name_for(self.source, self.started)

    def save(self, path: Path, *, force: bool = False) -> None:
        """Write the answers file (atomically); an existing file only with ``force``. The session's
        autosave is no longer needed and is removed."""
        write_atomic(path, self.answers_text(path.suffix), force=force)
        before = self.autosave_name
        if self.source is None or path.resolve() != self.source.resolve():
            self.source = path
        self.dirty = False
        if self.autosave is not None:
            self.autosave.clear(before)
            self.autosave.clear(self.autosave_name)

    def memo_text(self, fmt: str, today: date | None = None) -> str:
        from advisor.render.memo.model import build_memo
        from advisor.render.memo.render import render

        memo = build_memo(
            self.decision,
            self.registry,
            self.answers_file(),
            self.catalogue,
            today=today or dates.today(),
            charts=fmt == "html",
        )
        return render(memo, fmt)

    def export(
        self, path: Path, fmt: str, *, force: bool = False, today: date | None = None
    ) -> None:
        write_atomic(path, self.memo_text(fmt, today), force=force)

    def whatif(self, qid: str, raw: Any) -> Decision:
        """The decision with one answer changed; the session's answers stay as they are."""
        values = dict(self.values)
        values[qid] = self.read_value(qid, raw)
        return evaluate(self.registry, values, catalogue=self.catalogue)

    def stamp(self) -> str:
        """The time of a change, to the microsecond (so that sessions order by it)."""
        return datetime.now().isoformat(timespec="microseconds")
