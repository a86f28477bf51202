"""When to look at the decision again, and why: a date, and the events that should come sooner.

The date is the earliest of: the month in which falling API prices would bring the API's bill below
the bill of the option recommended (when that option is not the API), and a year from today, since
the cost of a fixed capability halves about every six months (DOMAIN.md principle 10). The events are
milestones that would change the answers: product-market fit for a team before it, an answer near
the value that flips the decision, an unknown that could change it.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from advisor.core.engine import Decision
from advisor.core.flips import Flip, show_value

AT_MOST_MONTHS = 12
NEAR = math.log(2)  # an answer within a factor of two of its flip point is near it
EARLY_STAGES = ("idea", "prototype", "mvp_live")


@dataclass
class Revisit:
    date: date
    reason: str
    triggers: list[str] = field(default_factory=list)


def add_months(start: date, months: float) -> date:
    """``start`` plus a (possibly fractional) number of months, to the day."""
    whole = int(months)
    days = round((months - whole) * 30.44)
    year, month = divmod(start.month - 1 + whole, 12)
    year += start.year
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    return date.fromordinal(date(year, month + 1, day).toordinal() + days)


def revisit(
    decision: Decision, bills: Any, found: list[Flip], today: date | None = None
) -> Revisit:
    """The date to look again and the reason, with the events that should bring it forward.

    ``bills`` is the cost model's result for these answers (or None), ``found`` the flips.
    """
    today = today or date.today()
    when = add_months(today, AT_MOST_MONTHS)
    reason = (
        "a year at most: the cost of a fixed capability halves about every six months "
        "(DOMAIN.md principle 10), so today's comparison will not hold for long"
    )
    rec = decision.recommendation
    if bills is not None and rec in ("self_host", "fine_tune"):
        api = bills.options["api"].usd_per_month
        own = bills.options[rec].usd_per_month
        if api and own and api > own:
            months = bills.halving_months * math.log2(api / own)
            if months < AT_MOST_MONTHS:
                when = add_months(today, months)
                reason = (
                    f"API prices halving every {bills.halving_months:g} months would bring the "
                    f"API's bill (${api:,.0f} a month today) below {rec}'s (${own:,.0f}) by then"
                )
    triggers = []
    stage = decision.resolved.values.get("pmf.stage")
    if stage in EARLY_STAGES:
        triggers.append("when product-market fit is shown (pmf.stage reaches pmf_validated)")
    for flip in found:
        if flip.direction in ("up", "down") and flip.distance <= NEAR:
            verb = "passes" if flip.direction == "up" else "falls below"
            triggers.append(f"if {flip.question} {verb} {show_value(flip.to)}")
    for unknown in decision.unknowns:
        triggers.append(f"when {unknown.question} is answered: it could change the result")
    return Revisit(when, reason, triggers)
