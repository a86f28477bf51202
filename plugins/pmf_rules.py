"""Built-in rules on the product's stage and what it is (principles 1, 8 and 9)."""

from __future__ import annotations

from collections.abc import Iterator

from advisor import Facts, Finding, hold, note, points, rule
from advisor_plugins._pack import (
    API,
    ESSAY,
    FINE_TUNE,
    HYBRID,
    PROVEN,
    SELF_HOST,
    SINCE,
    principle,
    rules_hook,
    with_examples,
)

EARLY = ("idea", "prototype")  # before product-market fit


@rule(
    "PMF001",
    "No GPUs before product-market fit",
    since=SINCE,
    source=f"{principle(1)}; {ESSAY}",
    reads=["pmf.stage", "ruled_out"],
    fires_when="the stage is idea or prototype and no constraint rules the API out",
    principles=[1],
    options=[SELF_HOST, FINE_TUNE, HYBRID],
    stage="gate",
)
def no_gpus_before_pmf(facts: Facts) -> Iterator[Finding]:
    """Until users have shown that they want the product, the people and money that training and
    hosting models take are taken from the product itself. Before product-market fit the API is the
    answer unless a constraint rules it out: self-hosting and fine-tuning are held back whatever
    the bills say, and a volume the team plans for is a reason to look again once the product has
    shown it is wanted, not a reason to buy GPUs now. Where a constraint rules the API out, the
    gate has nothing to send the team to: it stays open, and the next stages choose the lightest
    way to own the model."""
    stage = facts["pmf.stage"]
    if stage not in EARLY or API in facts["ruled_out"]:
        return
    yield hold(
        SELF_HOST,
        f"at the {stage} stage, running GPUs takes people from the product before it has shown "
        "users want it",
    )
    yield hold(
        FINE_TUNE,
        f"at the {stage} stage, training models is effort spent before product-market fit",
    )
    yield hold(
        HYBRID,
        f"at the {stage} stage, a model of your own behind a router takes people from the "
        "product before it has shown users want it",
    )


@rule(
    "PMF002",
    "Product-market fit shown: owning the model can be justified",
    since=SINCE,
    source=f"{principle(1, 5)}; {ESSAY}",
    reads=["pmf.stage"],
    fires_when="the stage is pmf_validated or scaling",
    principles=[1, 5],
    options=[],
)
def fit_shown(facts: Facts) -> Iterator[Finding]:
    """Once usage shows that users want the product, spending on serving or adapting a model of
    one's own is an investment in something proven rather than a bet. It is not a reason on its own
    to leave an API: it only lifts the gate principle 1 sets (PMF001), so it gives no points; the
    bills and the evidence decide from here."""
    stage = facts["pmf.stage"]
    if stage in PROVEN:
        yield note(
            None,
            f"at the {stage} stage, owning the serving or the model would have a proven product "
            "behind it: the bills and the evidence decide",
        )


@rule(
    "PMF003",
    "If you can buy it, don't build it",
    since=SINCE,
    source=f"{principle(9)}; {ESSAY}",
    reads=["pmf.commodity_use_case"],
    fires_when="the use case is a commodity that products already solve",
    principles=[9],
    options=[API, SELF_HOST, FINE_TUNE, HYBRID],
)
def buy_dont_build(facts: Facts) -> Iterator[Finding]:
    """Generic problems such as chat over documents, a support bot on a knowledge base or
    text-to-SQL are served by products. Building them in-house spends scarce effort where it buys
    nothing distinctive; if the team builds at all, the lightest way (an API) wastes least. Consider
    buying a finished product first."""
    if facts["pmf.commodity_use_case"] is True:
        yield note(
            None,
            "this is a problem products already solve: compare a finished product "
            "before building anything",
        )
        yield points(API, 1, "a commodity use case is best built thin, on an API, if built at all")
        yield points(
            SELF_HOST,
            -2,
            "hosting models for a commodity use case duplicates what products already offer",
        )
        yield points(
            FINE_TUNE,
            -2,
            "tuning a model for a commodity use case spends effort on what products already offer",
        )
        yield points(
            HYBRID,
            -2,
            "a model and a router of your own for a commodity use case duplicate what products "
            "already offer",
        )


RULES = with_examples([no_gpus_before_pmf, fit_shown, buy_dont_build], "pmf")

advisor_rules = rules_hook(RULES)
