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
TEMPLATES = TESTS.parent / "advisor" / "render" / "memo" / "templates"
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
    sources = text.split("### Sources")[1].split("###")[0]
    assert fired
    for item in fired:
        assert f"`{item['id']}`" in text
        assert f"`{item['id']}`" in sources  # under Sources, with what the rule cites
    # Each work the rules cite is named once, with the rules that cite it, not once per rule.
    rules = sources.split("The figures the bills used")[0]
    assert rules.count("What We Learned from a Year of Building with LLMs") == 1
    assert rules.count("(docs/principles.md)") == 1
    assert "* `PRE001` takes from it: BloombergGPT" in rules


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
    needs = 'needs the answer to "Which hosted model would you call?"'
    assert f"| Call a hosted API | - | - | - | - | - | - | - | {needs} |" in md
    html = _memo(cli, "--example", "first-pilot", "--format", "html")
    assert "No chart: the cost chart needs the answer to &#34;Which hosted model" in html
    assert html.count("<svg") == 1  # the score chart only


def test_html_memo_is_self_contained_and_has_both_charts(cli: Callable[..., Result]) -> None:
    html = _memo(cli, str(CASES / "media-tagging-at-scale.yaml"), "--format", "html")
    assert html.count("<svg") == 2
    assert "your volume: 30M calls/month" in html
    assert "Self-host an open model breaks even: 3.11M" in html
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
    from advisor.core.answers import memofile

    # A plan's steps are a list of mappings holding lists of mappings and of scalars.
    step = {"step": text, "when": [{"question": text, "reaches": [text, 1]}, {"at_least": 3}]}
    plan = [step, {"step": "b", "option": None, "when": []}]
    data = {"status": "proposed", "advisor": {"title": text, "plan": plan, "answers": {"pmf": {}}}}
    md = "---\n" + memofile.dump_yaml(data) + "---\n\n# memo\n"
    html = (
        '<!DOCTYPE html>\n<script type="application/json" id="advisor-memo">'
        + memofile.dump_json(data)
        + "</script>\n"
    )
    for name, body in (("m.md", md), ("m.html", html)):
        front = memofile.front_matter(body, Path(name))
        assert front["advisor"]["title"] == text
        assert front["advisor"]["plan"] == plan
    assert "<" not in md.split("---\n\n")[0] and "</script" not in html.split("</script>")[0][10:]


def test_compiled_templates_are_kept_in_the_cache_folder(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from advisor.render.memo import render

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
    from advisor.render.memo import render

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


# --- the HTML cost chart -------------------------------------------------------------------------

CHAR, ASCENT, DESCENT = (
    7.2,
    10,
    3,
)  # a 12 px label's box, as advisor/render/memo/charts.py places it
UNITS = {"k": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}


def _cost_svg(html: str) -> str:
    """The cost chart: the figure after the costs table."""
    costs = html.split("<h3>Costs</h3>")[1].split("<h3>Consequences</h3>")[0]
    return costs.split("<svg", 1)[1].split("</svg>", 1)[0]


def _texts(svg: str) -> list[dict[str, Any]]:
    found = []
    for attrs, text in re.findall(r"<text([^>]*)>([^<]*)</text>", svg):
        read = dict(re.findall(r'([a-z-]+)="([^"]*)"', attrs))
        found.append({**read, "text": text.replace("&#39;", "'").replace("&amp;", "&")})
    return found


def _label_box(text: dict[str, Any]) -> tuple[float, float, float, float]:
    """The box a label takes: its characters' width by its font's height, turned with it."""
    x, y, width = float(text["x"]), float(text["y"]), CHAR * len(text["text"])
    anchor = text.get("text-anchor", "start")
    start = x if anchor == "start" else x - width if anchor == "end" else x - width / 2
    if "rotate(-90" in text.get("transform", ""):  # turned to run upwards from its anchor
        bottom = y if anchor == "start" else y + width if anchor == "end" else y + width / 2
        return (x - ASCENT, bottom - width, x + DESCENT, bottom)
    return (start, y - ASCENT, start + width, y + DESCENT)


def _overlap(one: tuple[float, ...], other: tuple[float, ...]) -> bool:
    return one[0] < other[2] and other[0] < one[2] and one[1] < other[3] and other[1] < one[3]


def _count(label: str) -> float:
    """A tick's label read back as a number: ``100k``, ``1B``."""
    return float(label[:-1]) * UNITS[label[-1]] if label[-1] in UNITS else float(label)


COST_CHARTS = CASE_NAMES  # those without a cost chart (no hosted model named) are skipped


@pytest.mark.parametrize("case", COST_CHARTS)
def test_the_cost_chart_spans_the_volumes_that_decide(
    cli: Callable[..., Result], case: str
) -> None:
    """The x axis runs from the decade below the smallest of the team's volume and the break-even
    volumes to the decade above the largest; the y axis fits the bills over it; both have titles."""
    import json
    import math

    path = str(CASES / f"{case}.yaml")
    data = json.loads(cli("recommend", path, "--format", "json").stdout)
    html = _memo(cli, path, "--format", "html")
    if "No chart:" in html.split("<h3>Costs</h3>")[1].split("<h3>Consequences</h3>")[0]:
        pytest.skip("no cost chart for this case")
    svg = _cost_svg(html)
    texts = _texts(svg)
    from advisor import build_registry, load_answers

    volume = load_answers(path, build_registry()).values["scale.requests_per_month"]
    crossings = [
        x["requests_per_month"]
        for x in (data["break_even"] or {}).values()
        if x and x["requests_per_month"]
    ]
    marked = [volume, *crossings]
    ticks = [_count(t["text"]) for t in texts if t.get("y") == "294"]  # the x ticks' row
    low, high = min(ticks), max(ticks)
    assert low == 10 ** math.floor(math.log10(min(marked) / 10))
    assert high == 10 ** math.ceil(math.log10(max(marked) * 10))
    assert low <= min(marked) / 10 and max(marked) * 10 <= high  # the volumes that decide inside
    assert high / low <= 10 ** (math.log10(max(marked) / min(marked)) + 4)  # and not much more
    titles = {t["text"]: t for t in texts}
    assert "calls a month" in titles
    assert "rotate(-90" in titles["cost a month, USD"]["transform"]
    # The bills fill the height: the lines reach within a fifth of the top and of the bottom.
    top, bottom = 16.0, 276.0
    ys = [
        float(p.split(",")[1])
        for line in re.findall(r'points="([^"]*)"', svg)
        for p in line.split()
    ]
    assert min(ys) - top < (bottom - top) / 5 and bottom - max(ys) < (bottom - top) / 5


def _with_volume(tmp_path: Path, case: str, volume: int) -> Path:
    body = (CASES / f"{case}.yaml").read_text(encoding="utf-8")
    body = re.sub(r"requests_per_month: \d+", f"requests_per_month: {volume}", body)
    path = tmp_path / f"{case}-{volume}.yaml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("case", "volume"),
    [
        *((c, 0) for c in COST_CHARTS),
        ("hospital-discharge-notes", 600_000),  # the volume between the two break-even lines
        ("hospital-discharge-notes", 1_000_000),  # on top of fine-tuning's
        ("media-tagging-at-scale", 4_000_000),  # between self-hosting's and fine-tuning's
    ],
)
def test_no_two_labels_of_the_cost_chart_overlap(
    cli: Callable[..., Result], tmp_path: Path, case: str, volume: int
) -> None:
    path = _with_volume(tmp_path, case, volume) if volume else CASES / f"{case}.yaml"
    html = _memo(cli, str(path), "--format", "html")
    if "No chart:" in html.split("<h3>Costs</h3>")[1].split("<h3>Consequences</h3>")[0]:
        pytest.skip("no cost chart for this case")
    svg = _cost_svg(html)
    size = re.search(r'viewBox="0 0 (\S+) (\S+)"', svg)
    assert size is not None
    width, height = float(size.group(1)), float(size.group(2))
    texts = _texts(svg)
    boxes = [(t["text"], _label_box(t)) for t in texts]
    for text, box in boxes:  # inside the chart
        assert box[0] >= 0 and box[1] >= 0 and box[2] <= width and box[3] <= height, text
    for i, (one, box) in enumerate(boxes):
        for other, second in boxes[i + 1 :]:
            assert not _overlap(box, second), (one, other)
    assert any(t["text"].startswith("your volume:") for t in texts)
    assert all(t["text"] for t in texts)


# --- the answers counted, and the ones not given ---------------------------------------------------


class _Asks:
    """A plugin that asks two questions more: one always, one only after a yes to the first."""

    @hookimpl
    def advisor_sections(self, register: Callable[[Any], None]) -> None:
        from advisor import Question, Section

        register(
            Section(
                id="vendor_review",
                title="Vendor review",
                order=60,
                questions=(
                    Question(
                        id="done",
                        prompt="Has procurement reviewed the vendor?",
                        why="A review names the terms the contract needs (principle 6).",
                        type="bool",
                    ),
                    Question(
                        id="findings",
                        prompt="How many findings did the review raise?",
                        why="Open findings hold the contract back (principle 6).",
                        type="int",
                        minimum=0,
                        visible_if={"vendor_review.done": (True,)},
                    ),
                ),
            )
        )


def _every_question_answered(registry: Any, extra: dict[str, Any]) -> dict[str, Any]:
    """Answers to every question the questionnaire asks under them (those it does not ask left
    out), starting from a worked case's."""
    from advisor import load_answers

    values = {**load_answers(CASES / "eu-insurer-claims.yaml", registry).values, **extra}
    for qid, q in registry.questions.items():
        if qid in values:
            continue
        if q.type == "choice":
            values[qid] = q.choice_values[0]
        elif q.type == "multi_choice":
            values[qid] = [q.choice_values[0]]
        elif q.type == "bool":
            values[qid] = False
        elif q.type in ("int", "number"):
            values[qid] = q.default if q.default is not None else max(q.minimum or 0, 1)
    asked = {k: v for k, v in values.items() if v is not None}
    return {k: v for k, v in asked.items() if registry.questions[k].is_visible(asked)}


def _answers_file(tmp_path: Path, values: dict[str, Any]) -> Path:
    import json

    nested: dict[str, dict[str, Any]] = {}
    for qid, value in values.items():
        section, name = qid.split(".", 1)
        nested.setdefault(section, {})[name] = value
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"title": "Every question", "answers": nested}), encoding="utf-8")
    return path


def test_a_question_not_asked_is_not_counted_and_every_answer_given_is_said(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plugin's question that these answers do not ask (its visible_if not met) is neither
    counted nor listed; with every question asked answered, the memo says so, and the count
    agrees."""
    from advisor import build_registry

    _with_plugins(monkeypatch, _Asks())
    registry = build_registry(advisor.plugins.get_plugin_manager())
    assert not registry.faults, [f.render() for f in registry.faults]
    assert "vendor_review.findings" in registry.questions
    values = _every_question_answered(registry, {"vendor_review.done": False})
    assert "vendor_review.findings" not in values  # not asked after a no
    md = _memo(cli, str(_answers_file(tmp_path, values)))
    asked = len(values)
    assert asked < len(registry.questions)
    assert f"{asked} of the {asked} questions asked are answered" in md
    assert "* Every question was answered." in md
    assert "How many findings did the review raise" not in md.split("### Answers")[0]
    html = _memo(cli, str(_answers_file(tmp_path, values)), "--format", "html")
    assert f"{asked} of the {asked} questions asked are answered" in html
    assert "<li>Every question was answered.</li>" in html


def test_a_question_left_unanswered_is_named_by_its_prompt_and_counted(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from advisor import build_registry

    _with_plugins(monkeypatch, _Asks())
    registry = build_registry(advisor.plugins.get_plugin_manager())
    assert not registry.faults, [f.render() for f in registry.faults]
    values = _every_question_answered(registry, {"vendor_review.done": True})
    values.pop("vendor_review.findings")  # asked after a yes, and not answered
    values.pop("pmf.domain_gap")
    md = _memo(cli, str(_answers_file(tmp_path, values)))
    asked = len(values) + 2
    assert f"{asked - 2} of the {asked} questions asked are answered" in md
    assert "Every question was answered" not in md
    open_questions = md.split("### Assumptions and open questions")[1].split("###")[0]
    assert (
        "* Not answered: How many findings did the review raise (`vendor_review.findings`)"
        in open_questions
    )
    assert (
        "* Not answered: Does the task need knowledge or formats absent from open training data"
        in open_questions
    )
    assert open_questions.count("* Not answered:") == 2
    html = _memo(cli, str(_answers_file(tmp_path, values)), "--format", "html")
    assert "Every question was answered" not in html
    assert "<li>Not answered: How many findings did the review raise" in html


def test_the_built_in_cases_count_only_the_questions_they_ask(cli: Callable[..., Result]) -> None:
    md = _memo(cli, str(CASES / "media-tagging-at-scale.yaml"))  # public data: no regimes asked
    count = re.search(r"(\d+) of the (\d+) questions asked are answered", md)
    assert count is not None
    listed = md.split("### Assumptions and open questions")[1].split("###")[0]
    assumed = listed.count("* Assumed")
    missing = listed.count("* Not answered:")
    assert int(count.group(1)) + assumed + missing == int(count.group(2))
    assert "Every question was answered" not in md


# --- labels where people read, ids only where they are ids -----------------------------------------


def _prose_md(md: str) -> str:
    """A Markdown memo without its front matter and with code spans (ids, codes) taken out."""
    body = md.split("\n---\n", 1)[1]
    return re.sub(r"`[^`]*`", "", body)


def _prose_html(html: str) -> str:
    """An HTML memo without the embedded answers, the styles and code elements."""
    body = re.sub(r"<script.*?</script>|<style>.*?</style>|<code>.*?</code>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


@pytest.mark.parametrize(
    "case", ["eu-insurer-claims", "media-tagging-at-scale", "hospital-discharge-notes"]
)
def test_the_prose_shows_labels_not_ids_lists_or_booleans(
    cli: Callable[..., Result], registry: Any, case: str
) -> None:
    """Multi-choice answers (the privacy regimes) and yes/no answers read as people say them, and
    the parts the memo words itself (drivers, costs, flips, revisit, assumptions, answers) name no
    question, choice or option by its id outside a code span."""
    path = str(CASES / f"{case}.yaml")
    md = _memo(cli, path)
    html = _memo(cli, path, "--format", "html")
    ids = {
        str(c.value) for q in registry.questions.values() for c in q.choices if "_" in str(c.value)
    } | {oid for oid in registry.options if "_" in oid}
    worded = re.compile(r"\b(" + "|".join(sorted(ids)) + r")\b")
    for prose in (_prose_md(md), _prose_html(html)):
        assert "['" not in prose and "[gdpr" not in prose and "\\[gdpr" not in prose
        found = re.findall(r".{0,60}\b(?:true|false|True|False)\b.{0,20}", prose)
        assert not found, found
        assert not re.search(r"\b(pmf|privacy|scale|cost)\.[a-z_]+\b", prose)
    body = _prose_md(md)
    for heading in (
        "## Decision Drivers",
        "### Costs",
        "### What would change the decision",
        "### When to revisit",
        "### Assumptions and open questions",
        "### Answers",
    ):
        part = body.split(heading)[1].split("\n#")[0]
        assert not worded.search(part), (heading, worded.findall(part))
    if case == "eu-insurer-claims":
        assert "* Which regulations apply: **GDPR (EU personal data)** (`privacy.regimes`)" in md
        assert "* May user data be used to train or fine-tune a model: **no**" in md
        assert "* Do you have an eval suite that can tell whether a change helps: **yes**" in md
        assert "<li>Which regulations apply: <strong>GDPR (EU personal data)</strong>" in html


# --- the revisit date: a month at the soonest ------------------------------------------------------


def test_a_revisit_days_away_is_given_as_one_in_a_month(cli: Callable[..., Result]) -> None:
    """gpt-4o-mini is shut down on 2027-01-14: a memo of the insurer dated 2027-01-11 would
    revisit in three days; it revisits a calendar month after its date instead, saying why. The
    media company's own recommendation is not the API, so the same shutdown is an event to look
    sooner, given as one in a month too."""
    done = cli("memo", str(CASES / "eu-insurer-claims.yaml"), "--date", "2027-01-11")
    assert done.exit_code == 0, done.output
    md = done.stdout
    assert 'revisit: "2027-02-11"' in md  # the front matter, which `advisor log` reads
    assert "Revisit by 2027-02-11." in md
    revisit = md.split("### When to revisit")[1].split("##")[0]
    assert revisit.strip().startswith(
        "By 2027-02-11: in a month, the soonest the advisor sets a revisit (one sooner is "
        "noise): OpenAI GPT-4o mini is shut down on 2027-01-14"
    )
    done = cli("memo", str(CASES / "media-tagging-at-scale.yaml"), "--date", "2027-01-11")
    sooner = done.stdout.split("### When to revisit")[1].split("##")[0]
    assert "* in a month (2027-02-11), the soonest the advisor sets a revisit" in sooner
    assert "by 2027-01-14" not in sooner
    # A week earlier the shutdown is more than a month away, and it is the date.
    early = _memo(cli, str(CASES / "eu-insurer-claims.yaml"))
    assert "Revisit by 2027-01-14." in early
