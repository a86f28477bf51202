"""Rendering a memo: one documented Jinja2 environment per format, and the user's template folder.

* ``StrictUndefined``: a template that names something the view model lacks is an error, not a gap.
* Autoescaping is on, set explicitly (``select_autoescape`` goes by file extension, and the
  templates end in ``.j2``). In Markdown a finalizer escapes every ``{{ }}`` as Markdown first and
  marks it safe, so blocks and ``super()`` (safe already) are not escaped twice.
* A user's template folder comes first in the search path; the packaged templates stay reachable
  as ``default/memo.md.j2`` so that an override can extend one and replace a single block.
* Templates from outside the package render in an ``ImmutableSandboxedEnvironment`` with a budget
  (``_BoundedSandbox``): at most :data:`TEMPLATE_SECONDS` to render, :data:`MAX_OUTPUT`
  characters of memo, and no single value (``'a' * n``, ``n ** m``, a padded string) longer than
  :data:`MAX_ITEMS`. A template past its budget is an error naming it, not a hang.
* Compiled templates are kept in the user's cache folder (keyed by each template's source), so a
  command does not compile them again.
"""

from __future__ import annotations

import contextlib
import operator
import re
import traceback
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from advisor.errors import AdvisorError, InputError, Problem
from advisor.render.memo import filters

TEMPLATES = {"md": "memo.md.j2", "html": "memo.html.j2"}
TEMPLATE_SECONDS = 10.0  # a memo renders in a tenth of a second
MAX_OUTPUT = 20_000_000  # characters: a memo is tens of thousands
MAX_ITEMS = 1_000_000  # the longest text or list one expression of a template may build
_PADDERS = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs"})
_WIDTH = re.compile(r"\d+")


class TemplateBudget(Exception):
    """A user's template asked for more than a memo needs."""


def _too_long(size: int) -> TemplateBudget:
    return TemplateBudget(
        f"an expression would build {size:,} characters or items (at most {MAX_ITEMS:,})"
    )


class _BoundedSandbox(ImmutableSandboxedEnvironment):
    """The sandbox, with limits on what one expression may build."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context: Any, op: str, left: Any, right: Any) -> Any:
        if op == "*":
            for seq, times in ((left, right), (right, left)):
                sized = isinstance(seq, str | list | tuple) and isinstance(times, int)
                if sized and len(seq) * max(times, 0) > MAX_ITEMS:
                    raise _too_long(len(seq) * times)
        elif op == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
            if abs(left) > 1 and (abs(left).bit_length() * right) > MAX_ITEMS:
                raise TemplateBudget(f"{left} ** {right} is a number too large to write")
        elif op == "%" and isinstance(left, str):
            _check_widths(left)
        return {"*": operator.mul, "**": operator.pow, "%": operator.mod}[op](left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(__obj, "__name__", "") in _PADDERS and isinstance(
            getattr(__obj, "__self__", None), str
        ):
            for value in (*args, *kwargs.values()):
                if isinstance(value, int) and value > MAX_ITEMS:
                    raise _too_long(value)
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Any:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        _check_widths(str(getattr(value, "__self__", "")))
        return wrapped


def _check_widths(text: str) -> None:
    """Refuse a format string whose widths or precisions would pad past the budget."""
    for found in _WIDTH.finditer(text):
        digits = found.group()
        if len(digits) > 7 or int(digits) > MAX_ITEMS:
            raise _too_long(int(digits) if len(digits) < 20 else 10 ** len(digits))


_ENVIRONMENTS: dict[tuple[str, str | None], jinja2.Environment] = {}


def environment(fmt: str, template_dir: Path | None = None) -> jinja2.Environment:
    """The environment for ``fmt`` ("md" or "html"), built once per format and template folder."""
    key = (fmt, str(template_dir) if template_dir else None)
    env = _ENVIRONMENTS.get(key)
    if env is not None:
        return env
    packaged = jinja2.PackageLoader("advisor.render.memo", "templates")
    loaders: list[jinja2.BaseLoader] = []
    if template_dir is not None:
        if not template_dir.is_dir():
            raise AdvisorError(f"{template_dir}: template folder does not exist")
        loaders.append(jinja2.FileSystemLoader(str(template_dir)))
    loaders += [jinja2.PrefixLoader({"default": packaged}), packaged]
    kind = _BoundedSandbox if template_dir is not None else jinja2.Environment
    options: dict[str, Any] = {
        "loader": jinja2.ChoiceLoader(loaders),
        "undefined": jinja2.StrictUndefined,
        "keep_trailing_newline": True,
        "trim_blocks": True,
        "lstrip_blocks": True,
        "auto_reload": False,
        "bytecode_cache": _bytecode_cache(),
    }
    if fmt == "html":
        env = kind(autoescape=True, **options)
        env.filters.update(filters.HTML_FILTERS)
    else:
        env = kind(autoescape=True, finalize=filters.md_finalize, **options)
        env.filters.update(filters.MARKDOWN_FILTERS)
    _ENVIRONMENTS[key] = env
    return env


class _QuietCache(jinja2.FileSystemBytecodeCache):
    """A bytecode cache that gives up quietly when the cache folder cannot be written."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    from advisor.core.base.files import cache_dir

    folder = cache_dir() / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _QuietCache(str(folder))


def render(memo: Any, fmt: str, template_dir: Path | None = None) -> str:
    """The memo as Markdown or HTML text; a broken user template is an error naming its line."""
    from advisor.core.base.guard import Misbehaved, guarded

    env = environment(fmt, template_dir)
    name = TEMPLATES[fmt]
    template: jinja2.Template | None = None
    try:
        template = env.get_template(name)
        if template_dir is None:
            return template.render(memo=memo)
        return guarded(_bounded, template, memo, limit=TEMPLATE_SECONDS)
    except (TemplateBudget, Misbehaved, OverflowError, MemoryError) as exc:
        found, line = _template_frame(exc)
        if isinstance(exc, Misbehaved) and exc.kind == "time":
            why = f"took more than {TEMPLATE_SECONDS:g} s to render (a loop too large?)"
        elif isinstance(exc, Misbehaved) and exc.kind == "recursion":
            why = "a macro calls itself without end"
        elif isinstance(exc, MemoryError):
            why = "ran out of memory"
        else:
            why = str(exc)
        where = found or (template.filename if template is not None else None) or name
        raise InputError(where, [Problem("", f"template too costly: {why}", line)]) from None
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or exc.name or name
        raise InputError(
            where, [Problem("", f"template syntax: {exc.message}", exc.lineno)]
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise AdvisorError(
            f"template {exc.name!r} not found in {template_dir or 'the package'}"
        ) from None
    except (jinja2.UndefinedError, jinja2.exceptions.SecurityError, TypeError, ValueError) as exc:
        found, line = _template_frame(exc)
        raise InputError(found or name, [Problem("", f"template error: {exc}", line)]) from None


def _bounded(template: jinja2.Template, memo: Any) -> str:
    """A user's template rendered piece by piece, stopped once the memo is past MAX_OUTPUT."""
    parts: list[str] = []
    size = 0
    for piece in template.generate(memo=memo):
        size += len(piece)
        if size > MAX_OUTPUT:
            raise TemplateBudget(f"the memo is longer than {MAX_OUTPUT:,} characters")
        parts.append(piece)
    return "".join(parts)


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The template file and line an error was raised from (Jinja2 maps frames to templates)."""
    found: tuple[str | None, int | None] = (None, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(".j2"):
            found = (frame.filename, frame.lineno)
    return found
