"""Built-in rule of the economics stage: the bills over the horizon, weighed by how much they differ
(principles 5 and 10).

Each option's bill over the horizon has a range: its figures at their cheap ends, then at their dear
ends (docs/costs.md). Two bills whose ranges overlap are a tie on cost: the figures cannot tell them
apart. Beyond the overlap, every doubling of the gap is worth the same points, up to a cap, so a
26-fold difference weighs far more than an 8% one, and a small change of volume moves the points a
little rather than switching them. The API's bill is the yardstick whenever the API stands: more
volume never makes the API look relatively better, because no other bill's cost per call rises with
volume, which keeps the decision monotone in volume.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from advisor import Facts, Finding, note, points, rule
from advisor.core.base import numbers
from advisor_plugins._pack import (
    API,
    ESSAY,
    FINE_TUNE,
    SELF_HOST,
    SINCE,
    principle,
    rules_hook,
    with_examples,
)

POINTS_PER_DOUBLING = 2.0  # what each doubling of a gap beyond the figures' uncertainty is worth
MOST_POINTS = 8.0  # a gap of 16 times beyond the uncertainty, or more


def _label(option: str) -> str:
    return {
        "api": "the API",
        "self_host": "self-hosting",
        "fine_tune": "fine-tuning",
        "hybrid": "routing",
    }.get(option, option)


def weigh(low: float, high: float, ref_low: float, ref_high: float) -> float:
    """Points for a bill of range (low, high) against a yardstick of range (ref_low, ref_high):
    positive when it is cheaper beyond the overlap of the two ranges, negative when dearer, zero
    when they overlap; ``POINTS_PER_DOUBLING`` for each doubling of the gap, at most
    ``MOST_POINTS`` either way, to one decimal."""
    if high < ref_low:
        gap = math.log2(ref_low / high) if high > 0 else math.inf
    elif low > ref_high:
        gap = -math.log2(low / ref_high) if ref_high > 0 else -math.inf
    else:
        return 0.0
    return round(max(-MOST_POINTS, min(MOST_POINTS, POINTS_PER_DOUBLING * gap)), 1)


@rule(
    "ECON001",
    "The bills over the horizon, weighed by how much they differ",
    since=SINCE,
    source=(
        f"{principle(5, 10)}; {ESSAY} (BuzzFeed cut costs by 80% by tuning and serving open "
        "models; the cost of a fixed capability falls several times over in a year)"
    ),
    reads=["bills", "ruled_out"],
    fires_when="two options that are not ruled out both have a bill over the horizon",
    principles=[5, 10],
    options=[API, SELF_HOST, FINE_TUNE],
    stage="economics",
)
def bills_weighed(facts: Facts) -> list[Finding]:
    """An API charges for each call; self-hosting and fine-tuning pay for GPUs whether used or not,
    for training, labelling and the people who run them. Each option's bill over the horizon, with
    API prices falling as the trend says, is compared with the API's (or, where a constraint rules
    the API out, with the cheapest option's). Where the two ranges overlap the figures cannot tell
    the bills apart, and cost decides nothing; beyond the overlap each doubling of the gap is worth
    two points, up to eight, so the size of a saving weighs, not only its sign."""
    bills: Any = facts["bills"]
    if bills is None or bills.error:
        return []
    ruled_out = facts["ruled_out"]
    key = ("ECON001", ruled_out, facts.catalogue.currency)
    found = bills.memo.get(key)
    if found is None:  # the same bills weigh the same while the flips try other answers
        found = bills.memo[key] = [
            *_weigh_all(facts, bills, ruled_out),
            *_middle_road(facts, bills, ruled_out),
        ]
    return found


def _weigh_all(facts: Facts, bills: Any, ruled_out: frozenset[str]) -> Iterator[Finding]:
    # A bill that counts what the others leave out (a product's price includes the building) is
    # shown beside them but not weighed against them.
    standing = [o for o in bills.options if o not in ruled_out and bills.weighed(o)]
    ranges = {o: bills.horizon(o) for o in standing if bills.horizon(o) is not None}
    known = [o for o in ranges if bills.known(o)]
    if API in known:
        ref = API
    elif known:
        ref = min(known, key=lambda o: ranges[o][1])
    else:
        return
    ref_low, ref_value, ref_high = ranges[ref]
    months = bills.horizon_months
    cat = facts.catalogue
    theirs = f"{_label(ref)}'s {cat.money_range(ref_low, ref_high)}"
    for option, (low, value, high) in ranges.items():
        if option == ref:
            continue
        mine = f"{_label(option)}'s {months}-month bill, {cat.money_range(low, high)},"
        score = weigh(low, high, ref_low, ref_high)
        apart = (
            numbers.ratio(max(value, ref_value) / min(value, ref_value))
            if min(value, ref_value) > 0
            else "far"
        )
        if score > 0:
            factor = numbers.ratio(ref_low / high) if high > 0 else "far"
            yield points(
                option,
                score,
                f"{mine} is under {theirs}: at least {factor} cheaper beyond the figures' "
                f"uncertainty ({apart} apart at their values)",
            )
        elif score < 0:
            factor = numbers.ratio(low / ref_high) if ref_high > 0 else "far"
            yield points(
                option,
                score,
                f"{mine} is over {theirs}: at least {factor} dearer beyond the figures' "
                f"uncertainty ({apart} apart at their values)",
            )
        elif not bills.known(option):
            yield note(
                option,
                f"{mine} is only a floor (an answer it needs is not given) and does not exceed "
                f"{theirs}: cost cannot decide",
            )
        else:
            yield note(
                option,
                f"{mine} overlaps {theirs} ({apart} apart at their values): within the figures' "
                "uncertainty, a tie on cost",
            )


def _middle_road(facts: Facts, bills: Any, ruled_out: frozenset[str]) -> Iterator[Finding]:
    """The open model a team would host, on a hosted endpoint (the same weights, billed per
    call): when it costs less than running it, a note says so on self-hosting. It is no option
    of its own: it keeps the API's terms (data leaves, the vendor sets limits) and only changes
    the price, so it matters where the API itself is allowed."""
    road = bills.open_endpoint
    host = bills.options.get(SELF_HOST)
    if road is None or host is None or host.usd_per_month is None or SELF_HOST in ruled_out:
        return
    if API in ruled_out:
        return  # where data may not leave, a hosted endpoint is no way round it
    cat = facts.catalogue
    if road.usd_per_month < host.usd_per_month:
        yield note(
            SELF_HOST,
            f"the same open weights on a hosted endpoint ({road.label}) would cost "
            f"{cat.money(road.usd_per_month)} a month against {cat.money(host.usd_per_month)} to "
            "run them: a middle road if the API's terms are acceptable",
        )


RULES = with_examples([bills_weighed], "economics")

advisor_rules = rules_hook(RULES)
