"""What the commands print: text with nothing in it that a terminal would act on.

Titles, reasons, answers, keys and plugins' messages come from files and code the advisor does not
control, and a terminal takes some characters as commands: an escape sequence can clear the
screen, retitle the window or write the clipboard; a bidirectional override can make a line read
other than it is. Every line the commands print goes through :func:`echo`, which shows those
characters as escapes (``\\x1b``; in JSON ``\\u001b``, which reads back as the same character).
Line feeds and tabs are kept.
"""

from __future__ import annotations

import re
from typing import Any

import click

# C0 controls but tab and line feed, DEL and the C1 controls, lone surrogates, the line and paragraph
# separators, and the bidirectional embeddings, overrides and isolates.
_ACTIVE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def _shown(found: re.Match[str]) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _json_escape(found: re.Match[str]) -> str:
    return f"\\u{ord(found.group()):04x}"


def safe(text: str) -> str:
    """``text`` with every character a terminal would act on shown as an escape."""
    return _ACTIVE.sub(_shown, text)


def safe_json(text: str) -> str:
    """JSON text with those characters written as ``\\u`` escapes: the same JSON, read back."""
    return _ACTIVE.sub(_json_escape, text)


def echo(message: Any = None, *, json: bool = False, **kwargs: Any) -> None:
    """``click.echo``, made safe for a terminal (``json``: the text is JSON)."""
    if isinstance(message, str):
        message = safe_json(message) if json else safe(message)
    click.echo(message, **kwargs)


_CONSOLE: list[Any] = []  # the safe Console class, made on first use (rich loads only then)


def console(**options: Any) -> Any:
    """A rich Console whose printed text is made safe as :func:`echo` makes it: the styles it adds
    itself are kept, characters in the text that a terminal would act on are shown as escapes."""
    if not _CONSOLE:
        from rich.console import Console
        from rich.segment import Segment

        class SafeConsole(Console):
            def _render_buffer(self, buffer: Any) -> str:
                cleaned = (
                    s if s.control or not _ACTIVE.search(s.text) else Segment(safe(s.text), s.style)
                    for s in buffer
                )
                return super()._render_buffer(cleaned)

        _CONSOLE.append(SafeConsole)
    return _CONSOLE[0](**options)
