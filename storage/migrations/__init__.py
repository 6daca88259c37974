"""Numbered schema migrations, one folder per backend dialect (`sqlite/`, `postgres/`).

Both folders hold the same numbered steps with the same names; each is applied once, in
order, at start-up, and recorded in `schema_migrations`.
"""

from __future__ import annotations

import sqlite3
from importlib import resources


def migrations(dialect: str) -> list[tuple[int, str, str]]:
    """(number, name, sql) of every bundled migration of `dialect`, in order."""
    folder = resources.files("storage.migrations").joinpath(dialect)
    found = []
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".sql"):
            found.append((int(name.split("_", 1)[0]), name, entry.read_text("utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    # Numbers are handed out to parallel branches, so one may land before a lower one:
    # each is applied once by its number, and a number is never used twice.
    if len(set(numbers)) != len(numbers) or (numbers and numbers[0] != 1):
        raise RuntimeError(f"migrations must be numbered from 1, each once, found {numbers}")
    return found


def split_sql(sql: str) -> list[str]:
    """Split a SQLite migration into statements (aiosqlite runs one at a time).

    `sqlite3.complete_statement` decides where one ends, so a trigger keeps its
    BEGIN … END body and a semicolon inside a string or a comment splits nothing.
    (PostgreSQL runs a whole migration file as one script and needs no splitting.)
    """
    statements: list[str] = []
    current: list[str] = []
    for line in sql.splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("--")):
            continue
        current.append(line)
        if sqlite3.complete_statement("\n".join(current)):
            statements.append("\n".join(current))
            current = []
    if current:
        statements.append("\n".join(current))
    return statements
