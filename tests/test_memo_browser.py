"""The HTML memo in a real browser: `advisor memo FILE -o OUT.html`, loaded in headless Chromium.

The memos are written through the CLI entry point, then Chromium dumps the DOM after load and
takes a screenshot. The checks: the recommendation and the charts are in the rendered page, the
page paints (the stylesheet and the charts' colours are in the screenshot), the page logs nothing
to the console (it has no script of its own, so any console line is a CSP violation or an error),
hostile answer text stays text, and nothing is fetched from the network.

Chromium is Debian's `chromium`; `.ci/run` installs it. Without it the tests are skipped, except
under CI (the CI environment variable set), where they fail.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import struct
import subprocess
import zlib
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from advisor.cli import main

CASES = Path(__file__).parent / "cases"
DATE = "2026-11-24"
TIMEOUT = 60  # seconds for one browser run; a hung browser fails the test instead of blocking
WINDOW = (1000, 2400)  # tall enough for the score chart, below the drivers each named in words
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"

# The rendered cases; media and hospital carry full cost data, so both charts are drawn.
EXPECTED = {
    "media-tagging-at-scale": ("fine_tune", "Fine-tune a model", 2),
    "hospital-discharge-notes": ("self_host", "Self-host an open model", 2),
}
CASE_NAMES = sorted(p.stem for p in CASES.glob("*.yaml"))
PAGES = [*CASE_NAMES, "hostile"]
SHOTS = ["media-tagging-at-scale", "hospital-discharge-notes"]

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
]

# What the page itself logs. Chromium writes every console message as INFO:CONSOLE whatever its
# level (console.error included), and the memo runs no script, so any CONSOLE line is a problem.
PAGE_PROBLEM = re.compile(
    r"CONSOLE|Uncaught|Refused to|Content Security Policy|Failed to load resource|alert\(",
    re.IGNORECASE,
)


def _find_chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _require_chromium() -> str:
    exe = _find_chromium()
    if exe is not None:
        return exe
    if os.environ.get("CI"):
        pytest.fail(
            "chromium is not installed but CI is set: .ci/run should have installed it "
            "(apt-get install --no-install-recommends chromium)"
        )
    pytest.skip("chromium is not installed (apt-get install chromium): no browser to load memos in")


def console_problems(stderr: str) -> list[str]:
    """The lines of Chromium's log that report something from the page; D-Bus noise left out."""
    return [
        line
        for line in stderr.splitlines()
        if PAGE_PROBLEM.search(line) and "dbus" not in line.lower()
    ]


@dataclass
class Run:
    stdout: str
    stderr: str


def run_chromium(exe: str, profile: Path, *args: str) -> Run:
    """One headless Chromium run in its own process group, killed whole on timeout."""
    profile.mkdir(parents=True, exist_ok=True)
    command = [exe, *FLAGS, f"--user-data-dir={profile}", *args]
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"chromium did not finish within {TIMEOUT} s: {args}\n{err[-3000:]}")
    assert proc.returncode == 0, f"chromium exited {proc.returncode}: {args}\n{err[-3000:]}"
    return Run(out, err)


# --- the rendered DOM, parsed with the standard library -----------------------------------------


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""


class Dom(HTMLParser):
    """Every element of a serialized DOM, with the text inside it."""

    VOID = frozenset(
        {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
        | {"track", "wbr"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.elements.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i].tag == tag:
                del self._open[i:]
                return

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data

    def tags(self, tag: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag]

    def by_id(self, ident: str) -> Element:
        found = [e for e in self.elements if e.attrs.get("id") == ident]
        assert len(found) == 1, f"{len(found)} elements with id={ident!r}"
        return found[0]


def parse(html: str) -> Dom:
    dom = Dom()
    dom.feed(html)
    dom.close()
    return dom


# --- PNG, read with struct and zlib -------------------------------------------------------------


def png_chunks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    pos = 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in the {kind!r} chunk"
        yield kind, body
        pos += 12 + length


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the pixels (RGB bytes) of an 8-bit RGB or RGBA non-interlaced PNG."""
    chunks = list(png_chunks(data))
    assert chunks[0][0] == b"IHDR"
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride = width * bpp
    assert len(raw) == height * (stride + 1), "IDAT holds the wrong number of bytes"
    prev = bytearray(stride)
    rows: list[bytes] = []
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        if kind == 1:  # Sub
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif kind == 2:  # Up
            line = bytearray((a + b) & 255 for a, b in zip(line, prev, strict=True))
        elif kind == 3:  # Average
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + (left + prev[i]) // 2) & 255
        elif kind == 4:  # Paeth
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        else:
            assert kind == 0, f"unknown PNG filter {kind} in row {y}"
        rows.append(bytes(line))
        prev = line
    pixels = [row[i : i + 3] for row in rows for i in range(0, stride, bpp)]
    return width, height, pixels


# --- fixtures: one rendered memo and one browser run per page, shared by the module --------------


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every worked case, and a hostile one, written as HTML by `advisor memo` itself."""
    folder = tmp_path_factory.mktemp("memos")
    media = (CASES / "media-tagging-at-scale.yaml").read_text(encoding="utf-8")
    hostile = folder / "hostile.yaml"
    # JSON strings are YAML scalars; the answers are the media case's, so both charts are drawn.
    hostile.write_text(
        f"title: {json.dumps(HOSTILE)}\nwhy: {json.dumps(HOSTILE)}\n"
        + media[media.index("answers:") :],
        encoding="utf-8",
    )
    sources = {name: CASES / f"{name}.yaml" for name in CASE_NAMES} | {"hostile": hostile}
    runner = CliRunner()
    written = {}
    for name, source in sources.items():
        out = folder / f"{name}.html"
        result = runner.invoke(main, ["memo", str(source), "-o", str(out), "--date", DATE])
        assert result.exit_code == 0, (name, result.output, result.exception)
        written[name] = out
    return written


@pytest.fixture(scope="module")
def loaded(
    pages: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Run, Dom]]:
    """Each page's DOM after load (--dump-dom), with Chromium's log. Empty without Chromium."""
    exe = _find_chromium()
    if exe is None:
        return {}
    profiles = tmp_path_factory.mktemp("profiles")

    def load(name: str) -> tuple[Run, Dom]:
        run = run_chromium(exe, profiles / f"dom-{name}", "--dump-dom", pages[name].as_uri())
        return run, parse(run.stdout)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(PAGES, pool.map(load, PAGES), strict=True))


@pytest.fixture(scope="module")
def shots(
    pages: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Run, Path]]:
    """A screenshot of each page in SHOTS at WINDOW, with Chromium's log. Empty without Chromium."""
    exe = _find_chromium()
    if exe is None:
        return {}
    folder = tmp_path_factory.mktemp("shots")

    def shoot(name: str) -> tuple[Run, Path]:
        png = folder / f"{name}.png"
        run = run_chromium(
            exe,
            folder / f"profile-{name}",
            f"--screenshot={png}",
            f"--window-size={WINDOW[0]},{WINDOW[1]}",
            "--hide-scrollbars",
            pages[name].as_uri(),
        )
        return run, png

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(SHOTS, pool.map(shoot, SHOTS), strict=True))


# --- the tests ----------------------------------------------------------------------------------


def test_console_problems_are_seen(tmp_path: Path) -> None:
    """The log check is not vacuous: a page that errs and breaks its CSP shows up in it."""
    exe = _require_chromium()
    page = tmp_path / "broken.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; img-src data:\"></head><body><p>x</p>"
        '<img src="http://127.0.0.1:9/x.png"><script>undefinedFunction()</script>'
        "</body></html>",
        encoding="utf-8",
    )
    run = run_chromium(exe, tmp_path / "profile", "--dump-dom", page.as_uri())
    problems = console_problems(run.stderr)
    assert any("Content Security Policy" in line for line in problems), run.stderr[-3000:]
    assert "<p>x</p>" in run.stdout


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_without_console_errors(name: str, loaded: dict[str, tuple[Run, Dom]]) -> None:
    _require_chromium()
    run, dom = loaded[name]
    assert console_problems(run.stderr) == []
    assert dom.tags("main"), "the DOM after load has no <main>"
    policy = [e for e in dom.tags("meta") if e.attrs.get("http-equiv") == "Content-Security-Policy"]
    assert len(policy) == 1 and "default-src 'none'" in policy[0].attrs["content"]


@pytest.mark.parametrize("name", CASE_NAMES)
def test_recommendation_and_charts_render(name: str, loaded: dict[str, tuple[Run, Dom]]) -> None:
    _require_chromium()
    _, dom = loaded[name]
    record = json.loads(dom.by_id("advisor-memo").text)
    chosen = record["advisor"]["recommendation"]
    summary = dom.by_id("recommendation")
    assert summary.tag == "p" and "summary" in summary.attrs["class"].split()
    assert summary.text.startswith("Recommendation: ")
    assert f"({chosen})" in summary.text, (chosen, summary.text)
    charts = dom.tags("svg")
    assert charts, "no chart in the page"
    assert dom.tags("rect"), "the score chart has no bars"
    if name in EXPECTED:
        option, label, count = EXPECTED[name]
        assert chosen == option
        assert f"{label} ({option})" in summary.text, summary.text
        assert len(charts) == count
        assert len(dom.tags("polyline")) == 3, "the cost chart has one line per option"
        assert all(e.attrs.get("role") == "img" and e.attrs.get("aria-label") for e in charts)


@pytest.mark.parametrize("name", SHOTS)
def test_screenshot_is_painted(name: str, shots: dict[str, tuple[Run, Path]]) -> None:
    _require_chromium()
    run, png = shots[name]
    assert console_problems(run.stderr) == []
    assert png.is_file(), f"no screenshot written\n{run.stderr[-3000:]}"
    width, height, pixels = png_pixels(png.read_bytes())
    assert (width, height) == WINDOW
    colours = Counter(pixels)
    white = colours[b"\xff\xff\xff"]
    assert len(colours) > 50, f"only {len(colours)} colours: a blank page?"
    assert white < 0.97 * len(pixels), f"{white / len(pixels):.1%} of the page is white"
    # The stylesheet applies: the body text colour and the summary box's wash are painted.
    for hex_colour in ("1b1f24", "f6f8fa"):
        assert colours[bytes.fromhex(hex_colour)] > 1000, f"#{hex_colour} not painted"
    if name == "media-tagging-at-scale":
        # The score chart's bars, in the options' colours, are within the window.
        for hex_colour in ("1a7f37", "bc4c00", "0969da"):
            assert colours[bytes.fromhex(hex_colour)] > 300, f"bar colour #{hex_colour} missing"


def test_hostile_text_stays_text(loaded: dict[str, tuple[Run, Dom]]) -> None:
    _require_chromium()
    run, dom = loaded["hostile"]
    problems = [line for line in run.stderr.splitlines() if "alert" in line.lower()]
    assert console_problems(run.stderr) == [] and problems == []
    scripts = dom.tags("script")
    assert [(e.attrs.get("type"), e.attrs.get("id")) for e in scripts] == [
        ("application/json", "advisor-memo")
    ]
    assert dom.tags("img") == []
    assert not [e for e in dom.elements if any(k.startswith("on") for k in e.attrs)]
    assert dom.tags("h1")[0].text.startswith(HOSTILE), "the title is not shown as text"
    assert any(e.text.strip() == HOSTILE for e in dom.tags("p")), "`why` is not shown as text"
    record = json.loads(scripts[0].text)
    assert record["advisor"]["title"] == HOSTILE
    assert record["advisor"]["why"] == HOSTILE


EXTERNAL = {
    "src= to the network": re.compile(r"""\ssrc\s*=\s*["']?\s*(?:https?:)?//""", re.I),
    "<link href= to the network": re.compile(
        r"""<link\b[^>]*\shref\s*=\s*["']?\s*(?:https?:)?//""", re.I
    ),
    "url() to the network": re.compile(r"""url\(\s*["']?\s*(?:https?:)?//""", re.I),
    "@import": re.compile(r"@import", re.I),
    "javascript: link": re.compile(r"""\shref\s*=\s*["']?\s*javascript:""", re.I),
}


@pytest.mark.parametrize("name", PAGES)
def test_nothing_is_fetched(name: str, pages: dict[str, Path]) -> None:
    html = pages[name].read_text(encoding="utf-8")
    found = {what: rx.findall(html) for what, rx in EXTERNAL.items() if rx.search(html)}
    assert found == {}
    assert not re.search(r"<script(?![^>]*type=\"application/json\")", html, re.I)
