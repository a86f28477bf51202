"""Built-in plugin: facts derived from the answers that several rules read.

The volume band is a first estimate from tokens a month; the cost model replaces it with one based
on prices, through this same hook (``replaces=True``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from advisor import Fact, Facts, hookimpl

# Monthly token volumes that bound the bands. Two H100s for availability at ~$3.24/h cost about
# $4,700 a month (figures for the cost model, 2024); at hosted prices of $1-5 per million tokens
# that buys roughly 1-5 billion tokens. Below 100 million tokens a month the API bill is a few
# hundred dollars at most, far below one GPU, let alone the people who run it.
LOW_VOLUME_TOKENS = 100_000_000
HIGH_VOLUME_TOKENS = 1_000_000_000

LADDER = {"fails_bar": 1, "partially_meets_bar": 2, "meets_bar": 3}


def tokens_per_month(facts: Facts) -> float | None:
    requests = facts["scale.requests_per_month"]
    tokens_in = facts["scale.input_tokens_per_request"]
    tokens_out = facts["scale.output_tokens_per_request"]
    if requests is None or tokens_in is None or tokens_out is None:
        return None
    return requests * (tokens_in + tokens_out)


def volume_band(facts: Facts) -> str | None:
    tokens = facts["tokens_per_month"]
    if tokens is None:
        return None
    if tokens < LOW_VOLUME_TOKENS:
        return "low"
    if tokens < HIGH_VOLUME_TOKENS:
        return "medium"
    return "high"


def best_prompted_result(facts: Facts) -> str | None:
    results = [facts["pmf.prompting_result"], facts["pmf.open_model_result"]]
    tried = [r for r in results if r in LADDER]
    if tried:
        return max(tried, key=LADDER.__getitem__)
    if "not_tried" in results:
        return "not_tried"
    return None


def strongest_prompted_result(facts: Facts) -> str | None:
    """The prompted result of the strongest model the team may use: the hosted frontier model's,
    unless a constraint rules the API out; then the open model's."""
    if "api" in facts["ruled_out"]:
        return facts["pmf.open_model_result"]
    return facts["pmf.prompting_result"]


FACTS = (
    Fact(
        name="tokens_per_month",
        description="Tokens processed a month: requests x (input + output tokens).",
        compute=tokens_per_month,
        reads=(
            "scale.requests_per_month",
            "scale.input_tokens_per_request",
            "scale.output_tokens_per_request",
        ),
        unit="tokens/month",
    ),
    Fact(
        name="volume_band",
        description=(
            f"low below {LOW_VOLUME_TOKENS:,} tokens a month, high from {HIGH_VOLUME_TOKENS:,}, "
            "medium between."
        ),
        compute=volume_band,
        reads=("tokens_per_month",),
    ),
    Fact(
        name="best_prompted_result",
        description=(
            "The better of the hosted and the open model's prompted results; not_tried when neither "
            "was tried."
        ),
        compute=best_prompted_result,
        reads=("pmf.prompting_result", "pmf.open_model_result"),
    ),
    Fact(
        name="strongest_prompted_result",
        description=(
            "The prompted result of the strongest model the team may use: the hosted frontier "
            "model's, or the open model's where a constraint rules the API out."
        ),
        compute=strongest_prompted_result,
        reads=("ruled_out", "pmf.prompting_result", "pmf.open_model_result"),
    ),
)


@hookimpl
def advisor_facts(register: Callable[[Any], None]) -> None:
    for fact in FACTS:
        register(fact)
