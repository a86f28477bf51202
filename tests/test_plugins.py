"""Plugins: what they can contribute, and how each kind of mistake is reported while the rest works."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import advisor
from advisor import (
    Fact,
    Facts,
    Finding,
    Option,
    PluginFault,
    Question,
    Registry,
    Section,
    build_registry,
    evaluate,
    get_plugin_manager,
    hookimpl,
    parse_answers,
)
from advisor.render.contract import decision_json

TESTS = Path(__file__).parent
HOSPITAL = TESTS / "cases" / "hospital-discharge-notes.yaml"

Register = Callable[[Any], None]


def _registry(*plugins: object) -> Registry:
    return build_registry(get_plugin_manager(plugins=list(plugins)))


def _faults(registry: Registry, plugin: str) -> list[PluginFault]:
    return [f for f in registry.faults if f.plugin == plugin]


def _hospital(registry: Registry) -> dict[str, Any]:
    return parse_answers(HOSPITAL.read_text(encoding="utf-8"), registry).values


def _bool_question(qid: str, prompt: str = "Is it so?") -> Question:
    return Question(id=qid, prompt=prompt, why="A test question (principle 9).", type="bool")


def _rule(code: str, check: Callable[[Facts], Any], reads: list[str], **extra: Any) -> advisor.Rule:
    """A rule for a test; ``check`` may be a lambda (rules made with ``@advisor.rule`` take their
    rationale from the docstring)."""
    return advisor.Rule(
        code=code,
        title=extra.pop("title", f"Test rule {code}"),
        rationale="Written for a test.",
        source="tests/test_plugins.py",
        check=check,
        reads=tuple(reads),
        fires_when="a test says so",
        options=tuple(extra.pop("options", ())),
    )


# --- a plugin that contributes one of everything --------------------------------------------------


def _seat_cost(facts: Facts) -> float | None:
    seats = facts["vendor.seats"]
    return None if seats is None else seats * 30


@advisor.rule(
    "BUY001",
    "A product already solves it",
    source="tests/test_plugins.py",
    reads=["vendor.product_exists", "seat_cost"],
    fires_when="a finished product solves the problem",
    principles=[9],
    options=["buy", "self_host"],
)
def buy_first(facts: Facts) -> Iterator[Finding]:
    """If you can buy it, don't build it."""
    if facts["vendor.product_exists"]:
        cost = facts["seat_cost"]
        yield advisor.points("buy", 20, f"a product exists; seats cost {cost} a month")
        yield advisor.points("self_host", -1, "building what can be bought")


class VendorPlugin:
    """Adds a `vendor` section, a `buy` option, a `seat_cost` fact and rule BUY001."""

    @hookimpl
    def advisor_sections(self, register: Register) -> None:
        register(
            Section(
                id="vendor",
                title="Buying a finished product",
                order=50,
                questions=[
                    _bool_question("product_exists", "Does a product already solve it?"),
                    Question(
                        id="seats",
                        prompt="How many seats would you buy?",
                        why="Seats set the price (principle 9).",
                        type="int",
                        minimum=0,
                    ),
                ],
            )
        )

    @hookimpl
    def advisor_options(self, register: Register) -> None:
        register(Option(id="buy", label="Buy a finished product", summary="Buy it.", effort=0))

    @hookimpl
    def advisor_facts(self, register: Register) -> None:
        register(
            Fact(
                name="seat_cost",
                description="Seats times $30.",
                compute=_seat_cost,
                reads=("vendor.seats",),
                unit="$/month",
            )
        )

    @hookimpl
    def advisor_rules(self, register: Register) -> None:
        register(buy_first)


@pytest.fixture(scope="module")
def vendor_registry() -> Registry:
    return _registry(VendorPlugin())


def test_plugin_contributions_are_registered(vendor_registry: Registry) -> None:
    reg = vendor_registry
    assert reg.faults == []
    assert [s.id for s in reg.sections] == ["pmf", "privacy", "scale", "cost", "vendor"]
    assert reg.section("vendor").origin == "VendorPlugin"
    assert {"vendor.product_exists", "vendor.seats"} <= set(reg.questions)
    assert reg.options["buy"].plugin == "VendorPlugin"
    assert next(iter(reg.options)) == "buy"  # ordered by effort, lightest first
    assert reg.facts["seat_cost"].plugin == "VendorPlugin"
    assert reg.rule("BUY001").plugin == "VendorPlugin"
    info = {p.name: p for p in reg.plugins}["VendorPlugin"]
    assert info.contributes == {
        "sections": ["vendor"],
        "options": ["buy"],
        "facts": ["seat_cost"],
        "rules": ["BUY001"],
    }


def test_plugin_rule_fires_and_reads_the_plugin_fact(vendor_registry: Registry) -> None:
    decision = evaluate(vendor_registry, {"vendor.product_exists": True, "vendor.seats": 10})
    assert decision.recommendation == "buy"
    fired = {r.rule.code: r.findings for r in decision.fired}
    assert "BUY001" in fired
    assert fired["BUY001"][0].because == "a product exists; seats cost 300 a month"
    assert decision.options["buy"].score == 20
    assert decision.faults == []


def test_plugin_rule_stays_quiet_when_its_condition_is_false(vendor_registry: Registry) -> None:
    decision = evaluate(vendor_registry, {"vendor.product_exists": False})
    assert "BUY001" not in {r.rule.code for r in decision.fired}
    assert decision.options["buy"].score == 0


def test_plugin_section_answers_load_and_show_in_the_json(vendor_registry: Registry) -> None:
    text = "title: Buy it\nanswers:\n  pmf:\n    stage: idea\n  vendor:\n    product_exists: yes\n"
    answers = parse_answers(text, vendor_registry)
    assert answers.values == {"pmf.stage": "idea", "vendor.product_exists": True}
    data = decision_json(evaluate(vendor_registry, answers.values), vendor_registry, answers)
    assert data["recommendation"] == "buy"
    assert "buy" in data["options"]
    buy = [r for r in data["rules"] if r["id"] == "BUY001" and r["option"] == "buy"]
    assert buy and buy[0]["plugin"] == "VendorPlugin" and buy[0]["points"] == 20
    assert "vendor.seats" in data["unanswered"]


def test_plugin_section_is_validated_like_a_built_in_one(vendor_registry: Registry) -> None:
    with pytest.raises(advisor.InputError) as caught:
        parse_answers("answers:\n  vendor:\n    seats: -2\n", vendor_registry, Path("a.yaml"))
    assert str(caught.value).startswith("a.yaml:3: vendor.seats: -2 is out of range")


def test_without_the_plugin_its_section_is_unknown(registry: Registry) -> None:
    with pytest.raises(advisor.InputError, match="vendor: unknown section"):
        parse_answers("answers:\n  vendor:\n    product_exists: true\n", registry)


def test_a_module_object_is_a_plugin(registry: Registry) -> None:
    module = types.ModuleType("advisor_test_module_plugin")

    def advisor_rules(register: Register) -> None:
        register(
            _rule(
                "MOD001",
                lambda facts: advisor.note(None, "a module plugin was here"),
                ["pmf.stage"],
            )
        )

    module.advisor_rules = hookimpl(advisor_rules)  # type: ignore[attr-defined]
    reg = _registry(module)
    assert reg.faults == []
    assert reg.rule("MOD001").plugin == "advisor_test_module_plugin"
    assert len(reg.rules) == len(registry.rules) + 1
    decision = evaluate(reg, {})
    notes = [f.because for r in decision.fired if r.rule.code == "MOD001" for f in r.findings]
    assert notes == ["a module plugin was here"]


def test_a_plugin_veto_can_leave_nothing_to_recommend(registry: Registry) -> None:
    class NoGpus:
        @hookimpl
        def advisor_rules(self, register: Register) -> None:
            register(
                _rule(
                    "NOGPU001",
                    lambda facts: advisor.veto("self_host", "we own no GPUs"),
                    ["pmf.stage"],
                    options=["self_host"],
                )
            )

    reg = _registry(NoGpus())
    answers = parse_answers(HOSPITAL.read_text(encoding="utf-8"), reg, HOSPITAL)
    decision = evaluate(reg, answers.values)
    assert decision.recommendation is None
    assert decision.ranking == []
    assert decision.confidence == "none"
    data = decision_json(decision, reg, answers)
    assert data["recommendation"] is None
    assert data["options"]["self_host"]["eliminated"] is True
    assert {"rule": "NOGPU001", "because": "we own no GPUs", "source": "tests/test_plugins.py"} in (
        data["options"]["self_host"]["vetoes"]
    )
    # The built-in registry, on the same answers, still recommends self-hosting.
    assert evaluate(registry, answers.values).recommendation == "self_host"


# --- sections: from a YAML file, and extending a built-in one -------------------------------------

EXTRA_SECTION = """\
id: team_extra
title: More about the team
order: 45
questions:
  - id: on_call
    prompt: Is someone on call for the model at night?
    why: Serving a model means being paged for it (principle 7).
    principles: [7]
    type: bool
  - id: budget_band
    prompt: What budget band are you in?
    why: Money decides (principle 5).
    type: choice
    choices:
      - {value: small, label: Small}
      - {value: large, label: Large}
"""


class YamlSectionPlugin:
    def __init__(self, path: Path):
        self.path = path

    @hookimpl
    def advisor_sections(self, register: Register) -> None:
        register(self.path)


def test_a_section_given_as_a_yaml_path(tmp_path: Path) -> None:
    path = tmp_path / "team_extra.yaml"
    path.write_text(EXTRA_SECTION, encoding="utf-8")
    reg = _registry(YamlSectionPlugin(path))
    assert reg.faults == []
    section = reg.section("team_extra")
    assert section.origin == "YamlSectionPlugin"
    assert [q.qid for q in section.questions] == ["team_extra.on_call", "team_extra.budget_band"]
    answers = parse_answers("answers:\n  team_extra:\n    budget_band: large\n", reg)
    assert answers.values == {"team_extra.budget_band": "large"}


def test_sections_are_ordered_by_their_order_field(tmp_path: Path) -> None:
    path = tmp_path / "team_extra.yaml"
    path.write_text(EXTRA_SECTION.replace("order: 45", "order: 25"), encoding="utf-8")
    reg = _registry(YamlSectionPlugin(path))
    orders = [s.order for s in reg.sections]
    assert orders == sorted(orders)
    assert [s.id for s in reg.sections] == ["pmf", "privacy", "team_extra", "scale", "cost"]


def test_a_malformed_yaml_section_is_a_fault_naming_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "team_extra.yaml"
    path.write_text(EXTRA_SECTION.replace("type: bool", "type: boolean"), encoding="utf-8")
    reg = _registry(YamlSectionPlugin(path))
    (fault,) = _faults(reg, "YamlSectionPlugin")
    assert fault.where == "advisor_sections"
    assert fault.message.startswith("YamlSectionPlugin:team_extra.yaml:9: questions.0.type: ")
    assert "team_extra" not in [s.id for s in reg.sections]
    assert [s.id for s in reg.sections] == ["pmf", "privacy", "scale", "cost"]


def test_registering_something_that_is_not_a_section_is_a_fault() -> None:
    class Confused:
        @hookimpl
        def advisor_sections(self, register: Register) -> None:
            register({"id": "dict_section"})

    reg = _registry(Confused())
    (fault,) = _faults(reg, "Confused")
    assert "expected a Section or a path, got dict" in fault.message


class PmfExtension:
    @hookimpl
    def advisor_sections(self, register: Register) -> None:
        register(
            Section(
                id="pmf",
                title="More on product-market fit",
                extends=True,
                questions=[
                    Question(
                        id="paying_customers",
                        prompt="How many customers pay?",
                        why="Paying users are evidence of fit (principle 1).",
                        type="int",
                        minimum=0,
                    )
                ],
            )
        )


def test_extends_adds_questions_to_a_built_in_section(registry: Registry) -> None:
    reg = _registry(PmfExtension())
    assert reg.faults == []
    pmf = reg.section("pmf")
    built_in = [q.id for q in registry.section("pmf").questions]
    assert [q.id for q in pmf.questions] == [*built_in, "paying_customers"]
    assert pmf.title == "Product-market fit and evidence"  # the base keeps its title
    assert pmf.origin == "questionnaires,PmfExtension"
    assert reg.question("pmf.paying_customers").type == "int"
    assert [s.id for s in reg.sections] == ["pmf", "privacy", "scale", "cost"]
    text = "answers:\n  pmf:\n    stage: idea\n    paying_customers: 1,200\n"
    assert parse_answers(text, reg).values == {"pmf.stage": "idea", "pmf.paying_customers": 1200}
    with pytest.raises(advisor.InputError, match=r"pmf\.paying_customers: unknown question"):
        parse_answers(text, registry)
    contributes = {p.name: p.contributes for p in reg.plugins}
    assert contributes["PmfExtension"] == {"sections": ["pmf"]}


def test_extending_with_an_existing_question_id_is_a_fault(registry: Registry) -> None:
    class Clash:
        @hookimpl
        def advisor_sections(self, register: Register) -> None:
            register(
                Section(id="pmf", title="Again", extends=True, questions=[_bool_question("stage")])
            )

    reg = _registry(Clash())
    (fault,) = _faults(reg, "Clash")
    assert "questions stage already exist in section 'pmf'" in fault.message
    assert "questionnaires" in fault.message
    assert reg.section("pmf").questions == registry.section("pmf").questions


def test_extending_a_section_nobody_gives_is_a_fault() -> None:
    class Orphan:
        @hookimpl
        def advisor_sections(self, register: Register) -> None:
            register(
                Section(
                    id="nowhere", title="Nowhere", extends=True, questions=[_bool_question("x")]
                )
            )

    reg = _registry(Orphan())
    (fault,) = _faults(reg, "Orphan")
    assert "extends section 'nowhere', which no plugin gives" in fault.message
    assert "nowhere" not in [s.id for s in reg.sections]


# --- duplicates: reported naming both plugins, the first one kept ---------------------------------


def _rule_plugin(name: str, title: str) -> object:
    def advisor_rules(self: object, register: Register) -> None:
        register(
            _rule(
                "DUP001",
                lambda facts: advisor.note(None, title),
                ["pmf.stage"],
                title=title,
            )
        )

    return type(name, (), {"advisor_rules": hookimpl(advisor_rules)})()


@pytest.mark.parametrize(("first", "second"), [("PluginA", "PluginB"), ("PluginB", "PluginA")])
def test_duplicate_rule_code_keeps_the_first_and_names_both(first: str, second: str) -> None:
    reg = _registry(_rule_plugin(first, f"from {first}"), _rule_plugin(second, f"from {second}"))
    assert reg.rule("DUP001").plugin == first
    assert reg.rule("DUP001").title == f"from {first}"
    assert [r.code for r in reg.rules].count("DUP001") == 1
    (fault,) = reg.faults
    assert fault.plugin == second
    assert fault.where == "advisor_rules"
    assert fault.message == f"rule 'DUP001' is already given by plugin {first}; ignored"
    assert second in fault.render() and first in fault.render()


def test_duplicate_rule_code_with_a_built_in_keeps_the_built_in(registry: Registry) -> None:
    class Usurper:
        @hookimpl
        def advisor_rules(self, register: Register) -> None:
            register(_rule("PMF001", lambda facts: None, ["pmf.stage"], title="Impostor"))

    reg = _registry(Usurper())
    assert reg.rule("PMF001").title == registry.rule("PMF001").title
    assert reg.rule("PMF001").plugin == "pmf"
    (fault,) = _faults(reg, "Usurper")
    assert fault.message == "rule 'PMF001' is already given by plugin pmf; ignored"


def test_duplicate_option_id_keeps_the_first_and_names_both() -> None:
    class SecondApi:
        @hookimpl
        def advisor_options(self, register: Register) -> None:
            register(Option(id="api", label="Another API", summary="Again."))

    reg = _registry(SecondApi())
    assert reg.options["api"].label == "Call a hosted API"
    assert reg.options["api"].plugin == "options"
    (fault,) = _faults(reg, "SecondApi")
    assert fault.where == "advisor_options"
    assert fault.message == "option 'api' is already given by plugin options; ignored"


def test_duplicate_section_id_keeps_the_first_and_names_both(registry: Registry) -> None:
    class SecondPmf:
        @hookimpl
        def advisor_sections(self, register: Register) -> None:
            register(Section(id="pmf", title="Impostor", questions=[_bool_question("stage")]))

    reg = _registry(SecondPmf())
    assert reg.section("pmf").title == "Product-market fit and evidence"
    assert reg.section("pmf").questions == registry.section("pmf").questions
    (fault,) = _faults(reg, "SecondPmf")
    assert fault.where == "advisor_sections"
    assert "section 'pmf' is already given by questionnaires" in fault.message
    assert "extends: true" in fault.message


def test_duplicate_fact_is_a_fault_unless_it_replaces() -> None:
    def fact(replaces: bool) -> Fact:
        return Fact(
            name="volume_band",
            description="Always high.",
            compute=lambda facts: "high",
            reads=("scale.requests_per_month",),
            replaces=replaces,
        )

    class Clumsy:
        @hookimpl
        def advisor_facts(self, register: Register) -> None:
            register(fact(False))

    class Deliberate:
        @hookimpl
        def advisor_facts(self, register: Register) -> None:
            register(fact(True))

    clumsy = _registry(Clumsy())
    (fault,) = _faults(clumsy, "Clumsy")
    assert "fact 'volume_band' is already given by plugin facts" in fault.message
    assert clumsy.facts["volume_band"].plugin == "costs"

    deliberate = _registry(Deliberate())
    assert deliberate.faults == []
    assert deliberate.facts["volume_band"].plugin == "Deliberate"
    decision = evaluate(deliberate, {"scale.requests_per_month": 10}, explore=False)
    assert decision.facts["volume_band"] == "high"  # the replacement is what everyone reads


# --- failures at evaluation: reported, and the rest goes on ---------------------------------------


def _fired(decision: advisor.Decision) -> dict[str, list[Finding]]:
    return {r.rule.code: r.findings for r in decision.results if r.fired}


def _one_rule_plugin(name: str, rule: advisor.Rule) -> object:
    def advisor_rules(self: object, register: Register) -> None:
        register(rule)

    return type(name, (), {"advisor_rules": hookimpl(advisor_rules)})()


def test_a_rule_that_raises_is_reported_by_code_and_the_rest_evaluate(
    registry: Registry,
) -> None:
    def explode(facts: Facts) -> None:
        raise ZeroDivisionError("division by nothing")

    reg = _registry(_one_rule_plugin("Exploder", _rule("BOOM001", explode, ["pmf.stage"])))
    values = _hospital(reg)
    decision = evaluate(reg, values)
    baseline = evaluate(registry, values)
    (fault,) = decision.faults
    assert (fault.plugin, fault.where) == ("Exploder", "BOOM001")
    assert fault.message == "ZeroDivisionError: division by nothing"
    (result,) = [r for r in decision.results if r.rule.code == "BOOM001"]
    assert not result.fired and result.error == fault.message
    assert _fired(decision) == _fired(baseline)
    assert decision.recommendation == baseline.recommendation == "self_host"
    assert {o: r.score for o, r in decision.options.items()} == {
        o: r.score for o, r in baseline.options.items()
    }


def test_a_rule_error_shows_in_the_json_errors(registry: Registry) -> None:
    def explode(facts: Facts) -> None:
        raise KeyError("nope")

    reg = _registry(_one_rule_plugin("Exploder", _rule("BOOM001", explode, ["pmf.stage"])))
    answers = parse_answers("answers:\n  pmf:\n    stage: idea\n", reg)
    data = decision_json(evaluate(reg, answers.values), reg, answers)
    assert data["errors"] == [
        {"plugin": "Exploder", "where": "BOOM001", "message": "KeyError: 'nope'"}
    ]
    (quiet,) = [r for r in data["not_fired"] if r["id"] == "BOOM001"]
    assert quiet["error"] == "KeyError: 'nope'"


@pytest.mark.parametrize(
    ("returned", "message"),
    [
        (["not a finding"], "TypeError: rule BAD001 returned str, not a Finding"),
        ([{"option": "api", "points": 1}], "TypeError: rule BAD001 returned dict, not a Finding"),
        (42, "TypeError: 'int' object is not iterable"),
    ],
    ids=["string in a list", "dict in a list", "a number"],
)
def test_a_rule_returning_a_non_finding_is_reported(
    registry: Registry, returned: object, message: str
) -> None:
    reg = _registry(_one_rule_plugin("Sloppy", _rule("BAD001", lambda f: returned, ["pmf.stage"])))
    decision = evaluate(reg, {"pmf.stage": "idea"})
    (fault,) = decision.faults
    assert (fault.plugin, fault.where, fault.message) == ("Sloppy", "BAD001", message)
    assert "BAD001" not in _fired(decision)
    assert _fired(decision) == _fired(evaluate(registry, {"pmf.stage": "idea"}))


def test_a_finding_about_an_unknown_option_is_reported(registry: Registry) -> None:
    rule = _rule("GHOST001", lambda f: advisor.points("pretrain", 5, "why not"), ["pmf.stage"])
    reg = _registry(_one_rule_plugin("Ghost", rule))
    decision = evaluate(reg, {"pmf.stage": "idea"})
    (fault,) = decision.faults
    assert fault.where == "GHOST001"
    assert "finding names unknown option 'pretrain'" in fault.message
    assert set(decision.options) == {"api", "self_host", "fine_tune", "hybrid"}


def test_a_generator_rule_that_raises_midway_counts_as_not_fired(registry: Registry) -> None:
    def halfway(facts: Facts) -> Iterator[Finding]:
        yield advisor.points("api", 100, "first finding")
        raise RuntimeError("then it broke")

    reg = _registry(_one_rule_plugin("Halfway", _rule("HALF001", halfway, ["pmf.stage"])))
    decision = evaluate(reg, {"pmf.stage": "idea"})
    assert [f.where for f in decision.faults] == ["HALF001"]
    baseline = evaluate(registry, {"pmf.stage": "idea"})
    assert decision.options["api"].score == baseline.options["api"].score  # no half a rule


def test_a_hook_that_raises_is_reported_by_plugin_and_the_others_load(
    registry: Registry,
) -> None:
    class HalfBroken:
        @hookimpl
        def advisor_options(self, register: Register) -> None:
            register(Option(id="buy", label="Buy it", summary="Buy a product."))

        @hookimpl
        def advisor_rules(self, register: Register) -> None:
            register(_rule("LOST001", lambda f: None, ["pmf.stage"]))
            raise RuntimeError("no rules today")

    reg = _registry(HalfBroken())
    (fault,) = reg.faults
    assert (fault.plugin, fault.where) == ("HalfBroken", "advisor_rules")
    assert fault.message == "RuntimeError: no rules today"
    assert fault.render() == "plugin HalfBroken (advisor_rules): RuntimeError: no rules today"
    assert [r.code for r in reg.rules] == [r.code for r in registry.rules]  # LOST001 dropped
    assert "buy" in reg.options  # its other hook still counts
    assert [s.id for s in reg.sections] == [s.id for s in registry.sections]
    values = _hospital(reg)
    assert _fired(evaluate(reg, values)) == _fired(evaluate(registry, values))


def test_a_rule_reading_an_unknown_question_is_dropped_with_a_fault(registry: Registry) -> None:
    rule = _rule("READ001", lambda f: None, ["pmf.stage", "pmf.no_such_question"])
    reg = _registry(_one_rule_plugin("Misreader", rule))
    (fault,) = reg.faults
    assert (fault.plugin, fault.where) == ("Misreader", "READ001")
    assert fault.message == "reads pmf.no_such_question, which no plugin gives; ignored"
    with pytest.raises(KeyError):
        reg.rule("READ001")
    assert len(reg.rules) == len(registry.rules)


def test_a_rule_naming_an_unknown_option_is_dropped_with_a_fault() -> None:
    rule = _rule("OPT001", lambda f: None, ["pmf.stage"], options=["pretrain"])
    reg = _registry(_one_rule_plugin("Dreamer", rule))
    (fault,) = reg.faults
    assert fault.where == "OPT001"
    assert fault.message == "names options pretrain, which no plugin gives; ignored"
    assert "OPT001" not in [r.code for r in reg.rules]


def test_registering_a_non_rule_is_a_fault() -> None:
    reg = _registry(_one_rule_plugin("Wrong", "PMF999"))  # type: ignore[arg-type]
    (fault,) = reg.faults
    assert (fault.plugin, fault.where) == ("Wrong", "advisor_rules")
    assert fault.message == "expected Rule, got str"


def test_a_fact_that_raises_reads_as_none_and_is_reported() -> None:
    seen: list[object] = []

    def fragile(facts: Facts) -> float:
        return facts["scale.requests_per_month"] / 0

    def reader(facts: Facts) -> Finding:
        seen.append(facts["fragile"])
        return advisor.note(None, f"fragile is {facts['fragile']!r}")

    class FragileFact:
        @hookimpl
        def advisor_facts(self, register: Register) -> None:
            register(
                Fact(
                    name="fragile",
                    description="Divides by zero.",
                    compute=fragile,
                    reads=("scale.requests_per_month",),
                )
            )

        @hookimpl
        def advisor_rules(self, register: Register) -> None:
            register(_rule("FRAG001", reader, ["fragile"]))
            register(_rule("FRAG002", reader, ["fragile"]))

    reg = _registry(FragileFact())
    assert reg.faults == []
    decision = evaluate(reg, {"scale.requests_per_month": 1000}, explore=False)
    assert seen and all(value is None for value in seen)
    fired = _fired(decision)
    assert fired["FRAG001"][0].because == "fragile is None"
    assert "FRAG002" in fired
    (fault,) = decision.faults  # once, although two rules read it
    assert (fault.plugin, fault.where) == ("FragileFact", "fragile")
    assert fault.message == "ZeroDivisionError: division by zero"


# --- entry points: installed plugins --------------------------------------------------------------


def _dist_info(root: Path, name: str, version: str, entry_points: str) -> None:
    folder = root / f"{name.replace('-', '_')}-{version}.dist-info"
    folder.mkdir()
    (folder / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
    )
    (folder / "entry_points.txt").write_text(entry_points, encoding="utf-8")


def _broken_install(root: Path) -> None:
    _dist_info(root, "fake-plugin", "1.0", "[advisor]\nbroken = no_such_module_xyz\n")


VENDOR_MODULE = "advisor_test_fake_vendor"
VENDOR_SOURCE = textwrap.dedent(
    '''\
    """A third-party plugin, installed through the advisor entry-point group."""

    import advisor


    @advisor.hookimpl
    def advisor_sections(register):
        register(
            advisor.Section(
                id="vendor",
                title="Buying a finished product",
                order=50,
                questions=[
                    advisor.Question(
                        id="product_exists",
                        prompt="Does a product already solve it?",
                        why="If you can buy it, don't build it (principle 9).",
                        type="bool",
                    )
                ],
            )
        )


    @advisor.hookimpl
    def advisor_options(register):
        register(advisor.Option(id="buy", label="Buy a finished product", summary="Buy it."))


    @advisor.rule(
        "BUY001",
        "A product already solves it",
        source="a test plugin",
        reads=["vendor.product_exists"],
        fires_when="a finished product solves the problem",
        options=["buy"],
    )
    def buy_first(facts):
        """If you can buy it, don't build it."""
        if facts["vendor.product_exists"]:
            return advisor.points("buy", 20, "a finished product already solves it")
        return None


    @advisor.hookimpl
    def advisor_rules(register):
        register(buy_first)
    '''
)


def _vendor_install(root: Path) -> None:
    (root / f"{VENDOR_MODULE}.py").write_text(VENDOR_SOURCE, encoding="utf-8")
    _dist_info(root, "fake-vendor", "2.3", f"[advisor]\nvendor = {VENDOR_MODULE}\n")


def test_a_broken_entry_point_is_reported_by_name_and_the_built_ins_load(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _broken_install(tmp_path)
    monkeypatch.setenv("ADVISOR_PLUGINS", "fake-plugin")  # this installed plugin, no other
    monkeypatch.syspath_prepend(str(tmp_path))
    reg = build_registry()
    (fault,) = reg.faults
    assert (fault.plugin, fault.where) == ("fake-plugin:broken", "load")
    assert fault.message == "ModuleNotFoundError: No module named 'no_such_module_xyz'"
    assert [r.code for r in reg.rules] == [r.code for r in registry.rules]
    assert [p.name for p in reg.plugins] == [p.name for p in registry.plugins]
    assert list(reg.options) == list(registry.options)


def test_a_working_entry_point_plugin_is_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _vendor_install(tmp_path)
    monkeypatch.setenv("ADVISOR_PLUGINS", "fake-vendor")  # this installed plugin, no other
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        reg = build_registry()
    finally:
        sys.modules.pop(VENDOR_MODULE, None)
    assert reg.faults == []
    info = {p.name: p for p in reg.plugins}["fake-vendor:vendor"]
    assert (info.version, info.origin, info.distribution) == ("2.3", "entry point", "fake-vendor")
    assert info.module == VENDOR_MODULE
    assert info.contributes == {"sections": ["vendor"], "options": ["buy"], "rules": ["BUY001"]}
    loaded = [p for p in reg.plugins if not p.disabled]
    assert loaded[-1].name == "fake-vendor:vendor"  # after the built-ins
    assert evaluate(reg, {"vendor.product_exists": True}).recommendation == "buy"


def _advisor(*args: str, pythonpath: Path, cwd: Path = TESTS.parent) -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("advisor")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "advisor"]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(pythonpath), env.get("PYTHONPATH")]))
    env["COLUMNS"] = "160"
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120
    )


def test_cli_with_a_broken_plugin_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _broken_install(tmp_path)
    monkeypatch.setenv("ADVISOR_PLUGINS", "fake-plugin")  # this installed plugin, no other

    shown = _advisor("plugins", pythonpath=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "Plugin problems" in shown.stdout
    assert (
        "plugin fake-plugin:broken (load): ModuleNotFoundError: No module named "
        "'no_such_module_xyz'" in shown.stdout
    )
    for name in ("questionnaires", "options", "pmf", "privacy", "team"):
        assert f"│ {name} " in shown.stdout

    as_json = _advisor("plugins", "--format", "json", pythonpath=tmp_path)
    data = json.loads(as_json.stdout)
    assert [e["plugin"] for e in data["errors"]] == ["fake-plugin:broken"]

    run = _advisor("recommend", str(HOSPITAL), pythonpath=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "Recommendation: Self-host an open model (self_host)" in run.stdout
    # Text output lists plugin problems itself; scripts reading JSON get them on stderr as well.
    assert "plugin fake-plugin:broken (load): ModuleNotFoundError" in run.stdout
    assert "Traceback" not in run.stderr
    as_json = _advisor("recommend", str(HOSPITAL), "--format", "json", pythonpath=tmp_path)
    assert as_json.returncode == 0, as_json.stderr
    assert as_json.stderr.startswith(
        "advisor: warning: plugin fake-plugin:broken (load): ModuleNotFoundError"
    )
    assert json.loads(as_json.stdout)["errors"][0]["plugin"] == "fake-plugin:broken"

    checked = _advisor("check", str(TESTS / "cases"), pythonpath=tmp_path)
    assert checked.returncode == 0
    cases = len(list((TESTS / "cases").glob("*.yaml")))
    assert checked.stdout.splitlines()[-1] == f"{cases} passed, 0 failed"


def test_cli_with_a_working_plugin_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _vendor_install(tmp_path)
    monkeypatch.setenv("ADVISOR_PLUGINS", "fake-vendor")  # this installed plugin, no other

    shown = _advisor("plugins", pythonpath=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "fake-vendor:vendor" in shown.stdout
    assert "entry point: fake-vendor" in shown.stdout
    assert "│ 2.3 " in shown.stdout
    assert "sections: vendor; options: buy; rules: BUY001" in shown.stdout
    assert "Plugin problems" not in shown.stdout

    questions = _advisor("questions", pythonpath=tmp_path)
    assert questions.returncode == 0, questions.stderr
    assert "vendor: Buying a finished product" in questions.stdout
    assert "vendor.product_exists [bool]" in questions.stdout

    answers = tmp_path / "answers.yaml"
    answers.write_text("answers:\n  vendor:\n    product_exists: yes\n", encoding="utf-8")
    run = _advisor("recommend", str(answers), "--format", "json", pythonpath=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    data = json.loads(run.stdout)
    assert data["recommendation"] == "buy"
    fired = [(r["id"], r["option"], r["points"], r["plugin"]) for r in data["rules"]]
    assert [f for f in fired if f[3] == "fake-vendor:vendor"] == [
        ("BUY001", "buy", 20, "fake-vendor:vendor")
    ]


# --- adding values to a question that takes them --------------------------------------------------


class _MoreRegimes:
    """Adds LGPD to privacy.regimes (an open question) and tries to add a stage (a closed one)."""

    @hookimpl
    def advisor_sections(self, register: Register) -> None:
        register(
            Section(
                id="privacy",
                title="More regulations",
                extends=True,
                add_choices={"regimes": (advisor.Choice(value="lgpd", label="LGPD (Brazil)"),)},
            )
        )
        register(
            Section(
                id="pmf",
                title="Another stage",
                extends=True,
                add_choices={"stage": (advisor.Choice(value="acquired", label="Acquired"),)},
            )
        )


def test_an_extending_section_adds_values_to_an_open_question() -> None:
    registry = _registry(_MoreRegimes())
    assert registry.questions["privacy.regimes"].choice_values[-1] == "lgpd"
    answers = parse_answers("answers: {privacy: {regimes: [gdpr, lgpd]}}", registry)
    assert answers.values["privacy.regimes"] == ["gdpr", "lgpd"]
    # The closed question keeps its values, and the attempt is reported by plugin name.
    assert "acquired" not in registry.questions["pmf.stage"].choice_values
    (fault,) = _faults(registry, "_MoreRegimes")
    assert "pmf.stage does not take added choices" in fault.message


def test_without_the_extension_the_added_value_is_refused(registry: Registry) -> None:
    with pytest.raises(advisor.InputError, match="'lgpd' is not allowed"):
        parse_answers("answers: {privacy: {regimes: [lgpd]}}", registry)


def test_only_an_extending_section_may_add_choices() -> None:
    with pytest.raises(ValueError, match="only a section with 'extends: true' may add choices"):
        Section(
            id="privacy2",
            title="Not an extension",
            add_choices={"regimes": (advisor.Choice(value="lgpd", label="LGPD"),)},
        )
