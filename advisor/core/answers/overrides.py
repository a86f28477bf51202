"""What a user changes without editing a file: `--set KEY=VALUE` and the config file.

`--set section.question=VALUE` changes an answer (checked like one in a file); any other key names
a catalogue figure (`--set gpu.h100.hourly_usd=2.9`). The config file holds figure overrides and
the currency and the memo templates' folder, and is found in --config, $ADVISOR_CONFIG, or the user's config folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.core.answers.questionnaire import _NUMBER
from advisor.core.base import yamlio
from advisor.errors import InputError, Problem

if TYPE_CHECKING:
    from advisor.core.answers.document import AnswersFile
    from advisor.core.decision.registry import Registry
    from advisor.costs.catalogue import Catalogue

CONFIG_ENV = "ADVISOR_CONFIG"
CONFIG_KEYS = ("figures", "currency", "template_dir", "policies", "disable_plugins")


@dataclass
class Overrides:
    """Answers and catalogue figures given on the command line or in the config file."""

    answers: dict[str, Any] = field(default_factory=dict)
    figures: dict[str, float] = field(default_factory=dict)
    config_figures: dict[str, float] = field(default_factory=dict)
    config_path: Path | None = None
    config_lines: dict[str, int | None] = field(default_factory=dict)  # figure key -> its line
    currency: dict[str, Any] | None = None
    template_dir: Path | None = None  # the memo templates' folder named in the config file

    def apply_answers(self, answers: AnswersFile) -> AnswersFile:
        """The answers with every `--set` answer in place (the file itself is not touched)."""
        if self.answers:
            answers.values = {**answers.values, **self.answers}
        return answers

    def apply_catalogue(self, catalogue: Catalogue) -> Catalogue:
        """The catalogue with the config file's figures, then `--set` figures, in place."""
        if self.config_figures:
            catalogue = catalogue.overridden(self.config_figures, f"config {self.config_path}")
        if self.figures:
            catalogue = catalogue.overridden(self.figures, "--set")
        if self.currency is not None:
            catalogue.set_currency(self.currency)
        return catalogue


def _number(text: str) -> float | None:
    text = text.strip()
    if not _NUMBER.match(text):
        return None
    return float(text.replace("_", "").replace(",", ""))


def parse_sets(items: tuple[str, ...], registry: Registry) -> Overrides:
    """Read `--set KEY=VALUE` items: answers by question id, anything else a catalogue figure."""
    out = Overrides()
    problems = []
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            problems.append(Problem(item, "expected KEY=VALUE, e.g. scale.requests_per_month=5e7"))
            continue
        question = registry.questions.get(key)
        if question is not None:
            value: Any = raw.strip()
            if question.type == "multi_choice":
                value = [v.strip() for v in raw.split(",") if v.strip()]
            try:
                out.answers[key] = question.coerce(value)
            except ValueError as exc:
                problems.append(Problem(key, str(exc)))
            continue
        number = _number(raw)
        section = key.split(".")[0]
        if "." not in key or section in {s.id for s in registry.sections}:
            import difflib

            ids = [q for q in registry.questions if q.startswith(section + ".")]
            near = difflib.get_close_matches(key, list(registry.questions), n=1, cutoff=0.6)
            hint = f" (did you mean {near[0]}?)" if near else ""
            known = f"; {section} has {', '.join(ids)}" if ids else ""
            problems.append(Problem(key, f"no such question{hint}{known}"))
        elif number is None:
            problems.append(Problem(key, f"{raw!r} is not a number; a figure takes a number"))
        else:
            out.figures[key] = number
    if problems:
        raise InputError("--set", problems)
    return out


def config_path(explicit: Path | None = None) -> Path | None:
    """The config file to read: --config, then $ADVISOR_CONFIG, then the user's config folder."""
    if explicit is not None:
        return explicit
    named = os.environ.get(CONFIG_ENV)
    if named:
        return Path(named)
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    found = Path(base) / "advisor" / "config.yaml"
    return found if found.is_file() else None


class Config:
    """A config file, read once for a command: where it is, and its tree (with lines, for the
    errors) the first time something asks. The plugins to leave out, the policy packs, the figures
    and the currency all come from the one read."""

    def __init__(self, path: Path | None):
        self.path = path
        self._tree: Any = None
        self._read = False

    def tree(self) -> Any:
        """The file's tree (a missing or malformed file is an error naming it)."""
        if self.path is None:
            return None
        if not self._read:
            self._tree = yamlio.load_user(self.path, "a config file")
            self._read = True
        return self._tree

    def names(self, key: str) -> list[str]:
        """A list of names or paths the file gives under ``key`` (one item may stand alone);
        nothing when there is no file."""
        if self.path is None or not self.path.is_file():
            return []
        document = self.tree() or {}
        given = document.get(key) if isinstance(document, dict) else None
        if given is None:
            return []
        if isinstance(given, str):
            given = [given]
        if not isinstance(given, list) or not all(isinstance(p, str) for p in given):
            line = yamlio.line_of(document, [key])
            raise InputError(self.path, [Problem(key, "expected a list of names or paths", line)])
        return list(given)

    def policies(self) -> list[Path]:
        """The policy packs the file names (``policies: [path, ...]``, relative to the file)."""
        if self.path is None:
            return []
        folder = self.path.parent
        return [(folder / Path(p).expanduser()).resolve() for p in self.names("policies")]


def read_config(explicit: Path | None = None) -> Config:
    """The config file for a command (see :func:`config_path`), to be read on first use."""
    return Config(config_path(explicit))


def load_config(overrides: Overrides, config: Config) -> Overrides:
    """Add the config file's figures and currency (a missing --config file is an error)."""
    path = config.path
    if path is None:
        return overrides
    document = config.tree() or {}
    problems: list[Problem] = []
    if not isinstance(document, dict):
        raise InputError(path, [Problem("", "expected a mapping with figures: and currency:", 1)])
    problems += yamlio.unknown_keys(document, CONFIG_KEYS)
    figures = document.get("figures") or {}
    if not isinstance(figures, dict):
        problems.append(
            yamlio.problem_at(document, ["figures"], "expected a mapping of figure: number")
        )
        figures = {}
    for key, value in figures.items():
        number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
        if number is None and isinstance(value, str):
            number = _number(value)
        if number is None:
            line = yamlio.line_of(document, ["figures", key])
            problems.append(Problem(f"figures.{key}", f"{value!r} is not a number", line))
        else:
            overrides.config_figures[str(key)] = float(number)
            overrides.config_lines[str(key)] = yamlio.line_of(document, ["figures", key])
    currency = document.get("currency")
    if currency is not None:
        if not isinstance(currency, dict):
            line = yamlio.line_of(document, ["currency"])
            problems.append(Problem("currency", "expected code: and per_usd:", line))
        else:
            overrides.currency = dict(currency)
    folder = document.get("template_dir")
    if folder is not None:
        line = yamlio.line_of(document, ["template_dir"])
        if not isinstance(folder, str) or not folder.strip():
            problems.append(Problem("template_dir", "expected the path of a folder", line))
        else:
            found = (path.parent / Path(folder).expanduser()).resolve()
            if not found.is_dir():
                problems.append(Problem("template_dir", f"folder {found} does not exist", line))
            overrides.template_dir = found
    if problems:
        raise InputError(path, problems)
    overrides.config_path = path
    return overrides
