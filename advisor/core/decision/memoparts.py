"""What plugins give the decision memo: sections, and the read-only context they are built from."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from advisor.core.decision.engine import Decision
    from advisor.costs.model import Costs

SECTION_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
PLACES = ("consequences", "more_information")


@dataclass(frozen=True, slots=True)
class MemoSection:
    """A section a plugin adds to the memo: plain text, shown escaped in Markdown and HTML alike.

    ``place`` says where it goes: ``consequences`` (after the decision outcome, with the next
    steps and risks) or ``more_information`` (the appendix).
    """

    id: str
    title: str
    paragraphs: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    place: Literal["consequences", "more_information"] = "more_information"
    plugin: str = ""

    def __post_init__(self) -> None:
        if not SECTION_ID.match(self.id):
            raise ValueError(f"memo section id {self.id!r} must be a short snake_case word")
        if not isinstance(self.title, str) or not self.title.strip():
            raise ValueError(f"memo section {self.id!r} needs a title")
        if self.place not in PLACES:
            raise ValueError(
                f"memo section {self.id!r}: place must be one of {', '.join(PLACES)}, "
                f"not {self.place!r}"
            )
        for kind in ("paragraphs", "items"):
            value = getattr(self, kind)
            if isinstance(value, str) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"memo section {self.id!r}: {kind} must be a list of strings")
            object.__setattr__(self, kind, tuple(value))
        if not self.paragraphs and not self.items:
            raise ValueError(f"memo section {self.id!r} has neither paragraphs nor items")


@dataclass(frozen=True)
class MemoContext:
    """What a memo section may read: the decision, the answers and facts, and the bills."""

    decision: Decision
    costs: Costs | None
    labels: Mapping[str, str] = field(default_factory=dict)  # option id -> label

    @property
    def recommendation(self) -> str | None:
        return self.decision.recommendation

    @property
    def values(self) -> Mapping[str, Any]:
        """Answers by ``section.id``: given, assumed from a default, or None when unknown."""
        return self.decision.resolved.values

    @property
    def catalogue(self) -> Any:
        """The cost catalogue in effect (figures by key, with their dates and sources)."""
        view = self.decision.view
        if view is None:
            raise LookupError("this decision has no cost catalogue")
        return view.catalogue

    def answered(self, qid: str) -> bool:
        return qid in self.decision.resolved.answered

    def __getitem__(self, key: str) -> Any:
        """An answer or a derived fact, as rules read them."""
        view = self.decision.view
        if view is not None:
            return view[key]
        return self.values[key]
