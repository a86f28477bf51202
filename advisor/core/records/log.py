"""The decision log: the memos in a folder with their date, status, recommendation and revisit date.

Memos written by ``advisor memo`` carry all of it in their front matter. Other MADR records in the
same folder are listed too, with what their front matter and first heading say.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from advisor.core.answers import memofile
from advisor.core.base import yamlio
from advisor.errors import AdvisorError, InputError

DECISIONS_DIR = Path("docs") / "decisions"  # where `advisor log` looks, from the project's root
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)
_TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL | re.IGNORECASE)


def _slug(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words)[:60].strip("-") or "decision"


def next_record(folder: Path, title: str, suffix: str) -> Path:
    """The next MADR-style file name in a folder: ``0007-title-in-words.md``."""
    numbers = [
        int(m.group(1))
        for p in folder.iterdir()
        if (m := re.match(r"^(\d{4})-", p.name)) is not None
    ]
    return folder / f"{max(numbers, default=0) + 1:04d}-{_slug(title)}{suffix}"


@dataclass
class Entry:
    path: Path
    date: str
    title: str
    status: str
    recommendation: str  # an option id, "none", or "" for a record not written by the advisor
    revisit: str
    overdue: bool
    problem: str = ""  # why the file could not be read, or ""
    next_step: str = ""  # the plan's next step, as the memo's front matter words it, or ""
    due_step: str = ""  # the furthest step the team's answers now reach, or ""
    checked: str = ""  # the answers file the plan was checked against, or ""
    check_problem: str = ""  # why the plan could not be checked, or ""

    def as_json(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "date": self.date or None,
            "title": self.title,
            "status": self.status or None,
            "recommendation": self.recommendation or None,
            "revisit": self.revisit or None,
            "overdue": self.overdue,
            "next_step": self.next_step or None,
            "due_step": self.due_step or None,
            "checked_against": self.checked or None,
            "check_problem": self.check_problem or None,
            "problem": self.problem or None,
        }


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _heading(text: str, html: bool) -> str:
    if not html and text.startswith("---"):  # past the front matter, whose comments start with #
        end = re.search(r"^(?:---|\.\.\.)\s*$", text[3:], re.MULTILINE)
        text = text[3 + end.end() :] if end else text
    found = (_TITLE if html else _HEADING).search(text)
    if found is None:
        return ""
    import html as markup

    return markup.unescape(" ".join(found.group(1).split())) if html else found.group(1)


# MADR statuses of a decision no longer followed: its plan is not checked for a step due.
CLOSED = frozenset(["rejected", "deprecated", "superseded"])
# The answers in a file, by question id: how the log reads the answers a plan is checked against.
AnswersOf = Callable[[Path], Mapping[str, Any]]


def _step_text(item: Any) -> str:
    """A step as the front matter words it: a mapping's ``step`` (the advisor's since the plan's
    triggers were recorded), or the string itself (a memo written before)."""
    return _text(item.get("step")) if isinstance(item, Mapping) else _text(item)


def _check(entry: Entry, block: Mapping[str, Any], plan: list[Any], answers_of: AnswersOf) -> None:
    """Mark the step the team's answers have reached: those of the answers file the memo names
    (``source``, relative to the memo's folder), else the memo's own, which a team may edit."""
    from advisor.core.exploration.plan import record_steps

    try:
        steps = record_steps(plan)
    except ValueError as exc:
        entry.check_problem = f"advisor.plan {exc}"
        return
    source = block.get("source")
    target = entry.path
    if isinstance(source, str) and source:
        target = Path(os.path.normpath(entry.path.parent / source))
    try:
        values = answers_of(target)
    except (AdvisorError, OSError) as exc:
        entry.check_problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return
    entry.checked = str(target)
    at = steps.reached(values)
    if at:
        texts = [_step_text(item) for item in plan]
        entry.due_step = texts[at - 1]
        entry.next_step = texts[at] if at < len(texts) else ""


def read_entry(path: Path, today: date, answers_of: AnswersOf | None = None) -> Entry:
    text = yamlio.read_text(path)
    html = path.suffix.lower() in (".html", ".htm")
    try:
        front = memofile.front_matter(text, path)
    except InputError as exc:
        return Entry(path, "", _heading(text, html), "", "", "", False, str(exc))
    front = front if isinstance(front, dict) else {}
    block = front.get("advisor")
    block = block if isinstance(block, dict) else {}
    revisit = _text(block.get("revisit"))
    overdue = False
    if revisit:
        with contextlib.suppress(ValueError):  # a date edited into something else is not overdue
            overdue = date.fromisoformat(revisit) < today
    recommendation = ""
    if block:
        recommendation = _text(block.get("recommendation")) or "none"
    title = _text(block.get("title")) or _heading(text, html) or path.stem
    plan = block.get("plan")
    entry = Entry(
        next_step=_step_text(plan[0]) if isinstance(plan, list) and plan else "",
        path=path,
        date=_text(front.get("date")),
        title=title,
        status=_text(front.get("status")),
        recommendation=recommendation,
        revisit=revisit,
        overdue=overdue,
    )
    # A plan whose steps carry their triggers is checked; one of text only (older) is shown.
    steps = plan if isinstance(plan, list) else []
    live = entry.status not in CLOSED
    if answers_of is not None and live and any(isinstance(item, Mapping) for item in steps):
        _check(entry, block, steps, answers_of)
    return entry


def decision_log(folder: Path, today: date, answers_of: AnswersOf | None = None) -> list[Entry]:
    """Every Markdown and HTML record in ``folder`` (not its subfolders), by file name; with
    ``answers_of``, each plan checked against the team's answers for the step it is due for."""
    if not folder.is_dir():
        raise AdvisorError(
            f"{folder}: no such folder (write memos there with `advisor memo FILE -o {folder}/`)"
        )
    return [
        read_entry(path, today, answers_of)
        for path in sorted(folder.iterdir())
        if path.is_file() and memofile.is_memo(path) and path.name.lower() != "readme.md"
    ]
