"""The SQLite connection as the repositories see it (`storage.base.Db`), on the event loop.

A statement runs on the event loop, not on aiosqlite's worker thread: the hand-offs to
that thread (about 60 µs each, one per statement) were most of an update's time, and a
short statement costs SQLite itself 5–40 µs (docs/architecture.md, "SQLite on the loop").
The connection's busy timeout is 0 there, so a statement can never sleep on the loop; one
that finds another process's lock (SQLITE_BUSY, which means it did nothing) is run again
on the worker thread, which waits up to the configured busy timeout as before. A
statement that took longer than `LOOP_BUDGET_S` (a scan) runs on the thread the next time,
as does a list of rows the first time (`Placement`), so that a long query does not hold
the loop. The storage's lock keeps the loop and the thread from ever using the connection
at once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from time import perf_counter
from typing import Any, cast

import aiosqlite

from storage.base import Dialect

Statement = Callable[[sqlite3.Connection, str, list[Any]], Any]


def param(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given to storage")
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def fetch_one(conn: sqlite3.Connection, sql: str, params: list[Any]) -> Any:
    """The first row of `sql`, the cursor closed."""
    cursor = conn.execute(sql, params)
    try:
        return cursor.fetchone()
    finally:
        cursor.close()


def fetch_all(conn: sqlite3.Connection, sql: str, params: list[Any]) -> list[Any]:
    cursor = conn.execute(sql, params)
    try:
        return cursor.fetchall()
    finally:
        cursor.close()


def run_statement(conn: sqlite3.Connection, sql: str, params: list[Any]) -> int:
    """Run `sql`, return how many rows it changed."""
    cursor = conn.execute(sql, params)
    try:
        return cursor.rowcount
    finally:
        cursor.close()


def waiting(
    conn: sqlite3.Connection,
    busy_ms: int,
    fn: Statement,
    sql: str,
    params: list[Any],
) -> Any:
    """On the worker thread: `fn` with SQLite's busy handler waiting up to `busy_ms` for
    another process's lock, then back to not waiting (the loop's setting)."""
    conn.execute(f"PRAGMA busy_timeout={busy_ms}")
    try:
        return fn(conn, sql, params)
    finally:
        conn.execute("PRAGMA busy_timeout=0")


def _busy(exc: sqlite3.OperationalError) -> bool:
    """SQLITE_BUSY (any extended code): another connection holds the lock; the
    statement did nothing and can be run again."""
    return getattr(exc, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_BUSY


# A statement that took longer than this runs on the worker thread the next time, so that
# a scan (a daily job's, the digest's) does not hold the loop; one that then takes less
# comes back. A list of rows (`Db.all`) starts there, a single row or a write on the loop.
LOOP_BUDGET_S = 0.002
# Statements remembered (their texts are the repositories' constants, a few hundred).
_REMEMBERED = 1024


class Placement:
    """Where each statement runs: on the loop unless it was last seen slow."""

    def __init__(self) -> None:
        self._seconds: dict[str, float] = {}

    def on_loop(self, sql: str, default: bool) -> bool:
        seconds = self._seconds.get(sql)
        return default if seconds is None else seconds < LOOP_BUDGET_S

    def took(self, sql: str, seconds: float) -> None:
        if len(self._seconds) >= _REMEMBERED and sql not in self._seconds:
            self._seconds.clear()
        self._seconds[sql] = seconds


class SqliteDb:
    """The repository's view of the connection (see `storage.base.Db`), on the loop."""

    # BEGIN IMMEDIATE already holds the database's write lock: no row locks needed.
    dialect = Dialect(for_update="")

    def __init__(
        self, conn: aiosqlite.Connection, busy_ms: int, placement: Placement | None = None
    ) -> None:
        self._conn = conn
        self._raw = conn._conn
        self._busy_ms = busy_ms
        self._placement = placement or Placement()
        self.erasure = False

    async def one(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        row: aiosqlite.Row | None = await self.run(fetch_one, sql, params)
        return row

    async def all(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        rows: list[aiosqlite.Row] = await self.run(fetch_all, sql, params, loop=False)
        return rows

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        count: int = await self.run(run_statement, sql, params)
        return count

    async def run(
        self, fn: Statement, sql: str, params: Sequence[Any] = (), *, loop: bool = True
    ) -> Any:
        """`fn(connection, sql, params)` on the loop (`loop`: for a statement not seen
        yet), or on the thread when it was slow last time or meets SQLITE_BUSY."""
        args = [param(p) if isinstance(p, datetime) else p for p in params]
        start = perf_counter()
        if self._placement.on_loop(sql, loop):
            try:
                result = fn(self._raw, sql, args)
            except sqlite3.OperationalError as exc:
                if not _busy(exc):
                    raise
            else:
                self._placement.took(sql, perf_counter() - start)
                return result
        # aiosqlite's `_execute` is its own way to run a function on its thread (untyped).
        on_thread = cast(Callable[..., Awaitable[Any]], self._conn._execute)
        result = await on_thread(waiting, self._raw, self._busy_ms, fn, sql, args)
        self._placement.took(sql, perf_counter() - start)
        return result

    def erased(self) -> None:
        self.erasure = True
