"""Mutation fuzzing of answers files through `advisor recommend FILE --format json`.

Each file is one of the worked cases (tests/cases/) or built-in examples, changed by a few seeded
mutations: a value swapped for a hostile one (huge, tiny, non-finite, the wrong type, control
characters), bytes inserted (NUL, escape, invalid UTF-8), lines duplicated, cut or re-indented,
keys renamed, nesting and aliases added, thousands of unknown keys, the whole written as JSON.
Every run must end one of two ways:

* exit 0 with JSON holding a ``recommendation``;
* exit 2 with each line of the message starting ``FILE:LINE:`` (or ``FILE:`` and a count, for
  folded repeats), and no traceback;

and none may take longer than ``--slow`` seconds (10). The counts are printed at the end.

    .venv/bin/python bench/fuzz.py                  # 10,000 files, seed 0
    .venv/bin/python bench/fuzz.py --count 500 --seed 7

tests/test_fuzz.py runs a seeded subset of the same mutations in the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "tests" / "cases").glob("*.yaml")) + sorted(
    (ROOT / "advisor" / "examples").glob("*.yaml")
)
HOSTILE = [
    "1e300",
    "-1e300",
    "9" * 309,
    "-" + "9" * 40,
    "5e-324",
    "-0.0",
    "0",
    "-1",
    ".inf",
    "-.inf",
    ".nan",
    "1e15",
    "0x7fffffff",
    "1_000_000_000_000",
    "''",
    "null",
    "~",
    "true",
    "no",
    "[]",
    "{}",
    "[1, [2, [3]]]",
    "{a: {b: c}}",
    '"\\x00"',
    '"\\e[2J"',
    '"\\u202e"',
    '"\\ud800"',
    "!!binary aGVsbG8=",
    "!!python/object:os.system x",
    "&x [*x]",
    "'" + "a" * 5000 + "'",
    "2026-12-01",
    "12:30",
]
BYTES = [
    b"\x00",
    b"\x1b[2J",
    b"\xff",
    b"\xc3",
    b"\t",
    b"\r",
    b"\x85",
    b"{",
    b"[",
    b"&a ",
    b"*a",
    b"'",
]
_SCALAR_LINE = re.compile(rb"^(\s*(?:- )?[A-Za-z_][\w.-]*:\s)(.+)$")


def _edges() -> dict[bytes, list[bytes]]:
    """For each number question, values at and just inside its stated range: answers the loader
    takes, to drive the engine's arithmetic to its limits."""
    from advisor import build_registry

    out: dict[bytes, list[bytes]] = {}
    for q in build_registry().questions.values():
        if q.type not in ("int", "float"):
            continue
        values = []
        if q.maximum is not None:
            values += [q.maximum, q.maximum * 0.999]
        if q.minimum is not None:
            values += [q.minimum * 1.001 + 1e-9 if q.exclusive_minimum else q.minimum]
        shown = [repr(int(v)) if q.type == "int" else repr(float(v)) for v in values]
        out[q.qid.encode()] = [v.encode() for v in shown]
    return out


_EDGES: dict[bytes, list[bytes]] = {}


def _mutate(text: bytes, rng: random.Random) -> tuple[bytes, str]:
    """One mutation of ``text`` and its name."""
    lines = text.split(b"\n")
    kind = rng.choice(
        [
            *("value", "value", "edge", "edge", "edge", "bytes", "cut", "dup", "indent", "key"),
            *("nest", "keys", "alias"),
        ]
    )
    at = rng.randrange(len(lines))
    if kind == "edge":
        if not _EDGES:
            _EDGES.update(_edges())
        for _ in range(rng.choice([1, 2, 4])):
            qid = rng.choice(sorted(_EDGES))
            section, key = qid.split(b".")
            value = rng.choice(_EDGES[qid])
            found = [i for i, line in enumerate(lines) if line.strip().startswith(key + b":")]
            if found:  # answered: the answer changed
                i = found[0]
                lines[i] = lines[i][: lines[i].index(b":") + 1] + b" " + value
                continue
            heading = [i for i, line in enumerate(lines) if line.rstrip() == b"  " + section + b":"]
            if heading:  # not answered: added to its section
                lines.insert(heading[0] + 1, b"    " + key + b": " + value)
    elif kind == "value":
        scalars = [i for i, line in enumerate(lines) if _SCALAR_LINE.match(line)]
        if scalars:
            i = rng.choice(scalars)
            found = _SCALAR_LINE.match(lines[i])
            assert found is not None
            lines[i] = found.group(1) + rng.choice(HOSTILE).encode()
    elif kind == "bytes":
        pos = rng.randrange(len(text) + 1)
        return text[:pos] + rng.choice(BYTES) + text[pos:], kind
    elif kind == "cut":
        pos = rng.randrange(len(text) + 1)
        return text[:pos] + text[pos + rng.randrange(1, 40) :], kind
    elif kind == "dup":
        lines.insert(at, lines[at])
    elif kind == "indent":
        lines[at] = b" " * rng.choice([1, 2, 3, 4, 8]) + lines[at]
    elif kind == "key":
        found = _SCALAR_LINE.match(lines[at])
        if found:
            lead = found.group(1)
            indent = lead[: len(lead) - len(lead.lstrip())]
            key = rng.choice([b"stage", b"residency", b"x" * 300, b"\xe2\x80\xae", b"1", b"null"])
            lines[at] = indent + key + b": " + found.group(2)
    elif kind == "nest":
        depth = rng.choice([10, 60, 70, 500])
        lines.append(b"extra: " + b"[" * depth + b"1" + b"]" * depth)
    elif kind == "keys":
        lines += [b"  k%d: %d" % (i, i) for i in range(rng.choice([50, 3000]))]
    elif kind == "alias":
        lines.insert(0, b"x-base: &base [a, a, a, a, a, a, a, a]")
        lines.insert(1, b"x-more: &more [*base, *base, *base, *base, *base, *base, *base]")
        scalars = [i for i, line in enumerate(lines) if _SCALAR_LINE.match(line)]
        if scalars:
            i = rng.choice(scalars)
            found = _SCALAR_LINE.match(lines[i])
            assert found is not None
            lines[i] = found.group(1) + b"*more"
    return b"\n".join(lines), kind


def _as_json(text: bytes) -> bytes | None:
    """The file as JSON (when it still reads as YAML), so that the JSON reader is fuzzed too."""
    from ruamel.yaml import YAML

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ruamel.yaml's on reused anchors
            data = YAML(typ="safe", pure=True).load(text.decode("utf-8"))
        return json.dumps(data, default=str, allow_nan=True).encode()
    except Exception:
        return None


def mutants(seed: int, count: int) -> Iterator[tuple[str, bytes, str]]:
    """``count`` mutated files, the same for the same seed: (file name, content, mutations)."""
    rng = random.Random(seed)
    sources = [path.read_bytes() for path in SEEDS]
    for n in range(count):
        text = rng.choice(sources)
        names = []
        for _ in range(rng.choice([1, 1, 2, 3])):
            text, kind = _mutate(text, rng)
            names.append(kind)
        suffix = ".yaml"
        if rng.random() < 0.15:
            converted = _as_json(text)
            if converted is not None:
                text, suffix = converted, ".json"
                if rng.random() < 0.5:  # a key written twice, which JSON readers keep quietly
                    text = text.replace(b'{"', b'{"title": "a", "title": "b", "', 1)
                names.append("json")
        yield f"fuzz-{seed}-{n:05d}{suffix}", text, "+".join(names)


@dataclass
class Tally:
    runs: int = 0
    recommended: int = 0
    refused: int = 0
    tracebacks: list[str] = field(default_factory=list)
    unlocated: list[str] = field(default_factory=list)  # exit 2 with a line naming no line
    slow: list[str] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)
    slowest: float = 0.0


def judge(path: Path, exit_code: int, output: str, error: BaseException | None) -> str:
    """ "recommended", "refused", "unlocated" or "traceback" for one run's outcome."""
    if error is not None and not isinstance(error, SystemExit):
        return "traceback"
    if "Traceback" in output:
        return "traceback"
    if exit_code == 0:
        try:
            data = json.loads(output)
        except ValueError:
            return "traceback"
        return "recommended" if "recommendation" in data else "traceback"
    if exit_code != 2:
        return "traceback"
    named = f"{path}:"
    lines = [line for line in output.splitlines() if line.strip()]
    if not lines or not all(line.startswith(named) for line in lines):
        return "unlocated"
    for line in lines:
        rest = line[len(named) :]
        if not re.match(r"\d+: ", rest) and not rest.startswith(" and "):
            return "unlocated"
    return "refused"


def run(seed: int, count: int, slow: float, folder: Path, part: int = 0, parts: int = 1) -> Tally:
    """Run the ``part``-th of ``parts`` shares of the ``count`` files of ``seed``."""
    from click.testing import CliRunner

    from advisor.cli import main

    runner = CliRunner()
    tally = Tally()
    for n, (name, content, kinds) in enumerate(mutants(seed, count)):
        if n % parts != part:
            continue
        path = folder / name
        path.write_bytes(content)
        started = time.perf_counter()
        result = runner.invoke(main, ["recommend", str(path), "--format", "json"])
        took = time.perf_counter() - started
        verdict = judge(path, result.exit_code, result.output, result.exception)
        tally.runs += 1
        tally.kinds[kinds] += 1
        tally.slowest = max(tally.slowest, took)
        if took > slow:
            tally.slow.append(f"{name} ({kinds}): {took:.1f} s")
        if verdict == "recommended":
            tally.recommended += 1
        elif verdict == "refused":
            tally.refused += 1
        elif verdict == "unlocated":
            tally.unlocated.append(f"{name} ({kinds}): {result.output.strip()[:200]}")
        else:
            shown = "".join(traceback.format_exception(result.exception))[-600:]
            tally.tracebacks.append(f"{name} ({kinds}): {shown or result.output[-600:]}")
            (folder / "kept").mkdir(exist_ok=True)
            (folder / "kept" / name).write_bytes(content)
        path.unlink()
        if part == 0 and tally.runs % 500 == 0:
            print(f"  {tally.runs * parts:,} files", file=sys.stderr)
    return tally


def _merge(tallies: list[Tally]) -> Tally:
    out = Tally()
    for t in tallies:
        out.runs += t.runs
        out.recommended += t.recommended
        out.refused += t.refused
        out.tracebacks += t.tracebacks
        out.unlocated += t.unlocated
        out.slow += t.slow
        out.kinds.update(t.kinds)
        out.slowest = max(out.slowest, t.slowest)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--slow", type=float, default=10.0, help="seconds a run may take")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    os.environ.setdefault("ADVISOR_PLUGINS", "")  # the built-ins, as a fresh install has
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, ProcessPoolExecutor(args.jobs) as pool:
        shares = [
            pool.submit(run, args.seed, args.count, args.slow, Path(tmp), i, args.jobs)
            for i in range(args.jobs)
        ]
        tally = _merge([share.result() for share in shares])
    took = time.perf_counter() - started
    print(
        f"{tally.runs:,} files (seed {args.seed}) in {took:.0f} s: "
        f"{tally.recommended:,} recommended, {tally.refused:,} refused with a line, "
        f"{len(tally.unlocated)} refused without one, {len(tally.tracebacks)} tracebacks, "
        f"{len(tally.slow)} over {args.slow:g} s (slowest {tally.slowest:.2f} s), "
        f"{args.jobs} processes"
    )
    for line in (*tally.tracebacks, *tally.unlocated, *tally.slow)[:20]:
        print(" ", line)
    return 1 if tally.tracebacks or tally.unlocated or tally.slow else 0


if __name__ == "__main__":
    sys.exit(main())
