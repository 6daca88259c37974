"""PostgreSQL storage through asyncpg: the backend for several bot processes.

A connection pool; a unit of work is one transaction on one pooled connection. The
repository's SQL is shared with SQLite (`storage/repos/`): `?` placeholders become `$1…`
here, and the rows a unit of work must own (the citizen whose update it handles) are
locked with `SELECT … FOR UPDATE`, so two processes never interleave one person's
conversation. Migrations run under a transaction-scoped advisory lock, so processes that
start together apply each migration once.

Every wait on the server is bounded (`storage.base.Timeouts`): connecting, each statement
(on the server and on the client, which also covers a network that has gone silent) and
taking a connection from the pool; closing waits for the pool only so long, then cuts it.
A server that cannot be reached at start is a `StorageUnavailable` with one clear line.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from storage.base import Dialect, StorageUnavailable, Timeouts
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

    def erased(self) -> None:
        """Nothing to do: the server's WAL is not a file the bot's host keeps."""


def where(dsn: str) -> str:
    """host:port/database of a DSN, for messages: never the user or password."""
    parts = urlsplit(dsn)
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return f"{parts.hostname or 'localhost'}{port}/{parts.path.lstrip('/')}"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, asyncpg.InvalidCatalogNameError):
        return "the database does not exist"
    if isinstance(exc, asyncpg.InvalidAuthorizationSpecificationError):
        return "the server refused the user or password"
    return type(exc).__name__


class PostgresStorage:
    """Owns the pool; hands out units of work."""

    def __init__(self, pool: asyncpg.Pool, timeouts: Timeouts = Timeouts()) -> None:  # noqa: B008
        self._pool = pool
        self.timeouts = timeouts

    @classmethod
    async def open(
        cls,
        dsn: str,
        *,
        pool_size: int = 10,
        schema: str | None = None,
        timeouts: Timeouts = Timeouts(),  # noqa: B008 (frozen)
    ) -> PostgresStorage:
        settings = {"statement_timeout": str(int(timeouts.statement * 1000))}
        if schema:
            settings["search_path"] = schema
        try:
            pool = await asyncio.wait_for(
                asyncpg.create_pool(
                    dsn,
                    min_size=1,
                    max_size=pool_size,
                    server_settings=settings,
                    timeout=timeouts.connect,
                    command_timeout=timeouts.statement,
                ),
                timeouts.connect * 2,
            )
        except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
            raise StorageUnavailable(
                f"cannot open the PostgreSQL database at {where(dsn)} ({_reason(exc)}) — "
                "check the server and the connection string in storage.postgres_dsn_env"
            ) from exc
        storage = cls(pool, timeouts)
        try:
            await storage.migrate()
        except BaseException:
            await storage.close()
            raise
        return storage

    async def close(self) -> None:
        """Close the pool; connections still busy after the acquire timeout are cut."""
        try:
            await asyncio.wait_for(self._pool.close(), self.timeouts.acquire)
        except TimeoutError:
            log.warning("PostgreSQL pool did not close in time; connections terminated")
            self._pool.terminate()

    async def migrate(self) -> list[str]:
        """Apply the migrations not yet applied, all in one transaction; their names."""
        applied: list[str] = []
        async with self._pool.acquire(timeout=self.timeouts.acquire) as conn, conn.transaction():
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
        async with self._pool.acquire(timeout=self.timeouts.acquire) as conn, conn.transaction():
            yield UnitOfWork(PostgresDb(conn))
