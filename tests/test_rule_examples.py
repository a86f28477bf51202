"""Every built-in rule against its own examples, and the declarations every rule makes about itself.

A rule's examples are data (plugins/examples/*.yaml): answers under which it fires or stays quiet.
They are checked here as real answers files would be, then evaluated by the engine. The rest of the
file holds each rule to what it declares: the questions and facts it reads, the options its findings
name, the principles it cites and the form of its code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from advisor import Example, FactView, Registry, Rule, build_registry, get_plugin_manager
from advisor.core.answers.document import load_answers, validate_document
from advisor.core.decision.rules import CODE_PATTERN, STAGES
from advisor.core.evaluation import evaluate

CASES = Path(__file__).parent / "cases"
PRINCIPLES = frozenset(range(1, 13))  # DOMAIN.md numbers its principles 1 to 12

POLICY = Path(__file__).parent / "policies" / "acme.yaml"  # a policy pack with its examples

# Built once at collection time so that each (rule, example) pair gets its own test id: the
# built-in rules, and the rules of a policy pack (YAML) with the built-ins, held to the same test.
_REGISTRY = build_registry()
_WITH_POLICY = build_registry(get_plugin_manager(policies=[POLICY]))
_BUILT_IN = {r.code for r in _REGISTRY.rules}


def _pairs() -> Iterator[Any]:
    for registry in (_REGISTRY, _WITH_POLICY):
        for item in registry.rules:
            if registry is _WITH_POLICY and item.code in _BUILT_IN:
                continue
            counts = {True: 0, False: 0}
            for example in item.examples:
                index = counts[example.fires]
                counts[example.fires] += 1
                state = "fires" if example.fires else "quiet"
                yield pytest.param(registry, item.code, example, id=f"{item.code}-{state}-{index}")


def nested(flat: Mapping[str, Any]) -> dict[str, Any]:
    """``{"pmf.stage": "idea"}`` as an answers document: ``{"answers": {"pmf": {"stage": "idea"}}}``."""
    sections: dict[str, dict[str, Any]] = {}
    for key, value in flat.items():
        section, _, question = key.partition(".")
        assert section and question, f"{key!r} is not of the form section.question"
        sections.setdefault(section, {})[question] = value
    return {"answers": sections}


def example_values(registry: Registry, example: Example) -> dict[str, Any]:
    """The example's answers, validated the way an answers file is."""
    loaded = validate_document(nested(example.answers), registry)
    return loaded.values


@pytest.mark.parametrize(("registry", "code", "example"), list(_pairs()))
def test_rule_fires_exactly_as_its_example_says(
    registry: Registry, code: str, example: Example
) -> None:
    values = example_values(registry, example)
    decision = evaluate(registry, values, explore=False)
    [result] = [r for r in decision.results if r.rule.code == code]
    assert result.error is None, f"{code} raised on its own example: {result.error}"
    said = "fire" if example.fires else "stay quiet"
    did = "fired" if result.fired else "stayed quiet"
    note = f" ({example.note})" if example.note else ""
    assert result.fired is example.fires, (
        f"{code} should {said} on {dict(example.answers)}{note} but {did}: "
        f"{[f.because for f in result.findings]}"
    )


def test_every_example_was_collected(registry: Registry) -> None:
    # The parametrised test above was built from its own registry; make sure it saw every example.
    expected = sum(len(r.examples) for r in registry.rules)
    in_policy = sum(len(r.examples) for r in _WITH_POLICY.rules if r.code not in _BUILT_IN)
    assert len(list(_pairs())) == expected + in_policy
    assert expected > 0 and in_policy == 5
    assert not _WITH_POLICY.faults, _WITH_POLICY.faults


@pytest.mark.parametrize("fires", [True, False], ids=["fires", "quiet"])
def test_every_rule_has_an_example_each_way(registry: Registry, fires: bool) -> None:
    missing = [r.code for r in registry.rules if not any(e.fires is fires for e in r.examples)]
    state = "fires" if fires else "stays quiet"
    assert not missing, f"rules without an example where the rule {state}: {missing}"


class RecordingView:
    """What a rule sees: the engine's own view, with every key the rule asks for written down.

    Facts are computed by the inner view, so what a fact reads is not counted against the rule;
    the fact's own name is.
    """

    def __init__(self, inner: FactView):
        self.inner = inner
        self.requested: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        self.requested.add(key)
        return self.inner[key]

    def get(self, key: str, default: Any = None) -> Any:
        self.requested.add(key)
        return self.inner.get(key, default)

    @property
    def catalogue(self) -> Any:
        """The cost catalogue is not an answer or a fact: reading it is not counted."""
        return self.inner.catalogue


def _all_inputs(registry: Registry, case_files: list[Path]) -> list[tuple[str, dict[str, Any]]]:
    """Every answer set a rule is held to: each rule's examples and each worked case."""
    inputs = []
    for item in registry.rules:
        for i, example in enumerate(item.examples):
            inputs.append((f"{item.code} example {i}", example_values(registry, example)))
    for path in case_files:
        inputs.append((path.name, load_answers(path, registry).values))
    return inputs


def test_the_inputs_cover_the_cases(case_files: list[Path]) -> None:
    assert case_files, "no worked cases found in tests/cases"
    assert sorted(p.name for p in case_files) == sorted(p.name for p in CASES.glob("*.yaml"))


def _view(registry: Registry, values: dict[str, Any]) -> FactView:
    """The view rules see in an evaluation, with what the constraints ruled out already known."""
    view = evaluate(registry, values, explore=False).view
    assert view is not None
    return view


def test_rules_read_only_what_they_declare(registry: Registry, case_files: list[Path]) -> None:
    requested: dict[str, set[str]] = {r.code: set() for r in registry.rules}
    for _, values in _all_inputs(registry, case_files):
        view = _view(registry, values)
        for item in registry.rules:
            recorder = RecordingView(view)
            item.run(recorder)
            requested[item.code] |= recorder.requested
    undeclared = {
        code: sorted(keys - set(registry.rule(code).reads))
        for code, keys in requested.items()
        if keys - set(registry.rule(code).reads)
    }
    assert not undeclared, f"rules read keys they do not declare in reads: {undeclared}"
    silent = [code for code, keys in requested.items() if not keys]
    assert not silent, f"rules that read nothing at all on any input: {silent}"


def test_facts_read_only_what_they_declare(registry: Registry, case_files: list[Path]) -> None:
    requested: dict[str, set[str]] = {name: set() for name in registry.facts}
    for _, values in _all_inputs(registry, case_files):
        view = _view(registry, values)
        for name, fact in registry.facts.items():
            if name == "ruled_out":  # the engine's own: set once the constraint rules have run
                continue
            recorder = RecordingView(view)
            fact.compute(recorder)
            requested[name] |= recorder.requested
    undeclared = {
        name: sorted(keys - set(registry.facts[name].reads))
        for name, keys in requested.items()
        if keys - set(registry.facts[name].reads)
    }
    assert not undeclared, f"facts read keys they do not declare in reads: {undeclared}"


def test_declared_reads_exist(registry: Registry) -> None:
    known = set(registry.questions) | set(registry.facts)
    unknown = {r.code: [k for k in r.reads if k not in known] for r in registry.rules}
    assert not {c: ks for c, ks in unknown.items() if ks}


def test_findings_name_only_declared_options(registry: Registry, case_files: list[Path]) -> None:
    wrong: list[str] = []
    seen: dict[str, set[str | None]] = {r.code: set() for r in registry.rules}
    for label, values in _all_inputs(registry, case_files):
        decision = evaluate(registry, values, explore=False)
        for result in decision.results:
            assert result.error is None, f"{result.rule.code} raised on {label}: {result.error}"
            for finding in result.findings:
                seen[result.rule.code].add(finding.option)
                if finding.option is None:
                    if finding.kind != "note":
                        wrong.append(
                            f"{result.rule.code} on {label}: a {finding.kind} names no option"
                        )
                elif finding.option not in result.rule.options:
                    wrong.append(
                        f"{result.rule.code} on {label}: {finding.kind} for {finding.option!r}, "
                        f"declared {list(result.rule.options)}"
                    )
    assert not wrong, "\n".join(wrong)
    # Every option a rule declares exists, and the declarations were exercised by some input.
    for item in registry.rules:
        assert set(item.options) <= set(registry.options), item.code
    never = [r.code for r in registry.rules if not seen[r.code]]
    assert not never, f"rules that produced no finding on any input: {never}"


def test_every_rule_cites_a_principle(registry: Registry) -> None:
    uncited = [r.code for r in registry.rules if not r.principles]
    assert not uncited, f"rules citing no principle of DOMAIN.md: {uncited}"
    out_of_range = {
        r.code: sorted(set(r.principles) - PRINCIPLES)
        for r in registry.rules
        if set(r.principles) - PRINCIPLES
    }
    assert not out_of_range, f"principles DOMAIN.md does not have: {out_of_range}"


def test_built_in_rules_cite_all_twelve_principles(registry: Registry) -> None:
    cited = {p for r in registry.rules for p in r.principles}
    assert cited == PRINCIPLES, f"principles no rule cites: {sorted(PRINCIPLES - cited)}"


def test_every_rule_names_a_source(registry: Registry) -> None:
    for item in registry.rules:
        assert item.source.strip(), item.code
        assert item.rationale.strip(), item.code


def _rules_as_given() -> list[Rule]:
    """Every rule each installed plugin registers, before the registry drops duplicates."""
    pm = get_plugin_manager()
    given: list[Rule] = []
    for impl in pm.hook.advisor_rules.get_hookimpls():
        impl.function(**{arg: given.append for arg in impl.argnames})
    return given


def test_rule_codes_are_unique_and_well_formed(registry: Registry) -> None:
    given = _rules_as_given()
    codes = [r.code for r in given]
    assert codes, "no plugin registered a rule"
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    assert not repeated, f"rule codes given more than once: {repeated}"
    malformed = [c for c in codes if not CODE_PATTERN.match(c)]
    assert not malformed, f"rule codes not matching {CODE_PATTERN.pattern}: {malformed}"
    assert sorted(codes) == sorted(r.code for r in registry.rules)
    order = [(STAGES.index(r.stage), r.code) for r in registry.rules]
    assert order == sorted(order), "the registry keeps rules in stage order, then by code"
    assert not registry.faults


# A rule lives in the built-in module its code's letters name, so that a reader finds it in one
# guess (the README's Layout section says the same).
MODULE_OF_PREFIX = {
    "PMF": "pmf_rules",
    "PRM": "prompting_rules",
    "FT": "tuning_rules",
    "PRE": "tuning_rules",
    "EVAL": "eval_rules",
    "SYS": "eval_rules",
    "PRIV": "privacy_rules",
    "SCL": "scale_rules",
    "ECON": "economics_rules",
    "TEAM": "team_rules",
    "HYB": "hybrid_rules",
}


@pytest.mark.parametrize("item", _REGISTRY.rules, ids=lambda r: r.code)
def test_a_built_in_rule_lives_in_the_module_its_code_names(item: Rule) -> None:
    prefix = item.code.rstrip("0123456789")
    modules = {p.name: p.module for p in _REGISTRY.plugins}
    assert modules[item.plugin] == f"advisor_plugins.{MODULE_OF_PREFIX[prefix]}", item.code


@pytest.mark.parametrize("item", _REGISTRY.rules, ids=lambda r: r.code)
def test_a_built_in_rule_says_the_release_it_appeared_in(item: Rule) -> None:
    from advisor import __version__

    def parts(version: str) -> tuple[int, ...]:
        return tuple(int(x) for x in version.split("."))

    assert re.fullmatch(r"\d+\.\d+\.\d+", item.since), item.code
    assert parts(item.since) <= parts(__version__), item.code


def test_a_policy_rule_may_say_its_release_too() -> None:
    assert _WITH_POLICY.rule("ACME001").since == "2.3"
    assert _WITH_POLICY.rule("ACME002").since == ""
