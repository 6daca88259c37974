"""The driver seam: what a backend gives the repositories, and the small rows they share.

A backend (`storage.sqlite`, `storage.postgres`) adapts its driver to `Db` and says what
differs in its SQL through `Dialect`; everything else is written once, in portable SQL, in
the repositories (`storage.repos`), which a unit of work (`storage.uow`) composes. The
interface handlers type against is `storage.UnitOfWork`; the seam a new backend
implements is `Db` plus its migrations. This module imports nothing else of ours, so the
backends, the repositories and the unit of work all depend on it and never the other way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

Row = Any  # aiosqlite.Row or asyncpg.Record: row["name"] and row[0] both work


@dataclass(frozen=True, slots=True)
class Dialect:
    """What differs between backends' SQL."""

    #: appended to a SELECT that must lock the rows it reads until commit
    for_update: str
    #: hours from time {b} to time {a}, as a floating-point SQL expression
    hours_between: str = "((julianday({a}) - julianday({b})) * 24.0)"


class StorageUnavailable(Exception):
    """The database cannot be reached or opened at start; the message is one line that
    names the setting to check (the CLI prints it instead of a traceback)."""


@dataclass(frozen=True, slots=True)
class Timeouts:
    """How long the database may take before a call fails (seconds), so that a silent
    network fails fast and a shutdown ends in bounded time."""

    connect: float = 10.0
    statement: float = 30.0
    acquire: float = 10.0
    #: SQLite: how long a writer waits for another process's lock
    busy: float = 5.0


class Db(Protocol):
    """What the repositories need from a backend's connection inside a transaction.

    SQL uses `?` placeholders; the adapter translates them (PostgreSQL wants `$1`),
    converts parameters (SQLite stores times as ISO 8601 text, PostgreSQL as timestamptz)
    and reports affected rows. Rows behave like mappings and sequences on both.
    """

    dialect: Dialect

    async def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None: ...

    async def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement; the number of rows it changed."""
        ...

    def erased(self) -> None:
        """Personal data was deleted in this transaction: a backend that keeps old page
        images in a file (SQLite's WAL) clears them once the transaction commits."""
        ...


@dataclass(frozen=True, slots=True)
class OfficeRow:
    code: str
    name: str
    chat_id: str | None


@dataclass(frozen=True, slots=True)
class CommuneRow:
    code: str
    name: str
    offices: tuple[OfficeRow, ...]
