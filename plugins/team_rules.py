"""Built-in rules on the team's ML capability and vendor dependence (principle 7)."""

from __future__ import annotations

from collections.abc import Iterator

from advisor import Facts, Finding, hold, note, points, rule
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

CAPABLE_TEAM = 3  # people who can serve, evaluate and tune: enough to cover for each other


@rule(
    "TEAM001",
    "No one to run models",
    since=SINCE,
    source=f"{principle(7)}; {ESSAY}",
    reads=["cost.ml_engineers"],
    fires_when="ml_engineers is 0",
    principles=[7],
    options=[SELF_HOST, FINE_TUNE, HYBRID],
    stage="gate",
)
def no_ml_people(facts: Facts) -> Iterator[Finding]:
    """Serving and tuning models are skilled, ongoing work: GPUs to size, a serving stack to run,
    evals to keep, training to repeat as base models improve. Nobody who can do it is a
    precondition unmet, not a cost to weigh: the in-house options are never recommended over an
    API the constraints allow, and where nothing else is allowed, getting that capability (hiring,
    a contractor, or a managed deployment inside the team's own account) is the first step."""
    if facts["cost.ml_engineers"] == 0:
        first = "first hire or contract someone, or use a managed deployment in your own account"
        yield hold(SELF_HOST, f"nobody on the team can serve and operate models: {first}")
        yield hold(
            FINE_TUNE, f"nobody on the team can train, evaluate and serve a tuned model: {first}"
        )
        yield hold(
            HYBRID,
            f"nobody on the team can serve the small model the router sends calls to: {first}",
        )


@rule(
    "TEAM002",
    "A thin ML bench",
    since=SINCE,
    source=f"{principle(7)}; {ESSAY}",
    reads=["cost.ml_engineers"],
    fires_when="ml_engineers is 1",
    principles=[7],
    options=[SELF_HOST, FINE_TUNE, HYBRID],
)
def one_ml_person(facts: Facts) -> Iterator[Finding]:
    """One person who can run models is a single point of failure: holidays, on-call and the next
    base-model upgrade all land on them. Tuning needs more of that person than serving does;
    routing needs as much as serving, the small model and its router."""
    if facts["cost.ml_engineers"] == 1:
        yield points(SELF_HOST, -1, "one person would carry serving and on-call alone")
        yield points(
            HYBRID, -1, "one person would carry the small model, the router and on-call alone"
        )
        yield points(
            FINE_TUNE, -2, "one person would carry data, training, evals and serving alone"
        )


@rule(
    "TEAM003",
    "A team that can serve and tune models",
    since=SINCE,
    source=f"{principle(7)}; {ESSAY}",
    reads=["cost.ml_engineers"],
    fires_when=f"ml_engineers is at least {CAPABLE_TEAM}",
    principles=[7],
    options=[],
)
def capable_team(facts: Facts) -> Iterator[Finding]:
    """A team with ML fundamentals can troubleshoot, adapt and switch models; the capability that
    makes self-hosting and tuning workable also reduces dependence on any one vendor. Capability
    is a precondition (TEAM001) and a thin bench a risk (TEAM002), not a reason to own a model: a
    capable team still takes the lighter option when nothing else favours the heavier one."""
    people = facts["cost.ml_engineers"]
    if people is not None and people >= CAPABLE_TEAM:
        yield note(
            None,
            f"{people} people can serve, evaluate and tune models: owning a model is workable, "
            "and switching vendors or models is within reach",
        )


@rule(
    "TEAM004",
    "Vendor dependence of an established product",
    since=SINCE,
    source=f"{principle(7)}; {ESSAY}",
    reads=["pmf.stage"],
    fires_when="the stage is scaling",
    principles=[7],
    options=[API, HYBRID],
)
def vendor_dependence(facts: Facts) -> Iterator[Finding]:
    """An established product built around one vendor's API must be reworked if that API becomes
    unavailable or too expensive. At scale, that dependence is a business risk to weigh, and a
    reason to keep a path to another model. Routing keeps the easy calls in house but leaves the
    hard ones, where the product's quality is decided, with the vendor: the same dependence."""
    if facts["pmf.stage"] == "scaling":
        yield points(
            API,
            -1,
            "a scaling product built on one vendor's API depends on its prices and availability",
        )
        yield points(
            HYBRID,
            -1,
            "its hard calls, where quality is decided, depend on one vendor's prices and "
            "availability",
        )


RULES = with_examples([no_ml_people, one_ml_person, capable_team, vendor_dependence], "team")

advisor_rules = rules_hook(RULES)
