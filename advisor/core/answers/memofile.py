"""Memo files as input: the front matter a memo carries (answers, versions, conclusion), read back.

A Markdown memo opens with YAML front matter between ``---`` lines, as MADR records do; an HTML memo
carries the same data as JSON in a ``<script type="application/json" id="advisor-memo">`` element.
Both are read with line numbers that match the file, so an error in an edited memo names its line.
The characters ``<``, ``>`` and ``&`` inside strings (and in YAML the brackets of a Markdown link)
are written as escapes in both forms, so answer text can never become markup in the memo around it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.core.base import yamlio
from advisor.errors import InputError, Problem

if TYPE_CHECKING:
    from advisor.core.decision.registry import Registry
    from advisor.costs.catalogue import Catalogue

MEMO_SUFFIXES = (".md", ".markdown", ".html", ".htm")
ANSWER_KEYS = ("title", "why", "expect", "answers")
SCRIPT_ID = "advisor-memo"
_SCRIPT = re.compile(
    r'<script type="application/json" id="' + SCRIPT_ID + r'">(.*?)</script>', re.DOTALL
)
_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}
# In YAML front matter, also the brackets of a Markdown link, for renderers that show front matter
# as text: written as YAML escapes inside double-quoted strings.
_UNSAFE_YAML = {"<": "\\x3c", ">": "\\x3e", "&": "\\x26", "[": "\\x5b", "]": "\\x5d"}
# Characters a YAML reader takes for line breaks, kept as they are by escaping them too.
_UNSAFE_YAML.update({"\x85": "\\x85", "\u2028": "\\u2028", "\u2029": "\\u2029"})
_NOT_YAML = re.compile("[\x7f-\x9f\u2028\u2029\ufffe\uffff]")


def is_memo(path: Path) -> bool:
    return path.suffix.lower() in MEMO_SUFFIXES


def _is_html(path: Path | None, text: str) -> bool:
    if path is not None and path.suffix.lower() in (".html", ".htm"):
        return True
    return text.lstrip().lower().startswith("<!doctype html")


def front_matter(text: str, path: Path | None) -> Any:
    """The memo's front matter as a round-trip tree whose line numbers are the file's, or None when
    the file has none (a Markdown file that is not a memo)."""
    if _is_html(path, text):
        found = _SCRIPT.search(text)
        if found is None:
            return None
        before = text.count("\n", 0, found.start(1))
        # JSON is YAML 1.2: the YAML reader gives the positions the error messages need.
        return yamlio.load_round_trip("\n" * before + found.group(1), path)
    if not text.startswith("---"):
        return None
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return None
    for end, line in enumerate(lines[1:], start=1):
        if line.rstrip() in ("---", "..."):
            return yamlio.load_round_trip("\n".join(lines[:end]) + "\n", path)
    raise InputError(path, [Problem("", "front matter opened with '---' is never closed", 1)])


def memo_data(text: str, path: Path | None) -> Mapping[str, Any]:
    """The front matter of a memo written by the advisor; an error for any other file."""
    found = front_matter(text, path)
    if found is None:
        raise InputError(
            path,
            [
                Problem(
                    "",
                    "not an answers file or a memo written by `advisor memo`: no front matter "
                    "with an 'advisor:' block",
                    1,
                )
            ],
        )
    if not isinstance(found, Mapping) or not isinstance(found.get("advisor"), Mapping):
        line = yamlio.line_of(found, []) if found is not None else 1
        raise InputError(
            path,
            [Problem("advisor", "the front matter has no 'advisor:' block of answers", line)],
        )
    return found


def answers_document(front: Mapping[str, Any]) -> Any:
    """The answers-file part of a memo's front matter (title, why, expect, answers), positions kept."""
    from ruamel.yaml.comments import CommentedMap

    block = front["advisor"]
    document = CommentedMap()
    lines = getattr(getattr(block, "lc", None), "data", {})
    for key in ANSWER_KEYS:
        if key in block:
            document[key] = block[key]
            if key in lines:
                document.lc.add_kv_line_col(key, lines[key])
    if getattr(block, "lc", None) is not None:
        document.lc.line, document.lc.col = block.lc.line, block.lc.col
    return document


_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")
# Words some YAML reader takes for a boolean or null; written in quotes to stay strings.
_RESERVED = frozenset(["y", "n", "yes", "no", "true", "false", "on", "off", "null", "~"])


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if (
        _PLAIN.fullmatch(text) and text.lower() not in _RESERVED
    ):  # fullmatch: "true\n" is not a word
        return text
    # A JSON string is a YAML double-quoted scalar; then escape what must not appear raw.
    quoted = json.dumps(text, ensure_ascii=False)
    quoted = _NOT_YAML.sub(lambda m: f"\\u{ord(m.group(0)):04x}", quoted)
    for char, escape in _UNSAFE_YAML.items():
        quoted = quoted.replace(char, escape)
    return quoted


def _emit(data: Any, indent: int, out: list[str]) -> None:
    pad = " " * indent
    for key, value in data.items():
        name = _scalar(key)
        if isinstance(value, Mapping):
            if value:
                out.append(f"{pad}{name}:")
                _emit(value, indent + 2, out)
            else:
                out.append(f"{pad}{name}: {{}}")
        elif isinstance(value, list | tuple):
            if value:
                out.append(f"{pad}{name}:")
                for item in value:
                    if isinstance(item, Mapping) and item:
                        # A mapping in a list: its first key on the dash's line, the rest below.
                        lines: list[str] = []
                        _emit(item, indent + 4, lines)
                        out.append(f"{pad}  - {lines[0][indent + 4 :]}")
                        out.extend(lines[1:])
                    else:
                        out.append(f"{pad}  - {_scalar(item)}")
            else:
                out.append(f"{pad}{name}: []")
        else:
            out.append(f"{pad}{name}: {_scalar(value)}")


def dump_yaml(data: Mapping[str, Any]) -> str:
    """Front matter as YAML 1.2 in block style, the same bytes for the same data: mappings of
    scalars, of lists of scalars and of lists of mappings; strings plain when they are words, else double-quoted with
    ``<``, ``>``, ``&`` and link brackets escaped."""
    out: list[str] = []
    _emit(data, 0, out)
    return "\n".join(out) + "\n"


def dump_json(data: Mapping[str, Any]) -> str:
    """The same data as JSON for an HTML memo's script element, safe to embed as it is."""
    from advisor.core.base.numbers import json_safe

    text = json.dumps(json_safe(data), indent=2, ensure_ascii=False, default=str, allow_nan=False)
    for char, escape in _UNSAFE.items():
        text = text.replace(char, escape)
    # Line and paragraph separators are valid JSON but end a line in a script; characters YAML
    # calls unprintable would stop the reader that gives error messages their line numbers.
    return _NOT_YAML.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def current_versions(registry: Registry, catalogue: Catalogue) -> dict[str, Any]:
    """The versions a memo records: the advisor, plugins not built in, and the price data."""
    from importlib.metadata import PackageNotFoundError, version

    from advisor.version import __version__

    try:
        prices = f"genai-prices {version('genai-prices')}"
    except PackageNotFoundError:
        prices = "genai-prices (not installed)"
    plugins = {
        p.name: p.version or "unversioned"
        for p in registry.plugins
        if p.origin != "built-in" and not p.disabled
    }
    return {
        "advisor": __version__,
        "plugins": plugins,
        "prices": prices,
        "price_date": catalogue.price_date,
    }
