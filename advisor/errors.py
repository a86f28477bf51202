"""Errors the user can act on: each names the file, the line, the field and what is allowed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# What str.splitlines() and terminals take for the end of a line. A key read from the file may hold
# them; shown raw they would split one problem over several lines. Lone surrogates (from \u escapes)
# cannot be printed at all.
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def _one_line(text: str) -> str:
    return "".join(
        repr(c)[1:-1] if c in _LINE_BREAKS or "\ud800" <= c <= "\udfff" else c for c in text
    )


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
        super().__init__("\n".join(p.render(path) for p in problems))
