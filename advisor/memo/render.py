"""Rendering a memo: one documented Jinja2 environment per format, and the user's template folder.

* ``StrictUndefined``: a template that names something the view model lacks is an error, not a gap.
* Autoescaping is on, set explicitly (``select_autoescape`` goes by file extension, and the
  templates end in ``.j2``). In Markdown a finalizer escapes every ``{{ }}`` as Markdown first and
  marks it safe, so blocks and ``super()`` (safe already) are not escaped twice.
* A user's template folder comes first in the search path; the packaged templates stay reachable
  as ``default/memo.md.j2`` so that an override can extend one and replace a single block.
* Templates from outside the package render in an ``ImmutableSandboxedEnvironment``.
* Compiled templates are kept in the user's cache folder (keyed by each template's source), so a
  command does not compile them again.
"""

from __future__ import annotations

import contextlib
import traceback
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from advisor.errors import AdvisorError, InputError, Problem
from advisor.memo import filters

TEMPLATES = {"md": "memo.md.j2", "html": "memo.html.j2"}
_ENVIRONMENTS: dict[tuple[str, str | None], jinja2.Environment] = {}


def environment(fmt: str, template_dir: Path | None = None) -> jinja2.Environment:
    """The environment for ``fmt`` ("md" or "html"), built once per format and template folder."""
    key = (fmt, str(template_dir) if template_dir else None)
    env = _ENVIRONMENTS.get(key)
    if env is not None:
        return env
    packaged = jinja2.PackageLoader("advisor.memo", "templates")
    loaders: list[jinja2.BaseLoader] = []
    if template_dir is not None:
        if not template_dir.is_dir():
            raise AdvisorError(f"{template_dir}: template folder does not exist")
        loaders.append(jinja2.FileSystemLoader(str(template_dir)))
    loaders += [jinja2.PrefixLoader({"default": packaged}), packaged]
    kind = ImmutableSandboxedEnvironment if template_dir is not None else jinja2.Environment
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
    from advisor.core.files import cache_dir

    folder = cache_dir() / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _QuietCache(str(folder))


def render(memo: Any, fmt: str, template_dir: Path | None = None) -> str:
    """The memo as Markdown or HTML text; a broken user template is an error naming its line."""
    env = environment(fmt, template_dir)
    name = TEMPLATES[fmt]
    try:
        return env.get_template(name).render(memo=memo)
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


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The template file and line an error was raised from (Jinja2 maps frames to templates)."""
    found: tuple[str | None, int | None] = (None, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(".j2"):
            found = (frame.filename, frame.lineno)
    return found
