"""Questionnaire files: one section read from YAML and validated, a malformed one failing with
the file, the line and the field."""

from __future__ import annotations

from importlib.resources.abc import Traversable
from pathlib import Path

from pydantic import ValidationError

from advisor.core.answers.questionnaire import Section, _At
from advisor.core.base import yamlio
from advisor.errors import InputError, Problem


def load_section(source: Path | Traversable, origin: str | None = None) -> Section:
    """Load and validate one questionnaire file; a malformed one fails with file, line and field."""
    name = origin or str(source)
    text = source.read_text(encoding="utf-8")
    data = yamlio.load_shipped(text, name)
    if isinstance(data, dict):
        data.setdefault("origin", name)
    try:
        return Section.model_validate(data)
    except ValidationError as exc:
        # Only now pay for a positional parse, to point at the line.
        root = yamlio.load_round_trip(text, name)
        problems = []
        for err in exc.errors():
            loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
            cause = err.get("ctx", {}).get("error")
            if isinstance(cause, _At):  # point at the field inside the model, not the model
                loc += cause.loc
            field = ".".join(str(p) for p in loc) or "(file)"
            message = err["msg"].removeprefix("Value error, ")
            problems.append(Problem(field, message, yamlio.line_of(root, loc)))
        raise InputError(name, problems) from None
