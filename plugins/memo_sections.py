"""Built-in plugin: the memo's next steps and risks, whatever the option (principles 7 and 8).

The model is not the product; the system around it is (principle 8): evals, guardrails, caching and
the data flywheel outlast any model, so every memo names them, worded for the answers given. The
risks are those of the option chosen: dependence on one vendor, a team without the people to run
what it picked (principle 7), prices falling under a fixed commitment (principle 10).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from advisor import MemoContext, MemoSection, hookimpl

SENSITIVE = ("confidential", "regulated")
OWNED = ("self_host", "fine_tune")


def _count(value: Any) -> str:
    return f"{value:,.0f}" if isinstance(value, int | float) else str(value)


def next_steps(ctx: MemoContext) -> list[str]:
    """What to build next whatever the option: evals, guardrails, caching, the data flywheel."""
    rec = ctx.recommendation
    steps = []
    if ctx["pmf.has_evals"]:
        steps.append(
            "Evals: keep the eval suite growing with every failure seen in use, and run it on each "
            "change of prompt, model or option; it is what tells whether this decision still holds "
            "(principle 4)."
        )
    else:
        steps.append(
            "Evals: build an eval suite before anything else, starting with assertions on real "
            "inputs like unit tests; without one no change of prompt or model can be judged, and "
            "fine-tuning stays out of reach (principles 3 and 4)."
        )
    guard = (
        "Guardrails: check what goes into and comes out of the model (structured output "
        "validated against a schema, refusals and off-topic answers caught, a human in the loop "
        "where a wrong answer is costly)"
    )
    if ctx["privacy.data_class"] in SENSITIVE:
        guard += ", and screen outputs for personal or confidential data before they leave"
    steps.append(guard + " (principle 8).")
    requests = ctx["scale.requests_per_month"]
    cache = (
        "Caching: cache answers to repeated prompts and keep shared prompt prefixes stable so "
        "providers' and servers' prefix caches apply"
    )
    if isinstance(requests, int | float) and requests > 0:
        cache += f"; at {_count(requests)} calls a month every hit is a call not paid for"
    steps.append(cache + " (principle 8).")
    if ctx["privacy.train_on_user_data"] is False:
        steps.append(
            "Data flywheel: user data may not be used for training, so collect consented, "
            "synthetic or reviewer-written examples and users' ratings instead; they become the "
            "labelled set and the evals (principles 4 and 8)."
        )
    else:
        labels = ctx["pmf.labeled_examples"]
        have = (
            f" (the team has {_count(labels)} labelled examples today)"
            if isinstance(labels, int | float)
            else ""
        )
        steps.append(
            "Data flywheel: log inputs, outputs and users' corrections from day one; reviewed, "
            f"they become the labelled set a later fine-tune and the evals need{have} "
            "(principles 4 and 8)."
        )
    if rec == "api":
        steps.append(
            "Keep prompts, evals and the call site independent of one vendor, so that switching "
            "models is a change of configuration checked by the evals (principle 7)."
        )
    elif rec == "self_host":
        api = ctx.decision.options.get("api")
        fallback = (
            ""
            if api is None or api.eliminated
            else ", and keep a hosted API as a fallback for the data that may leave"
        )
        steps.append(
            f"Load-test the serving stack at peak traffic before launch{fallback}; keep the "
            "prompts and evals able to run against a stronger open model when one appears "
            "(principle 5)."
        )
    elif rec == "fine_tune":
        steps.append(
            "Measure the tuned model against the best prompted model on the same evals before "
            "switching, and plan to repeat the tuning when a stronger base model appears "
            "(principle 3)."
        )
    return steps


def risks(ctx: MemoContext) -> list[str]:
    """What could go wrong with the option chosen."""
    rec = ctx.recommendation
    found = []
    engineers = ctx["cost.ml_engineers"]
    if rec == "api":
        line = (
            "Vendor dependence: the product is built around one vendor's API, which can change "
            "its price, rate limits, models or usage policy; without people who understand the "
            "models, troubleshooting or switching is slow (principle 7)."
        )
        if ctx["scale.vendor_limits_blocking"]:
            line += " The vendor's limits already block part of the use case."
        found.append(line)
        if ctx["privacy.data_class"] in SENSITIVE:
            found.append(
                "Sensitive data goes to the vendor under its enterprise terms (zero retention, "
                "DPA or BAA); a change of terms or of the review's view reopens this decision "
                "(principle 6)."
            )
    if rec in OWNED:
        if not isinstance(engineers, int | float):
            found.append(
                "ML capability: the number of people who can serve, evaluate and tune models is "
                "not given; running your own model without them is where such projects stall "
                "(principle 7)."
            )
        elif engineers < 2:
            found.append(
                f"ML capability: {_count(engineers)} ML engineer(s) to serve, evaluate and tune "
                "a model, with no one to cover absence or turnover (principle 7)."
            )
        found.append(
            "Falling prices: the price of a fixed capability falls several times over in a year "
            "as cheaper models reach it, so GPUs reserved or people hired for this today may cost "
            "more than the API within a year (principle 10)."
        )
    unknown = len(ctx.decision.unknowns)
    if unknown:
        which = "question" if unknown == 1 else "questions"
        found.append(
            f"Open answers: {unknown} unanswered or assumed {which} could change the "
            "recommendation; the decision is provisional until they are answered."
        )
    return found


@hookimpl
def advisor_memo_sections(context: MemoContext, register: Callable[[Any], None]) -> None:
    if context.recommendation is None:
        return
    register(
        MemoSection(
            id="next_steps",
            title="Next steps, whatever the option",
            items=tuple(next_steps(context)),
            place="consequences",
        )
    )
    found = risks(context)
    if found:
        register(MemoSection(id="risks", title="Risks", items=tuple(found), place="consequences"))
