"""The decision engine on small plugins written for the test: vetoes, ranking, confidence, unknowns,
defaults, notes, failing rules and determinism.

Each test builds its own registry from a plugin registered the way a third-party plugin is, so the
engine's behaviour is pinned down independently of the built-in rules.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import pytest

import advisor
from advisor import Fact, Facts, Option, Registry, Rule, Section, hold, note, points, veto
from advisor.core.answers.document import AnswersFile
from advisor.core.decision.engine import Unknown
from advisor.core.decision.rules import POINTS_LIMIT, STAGES
from advisor.core.evaluation import evaluate
from advisor.render.contract import decision_json

LIGHT, HEAVY, MIDDLE = "light", "heavy", "middle"

# Ids sort against effort on purpose (heavy < light < middle alphabetically), so a test that passes
# on ties is checking effort, not the ids' order.
OPTIONS = (
    Option(id=LIGHT, label="Light", summary="The least effort.", effort=1),
    Option(id=HEAVY, label="Heavy", summary="The most effort.", effort=5),
)
MIDDLE_OPTION = Option(id=MIDDLE, label="Middle", summary="Between the two.", effort=3)

QUESTIONS: tuple[dict[str, Any], ...] = (
    {"id": "flag", "prompt": "A flag?", "why": "It can rule an option out.", "type": "bool"},
    {"id": "n", "prompt": "How many?", "why": "Points.", "type": "int", "minimum": 0},
    {
        "id": "kind",
        "prompt": "Which kind?",
        "why": "Kinds differ.",
        "type": "choice",
        "choices": [
            {"value": "x", "label": "X"},
            {"value": "y", "label": "Y"},
            {"value": "z", "label": "Z"},
        ],
    },
    {
        "id": "size",
        "prompt": "How big?",
        "why": "Size has a default.",
        "type": "int",
        "minimum": 0,
        "default": 10,
        "probe": [1, 100],
    },
    {"id": "unread", "prompt": "Unread?", "why": "No rule reads it.", "type": "bool"},
    {
        "id": "volume",
        "prompt": "How much, roughly?",
        "why": "An estimate: a plausible error of it may flip the pick.",
        "type": "number",
        "minimum": 0,
        "estimate": True,
    },
    {
        "id": "judged",
        "prompt": "How did it do?",
        "why": "A judgement: one step of it is a plausible change.",
        "type": "choice",
        "estimate": True,
        "choices": [
            {"value": "bad", "label": "Bad"},
            {"value": "fair", "label": "Fair"},
            {"value": "good", "label": "Good"},
        ],
    },
)


class TestPlugin:
    """A plugin contributing one section ``t``, some options, facts and rules."""

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        rules: Iterable[Rule],
        options: Iterable[Option] = OPTIONS,
        facts: Iterable[Fact] = (),
        name: str = "testplugin",
    ):
        self.__name__ = name
        self.rules = list(rules)
        self.options = list(options)
        self.facts = list(facts)

    @advisor.hookimpl
    def advisor_sections(self, register: Callable[[Any], None]) -> None:
        register(Section.model_validate({"id": "t", "title": "Test", "questions": QUESTIONS}))

    @advisor.hookimpl
    def advisor_options(self, register: Callable[[Any], None]) -> None:
        for option in self.options:
            register(option)

    @advisor.hookimpl
    def advisor_facts(self, register: Callable[[Any], None]) -> None:
        for fact in self.facts:
            register(fact)

    @advisor.hookimpl
    def advisor_rules(self, register: Callable[[Any], None]) -> None:
        for item in self.rules:
            register(item)


def make_rule(
    code: str,
    check: Callable[[Facts], Any],
    reads: Iterable[str] = ("t.n",),
    options: Iterable[str] = (LIGHT, HEAVY),
    stage: Any = "preference",
) -> Rule:
    return Rule(
        code=code,
        title=f"Test rule {code}",
        rationale="A rule written for the engine's tests.",
        source="tests/test_engine.py",
        check=check,
        reads=tuple(reads),
        fires_when="the test says so",
        principles=(11,),
        options=tuple(options),
        stage=stage,
    )


def make_registry(*rules: Rule, options: Iterable[Option] = OPTIONS, facts=()) -> Registry:
    pm = advisor.get_plugin_manager(entry_points=False, plugins=[TestPlugin(rules, options, facts)])
    registry = advisor.build_registry(pm)
    assert not registry.faults, [f.render() for f in registry.faults]
    in_order = sorted(rules, key=lambda r: (STAGES.index(r.stage), r.code))
    assert [r.code for r in registry.rules] == [r.code for r in in_order]
    return registry


def result_of(decision: advisor.Decision, code: str):
    [found] = [r for r in decision.results if r.rule.code == code]
    return found


def test_the_test_plugin_loads_like_any_plugin() -> None:
    registry = make_registry(make_rule("TST001", lambda f: None))
    assert [s.id for s in registry.sections] == ["t"]
    assert set(registry.questions) == {f"t.{q['id']}" for q in QUESTIONS}
    assert list(registry.options) == [LIGHT, HEAVY]  # by effort
    assert registry.rules[0].plugin == "testplugin"


def test_a_rule_declared_with_the_decorator_runs_like_any_other() -> None:
    @advisor.rule(
        "TST009",
        "Declared",
        source="tests",
        reads=["t.flag"],
        fires_when="flag is set",
        options=[HEAVY],
    )
    def declared(facts: Facts):
        """Its docstring is its rationale."""
        if facts["t.flag"]:
            yield points(HEAVY, 2, "the flag is set")

    assert declared.rationale == "Its docstring is its rationale."
    registry = make_registry(declared)
    assert evaluate(registry, {"t.flag": True}).recommendation == HEAVY
    assert evaluate(registry, {"t.flag": False}).recommendation == LIGHT


# Vetoes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("bonus", [1, 99.5, POINTS_LIMIT])
def test_a_veto_eliminates_an_option_whatever_its_score(bonus: float) -> None:
    def check(facts: Facts):
        return [points(HEAVY, bonus, "it scores"), veto(HEAVY, "it is ruled out")]

    registry = make_registry(make_rule("TST001", check))
    decision = evaluate(registry, {"t.n": 1})
    heavy = decision.options[HEAVY]
    assert heavy.eliminated
    assert heavy.score == bonus  # its points still show; they just do not count
    assert [f.because for _, f in heavy.vetoes] == ["it is ruled out"]
    assert decision.ranking == [LIGHT]
    assert decision.recommendation == LIGHT
    assert decision.options[LIGHT].score == 0


def test_a_veto_in_one_rule_outweighs_points_from_another() -> None:
    registry = make_registry(
        make_rule("TST001", lambda f: points(HEAVY, 50, "many points")),
        make_rule(
            "TST002", lambda f: veto(HEAVY, "ruled out") if f["t.flag"] else None, ["t.flag"]
        ),
    )
    assert evaluate(registry, {"t.flag": False}).recommendation == HEAVY
    decision = evaluate(registry, {"t.flag": True})
    assert decision.recommendation == LIGHT
    assert decision.options[HEAVY].eliminated


def test_every_option_vetoed_gives_no_recommendation() -> None:
    def check(facts: Facts):
        yield points(LIGHT, 10, "good")
        yield veto(LIGHT, "ruled out")
        yield veto(HEAVY, "ruled out too")

    registry = make_registry(make_rule("TST001", check))
    decision = evaluate(registry, {"t.n": 0})
    assert decision.recommendation is None
    assert decision.ranking == []
    assert decision.margin is None
    assert decision.confidence == "none"
    assert all(o.eliminated for o in decision.options.values())
    data = decision_json(decision, registry, AnswersFile(values={"t.n": 0}))
    assert data["recommendation"] is None
    assert data["confidence"]["level"] == "none"
    assert data["confidence"]["margin"] is None
    assert data["confidence"]["reason"] == "every option is ruled out"


# Ranking ---------------------------------------------------------------------------------------


def _heavy_gets_n(facts: Facts):
    n = facts["t.n"]
    if n:
        yield points(HEAVY, n, f"{n} points")


@pytest.mark.parametrize(
    ("n", "ranking"),
    [(0, [LIGHT, HEAVY]), (1, [HEAVY, LIGHT]), (7, [HEAVY, LIGHT])],
)
def test_ranking_is_by_score(n: int, ranking: list[str]) -> None:
    registry = make_registry(make_rule("TST001", _heavy_gets_n))
    decision = evaluate(registry, {"t.n": n})
    assert decision.ranking == ranking
    assert decision.recommendation == ranking[0]
    assert decision.options[HEAVY].score == n


def test_a_tie_goes_to_the_lighter_option() -> None:
    def check(facts: Facts):
        yield points(HEAVY, 2, "two")
        yield points(LIGHT, 2, "two")
        yield points(MIDDLE, 2, "two")

    options = (*OPTIONS, MIDDLE_OPTION)
    registry = make_registry(
        make_rule("TST001", check, options=[LIGHT, HEAVY, MIDDLE]), options=options
    )
    decision = evaluate(registry, {"t.n": 1})
    assert decision.ranking == [LIGHT, MIDDLE, HEAVY]
    assert decision.margin == 0
    assert decision.confidence == "low"
    assert "a tie on points" in decision.confidence_reason


def test_a_higher_score_beats_less_effort() -> None:
    def check(facts: Facts):
        yield points(HEAVY, 3, "three")
        yield points(MIDDLE, 2, "two")
        yield points(LIGHT, -1, "minus one")

    options = (*OPTIONS, MIDDLE_OPTION)
    registry = make_registry(
        make_rule("TST001", check, options=[LIGHT, HEAVY, MIDDLE]), options=options
    )
    decision = evaluate(registry, {"t.n": 1})
    assert decision.ranking == [HEAVY, MIDDLE, LIGHT]
    assert decision.margin == 1


def test_points_from_several_rules_add_up() -> None:
    registry = make_registry(
        make_rule("TST001", lambda f: points(HEAVY, 2, "two")),
        make_rule("TST002", lambda f: points(HEAVY, -0.5, "minus a half")),
        make_rule("TST003", lambda f: [points(LIGHT, 1, "one"), points(HEAVY, 1, "one")]),
    )
    decision = evaluate(registry, {"t.n": 1})
    assert decision.options[HEAVY].score == pytest.approx(2.5)
    assert decision.options[LIGHT].score == 1
    assert decision.margin == pytest.approx(1.5)
    assert [r.code for r, _ in decision.options[HEAVY].reasons] == ["TST001", "TST002", "TST003"]


# Stages: gates and the ruled_out fact --------------------------------------------------------


def test_a_hold_ranks_an_option_below_any_option_no_gate_holds_whatever_its_points() -> None:
    def check(facts: Facts):
        yield points(HEAVY, 50, "far ahead on points")
        yield hold(HEAVY, "a precondition is not met")

    registry = make_registry(make_rule("TST001", check, stage="gate"))
    decision = evaluate(registry, {"t.n": 1})
    assert decision.ranking == [LIGHT, HEAVY]
    heavy = decision.options[HEAVY]
    assert heavy.held and not heavy.eliminated
    assert heavy.fell_at == "gate"
    assert heavy.fell_because == "a precondition is not met"


def test_among_held_options_the_one_held_by_fewer_gates_ranks_first() -> None:
    def check(facts: Facts):
        yield hold(LIGHT, "one gate")
        yield hold(LIGHT, "and another")
        yield hold(HEAVY, "one gate")

    registry = make_registry(make_rule("TST001", check, stage="gate"))
    decision = evaluate(registry, {"t.n": 1})
    assert decision.recommendation == HEAVY  # held too, but by fewer gates
    assert decision.options[LIGHT].fell_at == "gate"
    assert "and another" in decision.options[LIGHT].fell_because
    data = decision_json(decision, registry, AnswersFile(values={"t.n": 1}))
    assert [h["because"] for h in data["options"][HEAVY]["holds"]] == ["one gate"]
    assert data["options"][LIGHT]["stage"] == "gate"


def test_later_stages_read_what_the_constraints_ruled_out() -> None:
    seen: list[Any] = []

    def constraint(facts: Facts):
        if facts["t.flag"]:
            yield veto(LIGHT, "the flag rules it out")

    def gate(facts: Facts):
        seen.append(facts["ruled_out"])
        if LIGHT in facts["ruled_out"]:
            yield hold(HEAVY, "with LIGHT out, HEAVY waits")

    registry = make_registry(
        make_rule("TST002", gate, ["ruled_out"], stage="gate"),
        make_rule("TST001", constraint, ["t.flag"], stage="constraint"),
    )
    assert [r.code for r in registry.rules] == ["TST001", "TST002"]  # constraints run first
    decision = evaluate(registry, {"t.flag": True}, explore=False)
    assert seen == [frozenset({LIGHT})]
    assert decision.recommendation == HEAVY and decision.options[HEAVY].held
    assert registry.inputs_of(["ruled_out"]) == {"t.flag"}  # so exploring follows it


def test_a_constraint_rule_cannot_read_ruled_out() -> None:
    reader = make_rule(
        "TST001", lambda f: f["ruled_out"] and None, ["ruled_out"], stage="constraint"
    )
    pm = advisor.get_plugin_manager(entry_points=False, plugins=[TestPlugin([reader])])
    registry = advisor.build_registry(pm)
    [fault] = registry.faults  # said when the plugins are loaded, not at each evaluation
    assert fault.where == "TST001" and "constraint rules have run" in fault.message
    assert registry.rules == []
    assert evaluate(registry, {"t.n": 1}, explore=False).faults == []


def test_economics_points_are_kept_apart_from_preferences() -> None:
    registry = make_registry(
        make_rule("TST001", lambda f: points(HEAVY, -3, "dearer"), stage="economics"),
        make_rule("TST002", lambda f: points(HEAVY, 5, "better")),
    )
    decision = evaluate(registry, {"t.n": 1}, explore=False)
    heavy = decision.options[HEAVY]
    assert (heavy.score, heavy.economics, heavy.preferences) == (2, -3, 5)
    assert decision.recommendation == HEAVY
    assert decision.options[LIGHT].fell_at == "preference"


# Confidence: how robust the pick is, not a margin of points ------------------------------------


def _volume_decides(facts: Facts):
    """LIGHT wins below a volume of 100, HEAVY from it: a flip at 100."""
    volume = facts["t.volume"]
    if volume is not None:
        yield points(HEAVY if volume >= 100 else LIGHT, 3, "the volume decides")


def _flip_registry() -> Registry:
    return make_registry(make_rule("TST001", _volume_decides, ["t.volume"], options=[LIGHT, HEAVY]))


@pytest.mark.parametrize(
    ("volume", "level"),
    [(90, "low"), (81, "low"), (60, "medium"), (51, "medium"), (40, "high"), (10, "high")],
)
def test_confidence_comes_from_how_far_the_nearest_flip_is(volume: float, level: str) -> None:
    decision = evaluate(_flip_registry(), {"t.volume": volume})
    assert decision.recommendation == LIGHT
    assert decision.margin == 3  # the same margin of points in every row
    assert decision.confidence == level, decision.confidence_reason
    nearest = decision.robustness.nearest
    assert nearest.question == "t.volume" and nearest.to == pytest.approx(100, rel=0.003)


def test_a_plausible_change_is_named_in_the_reason() -> None:
    decision = evaluate(_flip_registry(), {"t.volume": 90})
    assert decision.confidence == "low"
    assert "a plausible change flips it: t.volume 11% higher" in decision.confidence_reason
    assert "gives heavy" in decision.confidence_reason


def test_a_fact_that_is_not_an_estimate_does_not_lower_the_confidence() -> None:
    def n_decides(facts: Facts):
        n = facts["t.n"]
        if n is not None:
            yield points(HEAVY if n >= 100 else LIGHT, 3, "the count decides")

    registry = make_registry(make_rule("TST001", n_decides))
    decision = evaluate(registry, {"t.n": 99})  # one more flips it, but t.n is a fact
    assert [f.to for f in decision.flips] == [100]
    assert decision.confidence == "high"


def test_one_step_of_a_judgement_that_flips_the_pick_makes_it_medium() -> None:
    def judged(facts: Facts):
        if facts["t.judged"] == "good":
            yield points(HEAVY, 3, "good enough for the heavy option")
        else:
            yield points(LIGHT, 3, "the light option")

    registry = make_registry(make_rule("TST001", judged, ["t.judged"]))
    assert evaluate(registry, {"t.judged": "fair"}).confidence == "medium"  # one step from good
    far = evaluate(registry, {"t.judged": "bad"})  # two steps away
    assert far.recommendation == LIGHT and far.confidence == "high"


def test_a_sole_survivor_far_from_any_flip_is_high_confidence() -> None:
    def check(facts: Facts):
        yield veto(HEAVY, "ruled out")
        yield points(LIGHT, -20, "the rules count against it")

    decision = evaluate(make_registry(make_rule("TST001", check, stage="constraint")), {"t.n": 1})
    assert decision.recommendation == LIGHT
    assert decision.margin is None
    assert decision.confidence == "high"
    assert "the only option not ruled out" in decision.confidence_reason


def _flag_vetoes_light(facts: Facts):
    if facts["t.flag"] is True:
        yield veto(LIGHT, "the flag rules it out")


def test_an_unknown_that_could_flip_makes_it_medium() -> None:
    registry = make_registry(
        make_rule("TST001", lambda f: points(LIGHT, 10, "far ahead")),
        make_rule("TST002", _flag_vetoes_light, ["t.flag"], stage="constraint"),
    )
    decision = evaluate(registry, {"t.n": 1})
    assert decision.recommendation == LIGHT
    assert [u.question for u in decision.unknowns] == ["t.flag"]
    assert decision.confidence == "medium"
    assert "unanswered or assumed answer could change it" in decision.confidence_reason
    # Once the question is answered, nothing is left to flip it.
    settled = evaluate(registry, {"t.n": 1, "t.flag": False})
    assert settled.unknowns == []
    assert settled.confidence == "high"


def test_an_unknown_caps_a_sole_survivor_at_medium() -> None:
    registry = make_registry(
        make_rule("TST001", lambda f: veto(HEAVY, "ruled out"), stage="constraint"),
        make_rule("TST002", _flag_vetoes_light, ["t.flag"], stage="constraint"),
    )
    decision = evaluate(registry, {"t.n": 1})
    assert decision.margin is None
    assert decision.unknowns == [Unknown("t.flag", None, {"true": None})]
    assert decision.confidence == "medium"


def test_an_unknown_does_not_raise_a_tie_above_low() -> None:
    registry = make_registry(make_rule("TST002", _flag_vetoes_light, ["t.flag"]))
    decision = evaluate(registry, {})
    assert decision.margin == 0
    assert decision.unknowns
    assert decision.confidence == "low"


def test_without_exploring_the_confidence_says_so() -> None:
    decision = evaluate(_flip_registry(), {"t.volume": 10}, explore=False)
    assert decision.flips is None and decision.revisit is None
    assert decision.confidence == "medium"
    assert decision.confidence_reason == "its flips were not explored"


def test_without_exploring_there_are_no_unknowns() -> None:
    registry = make_registry(make_rule("TST002", _flag_vetoes_light, ["t.flag"]))
    assert evaluate(registry, {}, explore=False).unknowns == []


# Unknowns --------------------------------------------------------------------------------------


def _kinds(facts: Facts):
    yield points(LIGHT, 2, "a head start")
    kind = facts["t.kind"]
    if kind == "y":
        yield points(HEAVY, 5, "y favours heavy strongly")
    elif kind == "z":
        yield points(HEAVY, 1, "z favours heavy a little")


def _apply(registry: Registry, answers: dict[str, Any], unknown: Unknown) -> dict[str, Any]:
    out = {}
    question = registry.question(unknown.question)
    for shown, expected in unknown.outcomes.items():
        answered = {**answers, unknown.question: question.coerce(shown)}
        out[shown] = (evaluate(registry, answered).recommendation, expected)
    return out


def test_unknowns_report_only_values_that_change_the_recommendation() -> None:
    registry = make_registry(make_rule("TST001", _kinds, ["t.kind"]))
    answers: dict[str, Any] = {}
    decision = evaluate(registry, answers)
    assert decision.recommendation == LIGHT
    assert decision.unknowns == [Unknown("t.kind", None, {"y": HEAVY})]
    for got, expected in _apply(registry, answers, decision.unknowns[0]).values():
        assert got == expected


def test_a_bool_unknown_is_tried_both_ways() -> None:
    def check(facts: Facts):
        if facts["t.flag"] is False:
            yield points(HEAVY, 1, "false favours heavy")

    registry = make_registry(make_rule("TST001", check, ["t.flag"]))
    decision = evaluate(registry, {})
    assert decision.recommendation == LIGHT
    assert decision.unknowns == [Unknown("t.flag", None, {"false": HEAVY})]
    [(got, expected)] = _apply(registry, {}, decision.unknowns[0]).values()
    assert got == expected == HEAVY


def test_unknowns_are_explored_through_facts_and_probes() -> None:
    big = Fact(
        name="big",
        description="size over 50",
        compute=lambda f: None if f["t.size"] is None else f["t.size"] > 50,
        reads=("t.size",),
    )

    def check(facts: Facts):
        if facts["big"]:
            yield points(HEAVY, 5, "big favours heavy")

    registry = make_registry(make_rule("TST001", check, ["big"]), facts=[big])
    decision = evaluate(registry, {})
    assert decision.recommendation == LIGHT
    # size is assumed (default 10); of its probe values only 100 makes it big.
    assert decision.unknowns == [Unknown("t.size", 10, {"100": HEAVY})]
    [(got, expected)] = _apply(registry, {}, decision.unknowns[0]).values()
    assert got == expected == HEAVY


def test_answered_and_unread_questions_are_not_explored() -> None:
    def check(facts: Facts):
        if facts["t.kind"] == "y":
            yield points(HEAVY, 5, "y")

    registry = make_registry(make_rule("TST001", check, ["t.kind"]))
    assert evaluate(registry, {"t.kind": "x"}).unknowns == []
    decision = evaluate(registry, {})
    assert "t.unread" not in [u.question for u in decision.unknowns]
    assert "t.flag" not in [u.question for u in decision.unknowns]


def test_exploring_leaves_the_answers_and_result_alone() -> None:
    registry = make_registry(make_rule("TST001", _kinds, ["t.kind"]))
    answers = {"t.n": 3}
    explored = evaluate(registry, answers)
    plain = evaluate(registry, answers, explore=False)
    assert answers == {"t.n": 3}
    assert explored.resolved == plain.resolved
    assert explored.ranking == plain.ranking
    assert {o: r.score for o, r in explored.options.items()} == {
        o: r.score for o, r in plain.options.items()
    }


# Defaults --------------------------------------------------------------------------------------


def _default_size(facts: Facts):
    if facts["t.size"] == 10:
        yield points(HEAVY, 1, "the default size favours heavy")


def test_a_default_is_used_and_reported_as_assumed() -> None:
    registry = make_registry(make_rule("TST001", _default_size, ["t.size"]))
    decision = evaluate(registry, {})
    assert decision.resolved.values["t.size"] == 10
    assert "t.size" in decision.resolved.assumed
    assert "t.size" not in decision.resolved.answered
    assert "t.size" not in decision.resolved.unknown
    assert result_of(decision, "TST001").fired
    assert decision.recommendation == HEAVY
    data = decision_json(decision, registry, AnswersFile(values={}))
    assert data["assumed"] == {"t.size": 10}
    assert "t.size" not in data["unanswered"]
    assert set(data["unanswered"]) == {
        "t.flag",
        "t.n",
        "t.kind",
        "t.unread",
        "t.volume",
        "t.judged",
    }


def test_an_answer_replaces_the_default() -> None:
    registry = make_registry(make_rule("TST001", _default_size, ["t.size"]))
    for given, fires in ((10, True), (20, False)):
        decision = evaluate(registry, {"t.size": given})
        assert "t.size" in decision.resolved.answered
        assert "t.size" not in decision.resolved.assumed
        assert decision.resolved.values["t.size"] == given
        assert result_of(decision, "TST001").fired is fires


def test_a_question_without_default_reads_as_none() -> None:
    seen = []

    def check(facts: Facts):
        seen.append(facts["t.n"])

    registry = make_registry(make_rule("TST001", check))
    decision = evaluate(registry, {}, explore=False)
    assert seen == [None]
    assert "t.n" in decision.resolved.unknown


# Notes -----------------------------------------------------------------------------------------


def test_a_note_changes_no_score() -> None:
    scoring = make_rule("TST001", lambda f: points(HEAVY, 1, "one"))

    def notes(facts: Facts):
        yield note(None, "about the decision as a whole")
        yield note(LIGHT, "about light")

    without = evaluate(make_registry(scoring), {"t.n": 1})
    registry = make_registry(scoring, make_rule("TST002", notes))
    with_notes = evaluate(registry, {"t.n": 1})
    assert result_of(with_notes, "TST002").fired
    assert {o: r.score for o, r in with_notes.options.items()} == {
        o: r.score for o, r in without.options.items()
    }
    assert with_notes.ranking == without.ranking
    assert with_notes.margin == without.margin
    assert not with_notes.options[LIGHT].eliminated
    data = decision_json(with_notes, registry, AnswersFile(values={"t.n": 1}))
    fired = [r for r in data["rules"] if r["id"] == "TST002"]
    assert [(r["option"], r["kind"], r["points"]) for r in fired] == [
        (None, "note", 0),
        (LIGHT, "note", 0),
    ]
    assert data["options"][LIGHT]["notes"] == [{"rule": "TST002", "because": "about light"}]
    assert data["options"][LIGHT]["reasons"] == []


def test_findings_refuse_what_they_cannot_mean() -> None:
    with pytest.raises(ValueError):
        points(LIGHT, 0, "zero points is not a finding")
    with pytest.raises(ValueError):
        points(LIGHT, True, "a boolean is not a number of points")
    with pytest.raises(ValueError):
        note(None, "  ")
    with pytest.raises(ValueError):
        advisor.Finding(None, "veto", "a veto must name its option")


# Failures --------------------------------------------------------------------------------------


def test_a_rule_that_raises_is_recorded_and_the_rest_go_on() -> None:
    def broken(facts: Facts):
        return 1 / 0

    registry = make_registry(
        make_rule("TST001", broken),
        make_rule("TST002", lambda f: points(HEAVY, 3, "three")),
    )
    decision = evaluate(registry, {"t.n": 1})
    failed = result_of(decision, "TST001")
    assert not failed.fired
    assert failed.error is not None and "ZeroDivisionError" in failed.error
    assert result_of(decision, "TST002").fired
    assert decision.recommendation == HEAVY
    assert decision.options[HEAVY].score == 3
    assert [(f.plugin, f.where) for f in decision.faults] == [("testplugin", "TST001")]
    data = decision_json(decision, registry, AnswersFile(values={"t.n": 1}))
    assert {"plugin": "testplugin", "where": "TST001", "message": failed.error} in data["errors"]
    [quiet] = [r for r in data["not_fired"] if r["id"] == "TST001"]
    assert quiet["error"] == failed.error


def test_a_rule_failing_half_way_counts_none_of_its_findings() -> None:
    def half(facts: Facts):
        yield points(LIGHT, 5, "five")
        raise RuntimeError("broke after one finding")

    def ghost(facts: Facts):
        yield points(LIGHT, 5, "five")
        yield points("ghost", 1, "an option nobody gives")

    registry = make_registry(
        make_rule("TST001", half, options=[LIGHT]),
        make_rule("TST002", ghost, options=[LIGHT]),
        make_rule("TST003", lambda f: points(HEAVY, 1, "one")),
    )
    decision = evaluate(registry, {"t.n": 1})
    assert decision.options[LIGHT].score == 0
    assert decision.recommendation == HEAVY
    assert "RuntimeError" in (result_of(decision, "TST001").error or "")
    assert "ghost" in (result_of(decision, "TST002").error or "")
    assert {f.where for f in decision.faults} == {"TST001", "TST002"}


def test_a_rule_returning_something_else_than_findings_is_an_error() -> None:
    registry = make_registry(
        make_rule("TST001", lambda f: ["not a finding"]),
        make_rule("TST002", lambda f: points(LIGHT, 1, "one")),
    )
    decision = evaluate(registry, {"t.n": 1})
    assert "TypeError" in (result_of(decision, "TST001").error or "")
    assert decision.recommendation == LIGHT


def test_a_fact_that_raises_reads_as_unknown_and_is_reported() -> None:
    broken = Fact(name="broken", description="fails", compute=lambda f: 1 / 0, reads=("t.n",))
    seen = []

    def check(facts: Facts):
        seen.append(facts["broken"])
        yield points(HEAVY, 1, "one")

    registry = make_registry(make_rule("TST001", check, ["broken"]), facts=[broken])
    decision = evaluate(registry, {"t.n": 1}, explore=False)
    assert seen == [None]
    assert result_of(decision, "TST001").error is None
    assert decision.recommendation == HEAVY
    assert [(f.plugin, f.where) for f in decision.faults] == [("testplugin", "broken")]


# Determinism -----------------------------------------------------------------------------------


def _mixed_rules() -> list[Rule]:
    return [
        make_rule("TST001", _kinds, ["t.kind"]),
        make_rule("TST002", _flag_vetoes_light, ["t.flag"]),
        make_rule("TST003", _default_size, ["t.size"]),
        make_rule("TST004", lambda f: note(None, "a note")),
        make_rule("TST005", lambda f: 1 / 0),
    ]


@pytest.mark.parametrize(
    "answers",
    [
        {},
        {"t.kind": "y"},
        {"t.flag": True, "t.n": 4},
        {"t.size": 3, "t.kind": "z", "t.flag": False},
    ],
    ids=repr,
)
def test_the_same_input_gives_the_same_output(answers: dict[str, Any]) -> None:
    outputs = []
    for _ in range(2):
        registry = make_registry(*_mixed_rules())
        for _ in range(2):
            decision = evaluate(registry, dict(answers))
            data = decision_json(decision, registry, AnswersFile(values=dict(answers)))
            outputs.append(json.dumps(data, sort_keys=False, default=str))
    assert len(set(outputs)) == 1, outputs
    reordered = dict(reversed(list(answers.items())))
    registry = make_registry(*_mixed_rules())
    decision = evaluate(registry, reordered)
    data = decision_json(decision, registry, AnswersFile(values=reordered))
    assert json.dumps(data, default=str) == outputs[0]


def test_a_change_is_said_in_words_that_read_right() -> None:
    from advisor.core.base import numbers

    assert numbers.change(1.25) == "25% higher"
    assert numbers.change(0.8) == "20% lower"
    assert numbers.change(2.24) == "2.2x as high"  # not "2.2x higher", which reads as 3.2x
    assert numbers.change(0.999) == "under 1% lower"  # not "0% lower"
    assert numbers.change(1.001) == "under 1% higher"
