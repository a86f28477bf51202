"""The test kit for plugin authors: a pytest plugin, installed with the advisor (``pytest11``).

Fixtures:

* ``advisor_registry(*plugins, entry_points=True, policies=())``: a registry built from the
  installed plugins (or none, with ``entry_points=False``) plus the plugin objects or modules
  given, and policy packs; it fails the test when a plugin has a problem.
* ``advisor_evaluate(answers, registry=None)``: the decision for answers given as a mapping
  (``{"pmf.stage": "idea"}``) or a file (answers file or memo).
* ``advisor_memo(answers, fmt="md", registry=None, date="2026-01-01")``: the memo's text.

And every ``*.case.yaml`` file under the test paths is collected as a test: an answers file with
``expect:``, judged by the installed plugins exactly as `advisor check` judges it. So a plugin's
cases run under plain ``pytest``. Nothing heavy is imported until a fixture or case is used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest

CASE_SUFFIX = ".case.yaml"


def _build(
    plugins: Iterable[object], entry_points: bool, policies: Iterable[Path], strict: bool
) -> Any:
    from advisor.plugins import build_registry, get_plugin_manager

    registry = build_registry(
        get_plugin_manager(
            entry_points=entry_points, plugins=list(plugins), policies=list(policies)
        )
    )
    if strict and registry.faults:
        pytest.fail("plugin problems: " + "; ".join(f.render() for f in registry.faults))
    return registry


@pytest.fixture
def advisor_registry() -> Callable[..., Any]:
    """Build a registry: ``advisor_registry(my_plugin)``, ``advisor_registry(entry_points=False)``."""

    def make(
        *plugins: object,
        entry_points: bool = True,
        policies: Iterable[Path] = (),
        strict: bool = True,
    ) -> Any:
        return _build(plugins, entry_points, policies, strict)

    return make


def _answers(given: Mapping[str, Any] | str | Path, registry: Any) -> Any:
    from advisor.core.answers.document import AnswersFile, load_answers

    if isinstance(given, str | Path):
        return load_answers(Path(given), registry)
    return AnswersFile(values=dict(given))


@pytest.fixture
def advisor_evaluate() -> Callable[..., Any]:
    """``advisor_evaluate({"pmf.stage": "idea"})`` or ``advisor_evaluate(path)``: a Decision."""

    def run(answers: Mapping[str, Any] | str | Path, registry: Any = None) -> Any:
        from advisor.core.evaluation import evaluate

        registry = registry or _build((), True, (), True)
        return evaluate(registry, _answers(answers, registry).values)

    return run


@pytest.fixture
def advisor_memo() -> Callable[..., str]:
    """``advisor_memo(answers, fmt="html")``: the memo's text for those answers."""

    def run(
        answers: Mapping[str, Any] | str | Path,
        fmt: str = "md",
        registry: Any = None,
        date_: str = "2026-01-01",
    ) -> str:
        from advisor.core.evaluation import evaluate
        from advisor.render.memo.model import build_memo
        from advisor.render.memo.render import render

        registry = registry or _build((), True, (), True)
        loaded = _answers(answers, registry)
        decision = evaluate(registry, loaded.values, today=date.fromisoformat(date_))
        memo = build_memo(
            decision,
            registry,
            loaded,
            registry.catalogue,
            today=date.fromisoformat(date_),
            charts=fmt == "html",
        )
        return render(memo, fmt)

    return run


class CaseFailed(Exception):
    """A case whose recommendation is not what its ``expect:`` asks for."""


class CaseItem(pytest.Item):
    """One ``*.case.yaml`` file, judged as `advisor check` judges it."""

    def runtest(self) -> None:
        from advisor.core.answers.document import load_answers
        from advisor.core.records.cases import check_case

        registry = _registry_for_cases(self.config)
        result = check_case(load_answers(self.path, registry), registry)
        if result.status == "skip":
            pytest.skip(result.message)
        if result.status == "fail":
            raise CaseFailed(result.message)

    def repr_failure(self, excinfo: Any, style: Any = None) -> str:
        if isinstance(excinfo.value, CaseFailed):
            return f"{self.path.name}: {excinfo.value}"
        from advisor.errors import InputError

        if isinstance(excinfo.value, InputError):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"advisor case {self.path.name}"


class CaseFile(pytest.File):
    def collect(self) -> Iterator[CaseItem]:
        yield CaseItem.from_parent(self, name=self.path.name.removesuffix(CASE_SUFFIX))


def _registry_for_cases(config: pytest.Config) -> Any:
    """One registry of the installed plugins for all the cases of a run."""
    cached = getattr(config, "_advisor_case_registry", None)
    if cached is None:
        cached = _build((), True, (), False)
        config._advisor_case_registry = cached  # type: ignore[attr-defined]
    return cached


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> CaseFile | None:
    if file_path.name.endswith(CASE_SUFFIX):
        return CaseFile.from_parent(parent, path=file_path)
    return None
