"""What a bill is made of, and how a plugin says how to work one out.

A plugin gives each option it can cost a :class:`Pricing` through the ``advisor_bills`` hook: the
option, the answers and facts the bill reads, and a function that works the bill out from those and
the cost catalogue. The cost model (advisor/costs/model.py) calls every pricing three times (with
the figures at their values and at the two ends of their ranges), totals the horizon, finds where
each bill meets the yardstick's, and hands the lot to the rules, the outputs and the sweeps; the
built-in options are priced the same way, by the built-in plugin ``costs``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from advisor.core.base import numbers

if TYPE_CHECKING:
    from advisor.costs.catalogue import Catalogue

BOUNDS = ("cheap", None, "dear")  # the ends of the figures' ranges a bill is worked out at


class Line:
    """One line of a bill: what it is, how much a month, and how it was worked out.

    ``working`` may be given as a function that writes it: bills are worked out many times while
    the flips are searched, and only the ones shown need their arithmetic in words.
    """

    __slots__ = ("_working", "figures", "usd_per_month", "what")

    def __init__(
        self,
        what: str,
        usd_per_month: float,
        working: str | Callable[[], str],
        figures: tuple[str, ...] = (),
    ):
        self.what = what
        self.usd_per_month = usd_per_month
        self._working = working
        self.figures = figures  # the catalogue keys it used

    @property
    def working(self) -> str:
        if callable(self._working):
            self._working = self._working()
        return self._working

    def __repr__(self) -> str:
        return f"Line({self.what!r}, {self.usd_per_month!r})"


@dataclass
class OptionCost:
    """An option's monthly bill, its range, and what it implies. A pricing fills in ``lines`` and
    whatever else it knows; the cost model adds the range."""

    option: str
    lines: list[Line] = field(default_factory=list)
    tokens_per_month: float | None = None  # input and output, for the cost per million
    gpus: float | None = None  # GPUs paid for on average: replicas x GPUs per replica
    gpu: str | None = None
    replicas: float | None = None  # replicas and fractions of one, at least two
    gpus_per_replica: int | None = None
    utilisation: float | None = None
    p95_latency_ms: float | None = None
    missing: list[str] = field(default_factory=list)  # answers it needs that are not given
    route: str = ""  # which of the pricing's routes the bill took (fine-tuning: "vendor", ...)
    floor: bool = False  # an answer it needs is unknown: the bill is the least it could be
    assumed: dict[str, Any] = field(default_factory=dict)  # answers taken for the floor
    notes: list[str] = field(default_factory=list)  # what a reader must know about the bill
    precision: str | None = None  # the serving precision of the deployment chosen
    sizing: Any = None  # the deployment search (advisor.costs.capacity.deployments.Sizing) for GPUs
    price_as_of: str | None = None  # the day hosted prices were asked at (the API's bill)
    low_usd_per_month: float | None = None  # the bill with every figure at its cheap end
    high_usd_per_month: float | None = None  # ... at its dear end (infinite for a floor)
    # Beside a bill that needs an answer: a derived fact worked out for the output only (too dear
    # for every trial decision the flips make) and how to say its value in a sentence.
    hint: tuple[str, Callable[[Any], str]] | None = None

    @property
    def usd_per_month(self) -> float | None:
        if self.missing:
            return None
        return sum(line.usd_per_month for line in self.lines)

    def hinted(self, decision: Any) -> str:
        """The sentence of ``hint`` for ``decision`` (worked out on first use), or "": what the
        outputs say beside a bill that waits for an answer."""
        if self.hint is None or not self.missing:
            return ""
        option = decision.options.get(self.option)
        if option is not None and option.eliminated:
            return ""  # ruled out: what would make it pay is beside the point
        name, say = self.hint
        return say(decision.fact(name))

    @property
    def usd_per_mtok(self) -> float | None:
        """The bill per million tokens processed, input and output."""
        monthly = self.usd_per_month
        if monthly is None or not self.tokens_per_month:
            return None
        return monthly / self.tokens_per_month * 1e6

    @property
    def replicas_at_peak(self) -> int | None:
        """Whole replicas running at the busiest time."""
        return None if self.replicas is None else math.ceil(self.replicas - 1e-9)


# A bill: (answers, catalogue, bound=None) -> the option's cost, or None when the option cannot be
# priced this way. ``bound`` is "cheap", "dear" or None: work with every figure at that end of its
# range (``Catalogue.at(key, bound)`` does it), or at its value.
Bill = Callable[..., "OptionCost | None"]


@dataclass(frozen=True)
class Decline:
    """How the yardstick's bill falls over the horizon: the price of the hosted model's capability
    tier falls ``per_year`` times a year, and the team moves to the cheaper model that reaches it
    every ``switch_months``; ``shares`` are the horizon's average price as a share of today's, with
    the decline at its fast end, its value and its slow end."""

    tier: str
    tier_guessed: bool
    per_year: float
    per_year_range: tuple[float, float]  # slow, fast
    switch_months: float
    shares: tuple[float, float, float]
    named: bool = True  # a hosted model is named (else the mid tier is taken)
    figures: tuple[str, ...] = ()  # the catalogue keys it read

    def sentence(self, horizon_months: int) -> str:
        slow, fast = self.per_year_range
        guessed = " (placed there by its price)" if self.tier_guessed else ""
        if not self.named:
            guessed = " (no hosted model is named: the workhorse tier is taken)"
        return (
            f"the price of {self.tier}-tier capability{guessed} falls {self.per_year:g}x a year "
            f"({slow:g}x to {fast:g}x), and moving every {self.switch_months:g} months to a "
            f"cheaper model of the same quality brings the API's average price over "
            f"{horizon_months} months to {numbers.share(self.shares[1])} of today's "
            f"({numbers.share(self.shares[0])} to {numbers.share(self.shares[2])})"
        )


@dataclass(frozen=True)
class Pricing:
    """How one option's bill is worked out; a plugin registers one per option it can cost.

    - ``bill(answers, catalogue, bound=None)`` gives an :class:`OptionCost` (or None when the
      option cannot be priced from these answers). ``answers`` holds exactly what ``reads`` names,
      questions (``section.id``) and facts alike; a value not given is None. An answer the bill
      needs and does not have goes in ``missing`` (no bill); one it can assume the least of goes in
      ``assumed``, with ``floor`` set (a bill that is only the least it could be).
    - ``routes``: where an option can be had more than one way (fine-tuning: on one's own GPUs, or
      by the hosted model's vendor), each way's bill by name; ``bill`` takes the cheaper and says
      which in ``OptionCost.route``, so the range and the break-even follow that way.
    - ``yardstick``: the bill the others are measured against, for the volume at which each
      meets it (the API's; one pricing at most).
    - ``break_even``: search the volume at which this bill meets the yardstick's.
    - ``decline(answers, catalogue, horizon_months)``: how the bill's prices fall over the horizon
      (the API's); without one the bill stays as it is today.
    - ``p95_ms(answers, catalogue, bill)``: the estimated 95th-percentile time of a call, when it
      is not the bill's own ``p95_latency_ms``.
    - ``figures(answers, catalogue, bill)``: catalogue keys read beyond the bill's lines (for an
      estimate of latency), listed among the figures a memo cites.
    - ``endpoint(answers, catalogue)``: the weights this option would run, on a hosted endpoint
      billed per call (an :class:`OpenEndpoint`): named beside the bill as a middle road.
    - ``weighed``: whether the economics rule weighs this bill against the others. Leave it set
      unless the bill counts something the others leave out (a product's price includes the
      building the API's bill does not count).
    """

    option: str
    bill: Bill
    reads: tuple[str, ...]
    routes: Mapping[str, Bill] = field(default_factory=dict)
    yardstick: bool = False
    break_even: bool = False
    decline: Callable[[Mapping[str, Any], Catalogue, int], Decline | None] | None = None
    p95_ms: Callable[[Mapping[str, Any], Catalogue, OptionCost], float | None] | None = None
    figures: Callable[[Mapping[str, Any], Catalogue, OptionCost], list[str]] | None = None
    endpoint: Callable[[Mapping[str, Any], Catalogue], OpenEndpoint | None] | None = None
    weighed: bool = True
    plugin: str = ""  # stamped by the registry

    def __post_init__(self) -> None:
        if not isinstance(self.option, str) or not self.option:
            raise ValueError("a Pricing needs the id of the option it prices")
        if not callable(self.bill):
            raise ValueError(f"Pricing for {self.option!r}: bill must be a function")
        object.__setattr__(self, "reads", tuple(self.reads))
        for key in self.reads:
            if not isinstance(key, str):
                raise ValueError(f"Pricing for {self.option!r}: reads must be names, got {key!r}")
        object.__setattr__(self, "routes", dict(self.routes))

    def inputs(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """What the bill is given: each answer and fact it reads, from ``values`` (None if absent)."""
        return {key: values.get(key) for key in self.reads}


@dataclass(frozen=True)
class OpenEndpoint:
    """The open model a team would host, served instead by a hosted endpoint (Groq, Together AI,
    Fireworks): the middle road between the API and self-hosting, on the same weights."""

    model: str  # the friendly id of the endpoint
    label: str
    usd_per_month: float
    others: tuple[tuple[str, float], ...] = ()  # the other endpoints found and their bills


@dataclass(frozen=True)
class Ages:
    """The oldest figure a decision's bills read, and those older than twelve months: each as
    (age in months, key, as of)."""

    oldest: tuple[int, str, str] | None
    stale: tuple[tuple[int, str, str], ...]

    def sentence(self) -> str:
        if self.oldest is None:
            return "no dated figure was used"
        months, key, as_of = self.oldest
        text = f"the oldest figure used is {months} months old ({key}, as of {as_of})"
        if self.stale:
            many = len(self.stale)
            text += (
                f"; {many} {'is' if many == 1 else 'are'} older than twelve months and may be "
                "off by a wide margin (advisor catalogue --stale lists them)"
            )
        return text
