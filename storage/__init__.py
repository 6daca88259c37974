"""Storage: the only place that speaks SQL.

`storage.base` defines the interface (`Storage`); the repository (`UnitOfWork`) is written
once in portable SQL (`storage.sql`) and runs on SQLite (`storage.sqlite`, the embedded
default) and PostgreSQL (`storage.postgres`, for several processes). A unit of work
(`transaction()`) is one database transaction holding everything one update changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage.base import Storage
from storage.sql import SqlUnitOfWork as UnitOfWork
from storage.sqlite import SqliteStorage

if TYPE_CHECKING:
    from bot.config import StorageSettings

__all__ = ["SqliteStorage", "Storage", "UnitOfWork", "open_storage"]


async def open_storage(settings: StorageSettings) -> Storage:
    """Open the configured backend, with its migrations applied."""
    if settings.backend == "postgres":
        from storage.postgres import PostgresStorage

        if settings.postgres_dsn is None:
            raise ValueError("storage.postgres_dsn_env: no connection string")
        return await PostgresStorage.open(
            settings.postgres_dsn.reveal(), pool_size=settings.postgres_pool_size
        )
    return await SqliteStorage.open(settings.sqlite_path)
