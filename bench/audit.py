"""An audit of the decisions, not of their speed: a grid of answer sets with no hard constraint,
and how many picks break a principle outright.

Run ``.venv/bin/python bench/audit.py`` (``--json`` for a script). The grid crosses the stage, the
hosted and the open model's prompted results, four volumes, three team sizes, three sizes of
labelled set, two hosted models, the domain gap and the share of calls a small model answers
(not known, half, nearly all), with internal data, vendor terms accepted and
any residency, evals in place and an 8B open model. Each pick is held to what the principles say
whatever else is true (docs/principles.md):

- principle 1: at the idea or prototype stage, the API;
- principle 7: with nobody to run models, never self-hosting (nor fine-tuning, nor routing part
  of the calls to a small model of one's own);
- principles 3 and 4: with the hosted model not yet prompted, never fine-tuning nor routing;
- principle 3: with a hosted model that meets the bar and the API clearly cheaper over the year
  (its dear end below fine-tuning's cheap end), never fine-tuning;
- principles 5 and 10: routing only where its 12-month bill is wholly below the API's (its hard
  calls go to the API, so nothing but its bill can favour it over the API).
"""

from __future__ import annotations

import argparse
import collections
import itertools
import json
import os
import sys
import time
from typing import Any

os.environ["ADVISOR_PLUGINS"] = ""  # the built-in plugins alone

from advisor import build_registry, evaluate

STAGES = ("idea", "prototype", "mvp_live", "pmf_validated", "scaling")
RESULTS = ("not_tried", "fails_bar", "partially_meets_bar", "meets_bar")
VOLUMES = (1_000, 100_000, 10_000_000, 300_000_000)
TEAMS = (0, 1, 4)
LABELS = (0, 500, 20_000)
MODELS = ("gpt-6-luna", "gpt-6.1-terra")  # a small-tier and a mid-tier model of 2026
ROUTED = (None, 0.5, 0.95)  # the share of calls a small model answers at the bar
IN_HOUSE = ("self_host", "fine_tune", "hybrid")  # options that serve a model of the team's own
FIXED = {
    "privacy.data_class": "internal",
    "privacy.vendor_terms_ok": "yes",
    "privacy.residency": "any",
    "pmf.has_evals": True,
    "cost.open_model_size_b": 8,
}


def grid() -> list[dict[str, Any]]:
    out = []
    for stage, hosted, opened, volume, team, labels, model, gap, routed in itertools.product(
        STAGES, RESULTS, RESULTS, VOLUMES, TEAMS, LABELS, MODELS, (True, False), ROUTED
    ):
        out.append(
            {
                **FIXED,
                **({} if routed is None else {"scale.routed_share": routed}),
                "pmf.stage": stage,
                "pmf.prompting_result": hosted,
                "pmf.open_model_result": opened,
                "scale.requests_per_month": volume,
                "cost.ml_engineers": team,
                "pmf.labeled_examples": labels,
                "cost.api_model": model,
                "pmf.domain_gap": gap,
            }
        )
    return out


def breaks(answers: dict[str, Any], decision: Any) -> list[str]:
    """The principles this pick breaks outright."""
    pick = decision.recommendation
    found = []
    if answers["pmf.stage"] in ("idea", "prototype") and pick != "api":
        found.append("1: not the API before product-market fit")
    if answers["cost.ml_engineers"] == 0 and pick in IN_HOUSE:
        found.append("7: an in-house option with nobody to run models")
    if answers["pmf.prompting_result"] == "not_tried" and pick == "fine_tune":
        found.append("3, 4: fine-tuning before the hosted model was prompted")
    if answers["pmf.prompting_result"] == "not_tried" and pick == "hybrid":
        found.append("3, 4: routing before the hosted model was prompted")
    bills = decision.costs
    if pick == "hybrid" and not (
        bills is not None
        and bills.known("api")
        and bills.known("hybrid")
        and bills.horizon("hybrid")[2] < bills.horizon("api")[0]
    ):
        found.append("5, 10: routing where its bill is not clearly below the API's")
    if (
        answers["pmf.prompting_result"] == "meets_bar"
        and pick == "fine_tune"
        and bills is not None
        and bills.known("api")
        and bills.known("fine_tune")
        and bills.horizon("api")[2] < bills.horizon("fine_tune")[0]
    ):
        found.append("3: fine-tuning a model that meets the bar where the API is clearly cheaper")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    args = parser.parse_args(argv)
    registry = build_registry()
    answer_sets = grid()
    started = time.perf_counter()
    picks: collections.Counter[str] = collections.Counter()
    broken: collections.Counter[str] = collections.Counter()
    examples: dict[str, dict[str, Any]] = {}
    for answers in answer_sets:
        decision = evaluate(registry, answers, explore=False)
        picks[str(decision.recommendation)] += 1
        for why in breaks(answers, decision):
            broken[why] += 1
            examples.setdefault(why, answers)
    took = time.perf_counter() - started
    result = {
        "answer_sets": len(answer_sets),
        "picks": dict(picks),
        "breaks": dict(broken),
        "examples": examples,
        "seconds": round(took, 2),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{len(answer_sets):,} answer sets with no hard constraint, decided in {took:.1f} s")
    print("picks: " + ", ".join(f"{k} {v:,}" for k, v in sorted(picks.items())))
    if not broken:
        print("picks that break a principle outright: none")
    for why, count in broken.most_common():
        print(f"breaks principle {why}: {count:,} (for example {examples[why]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
