"""Catalogue figures: one dated, sourced number the cost model uses (Figure) and how old it is, and
the catalogue files figures are read from (the built-in ones in advisor/costs/data/), checked as
they load: a malformed file fails with file, line and field."""

from __future__ import annotations

import re
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from advisor.core.base import yamlio

KEY_PATTERN = r"^[a-z0-9_]+(\.[a-z0-9_]+)+$"
DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
BUILT_IN_FILES = (
    "hardware",
    "capacity",
    "gpus",
    "fine_tuning",
    "people",
    "trend",
    "latency",
    "uncertainty",
)
STALE_MONTHS = 12  # a figure older than this is flagged (principle 10, docs/principles.md)


class Figure(BaseModel):
    """One number the cost model uses, with when it was true and who says so."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=KEY_PATTERN)
    value: float
    low: float | None = None  # the range the figure may really lie in; None: the default spread
    high: float | None = None
    unit: str = ""
    as_of: str = Field(pattern=DATE_PATTERN)
    source: str = Field(min_length=1)
    note: str = ""
    origin: str = ""  # the file, plugin, config file or --set that gave it
    replaces: bool = False  # a plugin's figure that deliberately replaces a built-in one
    fixed: bool = False  # a fact that does not age (a datasheet, a model's architecture)
    reference: bool = False  # kept for comparison and shown, never read by the bills

    @field_validator("value", "low", "high", mode="before")
    @classmethod
    def _number(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("a figure is a number, not true or false")
        return value

    @model_validator(mode="after")
    def _range(self) -> Figure:
        _check_range(self.value, self.low, self.high)
        return self

    def age_months(self, today: str) -> int:
        """Whole months from when the figure was true to ``today`` (YYYY-MM-DD). A year alone is
        taken as its middle, a month as its first day."""
        return months_between(self.as_of, today)

    def stale(self, today: str) -> bool:
        """Older than a year (principle 10: a fixed capability's price halves in months), unless it
        is a fact that does not age, such as a datasheet."""
        return not self.fixed and self.age_months(today) > STALE_MONTHS


def months_between(as_of: str, today: str) -> int:
    parts = [int(p) for p in as_of.split("-")]
    year, month = parts[0], parts[1] if len(parts) > 1 else 7
    now_year, now_month = (int(p) for p in today.split("-")[:2])
    return max(0, (now_year - year) * 12 + now_month - month)


def _check_range(value: float, low: float | None, high: float | None) -> None:
    if (low is None) != (high is None):
        raise ValueError("give both low and high, or neither")
    if low is not None and high is not None and not low <= value <= high:
        raise ValueError(f"low ({low:g}) <= value ({value:g}) <= high ({high:g}) must hold")


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: float
    low: float | None = None
    high: float | None = None
    unit: str = ""
    as_of: str = Field(pattern=DATE_PATTERN)
    source: str = Field(min_length=1)
    note: str = ""
    replaces: bool = False
    fixed: bool = False
    reference: bool = False

    @model_validator(mode="after")
    def _range(self) -> _Body:
        _check_range(self.value, self.low, self.high)
        return self


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1)
    figures: dict[str, _Body]

    @field_validator("figures")
    @classmethod
    def _keys(cls, value: dict[str, _Body]) -> dict[str, _Body]:
        bad = [k for k in value if not re.match(KEY_PATTERN, k)]
        if bad:
            raise ValueError(
                f"figure keys are dotted lower-case words ([a-z0-9_]), not {', '.join(bad)}"
            )
        return value


def load_figures(source: Path | Traversable, origin: str | None = None) -> list[Figure]:
    """The figures of one catalogue file; a malformed one fails with file, line and field."""
    name = origin or str(source)
    parsed: _File = yamlio.validated(_File, source.read_text(encoding="utf-8"), name)
    return [
        Figure(key=key, origin=name, **body.model_dump()) for key, body in parsed.figures.items()
    ]


def built_in_sources() -> list[Traversable]:
    folder = files("advisor.costs") / "data"
    return [folder / f"{name}.yaml" for name in BUILT_IN_FILES]
