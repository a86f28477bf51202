"""A small, safe condition language for rules written as data (policy packs): no ``eval``.

    privacy.data_class in ["confidential", "regulated"] and not privacy.vendor_terms_ok == "yes"

Names are answers (``section.question``) or derived facts; literals are numbers, strings in double
or single quotes, ``true``, ``false``, ``null`` and lists of those. Operators: ``==``, ``!=``,
``<``, ``<=``, ``>``, ``>=``, ``in``, ``not in``, ``and``, ``or``, ``not``, and parentheses. A
comparison with an unanswered question (null) is false, except ``== null`` and ``!= null``; ``in``
on a list answer (regimes) asks whether the lists share a value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)
    )""",
    re.VERBOSE,
)
MAX_CONDITION_CHARS = 10_000  # a hand-written condition is a line or two
_BLANK_TO_END = re.compile(r"\s*\Z")
_BLANK = re.compile(r"\s*")
WORDS = {"and", "or", "not", "in", "true", "false", "null"}
COMPARE = ("==", "!=", "<", "<=", ">", ">=", "in", "not in")
JOINS = (("or", any), ("and", all))  # the words that join operands, the loosest first


class ConditionError(ValueError):
    """A condition that cannot be read; ``column`` is where (1-based), when known."""

    def __init__(self, message: str, column: int | None = None):
        super().__init__(message)
        self.column = column


@dataclass(frozen=True)
class Condition:
    """A parsed condition: what it reads, and a function from facts to true or false."""

    text: str
    reads: tuple[str, ...]
    test: Callable[[Any], bool]

    def __call__(self, facts: Any) -> bool:
        return self.test(facts)


def _tokens(text: str) -> list[tuple[str, Any, int]]:
    """The tokens of a condition, in one pass: time in proportion to its length."""
    out: list[tuple[str, Any, int]] = []
    at = 0
    while at < len(text):
        if _BLANK_TO_END.match(text, at):
            break
        found = _TOKEN.match(text, at)
        if found is None or found.end() == at:
            blank = _BLANK.match(text, at)
            column = (blank.end() if blank else at) + 1
            raise ConditionError(f"cannot read {text[column - 1 : column + 19]!r}", column)
        kind = found.lastgroup or ""
        value: Any = found.group(kind)
        column = found.start(kind) + 1
        if kind == "number":
            try:
                value = float(value) if any(c in value for c in ".eE") else int(value)
            except ValueError:  # more digits than Python converts
                raise ConditionError("a number too long to read", column) from None
        elif kind == "string":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        elif kind == "name" and value in WORDS:
            kind = "word"
        out.append((kind, value, column))
        at = found.end()
    return out


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokens(text)
        self.at = 0
        self.names: list[str] = []
        self.last = ""  # what the last operand was: "name", "value", "list" or "group"

    def peek(self) -> tuple[str, Any, int] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, kind: str, value: Any = None) -> bool:
        token = self.peek()
        if token is not None and token[0] == kind and (value is None or token[1] == value):
            self.at += 1
            return True
        return False

    def fail(self, expected: str) -> ConditionError:
        token = self.peek()
        if token is None:
            return ConditionError(
                f"the condition ends where {expected} was expected", len(self.text.rstrip()) + 1
            )
        return ConditionError(f"expected {expected}, found {token[1]!r}", token[2])

    def parse(self) -> Callable[[Any], Any]:
        if not self.tokens:
            raise ConditionError("the condition is empty")
        node = self.joined()
        if self.peek() is not None:
            raise self.fail("'and', 'or' or the end")
        return node

    def joined(self, level: int = 0) -> Callable[[Any], Any]:
        """Operands joined by the word of JOINS[level], each one the next level's ("or" of "and"s,
        "and" of ``not``s)."""
        word, join = JOINS[level]
        tighter = level + 1 < len(JOINS)
        parts = [self.joined(level + 1) if tighter else self.not_()]
        while self.take("word", word):
            parts.append(self.joined(level + 1) if tighter else self.not_())
        if len(parts) == 1:
            return parts[0]
        return lambda facts: join(bool(p(facts)) for p in parts)

    def not_(self) -> Callable[[Any], Any]:
        if self.take("word", "not"):
            inner = self.not_()
            return lambda facts: not inner(facts)
        return self.comparison()

    def comparison(self) -> Callable[[Any], Any]:
        left = self.operand()
        token = self.peek()
        op = None
        if token is not None and token[0] == "op" and token[1] in COMPARE:
            op = token[1]
            self.at += 1
        elif self.take("word", "in"):
            op = "in"
        elif token is not None and token[:2] == ("word", "not"):
            following = self.tokens[self.at + 1] if self.at + 1 < len(self.tokens) else None
            if following is not None and following[:2] == ("word", "in"):
                self.at += 2
                op = "not in"
        if op is None:
            return left
        at = self.peek()
        right = self.operand()
        if op in ("in", "not in") and self.last == "value":
            raise ConditionError(
                f'\'{op}\' needs a list on its right, e.g. ["a", "b"]', at[2] if at else None
            )
        return lambda facts: _compare(op, left(facts), right(facts))

    def operand(self) -> Callable[[Any], Any]:
        token = self.peek()
        if token is None:
            raise self.fail("a name or a value")
        kind, value, _ = token
        if kind in ("number", "string"):
            self.at += 1
            self.last = "value"
            return lambda facts: value
        if kind == "word" and value in ("true", "false", "null"):
            self.at += 1
            constant = {"true": True, "false": False, "null": None}[value]
            self.last = "value"
            return lambda facts: constant
        if kind == "name":
            self.at += 1
            self.names.append(value)
            self.last = "name"
            return lambda facts: facts[value]
        if self.take("op", "("):
            inner = self.joined()
            if not self.take("op", ")"):
                raise self.fail("')'")
            self.last = "group"
            return inner
        if self.take("op", "["):
            items: list[Any] = []
            if not self.take("op", "]"):
                while True:
                    item = self.peek()
                    literal = item is not None and (
                        item[0] in ("number", "string")
                        or (item[0] == "word" and item[1] in ("true", "false", "null"))
                    )
                    if not literal or item is None:
                        raise self.fail("a value in the list")
                    self.at += 1
                    items.append(
                        {"true": True, "false": False, "null": None}.get(item[1], item[1])
                        if item[0] == "word"
                        else item[1]
                    )
                    if self.take("op", "]"):
                        break
                    if not self.take("op", ","):
                        raise self.fail("',' or ']'")
            frozen = tuple(items)
            self.last = "list"
            return lambda facts: list(frozen)
        raise self.fail("a name or a value")


def _compare(op: str, left: Any, right: Any) -> bool:
    if op == "==":
        return bool(left == right)
    if op == "!=":
        return bool(left != right)
    if left is None or right is None:
        return False
    if op in ("in", "not in"):
        if not isinstance(right, list | tuple | set | frozenset):
            return False  # an answer that is not a list (or a set, as ruled_out) holds nothing
        found = (
            any(item in right for item in left) if isinstance(left, list | tuple) else left in right
        )
        return found if op == "in" else not found
    try:
        if op == "<":
            return bool(left < right)
        if op == "<=":
            return bool(left <= right)
        if op == ">":
            return bool(left > right)
        return bool(left >= right)
    except TypeError:
        return False


def parse_condition(text: Any, known: Mapping[str, Any] | None = None) -> Condition:
    """Read a condition; with ``known`` (names to what they are), unknown names are errors."""
    if not isinstance(text, str):
        raise ConditionError('a condition is text, e.g. privacy.data_class == "regulated"')
    if len(text) > MAX_CONDITION_CHARS:
        raise ConditionError(
            f"a condition of {len(text):,} characters is longer than any rule needs (at most "
            f"{MAX_CONDITION_CHARS:,}): split the rule"
        )
    parser = _Parser(text)
    try:
        test = parser.parse()
    except RecursionError:
        raise ConditionError("the condition is nested too deeply") from None
    if known is not None:
        for name in parser.names:
            if name not in known:
                import difflib

                near = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
                hint = f" (did you mean {near[0]}?)" if near else ""
                raise ConditionError(f"unknown question or fact {name!r}{hint}")
    names = tuple(dict.fromkeys(parser.names))
    return Condition(text, names, lambda facts: bool(test(facts)))
