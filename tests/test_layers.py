"""The import contract: the advisor's packages form layers that import downward only, with no
cycle between modules, imports inside functions included.

From the bottom: ``errors``, ``hookspecs`` and ``version``; ``core``, itself in layers (``base``:
numbers, YAML, files, dates, the guard, conditions, labels; ``answers``: questionnaires, answers
files, the memo-file format, overrides; ``decision``: rules, policies, the registry, the engine;
``exploration``: flips, revisit dates, confidence; ``evaluation``, which puts them together; and
``records``: cases, the decision log, diffs); ``costs`` (the catalogue, hosted prices,
capacity, bills, sweeps); ``plugins`` (finding and loading them); every output but the UI
(``render``: the JSON, the text, the memo; and ``terminal``); the terminal UI (``tui``); the command line (``cli``); and on top the
package itself, ``__main__`` and the pytest plugin ``testing``. An import under ``if
TYPE_CHECKING:`` is for the type checker only, never run, and is not counted.

Besides, ``core`` and ``costs`` import no UI, rendering or command-line library.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "advisor"
LAYERS = [
    ("advisor.errors", "advisor.hookspecs", "advisor.version"),
    ("advisor.core", "advisor.core.base"),
    ("advisor.core.answers",),
    ("advisor.core.decision",),
    ("advisor.core.exploration",),
    ("advisor.core.evaluation",),
    ("advisor.core.records",),
    ("advisor.costs",),
    ("advisor.plugins",),
    ("advisor.render", "advisor.terminal"),
    ("advisor.tui",),
    ("advisor.cli",),
    ("advisor", "advisor.__main__", "advisor.testing"),
]
NOT_BELOW_OUTPUT = ("textual", "rich", "jinja2", "click")  # what core and costs never import


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def layer(module: str) -> int:
    """The layer of a module: the longest prefix named in LAYERS."""
    best, depth = -1, -1
    for index, names in enumerate(LAYERS):
        for name in names:
            matches = module == name or module.startswith(name + ".")
            if matches and len(name) > depth and not (name == "advisor" and module != name):
                best, depth = index, len(name)
    if best < 0:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS in {__file__}")
    return best


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(module: str, path: Path) -> list[tuple[str, int]]:
    """Every module a module imports when it runs, anywhere in it, with the line."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            for alias in node.names:  # `from advisor.core import engine` imports a module
                whole = f"{target}.{alias.name}"
                found.append((whole if whole in MODULES else target, node.lineno))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def _within(name: str) -> str | None:
    """The advisor module an imported name belongs to, or None for another library."""
    while name not in MODULES and "." in name:
        name = name.rpartition(".")[0]
    return name if name in MODULES else None


def graph() -> dict[str, dict[str, int]]:
    """Each module's imports of the advisor's modules, with the line of each."""
    out: dict[str, dict[str, int]] = {}
    for module, path in MODULES.items():
        edges: dict[str, int] = {}
        for name, line in imports_of(module, path):
            target = _within(name)
            if target is not None and target != module:
                edges.setdefault(target, line)
        out[module] = edges
    return out


def cycles(edges: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    item = stack.pop()
                    on_stack.discard(item)
                    group.append(item)
                    if item == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def test_every_module_imports_only_its_own_layer_or_those_below() -> None:
    upward = [
        f"{MODULES[module].relative_to(PACKAGE.parent)}:{line}: {module} imports {target}"
        for module, edges in graph().items()
        for target, line in edges.items()
        if layer(target) > layer(module)
    ]
    assert upward == [], "\n".join(upward)


def test_no_modules_import_each_other_round_in_a_cycle() -> None:
    found = cycles(graph())
    assert found == [], "\n".join(" <-> ".join(group) for group in found)


@pytest.mark.parametrize("package", ["advisor.core", "advisor.costs"])
def test_the_engine_and_the_cost_model_import_no_ui_rendering_or_cli(package: str) -> None:
    used = [
        f"{MODULES[module].relative_to(PACKAGE.parent)}:{line}: {name}"
        for module, path in MODULES.items()
        if module.startswith(package)
        for name, line in imports_of(module, path)
        if name.split(".")[0] in NOT_BELOW_OUTPUT
    ]
    assert used == [], "\n".join(used)


def test_the_contract_sees_an_upward_import_and_a_cycle() -> None:
    """The checks above find what they look for: on a made-up graph, the cycle and the import."""
    made_up = {"advisor.core.a": {"advisor.core.b": 1}, "advisor.core.b": {"advisor.core.a": 2}}
    assert cycles(made_up) == [["advisor.core.a", "advisor.core.b"]]
    assert layer("advisor.core.decision.engine") < layer("advisor.cli.common") < layer("advisor")
    tree = imports_of("advisor.core.decision.engine", MODULES["advisor.core.decision.engine"])
    assert any(name == "advisor.core.base.guard" for name, _ in tree)
    inside = imports_of("advisor.core.evaluation", MODULES["advisor.core.evaluation"])
    assert any(
        name == "advisor.core.exploration.flips" for name, _ in inside
    )  # imported in a function
