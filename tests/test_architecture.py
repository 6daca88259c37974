"""The layering rules of docs/architecture.md, checked on the source (imports inside
functions count): `bot → handlers → {faq, storage} → domain`."""

from __future__ import annotations

import ast
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
