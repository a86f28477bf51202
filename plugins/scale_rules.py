"""Built-in rules on volume, latency and price trends (DOMAIN.md principles 5, 7 and 10)."""

from __future__ import annotations

from collections.abc import Iterator

from advisor import Facts, Finding, points, rule
from advisor_plugins._pack import (
    API,
    ESSAY,
    FINE_TUNE,
    SELF_HOST,
    principle,
    rules_hook,
    with_examples,
)

TIGHT_LATENCY_MS = 500  # round trips to a distant, shared endpoint struggle below this


def _usd(amount: float) -> str:
    return f"${amount:,.0f}" if amount >= 10 else f"${amount:,.2f}"


def _tokens(facts: Facts) -> str:
    """The volume in words: the two bills where the cost model has both, else tokens a month."""
    api, own = facts["api_usd_per_month"], facts["self_host_floor_usd_per_month"]
    if api is not None and own is not None:
        at_least = "" if facts["self_host_usd_per_month"] is not None else "at least "
        return f"an API bill of {_usd(api)} a month against {at_least}{_usd(own)} to self-host"
    tokens = facts["tokens_per_month"]
    return f"{tokens:,.0f} tokens a month" if tokens is not None else "an unknown volume"


BILLS = [
    "volume_band",
    "tokens_per_month",
    "api_usd_per_month",
    "self_host_usd_per_month",
    "self_host_floor_usd_per_month",
]


@rule(
    "SCL001",
    "Low volume: GPUs would sit idle",
    source=f"{principle(5, 10)}; {ESSAY}",
    reads=BILLS,
    fires_when="the volume band is low: the API's bill under a quarter of self-hosting's (an 8B "
    "model's without a model size), or, without an API bill, under 100 million tokens a month",
    principles=[5, 10],
    options=[API, SELF_HOST, FINE_TUNE],
)
def low_volume(facts: Facts) -> Iterator[Finding]:
    """A GPU costs the same whether it serves one request or a million; at low volume it idles,
    while an API charges only for the tokens used. When the API's bill is under a quarter of what
    self-hosting would cost (two replicas for availability and the engineer time to run them), the
    API is the cheaper way by far."""
    if facts["volume_band"] == "low":
        volume = _tokens(facts)
        yield points(API, 2, f"with {volume}, the API bill stays small")
        yield points(SELF_HOST, -2, f"GPUs sized for availability would cost far more: {volume}")
        yield points(
            FINE_TUNE, -2, f"serving a tuned model on GPUs of its own would cost more: {volume}"
        )


@rule(
    "SCL002",
    "High volume: owning the serving can pay",
    source=(
        f"{principle(5)}; {ESSAY} (BuzzFeed cut costs by 80% by fine-tuning open models and "
        "serving them itself)"
    ),
    reads=BILLS,
    fires_when="the volume band is high: the API's bill at least self-hosting's (an 8B model's "
    "without a model size), or, without an API bill, a billion tokens a month or more",
    principles=[5],
    options=[API, SELF_HOST, FINE_TUNE],
)
def high_volume(facts: Facts) -> Iterator[Finding]:
    """An API's bill grows with every request; a self-hosted model's cost per token falls as its
    GPUs fill. Once the API's monthly bill reaches what two replicas of the open model and the
    engineer time to run them cost (the cost model works both out from the catalogue), owning the
    serving pays, and a small tuned model serves more cheaply still."""
    if facts["volume_band"] == "high":
        volume = _tokens(facts)
        yield points(API, -2, f"the per-token bill grows with every request: {volume}")
        yield points(SELF_HOST, 2, f"self-hosted GPUs can cost less: {volume}")
        yield points(
            FINE_TUNE, 2, f"a small tuned model served in-house can cost far less: {volume}"
        )


@rule(
    "COST001",
    "The cost of a fixed capability falls fast",
    source=(
        f"{principle(10)}; {ESSAY} (the cost of davinci-level MMLU fell from about $20 to under "
        "$0.10 in four years: a halving about every six months)"
    ),
    reads=["volume_band"],
    fires_when="the volume band is low or medium (self-hosting would not yet be cheaper)",
    principles=[10],
    options=[SELF_HOST, FINE_TUNE],
)
def prices_fall(facts: Facts) -> Iterator[Finding]:
    """The price of a given capability halves about every six months. A saving that rests on
    today's API prices shrinks within a year, while GPUs, people and training runs are committed
    now; below high volume such a commitment is unlikely to pay back before the API catches up."""
    band = facts["volume_band"]
    if band in ("low", "medium"):
        yield points(
            SELF_HOST,
            -1,
            f"at {band} volume, API prices halving every six months make GPUs "
            "committed today harder to pay back",
        )
        yield points(
            FINE_TUNE,
            -1,
            f"at {band} volume, training and GPUs committed today pay back "
            "less as API prices halve every six months",
        )


@rule(
    "SCL003",
    "A latency budget the hosted API cannot hold",
    source=f"{principle(5)}; {ESSAY}",
    reads=["scale.latency_p95_ms", "api_p95_ms", "self_host_p95_ms"],
    fires_when=f"the API's estimated p95 time for a call exceeds latency_p95_ms, or, where it "
    f"cannot be estimated, the budget is at most {TIGHT_LATENCY_MS} ms",
    principles=[5],
    options=[API, SELF_HOST, FINE_TUNE],
)
def tight_latency(facts: Facts) -> Iterator[Finding]:
    """A hosted API adds a network round trip and queues shared with other customers. When its
    estimated 95th-percentile time for a call (time to first token plus the output at its measured
    speed, from the catalogue) exceeds the budget, a model served close to the application is the
    way to hold it, and a small tuned model is fastest of all. Full control over serving is one of
    the reasons to self-host."""
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
    own = facts["self_host_p95_ms"]
    if own is not None and own <= budget:
        held = f"(estimated {own:,.0f} ms)"
        yield points(SELF_HOST, 1, f"the open model served on your own GPUs can hold it {held}")
        yield points(FINE_TUNE, 1, f"a tuned model served on your own GPUs can hold it {held}")


@rule(
    "SCL004",
    "Vendor limits already block the use case",
    source=f"{principle(5, 7)}; {ESSAY}",
    reads=["scale.vendor_limits_blocking"],
    fires_when="vendor_limits_blocking is true",
    principles=[5, 7],
    options=[API, SELF_HOST, FINE_TUNE],
)
def vendor_limits(facts: Facts) -> Iterator[Finding]:
    """Rate limits below the team's peak, model deprecations and usage policies are the vendor's
    to set. When they already block the use case, owning the serving removes the blocker."""
    if facts["scale.vendor_limits_blocking"] is True:
        yield points(API, -4, "a vendor's limits or policies already block the use case")
        yield points(SELF_HOST, 2, "self-hosting removes the vendor's limits")
        yield points(FINE_TUNE, 1, "a tuned model you serve is free of the vendor's limits")


IDLE_BELOW = 0.10  # self-hosted capacity the average load would use


@rule(
    "COST002",
    "Self-hosted GPUs would sit mostly idle",
    source=f"{principle(5, 10)}; {ESSAY}",
    reads=["self_host_utilisation", "self_host_usd_per_month"],
    fires_when=f"self-hosting would use under {IDLE_BELOW:.0%} of the capacity it pays for",
    principles=[5, 10],
    options=[SELF_HOST, FINE_TUNE],
)
def idle_gpus(facts: Facts) -> Iterator[Finding]:
    """Self-hosted serving is sized for the peak and for a spare replica, and paid for around the
    clock. When the average load would use only a small share of it, most of the bill buys idle
    GPUs; the cost per token is many times what the same GPUs cost when full."""
    used = facts["self_host_utilisation"]
    if used is None or used >= IDLE_BELOW:
        return
    bill = facts["self_host_usd_per_month"]
    shown = f"{used:.1%}" if used >= 0.001 else "under 0.1%"
    yield points(SELF_HOST, -1, f"the GPUs (${bill:,.0f} a month) would be {shown} used on average")
    yield points(FINE_TUNE, -1, f"serving a tuned model would leave its GPUs {shown} used")


@rule(
    "COST003",
    "The API bill would pay for the people self-hosting needs",
    source=f"{principle(5, 7)}; {ESSAY}",
    reads=["api_usd_per_month", "engineer_usd_per_month"],
    fires_when="the API's monthly bill exceeds the monthly cost of one ML engineer",
    principles=[5, 7],
    options=[SELF_HOST, FINE_TUNE],
)
def bill_pays_for_people(facts: Facts) -> Iterator[Finding]:
    """People are usually the largest cost of owning a model. When the API's bill alone is more
    than a fully loaded ML engineer costs, the money could instead pay someone to run an open
    model, and the team gains the capability to change vendors or models."""
    bill, person = facts["api_usd_per_month"], facts["engineer_usd_per_month"]
    if bill is None or bill <= person:
        return
    times = bill / person
    yield points(
        SELF_HOST, 1, f"the API bill (${bill:,.0f} a month) is {times:.1f}x an ML engineer"
    )
    yield points(
        FINE_TUNE, 1, f"the API bill (${bill:,.0f} a month) is {times:.1f}x an ML engineer"
    )


RULES = with_examples(
    [
        low_volume,
        high_volume,
        prices_fall,
        tight_latency,
        vendor_limits,
        idle_gpus,
        bill_pays_for_people,
    ],
    "scale",
)

advisor_rules = rules_hook(RULES)
