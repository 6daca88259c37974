"""SQLite storage through aiosqlite: the embedded default backend.

One connection per process, WAL journal, foreign keys on. A unit of work is one
`BEGIN IMMEDIATE … COMMIT` under an asyncio lock, so everything one update changes commits
together or not at all (DESIGN.md, "the write path"). Another process's write lock is
waited for `Timeouts.busy` seconds at most. The WAL keeps earlier page images until a
checkpoint, so the storage checkpoints it (TRUNCATE) after a transaction that erased
personal data (`Db.erased`) and after the first commit once `checkpoint_every` has passed.
The repository's SQL is shared (`storage/repos/`); SQLite-only SQL (pragmas, the schema)
stays here and in `migrations/sqlite/`.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import aiosqlite

from storage.base import Dialect, StorageUnavailable, Timeouts
from storage.migrations import migrations, split_sql
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
# The first line of a SQLite migration that rebuilds a table (run with foreign keys off).
REBUILDS_TABLES = "-- rebuilds tables"


def _param(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given to storage")
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def _fetch_one(conn: sqlite3.Connection, sql: str, params: list[Any]) -> Any:
    """The first row of `sql`, the cursor closed."""
    cursor = conn.execute(sql, params)
    try:
        return cursor.fetchone()
    finally:
        cursor.close()


def _fetch_all(conn: sqlite3.Connection, sql: str, params: list[Any]) -> list[Any]:
    cursor = conn.execute(sql, params)
    try:
        return cursor.fetchall()
    finally:
        cursor.close()


def _run(conn: sqlite3.Connection, sql: str, params: list[Any]) -> int:
    """Run `sql`, return how many rows it changed."""
    cursor = conn.execute(sql, params)
    try:
        return cursor.rowcount
    finally:
        cursor.close()


def _waiting(
    conn: sqlite3.Connection,
    busy_ms: int,
    fn: Callable[[sqlite3.Connection, str, list[Any]], Any],
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
    """The repository's view of the connection (see `storage.base.Db`).

    A statement runs on the event loop (no thread hand-off: the round trips to a worker
    thread were most of an update's time, docs/architecture.md "SQLite on the loop"),
    with SQLite's busy timeout 0 so that it can never sleep there; a statement that finds
    another process's lock (SQLITE_BUSY: it did nothing) is run again on the worker
    thread, which waits up to the configured busy timeout as before.
    """

    # BEGIN IMMEDIATE already holds the database's write lock: no row locks needed.
    dialect = Dialect(for_update="")

    def __init__(self, conn: aiosqlite.Connection, busy_ms: int) -> None:
        self._conn = conn
        self._raw = conn._conn
        self._busy_ms = busy_ms
        self.erasure = False

    async def one(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        row: aiosqlite.Row | None = await self.run(_fetch_one, sql, params)
        return row

    async def all(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        rows: list[aiosqlite.Row] = await self.run(_fetch_all, sql, params)
        return rows

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        count: int = await self.run(_run, sql, params)
        return count

    async def run(
        self,
        fn: Callable[[sqlite3.Connection, str, list[Any]], Any],
        sql: str,
        params: Sequence[Any] = (),
    ) -> Any:
        """`fn(connection, sql, params)` on the loop; on SQLITE_BUSY, on the thread."""
        args = [_param(p) for p in params]
        try:
            return fn(self._raw, sql, args)
        except sqlite3.OperationalError as exc:
            if not _busy(exc):
                raise
        # aiosqlite's `_execute` is its own way to run a function on its thread (untyped).
        on_thread = cast(Callable[..., Awaitable[Any]], self._conn._execute)
        return await on_thread(_waiting, self._raw, self._busy_ms, fn, sql, args)

    def erased(self) -> None:
        self.erasure = True


_CHECKPOINT = "PRAGMA wal_checkpoint(TRUNCATE)"
# How often the WAL is checkpointed and truncated while the bot runs.
CHECKPOINT_EVERY = timedelta(minutes=5)


class SqliteStorage:
    """Owns the connection; hands out units of work."""

    def __init__(
        self,
        conn: aiosqlite.Connection,
        path: Path,
        checkpoint_every: timedelta = CHECKPOINT_EVERY,
        busy_ms: int = int(Timeouts().busy * 1000),
    ) -> None:
        self._conn = conn
        self.path = path
        self._busy_ms = busy_ms
        self._lock = asyncio.Lock()
        self.checkpoint_every = checkpoint_every
        self._last_checkpoint = datetime.now(UTC)

    @classmethod
    async def open(
        cls,
        path: Path,
        timeouts: Timeouts = Timeouts(),  # noqa: B008 (frozen)
        checkpoint_every: timedelta = CHECKPOINT_EVERY,
    ) -> SqliteStorage:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # The connection is made on aiosqlite's thread and used on the loop too, never
            # by both at once (the lock below): not tied to the thread that made it.
            conn = await aiosqlite.connect(
                path, isolation_level=None, timeout=timeouts.busy, check_same_thread=False
            )
            await conn.execute("PRAGMA journal_mode=WAL")
        except (OSError, aiosqlite.Error) as exc:
            raise StorageUnavailable(
                f"cannot open the SQLite database {path} ({exc}) — check storage.sqlite_path "
                "and the folder's permissions"
            ) from exc
        conn.row_factory = aiosqlite.Row
        try:
            await conn.execute("PRAGMA foreign_keys=ON")
            busy_ms = int(timeouts.busy * 1000)
            await conn.execute(f"PRAGMA busy_timeout={busy_ms}")
            await conn.execute("PRAGMA synchronous=NORMAL")
            storage = cls(conn, path, checkpoint_every, busy_ms)
            await storage.migrate()
            # From here on statements run on the loop and must not wait there (`SqliteDb`).
            await conn.execute("PRAGMA busy_timeout=0")
        except BaseException:
            await conn.close()
            raise
        return storage

    async def checkpoint(self) -> tuple[int, int, int]:
        """Copy the WAL into the database and truncate it to zero bytes, so no earlier
        page image (an erased citizen's name) stays in it: (busy, wal pages, copied)."""
        # On the thread, waiting for readers up to the busy timeout as a writer would.
        on_thread = cast(Callable[..., Awaitable[Any]], self._conn._execute)
        row = await on_thread(
            _waiting, self._conn._conn, self._busy_ms, _fetch_one, _CHECKPOINT, []
        )
        self._last_checkpoint = datetime.now(UTC)
        busy, pages, copied = (int(v) for v in row) if row else (0, 0, 0)
        if busy:
            log.warning("WAL checkpoint blocked by another connection; retried later")
        return busy, pages, copied

    async def close(self) -> None:
        await self._conn.close()

    async def migrate(self) -> list[str]:
        """Apply the migrations not yet applied; returns their names."""
        applied: list[str] = []
        async with self._lock:
            await self._conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            async with self._conn.execute("SELECT number FROM schema_migrations") as cur:
                done = {row[0] for row in await cur.fetchall()}
            for number, name, sql in migrations("sqlite"):
                if number in done:
                    continue
                # A table rebuilt (SQLite cannot change a CHECK) is SQLite's own 12 steps:
                # foreign keys off around the transaction, checked before it commits.
                rebuild = REBUILDS_TABLES in sql
                if rebuild:
                    await self._conn.execute("PRAGMA foreign_keys=OFF")
                await self._conn.execute("BEGIN IMMEDIATE")
                try:
                    for statement in split_sql(sql):
                        await self._conn.execute(statement)
                    await self._conn.execute(
                        "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                        (number, name, _param(datetime.now(UTC))),
                    )
                    if rebuild:
                        async with self._conn.execute("PRAGMA foreign_key_check") as cur:
                            if await cur.fetchall():
                                raise RuntimeError(f"{name} broke a foreign key")
                except BaseException:
                    await self._conn.execute("ROLLBACK")
                    await self._conn.execute("PRAGMA foreign_keys=ON")
                    raise
                await self._conn.execute("COMMIT")
                await self._conn.execute("PRAGMA foreign_keys=ON")
                log.info("applied migration %s", name)
                applied.append(name)
        return applied

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[UnitOfWork]:
        """One unit of work: committed if the block ends normally, rolled back otherwise."""
        async with self._lock:
            db = SqliteDb(self._conn, self._busy_ms)
            await db.run(_run, "BEGIN IMMEDIATE")
            try:
                yield UnitOfWork(db)
            except BaseException:
                await db.run(_run, "ROLLBACK")
                raise
            try:
                await db.run(_run, "COMMIT")
            except BaseException:  # still open (a failed COMMIT does not end it)
                if self._conn._conn.in_transaction:
                    await db.run(_run, "ROLLBACK")
                raise
            due = datetime.now(UTC) - self._last_checkpoint >= self.checkpoint_every
            if db.erasure or due:
                try:
                    await self.checkpoint()
                except aiosqlite.Error as exc:  # committed already: the next one retries
                    log.warning("WAL checkpoint failed: %s", type(exc).__name__)
