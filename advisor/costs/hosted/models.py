"""Hosted model names: the friendly ids of advisor/costs/data/models.yaml (Alias), what a name
means once genai-prices has placed it (Model, with its retirement status), the error for a name
nobody knows, and the shortlist the TUI and ``advisor init`` offer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from advisor.core.base import yamlio

TIERS = ("frontier", "mid", "small")
Tier = Literal["frontier", "mid", "small"]
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


class Alias(BaseModel):
    """A friendly model id: where genai-prices finds it, its label, tier and status."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: str
    model: str
    label: str = Field(min_length=1)
    tier: Tier
    offered: bool = False  # in the shortlist the TUI and `advisor init` offer
    open_weights: str | None = None  # the architecture an open-weight endpoint serves
    shutdown: str | None = Field(default=None, pattern=DATE_PATTERN)
    announced: str | None = Field(default=None, pattern=DATE_PATTERN)
    replacement: str | None = None


class Aliases(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str
    models: dict[str, Alias]


def load_aliases(source: Traversable | Path | None = None) -> Aliases:
    """The friendly ids (models.yaml); a malformed file fails with file, line and field."""
    source = source or files("advisor.costs") / "data" / "models.yaml"
    aliases: Aliases = yamlio.validated(Aliases, source.read_text(encoding="utf-8"), str(source))
    for name, alias in aliases.models.items():
        if alias.replacement is not None and alias.replacement not in aliases.models:
            raise ValueError(f"{source}: {name}'s replacement {alias.replacement!r} is not listed")
    return aliases


@cache
def built_in_aliases() -> Aliases:
    return load_aliases()


class UnknownModel(LookupError):
    """A model name that neither the friendly ids nor genai-prices know."""

    def __init__(self, ref: str, near: list[str]):
        self.ref, self.near = ref, near
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        super().__init__(
            f"{ref!r} is not a model genai-prices knows: name a friendly id (advisor models "
            f"lists them), provider:model such as openai:gpt-5-mini, or a vendor's model id{hint}"
        )


@dataclass(frozen=True)
class Model:
    """What a model name means: the vendor's model, its label and tier, and whether it is retired."""

    ref: str  # what the team wrote
    provider: str  # genai-prices' provider id
    provider_name: str
    model: str  # genai-prices' model id
    label: str
    tier: str
    tier_guessed: bool = False  # placed by its output price (no entry in models.yaml)
    alias: str | None = None
    open_weights: str | None = None
    shutdown: str | None = None
    announced: str | None = None
    replacement: str | None = None
    deprecated: bool = False  # genai-prices marks it deprecated
    lookup: str = ""  # the name genai-prices is asked for (provider:model or a bare id)

    def status(self, on: str) -> str:
        """A sentence on the model's retirement as of the date ``on``, or "" when it is current."""
        if self.shutdown is not None and self.shutdown <= on:
            text = f"{self.label} was retired on {self.shutdown}: priced at its last list price"
        elif self.shutdown is not None:
            said = f" (announced {self.announced})" if self.announced else ""
            text = f"{self.label} is shut down on {self.shutdown}{said}"
        elif self.deprecated:
            text = f"genai-prices marks {self.label} as deprecated"
        elif self.replacement is not None:
            text = f"{self.label} is a 2024 model that its host may no longer serve"
        else:
            return ""
        if self.replacement is not None:
            text += f"; consider {self.replacement}"
        return text


def shortlist(aliases: Aliases | None = None) -> list[tuple[str, Alias]]:
    """The friendly ids offered by the TUI and ``advisor init``, in the file's order."""
    aliases = aliases or built_in_aliases()
    return [(name, alias) for name, alias in aliases.models.items() if alias.offered]


def labels(aliases: Mapping[str, Alias]) -> dict[str, str]:
    return {name: alias.label for name, alias in aliases.items()}
