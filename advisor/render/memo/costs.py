"""The cost part of the memo's view model: each option's bill as a row, the break-even volumes, and
the heading and notes above them, in words and in the user's currency."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from advisor.core.base import labels, numbers
from advisor.core.decision.engine import Decision

if TYPE_CHECKING:
    from advisor.core.answers.questionnaire import Question
    from advisor.costs.catalogue import Catalogue
    from advisor.costs.model import Costs


@dataclass(frozen=True)
class CostRow:
    option: str
    label: str
    monthly: str
    per_mtok: str
    horizon: str
    horizon_range: str
    gpus: str
    utilisation: str
    p95: str
    note: str  # the route taken, or the answers it still needs


@dataclass(frozen=True)
class BreakEvenRow:
    option: str
    label: str
    today: str
    horizon: str

    @property
    def said(self) -> str:
        """Both in one line, and once when they are the same (a bill that waits for an answer)."""
        if self.today == self.horizon:
            return f"today and over the horizon, {self.today}"
        return f"today, {self.today}; over the horizon, {self.horizon}"


@dataclass(frozen=True)
class CostsView:
    heading: str
    rows: tuple[CostRow, ...]
    break_even: tuple[BreakEvenRow, ...]
    volume: str
    price_date: str
    error: str  # why no costs were worked out, or ""
    notes: tuple[str, ...] = ()  # retired models, price changes, a hosted open endpoint
    ages: str = ""  # how old the figures are, in a sentence
    stale: bool = False  # some figure is older than twelve months


def _asked(questions: Mapping[str, Question], qid: str) -> str:
    """A question named in a sentence: its prompt in quotes (the id of one the registry lacks)."""
    q = questions.get(qid)
    return f'"{q.prompt}"' if q is not None else qid


def _needs(questions: Mapping[str, Question], qids: list[str] | tuple[str, ...]) -> str:
    """What a bill still needs, in words: the answers to the questions, by their prompts."""
    named = [_asked(questions, q) for q in dict.fromkeys(qids)]
    if len(named) == 1:
        return f"needs the answer to {named[0]}"
    return f"needs the answers to {', '.join(named[:-1])} and {named[-1]}"


ROUTES = {
    "vendor": "tuned and served by the hosted model's vendor",
    "self-hosted": "tuned and served on your own GPUs",
}


def _costs_view(
    found: Costs | None,
    error: str | None,
    decision: Decision,
    cat: Catalogue,
    today: date,
    questions: Mapping[str, Question],
) -> CostsView:
    volume = decision.resolved.values.get("scale.requests_per_month")
    shown_volume = "unknown" if volume is None else f"{volume:,.0f} calls a month"
    if found is None:
        return CostsView("", (), (), shown_volume, cat.price_date, error or "no cost model")
    rows = []
    for oid, bill in found.options.items():
        label = decision.options[oid].label if oid in decision.options else oid
        gpus = (
            "-"
            if not bill.gpus
            else f"{numbers.number(round(bill.gpus, 1))} x {(bill.gpu or '').upper()} "
            f"({numbers.number(round(bill.replicas or 0, 2))} replicas of {bill.gpus_per_replica})"
        )
        use = numbers.share(bill.utilisation)
        p95 = found.p95_latency_ms.get(oid)
        if bill.missing:
            hint = bill.hinted(decision)
            note = _needs(questions, bill.missing) + (f"; {hint}" if hint else "")
        elif bill.floor:
            taken = ", ".join(
                f"{labels.value(questions, k, v)} taken for {_asked(questions, k)}"
                for k, v in bill.assumed.items()
            )
            verb = "it is" if len(bill.assumed) == 1 else "they are"
            note = f"at least: {taken}, as {verb} not answered"
        else:
            note = ROUTES.get(bill.route, f"route: {bill.route}") if bill.route else ""
        span = found.horizon(oid)
        monthly = cat.money(bill.usd_per_month)
        rows.append(
            CostRow(
                option=oid,
                label=label,
                monthly=f"at least {monthly}" if bill.floor else monthly,
                per_mtok=cat.money(bill.usd_per_mtok),
                horizon=("at least " if bill.floor else "") + cat.money(found.horizon_usd[oid]),
                horizon_range="-" if span is None else cat.money_range(span[0], span[2]),
                gpus=gpus,
                utilisation=use,
                p95="-" if p95 is None else f"{p95:,.0f} ms",
                note=note,
            )
        )
    breaks = []
    for oid in found.break_even_requests:
        label = decision.options[oid].label if oid in decision.options else oid
        now = found.break_even_requests[oid]
        later = found.break_even_requests_horizon[oid]
        unknown = [
            *found.options["api"].missing,
            *found.options[oid].missing,
            *found.options[oid].assumed,
        ]
        shown: tuple[str, ...]
        if unknown:
            shown = (f"not worked out ({_needs(questions, unknown)})",) * 2
        else:
            shown = tuple(
                "never: the API stays cheaper at any volume"
                if x is None
                else f"{numbers.count(x)} calls a month"
                for x in (now, later)
            )
        breaks.append(BreakEvenRow(oid, label, shown[0], shown[1]))
    falling = (
        f"; over the horizon {found.falling.sentence(found.horizon_months)}"
        if found.falling is not None
        else ""
    )
    heading = (
        f"A month and over {found.horizon_months} months{falling}. Each range puts every figure "
        f"at its cheap end, then at its dear end. Hosted prices as of {cat.price_date}, amounts "
        f"in {cat.currency.code}."
    )
    notes = list(dict.fromkeys(n for bill in found.options.values() for n in bill.notes))
    road = found.open_endpoint
    if road is not None:
        notes.append(
            f"The open model on a hosted endpoint instead: {road.label}, "
            f"{cat.money(road.usd_per_month)} a month; the same weights with no GPUs to run, a "
            f"step toward hosting them yourself (answer {road.model} to "
            f"{_asked(questions, 'cost.api_model')} to weigh it as the API)."
        )
    ages = found.ages(today.isoformat())
    return CostsView(
        heading,
        tuple(rows),
        tuple(breaks),
        shown_volume,
        cat.price_date,
        "",
        tuple(notes),
        ages.sentence()[0].upper() + ages.sentence()[1:] + ".",
        bool(ages.stale),
    )
