"""Built-in rules on latency and vendors' limits (principles 5 and 7).

What volume does to the bills is weighed by the economics rule (economics_rules.py), by how much the
bills differ, not by bands of volume.
"""

from __future__ import annotations

from collections.abc import Iterator

from advisor import Facts, Finding, points, rule
from advisor_plugins._pack import (
    API,
    ESSAY,
    FINE_TUNE,
    HYBRID,
    SELF_HOST,
    SINCE,
    principle,
    rules_hook,
    with_examples,
)

TIGHT_LATENCY_MS = 500  # round trips to a distant, shared endpoint struggle below this


@rule(
    "SCL003",
    "A latency budget the hosted API cannot hold",
    since=SINCE,
    source=f"{principle(5)}; {ESSAY}",
    reads=["scale.latency_p95_ms", "api_p95_ms", "self_host_p95_ms", "bills"],
    fires_when=f"the API's estimated p95 time for a call exceeds latency_p95_ms, or, where it "
    f"cannot be estimated, the budget is at most {TIGHT_LATENCY_MS} ms",
    principles=[5],
    options=[API, SELF_HOST, FINE_TUNE, HYBRID],
)
def tight_latency(facts: Facts) -> Iterator[Finding]:
    """A hosted API adds a network round trip and queues shared with other customers. When its
    estimated 95th-percentile time for a call (time to first token plus the output at its measured
    speed, from the catalogue) exceeds the budget, a model served close to the application is the
    way to hold it, and a small tuned model is fastest of all. Full control over serving is one of
    the reasons to self-host. Routing's hard calls still go to the API, so they miss the budget
    as its calls do."""
    budget = facts["scale.latency_p95_ms"]
    if budget is None:
        return
    api = facts["api_p95_ms"]
    if api is not None:
        if api <= budget:
            return
        why = f"the API's estimated p95 is {api:,.0f} ms, over the {budget:,} ms budget"
    elif budget <= TIGHT_LATENCY_MS:
        why = f"a {budget:,} ms p95 budget is hard to hold over a shared remote API"
    else:
        return
    yield points(API, -2, why)
    yield points(HYBRID, -2, f"its hard calls go to the API: {why}")
    own = facts["self_host_p95_ms"]
    if own is not None and own <= budget:
        held = f"(estimated {own:,.0f} ms)"
        yield points(SELF_HOST, 1, f"the open model served on your own GPUs can hold it {held}")
        bills = facts["bills"]
        tuned = bills.options.get(FINE_TUNE) if bills is not None and not bills.error else None
        if tuned is None or tuned.route != "vendor":  # a vendor's tuned model is as slow as its API
            yield points(FINE_TUNE, 1, f"a tuned model served on your own GPUs can hold it {held}")


@rule(
    "SCL004",
    "Vendor limits already block the use case",
    since=SINCE,
    source=f"{principle(5, 7)}; {ESSAY}",
    reads=["scale.vendor_limits_blocking"],
    fires_when="vendor_limits_blocking is true",
    principles=[5, 7],
    options=[API, SELF_HOST, FINE_TUNE, HYBRID],
)
def vendor_limits(facts: Facts) -> Iterator[Finding]:
    """Rate limits below the team's peak, model deprecations and usage policies are the vendor's
    to set. When they already block the use case, owning the serving removes the blocker; routing
    does not, since its hard calls still go to the vendor."""
    if facts["scale.vendor_limits_blocking"] is True:
        yield points(API, -4, "a vendor's limits or policies already block the use case")
        yield points(
            HYBRID, -4, "its hard calls go to a vendor whose limits or policies block the use case"
        )
        yield points(SELF_HOST, 2, "self-hosting removes the vendor's limits")
        yield points(FINE_TUNE, 1, "a tuned model you serve is free of the vendor's limits")


RULES = with_examples([tight_latency, vendor_limits], "scale")

advisor_rules = rules_hook(RULES)
