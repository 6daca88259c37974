"""PostgreSQL storage through asyncpg: the backend for several bot processes.

A connection pool; a unit of work is one transaction on one pooled connection. The
repository's SQL is shared with SQLite (`storage/repos/`): `?` placeholders become `$1…`
here, and the rows a unit of work must own (the citizen whose update it handles) are
locked with `SELECT … FOR UPDATE`, so two processes never interleave one person's
conversation. Migrations run under a transaction-scoped advisory lock, so processes that
start together apply each migration once.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from storage.base import Dialect
from storage.migrations import migrations
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

# An arbitrary constant naming danvan's migration lock among the server's advisory locks.
MIGRATION_LOCK = 0x64616E76  # "danv"

_PLACEHOLDER_OR_STRING = re.compile(r"'(?:[^']|'')*'|\?")


@functools.lru_cache(maxsize=512)
def to_postgres(sql: str) -> str:
    """Turn `?` placeholders into `$1, $2, …` (leaving string literals alone)."""
    counter = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal counter
        if match.group(0) != "?":
            return match.group(0)
        counter += 1
        return f"${counter}"

    return _PLACEHOLDER_OR_STRING.sub(replace, sql)


def _affected(status: str) -> int:
    """Rows changed, from a command tag such as "UPDATE 3" or "INSERT 0 1"."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class PostgresDb:
    """The repository's view of a pooled connection (see `storage.base.Db`)."""

    dialect = Dialect(
        for_update=" FOR UPDATE",
        hours_between="(EXTRACT(EPOCH FROM ({a}) - ({b})) / 3600.0)",
    )

    def __init__(
        self, conn: asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]
    ) -> None:
        self._conn = conn

    async def one(self, sql: str, params: Sequence[Any] = ()) -> asyncpg.Record | None:
        row: asyncpg.Record | None = await self._conn.fetchrow(to_postgres(sql), *params)
        return row

    async def all(self, sql: str, params: Sequence[Any] = ()) -> list[asyncpg.Record]:
        return list(await self._conn.fetch(to_postgres(sql), *params))

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return _affected(await self._conn.execute(to_postgres(sql), *params))


class PostgresStorage:
    """Owns the pool; hands out units of work."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @classmethod
    async def open(
        cls, dsn: str, *, pool_size: int = 10, schema: str | None = None
    ) -> PostgresStorage:
        settings = {"search_path": schema} if schema else None
        pool = await asyncpg.create_pool(
            dsn, min_size=1, max_size=pool_size, server_settings=settings
        )
        storage = cls(pool)
        try:
            await storage.migrate()
        except BaseException:
            await pool.close()
            raise
        return storage

    async def close(self) -> None:
        await self._pool.close()

    async def migrate(self) -> list[str]:
        """Apply the migrations not yet applied, all in one transaction; their names."""
        applied: list[str] = []
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (number INTEGER PRIMARY KEY, "
                "name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
            )
            done = {row[0] for row in await conn.fetch("SELECT number FROM schema_migrations")}
            for number, name, sql in migrations("postgres"):
                if number in done:
                    continue
                await conn.execute(sql)  # the simple protocol runs a whole script
                await conn.execute(
                    "INSERT INTO schema_migrations (number, name) VALUES ($1, $2)", number, name
                )
                log.info("applied migration %s", name)
                applied.append(name)
        return applied

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[UnitOfWork]:
        """One unit of work: committed if the block ends normally, rolled back otherwise."""
        async with self._pool.acquire() as conn, conn.transaction():
            yield UnitOfWork(PostgresDb(conn))
