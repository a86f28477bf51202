"""The worked cases in tests/cases, run through the command line as a user would run them.

Each case carries ``expect:``: the options a sound advisor may recommend and those it must never
recommend. The cases illustrate the reasoning the rules encode; they are not thresholds to tune to.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from advisor.core.base import yamlio

CASES = Path(__file__).parent / "cases"
CASE_FILES = sorted(CASES.glob("*.yaml"))


def _expect(path: Path) -> dict[str, list[str]]:
    data = yamlio.load_fast(path.read_text(encoding="utf-8"), str(path))
    expect = data.get("expect") or {}
    return {"accept": list(expect.get("accept") or []), "reject": list(expect.get("reject") or [])}


def _recommend(cli: Callable[..., Result], path: Path) -> dict[str, Any]:
    result = cli("recommend", str(path), "--format", "json")
    assert result.exit_code == 0, f"{path.name}: exit {result.exit_code}\n{result.output}"
    assert not result.stderr, f"{path.name} wrote to stderr:\n{result.stderr}"
    return json.loads(result.stdout)


def test_the_parametrised_cases_are_the_fixture_cases(case_files: list[Path]) -> None:
    assert [p.name for p in CASE_FILES] == [p.name for p in case_files]
    assert CASE_FILES, "no worked cases in tests/cases"


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.name for p in CASE_FILES])
def test_case_expectation_holds(cli: Callable[..., Result], path: Path) -> None:
    expect = _expect(path)
    assert expect["accept"] or expect["reject"], f"{path.name} has no expect: to check"
    data = _recommend(cli, path)
    rec = data["recommendation"]
    if expect["accept"]:
        assert rec in expect["accept"], (
            f"{path.name}: recommended {rec}, expected one of {expect['accept']}; "
            f"scores { ({o: v['score'] for o, v in data['options'].items()}) }"
        )
    assert rec not in expect["reject"], f"{path.name}: recommended {rec}, which it must never be"
    assert data["expect"]["met"] is True


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.name for p in CASE_FILES])
def test_rejected_options_are_out_or_below(cli: Callable[..., Result], path: Path) -> None:
    expect = _expect(path)
    data = _recommend(cli, path)
    rec = data["recommendation"]
    ranking = data["ranking"]
    options = data["options"]
    for option in expect["reject"]:
        entry = options[option]
        if entry["eliminated"]:
            assert option not in ranking
            assert entry["vetoes"], f"{path.name}: {option} is eliminated without a veto"
            continue
        assert rec is not None, f"{path.name}: {option} stands while nothing is recommended"
        assert option in ranking, f"{path.name}: {option} is neither eliminated nor ranked"
        assert ranking.index(option) > ranking.index(rec), (
            f"{path.name}: {option} (rank {entry['rank']}) is not below {rec}"
        )
        assert entry["rank"] == ranking.index(option) + 1
        # It fell at a stage: held back by more gates than the choice, or behind it on points.
        assert entry["stage"] in ("gate", "economics", "preference"), entry
        if entry["stage"] == "gate":
            assert len(entry["holds"]) > len(options[rec]["holds"])
        else:
            assert entry["score"] <= options[rec]["score"]


def test_check_passes_every_case(cli: Callable[..., Result]) -> None:
    result = cli("check", str(CASES))
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == f"{len(CASE_FILES)} passed, 0 failed", result.stdout
    assert sum(line.startswith("PASS") for line in lines) == len(CASE_FILES)
