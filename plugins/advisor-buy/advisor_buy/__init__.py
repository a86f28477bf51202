"""advisor-buy: a `buy` option for problems a finished product already solves (principle 9).

A third-party plugin for the advisor, written against its public API only (``import advisor``):
questions (``buy.yaml``), an option, rules in Python and one as data (``policy.yaml``), a price in
the cost catalogue (``prices.yaml``), the option's bill (so it is costed, swept and charted beside
the built-in options) and a section of the decision memo.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from importlib.resources import files
from typing import Any

from advisor import (
    Finding,
    Line,
    MemoContext,
    MemoSection,
    Option,
    OptionCost,
    Pricing,
    hookimpl,
    points,
    rule,
    veto,
)

ADVISOR_HOOK_API = 1
HERE = files("advisor_buy")
BUY = "buy"


@hookimpl
def advisor_sections(register: Callable[[Any], None]) -> None:
    register(HERE / "buy.yaml")


@hookimpl
def advisor_options(register: Callable[[Any], None]) -> None:
    register(
        Option(
            id=BUY,
            label="Buy a finished product",
            summary="Use a product that already does the job (a support bot, chat over documents) "
            "instead of building one; pay its price, get its roadmap.",
            effort=0,
        )
    )


@rule(
    "BUY001",
    "If you can buy it, don't build it",
    since="0.1.0",
    source="the advisor's principle 9 (docs/principles.md)",
    reads=["pmf.commodity_use_case", "buy.product_fit"],
    fires_when="the use case is a commodity and a product does the whole job, or part of it",
    principles=(9,),
    options=(BUY,),
)
def buy_the_commodity(facts: Any) -> Iterator[Finding]:
    """A generic problem (a support bot on a knowledge base, chat with your documents,
    text-to-SQL) is served by products; building it in-house spends scarce effort that a product
    would save."""
    fit = facts["buy.product_fit"]
    if facts["pmf.commodity_use_case"] and fit == "fully":
        yield points(
            BUY, 8, "a product already does the whole job: nothing to build, run or maintain"
        )
    elif facts["pmf.commodity_use_case"] and fit == "partly":
        yield points(BUY, 3, "a product does part of this commodity use case's job")


@rule(
    "BUY002",
    "Nothing to buy yet",
    since="0.1.0",
    source="the advisor's principle 9 (docs/principles.md)",
    reads=["buy.product_fit"],
    fires_when="nobody has looked for a product, or nothing fits",
    principles=(9,),
    options=(BUY,),
    stage="constraint",
)
def nothing_to_buy(facts: Any) -> Iterator[Finding]:
    """Buying is an option only once a product that fits has been found; until someone looks,
    the advisor does not recommend a product it cannot name."""
    fit = facts["buy.product_fit"]
    if fit is None or fit == "not_looked":
        yield veto(BUY, "nobody has looked for a product that does this job yet")
    elif fit == "none_found":
        yield veto(BUY, "no product on the market does this job")


@rule(
    "BUY003",
    "A product knows no more than open data",
    since="0.1.0",
    source="the advisor's principles 3 and 9 (docs/principles.md)",
    reads=["pmf.domain_gap"],
    fires_when="the task needs knowledge or formats absent from open training data",
    principles=(3, 9),
    options=(BUY,),
)
def domain_gap(facts: Any) -> Iterator[Finding]:
    """A product built for everyone is tuned on what everyone has; a task that needs knowledge
    or formats absent from open data is where building earns its cost."""
    if facts["pmf.domain_gap"]:
        yield points(BUY, -3, "the task needs knowledge a generic product does not have")


@hookimpl
def advisor_rules(register: Callable[[Any], None]) -> None:
    for item in (buy_the_commodity, nothing_to_buy, domain_gap):
        register(item)
    register(HERE / "policy.yaml")  # BUY004, written as data


@hookimpl
def advisor_catalogue(register: Callable[[Any], None]) -> None:
    register(HERE / "prices.yaml")


FIT = "buy.product_fit"
QUOTE = "buy.product_usd_per_month"
REQUESTS = "scale.requests_per_month"
PER_RESOLUTION = "buy.support_agent.usd_per_resolution"


def product_bill(
    answers: Mapping[str, Any], cat: Any, bound: str | None = None
) -> OptionCost | None:
    """The product's price a month, once a product that fits is found (no bill before): the
    vendor's quote when the team has one; without it, a support agent's published price per
    resolved conversation for every call (the most it would cost, as not every call is a
    resolution)."""
    if answers.get(FIT) not in ("partly", "fully"):
        return None
    out = OptionCost(BUY)
    quote, requests = answers.get(QUOTE), answers.get(REQUESTS)
    if quote is not None:
        out.lines.append(Line("the product, as quoted", float(quote), "the vendor's quote"))
    elif requests is not None and PER_RESOLUTION in cat.figures:
        each = cat.at(PER_RESOLUTION, bound)
        out.lines.append(
            Line(
                "the product, per resolution",
                float(requests) * each,
                lambda: f"{float(requests):,.0f} calls x ${each:g} a resolved conversation",
                (PER_RESOLUTION,),
            )
        )
        out.notes.append(
            "no quote: priced as a support agent sold per resolution, every call a resolved "
            "conversation (the most it would cost); ask the vendor for a quote"
        )
    else:
        out.missing.append(QUOTE)
    return out


@hookimpl
def advisor_bills(register: Callable[[Any], None]) -> None:
    # The product's price includes the building, running and upkeep that the API's bill leaves
    # out, so the economics rule does not weigh one against the other; the memo section below
    # sets them side by side, and the bill is shown, swept and charted with the others.
    register(
        Pricing(
            option=BUY,
            bill=product_bill,
            reads=(FIT, QUOTE, REQUESTS),
            break_even=True,
            weighed=False,
        )
    )


@hookimpl
def advisor_memo_sections(context: MemoContext, register: Callable[[Any], None]) -> None:
    fit = context["buy.product_fit"]
    if fit not in ("partly", "fully"):
        return
    items = []
    money = context.catalogue.money  # amounts in the currency the user configured
    quoted = context["buy.product_usd_per_month"]
    api = context.costs.options["api"].usd_per_month if context.costs else None
    if quoted is not None and api is not None:
        cheaper = "less" if quoted < api else "more"
        items.append(
            f"The product's quote ({money(quoted)} a month) costs {cheaper} than the API bill "
            f"of building on a hosted model ({money(api)} a month), before the people building "
            "takes."
        )
    requests = context["scale.requests_per_month"]
    if requests:
        price = context.catalogue.figure("buy.support_agent.usd_per_resolution")
        items.append(
            f"For comparison, a support agent sold per resolution at {money(price.value)} "
            f"({price.source.strip()}, as of {price.as_of}) would cost about "
            f"{money(price.value * requests)} a month if every one of the {requests:,.0f} calls "
            "were a resolved conversation."
        )
    items.append(
        "Check what the product does with your data, how you leave it (exports, contracts), and "
        "whether its evals can be run on your own cases (principles 7 and 8)."
    )
    register(
        MemoSection(
            id="buy_instead_of_build",
            title="Buying instead of building",
            paragraphs=(
                "A product does "
                + ("the whole job" if fit == "fully" else "part of the job")
                + " (principle 9).",
            ),
            items=tuple(items),
            place="consequences",
        )
    )
