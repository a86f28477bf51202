"""The wheel: what a user installs holds the three packages, their data files and the entry points.

The wheel is built once for this module, from a copy of the source tree (so the build neither writes
into the checkout nor picks up a stale ``build/`` folder left there by an earlier build).
"""

from __future__ import annotations

import configparser
import email.parser
import re
import shutil
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {"advisor", "advisor_plugins", "advisor_questionnaires"}
BUILT_IN_PLUGINS = {
    "questionnaires": "advisor_plugins.questionnaires",
    "catalogue": "advisor_plugins.catalogue",
    "costs": "advisor_plugins.costs",
    "options": "advisor_plugins.options",
    "facts": "advisor_plugins.facts",
    "pmf": "advisor_plugins.pmf_rules",
    "prompting": "advisor_plugins.prompting_rules",
    "tuning": "advisor_plugins.tuning_rules",
    "evals": "advisor_plugins.eval_rules",
    "privacy": "advisor_plugins.privacy_rules",
    "scale": "advisor_plugins.scale_rules",
    "economics": "advisor_plugins.economics_rules",
    "team": "advisor_plugins.team_rules",
    "hybrid": "advisor_plugins.hybrid_rules",
    "memo": "advisor_plugins.memo_sections",
}
SKIP = shutil.ignore_patterns(
    ".venv",
    ".git",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".mypy_cache",
    ".hypothesis",
)


@pytest.fixture(scope="module")
def wheel(
    tmp_path_factory: pytest.TempPathFactory, pip_offline: Callable[..., None]
) -> Iterator[zipfile.ZipFile]:
    source = tmp_path_factory.mktemp("source") / "advisor"
    shutil.copytree(ROOT, source, ignore=SKIP)
    out = tmp_path_factory.mktemp("wheel")
    pip_offline("wheel", "-w", str(out), str(source))
    (built,) = out.glob("advisor-*.whl")
    with zipfile.ZipFile(built) as archive:
        yield archive


def _names(wheel: zipfile.ZipFile) -> set[str]:
    return set(wheel.namelist())


def _dist_info(wheel: zipfile.ZipFile) -> str:
    (folder,) = {
        n.split("/")[0] for n in wheel.namelist() if n.split("/")[0].endswith(".dist-info")
    }
    return folder


def test_top_level_names_are_the_three_packages(wheel: zipfile.ZipFile) -> None:
    top = {name.split("/")[0] for name in _names(wheel)}
    dist_info = _dist_info(wheel)
    assert re.fullmatch(r"advisor-\d+\.\d+\.\d+[^/]*\.dist-info", dist_info)
    assert top == PACKAGES | {dist_info}


def test_source_folder_names_are_not_packages(wheel: zipfile.ZipFile) -> None:
    top = {name.split("/")[0] for name in _names(wheel)}
    assert "plugins" not in top
    assert "questionnaires" not in top
    assert "tests" not in top


def test_every_module_of_the_source_is_in_the_wheel(wheel: zipfile.ZipFile) -> None:
    names = _names(wheel)
    for folder, package in (
        ("advisor", "advisor"),
        ("plugins", "advisor_plugins"),
        ("questionnaires", "advisor_questionnaires"),
    ):
        for module in (ROOT / folder).rglob("*.py"):
            # A folder with its own pyproject.toml is a distribution of its own (plugins/advisor-buy).
            if any(
                (p / "pyproject.toml").is_file()
                for p in module.parents
                if ROOT / folder in p.parents
            ):
                continue
            inside = module.relative_to(ROOT / folder).as_posix()
            assert f"{package}/{inside}" in names, f"{package}/{inside}"


def test_questionnaires_are_inside(wheel: zipfile.ZipFile) -> None:
    names = _names(wheel)
    for section in ("pmf", "privacy", "scale", "cost"):
        assert f"advisor_questionnaires/{section}.yaml" in names
    shipped = {f"advisor_questionnaires/{p.name}" for p in (ROOT / "questionnaires").glob("*.yaml")}
    assert shipped <= names


def test_example_files_are_inside(wheel: zipfile.ZipFile) -> None:
    names = _names(wheel)
    for folder, package in (
        (ROOT / "plugins" / "examples", "advisor_plugins/examples"),
        (ROOT / "advisor" / "examples", "advisor/examples"),
    ):
        shipped = {f"{package}/{p.name}" for p in folder.glob("*.yaml")}
        assert shipped, folder
        assert shipped <= names
    assert "advisor/examples/first-pilot.yaml" in names
    assert "advisor_plugins/examples/pmf.yaml" in names


def test_data_files_are_byte_for_byte_the_sources(wheel: zipfile.ZipFile) -> None:
    for name in ("pmf", "privacy", "scale", "cost"):
        packed = wheel.read(f"advisor_questionnaires/{name}.yaml")
        assert packed == (ROOT / "questionnaires" / f"{name}.yaml").read_bytes()


def _entry_points(wheel: zipfile.ZipFile) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(wheel.read(f"{_dist_info(wheel)}/entry_points.txt").decode("utf-8"))
    return parser


def test_entry_points_name_the_built_in_plugins(wheel: zipfile.ZipFile) -> None:
    group = dict(_entry_points(wheel)["advisor"])
    assert {k: v.strip() for k, v in group.items()} == BUILT_IN_PLUGINS
    names = _names(wheel)
    for target in BUILT_IN_PLUGINS.values():
        assert target.replace(".", "/") + ".py" in names, target


def test_console_script_is_advisor(wheel: zipfile.ZipFile) -> None:
    scripts = dict(_entry_points(wheel)["console_scripts"])
    assert {k: v.strip() for k, v in scripts.items()} == {"advisor": "advisor.cli:run"}


def test_metadata_names_the_project_and_its_dependencies(wheel: zipfile.ZipFile) -> None:
    import advisor

    text = wheel.read(f"{_dist_info(wheel)}/METADATA").decode("utf-8")
    metadata = email.parser.Parser().parsestr(text)
    assert metadata["Name"] == "advisor"
    assert metadata["Version"] == advisor.__version__
    required = {
        re.split(r"[<>=!;\[ ]", r, maxsplit=1)[0] for r in metadata.get_all("Requires-Dist")
    }
    assert {"pluggy", "pydantic", "click", "ruamel.yaml", "rich"} <= required
