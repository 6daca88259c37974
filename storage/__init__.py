"""Storage: the only place that speaks SQL.

`storage.base` defines the interface (`Storage`); the repository (`UnitOfWork`) is written
once in portable SQL (`storage.sql`) and runs on SQLite (`storage.sqlite`, the embedded
default) and PostgreSQL (`storage.postgres`, for several processes). A unit of work
(`transaction()`) is one database transaction holding everything one update changes.
"""

from __future__ import annotations

from storage.base import Storage
from storage.sql import SqlUnitOfWork as UnitOfWork
from storage.sqlite import SqliteStorage

__all__ = ["SqliteStorage", "Storage", "UnitOfWork"]
