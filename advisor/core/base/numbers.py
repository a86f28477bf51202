"""One way to write numbers, money, points, ratios and shares, used by every output.

The engine, the rules, the terminal, the memo and the terminal UI all print figures through these
functions, so the same amount reads the same everywhere and money is always in the configured
currency. Amounts are held in US dollars; a currency is applied only when one is written out.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Protocol


class CurrencyLike(Protocol):
    code: str
    per_usd: float


def number(value: Any) -> str:
    """An answer or a figure as people write it: ``1,234``, ``0.25``, ``2.5e+12``, ``unknown``."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value):,}"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        return f"{value:,.3g}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(number(v) for v in value) + "]"
    return str(value)


def money(usd: float | None, currency: CurrencyLike | None = None) -> str:
    """An amount held in US dollars, written in ``currency``: whole units from 10 up, cents below,
    ``-`` for an amount that could not be worked out."""
    if usd is None:
        return "-"
    if not math.isfinite(usd):
        return "unbounded"
    code = currency.code if currency is not None else "USD"
    amount = usd * (currency.per_usd if currency is not None else 1.0)
    symbol = "$" if code == "USD" else f"{code} "
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    shown = f"{amount:,.0f}" if amount >= 10 else f"{amount:,.2f}"
    return f"{sign}{symbol}{shown}"


def _range(
    low: float | None,
    high: float | None,
    write: Callable[[float | None], str],
    join: Callable[[str, str], str],
) -> str:
    """A range written end by end: one amount when an end is missing or both read the same, "at
    least" one when the other is unbounded."""
    if low is None or high is None:
        return write(low if high is None else high)
    if math.isinf(high):
        return f"at least {write(low)}"
    first, last = write(low), write(high)
    return first if first == last else join(first, last)


def money_range(low: float | None, high: float | None, currency: CurrencyLike | None = None) -> str:
    """A range of amounts: ``$1,200 to $1,900``; one amount when both ends agree."""
    return _range(low, high, lambda v: money(v, currency), lambda a, b: f"{a} to {b}")


def money_short(
    usd: float | None, currency: CurrencyLike | None = None, shorten_from: float = 10_000
) -> str:
    """An amount in three significant figures: ``$8.10``, ``$1,380``, ``$532k``, ``$1.06M``
    (amounts under ``shorten_from`` written whole)."""
    if usd is None or not math.isfinite(usd):
        return money(usd, currency)
    amount = abs(usd * (currency.per_usd if currency is not None else 1.0))
    if amount < shorten_from:
        return money(usd, currency)
    code = currency.code if currency is not None else "USD"
    symbol = "$" if code == "USD" else f"{code} "
    sign = "-" if usd < 0 else ""
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if amount >= scale:
            return f"{sign}{symbol}{amount / scale:.3g}{suffix}"
    return money(usd, currency)  # not reached


def range_short(low: float | None, high: float | None, currency: CurrencyLike | None = None) -> str:
    """A range in short amounts: ``$532k–$1.06M``, ``at least $98.8k`` when unbounded, one amount
    when both ends agree."""
    code = currency.code if currency is not None else "USD"
    symbol = "$" if code == "USD" else f"{code} "
    return _range(
        low, high, lambda v: money_short(v, currency), lambda a, b: f"{a}–{b.removeprefix(symbol)}"
    )


def points(value: float) -> str:
    """Points as the rules give them: ``+2``, ``-1.5``, ``0``."""
    if value == 0:
        return "0"
    if float(value).is_integer():
        return f"{value:+g}"
    return f"{value:+.1f}"


def ratio(value: float) -> str:
    """How many times one amount is another: ``1.08x``, ``2.3x``, ``26x``."""
    if not math.isfinite(value):
        return "unbounded"
    if value >= 10:
        return f"{value:,.0f}x"
    if value >= 1.995:
        return f"{value:.1f}x"
    return f"{value:.2f}x"


def share(value: float | None) -> str:
    """A share of a whole: ``42%``, ``4.2%``, ``<0.1%``."""
    if value is None:
        return "-"
    if value >= 0.1:
        return f"{value:.0%}"
    if value >= 0.001:
        return f"{value:.1%}"
    return "<0.1%"


def change(factor: float) -> str:
    """A multiplicative change in words: ``20% lower``, ``2.5x as high``, ``no change``."""
    if factor == 1:
        return "no change"
    if factor > 1:
        if factor >= 2:
            return f"{ratio(factor)} as high"
        return "under 1% higher" if factor < 1.005 else f"{(factor - 1):.0%} higher"
    return "under 1% lower" if factor > 0.995 else f"{(1 - factor):.0%} lower"


def count(value: float | None, unit: str = "") -> str:
    """A whole count: ``1,200 calls``; ``-`` when unknown."""
    if value is None:
        return "-"
    shown = f"{value:,.0f}"
    return f"{shown} {unit}" if unit else shown


def json_safe(value: Any) -> Any:
    """``value`` with every number JSON can hold: an infinite or NaN float becomes None (JSON's
    null, as an unbounded range end already reads), so that the output is strict JSON that any
    reader accepts, never a bare ``Infinity`` or ``NaN``."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value
