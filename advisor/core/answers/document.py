"""Answers files: loading, validating against the model built from the questionnaires
(advisor/core/answers/schema.py), and precise errors."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from advisor.core.answers import memofile
from advisor.core.answers.schema import Expect, answers_model
from advisor.core.base import yamlio
from advisor.errors import InputError, Problem

if TYPE_CHECKING:
    from advisor.core.decision.registry import Registry

TOP_KEYS = ("title", "why", "expect", "answers", "$schema")
# An answers file is a few kilobytes, a memo (HTML with its chart) a few hundred: far larger is not
# one, and is refused before it is read rather than parsed for minutes.
MAX_ANSWERS_BYTES = 1_000_000
MAX_MEMO_BYTES = 10_000_000


@dataclass
class AnswersFile:
    """A loaded answers file: the answers given (by question id ``section.id``) and its metadata."""

    values: dict[str, Any]
    title: str | None = None
    why: str | None = None
    expect: Expect | None = None
    path: Path | None = None
    document: Any = field(default=None, repr=False)  # the round-trip tree, comments included
    memo: Any = field(default=None, repr=False)  # a memo's whole front matter, when read from one

    @property
    def name(self) -> str:
        return str(self.path) if self.path is not None else "<answers>"


def answers_data(answers: AnswersFile, registry: Registry) -> dict[str, Any]:
    """An answers file as plain data (title, why, expect, answers by section in the
    questionnaire's order): what memos, the TUI's save and its autosave write."""
    data: dict[str, Any] = {}
    if answers.title:
        data["title"] = answers.title
    if answers.why:
        data["why"] = answers.why
    if answers.expect is not None and (answers.expect.accept or answers.expect.reject):
        data["expect"] = {k: v for k, v in answers.expect.model_dump().items() if v}
    tree: dict[str, dict[str, Any]] = {}
    for section in registry.sections:
        for q in section.questions:
            if q.qid in answers.values:
                tree.setdefault(section.id, {})[q.id] = answers.values[q.qid]
    data["answers"] = tree
    return data


def load_answers(path: str | Path, registry: Registry, fast: bool = False) -> AnswersFile:
    """Read an answers file (YAML or JSON) or a memo (Markdown or HTML, its front matter); errors
    name the file, line, question and what is allowed.

    ``fast`` reads an answers file with the quick reader, which keeps no comments or positions
    (the result has no ``document``), and only a file it cannot take is read again with the
    reader that does, for its error's line: for reading thousands of files (`advisor check`).
    """
    path = Path(path)
    memo = memofile.is_memo(path)
    if memo:
        text = yamlio.read_text(path, MAX_MEMO_BYTES, "a memo")
    else:
        text = yamlio.read_text(path, MAX_ANSWERS_BYTES, "an answers file")
    if memo:
        return read_memo(text, registry, path)
    if fast:
        found = _parse_fast(text, registry, path)
        if found is not None:
            return found
    return parse_answers(text, registry, path)


def _parse_fast(text: str, registry: Registry, path: Path) -> AnswersFile | None:
    """An answers file read without positions, or None when anything about it is amiss: the
    careful reader then says what and where. Both readers follow YAML 1.2 and refuse repeated
    keys, so a file the quick one takes reads the same with either; JSON goes to the JSON reader,
    which takes JSON as YAML 1.2 does."""
    try:
        yamlio.check_nesting(text, path)
        if path.suffix.lower() == ".json":
            # JSON is YAML 1.2, and the JSON reader is the quicker of the two for it.
            document = json.loads(text, object_pairs_hook=_unique_keys)
        else:
            document = yamlio.load_fast(text, path)
        if not isinstance(document, dict) or not all(isinstance(k, str) for k in document):
            return None
        if "\\u" in text or "\\U" in text:  # only an escape can make half a surrogate pair
            yamlio.join_surrogates(document, path)
        loaded = validate_document(document, registry, path)
    except (InputError, ValueError, TypeError, RecursionError):
        return None
    loaded.document = (
        None  # no positions to keep: a caller that writes the file back reads it again
    )
    return loaded


def read_memo(text: str, registry: Registry, path: Path | None = None) -> AnswersFile:
    """The answers a memo carries in its front matter, so that a memo can be re-run."""
    yamlio.check_nesting(text, path, block=False)  # a memo's body is Markdown or HTML, not YAML
    front = memofile.memo_data(text, path)
    document = memofile.answers_document(front)
    yamlio.join_surrogates(document, path)
    loaded = validate_document(document, registry, path)
    loaded.memo = front
    return loaded


def parse_answers(text: str, registry: Registry, path: Path | None = None) -> AnswersFile:
    """An answers file's text (YAML, or JSON when ``path`` ends in .json and the YAML reader
    refuses it) read and validated; errors name ``path``, the line, the question and what is
    allowed."""
    yamlio.check_nesting(text, path)
    try:
        document = yamlio.load_round_trip(text, path)
    except InputError as yaml_error:
        if path is None or path.suffix.lower() != ".json":
            raise
        try:
            document = json.loads(text, object_pairs_hook=_unique_keys)
        except json.JSONDecodeError as exc:
            raise InputError(
                path, [Problem("", f"not valid JSON: {exc.msg}", exc.lineno)]
            ) from None
        except (ValueError, RecursionError):
            # A repeated key (the YAML reader's message has its line), or nesting too deep.
            raise yaml_error from None
    yamlio.join_surrogates(document, path)
    return validate_document(document, registry, path)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing a repeated key as the YAML reader does rather than keeping the last."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the key {key!r} appears twice in one object")
        out[key] = value
    return out


def validate_document(document: Any, registry: Registry, path: Path | None = None) -> AnswersFile:
    if document is None:
        document = {}
    if not isinstance(document, Mapping):
        raise InputError(
            path,
            [
                Problem(
                    "",
                    f"expected a mapping with keys {', '.join(TOP_KEYS)}, found {_kind(document)}",
                    1,
                )
            ],
        )
    model = answers_model(registry)
    try:
        parsed: Any = model.model_validate(document)
    except ValidationError as exc:
        problems = [_problem(err, document, registry) for err in exc.errors()]
        raise InputError(path, _dedupe(problems)) from None
    values: dict[str, Any] = {}
    sections = parsed.answers
    if sections is not None:
        for section in registry.sections:
            given = getattr(sections, section.id)
            if given is None:
                continue
            for q in section.questions:
                value = getattr(given, q.id)
                if value is not None:
                    values[q.qid] = value
    expect: Expect | None = parsed.expect
    if expect is not None:
        problems = []
        for key in ("accept", "reject"):
            for i, option in enumerate(getattr(expect, key)):
                if option not in registry.options:
                    problems.append(
                        Problem(
                            f"expect.{key}",
                            f"unknown option {option!r}; known: {', '.join(registry.options)}",
                            yamlio.line_of(document, ["expect", key, i]),
                        )
                    )
        if problems:
            raise InputError(path, problems)
    return AnswersFile(
        values=values,
        title=parsed.title,
        why=parsed.why,
        expect=expect,
        path=path,
        document=document,
    )


def _problem(err: Any, document: Any, registry: Registry) -> Problem:
    loc = [
        p
        for p in err["loc"]
        if not (isinstance(p, str) and p.startswith(("function-", "literal[")))
    ]
    # Drop pydantic's type tags (e.g. 'list[...]') from the location; keep keys and indexes.
    loc = _real_loc(document, loc)
    line = yamlio.line_of(document, loc)
    kind = err["type"]
    message = err["msg"].removeprefix("Value error, ")
    if loc and loc[0] == "answers" and len(loc) >= 2:
        sid = str(loc[1])
        if len(loc) == 2:
            if kind == "extra_forbidden":
                known = [s.id for s in registry.sections]
                return Problem(
                    sid, f"unknown section{_hint(sid, known)}; known: {', '.join(known)}", line
                )
            return Problem(
                sid, f"expected a mapping of question: answer, found {_kind(err['input'])}", line
            )
        qid = f"{sid}.{loc[2]}"
        if kind == "extra_forbidden":
            known = [q.id for q in registry.section(sid).questions]
            return Problem(
                qid,
                f"unknown question{_hint(str(loc[2]), known)}; {sid} has: {', '.join(known)}",
                line,
            )
        return Problem(qid, message, line)
    field = ".".join(str(p) for p in loc) or "(file)"
    if kind == "extra_forbidden" and len(loc) == 1:
        return Problem(
            field, f"unknown key{_hint(field, TOP_KEYS)}; allowed: {', '.join(TOP_KEYS)}", line
        )
    if kind == "model_type":
        return Problem(field, f"expected a mapping, found {_kind(err['input'])}", line)
    return Problem(field, message, line)


def _real_loc(document: Any, loc: list[Any]) -> list[Any]:
    """The keys and indexes of ``loc`` that are in the document, each looked up where it stands
    (in time linear in the path, not in the document: 10,000 unknown keys cost 10,000 steps)."""
    out: list[Any] = []
    node = document
    for part in loc:
        if isinstance(part, int):
            out.append(part)
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
        elif isinstance(node, Mapping) and part in node:
            out.append(part)
            node = node.get(part)
    return out


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[str, str]] = set()
    out = []
    for p in problems:
        if (p.field, p.message) not in seen:
            seen.add((p.field, p.message))
            out.append(p)
    return out


def _hint(word: str, candidates: Any) -> str:
    near = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {near[0]!r}?)" if near else ""


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    return f"{type(value).__name__} {value!r}"
