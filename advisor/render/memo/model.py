"""The memo's view model: everything a template shows, worked out and formatted before rendering.

Templates only place what is here; they compute nothing. Every string that came from a user or a
plugin stays a plain string and is escaped by the template environment (HTML) or the Markdown
finalizer, never here.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from advisor.core.answers.memofile import dump_json, dump_yaml
from advisor.core.base import labels, numbers
from advisor.core.decision.engine import Decision
from advisor.core.decision.memoparts import MemoContext, MemoSection
from advisor.core.decision.rules import Finding, Rule
from advisor.render.memo.costs import CostsView, _costs_view
from advisor.render.memo.sources import SourcesView, _sources

if TYPE_CHECKING:
    from advisor.core.answers.document import AnswersFile
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
class RevisitView:
    date: str
    reason: str
    triggers: tuple[str, ...]


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
    plan: tuple[str, ...]  # today's step, then each step after it with what starts it
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
    source: str = "",
) -> Memo:
    """The memo for one decision, dated ``today`` (which also dates the revisit). ``source``: the
    answers file the team keeps, relative to the memo's folder, for `advisor log` to check the
    plan against ("" for none)."""
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
            **({"source": source} if source else {}),
            "plan": _plan_front(decision),
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
        plan=_plan_view(decision, questions),
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
    from advisor.render.memo.charts import build_charts

    return build_charts(decision, registry, catalogue, found)


def _paragraphs(text: str) -> tuple[str, ...]:
    """Free text split at blank lines, each paragraph on one line."""
    blocks = re.split(r"\n\s*\n", text.strip())
    return tuple(" ".join(b.split()) for b in blocks if b.strip())


def _section(section: MemoSection) -> SectionView:
    return SectionView(section.id, section.title, section.paragraphs, section.items, section.plugin)


def _plan_view(decision: Decision, questions: Mapping[str, Any]) -> tuple[str, ...]:
    if decision.plan is None:
        return ()
    from advisor.core.base.labels import Words

    said = decision.plan.describe(Words(questions, decision.options))
    return tuple(text[:1].upper() + text[1:] for text in said)


def _plan_front(decision: Decision) -> list[dict[str, Any]]:
    """The steps after today's, for the front matter, questions and options by id, with their
    triggers as data: what `advisor log` shows as the next step, and checks for the step due."""
    if decision.plan is None:
        return []
    from advisor.core.base.labels import Words

    return decision.plan.record(Words())
