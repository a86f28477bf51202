"""Built-in rules on what prompting has shown (PRM: principles 2, 4 and 11): the hosted and open models,
prompted, against the team's bar."""

from __future__ import annotations

from collections.abc import Iterator

from advisor import Facts, Finding, hold, points, rule
from advisor_plugins._pack import (
    API,
    ESSAY,
    HYBRID,
    MEASURED,
    SELF_HOST,
    SHORT,
    SINCE,
    principle,
    result_words,
    rules_hook,
    with_examples,
)

SHORTFALL = {"partially_meets_bar": -2, "fails_bar": -3}  # points against serving a model as it is


@rule(
    "PRM001",
    "Prompt engineering first",
    since=SINCE,
    source=f"{principle(4)}; {ESSAY}",
    reads=["best_prompted_result"],
    fires_when="no model has been tried with prompting yet",
    principles=[4],
    options=[API],
)
def prompting_first(facts: Facts) -> Iterator[Finding]:
    """Few-shot examples, structured input and output and chain of thought on a large model come
    first: each step up in complexity costs about an order of magnitude more effort than the one
    before. When nothing has been tried, the quickest experiment is prompting a hosted model.
    (Fine-tuning before any prompt is tried is held back by FT005.)"""
    if facts["best_prompted_result"] == "not_tried":
        yield points(
            API,
            2,
            "no model has been prompted yet: prompting a large hosted model is "
            "the quickest experiment",
        )


@rule(
    "PRM002",
    "A prompted hosted model meets the bar",
    since=SINCE,
    source=f"{principle(3, 4)}; {ESSAY}",
    reads=["pmf.prompting_result"],
    fires_when="prompting_result is meets_bar",
    principles=[3, 4],
    options=[API, HYBRID],
)
def hosted_meets_bar(facts: Facts) -> Iterator[Finding]:
    """When a well-prompted hosted model already meets the quality bar, the API is a working
    solution to improve with evals and caching. Routing meets it too: its hard calls go to that
    model, and its easy ones to a small model that answers them at the bar. (That it leaves
    fine-tuning nothing to fix is FT005's gate.)"""
    if facts["pmf.prompting_result"] == "meets_bar":
        yield points(API, 3, "a prompted hosted model already meets the bar")
        yield points(
            HYBRID, 3, "its hard calls go to a prompted hosted model that already meets the bar"
        )


@rule(
    "PRM003",
    "A prompted open model meets the bar",
    since=SINCE,
    source=f"{principle(3, 5)}; {ESSAY}",
    reads=["pmf.open_model_result"],
    fires_when="open_model_result is meets_bar",
    principles=[3, 5],
    options=[SELF_HOST],
)
def open_meets_bar(facts: Facts) -> Iterator[Finding]:
    """An open-weight model that meets the bar with prompting alone can be self-hosted as it is;
    tuning it would add training runs, repeated as base models improve, for no gain in quality."""
    if facts["pmf.open_model_result"] == "meets_bar":
        yield points(SELF_HOST, 3, "a prompted open model meets the bar and can be served as it is")


@rule(
    "PRM004",
    "A prompted open model falls short",
    since=SINCE,
    source=f"{principle(3, 5)}; {ESSAY}",
    reads=["pmf.open_model_result"],
    fires_when="open_model_result is fails_bar or partially_meets_bar",
    principles=[3, 5],
    options=[SELF_HOST],
)
def open_falls_short(facts: Facts) -> Iterator[Finding]:
    """Serving an open model that misses the bar ships a worse product; self-hosting it as it is
    only makes sense once something (tuning, better prompts, a larger model) closes the gap."""
    result = facts["pmf.open_model_result"]
    if result in SHORT:
        yield points(
            SELF_HOST,
            SHORTFALL[result],
            f"the prompted open model {result_words(result)}: serving it as it is would miss the bar",
        )


@rule(
    "PRM005",
    "The prompted hosted model falls short",
    since=SINCE,
    source=f"{principle(3, 4, 12)}; {ESSAY}",
    reads=["pmf.prompting_result", "pmf.open_model_result"],
    fires_when="prompting_result is fails_bar or partially_meets_bar",
    principles=[3, 4, 12],
    options=[API, SELF_HOST, HYBRID],
)
def hosted_falls_short(facts: Facts) -> Iterator[Finding]:
    """A hosted frontier model that misses the bar, well prompted, is not yet a product: the API
    as it is ships something worse than the team needs, and so does routing, which sends it the
    hard calls, the ones it is likeliest to miss. An open model is rarely stronger than the
    frontier, so until one is measured, serving it as it is is assumed to fall short as well;
    closing the gap takes tuning (FT002), retrieval, or a change to the task."""
    result = facts["pmf.prompting_result"]
    if result not in SHORT:
        return
    yield points(
        API,
        SHORTFALL[result],
        f"the prompted hosted model {result_words(result)}: the API as it is would miss the bar",
    )
    yield points(
        HYBRID,
        SHORTFALL[result],
        f"its hard calls go to the prompted hosted model, which {result_words(result)}: "
        "routing would miss the bar on them",
    )
    if facts["pmf.open_model_result"] not in MEASURED:
        yield points(
            SELF_HOST,
            SHORTFALL[result],
            "no open model is measured, and the hosted frontier model already misses the bar: "
            "an open one served as it is would too",
        )


@rule(
    "PRM006",
    "A model that falls well short is not served as it is",
    since=SINCE,
    source=f"{principle(3, 5, 12)}; {ESSAY}",
    reads=["pmf.prompting_result", "pmf.open_model_result"],
    fires_when="the open model falls well short of the bar (fails_bar), or none is measured and "
    "the hosted frontier model falls well short",
    principles=[3, 5, 12],
    options=[SELF_HOST],
    stage="gate",
)
def not_served_as_is(facts: Facts) -> Iterator[Finding]:
    """Self-hosting serves an open model as it is. When that model, well prompted, falls well
    short of the bar, serving it ships a product the team already knows is not good enough,
    however cheap the GPUs; and when no open model is measured while even the hosted frontier
    model falls well short, an open one would fare no better. Self-hosting is held back: tuning
    (if the need is shown), retrieval, or a different task come first, and the API is the
    cheapest place to keep trying."""
    open_result = facts["pmf.open_model_result"]
    if open_result == "fails_bar":
        yield hold(SELF_HOST, "the prompted open model falls well short of the bar")
    elif open_result not in MEASURED and facts["pmf.prompting_result"] == "fails_bar":
        yield hold(
            SELF_HOST,
            "no open model is measured, and even the hosted frontier model falls well short of "
            "the bar",
        )


RULES = with_examples(
    [
        prompting_first,
        hosted_meets_bar,
        open_meets_bar,
        open_falls_short,
        hosted_falls_short,
        not_served_as_is,
    ],
    "prompting",
)

advisor_rules = rules_hook(RULES)
