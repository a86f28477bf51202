"""Benchmarks for the advisor: in-process evaluation, registry and answers loading, and cold start.

Run ``.venv/bin/python bench/run.py`` (``--quick`` for fewer repetitions, ``--json`` for results a
script can read). No benchmark library is needed: timings come from ``time.perf_counter``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import gc
import importlib.metadata
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import advisor
from advisor import Registry, build_registry, evaluate, get_plugin_manager, load_answers
from advisor.core.answers.schema import answers_model

ROOT = Path(__file__).resolve().parent.parent
# The built-in plugins alone, whatever else is installed (the example plugin, say).
os.environ["ADVISOR_PLUGINS"] = ""
ANSWERS = ROOT / "tests" / "cases" / "media-tagging-at-scale.yaml"
BASELINE_IMPORT = "import pydantic, pluggy, click"
SYNTHETIC_RULES = 1_000
LIBRARIES = ("pydantic", "pydantic-core", "pluggy", "click", "ruamel.yaml", "ruamel.yaml.clib")
SEED = 20_240_601  # fixed, so every run generates the same synthetic rules

# Run in a fresh process by ``--breakdown``: what `advisor recommend FILE --format json` does, step
# by step, each step timed. Prints {step: seconds} as JSON.
PHASES_SCRIPT = """
import time
t = [time.perf_counter()]
import pydantic, pluggy, click
t.append(time.perf_counter())
from pydantic import BaseModel
t.append(time.perf_counter())
import json, sys
import advisor.cli
from advisor.core.answers.document import load_answers
from advisor.core.answers.schema import answers_model
from advisor.core.evaluation import evaluate
from advisor.plugins import build_registry, get_plugin_manager
t.append(time.perf_counter())
pm = get_plugin_manager()
t.append(time.perf_counter())
registry = build_registry(pm)
t.append(time.perf_counter())
answers_model(registry)
t.append(time.perf_counter())
answers = load_answers(sys.argv[1], registry)
t.append(time.perf_counter())
decision = evaluate(registry, answers.values)
t.append(time.perf_counter())
from advisor.render.contract import decision_json
json.dumps(decision_json(decision, registry, answers), indent=2, ensure_ascii=False, default=str)
t.append(time.perf_counter())
steps = [
    "import pydantic, pluggy, click (lazy pydantic)",
    "from pydantic import BaseModel",
    "import advisor.cli (ruamel.yaml, importlib.metadata, the models)",
    "get_plugin_manager(): entry points, rule packs and their examples",
    "build_registry(): questionnaires validated, rules checked",
    "answers_model(): the pydantic model of the answers file",
    "load_answers(): round-trip YAML and validation",
    "evaluate(), explore=True as the command does",
    "decision_json() and json.dumps()",
]
print(json.dumps({s: b - a for s, a, b in zip(steps, t, t[1:])}))
"""

# Goals from the issue, in seconds (or a plain ratio for the cold start).
GOAL_EVALUATE = 200e-6
GOAL_EVALUATE_1000 = 5e-3
GOAL_COLD_RATIO = 1.5
GOAL_HELP_RATIO = 1.5  # advisor --help against python -c "import click"
GOAL_FLIPS = 50e-3
GOAL_SWEEP = 100e-3
GOAL_MEMO_MD = 20e-3


@dataclasses.dataclass
class Result:
    """One benchmark's figures: per-call times in seconds (or a ratio), with its goal if it has one."""

    key: str
    label: str
    unit: str  # "s" for times, "x" for ratios
    median: float
    minimum: float
    q1: float
    q3: float
    samples: int
    loops: int
    goal: float | None = None
    note: str = ""

    @property
    def met(self) -> bool | None:
        """Whether the median is under the goal; None when there is no goal."""
        return None if self.goal is None else self.median < self.goal


def summarise(
    key: str, label: str, times: Sequence[float], loops: int, unit: str = "s", **extra: Any
) -> Result:
    """Median, minimum and quartiles of a list of per-call times."""
    ordered = sorted(times)
    if len(ordered) >= 2:
        q1, _, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
    else:
        q1 = q3 = ordered[0]
    return Result(
        key=key,
        label=label,
        unit=unit,
        median=statistics.median(ordered),
        minimum=ordered[0],
        q1=q1,
        q3=q3,
        samples=len(ordered),
        loops=loops,
        **extra,
    )


def calibrate(func: Callable[[], Any], target: float) -> int:
    """How many calls of ``func`` take at least ``target`` seconds (after a first warm-up call)."""
    func()
    loops = 1
    while True:
        start = time.perf_counter()
        for _ in range(loops):
            func()
        if time.perf_counter() - start >= target:
            return loops
        loops *= 2


def time_calls(
    func: Callable[[], Any], *, samples: int, target: float = 0.02, warmup: int = 3
) -> tuple[list[float], int]:
    """Per-call times of ``func``: ``samples`` timed batches, each about ``target`` seconds long.

    The garbage collector is paused while a batch runs (as ``timeit`` does) and run between batches.
    """
    loops = calibrate(func, target)
    for _ in range(warmup):
        func()
    times = []
    for _ in range(samples):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            for _ in range(loops):
                func()
            times.append((time.perf_counter() - start) / loops)
        finally:
            gc.enable()
    return times, loops


def time_with_setup(
    setup: Callable[[], Any], func: Callable[[Any], Any], *, samples: int, warmup: int = 3
) -> list[float]:
    """Per-call times of ``func(setup())``, one call a sample, timing only ``func``."""
    for _ in range(warmup):
        func(setup())
    times = []
    for _ in range(samples):
        arg = setup()
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            func(arg)
            times.append(time.perf_counter() - start)
        finally:
            gc.enable()
    return times


# --- the synthetic plugin ------------------------------------------------------------------------


Test = Callable[[Any], bool]


def one_of(allowed: frozenset[str]) -> Test:
    """A test that the value is one of ``allowed``."""
    return lambda value: value in allowed


def any_of(wanted: frozenset[str]) -> Test:
    """A test that a list of values (a multi-choice answer) holds any of ``wanted``."""
    return lambda value: value is not None and not wanted.isdisjoint(value)


def equal_to(flag: bool) -> Test:
    """A test that a yes/no answer is ``flag`` (an unknown answer is neither)."""
    return lambda value: value is flag


def at_least(limit: float) -> Test:
    """A test that a number is known and at least ``limit``."""
    return lambda value: value is not None and value >= limit


def below(limit: float) -> Test:
    """A test that a number is known and below ``limit``."""
    return lambda value: value is not None and value < limit


def _conditions(registry: Registry) -> list[tuple[str, str, Test]]:
    """Every condition a synthetic rule may test: (what it reads, how it reads in words, the test)."""
    rng = random.Random(SEED)
    out: list[tuple[str, str, Test]] = []

    def subset(values: Sequence[str]) -> frozenset[str]:
        """Some of ``values``: at least one, and not all of them when there are several."""
        return frozenset(rng.sample(list(values), rng.randint(1, max(1, len(values) - 1))))

    for qid, q in registry.questions.items():
        for _ in range(3):  # a few different conditions per question
            if q.type == "choice":
                allowed = subset(q.choice_values)
                out.append((qid, f"{qid} in {sorted(allowed)}", one_of(allowed)))
            elif q.type == "multi_choice":
                wanted = subset(q.choice_values)
                out.append((qid, f"{qid} includes any of {sorted(wanted)}", any_of(wanted)))
            elif q.type == "bool":
                flag = rng.random() < 0.5
                out.append((qid, f"{qid} is {flag}", equal_to(flag)))
            elif q.type in ("int", "number"):
                limit = rng.choice([float(p) for p in q.probe] or [1.0, 3.0, 8.0, 70.0])
                if rng.random() < 0.5:
                    out.append((qid, f"{qid} >= {limit:g}", at_least(limit)))
                else:
                    out.append((qid, f"{qid} < {limit:g}", below(limit)))
    bands = ("low", "medium", "high")
    ladder = ("not_tried", "fails_bar", "partially_meets_bar", "meets_bar")
    for _ in range(6):  # derived facts are read often, as the built-in rules do
        if "volume_band" in registry.facts:
            allowed = subset(bands)
            out.append(("volume_band", f"volume_band in {sorted(allowed)}", one_of(allowed)))
        if "best_prompted_result" in registry.facts:
            allowed = subset(ladder)
            out.append(
                (
                    "best_prompted_result",
                    f"best_prompted_result in {sorted(allowed)}",
                    one_of(allowed),
                )
            )
        if "tokens_per_month" in registry.facts:
            limit = rng.choice((1e7, 1e8, 1e9, 1e10))
            out.append(("tokens_per_month", f"tokens_per_month >= {limit:g}", at_least(limit)))
    return out


def make_synthetic_rules(registry: Registry, count: int = SYNTHETIC_RULES) -> list[advisor.Rule]:
    """``count`` rules over the built-in questions and facts: mostly points, some vetoes and notes.

    Each rule tests one or two conditions (both must hold). Whether a rule fires depends on the
    answers, so some fire and the rest stay quiet; vetoes test two conditions, so few fire.
    """
    rng = random.Random(SEED + 1)
    conditions = _conditions(registry)
    options = list(registry.options)
    rules = []
    for i in range(count):
        roll = rng.random()
        kind = "veto" if roll < 0.02 else "note" if roll < 0.09 else "points"
        picked = rng.sample(conditions, 2 if kind == "veto" or rng.random() < 0.4 else 1)
        tests = tuple((key, test) for key, _, test in picked)
        when = " and ".join(words for _, words, _ in picked)
        findings: tuple[tuple[Callable[..., advisor.Finding], tuple[Any, ...]], ...]
        if kind == "points":
            findings = tuple(
                (advisor.points, (option, rng.choice((-3, -2, -1, 1, 2, 3))))
                for option in rng.sample(options, rng.randint(1, len(options)))
            )
        elif kind == "veto":
            findings = ((advisor.veto, (rng.choice(options),)),)
        else:
            findings = ((advisor.note, (rng.choice([*options, None]),)),)

        def check(
            facts: advisor.Facts,
            _tests: tuple[tuple[str, Test], ...] = tests,
            _findings: tuple[
                tuple[Callable[..., advisor.Finding], tuple[Any, ...]], ...
            ] = findings,
            _when: str = when,
        ) -> list[advisor.Finding] | None:
            """The rule's rationale; replaced below by one naming the rule's conditions."""
            for key, test in _tests:
                if not test(facts[key]):
                    return None
            return [make(*args, f"synthetic: {_when}") for make, args in _findings]

        check.__doc__ = f"Synthetic rule {i} for the benchmark: fires when {when}."
        named = {o for _make, args in findings for o in args[:1] if isinstance(o, str)}
        rules.append(
            advisor.rule(
                f"BENCH{i:04d}",
                f"Synthetic rule {i}",
                source="bench/run.py (generated)",
                reads=sorted({key for key, _ in tests}),
                fires_when=when,
                options=sorted(named),
            )(check)
        )
    return rules


class SyntheticRules:
    """A plugin object whose ``advisor_rules`` hook registers generated rules."""

    def __init__(self, rules: list[advisor.Rule]):
        """Keep the rules to register."""
        self.rules = rules

    @advisor.hookimpl
    def advisor_rules(self, register: Callable[[Any], None]) -> None:
        """Register every generated rule."""
        for item in self.rules:
            register(item)


# --- the benchmarks ------------------------------------------------------------------------------


def bench_in_process(samples: int) -> tuple[list[Result], dict[str, Any]]:
    """Evaluation (with the built-in rules and with 1,000 more), registry build and answers loading."""
    registry = build_registry()
    if registry.faults:
        raise SystemExit(
            "the built-in registry has faults: " + "; ".join(f.render() for f in registry.faults)
        )
    answers = load_answers(ANSWERS, registry)
    values = answers.values
    results = []
    info: dict[str, Any] = {"built_in_rules": len(registry.rules)}

    def run(key: str, label: str, func: Callable[[], Any], **extra: Any) -> None:
        """Time ``func`` and keep its figures."""
        times, loops = time_calls(func, samples=samples)
        results.append(summarise(key, label, times, loops, **extra))

    run(
        "evaluate",
        f"evaluate(), {len(registry.rules)} built-in rules, explore=False",
        lambda: evaluate(registry, values, explore=False),
        goal=GOAL_EVALUATE,
        note="the decision itself",
    )
    run(
        "evaluate_explore",
        f"evaluate(), {len(registry.rules)} built-in rules, explore=True",
        lambda: evaluate(registry, values, explore=True),
        note="the complete outcome: also the unknowns, every flip (numbers, choices, prices), "
        "the revisit date and the confidence; no goal (the flips' goal is below)",
    )

    synthetic = SyntheticRules(make_synthetic_rules(registry))
    big = build_registry(get_plugin_manager(plugins=[synthetic]))
    if big.faults:
        raise SystemExit(
            "the synthetic registry has faults: " + "; ".join(f.render() for f in big.faults)
        )
    decision = evaluate(big, values, explore=False)
    fired = [r for r in decision.results if r.fired and r.rule.plugin == "SyntheticRules"]
    kinds = [f.kind for r in fired for f in r.findings]
    info["synthetic"] = {
        "rules": len(synthetic.rules),
        "registry_rules": len(big.rules),
        "fired": len(fired),
        "quiet": len(synthetic.rules) - len(fired),
        "points_findings": kinds.count("points"),
        "veto_findings": kinds.count("veto"),
        "note_findings": kinds.count("note"),
        "recommendation": decision.recommendation,
    }
    run(
        "evaluate_1000",
        f"evaluate(), {len(big.rules)} rules (+{SYNTHETIC_RULES:,} synthetic), explore=False",
        lambda: evaluate(big, values, explore=False),
        goal=GOAL_EVALUATE_1000,
        note="the decision itself",
    )
    run(
        "evaluate_1000_explore",
        f"evaluate(), {len(big.rules)} rules (+{SYNTHETIC_RULES:,} synthetic), explore=True",
        lambda: evaluate(big, values, explore=True),
    )
    from advisor.core.exploration.flips import flips
    from advisor.costs.sweep import sweep

    run(
        "flips",
        "every flip of a full answers file (advisor flips)",
        lambda: flips(registry, values),
        goal=GOAL_FLIPS,
        note="each question's nearest change of recommendation, numbers by bisection",
    )
    run(
        "sweep",
        "a 1,000-point sweep of requests a month, 1e3..1e9 (advisor sweep)",
        lambda: sweep(registry, values, "scale.requests_per_month", 1e3, 1e9, 1000),
        goal=GOAL_SWEEP,
        note="three bills at every point, the recommendation at every tenth and by bisection",
    )
    from datetime import date

    from advisor.render.memo.model import build_memo
    from advisor.render.memo.render import render

    day = date(2026, 11, 24)
    catalogue = registry.catalogue

    def memo_for(charts: bool) -> Any:
        decision = evaluate(registry, values, catalogue=catalogue)
        return build_memo(decision, registry, answers, catalogue, today=day, charts=charts)

    plain, charted = memo_for(False), memo_for(True)
    render(plain, "md")  # the templates compile once per process, as in a command
    render(charted, "html")
    run(
        "memo_render_md",
        "memo: render the Markdown template (view model built)",
        lambda: render(plain, "md"),
        goal=GOAL_MEMO_MD,
        note="Jinja2 with the front matter written; templates compiled once per process",
    )
    run(
        "memo_md",
        "memo: evaluate, build the view model and render Markdown",
        lambda: render(memo_for(False), "md"),
        note="all `advisor memo` does after loading; flips (above) are most of it",
    )
    run(
        "memo_html",
        "memo: evaluate, build the view model with charts and render HTML",
        lambda: render(memo_for(True), "html"),
        note="the charts sample each bill at 64 volumes",
    )
    run(
        "build_registry",
        "build registry: entry points, questionnaires, plugins",
        lambda: build_registry(get_plugin_manager()),
        note="in-process, plugin modules already imported",
    )
    # Many small plugins: 50 plugin objects of 20 generated rules each (the same 1,000 rules).
    small = [
        type(f"Small{i:02d}", (SyntheticRules,), {})(synthetic.rules[i * 20 : (i + 1) * 20])
        for i in range(50)
    ]
    run(
        "build_registry_50",
        "build registry with 50 small plugins (20 rules each)",
        lambda: build_registry(get_plugin_manager(plugins=small)),
        note="the registry a command builds when fifty plugins are installed",
    )
    many = build_registry(get_plugin_manager(plugins=small))
    if many.faults:
        raise SystemExit("the 50 plugins have faults: " + many.faults[0].render())
    run(
        "evaluate_50",
        f"evaluate(), {len(many.rules)} rules from 50 small plugins and the built-ins",
        lambda: evaluate(many, values, explore=False),
        goal=GOAL_EVALUATE_1000,
        note="the same budget as one plugin of 1,000 rules",
    )
    run(
        "load_answers",
        "load answers file (answers model already built)",
        lambda: load_answers(ANSWERS, registry),
        note="round-trip YAML parse and pydantic validation",
    )
    times = time_with_setup(
        lambda: dataclasses.replace(registry, _cache={}),
        lambda fresh: load_answers(ANSWERS, fresh),
        samples=max(samples, 10),
    )
    results.append(
        summarise(
            "load_answers_first",
            "load answers file, first on a registry (builds answers model)",
            times,
            1,
            note="what one command pays: the pydantic answers model is built once per registry",
        )
    )
    times = time_with_setup(
        lambda: dataclasses.replace(registry, _cache={}), answers_model, samples=max(samples, 10)
    )
    results.append(summarise("answers_model", "  of which: building the answers model", times, 1))
    return results, info


def _cold_env(bytecode_cache: Path | None) -> dict[str, str]:
    """The environment for the cold runs: the caller's, with bytecode caching as asked."""
    env = dict(os.environ)
    if bytecode_cache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        # Cache bytecode outside the work tree: every run after the warm-up reads .pyc files, as an
        # installed package would, without writing __pycache__ folders into the checkout.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(bytecode_cache)
    return env


def advisor_command() -> list[str]:
    """The installed ``advisor`` script next to this interpreter, or ``python -m advisor``."""
    script = Path(sys.executable).parent / "advisor"
    return [str(script)] if script.exists() else [sys.executable, "-m", "advisor"]


def bench_cold(runs: int, *, bytecode_cache: bool = True, breakdown: bool = False) -> list[Result]:
    """Fresh processes: ``advisor recommend FILE --format json`` against the baseline import.

    The commands alternate, run after run, so that drift on the machine affects both alike.
    """
    commands: dict[str, tuple[str, list[str]]] = {
        "baseline": (f'python -c "{BASELINE_IMPORT}"', [sys.executable, "-c", BASELINE_IMPORT]),
        "recommend": (
            "advisor recommend FILE --format json",
            [*advisor_command(), "recommend", str(ANSWERS), "--format", "json"],
        ),
        "click": ('python -c "import click"', [sys.executable, "-c", "import click"]),
        "help": ("advisor --help", [*advisor_command(), "--help"]),
    }
    if breakdown:
        commands["startup"] = ('python -c "pass"', [sys.executable, "-c", "pass"])
        commands["basemodel"] = (
            "baseline + from pydantic import BaseModel",
            [sys.executable, "-c", f"{BASELINE_IMPORT}; from pydantic import BaseModel"],
        )
        libraries = (
            "from pydantic import BaseModel; "
            "import ruamel.yaml, importlib.metadata, importlib.resources"
        )
        commands["libraries"] = (
            "baseline + BaseModel, ruamel.yaml, importlib.metadata, importlib.resources",
            [sys.executable, "-c", f"{BASELINE_IMPORT}; {libraries}"],
        )
        commands["import_advisor"] = (
            'python -c "import advisor.cli"',
            [sys.executable, "-c", "import advisor.cli"],
        )
    cache = Path(tempfile.mkdtemp(prefix="advisor-bench-pyc-")) if bytecode_cache else None
    env = _cold_env(cache)
    times: dict[str, list[float]] = {key: [] for key in commands}
    try:
        for _ in range(3):  # warm-up: fill the bytecode cache and the OS's file cache
            for _label, argv in commands.values():
                subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, check=True, cwd=ROOT)
        for _ in range(runs):
            for key, (_label, argv) in commands.items():
                start = time.perf_counter()
                subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, check=True, cwd=ROOT)
                times[key].append(time.perf_counter() - start)
        phases: dict[str, list[float]] = {}
        for _ in range(runs if breakdown else 0):
            done = subprocess.run(
                [sys.executable, "-c", PHASES_SCRIPT, str(ANSWERS)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            for step, seconds in json.loads(done.stdout).items():
                phases.setdefault(step, []).append(seconds)
    finally:
        if cache is not None:
            shutil.rmtree(cache, ignore_errors=True)
    suffix = "" if bytecode_cache else ", no bytecode cache"
    results = [
        summarise(f"cold_{key}", f"cold: {label}{suffix}", times[key], 1)
        for key, (label, _) in commands.items()
    ]
    results += [
        summarise(f"phase_{n}", f"  cold step: {step}", seconds, 1)
        for n, (step, seconds) in enumerate(phases.items(), 1)
    ]

    def ratio(key: str, label: str, command: str, floor: str, goal: float) -> Result:
        pairs = [c / f for c, f in zip(times[command], times[floor], strict=True)]
        medians = statistics.median(times[command]) / statistics.median(times[floor])
        return summarise(
            key,
            f"cold ratio: {label}{suffix}",
            pairs,
            1,
            unit="x",
            goal=goal,
            note=f"per alternating pair; median of medians: {medians:.2f}x, "
            f"min over min: {min(times[command]) / min(times[floor]):.2f}x",
        )

    ratios = ratio(
        "cold_ratio", "recommend / baseline import", "recommend", "baseline", GOAL_COLD_RATIO
    )
    helped = ratio(
        "cold_help_ratio", "advisor --help / import click", "help", "click", GOAL_HELP_RATIO
    )
    return [ratios, helped, *results]


# --- reporting -----------------------------------------------------------------------------------


def cpu_busy(seconds: float = 1.0) -> float | None:
    """The share of all CPUs busy over the next ``seconds`` (from /proc/stat; None elsewhere)."""

    def sample() -> tuple[int, int]:
        """Total and idle jiffies of all CPUs so far."""
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(fields), fields[3] + fields[4]  # idle and iowait

    try:
        total0, idle0 = sample()
        time.sleep(seconds)
        total1, idle1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


def _version(distribution: str) -> str:
    """The installed version of ``distribution``, or "not installed"."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    """The CPU's model name (from /proc/cpuinfo on Linux), or what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict[str, Any]:
    """The Python and the machine the figures come from."""
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "python_build": " ".join(platform.python_build()),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else [],
        "cpu_busy_before": cpu_busy(),
        "executable": sys.executable,
        "advisor": advisor.__version__,
        "libraries": {name: _version(name) for name in LIBRARIES},
    }


def print_header(about: dict[str, Any], what: str, inputs: str) -> None:
    """The machine and the libraries a run was taken on, and how busy the machine was."""
    print(f"advisor {about['advisor']} {what}, {about['date']}")
    print(f"Python {about['python']} ({about['implementation']}, {about['python_build']})")
    print(f"{about['platform']}, {about['processor']}, {about['cpu_count']} CPUs")
    print(", ".join(f"{name} {version}" for name, version in about["libraries"].items()))
    load, busy = about["load_average"], about["cpu_busy_before"]
    print("load average " + " ".join(f"{x:.2f}" for x in load) if load else "", end="")
    if busy is not None:
        print(f"; CPUs {busy:.0%} busy in the second before the run", end="")
    # With two CPUs, another busy process slows every figure and widens its spread.
    noisy = busy > 0.1 if busy is not None else bool(load) and load[0] > 0.5
    print(" (the machine is busy: figures will be slower and noisier)" if noisy else "")
    print(inputs)
    print(flush=True)


def show(value: float, unit: str) -> str:
    """A time in the unit that suits it (µs, ms or s), or a ratio."""
    if unit == "x":
        return f"{value:.2f}x"
    if value < 1e-3:
        return f"{value * 1e6:.1f} µs"
    if value < 1:
        return f"{value * 1e3:.2f} ms"
    return f"{value:.3f} s"


def table(results: list[Result]) -> str:
    """The results as a plain-text table: figure, goal, median, spread and whether the goal is met."""
    header = ("benchmark", "goal", "median", "IQR (q1-q3)", "min", "n", "result")
    rows = [header]
    for r in results:
        goal = "-" if r.goal is None else f"< {show(r.goal, r.unit)}"
        verdict = "-" if r.met is None else "met" if r.met else "MISSED"
        spread = f"{show(r.q1, r.unit)} - {show(r.q3, r.unit)}"
        count = f"{r.samples}x{r.loops}" if r.loops > 1 else str(r.samples)
        rows.append(
            (r.label, goal, show(r.median, r.unit), spread, show(r.minimum, r.unit), count, verdict)
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run every benchmark and print the table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a rough look)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--runs", type=int, help="cold-start runs of each command (default 40, 10 with --quick)"
    )
    parser.add_argument(
        "--no-cold", action="store_true", help="skip the cold-start benchmark (in-process only)"
    )
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="cold runs with PYTHONDONTWRITEBYTECODE=1: every advisor module compiled from source",
    )
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="also time python startup, the libraries' imports, `import advisor.cli`, each step",
    )
    args = parser.parse_args(argv)
    samples = 7 if args.quick else 25
    runs = args.runs or (10 if args.quick else 40)

    about = machine()
    if not args.json:
        print_header(about, "benchmarks", f"answers: {ANSWERS.relative_to(ROOT)}")

    results, info = bench_in_process(samples)
    if not args.no_cold:
        results += bench_cold(
            runs, bytecode_cache=not args.no_bytecode_cache, breakdown=args.breakdown
        )
    order = [
        "evaluate",
        "evaluate_explore",
        "evaluate_1000",
        "evaluate_1000_explore",
        "flips",
        "sweep",
        "cold_ratio",
    ]
    results.sort(key=lambda r: order.index(r.key) if r.key in order else len(order))

    if args.json:
        payload = {
            "machine": about,
            "answers": str(ANSWERS.relative_to(ROOT)),
            "info": info,
            "results": [{**dataclasses.asdict(r), "met": r.met} for r in results],
        }
        print(json.dumps(payload, indent=2))
        return 0
    print(table(results))
    print()
    syn = info["synthetic"]
    print(
        f"synthetic plugin: {syn['rules']:,} rules, {syn['fired']} fired "
        f"({syn['points_findings']} points, {syn['veto_findings']} vetoes, "
        f"{syn['note_findings']} notes), {syn['quiet']} quiet; "
        f"recommendation {syn['recommendation']}"
    )
    for r in results:
        if r.note:
            print(f"{r.label.strip()}: {r.note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
