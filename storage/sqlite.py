"""SQLite storage through aiosqlite: the embedded default backend.

One connection per process, WAL journal, foreign keys on. A unit of work is one
`BEGIN IMMEDIATE … COMMIT` under an asyncio lock, so everything one update changes commits
together or not at all (DESIGN.md, "the write path"). The repository's SQL is shared
(`storage/repos/`); SQLite-only SQL (pragmas, the schema) stays here and in
`migrations/sqlite/`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from storage.base import Dialect
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


class SqliteDb:
    """The repository's view of the connection (see `storage.base.Db`)."""

    # BEGIN IMMEDIATE already holds the database's write lock: no row locks needed.
    dialect = Dialect(for_update="")

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def one(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        async with self._conn.execute(sql, [_param(p) for p in params]) as cur:
            row: aiosqlite.Row | None = await cur.fetchone()
            return row

    async def all(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        async with self._conn.execute(sql, [_param(p) for p in params]) as cur:
            return list(await cur.fetchall())

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        async with self._conn.execute(sql, [_param(p) for p in params]) as cur:
            return cur.rowcount


class SqliteStorage:
    """Owns the connection; hands out units of work."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path) -> SqliteStorage:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(path, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA busy_timeout=10000")
        await conn.execute("PRAGMA synchronous=NORMAL")
        storage = cls(conn, path)
        await storage.migrate()
        return storage

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
            try:
                yield UnitOfWork(SqliteDb(self._conn))
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            await self._conn.execute("COMMIT")
