"""The date the advisor takes as today.

``ADVISOR_TODAY`` (YYYY-MM-DD) sets it, so that a run in CI or a test gives the same prices, revisit
dates and memo dates whatever the calendar says; without it, today is the machine's date.
"""

from __future__ import annotations

import os
from datetime import date

from advisor.errors import InputError, Problem

ENVIRONMENT = "ADVISOR_TODAY"


def today() -> date:
    """Today, or the date ADVISOR_TODAY names."""
    given = os.environ.get(ENVIRONMENT, "").strip()
    if not given:
        return date.today()
    try:
        return date.fromisoformat(given)
    except ValueError:
        raise InputError(
            ENVIRONMENT, [Problem("", f"{given!r} is not a date like 2026-12-01")]
        ) from None
