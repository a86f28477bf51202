"""When to look at the decision again, and why: a date, and the events that should come sooner.

The date is the earliest of: the month in which falling API prices would bring the API's bill below
the bill of the option recommended (when that option is not the API), the day the hosted model named
is shut down (when the API is recommended), and a year from today, since the cost of a fixed capability falls several
times over in a year (principle 10). It is never sooner than one calendar month after today (the day
of the evaluation): a revisit days away is noise, so an event closer than that is given as a revisit
in a month, with its reason. The events are milestones that would change the answers: product-market
fit for a team before it, an answer near the value that flips the decision, an unknown that could
change it, a dated event such as a shutdown.
"""

from __future__ import annotations

import calendar
import datetime
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from advisor.core.base import dates, labels, numbers
from advisor.core.decision.engine import Decision
from advisor.core.exploration.flips import PRICES

if TYPE_CHECKING:
    from advisor.core.answers.questionnaire import Question

AT_MOST_MONTHS = 12
AT_LEAST_MONTHS = 1  # a revisit sooner than a month (a calendar month) is noise
SOONEST_WHY = "the soonest the advisor sets a revisit (one sooner is noise)"
SOONEST = f"in a month, {SOONEST_WHY}"  # leads the reason of a date held back to a month
NEAR = math.log(2)  # an answer within a factor of two of its flip point is near it
EARLY_STAGES = ("idea", "prototype", "mvp_live")
GATED_STAGES = ("idea", "prototype")  # held back by the product-market fit gate


@dataclass
class Revisit:
    date: date
    reason: str
    triggers: list[str] = field(default_factory=list)
    made_on: datetime.date | None = None  # the day it was worked out from


def add_months(start: date, months: float) -> date:
    """``start`` plus a (possibly fractional) number of months, to the day."""
    whole = int(months)
    days = round((months - whole) * 30.44)
    year, month = divmod(start.month - 1 + whole, 12)
    year += start.year
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    return date.fromordinal(date(year, month + 1, day).toordinal() + days)


def revisit(
    decision: Decision,
    today: date | None = None,
    *,
    questions: Mapping[str, Question] | None = None,
    options: Mapping[str, labels.Labelled] | None = None,
) -> Revisit:
    """The date to look again and the reason, with the events that should bring it forward, from
    the decision's own bills, flips and unknowns. The date is at least one calendar month after
    ``today``. With ``questions`` and ``options`` the reason and the events name questions by
    their prompts, answers by their labels and options by their labels; without, by their ids."""
    today = today or dates.today()
    words = labels.Words(questions, options)
    soonest = add_months(today, AT_LEAST_MONTHS)
    when = add_months(today, AT_MOST_MONTHS)
    reason = (
        "a year at most: the price of a fixed capability falls several times over in a year "
        "(principle 10), so today's comparison will not hold for long"
    )
    rec = decision.recommendation
    bills = decision.costs
    if bills is not None and rec in ("self_host", "fine_tune") and bills.known("api"):
        api = bills.options["api"].usd_per_month
        own = bills.options[rec].usd_per_month
        falling = bills.falling
        if api and own and api > own and falling is not None and falling.per_year > 1:
            # The API's bill steps down each time the team moves to a cheaper model of the same
            # quality (every switch_months), to what the capability costs by then: the first
            # move after the capability's price crosses the bill chosen.
            crossing = 12 * math.log(api / own) / math.log(falling.per_year)
            step = falling.switch_months
            moved = step * math.ceil(crossing / step - 1e-9) if step > 0 else crossing
            months = max(AT_LEAST_MONTHS, moved)
            if months < AT_MOST_MONTHS:
                when = add_months(today, months)
                money = bills.catalogue.money if bills.catalogue is not None else numbers.money
                reason = (
                    f"the price of {falling.tier}-tier capability falling {falling.per_year:g}x "
                    f"a year would bring the API's bill ({money(api)} a month today) below "
                    f"{words.possessive(rec)} ({money(own)}) by then, on the cheaper model of the same "
                    f"quality the team would move to (every {step:g} months)"
                )
                if moved < AT_LEAST_MONTHS:
                    reason = f"{SOONEST}: {reason}"
    triggers = []
    stage = decision.resolved.values.get("pmf.stage")
    if stage in EARLY_STAGES:
        later = [
            f
            for f in decision.flips or []
            if f.question == "pmf.stage" and f.direction == "change" and f.recommendation
        ]
        if later and stage in GATED_STAGES:
            first = min(
                later, key=lambda f: EARLY_STAGES.index(f.to) if f.to in EARLY_STAGES else 9
            )
            at = (
                f"the {first.to} stage"
                if questions is None
                else f"the stage {words.value('pmf.stage', first.to)}"
            )
            triggers.append(
                f"when product-market fit is shown: from {at}, at these answers "
                f"(the volume planned included), {words.option(first.recommendation)} would be "
                "recommended"
            )
        else:
            triggers.append(
                "when product-market fit is shown "
                f"({words.question('pmf.stage')} reaches "
                f"{words.value('pmf.stage', 'pmf_validated')})"
            )
    for flip in decision.flips or []:
        if flip.direction in ("up", "down") and flip.distance <= NEAR and not flip.is_price:
            verb = "passes" if flip.direction == "up" else "falls below"
            triggers.append(
                f"if {words.question(flip.question)} {verb} {words.value(flip.question, flip.to)}"
            )
        elif flip.is_price and flip.distance <= NEAR:
            moved = "rise above" if flip.direction == "up" else "fall below"
            what = PRICES[flip.question]
            triggers.append(
                f"if {what} {moved} {float(flip.to):.2f}x today's: "
                f"{words.option(flip.recommendation)} would be recommended"
            )
    for unknown in decision.unknowns:
        asked = (
            unknown.question
            if questions is None or unknown.question not in questions
            else f'"{questions[unknown.question].prompt}"'
        )
        triggers.append(f"when {asked} is answered: it could change the result")
    hosted = decision.options.get("api")
    retired = None if hosted is not None and hosted.eliminated else _shutdown(decision, today)
    if retired is not None:  # a hosted model the team may still use is going away
        day, text = retired
        if rec == "api" and day < when:
            when, reason = (day, text) if day >= soonest else (soonest, f"{SOONEST}: {text}")
        elif day < soonest:
            triggers.append(f"in a month ({soonest.isoformat()}), {SOONEST_WHY}: {text}")
        else:
            triggers.append(f"by {day.isoformat()}: {text}")
    return Revisit(max(when, soonest), reason, triggers, today)


def _shutdown(decision: Decision, today: date) -> tuple[date, str] | None:
    """The day the hosted model named is shut down, when that is still ahead, and why it matters."""
    bills, model = decision.costs, decision.resolved.values.get("cost.api_model")
    if bills is None or bills.catalogue is None or model is None:
        return None
    try:
        found = bills.catalogue.hosted_model(str(model))
    except KeyError:
        return None
    if found.shutdown is None or date.fromisoformat(found.shutdown) <= today:
        return None
    instead = f" ({found.replacement}, say)" if found.replacement else ""
    text = (
        f"{found.label} is shut down on {found.shutdown}: choose and evaluate the model that "
        f"replaces it{instead} before then"
    )
    return date.fromisoformat(found.shutdown), text
