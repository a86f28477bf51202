"""Built-in plugin: cost facts from the cost model, which cost rules read.

`volume_band` replaces the first estimate from tokens a month with one from the bills themselves,
wherever both the API's and self-hosting's bills can be worked out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from advisor import Fact, Facts, hookimpl
from advisor.costs import model
from advisor.costs.model import api_cost, fine_tune_cost, self_host_cost
from advisor_plugins.facts import volume_band as volume_band_from_tokens

# The API's bill as a share of self-hosting's: under a quarter, GPUs would cost four times what
# the API does; at one or more, owning the serving is already cheaper.
LOW_SHARE = 0.25
HIGH_SHARE = 1.0

VOLUME = (
    "scale.requests_per_month",
    "scale.input_tokens_per_request",
    "scale.output_tokens_per_request",
)
SERVING = (*VOLUME, "cost.open_model_size_b", "scale.peak_to_average")
FINE_TUNE_EXTRA = (
    "pmf.labeled_examples",
    "cost.api_model",
    "privacy.residency",
    "privacy.vendor_terms_ok",
    "privacy.data_class",
    "privacy.train_on_user_data",
)


def _values(facts: Facts, keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: facts[k] for k in keys}


def api_usd_per_month(facts: Facts) -> float | None:
    return api_cost(_values(facts, (*VOLUME, "cost.api_model")), facts.catalogue).usd_per_month


def self_host_bill(facts: Facts) -> Any:
    """Self-hosting's bill, worked out once per set of inputs (two facts read it)."""
    answers = _values(facts, SERVING)
    cat = facts.catalogue
    return cat.memo(("self_host", *answers.values()), lambda: self_host_cost(answers, cat))


def self_host_usd_per_month(facts: Facts) -> float | None:
    return self_host_bill(facts).usd_per_month


def fine_tune_usd_per_month(facts: Facts) -> float | None:
    answers = _values(facts, (*SERVING, *FINE_TUNE_EXTRA))
    return fine_tune_cost(answers, facts.catalogue).usd_per_month


def self_host_utilisation(facts: Facts) -> float | None:
    return self_host_bill(facts).utilisation


SMALLEST_MODEL_B = 8  # the smallest open model the catalogue has serving figures for


def self_host_floor(facts: Facts) -> float | None:
    """Self-hosting's bill, or without a model size the cheapest self-hosting there is: the
    smallest model the catalogue can serve."""
    own = facts["self_host_usd_per_month"]
    if own is not None or facts["scale.requests_per_month"] is None:
        return own
    answers = {**_values(facts, SERVING), "cost.open_model_size_b": SMALLEST_MODEL_B}
    return self_host_cost(answers, facts.catalogue).usd_per_month


def volume_band(facts: Facts) -> str | None:
    api, own = facts["api_usd_per_month"], facts["self_host_floor_usd_per_month"]
    if api is None or own is None or own <= 0:
        return volume_band_from_tokens(facts)
    share = api / own
    if share < LOW_SHARE:
        return "low"
    return "high" if share >= HIGH_SHARE else "medium"


def api_p95_ms(facts: Facts) -> float | None:
    answers = _values(facts, ("cost.api_model", "scale.output_tokens_per_request"))
    return model.api_p95_ms(answers, facts.catalogue)


def self_host_p95_ms(facts: Facts) -> float | None:
    answers = _values(facts, ("cost.open_model_size_b", "scale.output_tokens_per_request"))
    return model.self_host_p95_ms(answers, facts.catalogue)


def engineer_usd_per_month(facts: Facts) -> float:
    return facts.catalogue["people.ml_engineer.yearly_usd"] / 12


FACTS = (
    Fact(
        name="api_usd_per_month",
        description="The hosted API's monthly bill: requests x tokens x the model's prices.",
        compute=api_usd_per_month,
        reads=(*VOLUME, "cost.api_model"),
        unit="USD/month",
    ),
    Fact(
        name="self_host_usd_per_month",
        description="Self-hosting's monthly bill: GPUs for weights and peak (two replicas at "
        "least), paid whether used or not, and the engineer time it takes.",
        compute=self_host_usd_per_month,
        reads=SERVING,
        unit="USD/month",
    ),
    Fact(
        name="fine_tune_usd_per_month",
        description="Fine-tuning's monthly bill, the cheaper way the answers allow: tuning an open "
        "model and serving it on GPUs of one's own, or the hosted model's vendor tuning and "
        "serving it; training runs repeated twice a year, and the tuning work.",
        compute=fine_tune_usd_per_month,
        reads=(*SERVING, *FINE_TUNE_EXTRA),
        unit="USD/month",
    ),
    Fact(
        name="self_host_utilisation",
        description="The share of self-hosted serving capacity the average load would use.",
        compute=self_host_utilisation,
        reads=SERVING,
    ),
    Fact(
        name="api_p95_ms",
        description="The hosted model's estimated 95th-percentile time for one call, in ms.",
        compute=api_p95_ms,
        reads=("cost.api_model", "scale.output_tokens_per_request"),
        unit="ms",
    ),
    Fact(
        name="self_host_p95_ms",
        description="The self-hosted model's estimated 95th-percentile time for one call, in ms.",
        compute=self_host_p95_ms,
        reads=("cost.open_model_size_b", "scale.output_tokens_per_request"),
        unit="ms",
    ),
    Fact(
        name="engineer_usd_per_month",
        description="A fully loaded ML engineer's monthly cost, from the catalogue.",
        compute=engineer_usd_per_month,
        reads=(),
        unit="USD/month",
    ),
    Fact(
        name="self_host_floor_usd_per_month",
        description=f"Self-hosting's monthly bill, or without a model size that of a "
        f"{SMALLEST_MODEL_B}B model, the cheapest self-hosting there is.",
        compute=self_host_floor,
        reads=("self_host_usd_per_month", *SERVING),
        unit="USD/month",
    ),
    Fact(
        name="volume_band",
        description=(
            f"From the bills: low when the API's bill is under {LOW_SHARE:.0%} of self-hosting's, "
            "high when it is at least self-hosting's (without a model size, self-hosting's is "
            f"that of a {SMALLEST_MODEL_B}B model, the cheapest there is); from tokens a month "
            "when the API's bill cannot be worked out."
        ),
        compute=volume_band,
        reads=("api_usd_per_month", "self_host_floor_usd_per_month", "tokens_per_month"),
        replaces=True,
    ),
)


@hookimpl
def advisor_facts(register: Callable[[Any], None]) -> None:
    for fact in FACTS:
        register(fact)
