"""The memo templates' filters, and the escaping that keeps answer text inert in Markdown and HTML."""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup, escape

# Characters that can start Markdown or HTML markup anywhere in a line.
_MD_SPECIAL = re.compile(r"([\\`*\[\]<>|#~])")
# An underscore opens or closes emphasis only next to a non-alphanumeric character (CommonMark).
_MD_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_SPACE = re.compile(r"\s+")
_URL = re.compile(r"https?://[^\s<>\"')\];,]+(?:\([^\s<>\"()]*\)|[^\s<>\"')\];,.])*")


def md_escape(value: Any) -> str:
    """Text as one line of Markdown that renders as itself: markup characters are backslashed,
    so ``<script>`` shows as text and cannot open a tag, a link or a heading."""
    text = _SPACE.sub(" ", str(value)).strip()
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_UNDERSCORE.sub(r"\\_", text)


def md_finalize(value: Any) -> Any:
    """Applied to every ``{{ ... }}`` of a Markdown template before autoescaping: plain values are
    escaped as Markdown and marked safe, so the HTML escaping after it leaves them alone; what is
    already safe (a filter's Markup, a block's ``super()``) passes untouched."""
    if value is None:
        return Markup("")
    if hasattr(value, "__html__"):
        return value
    return Markup(md_escape(value))


def md_code(value: Any) -> Markup:
    """An identifier (``pmf.stage``, ``self_host``) as a Markdown code span."""
    text = _SPACE.sub(" ", str(value)).strip()
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return Markup(f"{fence}{pad}{text}{pad}{fence}")


def html_links(value: Any) -> Markup:
    """Text escaped for HTML, with the web addresses in it made into links."""
    text = str(value)
    out = []
    last = 0
    for found in _URL.finditer(text):
        out.append(escape(text[last : found.start()]))
        url = escape(found.group(0))
        out.append(Markup('<a href="{0}">{0}</a>').format(url))
        last = found.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


MARKDOWN_FILTERS = {"code": md_code}
HTML_FILTERS = {"links": html_links}
