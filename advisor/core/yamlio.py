"""Reading YAML and JSON with line numbers, and finding the line of a field for error messages."""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import ReusedAnchorWarning
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError

from advisor.errors import InputError, Problem


def _round_trip() -> YAML:
    yaml = YAML(typ="rt")  # YAML 1.2, keeps comments and positions
    yaml.allow_duplicate_keys = False
    return yaml


def _fast() -> YAML:
    # The C loader when ruamel.yaml.clib is present: about five times quicker, for files we ship.
    return YAML(typ="safe")


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(path, [Problem("", "no such file")]) from None
    except IsADirectoryError:
        raise InputError(path, [Problem("", "is a folder, not a file")]) from None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        message = f"not UTF-8 text: byte 0x{exc.object[exc.start]:02X} ({exc.reason})"
        raise InputError(path, [Problem("", message, line)]) from None
    except OSError as exc:
        raise InputError(path, [Problem("", exc.strerror or str(exc))]) from None


def _syntax_error(path: str | Path | None, exc: YAMLError, source: str = "") -> InputError:
    line = None
    if isinstance(exc, ReaderError):
        # A character YAML does not allow (NUL, ESC, other control characters): the reader knows
        # its position in the text, not its line.
        line = source.count("\n", 0, exc.position) + 1 if source else None
        code = (
            exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or " ")
        )
        text = f"the character U+{code:04X} is not allowed in YAML or JSON text ({exc.reason})"
    elif isinstance(exc, MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        if mark is not None:
            line = mark.line + 1
        text = " ".join(x for x in (exc.context, exc.problem) if x)
    else:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return InputError(path, [Problem("", f"not valid YAML or JSON: {text}", line)])


def load_round_trip(text: str, path: str | Path | None = None) -> Any:
    """Parse YAML 1.2 (JSON included) keeping positions; syntax errors become an InputError."""
    try:
        with warnings.catch_warnings():  # a reused anchor is allowed; ruamel.yaml would warn
            warnings.simplefilter("ignore", ReusedAnchorWarning)
            return _round_trip().load(io.StringIO(text))
    except YAMLError as exc:
        raise _syntax_error(path, exc, text) from None
    except (ValueError, TypeError, RecursionError) as exc:
        raise InputError(path, [Problem("", f"not valid YAML or JSON: {exc}")]) from None


def load_fast(text: str, path: str | Path | None = None) -> Any:
    """Parse a file the project ships, without keeping positions."""
    try:
        return _fast().load(text)
    except YAMLError as exc:
        raise _syntax_error(path, exc, text) from None


def line_of(root: Any, loc: Sequence[str | int]) -> int | None:
    """The 1-based line of the deepest node along ``loc`` that a round-trip load knows about."""
    node = root
    line = None
    for key in loc:
        lc = getattr(node, "lc", None)
        try:
            if isinstance(node, dict) and key in node:
                if lc is not None:
                    line = lc.key(key)[0] + 1
                node = node[key]
            elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
                if lc is not None:
                    line = lc.item(key)[0] + 1
                node = node[key]
            else:
                break
        except (KeyError, IndexError, TypeError, AttributeError):
            break
    if line is None and getattr(root, "lc", None) is not None:
        line = root.lc.line + 1
    return line


def unknown_keys(
    mapping: Any, allowed: Sequence[str], root: Any = None, at: Sequence[str | int] = ()
) -> list[Problem]:
    """A problem, with its line, for each key of ``mapping`` (found at ``at`` under ``root``)
    that is not one of ``allowed``."""
    root = mapping if root is None else root
    prefix = ".".join(str(p) for p in at)
    return [
        Problem(
            f"{prefix}.{key}" if prefix else str(key),
            f"unknown key; allowed: {', '.join(allowed)}",
            line_of(root, [*at, key]),
        )
        for key in mapping
        if key not in allowed
    ]


def join_surrogates(root: Any, path: str | Path | None = None) -> None:
    """Join UTF-16 surrogate pairs in string values into the characters they stand for, in place.

    JSON writes a character beyond U+FFFF as two ``\\u`` escapes (Python's json.dumps does so for
    every emoji); a YAML reader takes each escape on its own and leaves two lone surrogates, which
    are not characters and cannot be printed. A lone surrogate that pairs with nothing is refused.
    """
    seen: set[int] = set()
    stack: list[tuple[Any, list[Any]]] = [(root, [])]
    while stack:
        node, loc = stack.pop()
        if id(node) in seen:  # anchors and aliases can make a node its own descendant
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            items: list[tuple[Any, Any]] = list(node.items())
        elif isinstance(node, list):
            items = list(enumerate(node))
        else:
            continue
        for key, value in items:
            here = [*loc, key]
            if not isinstance(value, str):
                stack.append((value, here))
            elif any("\ud800" <= c <= "\udfff" for c in value):
                try:
                    node[key] = value.encode("utf-16", "surrogatepass").decode("utf-16")
                except UnicodeDecodeError:
                    field = ".".join(str(p) for p in here)
                    message = "a \\u escape for half a UTF-16 surrogate pair is not a character"
                    raise InputError(path, [Problem(field, message, line_of(root, here))]) from None


def dump_round_trip(data: Any) -> str:
    stream = io.StringIO()
    _round_trip().dump(data, stream)
    return stream.getvalue()
