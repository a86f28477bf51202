"""Properties of the built-in rules over random partial answers (hypothesis).

Each property is a claim the principles (docs/principles.md) make about the reasoning, stated as a
monotonicity or consistency law: stricter privacy never helps the API (principle 6), an earlier
stage never favours owning a model more (principle 1), more labelled data never makes fine-tuning
less attractive (principle 3), the output is a pure function of the answers, and every "this could
change it" the advisor reports is true (principle 11). The last group holds the decision procedure's
gates over the whole answer space with no hard constraint: before product-market fit the API;
nobody to run models, never self-hosting; nothing prompted, never fine-tuning nor routing; a hosted
model that meets the bar where the API is clearly cheaper, never fine-tuning; routing only where it
is clearly cheaper than the API; and more volume never brings the API back once the recommendation
has left it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from advisor import Decision, Registry, build_registry
from advisor.core.answers.document import AnswersFile, validate_document
from advisor.core.answers.questionnaire import Question
from advisor.core.evaluation import evaluate
from advisor.render.contract import decision_json

# Built once: hypothesis runs each test many times, and strategies need the questions up front.
REGISTRY: Registry = build_registry()
assert not REGISTRY.faults, [f.render() for f in REGISTRY.faults]

API, SELF_HOST, FINE_TUNE, HYBRID = "api", "self_host", "fine_tune", "hybrid"

# Plausible upper bounds for whole-number answers; values are drawn log-uniformly up to them.
INT_BOUNDS = {
    "pmf.labeled_examples": 10**7,
    "scale.requests_per_month": 10**10,
    "scale.input_tokens_per_request": 200_000,
    "scale.output_tokens_per_request": 50_000,
    "scale.latency_p95_ms": 10**6,
    "cost.ml_engineers": 500,
}
NUMBER_BOUNDS = {"scale.peak_to_average": (1.0, 50.0), "cost.open_model_size_b": (0.1, 2000.0)}

STRICTER = {
    "privacy.vendor_terms_ok": ("yes", "unknown", "no"),
    "privacy.residency": ("any", "region", "own_cloud", "on_prem", "air_gapped"),
    "privacy.data_class": ("public", "internal", "confidential", "regulated"),
}
STAGES = ("idea", "prototype", "mvp_live", "pmf_validated", "scaling")

PROPERTY = settings(max_examples=200, deadline=None)


def log_uniform_int(low: int, high: int) -> st.SearchStrategy[int]:
    """Whole numbers spread over orders of magnitude, with the small ones well represented."""
    start = max(low, 1)
    spread = st.floats(math.log10(start), math.log10(high)).map(
        lambda e: min(high, max(low, round(10**e)))
    )
    return st.one_of(st.integers(low, min(high, low + 20)), spread)


def value_strategy(q: Question) -> st.SearchStrategy[Any]:
    if q.type == "choice":
        return st.sampled_from(q.choice_values)
    if q.type == "multi_choice":
        return st.lists(st.sampled_from(q.choice_values), unique=True, max_size=3)
    if q.type == "bool":
        return st.booleans()
    if q.type == "int":
        low = int(q.minimum or 0) + (1 if q.exclusive_minimum else 0)
        high = INT_BOUNDS.get(q.qid, 10**6)
        probes = [int(p) for p in q.probe if low <= int(p) <= high]
        drawn = log_uniform_int(low, high)
        return st.one_of(drawn, st.sampled_from(probes)) if probes else drawn
    if q.type == "number":
        top = q.maximum if q.maximum is not None else 1e6
        low, high = NUMBER_BOUNDS.get(q.qid, (q.minimum or 0.0, top))
        return st.floats(low, high, exclude_min=q.exclusive_minimum and low == q.minimum)
    return st.text(max_size=20)


# Random partial answers: each question present or not, with a valid value when present.
answers_strategy = st.fixed_dictionaries(
    {}, optional={qid: value_strategy(q) for qid, q in REGISTRY.questions.items()}
)


def decide(answers: Mapping[str, Any], explore: bool = False) -> Decision:
    return evaluate(REGISTRY, dict(answers), explore=explore)


def standing(decision: Decision, option: str) -> tuple[bool, int, float]:
    """An option's place in the staged procedure, higher is better: not ruled out, held back by
    fewer gates, more points."""
    result = decision.options[option]
    return (not result.eliminated, -len(result.holds), result.score)


def lead_over_best_other(decision: Decision, option: str) -> float | None:
    others = [r.score for oid, r in decision.options.items() if oid != option and not r.eliminated]
    return decision.options[option].score - max(others) if others else None


def describe(decision: Decision) -> str:
    return (
        ", ".join(
            f"{oid}={r.score:g}{' (out)' if r.eliminated else ''}"
            for oid, r in decision.options.items()
        )
        + f"; fired {[r.rule.code for r in decision.fired]}"
    )


def nested(answers: Mapping[str, Any]) -> dict[str, Any]:
    sections: dict[str, dict[str, Any]] = {}
    for qid, value in answers.items():
        section, _, question = qid.partition(".")
        sections.setdefault(section, {})[question] = value
    return {"answers": sections}


def test_the_strategy_knows_the_questions_the_properties_vary() -> None:
    for qid, chain in STRICTER.items():
        assert set(chain) == set(REGISTRY.question(qid).choice_values), qid
    assert REGISTRY.question("pmf.stage").choice_values == STAGES
    assert REGISTRY.question("pmf.labeled_examples").type == "int"
    assert {API, SELF_HOST, FINE_TUNE} <= set(REGISTRY.options)


@PROPERTY
@given(answers=answers_strategy)
def test_generated_answers_are_valid_answers_files(answers: dict[str, Any]) -> None:
    loaded = validate_document(nested(answers), REGISTRY)
    assert set(loaded.values) == set(answers)


def _ordered_pair(chain: tuple[str, ...]) -> st.SearchStrategy[tuple[str, str] | None]:
    pairs = st.tuples(st.sampled_from(chain), st.sampled_from(chain)).map(
        lambda p: tuple(sorted(p, key=chain.index))
    )
    return st.one_of(st.none(), pairs)


@PROPERTY
@given(
    answers=answers_strategy,
    changes=st.fixed_dictionaries({qid: _ordered_pair(chain) for qid, chain in STRICTER.items()}),
)
def test_stricter_privacy_never_raises_the_apis_standing(
    answers: dict[str, Any], changes: dict[str, tuple[str, str] | None]
) -> None:
    looser, stricter = dict(answers), dict(answers)
    for qid, pair in changes.items():
        if pair is not None:
            looser[qid], stricter[qid] = pair
    before, after = decide(looser), decide(stricter)
    assert standing(after, API) <= standing(before, API), (
        f"stricter privacy raised api: {looser} -> {stricter}\n"
        f"  before: {describe(before)}\n  after:  {describe(after)}"
    )


@PROPERTY
@given(
    answers=answers_strategy,
    stages=st.tuples(st.sampled_from(STAGES), st.sampled_from(STAGES)).map(
        lambda p: tuple(sorted(p, key=STAGES.index))
    ),
)
def test_an_earlier_stage_never_favours_owning_a_model_more(
    answers: dict[str, Any], stages: tuple[str, str]
) -> None:
    early_stage, late_stage = stages
    early = decide({**answers, "pmf.stage": early_stage})
    late = decide({**answers, "pmf.stage": late_stage})
    context = f"{early_stage} vs {late_stage} with {answers}\n  early: {describe(early)}\n  late:  {describe(late)}"
    for option in (SELF_HOST, FINE_TUNE):
        e, lt = early.options[option], late.options[option]
        assert e.score <= lt.score, f"{option} scores higher at the earlier stage: {context}"
        assert e.score - early.options[API].score <= lt.score - late.options[API].score, (
            f"{option} gains on api at the earlier stage: {context}"
        )
    for option in REGISTRY.options:
        assert early.options[option].eliminated == late.options[option].eliminated, (
            f"the stage changed whether {option} is ruled out: {context}"
        )


@PROPERTY
@given(
    answers=answers_strategy,
    counts=st.tuples(
        value_strategy(REGISTRY.question("pmf.labeled_examples")),
        value_strategy(REGISTRY.question("pmf.labeled_examples")),
    ).map(sorted),
)
def test_more_labelled_examples_never_make_fine_tuning_less_attractive(
    answers: dict[str, Any], counts: list[int]
) -> None:
    fewer_n, more_n = counts
    fewer = decide({**answers, "pmf.labeled_examples": fewer_n})
    more = decide({**answers, "pmf.labeled_examples": more_n})
    context = f"{fewer_n} vs {more_n} labels with {answers}\n  fewer: {describe(fewer)}\n  more:  {describe(more)}"
    if not fewer.options[FINE_TUNE].eliminated:
        assert not more.options[FINE_TUNE].eliminated, f"more labels ruled fine_tune out: {context}"
    assert standing(more, FINE_TUNE) >= standing(fewer, FINE_TUNE), context
    if more.options[FINE_TUNE].eliminated == fewer.options[FINE_TUNE].eliminated:
        assert len(more.options[FINE_TUNE].holds) <= len(fewer.options[FINE_TUNE].holds), context
        lead_fewer = lead_over_best_other(fewer, FINE_TUNE)
        lead_more = lead_over_best_other(more, FINE_TUNE)
        if (
            lead_fewer is not None
            and lead_more is not None
            and not fewer.options[FINE_TUNE].eliminated
        ):
            assert lead_more >= lead_fewer, f"more labels narrowed fine_tune's lead: {context}"


def _json(answers: Mapping[str, Any]) -> str:
    loaded = validate_document(nested(answers), REGISTRY)
    decision = evaluate(REGISTRY, loaded.values)
    return json.dumps(decision_json(decision, REGISTRY, loaded), default=str)


@settings(max_examples=60, deadline=None)  # four complete evaluations an example
@given(answers=answers_strategy)
def test_the_same_answers_always_give_the_same_json(answers: dict[str, Any]) -> None:
    first = _json(answers)
    assert _json(answers) == first
    assert _json(dict(reversed(list(answers.items())))) == first
    direct = decision_json(decide(answers, explore=True), REGISTRY, AnswersFile(values=answers))
    assert json.dumps(direct, default=str) == first


@PROPERTY
@given(answers=answers_strategy)
def test_every_reported_unknown_really_flips(answers: dict[str, Any]) -> None:
    decision = decide(answers, explore=True)
    for unknown in decision.unknowns:
        assert unknown.question not in answers, f"{unknown.question} was answered"
        assert unknown.outcomes, f"{unknown.question} is reported with nothing it could change to"
        question = REGISTRY.question(unknown.question)
        for shown, outcome in unknown.outcomes.items():
            assert outcome != decision.recommendation
            value = question.coerce(shown)
            got = decide({**answers, unknown.question: value}).recommendation
            assert got == outcome, (
                f"{unknown.question}={shown} was said to give {outcome} but gives {got} "
                f"(answers {answers})"
            )


@PROPERTY
@given(answers=answers_strategy)
def test_ranking_is_consistent_with_gates_scores_and_vetoes(answers: dict[str, Any]) -> None:
    decision = decide(answers, explore=True)
    standing_ids = [oid for oid, r in decision.options.items() if not r.eliminated]
    assert sorted(decision.ranking) == sorted(standing_ids)
    places = [standing(decision, oid) for oid in decision.ranking]
    assert places == sorted(places, reverse=True)
    assert decision.recommendation == (decision.ranking[0] if decision.ranking else None)
    # A rule's or fact's error is a fault of the property; one that only ran slowly (the machine
    # busy with other tests) says nothing about the ranking.
    assert not [f for f in decision.faults if not f.timing]
    assert all(r.error is None for r in decision.results)


# --- The decision procedure's gates and economics, over the whole answer space ----------------
# With no hard constraint (internal data, vendor terms accepted, any residency), what the
# principles require whatever else is answered.

NO_CONSTRAINT = {
    "privacy.data_class": "internal",
    "privacy.vendor_terms_ok": "yes",
    "privacy.residency": "any",
}


def free(answers: Mapping[str, Any], **more: Any) -> dict[str, Any]:
    return {**answers, **NO_CONSTRAINT, **more}


@PROPERTY
@given(answers=answers_strategy, stage=st.sampled_from(["idea", "prototype"]))
def test_before_product_market_fit_the_api_is_recommended(
    answers: dict[str, Any], stage: str
) -> None:
    decision = decide(free(answers, **{"pmf.stage": stage}))
    assert decision.recommendation == API, f"{answers} at {stage}: {describe(decision)}"
    for option in (SELF_HOST, FINE_TUNE, HYBRID):
        assert decision.options[option].eliminated or decision.options[option].held


@PROPERTY
@given(answers=answers_strategy)
def test_nobody_to_run_models_never_gives_self_hosting(answers: dict[str, Any]) -> None:
    decision = decide(free(answers, **{"cost.ml_engineers": 0}))
    assert decision.recommendation == API, f"{answers}: {describe(decision)}"


@PROPERTY
@given(answers=answers_strategy)
def test_fine_tuning_is_never_recommended_before_the_hosted_model_is_prompted(
    answers: dict[str, Any],
) -> None:
    for result in ("not_tried", None):  # tried and said not to be, or not said
        given = free(answers, **{"pmf.prompting_result": result})
        decision = decide({k: v for k, v in given.items() if v is not None})
        assert decision.recommendation != FINE_TUNE, f"{given}: {describe(decision)}"


@PROPERTY
@given(answers=answers_strategy)
def test_a_hosted_model_that_meets_the_bar_is_not_tuned_where_the_api_is_clearly_cheaper(
    answers: dict[str, Any],
) -> None:
    decision = decide(free(answers, **{"pmf.prompting_result": "meets_bar"}))
    bills = decision.costs
    if bills is None or not bills.known("api") or not bills.known(FINE_TUNE):
        return
    api, tuned = bills.horizon(API), bills.horizon(FINE_TUNE)
    if api[2] < tuned[0]:  # the API's dear end is below fine-tuning's cheap end
        assert decision.recommendation != FINE_TUNE, f"{answers}: {describe(decision)}"


SHARES = st.floats(0.0, 1.0)  # the share of calls a small model answers at the bar


@PROPERTY
@given(answers=answers_strategy, share=SHARES)
def test_routing_is_recommended_only_where_it_is_clearly_cheaper_than_the_api(
    answers: dict[str, Any], share: float
) -> None:
    """Routing sends its hard calls to the API, so every consideration about the hosted model and
    the vendor holds for it as for the API, and running the small model weighs on it as on
    self-hosting: no preference favours it over the API, and only its bill can. Where it is
    picked, its 12-month bill lies wholly below the API's, beyond the figures' uncertainty."""
    given = free(answers, **{"scale.routed_share": share, "scale.routing_ok": True})
    decision = decide(given)
    if decision.recommendation != HYBRID:
        return
    bills = decision.costs
    assert bills is not None and bills.known(API) and bills.known(HYBRID), describe(decision)
    assert bills.horizon(HYBRID)[2] < bills.horizon(API)[0], f"{given}: {describe(decision)}"


@PROPERTY
@given(answers=answers_strategy, share=SHARES)
def test_routing_is_never_recommended_before_the_hosted_model_is_prompted(
    answers: dict[str, Any], share: float
) -> None:
    for result in ("not_tried", None):
        given = free(answers, **{"scale.routed_share": share, "pmf.prompting_result": result})
        decision = decide({k: v for k, v in given.items() if v is not None})
        assert decision.recommendation != HYBRID, f"{given}: {describe(decision)}"


LADDER = [round(1000 * 1.1**i) for i in range(146)]  # 1,000 to about a billion, 10% apart


@settings(max_examples=60, deadline=None)
@given(answers=answers_strategy)
def test_more_volume_never_brings_the_api_back_once_it_was_left(answers: dict[str, Any]) -> None:
    picks = [
        decide(free(answers, **{"scale.requests_per_month": v})).recommendation for v in LADDER
    ]
    left = next((i for i, pick in enumerate(picks) if pick != API), None)
    if left is not None:
        back = [LADDER[i] for i in range(left, len(picks)) if picks[i] == API]
        assert not back, f"left the API at {LADDER[left]:,}, back at {back[0]:,}: {answers}"


# The plan (advisor/core/exploration/plan.py) ----------------------------------------------------


def _plan_of(answers: Mapping[str, Any]) -> tuple[Decision, Any]:
    from advisor.core.decision.engine import catalogue_source
    from advisor.core.exploration.plan import plan

    base = decide(answers)
    return base, plan(REGISTRY, base, catalogue_source(REGISTRY, None))


def _stepped(answers: Mapping[str, Any], found: Any) -> list[dict[str, Any]]:
    """The answers at each step of a plan: every trigger up to that step met."""
    out, values = [], dict(answers)
    for step in found.steps:
        values = {**values, **{t.question: t.to for t in step.when}}
        out.append(dict(values))
    return out


@settings(max_examples=80, deadline=None)
@given(answers=answers_strategy)
def test_every_step_of_a_plan_is_what_its_triggers_give(answers: dict[str, Any]) -> None:
    """Meeting a step's triggers (and those of the steps before it) really gives that step's
    option, each trigger is a change forward from the step before, and the plan knows which step
    answers that meet them have reached, read back from a memo's record of it too."""
    from advisor.core.base.labels import Words
    from advisor.core.exploration.plan import record_steps

    base, found = _plan_of(answers)
    recorded = record_steps(found.record(Words()))
    assert found.steps[0].option == base.recommendation and not found.steps[0].when
    options = [step.option for step in found.steps]
    assert len(set(options)) == len(options), options  # no option twice
    before = dict(answers)
    for index, (step, values) in enumerate(zip(found.steps, _stepped(answers, found), strict=True)):
        got = decide(values).recommendation
        assert got == step.option, f"step {index} {step}: {got}; {describe(decide(values))}"
        for trigger in step.when:
            assert trigger.met(values), trigger
            assert not trigger.met(before), (trigger, before.get(trigger.question))
        assert found.reached(values) >= index
        assert recorded.reached(values) == found.reached(values)
        assert recorded.reached(before) == found.reached(before)
        before = values


@settings(max_examples=80, deadline=None)
@given(answers=answers_strategy)
def test_a_plan_takes_no_in_house_step_before_product_market_fit_unless_a_constraint_forces_it(
    answers: dict[str, Any],
) -> None:
    """Self-hosting, tuning or routing comes into a plan only past the product-market fit gate
    (from a first version with real users on), unless a constraint has ruled the API out there."""
    _, found = _plan_of(answers)
    for step, values in zip(found.steps, _stepped(answers, found), strict=True):
        if step.option not in (SELF_HOST, FINE_TUNE, HYBRID):
            continue
        decision = decide(values)
        stage = decision.resolved.values.get("pmf.stage")
        assert stage not in ("idea", "prototype") or decision.options[API].eliminated, (
            f"{step} at stage {stage}: {describe(decision)}"
        )


# Hybrid routing (plugins/bills_hybrid.py) --------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    answers=answers_strategy,
    model=st.sampled_from(REGISTRY.questions["cost.small_model"].choice_values),
)
def test_routing_none_of_the_calls_costs_the_api_and_all_of_them_self_hosting(
    answers: dict[str, Any], model: str
) -> None:
    """Hybrid with a routed share of 0 costs what the API does; of 1, with the small model the
    open model itself, what self-hosting does: each range end too."""
    given = {**answers, "cost.open_model": model, "cost.small_model": model}
    given.pop("cost.open_model_size_b", None)
    none = decide({**given, "scale.routed_share": 0.0}).costs
    every = decide({**given, "scale.routed_share": 1.0}).costs
    if none is None or every is None:
        return
    pairs = ((none, "api"), (every, "self_host"))
    for bills, other in pairs:
        mine, theirs = bills.options.get("hybrid"), bills.options.get(other)
        if theirs is None or theirs.usd_per_month is None:
            assert mine is None or mine.usd_per_month is None
            continue
        assert mine is not None and mine.usd_per_month is not None
        for attribute in ("usd_per_month", "low_usd_per_month", "high_usd_per_month"):
            assert math.isclose(
                getattr(mine, attribute), getattr(theirs, attribute), rel_tol=1e-9
            ), (other, attribute)
