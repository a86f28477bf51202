"""Errors the user can act on: each names the file, the line, the field and what is allowed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class AdvisorError(Exception):
    """A failure caused by the user's input or set-up; the CLI prints it and exits with 2."""

    exit_code = 2


class InputError(AdvisorError):
    """An input file (answers, questionnaire, rule examples) is malformed."""

    def __init__(self, path: str | Path | None, problems: list[Problem]):
        self.path = path
        self.problems = problems
        super().__init__("\n".join(p.render(path) for p in problems))
