"""SQLite storage through aiosqlite: the embedded default backend.

One connection per process, WAL journal, foreign keys on. A unit of work is one
`BEGIN IMMEDIATE … COMMIT` under an asyncio lock, so everything one update changes commits
together or not at all (DESIGN.md, "the write path"). Another process's write lock is
waited for `Timeouts.busy` seconds at most. The WAL keeps earlier page images until a
checkpoint, so the storage checkpoints it (TRUNCATE) after a transaction that erased
personal data (`Db.erased`) and after the first commit once `checkpoint_every` has passed.
Statements run on the event loop (`storage.sqlite_db`); the WAL is copied into the
database every `BACKGROUND_CHECKPOINT_COMMITS` commits by a second connection on its own
thread, not inside a COMMIT. The repository's SQL is shared (`storage/repos/`);
SQLite-only SQL (pragmas, the schema) stays here and in `migrations/sqlite/`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import aiosqlite

from storage.base import StorageUnavailable, Timeouts
from storage.migrations import migrations, split_sql
from storage.sqlite_db import Placement, SqliteDb, fetch_one, param, run_statement, waiting
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
# The first line of a SQLite migration that rebuilds a table (run with foreign keys off).
REBUILDS_TABLES = "-- rebuilds tables"
_CHECKPOINT = "PRAGMA wal_checkpoint(TRUNCATE)"
# How often the WAL is checkpointed and truncated while the bot runs.
CHECKPOINT_EVERY = timedelta(minutes=5)
# Commits between two background (PASSIVE) checkpoints. SQLite's own automatic checkpoint
# would run inside a COMMIT every 1,000 pages, with its fsyncs, on the loop: 1 % of the
# commits took 8–20 ms that way. A commit writes a few pages, so this is about as often.
BACKGROUND_CHECKPOINT_COMMITS = 200


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
        # A second connection, on its own thread, that copies the WAL into the database
        # while the loop goes on committing (PASSIVE: it never blocks a writer).
        self._checkpointer: aiosqlite.Connection | None = None
        self._background: asyncio.Task[None] | None = None
        self._commits = 0
        self._placement = Placement()
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
            # From here on statements run on the loop and must not wait there (`SqliteDb`),
            # and checkpoints run beside it, not inside a COMMIT.
            await conn.execute("PRAGMA busy_timeout=0")
            await conn.execute("PRAGMA wal_autocheckpoint=0")
            storage._checkpointer = await aiosqlite.connect(path, isolation_level=None)
        except BaseException:
            await conn.close()
            raise
        return storage

    async def checkpoint(self) -> tuple[int, int, int]:
        """Copy the WAL into the database and truncate it to zero bytes, so no earlier
        page image (an erased citizen's name) stays in it: (busy, wal pages, copied)."""
        # On the thread, waiting for readers up to the busy timeout as a writer would.
        on_thread = cast(Callable[..., Awaitable[Any]], self._conn._execute)
        row = await on_thread(waiting, self._conn._conn, self._busy_ms, fetch_one, _CHECKPOINT, [])
        self._last_checkpoint = datetime.now(UTC)
        busy, pages, copied = (int(v) for v in row) if row else (0, 0, 0)
        if busy:
            log.warning("WAL checkpoint blocked by another connection; retried later")
        return busy, pages, copied

    def _committed(self) -> None:
        """Count a commit; every `BACKGROUND_CHECKPOINT_COMMITS`, checkpoint beside."""
        self._commits += 1
        if self._commits < BACKGROUND_CHECKPOINT_COMMITS or self._checkpointer is None:
            return
        if self._background is None or self._background.done():
            self._commits = 0
            self._background = asyncio.create_task(self._checkpoint_beside(self._checkpointer))

    async def _checkpoint_beside(self, checkpointer: aiosqlite.Connection) -> None:
        try:
            async with checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)") as cur:
                await cur.fetchone()
        except aiosqlite.Error as exc:  # the next one, or the timed TRUNCATE, catches up
            log.warning("background WAL checkpoint failed: %s", type(exc).__name__)

    async def close(self) -> None:
        if self._background is not None:
            await self._background
        if self._checkpointer is not None:
            await self._checkpointer.close()
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
                        (number, name, param(datetime.now(UTC))),
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
            db = SqliteDb(self._conn, self._busy_ms, self._placement)
            if self._conn._conn.in_transaction:  # a BEGIN that went on after its caller
                await db.run(run_statement, "ROLLBACK")  # was cancelled, on the thread
            await db.run(run_statement, "BEGIN IMMEDIATE")
            try:
                yield UnitOfWork(db)
            except BaseException:
                if self._conn._conn.in_transaction:  # (some errors end it themselves)
                    await db.run(run_statement, "ROLLBACK")
                raise
            try:
                await db.run(run_statement, "COMMIT")
            except BaseException:  # still open (a failed COMMIT does not end it)
                if self._conn._conn.in_transaction:
                    await db.run(run_statement, "ROLLBACK")
                raise
            self._committed()
            due = datetime.now(UTC) - self._last_checkpoint >= self.checkpoint_every
            if db.erasure or due:
                try:
                    await self.checkpoint()
                except aiosqlite.Error as exc:  # committed already: the next one retries
                    log.warning("WAL checkpoint failed: %s", type(exc).__name__)
