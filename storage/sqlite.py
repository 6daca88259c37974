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


def _fetch_one(conn: aiosqlite.Connection, sql: str, params: list[Any]) -> Any:
    """On the worker thread: the first row of `sql`, the cursor closed."""
    cursor = conn._conn.execute(sql, params)
    try:
        return cursor.fetchone()
    finally:
        cursor.close()


def _run(conn: aiosqlite.Connection, sql: str, params: list[Any]) -> int:
    """On the worker thread: run `sql`, return how many rows it changed."""
    cursor = conn._conn.execute(sql, params)
    try:
        return cursor.rowcount
    finally:
        cursor.close()


class SqliteDb:
    """The repository's view of the connection (see `storage.base.Db`)."""

    # BEGIN IMMEDIATE already holds the database's write lock: no row locks needed.
    dialect = Dialect(for_update="")

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self.erasure = False

    # One statement is one hand-off to aiosqlite's worker thread (execute and fetch
    # together), not three (execute, fetch, close the cursor): the thread round trips were
    # most of an update's time (docs/performance.md). aiosqlite's `_execute` is its own
    # way to run a function on that thread; the pinned version is tested by every storage
    # test.

    async def one(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        row: aiosqlite.Row | None = await self._on_thread(_fetch_one, sql, params)
        return row

    async def all(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        return list(await self._conn.execute_fetchall(sql, [_param(p) for p in params]))

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        count: int = await self._on_thread(_run, sql, params)
        return count

    async def _on_thread(
        self,
        fn: Callable[[aiosqlite.Connection, str, list[Any]], Any],
        sql: str,
        params: Sequence[Any],
    ) -> Any:
        run = cast(Callable[..., Awaitable[Any]], self._conn._execute)  # untyped in aiosqlite
        return await run(fn, self._conn, sql, [_param(p) for p in params])

    def erased(self) -> None:
        self.erasure = True


# How often the WAL is checkpointed and truncated while the bot runs.
CHECKPOINT_EVERY = timedelta(minutes=5)


class SqliteStorage:
    """Owns the connection; hands out units of work."""

    def __init__(
        self,
        conn: aiosqlite.Connection,
        path: Path,
        checkpoint_every: timedelta = CHECKPOINT_EVERY,
    ) -> None:
        self._conn = conn
        self.path = path
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
            conn = await aiosqlite.connect(path, isolation_level=None, timeout=timeouts.busy)
            await conn.execute("PRAGMA journal_mode=WAL")
        except (OSError, aiosqlite.Error) as exc:
            raise StorageUnavailable(
                f"cannot open the SQLite database {path} ({exc}) — check storage.sqlite_path "
                "and the folder's permissions"
            ) from exc
        conn.row_factory = aiosqlite.Row
        try:
            await conn.execute("PRAGMA foreign_keys=ON")
            await conn.execute(f"PRAGMA busy_timeout={int(timeouts.busy * 1000)}")
            await conn.execute("PRAGMA synchronous=NORMAL")
            storage = cls(conn, path, checkpoint_every)
            await storage.migrate()
        except BaseException:
            await conn.close()
            raise
        return storage

    async def checkpoint(self) -> tuple[int, int, int]:
        """Copy the WAL into the database and truncate it to zero bytes, so no earlier
        page image (an erased citizen's name) stays in it: (busy, wal pages, copied)."""
        async with self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cur:
            row = await cur.fetchone()
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
            await self._conn.execute("BEGIN IMMEDIATE")
            db = SqliteDb(self._conn)
            try:
                yield UnitOfWork(db)
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            await self._conn.execute("COMMIT")
            due = datetime.now(UTC) - self._last_checkpoint >= self.checkpoint_every
            if db.erasure or due:
                try:
                    await self.checkpoint()
                except aiosqlite.Error as exc:  # committed already: the next one retries
                    log.warning("WAL checkpoint failed: %s", type(exc).__name__)
