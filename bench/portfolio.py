"""A portfolio of decisions: `advisor check` over thousands of answers files, as a team with one
file per product (or a CI job over a grid) runs it.

The files are the worked cases and the built-in examples, each written many times (a seventh as
JSON) with its `expect:` kept, in a temporary folder; a share of them is broken on purpose (a wrong
value, a repeated key), so the careful reader that names the line is exercised too. With
``--vary`` each copy also has its numbers moved (requests, tokens, labelled examples, the latency
budget), so that no two files cost the same and every bill is worked out afresh: the harder case,
where evaluation rather than reading is most of the time. The figure is the wall time of one
`advisor check FOLDER` in a fresh process, start-up included, the best of ``--runs``; beside it,
in process, what reading one file costs with each reader.

    .venv/bin/python bench/portfolio.py                 # 10,000 files, as `advisor check` runs
    .venv/bin/python bench/portfolio.py --jobs 1        # in one process
    .venv/bin/python bench/portfolio.py --vary --count 2000 --runs 1
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_SECONDS = 10.0  # for 10,000 files (issue 16)
BROKEN_SHARE = 0.02  # files made wrong on purpose
NUMBERS = (
    ("scale", "requests_per_month"),
    ("scale", "input_tokens_per_request"),
    ("scale", "output_tokens_per_request"),
    ("pmf", "labeled_examples"),
    ("scale", "latency_p95_ms"),
)


def sources() -> list[dict]:
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe")
    paths = sorted((ROOT / "tests" / "cases").glob("*.yaml"))
    paths += sorted((ROOT / "advisor" / "examples").glob("*.yaml"))
    return [yaml.load(p.read_text(encoding="utf-8")) for p in paths]


def write_portfolio(folder: Path, count: int, seed: int, vary: bool) -> int:
    """``count`` answers files in ``folder``; returns how many were broken on purpose."""
    rng = random.Random(seed)
    bases = sources()
    broken = 0
    for i in range(count):
        doc = json.loads(json.dumps(bases[i % len(bases)]))  # a deep copy of plain data
        answers = doc.setdefault("answers", {})
        for section, question in NUMBERS if vary else ():
            given = answers.get(section, {}).get(question)
            if isinstance(given, int | float) and not isinstance(given, bool):
                answers[section][question] = max(1, round(given * rng.uniform(0.5, 2.0)))
        text = json.dumps(doc, indent=2) if i % 7 == 0 else _yaml(doc)
        suffix = ".json" if i % 7 == 0 else ".yaml"
        if rng.random() < BROKEN_SHARE:
            broken += 1
            text = (
                text.replace('"stage": "', '"stage": "no_such_')
                if suffix == ".json"
                else (text + "title: again\n")
            )
        (folder / f"product-{i:05d}{suffix}").write_text(text, encoding="utf-8")
    return broken


def _yaml(doc: dict) -> str:
    import io

    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()


def time_check(folder: Path, runs: int, jobs: int | None) -> tuple[float, str]:
    """The best wall time of `advisor check FOLDER --jobs N` in a fresh process, and its last
    line."""
    env = dict(os.environ, ADVISOR_PLUGINS="", NO_COLOR="1")
    best, last = float("inf"), ""
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "advisor",
                "check",
                *([] if jobs is None else ["--jobs", str(jobs)]),
                str(folder),
            ],
            capture_output=True,
            text=True,
            env=env,
        )
        best = min(best, time.perf_counter() - started)
        last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-200:]
    return best, last


def per_file(folder: Path, sample: int = 200) -> dict[str, float]:
    """Milliseconds to read one file of the portfolio with each reader, and to check it."""
    from advisor import build_registry
    from advisor.core.answers.document import load_answers
    from advisor.core.records.cases import check_case
    from advisor.errors import InputError

    registry = build_registry()
    files = sorted(folder.iterdir())[:sample]
    out = {}
    for name, fast in (("careful reader", False), ("quick reader", True)):
        started = time.perf_counter()
        for path in files:
            with contextlib.suppress(InputError):
                load_answers(path, registry, fast=fast)
        out[name] = (time.perf_counter() - started) / len(files) * 1000
    loaded = []
    for path in files:
        with contextlib.suppress(InputError):
            loaded.append(load_answers(path, registry, fast=True))
    started = time.perf_counter()
    for answers in loaded:
        check_case(answers, registry, registry.catalogue)
    out["evaluation"] = (time.perf_counter() - started) / len(loaded) * 1000
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=10_000, help="answers files (10,000)")
    parser.add_argument("--runs", type=int, default=3, help="runs of the command (best kept)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--vary", action="store_true", help="move each copy's numbers")
    parser.add_argument("--jobs", type=int, help="`advisor check --jobs N` (default: not given)")
    args = parser.parse_args()
    os.environ["ADVISOR_PLUGINS"] = ""
    with tempfile.TemporaryDirectory(prefix="advisor-portfolio-") as tmp:
        folder = Path(tmp)
        broken = write_portfolio(folder, args.count, args.seed, args.vary)
        seconds, summary = time_check(folder, args.runs, args.jobs)
        costs = per_file(folder)
    goal = GOAL_SECONDS * args.count / 10_000
    verdict = "met" if seconds <= goal else "MISSED"
    kind = "each with its numbers moved" if args.vary else "copies of the cases"
    print(
        f"advisor check{'' if args.jobs is None else f' --jobs {args.jobs}'} on {args.count:,} files ({kind}; {broken} broken on "
        f"purpose): {seconds:.2f} s"
    )
    print(f"  goal: <= {goal:.1f} s: {verdict}; the command said: {summary}")
    for name, ms in costs.items():
        print(f"  one file, {name}: {ms:.3f} ms")
    return 0 if verdict == "met" else 1


if __name__ == "__main__":
    sys.exit(main())
