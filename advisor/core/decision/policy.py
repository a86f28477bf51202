"""Policy packs: rules (and questions) written as YAML by people who do not write Python.

    rules:
      - code: ACME001
        title: Sensitive data stays in our cloud
        when: privacy.data_class in ["confidential", "regulated"]
        veto: api
        because: Company policy keeps confidential and regulated data in our own cloud.

A rule takes ``veto`` (an option or a list: ruled out), ``hold`` (an option or a list: held back,
as by a gate), ``points`` (option: number), or ``note`` (text), or several of them. A rule that
vetoes runs with the constraints, one that holds with the gates, any other with the preferences; ``when`` is a condition in the language of :mod:`advisor.core.base.conditions`. A pack
may add questions to a section (``questions: {privacy: [...]}``, each as in a questionnaire file).
A pack is loaded from a plugin (which registers the pack's path from ``advisor_rules``), from a
path in the user's config file, or with ``--policy FILE``; it is data, and nothing in it is run as
code.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advisor.core.answers.questionnaire import Section
from advisor.core.base import yamlio
from advisor.core.base.conditions import ConditionError, parse_condition
from advisor.core.decision.rules import (
    CODE_PATTERN,
    OPTION_PATTERN,
    POINTS_LIMIT,
    Example,
    Finding,
    Rule,
    examples_from_data,
    hold,
    note,
    points,
    veto,
)
from advisor.errors import InputError, Problem
from advisor.hookspecs import hookimpl

RULE_KEYS = (
    "code",
    "title",
    "when",
    "veto",
    "hold",
    "points",
    "note",
    "because",
    "source",
    "principles",
    "examples",
    "since",
)
TOP_KEYS = ("policy", "rules", "questions")


@dataclass
class Policy:
    """A loaded policy pack: its name, the rules, and the sections its questions extend."""

    name: str
    path: Path
    rules: list[Rule]
    sections: list[Section]


def _options(value: Any) -> list[str] | None:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return value


def _check(
    condition: Any,
    vetoes: list[str],
    holds: list[str],
    scores: dict[str, float],
    said: str | None,
    because: str,
) -> Callable[[Any], Iterator[Finding]]:
    def check(facts: Any) -> Iterator[Finding]:
        if not condition(facts):
            return
        for option in vetoes:
            yield veto(option, because)
        for option in holds:
            yield hold(option, because)
        for option, amount in scores.items():
            yield points(option, amount, because)
        if said:
            yield note(None, said)

    return check


def _rule(item: Any, at: list[Any], path: Path, document: Any) -> tuple[Rule | None, list[Problem]]:
    problems: list[Problem] = []

    def problem(field: str, message: str, *loc: Any) -> None:
        problems.append(Problem(field, message, yamlio.line_of(document, [*at, *loc])))

    where = "rules[" + str(at[-1]) + "]"
    if not isinstance(item, dict):
        problem(where, "expected a mapping with code, title, when, because and veto or points")
        return None, problems
    for key in item:
        if key not in RULE_KEYS:
            problem(f"{where}.{key}", f"unknown key; allowed: {', '.join(RULE_KEYS)}", key)
    code = item.get("code")
    if not isinstance(code, str) or not CODE_PATTERN.match(code):
        problem(
            f"{where}.code", "expected a code: capitals then three digits, e.g. ACME001", "code"
        )
        code = None
    else:
        where = code
    for key in ("title", "because"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            problem(f"{where}.{key}", "expected text", key)
    condition = None
    when: Any = item.get("when")
    try:
        condition = parse_condition(when)
    except ConditionError as exc:
        column = f" (at column {exc.column})" if exc.column else ""
        problem(f"{where}.when", f"{exc}{column}", "when")
    if condition is not None and not condition.reads:
        problem(
            f"{where}.when",
            "the condition names no question, so it would hold for every team; "
            'compare an answer, e.g. privacy.data_class == "regulated"',
            "when",
        )
        condition = None
    chosen: dict[str, list[str]] = {"veto": [], "hold": []}
    for key in chosen:
        if key in item:
            found = _options(item[key])
            if found is None or not all(OPTION_PATTERN.match(o) for o in found):
                problem(f"{where}.{key}", "expected an option id or a list of them, e.g. api", key)
            else:
                chosen[key] = found
    vetoes, holds = chosen["veto"], chosen["hold"]
    scores: dict[str, float] = {}
    if "points" in item:
        given = item["points"]
        valid = isinstance(given, dict) and all(
            isinstance(k, str)
            and OPTION_PATTERN.match(k)
            and isinstance(v, int | float)
            and not isinstance(v, bool)
            and v != 0
            and abs(v) <= POINTS_LIMIT  # before any float(): a 310-digit int has none
            and math.isfinite(v)
            for k, v in given.items()
        )
        if not valid:
            problem(
                f"{where}.points",
                "expected option: non-zero number pairs from "
                f"-{POINTS_LIMIT} to {POINTS_LIMIT}, e.g. {{self_host: 2}}",
                "points",
            )
        else:
            scores = {str(k): float(v) for k, v in given.items()}
    said = item.get("note")
    if said is not None and (not isinstance(said, str) or not said.strip()):
        problem(f"{where}.note", "expected text", "note")
        said = None
    if not vetoes and not holds and not scores and not said and not problems:
        problem(where, "a rule needs veto, hold, points or note: what it does when it fires")
    principles = item.get("principles", [])
    if not isinstance(principles, list) or not all(
        isinstance(p, int) and 1 <= p <= 12 for p in principles
    ):
        problem(f"{where}.principles", "expected a list of principle numbers 1 to 12", "principles")
        principles = []
    examples = _examples(item.get("examples"), where, problem)
    if problems or condition is None or code is None:
        return None, problems
    because = item["because"].strip()
    rule = Rule(
        code=code,
        title=item["title"].strip(),
        rationale=because,
        source=str(item.get("source") or f"policy pack {path.name}"),
        check=_check(condition, vetoes, holds, scores, said, because),
        reads=condition.reads,
        fires_when=str(when),
        principles=tuple(principles),
        options=tuple(dict.fromkeys([*vetoes, *holds, *scores])),
        stage="constraint" if vetoes else "gate" if holds else "preference",
        examples=examples,
        since=str(item.get("since") or ""),
    )
    return rule, problems


def _examples(given: Any, where: str, problem: Callable[..., None]) -> tuple[Example, ...]:
    """A rule's ``examples``: ``{fires: [answers, ...], quiet: [answers, ...]}``, each answers a
    mapping of ``section.question: value`` (the form of plugins' examples, and checked by the
    same test: the rule must fire on each of ``fires`` and stay quiet on each of ``quiet``)."""
    if given is None:
        return ()
    shape = "expected {fires: [answers, ...], quiet: [answers, ...]}, each answers a mapping"
    if not isinstance(given, dict) or not set(given) <= {"fires", "quiet"}:
        problem(f"{where}.examples", shape, "examples")
        return ()
    for key, sets in given.items():
        if not isinstance(sets, list) or not all(isinstance(answers, dict) for answers in sets):
            problem(f"{where}.examples.{key}", shape, "examples", key)
            return ()
        for i, answers in enumerate(sets):
            for name in answers:
                if name != "_note" and (not isinstance(name, str) or "." not in name):
                    problem(
                        f"{where}.examples.{key}[{i}]",
                        f"{name!r}: expected a question as section.question, e.g. pmf.stage",
                        "examples",
                        key,
                        i,
                    )
                    return ()
    return examples_from_data(given)


def load_policy(path: Any) -> Policy:
    """Read and check a policy pack (a path, or a packaged file a plugin gives); every problem is
    reported with its line, none is guessed."""
    if isinstance(path, str):
        path = Path(path)
    document = yamlio.load_user(path, "a policy pack")
    if not isinstance(document, dict):
        raise InputError(path, [Problem("", "expected a mapping with rules: (and questions:)", 1)])
    problems = yamlio.unknown_keys(document, TOP_KEYS)
    rules: list[Rule] = []
    given = document.get("rules") or []
    if not isinstance(given, list):
        problems.append(
            Problem("rules", "expected a list of rules", yamlio.line_of(document, ["rules"]))
        )
        given = []
    seen: set[str] = set()
    for i, item in enumerate(given):
        rule, found = _rule(item, ["rules", i], path, document)
        problems += found
        if rule is not None:
            if rule.code in seen:
                problems.append(
                    Problem(
                        rule.code, "this code is used twice", yamlio.line_of(document, ["rules", i])
                    )
                )
            seen.add(rule.code)
            rules.append(rule)
    sections = _sections(document, path, problems)
    if problems:
        raise InputError(path, problems)
    name = str(document.get("policy") or path.stem)
    return Policy(name, path, rules, sections)


def _sections(document: Any, path: Path, problems: list[Problem]) -> list[Section]:
    from pydantic import ValidationError

    given = document.get("questions")
    if given is None:
        return []
    if not isinstance(given, dict):
        problems.append(
            yamlio.problem_at(
                document, ["questions"], "expected section: [questions], e.g. privacy: [...]"
            )
        )
        return []
    out = []
    for sid, questions in given.items():
        try:
            out.append(
                Section.model_validate(
                    {"id": sid, "title": sid, "extends": True, "questions": questions}
                )
            )
        except ValidationError as exc:
            for err in exc.errors():
                loc = [p for p in err["loc"] if p != "questions"]
                problems.append(
                    Problem(
                        f"questions.{sid}." + ".".join(map(str, loc)),
                        err["msg"].removeprefix("Value error, "),
                        yamlio.line_of(document, ["questions", sid, *loc]),
                    )
                )
    return out


class PolicyPlugin:
    """A policy pack as a plugin: its questions and rules go through the same checks as any
    plugin's, and its problems are reported by its name."""

    def __init__(self, policy: Policy):
        self.policy = policy
        self.__name__ = f"policy:{policy.path}"

    @hookimpl
    def advisor_sections(self, register: Callable[[Any], None]) -> None:
        for section in self.policy.sections:
            register(section)

    @hookimpl
    def advisor_rules(self, register: Callable[[Any], None]) -> None:
        for rule in self.policy.rules:
            register(rule)
