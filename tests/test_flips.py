"""What would flip the decision, and when to revisit it."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from conftest import TODAY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor import Registry, build_registry, evaluate, load_answers
from advisor.core.exploration.flips import EXACT_BELOW, GRID, Flip, flips
from advisor.core.exploration.revisit import AT_MOST_MONTHS, add_months, revisit

CASES = Path(__file__).parent / "cases"
REGISTRY = build_registry()


def _answers(name: str, **changes: Any) -> dict[str, Any]:
    values = load_answers(CASES / name, REGISTRY).values
    return {**values, **changes}


def _recommend(values: dict[str, Any]) -> str | None:
    return evaluate(REGISTRY, values, explore=False).recommendation


def _recommend_at(values: dict[str, Any], flip: Flip) -> str | None:
    """The recommendation with the flip's change made: an answer, or a factor on prices."""
    if not flip.is_price:
        return _recommend({**values, flip.question: flip.to})
    factor = {"api" if flip.question == "prices.api" else "gpu": flip.to}
    scaled = REGISTRY.catalogue.scaled(**factor)
    return evaluate(REGISTRY, values, explore=False, catalogue=scaled).recommendation


def _check_flip(values: dict[str, Any], flip: Flip) -> None:
    assert _recommend_at(values, flip) == flip.recommendation, flip
    assert flip.recommendation != _recommend(values)


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.glob("*.yaml")))
def test_every_flip_reported_really_flips(case: str) -> None:
    values = _answers(case)
    found = flips(REGISTRY, values)
    for flip in found:
        _check_flip(values, flip)
    assert [f.distance for f in found] == sorted(f.distance for f in found)


# The insurer, with a larger hosted model, an open model that also meets the bar and a team.
SIZED = {
    "cost.open_model_size_b": 8,
    "cost.api_model": "gpt-4o",
    "pmf.open_model_result": "meets_bar",
    "cost.ml_engineers": 3,
}


def test_a_number_flips_at_its_threshold_and_not_before() -> None:
    values = _answers("eu-insurer-claims.yaml", **SIZED)
    (volume,) = [f for f in flips(REGISTRY, values) if f.question == "scale.requests_per_month"]
    assert volume.direction == "up" and volume.recommendation == "self_host"
    short = {**values, "scale.requests_per_month": int(volume.to * 0.99)}
    assert _recommend(short) == "api"  # found to within one percent
    assert volume.describe().startswith(
        f"if scale.requests_per_month rose to {volume.to:,} (now 300,000), self_host"
    )


def test_prices_flip_like_a_number_and_agree_with_volume() -> None:
    values = _answers("eu-insurer-claims.yaml", **SIZED)
    found = {f.question: f for f in flips(REGISTRY, values)}
    api, volume = found["prices.api"], found["scale.requests_per_month"]
    assert api.direction == "up" and api.recommendation == "self_host"
    # The API's bill is prices times volume, but more volume also needs more GPUs: dearer prices
    # alone flip it sooner than the same growth of the API's bill by volume.
    assert 1 < api.to < volume.to / 300_000
    assert api.describe().startswith("if hosted API prices rose to ")
    _check_flip(values, api)


def test_a_choice_lists_each_value_that_flips() -> None:
    values = _answers("prototype-ticket-summaries.yaml")
    residency = {f.to for f in flips(REGISTRY, values) if f.question == "privacy.residency"}
    assert residency == {"on_prem", "air_gapped"}
    terms = [f for f in flips(REGISTRY, values) if f.question == "privacy.vendor_terms_ok"]
    assert [f.describe() for f in terms] == [
        "if privacy.vendor_terms_ok were no (now yes), self_host would be recommended"
    ]


def test_when_nothing_single_flips_there_are_no_flips() -> None:
    # The hospital: api and fine_tune are ruled out by answers no single change would undo.
    assert flips(REGISTRY, _answers("hospital-discharge-notes.yaml")) == []


questions = sorted(REGISTRY.questions)


@st.composite
def answers(draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for qid in questions:
        q = REGISTRY.questions[qid]
        if q.type == "multi_choice" or q.type == "text" or not draw(st.booleans()):
            continue
        if q.type == "choice":
            out[qid] = draw(st.sampled_from(q.choice_values))
        elif q.type == "bool":
            out[qid] = draw(st.booleans())
        elif qid == "cost.open_model_size_b":
            out[qid] = draw(st.sampled_from([8, 13, 70, 405]))
        elif q.type == "number":  # within what the question allows (a share is at most 1)
            high = min(20.0, q.maximum) if q.maximum is not None else 20.0
            out[qid] = draw(st.floats(min_value=min(1.0, high), max_value=high))
        else:
            exponent = draw(st.floats(min_value=0, max_value=9))
            value = int(10**exponent) if qid != "scale.latency_p95_ms" else int(10**exponent) + 1
            out[qid] = min(value, int(q.maximum)) if q.maximum is not None else value
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=answers())
def test_flips_on_random_answers_really_flip(values: dict[str, Any]) -> None:
    for flip in flips(REGISTRY, values):
        _check_flip(values, flip)


# --- revisit ---------------------------------------------------------------------------------


def test_add_months_keeps_to_real_days() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 24), 12) == date(2027, 11, 24)
    assert add_months(date(2026, 11, 24), 0.5) == date(2026, 12, 9)


def test_revisit_at_most_a_year_away() -> None:
    values = _answers("prototype-ticket-summaries.yaml", **{"cost.api_model": "gpt-6-luna"})
    decision = evaluate(REGISTRY, values, today=date(2026, 3, 1))
    when = decision.revisit
    assert when.date == date(2027, 3, 1) and when.made_on == date(2026, 3, 1)
    assert "falls several times over in a year (principle 10)" in when.reason
    assert when.triggers == ["when product-market fit is shown (pmf.stage reaches pmf_validated)"]
    # The case's own model is shut down before then: the API's pick is looked at by that day.
    retiring = evaluate(
        REGISTRY, _answers("prototype-ticket-summaries.yaml"), today=date(2026, 3, 1)
    )
    assert retiring.revisit.date == date(2027, 1, 14)
    assert retiring.revisit.reason.startswith("OpenAI GPT-4o mini is shut down on 2027-01-14")


def test_a_revisit_is_never_sooner_than_a_calendar_month() -> None:
    """gpt-4o-mini is shut down on 2027-01-14. Evaluated three days before, the insurer's revisit
    (the API recommended) is a calendar month away, not three days, and says why; the media
    company's (fine-tuning recommended) lists the shutdown as an event in a month."""
    day = date(2027, 1, 11)
    insurer = evaluate(REGISTRY, _answers("eu-insurer-claims.yaml"), today=day)
    when = insurer.revisit
    assert when.date == add_months(day, 1) == date(2027, 2, 11)
    assert when.reason == (
        "in a month, the soonest the advisor sets a revisit (one sooner is noise): OpenAI "
        "GPT-4o mini is shut down on 2027-01-14: choose and evaluate the model that replaces it "
        "(gpt-6-luna, say) before then"
    )
    media = evaluate(REGISTRY, _answers("media-tagging-at-scale.yaml"), today=day)
    [shutdown] = [t for t in media.revisit.triggers if "shut down" in t]
    assert shutdown.startswith("in a month (2027-02-11), the soonest the advisor sets a revisit")
    # Five weeks before, the shutdown itself is the date.
    early = evaluate(REGISTRY, _answers("eu-insurer-claims.yaml"), today=date(2026, 12, 10))
    assert early.revisit.date == date(2027, 1, 14)
    assert early.revisit.reason.startswith("OpenAI GPT-4o mini is shut down on 2027-01-14")
    # Whatever the day, never sooner than a month.
    for offset in range(0, 40, 3):
        today = date.fromordinal(date(2026, 12, 20).toordinal() + offset)
        assert revisit(insurer, today).date >= add_months(today, 1)


def test_the_revisit_in_words_names_questions_and_options_by_their_labels() -> None:
    values = _answers("prototype-ticket-summaries.yaml", **{"cost.api_model": "gpt-6-luna"})
    decision = evaluate(REGISTRY, values, today=date(2026, 3, 1))
    by_id = revisit(decision, date(2026, 3, 1))
    worded = revisit(
        decision, date(2026, 3, 1), questions=REGISTRY.questions, options=decision.options
    )
    assert worded.date == by_id.date
    assert by_id.triggers == ["when product-market fit is shown (pmf.stage reaches pmf_validated)"]
    assert worded.triggers == [
        'when product-market fit is shown (the answer to "How far along is the product?" '
        'reaches "Product-market fit shown by usage and retention")'
    ]


def test_a_volume_planned_before_product_market_fit_is_a_reason_to_look_again() -> None:
    # A prototype that plans 500M calls a month: no GPUs yet, but a date to look again.
    values = {
        **_answers("prototype-ticket-summaries.yaml"),
        "scale.requests_per_month": 500_000_000,
        "cost.api_model": "gpt-4o",
        "cost.open_model_size_b": 8,
        "cost.ml_engineers": 3,
        "pmf.open_model_result": "partially_meets_bar",
    }
    decision = evaluate(REGISTRY, values, today=date(2026, 3, 1))
    assert decision.recommendation == "api"
    assert decision.options["self_host"].fell_at == "gate"
    [trigger] = [t for t in decision.revisit.triggers if "product-market fit" in t]
    assert "from the mvp_live stage" in trigger and "self_host would be recommended" in trigger


def test_revisit_when_falling_api_prices_would_cross_the_bill_chosen() -> None:
    values = _answers("media-tagging-at-scale.yaml", **{"cost.api_model": "claude-3-5-haiku"})
    today = date(2026, 11, 24)
    decision = evaluate(REGISTRY, values, today=today)
    assert decision.recommendation == "fine_tune"
    bills = decision.costs
    api = bills.options["api"].usd_per_month
    own = bills.options["fine_tune"].usd_per_month
    per_year = REGISTRY.catalogue["trend.capability_decline_per_year.small"]
    crossing = 12 * math.log(api / own) / math.log(per_year)  # Claude 3.5 Haiku: small tier
    step = REGISTRY.catalogue["trend.switch_months"]
    months = step * math.ceil(crossing / step)  # at the first move to a cheaper model after it
    assert 0 < crossing <= months < AT_MOST_MONTHS
    when = decision.revisit
    assert when.date == add_months(today, months)
    assert revisit(decision, today) == when  # the same from the same decision
    assert when.reason.startswith(
        f"the price of small-tier capability falling {per_year:g}x a year"
    )
    assert any("retired on 2026-02-19" in n for n in bills.options["api"].notes)


def test_a_near_flip_is_a_reason_to_look_sooner() -> None:
    values = _answers("eu-insurer-claims.yaml")
    decision = evaluate(REGISTRY, values)
    near = Flip("scale.requests_per_month", 300_000, 450_000, "self_host", math.log(1.5), "up")
    far = Flip("scale.requests_per_month", 300_000, 67_200_000, "self_host", 5.4, "up")
    decision.flips = [near, far]
    when = revisit(decision, date(2026, 11, 24))
    assert when.triggers == ["if scale.requests_per_month passes 450,000"]


# --- the command line --------------------------------------------------------------------------


def test_flips_command(cli: Callable[..., Result]) -> None:
    path = str(CASES / "eu-insurer-claims.yaml")
    text = cli("flips", path)
    assert text.exit_code == 0, text.output
    assert text.stdout.startswith("What would flip it (now Call a hosted API), nearest first:")
    said = " ".join(text.stdout.split())
    assert (
        """- if the answer to "Does your security and legal review accept a vendor's enterprise """
        """terms?" were "No: no vendor's terms satisfy the review" (now "Yes: the review accepts """
        """a vendor's terms"), Self-host an open model would be recommended"""
    ) in said
    assert "privacy.vendor_terms_ok" not in said  # people read prompts and labels, not ids
    data = json.loads(cli("flips", path, "--format", "json").stdout)
    assert data["recommendation"] == "api"
    first = data["flips"][0]
    assert set(first) == {
        "question",
        "from",
        "to",
        "direction",
        "recommendation",
        "distance",
        "estimate",
        "text",
    }
    moved = json.loads(
        cli("flips", path, "--format", "json", "--set", "privacy.vendor_terms_ok=no").stdout
    )
    assert moved["recommendation"] == "self_host"


def test_nothing_to_flip_is_said_plainly(cli: Callable[..., Result]) -> None:
    out = cli("flips", str(CASES / "hospital-discharge-notes.yaml")).stdout
    assert out.startswith("No single change of one answer would change the recommendation")


def test_recommend_json_has_flips_and_revisit(
    cli: Callable[..., Result], registry: Registry
) -> None:
    data = json.loads(
        cli(
            "recommend", str(CASES / "idea-stage-wants-to-fine-tune.yaml"), "--format", "json"
        ).stdout
    )
    assert [f["to"] for f in data["flips"]] == ["on_prem", "air_gapped"]
    revisit_out = data["revisit"]
    assert date.fromisoformat(revisit_out["date"]) == add_months(date.fromisoformat(TODAY), 12)
    assert (
        "when privacy.residency is answered: it could change the result" in revisit_out["triggers"]
    )
    text = cli("recommend", str(CASES / "idea-stage-wants-to-fine-tune.yaml")).stdout
    assert "What would flip it (now Call a hosted API)" in text and "Revisit by " in text


SCAN = 60  # values tried between an answer and its reported flip


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=answers())
def test_no_flip_is_nearer_than_the_one_reported(values: dict[str, Any]) -> None:
    """A fine scan between each number and its reported flip finds no nearer change: the search's
    steps do not step over a flip (the procedure keeps the bills monotone in volume)."""
    base = evaluate(REGISTRY, values)
    for flip in base.flips or []:
        if flip.direction == "change" or flip.is_price or not flip.current:
            continue
        question = REGISTRY.questions[flip.question]
        start, end = float(flip.current), float(flip.to)
        for i in range(1, SCAN):
            x = start * (end / start) ** (i / SCAN)  # evenly on a log scale, short of the flip
            value: Any = x
            if question.type == "int":
                value = math.floor(x) if end > start else math.ceil(x)
                if value in (flip.current, flip.to):
                    continue
                if (end > start and value >= end) or (end < start and value <= end):
                    continue
            try:
                question.coerce(value)
            except ValueError:
                continue  # beyond what the question allows: the search never goes there
            exact = question.type == "int" and max(abs(start), abs(end)) < EXACT_BELOW
            if not exact and end and abs(math.log10(float(value) / end)) < 1 / GRID:
                continue  # within one step of the grid the threshold is reported on
            got = _recommend({**values, flip.question: value})
            assert got == base.recommendation, (
                f"{flip.question} at {value:,} already gives {got}, nearer than the "
                f"reported {flip.describe()}"
            )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=answers())
def test_flips_and_the_decision_agree_on_the_unknowns_and_confidence(
    values: dict[str, Any],
) -> None:
    decision = evaluate(REGISTRY, values)
    assert decision.flips == flips(REGISTRY, values)  # built once, the same as asked alone
    for flip in decision.robustness.plausible:
        assert flip.estimate and flip.distance <= math.log(1.25) + 1e-9
    if decision.robustness.plausible:
        assert decision.confidence == "low"
