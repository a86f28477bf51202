"""Built-in plugin: the bills of the built-in options, and facts read off them.

It gives the cost model one pricing for each built-in option (advisor_bills: the API's in
bills_api.py, self-hosting's in bills_gpu.py, fine-tuning's in bills_tuning.py, hybrid routing's in
bills_hybrid.py), as any plugin
prices its own options; the cost model works them out into the fact ``bills``. The facts here are
figures read off those bills, for rules and for people; ``volume_band`` replaces the first estimate
from tokens a month with one from the bills themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from advisor import Fact, Facts, hookimpl
from advisor_plugins.bills_api import API_PRICING
from advisor_plugins.bills_gpu import SELF_HOST_PRICING, SMALLEST_MODEL_B
from advisor_plugins.bills_hybrid import HYBRID_PRICING
from advisor_plugins.bills_tuning import FINE_TUNE_PRICING
from advisor_plugins.facts import volume_band as volume_band_from_tokens

# The API's bill as a share of self-hosting's: under a quarter, GPUs would cost four times what
# the API does; at one or more, owning the serving is already cheaper. Descriptive only: the
# decision weighs the bills themselves (rule ECON001).
LOW_SHARE = 0.25
HIGH_SHARE = 1.0


def _monthly(option: str) -> Callable[[Facts], float | None]:
    def compute(facts: Facts) -> float | None:
        found = facts["bills"]
        bill = None if found.error else found.options.get(option)
        return None if bill is None or bill.floor else bill.usd_per_month

    return compute


def self_host_floor(facts: Facts) -> float | None:
    """Self-hosting's bill, or without a model size the cheapest self-hosting there is: the
    smallest model the catalogue can serve."""
    found = facts["bills"]
    bill = found.options.get("self_host") if found.error is None else None
    return None if bill is None else bill.usd_per_month


def self_host_utilisation(facts: Facts) -> float | None:
    found = facts["bills"]
    bill = found.options.get("self_host") if found.error is None else None
    return None if bill is None or bill.floor else bill.utilisation


def volume_band(facts: Facts) -> str | None:
    api, own = facts["api_usd_per_month"], facts["self_host_floor_usd_per_month"]
    if api is None or own is None or own <= 0:
        return volume_band_from_tokens(facts)
    share = api / own
    if share < LOW_SHARE:
        return "low"
    return "high" if share >= HIGH_SHARE else "medium"


def api_p95_ms(facts: Facts) -> float | None:
    found = facts["bills"]
    return None if found.error else found.p95_latency_ms.get("api")


def self_host_p95_ms(facts: Facts) -> float | None:
    found = facts["bills"]
    return None if found.error else found.p95_latency_ms.get("self_host")


def engineer_usd_per_month(facts: Facts) -> float:
    return facts.catalogue["people.ml_engineer.yearly_usd"] / 12


FACTS = (
    Fact(
        name="api_usd_per_month",
        description="The hosted API's monthly bill: requests x tokens x the model's prices.",
        compute=_monthly("api"),
        reads=("bills",),
        unit="USD/month",
    ),
    Fact(
        name="self_host_usd_per_month",
        description="Self-hosting's monthly bill: GPUs for weights and peak (two replicas at "
        "least), paid whether used or not, and the engineer time it takes.",
        compute=_monthly("self_host"),
        reads=("bills",),
        unit="USD/month",
    ),
    Fact(
        name="fine_tune_usd_per_month",
        description="Fine-tuning's monthly bill, the cheaper way the answers allow: tuning an open "
        "model and serving it on GPUs of one's own, or the hosted model's vendor tuning and "
        "serving it; training runs repeated twice a year, labelling, and the tuning work.",
        compute=_monthly("fine_tune"),
        reads=("bills",),
        unit="USD/month",
    ),
    Fact(
        name="self_host_utilisation",
        description="The share of self-hosted serving capacity the average load would use.",
        compute=self_host_utilisation,
        reads=("bills",),
    ),
    Fact(
        name="api_p95_ms",
        description="The hosted model's estimated 95th-percentile time for one call, in ms.",
        compute=api_p95_ms,
        reads=("bills",),
        unit="ms",
    ),
    Fact(
        name="self_host_p95_ms",
        description="The self-hosted model's estimated 95th-percentile time for one call, in ms.",
        compute=self_host_p95_ms,
        reads=("bills",),
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
        f"{SMALLEST_MODEL_B:g}B model, the cheapest self-hosting there is.",
        compute=self_host_floor,
        reads=("bills",),
        unit="USD/month",
    ),
    Fact(
        name="volume_band",
        description=(
            f"From the bills: low when the API's bill is under {LOW_SHARE:.0%} of self-hosting's, "
            "high when it is at least self-hosting's (without a model size, self-hosting's is "
            f"that of a {SMALLEST_MODEL_B:g}B model, the cheapest there is); from tokens a "
            "month when the API's bill cannot be worked out. Descriptive: the decision weighs the "
            "bills themselves."
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


@hookimpl
def advisor_bills(register: Callable[[Any], None]) -> None:
    for pricing in (API_PRICING, SELF_HOST_PRICING, FINE_TUNE_PRICING, HYBRID_PRICING):
        register(pricing)
