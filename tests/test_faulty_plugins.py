"""Nineteen kinds of faulty plugin, each installed as its own distribution in a throwaway virtual
environment, run through the command a user types: each is named with what it did wrong, and the
rest (the built-ins, and the other faulty plugins' sound parts) keep working.

The environment is made with ``venv --without-pip`` in a temporary folder and sees the advisor
through a ``.pth`` file, so nothing is installed into the environment the tests run in.
"""

from __future__ import annotations

import json
import os
import signal
import site
import subprocess
import sys
import textwrap
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "tests" / "cases" / "eu-insurer-claims.yaml"
LIMIT = "1"  # seconds a rule, fact or hook may run here before it is stopped
RUN = "from advisor.cli import main; main()"  # `advisor`, without its script in the environment

# A rule's boilerplate: what a rule declares before its body.
RULE = """
from advisor import hookimpl, rule, points, note
import os, sys, time

@rule("{code}", "{title}", source="a test", reads=["{reads}"], fires_when="always")
def check(facts):
    \"\"\"{title}.\"\"\"
{body}

@hookimpl
def advisor_rules(register):
    register(check)
"""


def _rule(code: str, title: str, body: str, reads: str = "pmf.stage") -> str:
    return RULE.format(code=code, title=title, reads=reads, body=textwrap.indent(body, "    "))


# name -> (module source, what the fault says, where: "load", a hook, a rule code or a fact)
FAULTY: dict[str, tuple[str, str, str]] = {
    "import-error": ("import no_such_module_anywhere\n", "ModuleNotFoundError", "load"),
    "exit-on-import": ("import sys\nsys.exit(5)\n", "called sys.exit(5)", "load"),
    "hard-exit-on-import": ("import os\nos._exit(6)\n", "called os._exit(6)", "load"),
    "interrupt-on-import": ("raise KeyboardInterrupt\n", "raised KeyboardInterrupt", "load"),
    "loop-on-import": ("while True:\n    pass\n", "stopped after 1 s", "load"),
    "prints-on-import": ("print('loaded!')\n", "printed to standard output", "load"),
    "hook-raises": (
        "from advisor import hookimpl\n@hookimpl\ndef advisor_options(register):\n"
        "    raise RuntimeError('no options today')\n",
        "RuntimeError: no options today",
        "advisor_options",
    ),
    "hook-exits": (
        "import sys\nfrom advisor import hookimpl\n@hookimpl\ndef advisor_rules(register):\n"
        "    sys.exit('bye')\n",
        "called sys.exit('bye')",
        "advisor_rules",
    ),
    "hook-loops": (
        "from advisor import hookimpl\n@hookimpl\ndef advisor_facts(register):\n"
        "    while True:\n        try:\n            pass\n        except Exception:\n"
        "            pass\n",
        "stopped after 1 s",
        "advisor_facts",
    ),
    "rule-loops": (_rule("LOOPS001", "Loops", "while True:\n    pass"), "stopped", "LOOPS001"),
    "rule-sleeps": (_rule("SLEEPS001", "Sleeps", "time.sleep(3600)"), "stopped", "SLEEPS001"),
    "rule-exits": (_rule("EXITS001", "Exits", "sys.exit(2)"), "called sys.exit(2)", "EXITS001"),
    "rule-hard-exit": (_rule("HARD001", "Ends", "os._exit(3)"), "called os._exit(3)", "HARD001"),
    "rule-interrupts": (
        _rule("INTR001", "Interrupts", "raise KeyboardInterrupt"),
        "raised KeyboardInterrupt",
        "INTR001",
    ),
    "rule-prints": (
        _rule("PRINTS001", "Prints", "print('{\"not\": \"json\"}')\nreturn note(None, 'it spoke')"),
        "printed to standard output",
        "PRINTS001",
    ),
    "rule-nan-points": (
        _rule(
            "NAN001",
            "Not a number",
            "from advisor.core.decision.rules import Finding\n"
            "return Finding('api', 'points', 'nan', float('nan'))",
        ),
        "points must be finite",
        "NAN001",
    ),
    "rule-malformed": (
        _rule(
            "BAD001",
            "Malformed",
            "from advisor.core.decision.rules import Finding\n"
            "return Finding('api', 'bonus', 'an unknown kind')",
        ),
        "unknown kind 'bonus'",
        "BAD001",
    ),
    "rule-mutates": (
        _rule(
            "MUTATE001",
            "Mutates",
            "facts['privacy.regimes'].append('hipaa')",
            reads="privacy.regimes",
        ),
        "read-only",
        "MUTATE001",
    ),
    "fact-reads-itself": (
        _rule("OURO001", "Reads a fact that reads itself", "facts['ouroboros']", reads="ouroboros")
        + "\nfrom advisor import Fact\n\n@hookimpl\ndef advisor_facts(register):\n"
        "    register(Fact('ouroboros', 'itself, plus one', lambda f: f['ouroboros'] + 1,"
        " reads=('ouroboros',)))\n",
        "reads itself",
        "ouroboros",
    ),
}


def _module(name: str) -> str:
    return "faulty_" + name.replace("-", "_")


@pytest.fixture(scope="module")
def throwaway(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtual environment with the 19 faulty plugins installed, each as a distribution."""
    home = tmp_path_factory.mktemp("throwaway")
    env = home / "venv"
    venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(env)
    found = subprocess.run(
        [
            str(env / "bin" / "python"),
            "-c",
            "import sysconfig; print(sysconfig.get_path('purelib'))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    packages = Path(found.stdout.strip())
    # The advisor (and its requirements) from the environment running the tests, read-only.
    here = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (packages / "advisor_under_test.pth").write_text(
        "".join(f"import site; site.addsitedir({p!r})\n" for p in here), encoding="utf-8"
    )
    for name, (source, _, _) in FAULTY.items():
        module = _module(name)
        (packages / f"{module}.py").write_text(source, encoding="utf-8")
        info = packages / f"{module}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", encoding="utf-8"
        )
        (info / "entry_points.txt").write_text(f"[advisor]\n{name} = {module}\n", encoding="utf-8")
        (info / "RECORD").write_text("", encoding="utf-8")
    return env


def _advisor(env: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("ADVISOR_PLUGINS", "PYTHONPATH")}
    environ["ADVISOR_PLUGIN_SECONDS"] = LIMIT
    return subprocess.run(
        [str(env / "bin" / "python"), "-c", RUN, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environ,
        timeout=300,
    )


def _built_in_only(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environ = dict(os.environ, ADVISOR_PLUGINS="")
    return subprocess.run(
        [sys.executable, "-c", RUN, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environ,
        timeout=300,
    )


def test_each_faulty_plugin_is_named_and_the_rest_keep_working(
    throwaway: Path, tmp_path: Path
) -> None:
    listed = _advisor(throwaway, "plugins", "--format", "json", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    names = {p["name"] for p in json.loads(listed.stdout)["plugins"]}
    assert {"pmf", "privacy", "costs"} <= names  # the built-ins are all there

    done = _advisor(throwaway, "recommend", str(CASE), "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    data = json.loads(done.stdout)  # nothing a plugin printed is in it
    faults = {(f["plugin"], f["where"]): f["message"] for f in data["errors"]}
    for name, (_, says, where) in FAULTY.items():
        key = (f"{name}:{name}", where)
        assert key in faults, (name, sorted(faults))
        assert says in faults[key], (name, faults[key])

    alone = json.loads(
        _built_in_only("recommend", str(CASE), "--format", "json", cwd=tmp_path).stdout
    )
    assert data["recommendation"] == alone["recommendation"]
    assert data["ranking"] == alone["ranking"]
    assert data["confidence"] == alone["confidence"]
    # Every built-in rule found what it finds without them: the rule that appended to the
    # regimes changed nothing another rule read.
    built_in = {r["plugin"] for r in alone["rules"]} | {r["plugin"] for r in alone["not_fired"]}
    assert [r for r in data["rules"] if r["plugin"] in built_in] == alone["rules"]
    assert {k: v for k, v in data["facts"].items() if k != "ouroboros"} == alone["facts"]


def test_a_memo_with_faulty_plugins_records_the_answers_as_given_and_names_them(
    throwaway: Path, tmp_path: Path
) -> None:
    out = tmp_path / "memo.md"
    done = _advisor(throwaway, "memo", str(CASE), "-o", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert "loaded!" not in done.stdout and "\nloaded!" not in text  # only quoted in its fault
    for name in FAULTY:
        assert name in text, name
    again = _advisor(throwaway, "recommend", str(out), "--format", "json", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    given = _built_in_only("recommend", str(CASE), "--format", "json", cwd=tmp_path)
    assert json.loads(again.stdout)["recommendation"] == json.loads(given.stdout)["recommendation"]
    front = text.split("\n---", 1)[0]
    assert "hipaa" not in front  # the regimes the memo records are those answered


def test_ctrl_c_still_stops_a_command_a_looping_rule_holds_up(
    throwaway: Path, tmp_path: Path
) -> None:
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    environ.update(ADVISOR_PLUGINS="rule-loops", ADVISOR_PLUGIN_SECONDS="120")
    started = subprocess.Popen(
        [str(throwaway / "bin" / "python"), "-c", RUN, "recommend", str(CASE)],
        cwd=tmp_path,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    with pytest.raises(subprocess.TimeoutExpired):  # it is in the loop
        started.communicate(timeout=4)
    started.send_signal(signal.SIGINT)  # the user presses Ctrl-C
    _, err = started.communicate(timeout=30)
    assert started.returncode == 1 and "Aborted!" in err, err  # as click ends on Ctrl-C
    assert "Traceback" not in err
