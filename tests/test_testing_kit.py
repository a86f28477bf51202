"""The test kit for plugin authors (advisor/testing.py), run the way an author runs it: pytest."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

CASES = Path(__file__).parent / "cases"
# The inner runs share this process: leave out the snapshot plugin, whose session state is global.
ALONE = ("-p", "no:textual-snapshot")


def test_case_files_are_collected_and_judged_like_advisor_check(
    pytester: pytest.Pytester,
) -> None:
    good = (CASES / "eu-insurer-claims.yaml").read_text(encoding="utf-8")
    pytester.makefile(".case.yaml", insurer=good)
    wrong = good.replace("accept: [api]", "accept: [fine_tune]")
    assert wrong != good
    pytester.makefile(".case.yaml", insurer_wrong=wrong)
    pytester.makefile(".case.yaml", nothing="answers:\n  pmf:\n    stage: idea\n")
    pytester.makefile(".yaml", not_a_case=good)  # only *.case.yaml files are cases
    result = pytester.runpytest("-v", *ALONE)
    result.assert_outcomes(passed=1, failed=1, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "*insurer_wrong.case.yaml: recommended api; expected one of fine_tune; never *"
            "(ranking: api +3, *",
        ]
    )


def test_a_case_file_with_a_mistake_fails_with_the_line(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".case.yaml",
        broken="expect:\n  accept: [api]\nanswers:\n  pmf:\n    stage: someday\n",
    )
    result = pytester.runpytest(*ALONE)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*broken.case.yaml:5: pmf.stage: 'someday' is not allowed*"])


def test_the_fixtures_build_a_registry_evaluate_and_render(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        textwrap.dedent(
            '''
            from advisor import hookimpl, points, rule


            @rule("KIT001", "Flat traffic", source="a test", reads=["scale.peak_to_average"],
                  fires_when="peak under twice the average")
            def flat(facts):
                """Flat traffic keeps GPUs busy."""
                ratio = facts["scale.peak_to_average"]
                if ratio is not None and ratio < 2:
                    yield points("self_host", 5, "flat traffic")


            class Kit:
                @hookimpl
                def advisor_rules(self, register):
                    register(flat)


            def test_rule_fires(advisor_registry, advisor_evaluate):
                registry = advisor_registry(Kit())
                decision = advisor_evaluate({"scale.peak_to_average": 1.5}, registry)
                fired = [r.rule.code for r in decision.results if r.fired]
                assert "KIT001" in fired


            def test_memo_names_the_rule(advisor_registry, advisor_memo):
                registry = advisor_registry(Kit())
                text = advisor_memo({"scale.peak_to_average": 1.5}, registry=registry)
                assert "`KIT001`" in text
                assert advisor_memo({}, fmt="html").startswith("<!DOCTYPE html>")


            def test_a_faulty_plugin_fails_the_registry(advisor_registry):
                class Broken:
                    @hookimpl
                    def advisor_options(self, register):
                        raise RuntimeError("boom")

                advisor_registry(Broken())
            '''
        )
    )
    result = pytester.runpytest(*ALONE)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        ["*plugin problems: plugin Broken (advisor_options): RuntimeError: boom*"]
    )
