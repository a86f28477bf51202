"""Built-in rules on evals and the data flywheel (EVAL, SYS: principles 4, 8 and 11): measure before
choosing, and collect the labels every later option needs."""

from __future__ import annotations

from collections.abc import Iterator

from advisor import Facts, Finding, note, points, rule
from advisor_plugins._pack import (
    ESSAY,
    MEASURED,
    PROVEN,
    SELF_HOST,
    SINCE,
    principle,
    rules_hook,
    with_examples,
)

FLYWHEEL_BELOW = 1000  # labelled examples under which collecting feedback is the next step


@rule(
    "EVAL001",
    "Evals from day one",
    since=SINCE,
    source=f"{principle(4, 8)}; {ESSAY}",
    reads=["pmf.has_evals"],
    fires_when="there is no eval suite",
    principles=[4, 8],
    options=[SELF_HOST],
)
def evals_first(facts: Facts) -> Iterator[Finding]:
    """Evals, starting as assertions like unit tests, say whether a prompt works and whether a
    change helps. Whatever the option they come first; without them a team that hosts an open
    model cannot tell whether it is good enough for its users."""
    if facts["pmf.has_evals"] is False:
        yield note(
            None, "write an eval suite first: assertions on real examples, run on every change"
        )
        yield points(
            SELF_HOST,
            -1,
            "without evals nobody can tell whether a hosted open model is good enough",
        )


@rule(
    "EVAL002",
    "Results judged without evals are impressions",
    since=SINCE,
    source=f"{principle(11, 12)}; {ESSAY}",
    reads=["pmf.has_evals", "pmf.prompting_result", "pmf.open_model_result"],
    fires_when="a prompting result is reported but there is no eval suite",
    principles=[11, 12],
    options=[],
)
def unmeasured_results(facts: Facts) -> Iterator[Finding]:
    """A result judged by eye, or against a public benchmark that may be contaminated, is an
    impression rather than a measurement. Show the working: the recommendation leans on these
    results, so the evals that would confirm them are the first thing to build."""
    if facts["pmf.has_evals"] is not False:
        return
    for key, label in (("pmf.prompting_result", "hosted"), ("pmf.open_model_result", "open")):
        result = facts[key]
        if result in MEASURED:
            yield note(
                None,
                f"the {label} model's result ({result}) was judged without evals; "
                "confirm it with an eval suite before relying on it",
            )


@rule(
    "SYS001",
    "The system around the model outlasts it: start the data flywheel",
    since=SINCE,
    source=f"{principle(4, 8)}; {ESSAY}",
    reads=["pmf.stage", "pmf.labeled_examples"],
    fires_when=f"the product has users (mvp_live or later) and fewer than {FLYWHEEL_BELOW:,} "
    "labelled examples",
    principles=[4, 8],
    options=[],
)
def data_flywheel(facts: Facts) -> Iterator[Finding]:
    """Evals, guardrails, caching and the data flywheel outlast any model. Once real users are on
    the product, their feedback is the cheapest source of labelled data; collecting it from the
    start is what makes fine-tuning possible later, whichever option is chosen now."""
    stage = facts["pmf.stage"]
    labels = facts["pmf.labeled_examples"]
    if stage in ("mvp_live", *PROVEN) and labels is not None and labels < FLYWHEEL_BELOW:
        yield note(
            None,
            f"only {labels:,} labelled examples with users on the product: capture "
            "their feedback as labels (the data flywheel), whatever the option",
        )


RULES = with_examples(
    [
        evals_first,
        unmeasured_results,
        data_flywheel,
    ],
    "evals",
)

advisor_rules = rules_hook(RULES)
