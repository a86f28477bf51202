"""Reading YAML and JSON with line numbers, and finding the line of a field for error messages."""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
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
    # The C loader when ruamel.yaml.clib is present: about five times quicker. YAML 1.2 as the
    # round-trip reader, and a repeated key refused as it refuses one.
    yaml = YAML(typ="safe")
    yaml.allow_duplicate_keys = False
    return yaml


_FAST: list[YAML] = []  # made once, on first use: making one costs more than a small file's read
MAX_DEPTH = 64  # a file of ours needs a handful of levels; deeper is refused before parsing
MAX_BYTES = 1_000_000  # an answers file, a policy pack or a config file is a few kilobytes


def read_text(path: Path, limit: int = MAX_BYTES, kind: str = "this file") -> str:
    """A user's file as text; one larger than ``limit`` bytes is refused before it is read."""
    try:
        size = path.stat().st_size
    except OSError:
        size = 0  # reading it names what is wrong with the path
    if size > limit:
        message = f"{size:,} bytes is too large for {kind} (at most {limit:,} bytes)"
        raise InputError(path, [Problem("", message)])
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


def check_nesting(text: str, path: Path | None, block: bool = True) -> None:
    """Refuse brackets nested deeper than any file of ours needs; the YAML reader takes time that
    grows with the square of the depth, so a hostile file would otherwise stall it."""
    if block:
        _check_block_nesting(text, path)
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return
    depth, line = 0, 1
    for char in text:
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise InputError(
                    path,
                    [Problem("", f"brackets nested more than {MAX_DEPTH} levels deep", line)],
                )
        elif char in "]}":
            depth = max(0, depth - 1)
        elif char == "\n":
            line += 1


_DASHES = re.compile(r"(?:[-?:](?:[ \t]+|$))+")


def _check_block_nesting(text: str, path: Path | None) -> None:
    """The same limit for block nesting: each deeper indentation, and each ``- `` that opens a
    sequence on the line, is a level (the YAML reader recurses once for each)."""
    if text.count("\n") + text.count("- ") <= MAX_DEPTH:
        return
    indents: list[int] = []
    for number, row in enumerate(text.split("\n"), 1):
        body = row.lstrip(" ")
        if not body.strip() or body.startswith("#"):
            continue
        indent = len(row) - len(body)
        while indents and indents[-1] >= indent:
            indents.pop()
        indents.append(indent)
        dashes = _DASHES.match(body)
        opened = dashes.group().count("-") + dashes.group().count("?") if dashes else 0
        if len(indents) + opened > MAX_DEPTH:
            message = f"nested more than {MAX_DEPTH} levels deep"
            raise InputError(path, [Problem("", message, number)])


def load_user(path: Path, kind: str) -> Any:
    """A policy pack or config file: read within the size limit, nesting checked, then parsed
    keeping positions."""
    text = read_text(path, MAX_BYTES, kind)
    check_nesting(text, path)
    return load_round_trip(text, path)


def load_fast(text: str, path: str | Path | None = None) -> Any:
    """Parse YAML without keeping positions: a file the project ships, or a user's file read
    again with :func:`load_round_trip` if it is refused (for the line of the problem)."""
    try:
        with warnings.catch_warnings():  # a reused anchor is allowed, as the round-trip reader does
            warnings.simplefilter("ignore", ReusedAnchorWarning)
            if not _FAST:
                _FAST.append(_fast())
            return _FAST[0].load(text)
    except YAMLError as exc:
        raise _syntax_error(path, exc, text) from None


def load_shipped(text: str, name: str | Path | None = None) -> Any:
    """A YAML file the advisor or a plugin ships (figures, questionnaires, examples), parsed as
    :func:`load_fast` parses it, and kept between runs under a digest of its text
    (advisor/core/base/parsedcache.py): a command reads one cache file instead of parsing a dozen. A file that
    changes gets a new digest, so an edit is never read stale."""
    from advisor.core.base import parsedcache

    return parsedcache.kept(text, lambda: load_fast(text, name))


def validated(model: type[BaseModel], text: str, name: str) -> Any:
    """A data file the project ships (YAML), read fast and checked against ``model``; each
    problem names the file, its line and the field."""
    data = load_shipped(text, name)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        root = load_round_trip(text, name)
        problems = []
        for err in exc.errors():
            loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
            field_name = ".".join(str(p) for p in loc) or "(file)"
            message = err["msg"].removeprefix("Value error, ")
            problems.append(Problem(field_name, message, line_of(root, loc)))
        raise InputError(name, problems) from None


def problem_at(document: Any, keys: list[Any], message: str) -> Problem:
    """A problem with the value at ``keys`` (``["figures", "gpu.h100.hourly_usd"]``), named by its
    dotted path and located at its line."""
    return Problem(".".join(map(str, keys)), message, line_of(document, keys))


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
