"""Built-in rules on fine-tuning (FT) and pretraining (PRE): when tuning is shown to be needed and
has what it takes (principles 3, 4 and 12)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from advisor import Facts, Finding, hold, note, points, rule, veto
from advisor_plugins._pack import (
    API,
    ESSAY,
    FINE_TUNE,
    SHORT,
    SINCE,
    principle,
    result_words,
    rules_hook,
    with_examples,
)

MIN_LABELS = 100  # below this there is too little to train on or to check a tuned model against
SOME_LABELS = 1_000
MANY_LABELS = 10_000


@rule(
    "FT001",
    "Fine-tuning needs evals and a labelled set",
    since=SINCE,
    source=f"{principle(3)}; {ESSAY}",
    reads=["pmf.has_evals", "pmf.labeled_examples"],
    fires_when=f"there is no eval suite, or fewer than {MIN_LABELS} labelled examples",
    principles=[3],
    options=[FINE_TUNE],
    stage="constraint",
)
def needs_evals_and_labels(facts: Facts) -> Iterator[Finding]:
    """Without a labelled set there is nothing to train on, and without evals nobody can tell
    whether a tuned model is better than the prompt it replaces. Until both exist, fine-tuning is
    not an option yet, whatever else favours it."""
    if facts["pmf.has_evals"] is False:
        yield veto(FINE_TUNE, "there is no eval suite to tell whether a tuned model is better")
    labels = facts["pmf.labeled_examples"]
    if labels is not None and labels < MIN_LABELS:
        yield veto(
            FINE_TUNE,
            f"{labels:,} labelled examples are too few to train on or to check "
            f"a tuned model (at least {MIN_LABELS})",
        )


@rule(
    "FT002",
    "Prompting has been shown to fall short",
    since=SINCE,
    source=f"{principle(3)}; {ESSAY}",
    reads=["strongest_prompted_result"],
    fires_when="the strongest model the team may use (the hosted one, or the open one where the "
    "API is ruled out), well prompted, is fails_bar or partially_meets_bar",
    principles=[3],
    options=[FINE_TUNE],
)
def shortfall_proven(facts: Facts) -> Iterator[Finding]:
    """Fine-tuning fits once an MVP has shown that the strongest available model, well prompted,
    falls short: the hosted frontier model, or the open one where a constraint rules the API out.
    That evidence separates a necessary investment from fine-tuning out of fear of being "just a
    wrapper". A weaker open model falling short, while the hosted one was never tried, is not that
    evidence."""
    best = facts["strongest_prompted_result"]
    if best in SHORT:
        yield points(
            FINE_TUNE,
            3,
            f"the strongest prompted model {result_words(best)}: a shortfall that tuning can address",
        )


@rule(
    "FT005",
    "Fine-tuning only where it is shown to be needed",
    since=SINCE,
    source=(
        f"{principle(3, 5)}; {ESSAY} (BuzzFeed cut costs by 80% by tuning open models on what a "
        "hosted model did)"
    ),
    reads=[
        "ruled_out",
        "strongest_prompted_result",
        "pmf.domain_gap",
        "pmf.has_evals",
        "pmf.labeled_examples",
        "bills",
    ],
    fires_when="the need for tuning is not shown: the strongest model the team may use has not "
    "been measured, or meets the bar (unless distilling it would save at least half the API's "
    "bill), or falls short on knowledge that is public; or the labelled set or evals are not given",
    principles=[3, 5],
    options=[FINE_TUNE],
    stage="gate",
)
def necessity_shown(facts: Facts) -> Iterator[Finding]:
    """Don't fine-tune until it is proven necessary. The proof is the strongest model the team may
    use, well prompted (the hosted one, or the open one where the API is ruled out), falling short
    of the bar on a task that needs knowledge or formats absent from open data, with a labelled set
    to teach from and evals to tell whether the tuned model is better. The essay's one cost-driven
    exception is distillation at high volume: a hosted model that meets the bar teaches a small
    open model, when the labels exist and the saving is large (BuzzFeed's 80%). Anything else holds
    fine-tuning back behind the options that need no such proof."""
    ruled_out = facts["ruled_out"]
    which = "the open model" if API in ruled_out else "the hosted frontier model"
    best = facts["strongest_prompted_result"]
    labels, evals = facts["pmf.labeled_examples"], facts["pmf.has_evals"]
    if best in SHORT:
        if facts["pmf.domain_gap"] is False:
            yield hold(
                FINE_TUNE,
                f"{which} falls short, but the task needs no knowledge absent from open data: "
                "better prompts, retrieval or a stronger model come before tuning",
            )
        elif labels is None:
            yield hold(FINE_TUNE, "how many labelled examples there are is not given")
        elif evals is None:
            yield hold(FINE_TUNE, "no eval suite is said to exist to tell a tuned model is better")
        return
    if best == "meets_bar":
        saving = None if API in ruled_out else _distillation_saving(facts["bills"])
        if saving is not None and labels is not None and evals is not None:
            yield note(
                FINE_TUNE,
                f"distilling the hosted model, which meets the bar, into a tuned open model "
                f"would cost at most {1 - saving:.0%} of the API's bill (BuzzFeed cut 80% so)",
            )
            return
        tail = (
            ", and distilling it would not save half of the API's bill"
            if API not in ruled_out
            else ""
        )
        yield hold(
            FINE_TUNE,
            f"{which}, prompted, already meets the bar: nothing for tuning to fix{tail}",
        )
        return
    yield hold(
        FINE_TUNE,
        f"{which} has not been measured with prompting: prompt it first; tuning is justified "
        "only once it falls short",
    )


DISTIL_SAVING = 0.5  # the least share of the API's bill a distilled model must save


def _distillation_saving(bills: Any) -> float | None:
    """The share of the API's horizon bill that fine-tuning saves for certain (its dear end
    against the API's cheap end), when that is at least DISTIL_SAVING; else None."""
    if bills is None or bills.error or not bills.known("fine_tune") or not bills.known("api"):
        return None
    tuned, api = bills.horizon("fine_tune"), bills.horizon("api")
    if tuned is None or api is None or api[0] <= 0:
        return None
    saved = 1 - tuned[2] / api[0]
    return saved if saved >= DISTIL_SAVING else None


@rule(
    "FT003",
    "Labelled data on hand",
    since=SINCE,
    source=f"{principle(3)}; {ESSAY}",
    reads=["pmf.labeled_examples"],
    fires_when=f"there are at least {SOME_LABELS:,} labelled examples",
    principles=[3],
    options=[FINE_TUNE],
)
def labels_on_hand(facts: Facts) -> Iterator[Finding]:
    """High-quality training data is the scarce input of fine-tuning; a team that already holds
    thousands of reviewed examples has answered the first question the essay asks of it."""
    labels = facts["pmf.labeled_examples"]
    if labels is None or labels < SOME_LABELS:
        return
    amount = 2 if labels >= MANY_LABELS else 1
    yield points(
        FINE_TUNE, amount, f"{labels:,} labelled examples are on hand to train and evaluate on"
    )


@rule(
    "FT004",
    "Knowledge absent from open training data",
    since=SINCE,
    source=f"{principle(3)}; {ESSAY}",
    reads=["pmf.domain_gap"],
    fires_when="domain_gap is answered (true or false)",
    principles=[3],
    options=[FINE_TUNE],
)
def domain_gap(facts: Facts) -> Iterator[Finding]:
    """Fine-tuning earns its cost when the task needs knowledge or formats that are not in the open
    data models learnt from. When the knowledge is public, prompting and retrieval can supply it
    at question time."""
    gap = facts["pmf.domain_gap"]
    if gap is True:
        yield points(FINE_TUNE, 2, "the task needs knowledge absent from open training data")
    elif gap is False:
        yield points(
            FINE_TUNE, -1, "the knowledge is public: prompting and retrieval can supply it"
        )


@rule(
    "PRE001",
    "Adapt the strongest open model; don't pretrain",
    since=SINCE,
    source=(
        f"{principle(2)}; {ESSAY} (BloombergGPT: 363B tokens, a team of nine, overtaken by "
        "gpt-3.5-turbo and gpt-4 within a year)"
    ),
    reads=["pmf.domain_gap"],
    fires_when="the task needs knowledge absent from open training data",
    principles=[2],
    options=[FINE_TUNE],
)
def dont_pretrain(facts: Facts) -> Iterator[Finding]:
    """A domain gap tempts teams to pretrain a model of their own. BloombergGPT was pretrained on
    363B tokens by a team of nine, and general models beat it on its own financial tasks within a
    year; Replit's code model is the rare exception, and it needs continual reinvestment. Close the
    gap by adapting the strongest open model (or by retrieval) instead."""
    if facts["pmf.domain_gap"] is True:
        yield note(
            FINE_TUNE,
            "close the domain gap by fine-tuning the strongest open model, not by "
            "pretraining one of your own",
        )


RULES = with_examples(
    [
        needs_evals_and_labels,
        shortfall_proven,
        necessity_shown,
        labels_on_hand,
        domain_gap,
        dont_pretrain,
    ],
    "tuning",
)

advisor_rules = rules_hook(RULES)
