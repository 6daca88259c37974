"""The layering rules of docs/architecture.md, checked on the source (imports inside
functions count): `bot → handlers → {faq, storage} → domain`; no import cycle among our
modules; an import inside a function says why; a flow never imports another flow; no Python
module over 400 lines."""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "domain", "handlers", "faq", "storage")
# What each package may import of ours (itself always allowed).
ALLOWED: dict[str, frozenset[str]] = {
    "domain": frozenset(),
    "storage": frozenset({"domain"}),
    "faq": frozenset({"domain"}),
    "handlers": frozenset({"domain", "faq", "storage"}),
    "bot": frozenset({"domain", "faq", "storage", "handlers"}),
}


def our_imports(path: Path) -> set[str]:
    """The modules of ours that a file imports, anywhere in it."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module]
        else:
            continue
        found.update(n for n in names if n.split(".")[0] in PACKAGES)
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_dependencies_point_one_way(package: str) -> None:
    wrong = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for name in our_imports(path)
        if name.split(".")[0] not in ALLOWED[package] | {package}
    }
    assert not wrong, sorted(wrong)


def test_the_domain_does_no_io() -> None:
    io_modules = {"asyncio", "aiosqlite", "asyncpg", "sqlite3", "socket", "httpx", "telegram"}
    for path in sorted((ROOT / "domain").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module.split(".")[0]]
            else:
                continue
            assert not set(names) & io_modules, f"{path.relative_to(ROOT)} imports {names}"


# --- no import cycles, no hidden imports -------------------------------------------------

# Known exceptions (none today): a cycle or an unexplained local import added here needs
# an issue that removes it.
PENDING_CYCLES: frozenset[frozenset[str]] = frozenset()
PENDING_LOCAL_IMPORTS: frozenset[str] = frozenset()
WHY = "# why:"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")
}


@dataclass(frozen=True)
class Imported:
    module: str  # ours, as a module of MODULES
    line: int
    in_function: bool


def imports_of(path: Path) -> list[Imported]:
    """Every import of our modules in a file, module level or inside a function (an
    `from a.b import c` of a module `c` counts as importing `a.b.c`)."""
    found: list[Imported] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                names = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom) and child.module and not child.level:
                names = [
                    f"{child.module}.{a.name}"
                    if f"{child.module}.{a.name}" in MODULES
                    else child.module
                    for a in child.names
                ]
            else:
                visit(child, inside)
                continue
            found.extend(Imported(n, child.lineno, in_function) for n in names if n in MODULES)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


def import_graph() -> dict[str, set[str]]:
    return {name: {i.module for i in imports_of(path)} - {name} for name, path in MODULES.items()}


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[frozenset[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = {stack.pop()}
            while node not in component:
                component.add(stack.pop())
            if len(component) > 1:
                found.append(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_there_is_no_import_cycle_counting_imports_inside_functions() -> None:
    found = {c for c in cycles(import_graph()) if c not in PENDING_CYCLES}
    assert not found, [sorted(c) for c in found]


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [frozenset({"a", "b", "c"})]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_an_import_inside_a_function_says_why() -> None:
    hidden = []
    for name, path in MODULES.items():
        lines = path.read_text(encoding="utf-8").splitlines()
        for imported in imports_of(path):
            here = lines[imported.line - 1 : imported.line]
            above = lines[imported.line - 2 : imported.line - 1] if imported.line > 1 else []
            explained = any(WHY in line for line in [*here, *above])
            if imported.in_function and not explained and name not in PENDING_LOCAL_IMPORTS:
                hidden.append(f"{path.relative_to(ROOT)}:{imported.line} imports {imported.module}")
    assert not hidden, hidden


def test_a_flow_reaches_another_flow_by_name_not_by_import() -> None:
    graph = import_graph()

    def flow(name: str) -> str | None:  # a flow's own modules: handlers/flows/filing/*
        parts = name.split(".")
        return parts[2] if len(parts) > 2 and parts[:2] == ["handlers", "flows"] else None

    wrong = [
        f"{name} imports {other}"
        for name in sorted(graph)
        for other in sorted(graph[name])
        if flow(name) and flow(other) and flow(name) != flow(other)
    ]
    assert not wrong, wrong


# --- word lists are data --------------------------------------------------------------

WORD_LIST_MAX = 20


def _string_items(node: ast.AST) -> int:
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return sum(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts)
    if isinstance(node, ast.Dict):
        return sum(isinstance(k, ast.Constant) and isinstance(k.value, str) for k in node.keys)
    return 0


@pytest.mark.parametrize("package", ["faq", "handlers"])
def test_no_word_list_is_written_as_python(package: str) -> None:
    """Word lists live in faq/data (TOML, checked by `danvan faq check`), not in code."""
    long_lists = [
        f"{path.relative_to(ROOT)}:{node.lineno} ({_string_items(node)} strings)"
        for path in sorted((ROOT / package).rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if _string_items(node) > WORD_LIST_MAX
    ]
    assert not long_lists, long_lists


# --- small modules ----------------------------------------------------------------------

MODULE_MAX_LINES = 400
# Known exceptions (none today): a module listed here needs an issue that splits it.
PENDING_LONG_MODULES: frozenset[str] = frozenset()


def python_modules() -> list[Path]:
    """Every Python file of the repository, tests included; hidden folders (.venv, .git,
    caches) are not ours."""
    found = []
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        found += [Path(folder, name) for name in sorted(files) if name.endswith(".py")]
    return found


def test_no_python_module_is_over_400_lines() -> None:
    modules = python_modules()
    assert Path(__file__).resolve() in modules  # the walk sees the tests too
    long_modules = [
        f"{path.relative_to(ROOT).as_posix()} ({lines} lines)"
        for path in modules
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MODULE_MAX_LINES
        and path.relative_to(ROOT).as_posix() not in PENDING_LONG_MODULES
    ]
    assert not long_modules, long_modules
