"""The SQLite connection as the repositories see it (`storage.base.Db`), on the event loop.

A statement runs on the event loop, not on aiosqlite's worker thread: the hand-offs to
that thread (about 60 µs each, one per statement) were most of an update's time, and a
short statement costs SQLite itself 5–40 µs (docs/architecture.md, "SQLite on the loop").
The connection's busy timeout is 0 there, so a statement can never sleep on the loop; one
that finds another process's lock (SQLITE_BUSY, which means it did nothing) is run again
on the worker thread, which waits up to the configured busy timeout as before. The
storage's lock keeps the loop and the thread from ever using the connection at once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
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


class SqliteDb:
    """The repository's view of the connection (see `storage.base.Db`), on the loop."""

    # BEGIN IMMEDIATE already holds the database's write lock: no row locks needed.
    dialect = Dialect(for_update="")

    def __init__(self, conn: aiosqlite.Connection, busy_ms: int) -> None:
        self._conn = conn
        self._raw = conn._conn
        self._busy_ms = busy_ms
        self.erasure = False

    async def one(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        row: aiosqlite.Row | None = await self.run(fetch_one, sql, params)
        return row

    async def all(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        rows: list[aiosqlite.Row] = await self.run(fetch_all, sql, params)
        return rows

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        count: int = await self.run(run_statement, sql, params)
        return count

    async def run(
        self,
        fn: Statement,
        sql: str,
        params: Sequence[Any] = (),
    ) -> Any:
        """`fn(connection, sql, params)` on the loop; on SQLITE_BUSY, on the thread."""
        args = [param(p) if isinstance(p, datetime) else p for p in params]
        try:
            return fn(self._raw, sql, args)
        except sqlite3.OperationalError as exc:
            if not _busy(exc):
                raise
        # aiosqlite's `_execute` is its own way to run a function on its thread (untyped).
        on_thread = cast(Callable[..., Awaitable[Any]], self._conn._execute)
        return await on_thread(waiting, self._raw, self._busy_ms, fn, sql, args)

    def erased(self) -> None:
        self.erasure = True
