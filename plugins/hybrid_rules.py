"""Built-in rules on routing between a small model of the team's own and a hosted API (principles
5, 10 and 11).

Hybrid routing is an option only where both of its halves are: its hard share goes to the API and
its easy share to a self-hosted model, so a constraint that rules either out rules it out. It is
weighed on its bill (rule ECON001) once the team knows what share of the calls a small model
answers at its bar; until then it is held back, with the share that would make it the cheapest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from advisor import Fact, Facts, Finding, hold, hookimpl, rule, veto
from advisor_plugins._pack import (
    API,
    ESSAY,
    HYBRID,
    SELF_HOST,
    SINCE,
    principle,
    rules_hook,
    with_examples,
)
from advisor_plugins.bills_hybrid import HYBRID_PRICING, cheapest_share

ROUTING = f"{principle(5, 10)}; Ong et al., RouteLLM (LMSYS, arXiv 2406.18665, 2024); {ESSAY}"


@rule(
    "HYB001",
    "Routing needs both of its halves",
    since=SINCE,
    source=f"{principle(6)}; {ESSAY}",
    reads=["ruled_out"],
    fires_when="a constraint rules out the hosted API or self-hosting",
    principles=[6],
    options=[HYBRID],
    stage="gate",
)
def both_halves(facts: Facts) -> Iterator[Finding]:
    """Routing sends the hard calls to a hosted API and the easy ones to a model the team runs.
    Where the data may not reach a vendor, the hard share has nowhere to go; where the team may not
    run a model, the easy share has none. Either way routing is ruled out with the option that
    is."""
    out = facts["ruled_out"]
    if API in out:
        yield veto(HYBRID, "its hard share goes to a hosted API, which a constraint rules out")
    elif SELF_HOST in out:
        yield veto(
            HYBRID, "its easy share runs on a self-hosted model, which a constraint rules out"
        )


@rule(
    "HYB002",
    "No room for a router",
    since=SINCE,
    source=f"{principle(4, 11)}; {ESSAY}",
    reads=["scale.routing_ok"],
    fires_when="the product cannot have a router or cascade in front of the model",
    principles=[4, 11],
    options=[HYBRID],
    stage="constraint",
)
def no_router(facts: Facts) -> Iterator[Finding]:
    """A router or cascade puts two models behind one interface, with answers that differ in style
    and a component of its own to evaluate and watch. A product that cannot live with that, or a
    team that will not keep the router's evals, does not have the option."""
    if facts["scale.routing_ok"] is False:
        yield veto(HYBRID, "the product cannot have a router or cascade in front of the model")


@rule(
    "HYB003",
    "The share a small model answers is not known",
    since=SINCE,
    source=ROUTING,
    reads=["scale.routed_share", "ruled_out"],
    fires_when="the share of calls a small model answers at the bar is not answered",
    principles=[5, 10, 11],
    options=[HYBRID],
    stage="gate",
)
def share_unknown(facts: Facts) -> Iterator[Finding]:
    """Routing pays only for the share of the calls a small model really answers at the bar, and
    that share is measured on the team's evals, not guessed. Until it is known, routing is held
    back. The fact ``hybrid_cheapest_share`` gives the least share at which it would cost less
    than every option not ruled out, which tells the team whether measuring it is worth the
    effort; it is worked out for the output (beside routing's bill), not in every trial decision
    the flips make."""
    out = facts["ruled_out"]
    if facts["scale.routed_share"] is not None or out & {API, SELF_HOST, HYBRID}:
        return  # known, or ruled out (HYB001, HYB002): nothing to measure
    yield hold(
        HYBRID,
        "what share of calls a small model answers at the bar is not known: measure it on your "
        "evals (the costs say the least share at which routing would be the cheapest option)",
    )


@rule(
    "HYB004",
    "A router needs evals",
    since=SINCE,
    source=f"{principle(11)}; {ESSAY}",
    reads=["pmf.has_evals"],
    fires_when="there is no eval suite",
    principles=[11],
    options=[HYBRID],
    stage="gate",
)
def router_needs_evals(facts: Facts) -> Iterator[Finding]:
    """Which calls the small model answers at the bar is an eval question, asked again at every
    model change: without an eval suite a router cannot be set, and its silent regressions cannot
    be caught."""
    if facts["pmf.has_evals"] is not True:
        yield hold(
            HYBRID,
            "without an eval suite nothing says which calls the small model answers at the bar",
        )


@rule(
    "HYB005",
    "Routing waits for the hosted model to be prompted",
    since=SINCE,
    source=f"{principle(3, 4)}; {ESSAY}",
    reads=["pmf.prompting_result"],
    fires_when="the hosted frontier model has not been tried with prompting (or it is not answered)",
    principles=[3, 4],
    options=[HYBRID],
    stage="gate",
)
def hosted_not_prompted(facts: Facts) -> Iterator[Finding]:
    """Routing's hard calls go to the hosted model, so the quality of the whole rests on how that
    model does on the calls the small one cannot answer. Until it has been prompted and judged
    against the bar, nobody knows, and prompting it is the quicker, cheaper experiment (PRM001):
    a router is built after that, as fine-tuning is (FT005)."""
    if facts["pmf.prompting_result"] in (None, "not_tried"):
        yield hold(
            HYBRID,
            "the hosted model that would answer the hard calls has not been prompted yet: "
            "prompt it and judge it against the bar before building a router",
        )


def hybrid_cheapest_share(facts: Facts) -> float | None:
    """The least share of calls a small model must answer at the bar for routing to cost less each
    month than every other option not ruled out whose bill is known (the answers' volume, the
    figures at their values); None when no share does, or the API's bill is not known."""
    bills = facts["bills"]
    out = facts["ruled_out"]
    if bills is None or bills.error or not bills.known(API) or out & {API, SELF_HOST, HYBRID}:
        return None
    rivals = [
        bill.usd_per_month
        for oid, bill in bills.options.items()
        if oid != HYBRID and oid not in out and bill.usd_per_month is not None
    ]
    target = min(rivals)  # the API's among them
    answers = {key: facts[key] for key in HYBRID_PRICING.reads}
    key = ("hybrid_cheapest_share", target)
    found = bills.memo.get(key)
    if found is None:
        found = bills.memo[key] = (cheapest_share(answers, facts.catalogue, target),)
    return found[0]


FACTS = (
    Fact(
        name="hybrid_cheapest_share",
        description="The least share of calls a small model must answer at the bar for routing "
        "to cost less each month than every other option not ruled out.",
        compute=hybrid_cheapest_share,
        reads=("bills", "ruled_out", *HYBRID_PRICING.reads),
        unit="share of calls",
    ),
)


@hookimpl
def advisor_facts(register: Callable[[Any], None]) -> None:
    for fact in FACTS:
        register(fact)


RULES = with_examples(
    [both_halves, no_router, share_unknown, router_needs_evals, hosted_not_prompted], "hybrid"
)

advisor_rules = rules_hook(RULES)
