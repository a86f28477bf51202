"""advisor-buy's own tests, written with the advisor's test kit (its pytest plugin)."""

from __future__ import annotations

import advisor_buy

SUPPORT_BOT = {
    "pmf.stage": "mvp_live",
    "pmf.commodity_use_case": True,
    "pmf.prompting_result": "meets_bar",
    "privacy.data_class": "internal",
    "buy.product_fit": "fully",
    "buy.product_usd_per_month": 1200,
    "scale.requests_per_month": 20000,
    "cost.api_model": "gpt-4o-mini",
}


def test_a_commodity_a_product_does_is_bought(advisor_registry, advisor_evaluate):
    registry = advisor_registry(advisor_buy, entry_points=True)
    decision = advisor_evaluate(SUPPORT_BOT, registry)
    assert decision.recommendation == "buy"
    fired = {r.rule.code for r in decision.results if r.fired}
    assert "BUY001" in fired


def test_nothing_is_bought_before_anyone_looks(advisor_registry, advisor_evaluate):
    registry = advisor_registry(advisor_buy)
    answers = {k: v for k, v in SUPPORT_BOT.items() if not k.startswith("buy.")}
    decision = advisor_evaluate(answers, registry)
    assert decision.options["buy"].eliminated
    assert decision.recommendation != "buy"


def test_data_that_may_not_leave_rules_buying_out(advisor_registry, advisor_evaluate):
    registry = advisor_registry(advisor_buy)
    decision = advisor_evaluate({**SUPPORT_BOT, "privacy.residency": "on_prem"}, registry)
    assert [r.code for r, _ in decision.options["buy"].vetoes] == ["BUY004"]


def test_the_memo_compares_the_quote_with_building(advisor_registry, advisor_memo):
    registry = advisor_registry(advisor_buy)
    text = advisor_memo(SUPPORT_BOT, registry=registry)
    assert "#### Buying instead of building" in text
    assert "The product's quote ($1,200 a month)" in text
    assert "$0.99" in text


def test_its_bill_is_the_quote_or_the_published_price_per_resolution(
    advisor_registry, advisor_evaluate
):
    registry = advisor_registry(advisor_buy)
    quoted = advisor_evaluate(SUPPORT_BOT, registry).costs.options["buy"]
    assert quoted.usd_per_month == 1200
    unquoted = {k: v for k, v in SUPPORT_BOT.items() if k != "buy.product_usd_per_month"}
    bill = advisor_evaluate(unquoted, registry).costs.options["buy"]
    assert bill.usd_per_month == 20000 * 0.99  # every call a resolved conversation, at $0.99
    assert bill.lines[0].figures == ("buy.support_agent.usd_per_resolution",)
    assert "no quote" in bill.notes[0]
    nothing = {**unquoted, "buy.product_fit": "none_found"}
    assert "buy" not in advisor_evaluate(nothing, registry).costs.options
