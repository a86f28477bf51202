"""The memo's view model: everything a template shows, worked out and formatted before rendering.

Templates only place what is here; they compute nothing. Every string that came from a user or a
plugin stays a plain string and is escaped by the template environment (HTML) or the Markdown
finalizer, never here.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from advisor.core.answers.memofile import dump_json, dump_yaml
from advisor.core.base import labels, numbers
from advisor.core.decision.engine import Decision
from advisor.core.decision.memoparts import MemoContext, MemoSection
from advisor.core.decision.rules import Finding, Rule

if TYPE_CHECKING:
    from advisor.core.answers.document import AnswersFile
    from advisor.core.answers.questionnaire import Question
    from advisor.core.decision.registry import Registry
    from advisor.costs.catalogue import Catalogue
    from advisor.costs.model import Costs

STATUSES = ("proposed", "accepted", "rejected", "deprecated", "superseded")
DEFAULT_TITLE = "How to adopt a large language model"


@dataclass(frozen=True)
class Reason:
    """One finding of one rule about one option, with the rule's code and source."""

    code: str
    title: str
    points: str  # "+2", "-3", "veto" or "note"
    because: str
    source: str
    plugin: str


@dataclass(frozen=True)
class OptionView:
    id: str
    label: str
    summary: str
    score: str  # "+4", "-5"
    status: str  # "recommended", "ranked 2 of 3", "ruled out"
    eliminated: bool
    pros: tuple[Reason, ...]
    cons: tuple[Reason, ...]
    vetoes: tuple[Reason, ...]
    notes: tuple[Reason, ...]
    holds: tuple[Reason, ...] = ()
    stage: Literal["", "constraint", "gate", "economics", "preference"] = ""  # "": chosen
    standing: str = ""  # that stage and why, in words
    split: str = ""  # "economics +2, preferences +3"


@dataclass(frozen=True)
class AnswerRow:
    qid: str
    section: str
    question: str  # the prompt, as people read it (advisor.core.base.labels.question)
    value: str  # the answer's label, "yes"/"no", a number with its unit
    state: Literal["answered", "assumed (default)", "unknown"]


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


@dataclass(frozen=True)
class RevisitView:
    date: str
    reason: str
    triggers: tuple[str, ...]


@dataclass(frozen=True)
class Citation:
    """A work the rules that fired cite, named once, with the codes of those rules and what any of
    them takes from it in particular."""

    text: str
    codes: tuple[str, ...]
    notes: tuple[tuple[str, str], ...] = ()  # (rule code, what it takes from the work)


@dataclass(frozen=True)
class FigureUse:
    """One catalogue figure a bill or an estimate read: its key, value and unit, and its date."""

    key: str
    value: str  # "0.39 USD per GPU-hour"
    as_of: str
    age: str  # "4 months old"; "" for a figure that does not age (a datasheet)
    stale: bool  # older than twelve months


@dataclass(frozen=True)
class FigureSource:
    """The figures that give the same source, under it once."""

    source: str
    figures: tuple[FigureUse, ...]


@dataclass(frozen=True)
class SourcesView:
    """Where each number and each rule of the memo came from, every source named once."""

    principles: tuple[tuple[int, tuple[str, ...]], ...]  # principle -> the rules citing it
    citations: tuple[Citation, ...]
    bills: tuple[FigureSource, ...]  # the figures the bills' lines used
    estimates: tuple[FigureSource, ...]  # the price trend, latencies and default range
    prices: tuple[str, ...]  # the hosted prices read, each with its day and source


@dataclass(frozen=True)
class SectionView:
    id: str
    title: str
    paragraphs: tuple[str, ...]
    items: tuple[str, ...]
    plugin: str


@dataclass(frozen=True)
class Memo:
    """One decision memo, ready to render."""

    title: str
    heading: str
    date: str
    status: str
    summary: str
    recommendation: str  # option id, or ""
    recommendation_label: str
    confidence: str
    confidence_reason: str
    first: tuple[Reason, ...]  # what holds the chosen option back: to do before anything else
    why: tuple[str, ...]  # paragraphs
    answered: str  # "14 of the 23 questions asked are answered": of the questions asked
    all_answered: bool  # every question asked under these answers is answered
    drivers: tuple[AnswerRow, ...]
    options: tuple[OptionView, ...]
    outcome: tuple[Reason, ...]  # the reasons for the option chosen, strongest first
    advice: tuple[Reason, ...]  # notes about the decision as a whole
    ruled_out: tuple[Reason, ...]  # the vetoes that removed the others
    costs: CostsView
    flips: tuple[str, ...]
    revisit: RevisitView
    consequences: tuple[SectionView, ...]
    appendix: tuple[SectionView, ...]
    assumed: tuple[AnswerRow, ...]
    unanswered: tuple[AnswerRow, ...]
    answers: tuple[AnswerRow, ...]
    sources: SourcesView
    problems: tuple[str, ...]
    versions: tuple[tuple[str, str], ...]
    rerun: tuple[str, str]  # the commands that re-run it and show what changed
    front_matter: dict[str, Any] = field(repr=False)
    charts: Any = field(default=None, repr=False)  # filled for HTML only

    @property
    def front_matter_yaml(self) -> str:
        return dump_yaml(self.front_matter)

    @property
    def front_matter_json(self) -> str:
        return dump_json(self.front_matter)


def _reason(item: Rule, finding: Finding) -> Reason:
    kind = finding.kind
    shown = numbers.points(finding.points) if kind == "points" else kind
    return Reason(item.code, item.title, shown, finding.because, item.source, item.plugin)


def _standing(decision: Decision, oid: str) -> str:
    opt = decision.options[oid]
    if oid == decision.recommendation:
        return _recommended(decision, oid)
    return opt.standing or f"ranked {decision.ranking.index(oid) + 1}"


def _recommended(decision: Decision, oid: str) -> str:
    holds = decision.options[oid].holds
    if not holds:
        return "recommended"
    return "recommended, once what holds it back is met: " + "; ".join(f.because for _, f in holds)


def _option_views(decision: Decision, registry: Registry) -> tuple[OptionView, ...]:
    order = [*decision.ranking, *(o for o in decision.options if o not in decision.ranking)]
    views = []
    total = len(decision.ranking)
    for oid in order:
        opt = decision.options[oid]
        pros = tuple(_reason(r, f) for r, f in opt.reasons if f.points > 0)
        split = (
            f"economics {numbers.points(opt.economics)}, "
            f"preferences {numbers.points(opt.preferences)}"
            if opt.score
            else ""
        )
        cons = tuple(_reason(r, f) for r, f in opt.reasons if f.points < 0)
        notes = tuple(_reason(r, f) for r, f in opt.reasons if f.kind == "note")
        if oid == decision.recommendation:
            status = "recommended"
        elif opt.eliminated:
            status = "ruled out"
        else:
            status = f"ranked {decision.ranking.index(oid) + 1} of {total}"
        plugin_option = registry.options.get(oid)
        views.append(
            OptionView(
                id=oid,
                label=opt.label,
                summary=plugin_option.summary if plugin_option else "",
                score=numbers.points(opt.score),
                status=status,
                eliminated=opt.eliminated,
                pros=pros,
                cons=cons,
                vetoes=tuple(_reason(r, f) for r, f in opt.vetoes),
                notes=notes,
                holds=tuple(_reason(r, f) for r, f in opt.holds),
                stage=opt.fell_at,
                standing=_standing(decision, oid),
                split=split,
            )
        )
    return tuple(views)


def _row(registry: Registry, decision: Decision, qid: str, cat: Catalogue) -> AnswerRow:
    resolved = decision.resolved
    if qid in resolved.answered:
        state: Literal["answered", "assumed (default)", "unknown"] = "answered"
    elif qid in resolved.assumed:
        state = "assumed (default)"
    else:
        state = "unknown"
    questions = registry.questions
    value = resolved.values.get(qid)
    shown = labels.value(questions, qid, value)
    q = questions.get(qid)
    hosted = q is not None and q.values_from == "hosted_models" and value is not None
    if hosted and q is not None and str(value) not in q.choice_values:
        # A model named outside the shortlist has no choice label: its own label, and the id.
        with contextlib.suppress(KeyError):
            shown = f"{cat.hosted_model(str(value)).label} ({value})"
    return AnswerRow(qid, qid.split(".", 1)[0], labels.question(questions, qid), shown, state)


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
            note = _needs(questions, bill.missing)
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


_PRINCIPLES = re.compile(r"^principles? [0-9, and]+ \(docs/principles\.md\)$")


def _parts(source: str) -> list[str]:
    """A rule's source split into the works it cites, at each "; " outside brackets."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(source):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        elif char == ";" and depth == 0 and source[i + 1 : i + 2] == " ":
            parts.append(source[start:i].strip())
            start = i + 2
    parts.append(source[start:].strip())
    return [p for p in parts if p]


def _note_of(part: str) -> tuple[str, str]:
    """A cited work and what the rule takes from it, when the part ends in a bracketed note after
    the work's own closing bracket: ``Essay (Radar, 2024) (BuzzFeed cut costs)``."""
    if not part.endswith(")"):
        return part, ""
    depth = 0
    for i in range(len(part) - 1, -1, -1):
        if part[i] == ")":
            depth += 1
        elif part[i] == "(":
            depth -= 1
            if depth == 0:
                work = part[:i].rstrip()
                if work.endswith(")") and i > 0:
                    return work, part[i + 1 : -1]
                return part, ""
    return part, ""


def _rule_sources(
    decision: Decision,
) -> tuple[tuple[tuple[int, tuple[str, ...]], ...], tuple[Citation, ...]]:
    """The principles and the works the rules that fired cite, each once with the rules' codes."""
    principles: dict[int, list[str]] = {}
    works: dict[str, tuple[list[str], list[tuple[str, str]]]] = {}
    for result in decision.results:
        if not result.fired:
            continue
        rule = result.rule
        for number in rule.principles:
            codes = principles.setdefault(number, [])
            if rule.code not in codes:
                codes.append(rule.code)
        for part in _parts(rule.source):
            if rule.principles and _PRINCIPLES.match(part):
                continue  # named under the principles, from the rule's own list
            work, note = _note_of(part)
            codes, notes = works.setdefault(work, ([], []))
            if rule.code not in codes:
                codes.append(rule.code)
            if note:
                notes.append((rule.code, note))
    return (
        tuple((n, tuple(sorted(c))) for n, c in sorted(principles.items())),
        tuple(Citation(w, tuple(sorted(c)), tuple(sorted(n))) for w, (c, n) in works.items()),
    )


def _figure_sources(keys: Iterable[str], cat: Catalogue, today: date) -> tuple[FigureSource, ...]:
    """The figures, grouped under their sources (a source many figures give is named once), in
    the order of their keys."""
    groups: dict[str, list[FigureUse]] = {}
    on = today.isoformat()
    for key in sorted(keys):
        fig = cat.figures.get(key)
        if fig is None:
            continue
        unit = f" {fig.unit}" if fig.unit else ""
        months = fig.age_months(on)
        age = "" if fig.fixed or months < 1 else f"{months} month{'' if months == 1 else 's'} old"
        shown = f"{fig.value:,.10g}{unit}"  # the figure exactly as the catalogue holds it
        groups.setdefault(fig.source, []).append(
            FigureUse(key, shown, fig.as_of, age, fig.stale(on))
        )
    return tuple(FigureSource(source, tuple(figs)) for source, figs in groups.items())


def _sources(decision: Decision, found: Costs | None, cat: Catalogue, today: date) -> SourcesView:
    principles, citations = _rule_sources(decision)
    if found is None:
        return SourcesView(principles, citations, (), (), ())
    used, more = found.figures_used()
    prices: list[str] = []
    models = [decision.resolved.values.get("cost.api_model")]
    if found.open_endpoint is not None:
        models.append(found.open_endpoint.model)
    for model in dict.fromkeys(str(m) for m in models if m):
        try:
            price = cat.hosted_price(model)
        except KeyError:
            continue
        prices.append(
            f"{price.model.label} ({model}): ${price.input_usd_per_mtok:g} in, "
            f"${price.output_usd_per_mtok:g} out per million tokens (US dollars, list prices), "
            f"as of {price.as_of}: {price.source}"
        )
    return SourcesView(
        principles,
        citations,
        _figure_sources(used, cat, today),
        _figure_sources(more, cat, today),
        tuple(prices),
    )


def build_memo(
    decision: Decision,
    registry: Registry,
    answers: AnswersFile,
    catalogue: Catalogue,
    *,
    today: date,
    status: str = "proposed",
    memo_path: str = "",
    charts: bool = False,
) -> Memo:
    """The memo for one decision, dated ``today`` (which also dates the revisit)."""
    from advisor.core.answers.document import answers_data
    from advisor.core.answers.memofile import current_versions
    from advisor.core.exploration.confidence import judge
    from advisor.core.exploration.revisit import revisit

    found, error = decision.costs, decision.cost_error
    found_flips = decision.flips or []
    questions = registry.questions
    # Worked out again for the memo's day (which may not be the evaluation's), in words: the
    # questions by their prompts and the options by their labels.
    when = revisit(decision, today, questions=questions, options=decision.options)
    # The same confidence, its reason in words.
    because = judge(decision, questions=questions, options=decision.options).reason
    rec = decision.recommendation
    label = decision.options[rec].label if rec else ""
    option_labels = {oid: o.label for oid, o in decision.options.items()}
    context = MemoContext(decision, found, option_labels)
    sections, section_faults = registry.memo_sections(context)
    title = answers.title or DEFAULT_TITLE
    if rec:
        heading = f"{title}: {label[0].lower()}{label[1:]}"
        summary = (
            f"Recommendation: {label} ({rec}), with {decision.confidence} confidence ({because})."
        )
    else:
        heading = f"{title}: no option can be recommended"
        summary = "No option can be recommended: every option is ruled out by a hard constraint."
    fired_reads = registry.inputs_of(r for res in decision.fired for r in res.rule.reads)
    resolved = decision.resolved
    drivers = tuple(
        _row(registry, decision, qid, catalogue)
        for qid in questions
        if qid in fired_reads and resolved.values.get(qid) is not None
    )
    # The questions asked under these answers (a question whose visible_if these answers do not
    # meet is not asked): the count, the assumptions and the open questions are all of them.
    asked = [qid for qid, q in questions.items() if q.is_visible(resolved.values)]
    given = [qid for qid in asked if qid in resolved.answered]
    assumed = [qid for qid in asked if qid in resolved.assumed]
    open_questions = [qid for qid in asked if qid in resolved.unknown]
    outcome: tuple[Reason, ...] = ()
    if rec:
        mine = decision.options[rec].reasons
        ranked = sorted(mine, key=lambda rf: (-rf[1].points, rf[0].code))
        outcome = tuple(_reason(r, f) for r, f in ranked if f.points > 0)
    ruled_out = tuple(_reason(r, f) for o in decision.options.values() for r, f in o.vetoes)
    advice = tuple(
        _reason(res.rule, f) for res in decision.results for f in res.findings if f.option is None
    )
    problems = tuple(
        f.render() for f in (*registry.faults, *decision.faults, *section_faults) if not f.timing
    )
    versions = current_versions(registry, catalogue)
    answers_block = answers_data(answers, registry)
    front = {
        "status": status,
        "date": today.isoformat(),
        "advisor": {
            "recommendation": rec,
            "confidence": decision.confidence,
            "revisit": when.date.isoformat(),
            "versions": versions,
            **answers_block,
        },
    }
    version_rows = [
        ("advisor", versions["advisor"]),
        ("price data", f"{versions['prices']}, prices as of {versions['price_date']}"),
    ]
    version_rows += [(f"plugin {k}", v) for k, v in versions["plugins"].items()]
    return Memo(
        title=title,
        heading=heading,
        date=today.isoformat(),
        status=status,
        summary=summary,
        recommendation=rec or "",
        recommendation_label=label,
        confidence=decision.confidence,
        confidence_reason=because,
        first=tuple(_reason(r, f) for r, f in decision.options[rec].holds) if rec else (),
        why=_paragraphs(answers.why or ""),
        answered=f"{len(given)} of the {len(asked)} questions asked are answered",
        all_answered=len(given) == len(asked),
        drivers=drivers,
        options=_option_views(decision, registry),
        outcome=outcome,
        advice=advice,
        ruled_out=ruled_out,
        costs=_costs_view(found, error, decision, catalogue, today, questions),
        flips=tuple(f.describe(questions, decision.options) for f in found_flips),
        revisit=RevisitView(when.date.isoformat(), when.reason, tuple(when.triggers)),
        consequences=tuple(_section(s) for s in sections if s.place == "consequences"),
        appendix=tuple(_section(s) for s in sections if s.place == "more_information"),
        assumed=tuple(_row(registry, decision, q, catalogue) for q in assumed),
        unanswered=tuple(_row(registry, decision, q, catalogue) for q in open_questions),
        answers=tuple(_row(registry, decision, q, catalogue) for q in resolved.answered),
        sources=_sources(decision, found, catalogue, today),
        problems=problems,
        versions=tuple(version_rows),
        rerun=(
            f"advisor recommend {memo_path or 'MEMO'}",
            f"advisor memo {memo_path or 'MEMO'} -o NEW.md && advisor diff {memo_path or 'MEMO'} NEW.md",
        ),
        front_matter=front,
        charts=_charts(decision, registry, catalogue, found) if charts else None,
    )


def _charts(
    decision: Decision, registry: Registry, catalogue: Catalogue, found: Costs | None
) -> Any:
    from advisor.memo.charts import build_charts

    return build_charts(decision, registry, catalogue, found)


def _paragraphs(text: str) -> tuple[str, ...]:
    """Free text split at blank lines, each paragraph on one line."""
    blocks = re.split(r"\n\s*\n", text.strip())
    return tuple(" ".join(b.split()) for b in blocks if b.strip())


def _section(section: MemoSection) -> SectionView:
    return SectionView(section.id, section.title, section.paragraphs, section.items, section.plugin)
