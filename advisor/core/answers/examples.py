"""The answers files that ship with the advisor, for ``--example NAME``: found without reading
them, so that listing them costs a command nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable


def builtin_examples() -> dict[str, Traversable]:
    """The built-in examples, by name (the file name without ``.yaml``)."""
    from importlib.resources import files

    folder = files("advisor") / "examples"
    return {
        entry.name.rsplit(".", 1)[0]: entry
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".yaml")
    }
