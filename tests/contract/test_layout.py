"""The shape of `storage/`: small files, and dependencies that point one way inside it
(backends → `storage.uow` → `storage.repos` → `storage.base`), imports inside functions
counted."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

STORAGE = Path(__file__).resolve().parents[2] / "storage"
MODULES = sorted(STORAGE.rglob("*.py"))


def storage_imports(path: Path) -> set[str]:
    """The `storage…` modules a file imports, anywhere in it."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("storage"))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("storage"):
            found.add(node.module or "")
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(STORAGE)))
def test_no_storage_file_is_over_300_lines(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 300


def test_the_driver_seam_imports_nothing_of_ours() -> None:
    tree = ast.parse((STORAGE / "base.py").read_text(encoding="utf-8"))
    ours = ("bot", "domain", "handlers", "faq", "storage")
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            assert node.module.split(".")[0] not in ours, node.module


def test_repositories_depend_only_on_the_seam_and_each_other() -> None:
    for path in sorted((STORAGE / "repos").glob("*.py")):
        for name in storage_imports(path):
            assert name == "storage.base" or name.startswith("storage.repos"), (path.name, name)


def test_the_unit_of_work_does_not_know_the_backends() -> None:
    assert storage_imports(STORAGE / "uow.py") <= {"storage.base"} | {
        f"storage.repos.{p.stem}" for p in (STORAGE / "repos").glob("*.py")
    }
