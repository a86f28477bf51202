"""The decision memo: golden files, contents, escaping, template overrides and plugin sections.

Golden files live in tests/golden/memo/; after a deliberate change to the memo, regenerate them with
`.venv/bin/python -m pytest tests/test_memo.py --update-golden` and review the diff.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import pytest
from click.testing import Result
from conftest import TODAY
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import nodes

import advisor.plugins
from advisor import MemoSection, hookimpl
from advisor.plugins import get_plugin_manager

TESTS = Path(__file__).parent
CASES = TESTS / "cases"
GOLDEN = TESTS / "golden" / "memo"
TEMPLATES = TESTS.parent / "advisor" / "memo" / "templates"
DATE = "2026-11-24"
CASE_NAMES = sorted(p.stem for p in CASES.glob("*.yaml"))
HOSTILE = "<script>alert(1)</script> *bold* [link](http://evil.example) `tick` | pipe # hash"


def _memo(cli: Callable[..., Result], *args: str) -> str:
    done = cli("memo", *args, "--date", DATE)
    assert done.exit_code == 0, done.output
    return done.stdout


@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize("case", CASE_NAMES)
def test_memo_matches_its_golden_file(
    cli: Callable[..., Result], case: str, fmt: str, request: pytest.FixtureRequest
) -> None:
    text = _memo(cli, str(CASES / f"{case}.yaml"), "--format", fmt)
    golden = GOLDEN / f"{case}.{fmt}"
    if request.config.getoption("--update-golden"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8", newline="\n")
    assert golden.is_file(), f"no golden file {golden}; run pytest {__file__} --update-golden"
    assert text == golden.read_text(encoding="utf-8"), (
        f"{golden.name} differs; if the change is intended, run "
        f"`.venv/bin/python -m pytest tests/test_memo.py --update-golden` and review the diff"
    )


def test_the_same_answers_and_date_give_the_same_bytes(cli: Callable[..., Result]) -> None:
    case = str(CASES / "eu-insurer-claims.yaml")
    for fmt in ("md", "html"):
        assert _memo(cli, case, "--format", fmt) == _memo(cli, case, "--format", fmt)


def test_markdown_memo_follows_the_madr_layout_in_the_order_a_reader_needs(
    cli: Callable[..., Result],
) -> None:
    text = _memo(cli, str(CASES / "media-tagging-at-scale.yaml"))
    headings = [
        '---\nstatus: proposed\ndate: "2026-11-24"',
        "# Media company tagging and rewriting articles at high volume: fine-tune a model",
        "**Recommendation: Fine-tune a model (fine_tune), with medium confidence",
        "## Context and Problem Statement",
        "## Decision Drivers",
        "## Considered Options",
        "## Decision Outcome",
        "### Costs",
        "### Consequences",
        "#### Next steps, whatever the option",
        "#### Risks",
        "### What would change the decision",
        "### When to revisit",
        "## Pros and Cons of the Options",
        "## More Information",
        "### Assumptions and open questions",
        "### Answers",
        "### Sources",
        "### Versions and re-running",
    ]
    at = [text.find(h) for h in headings]
    assert all(i >= 0 for i in at), [h for h, i in zip(headings, at, strict=True) if i < 0]
    assert at == sorted(at)
    # The numbers: bills per option, cost per million tokens, GPUs, use, break-even, price date.
    assert (
        "| Fine-tune a model | $20,712 | $0.68 | $248,540 | $94,632 to $1,027,958 "
        "| 2 x MI300X (2 replicas of 1) | 7.8% | 453 ms |"
    ) in text
    assert "Self-host an open model: today, 3,106,318 calls a month" in text
    assert f"Hosted prices as of {TODAY}" in text  # the day of the run, whatever the memo's date
    # The next steps name evals, guardrails, caching and the data flywheel (principle 8).
    for step in ("Evals:", "Guardrails:", "Caching:", "Data flywheel:"):
        assert f"* {step}" in text


def test_every_rule_that_fired_appears_with_its_code_and_source(
    cli: Callable[..., Result], registry: Any
) -> None:
    import json

    case = str(CASES / "media-tagging-at-scale.yaml")
    fired = json.loads(cli("recommend", case, "--format", "json").stdout)["rules"]
    text = _memo(cli, case)
    assert fired
    for item in fired:
        assert f"`{item['id']}`" in text
        assert f"* {item['id']}: " in text  # under Sources, with the rule's source


def test_a_ruled_out_option_shows_the_constraint_that_ruled_it_out(
    cli: Callable[..., Result],
) -> None:
    text = _memo(cli, str(CASES / "hospital-discharge-notes.yaml"))
    assert "### Call a hosted API (`api`)" in text
    section = text.split("### Call a hosted API (`api`)")[1].split("###")[0]
    assert "ruled out." in section
    assert "* Ruled out, because the data may be processed only on premises" in section
    assert "(`PRIV001`)" in section


def test_memo_without_costs_says_which_answers_the_numbers_need(
    cli: Callable[..., Result],
) -> None:
    md = _memo(cli, "--example", "first-pilot")
    assert "| Call a hosted API | - | - | - | - | - | - | - | needs cost.api_model |" in md
    html = _memo(cli, "--example", "first-pilot", "--format", "html")
    assert "No chart: the cost chart needs cost.api_model." in html
    assert html.count("<svg") == 1  # the score chart only


def test_html_memo_is_self_contained_and_has_both_charts(cli: Callable[..., Result]) -> None:
    html = _memo(cli, str(CASES / "media-tagging-at-scale.yaml"), "--format", "html")
    assert html.count("<svg") == 2
    assert "your volume: 30M calls/month" in html
    assert "self_host breaks even: 3.11M" in html
    assert "default-src 'none'" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html.split("<h3>Sources</h3>")[0])
    assert "@import" not in html and "url(http" not in html


def _hostile_answers(tmp_path: Path) -> Path:
    source = (CASES / "prototype-ticket-summaries.yaml").read_text(encoding="utf-8")
    body = re.sub(r"^title:.*$", "title: 'TITLE'", source, count=1, flags=re.MULTILINE)
    body = re.sub(r"^why:.*?(?=^\w)", "why: 'WHY'\n", body, count=1, flags=re.M | re.S)
    quoted = HOSTILE.replace("'", "''")
    path = tmp_path / "hostile.yaml"
    path.write_text(body.replace("TITLE", quoted).replace("WHY", quoted), encoding="utf-8")
    return path


def test_answer_text_is_inert_in_markdown_and_reads_back_unchanged(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    import json

    answers = _hostile_answers(tmp_path)
    md = _memo(cli, str(answers))
    assert not re.search(r"(?<!\\)<", md.split("\n---\n", 1)[1])  # every < is backslashed
    assert not re.search(r"(?<!\\)\]\(http", md)  # no link can open
    assert "\\<script\\>alert(1)\\</script\\> \\*bold\\* \\[link\\]" in md
    assert "\\`tick\\` \\| pipe \\# hash" in md
    assert "\\x3cscript\\x3e" in md  # the front matter holds no raw angle bracket either
    memo = tmp_path / "memo.md"
    memo.write_text(md, encoding="utf-8")
    back = json.loads(cli("recommend", str(memo), "--format", "json").stdout)
    assert back["input"]["title"] == HOSTILE
    assert back["input"]["why"] == HOSTILE


def test_answer_text_is_inert_in_html_and_reads_back_unchanged(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    import json

    answers = _hostile_answers(tmp_path)
    html = _memo(cli, str(answers), "--format", "html")
    assert html.count("<script") == 1  # the JSON data block, which browsers do not run
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "\\u003cscript\\u003e" in html
    memo = tmp_path / "memo.html"
    memo.write_text(html, encoding="utf-8")
    back = json.loads(cli("recommend", str(memo), "--format", "json").stdout)
    assert back["input"]["title"] == HOSTILE


def _blocks(name: str) -> list[str]:
    env = jinja2.Environment()
    tree = env.parse((TEMPLATES / name).read_text(encoding="utf-8"))
    return [block.name for block in tree.find_all(nodes.Block)]


BLOCKS = [("md", b) for b in _blocks("memo.md.j2")] + [("html", b) for b in _blocks("memo.html.j2")]


@pytest.mark.parametrize(("fmt", "block"), BLOCKS, ids=[f"{f}-{b}" for f, b in BLOCKS])
def test_a_template_override_replaces_one_block_and_keeps_the_rest(
    cli: Callable[..., Result], tmp_path: Path, fmt: str, block: str
) -> None:
    case = str(CASES / "eu-insurer-claims.yaml")
    default = _memo(cli, case, "--format", fmt)
    (tmp_path / f"memo.{fmt}.j2").write_text(
        f'{{% extends "default/memo.{fmt}.j2" %}}'
        f"{{% block {block} %}}OVERRIDDEN {{{{ memo.date }}}}{{% endblock %}}",
        encoding="utf-8",
    )
    custom = _memo(cli, case, "--format", fmt, "--template-dir", str(tmp_path))
    assert f"OVERRIDDEN {DATE}" in custom
    assert custom != default
    # What the block held by default is gone; what lies outside it is still there.
    before, after = custom.split(f"OVERRIDDEN {DATE}")
    assert default.startswith(before) and default.endswith(after)
    if block not in ("more_information", "front_matter"):
        assert len(before) + len(after) > len(default) // 3


def test_an_override_can_extend_a_block_with_super(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    case = str(CASES / "eu-insurer-claims.yaml")
    (tmp_path / "memo.md.j2").write_text(
        '{% extends "default/memo.md.j2" %}'
        "{% block revisit %}{{ super() }}\nAsk the review board too.\n{% endblock %}",
        encoding="utf-8",
    )
    default = _memo(cli, case)
    custom = _memo(cli, case, "--template-dir", str(tmp_path))
    assert "Ask the review board too." in custom
    assert custom.replace("\nAsk the review board too.\n", "") == default


def test_config_file_names_the_template_folder(cli: Callable[..., Result], tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "memo.md.j2").write_text(
        '{% extends "default/memo.md.j2" %}{% block title %}# OUR OWN TITLE{% endblock %}',
        encoding="utf-8",
    )
    config = tmp_path / "config.yaml"
    config.write_text("template_dir: templates\n", encoding="utf-8")
    text = _memo(cli, "--example", "first-pilot", "--config", str(config))
    assert "# OUR OWN TITLE" in text


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("{{ memo.no_such_thing }}", "no_such_thing"),
        ("line one\n{% for x in %}", "template syntax"),
        ("{{ memo.__class__.__mro__ }}", "unsafe"),
        ("{{ ''.__class__.__subclasses__() }}", "unsafe"),
    ],
    ids=["undefined", "syntax", "dunder", "subclasses"],
)
def test_a_broken_or_unsafe_user_template_is_a_clear_error(
    cli: Callable[..., Result], tmp_path: Path, body: str, expected: str
) -> None:
    (tmp_path / "memo.md.j2").write_text(body, encoding="utf-8")
    done = cli("memo", "--example", "first-pilot", "--template-dir", str(tmp_path), "--date", DATE)
    assert done.exit_code == 2, done.output
    assert "Traceback" not in done.output
    assert "memo.md.j2" in done.output
    assert expected in done.output
    if expected == "template syntax":
        assert "memo.md.j2:2:" in done.output


class _Sections:
    """A plugin that adds one section to each place, with text that must come out escaped."""

    @hookimpl
    def advisor_memo_sections(self, context: Any, register: Callable[[Any], None]) -> None:
        register(
            MemoSection(
                id="exit_plan",
                title="Exit plan <b>now</b>",
                paragraphs=(f"Chosen: {context.recommendation}.",),
                items=("keep <i>two</i> vendors' keys",),
                place="consequences",
            )
        )
        register(MemoSection(id="glossary", title="Glossary", items=("RAG: retrieval",)))


class _Raises:
    @hookimpl
    def advisor_memo_sections(self, context: Any, register: Callable[[Any], None]) -> None:
        raise RuntimeError("no memo today")


class _WrongType:
    @hookimpl
    def advisor_memo_sections(self, context: Any, register: Callable[[Any], None]) -> None:
        register({"title": "a dict is not a section"})
        register(MemoSection(id="glossary", title="Glossary again", items=("x",)))


def _with_plugins(monkeypatch: pytest.MonkeyPatch, *plugins: object) -> None:
    real = get_plugin_manager

    def patched(**kwargs: Any) -> Any:
        return real(plugins=[*plugins, *kwargs.pop("plugins", ())], **kwargs)

    monkeypatch.setattr(advisor.plugins, "get_plugin_manager", patched)


def test_plugins_add_memo_sections_in_their_place_escaped(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_plugins(monkeypatch, _Sections())
    md = _memo(cli, "--example", "first-pilot")
    consequences = md.index("### Consequences")
    assert consequences < md.index("#### Exit plan \\<b\\>now\\</b\\>") < md.index("### What would")
    assert "Chosen: api." in md
    assert "* keep \\<i\\>two\\</i\\> vendors' keys" in md
    assert md.index("### Glossary") > md.index("## More Information")
    html = _memo(cli, "--example", "first-pilot", "--format", "html")
    assert '<h4 id="exit_plan">Exit plan &lt;b&gt;now&lt;/b&gt;</h4>' in html
    assert "<li>keep &lt;i&gt;two&lt;/i&gt; vendors&#39; keys</li>" in html


def test_a_failing_memo_plugin_is_named_and_the_memo_still_written(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_plugins(monkeypatch, _Sections(), _Raises(), _WrongType())
    md = _memo(cli, "--example", "first-pilot")
    problems = md.split("### Plugin problems")[1].split("###")[0]
    assert "plugin \\_Raises (advisor_memo_sections): RuntimeError: no memo today" in problems
    assert "expected MemoSection, got dict" in problems
    assert "memo section 'glossary' is already given by plugin \\_Sections; ignored" in problems
    assert "### Glossary" in md and "Glossary again" not in md
    assert "#### Next steps, whatever the option" in md  # the built-in sections still there


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"id": "Bad Id", "title": "t", "items": ("x",)}, "snake_case"),
        ({"id": "ok", "title": " ", "items": ("x",)}, "needs a title"),
        ({"id": "ok", "title": "t"}, "neither paragraphs nor items"),
        ({"id": "ok", "title": "t", "items": "not a list"}, "list of strings"),
        ({"id": "ok", "title": "t", "items": ("x",), "place": "top"}, "place must be"),
    ],
)
def test_a_malformed_memo_section_is_refused_when_made(kwargs: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MemoSection(**kwargs)


def test_next_steps_follow_the_answers(cli: Callable[..., Result]) -> None:
    """Principle 8's steps are worded for the team: no evals yet, user data off limits."""
    hospital = _memo(cli, str(CASES / "hospital-discharge-notes.yaml"))
    steps = hospital.split("#### Next steps, whatever the option")[1].split("####")[0]
    assert "screen outputs for personal or confidential data" in steps
    assert "Load-test the serving stack" in steps
    media = _memo(cli, str(CASES / "media-tagging-at-scale.yaml"))
    steps = media.split("#### Next steps, whatever the option")[1].split("####")[0]
    assert "keep the eval suite growing" in steps
    assert "(the team has 50,000 labelled examples today)" in steps
    assert "Measure the tuned model against the best prompted model" in steps


@settings(max_examples=200, deadline=None)
@given(text=st.text(st.characters(blacklist_categories=("Cs",)), max_size=80))
def test_any_text_survives_the_front_matter_both_ways(text: str) -> None:
    """Whatever a user types comes back from a memo's front matter exactly, in both forms."""
    from advisor.core import memofile

    data = {"status": "proposed", "advisor": {"title": text, "answers": {"pmf": {}}}}
    md = "---\n" + memofile.dump_yaml(data) + "---\n\n# memo\n"
    html = (
        '<!DOCTYPE html>\n<script type="application/json" id="advisor-memo">'
        + memofile.dump_json(data)
        + "</script>\n"
    )
    for name, body in (("m.md", md), ("m.html", html)):
        front = memofile.front_matter(body, Path(name))
        assert front["advisor"]["title"] == text
    assert "<" not in md.split("---\n\n")[0] and "</script" not in html.split("</script>")[0][10:]


def test_compiled_templates_are_kept_in_the_cache_folder(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from advisor.memo import render

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(render, "_ENVIRONMENTS", {})
    first = _memo(cli, "--example", "first-pilot")
    kept = list((tmp_path / "cache" / "advisor" / "templates").iterdir())
    assert kept and all(p.stat().st_size > 0 for p in kept)
    monkeypatch.setattr(render, "_ENVIRONMENTS", {})
    assert _memo(cli, "--example", "first-pilot") == first  # read back from the cache


def test_a_cache_folder_that_cannot_be_written_costs_only_speed(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from advisor.memo import render

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would go", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    monkeypatch.setattr(render, "_ENVIRONMENTS", {})
    assert render._bytecode_cache() is None
    assert "# Internal pilot" in _memo(cli, "--example", "first-pilot")
    from jinja2.bccache import Bucket

    missing = str(tmp_path / "gone")  # a cache folder removed after the start
    bucket = Bucket(jinja2.Environment(), "memo.md.j2", "checksum")
    bucket.code = compile("x = 1", "<memo>", "exec")
    with pytest.raises(OSError):
        jinja2.FileSystemBytecodeCache(missing).dump_bytecode(bucket)
    render._QuietCache(missing).dump_bytecode(bucket)  # gives up without an error
