"""Errors the user can act on: each names the file, the line, the field and what is allowed."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

# What str.splitlines() and terminals take for the end of a line. A key read from the file may hold
# them; shown raw they would split one problem over several lines. Lone surrogates (from \u escapes)
# cannot be printed at all.
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def _one_line(text: str) -> str:
    """The text on one line and harmless in a terminal: line breaks, control characters (an
    escape sequence could clear the screen or write the clipboard) and lone surrogates are shown
    as escapes."""
    return "".join(repr(c)[1:-1] if _unprintable(c) else c for c in text)


def _unprintable(c: str) -> bool:
    code = ord(c)
    return c in _LINE_BREAKS or code < 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF


FOLD_AFTER = 3  # problems with the same message shown before the rest are counted in one line
FOLD_FROM = 6  # how many problems with one message it takes to fold them


def _rendered(path: str | Path | None, problems: list[Problem]) -> list[str]:
    """Each problem on its line, except that many with the same message (100,000 aliases of one
    bad value, 10,000 unknown keys) are shown a few times, then counted with their lines."""
    counts = Counter(p.message for p in problems)
    seen: Counter[str] = Counter()
    out: list[str] = []
    for p in problems:
        if counts[p.message] < FOLD_FROM:
            out.append(p.render(path))
            continue
        seen[p.message] += 1
        if seen[p.message] <= FOLD_AFTER:
            out.append(p.render(path))
        if seen[p.message] == FOLD_AFTER:
            rest = [q for q in problems if q.message == p.message][FOLD_AFTER:]
            lines = [q.line for q in rest if q.line is not None]
            span = f" (lines {min(lines)} to {max(lines)})" if lines else ""
            where = str(path) if path is not None else "<input>"
            out.append(
                f"{where}: and {len(rest):,} more with the same message{span}: "
                f"{_one_line(rest[0].field)} ..."
            )
    return out


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input: where it is and what would be accepted instead."""

    field: str
    message: str
    line: int | None = None  # 1-based, as editors count

    def render(self, path: str | Path | None) -> str:
        where = str(path) if path is not None else "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        field, message = _one_line(self.field), _one_line(self.message)
        return f"{where}: {field}: {message}" if field else f"{where}: {message}"


class AdvisorError(Exception):
    """A failure caused by the user's input or set-up; the CLI prints it and exits with 2."""

    exit_code = 2


class InputError(AdvisorError):
    """An input file (answers, questionnaire, rule examples) is malformed."""

    def __init__(self, path: str | Path | None, problems: list[Problem]):
        self.path = path
        self.problems = problems
        super().__init__("\n".join(_rendered(path, problems)))
