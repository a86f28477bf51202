"""Built-in rules on data and regulation (principles 3, 5 and 6): constraints, not scores."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from advisor import Fact, Facts, Finding, hold, hookimpl, note, points, rule, veto
from advisor_plugins._pack import (
    API,
    ESSAY,
    FINE_TUNE,
    HYBRID,
    SINCE,
    principle,
    rules_hook,
    with_examples,
)

PREMISES = ("on_prem", "air_gapped")
SENSITIVE = ("confidential", "regulated")


def on_premises(facts: Facts) -> bool:
    """The data may be processed only on the team's premises or an air-gapped network."""
    return facts["privacy.residency"] in PREMISES


def terms_refused(facts: Facts) -> bool:
    """The review accepts no vendor's terms, and the data is not public."""
    return facts["privacy.vendor_terms_ok"] == "no" and facts["privacy.data_class"] != "public"


def may_reach_vendor(facts: Facts) -> bool:
    """Whether the data may go to a hosted vendor at all: what PRIV001 and PRIV002 rule on, for the
    bills that would send it (a vendor tuning its model on the team's examples)."""
    return not on_premises(facts) and not terms_refused(facts)


@hookimpl
def advisor_facts(register: Callable[[Any], None]) -> None:
    register(
        Fact(
            name="data_may_reach_vendor",
            description="Whether the privacy answers let data go to a hosted vendor: not where it "
            "must stay on the premises, nor where the review accepts no vendor's terms for data "
            "that is not public (rules PRIV001 and PRIV002).",
            compute=may_reach_vendor,
            reads=("privacy.residency", "privacy.vendor_terms_ok", "privacy.data_class"),
        )
    )


@rule(
    "PRIV001",
    "Data may not leave the premises",
    since=SINCE,
    source=f"{principle(6)}; {ESSAY}",
    reads=["privacy.residency"],
    fires_when="residency is on_prem or air_gapped",
    principles=[6],
    options=[API],
    stage="constraint",
)
def stays_on_premises(facts: Facts) -> Iterator[Finding]:
    """Where the data may be processed only on the team's own premises, or on a network with no
    outside connection, no hosted API can receive it. No vendor terms change that, so this is a
    hard constraint rather than points against."""
    residency = facts["privacy.residency"]
    if on_premises(facts):
        where = "on an air-gapped network" if residency == "air_gapped" else "on premises"
        yield veto(API, f"the data may be processed only {where}: no hosted API can receive it")


@rule(
    "PRIV002",
    "The review accepts no vendor's terms",
    since=SINCE,
    source=f"{principle(6)}; {ESSAY}",
    reads=["privacy.vendor_terms_ok", "privacy.data_class"],
    fires_when="vendor_terms_ok is no and the data is not public",
    principles=[6],
    options=[API],
    stage="constraint",
)
def terms_rejected(facts: Facts) -> Iterator[Finding]:
    """When the security and legal review accepts no vendor's enterprise terms (zero retention, a
    DPA, a BAA, residency), data that is not public may not be sent to a vendor. Privacy is a
    constraint, not a score: the API is out however well it would do otherwise."""
    data_class = facts["privacy.data_class"]
    if terms_refused(facts):
        what = f"{data_class} data" if data_class else "the data (its class not given)"
        yield veto(API, f"the review accepts no vendor's terms for {what}")


@rule(
    "PRIV003",
    "Sensitive data without an accepted vendor review",
    since=SINCE,
    source=f"{principle(6)}; {ESSAY}",
    reads=["privacy.vendor_terms_ok", "privacy.data_class"],
    fires_when="the data is confidential or regulated and the review has not accepted a vendor's "
    "terms (no, unknown or not answered)",
    principles=[6],
    options=[API, HYBRID],
)
def review_pending(facts: Facts) -> Iterator[Finding]:
    """Confidential or regulated data may go to an API only once the review accepts a vendor's
    terms. Until it has, the API option rests on terms nobody has approved; the review is the
    first thing to settle. A review that refused every vendor counts against the API at least as
    much as one not yet done (PRIV002 then also rules the API out), so a stricter answer never
    leaves the API with a better score. Routing sends its hard calls to the API, so the same
    holds for it."""
    terms = facts["privacy.vendor_terms_ok"]
    data_class = facts["privacy.data_class"]
    if data_class in SENSITIVE and terms != "yes":
        yield points(
            API,
            -3,
            f"{data_class} data can reach an API only once the security review "
            "accepts a vendor's terms, and it has not",
        )
        yield points(
            HYBRID,
            -3,
            f"its hard calls would send {data_class} data to an API the security review has "
            "not accepted",
        )


@rule(
    "PRIV004",
    "Vendor terms satisfy the review",
    since=SINCE,
    source=f"{principle(6)}; {ESSAY}",
    reads=["privacy.vendor_terms_ok", "privacy.data_class", "privacy.residency"],
    fires_when="the data is confidential or regulated, the review accepts a vendor's terms, and "
    "the data may leave the premises",
    principles=[6],
    options=[API],
)
def terms_accepted(facts: Facts) -> Iterator[Finding]:
    """Sensitive data does not by itself rule out an API: where a vendor's enterprise terms (zero
    retention, a data processing agreement, a BAA, regional processing) satisfy the review,
    regulated data can go to that vendor. The constraint is the review's verdict, not the label on
    the data."""
    data_class = facts["privacy.data_class"]
    if (
        data_class in SENSITIVE
        and facts["privacy.vendor_terms_ok"] == "yes"
        and facts["privacy.residency"] not in PREMISES
    ):
        yield note(
            API,
            f"{data_class} data may go to a vendor whose terms the review accepted; "
            "keep those terms (retention, DPA, residency) in the contract",
        )


@rule(
    "PRIV005",
    "Data stays in our own cloud account",
    since=SINCE,
    source=f"{principle(6)}; {ESSAY}",
    reads=["privacy.residency"],
    fires_when="residency is own_cloud or stricter (on_prem, air_gapped)",
    principles=[6],
    options=[API, HYBRID],
)
def own_cloud(facts: Facts) -> Iterator[Finding]:
    """Data that must stay in the team's own cloud account narrows the APIs that qualify to those
    a cloud provider runs inside the account; many vendors' public endpoints are out. A stricter
    residency narrows them further still (PRIV001 then rules the API out), so the points apply
    there too and a stricter answer never leaves the API with a better score. Routing's hard
    calls go to an API, so they are held to the same."""
    residency = facts["privacy.residency"]
    if residency == "own_cloud":
        yield points(API, -2, "only APIs deployed inside your own cloud account qualify")
        yield points(
            HYBRID,
            -2,
            "its hard calls may go only to an API deployed inside your own cloud account",
        )
    elif residency in PREMISES:
        yield points(
            API, -2, "not even an API deployed inside your own cloud account may receive the data"
        )
        yield points(
            HYBRID, -2, "its hard calls would go to an API, and no API may receive the data"
        )


@rule(
    "PRIV006",
    "User data may not be used for training",
    since=SINCE,
    source=f"{principle(3, 6)}; {ESSAY}",
    reads=["privacy.train_on_user_data", "pmf.label_source"],
    fires_when="train_on_user_data is false and the labels are users' data (ruled out) or their "
    "source is not given (held back)",
    principles=[3, 6],
    options=[FINE_TUNE],
    stage="constraint",
)
def no_training_on_user_data(facts: Facts) -> Iterator[Finding]:
    """The privacy rules that decide where data may go can also forbid training on it. Labels made
    from users' data may then not be used to tune a model: fine-tuning on them is ruled out, and
    the labelled set must come from elsewhere (the team's own records, licensed or synthetic data),
    which is slower and dearer. Where the labels' source is not given, fine-tuning is held back
    until it is."""
    if facts["privacy.train_on_user_data"] is not False:
        return
    source = facts["pmf.label_source"]
    if source == "user_data":
        yield veto(
            FINE_TUNE,
            "the labels are users' data, which may not be used for training",
        )
    elif source is None:
        yield hold(
            FINE_TUNE,
            "user data may not be used for training and where the labels come from is not "
            "given: tuning waits for a set that may be used (own, licensed or synthetic data)",
        )


# What a vendor's terms must cover for each regime, in the reviewer's words.
TERMS_FOR = {
    "gdpr": "GDPR: a data processing agreement and EU processing or transfer safeguards",
    "hipaa": "HIPAA: a signed business associate agreement (BAA)",
    "pci_dss": "PCI DSS: card data kept out of prompts, or a vendor in scope of PCI DSS",
    "glba": "GLBA: safeguards for customers' financial information in the vendor contract",
    "sox": "SOX: audit trails and access controls over financial reporting data",
    "itar": "ITAR: a service authorised for export-controlled data, run by US persons",
    "pipl": "PIPL: processing in China or a completed cross-border transfer assessment",
    "ccpa": "CCPA: a service-provider contract that bars selling or sharing the data",
}


@rule(
    "PRIV007",
    "Regulations the vendor's terms must cover",
    since=SINCE,
    source=f"{principle(5, 6)}; {ESSAY}",
    reads=["privacy.regimes", "privacy.vendor_terms_ok", "privacy.residency", "privacy.data_class"],
    fires_when="regulations apply to data that is not public, and the API is not ruled out by the "
    "review or by residency",
    principles=[5, 6],
    options=[API],
)
def regimes_to_cover(facts: Facts) -> Iterator[Finding]:
    """Each regulation asks something specific of a vendor: a BAA for health data, a data
    processing agreement for personal data, authorisation for export-controlled data. Where the
    API stays an option, the review must check the chosen vendor's terms against every one of
    them before data is sent."""
    regimes = facts["privacy.regimes"] or []
    if not regimes or facts["privacy.vendor_terms_ok"] == "no":
        return
    if facts["privacy.data_class"] == "public":
        return  # public data asks nothing of a vendor
    if facts["privacy.residency"] in PREMISES:
        return
    needs = "; ".join(TERMS_FOR.get(r, f"{r}: its obligations for a processor") for r in regimes)
    yield note(API, f"the vendor's terms must cover {needs}")


RULES = with_examples(
    [
        stays_on_premises,
        terms_rejected,
        review_pending,
        terms_accepted,
        own_cloud,
        no_training_on_user_data,
        regimes_to_cover,
    ],
    "privacy",
)

advisor_rules = rules_hook(RULES)
