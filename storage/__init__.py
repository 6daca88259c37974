"""Storage: the only place that speaks SQL.

`storage.base` defines the interface (`Storage`, `UnitOfWork`); `SqliteStorage`
(aiosqlite) is the embedded default. A unit of work (`transaction()`) is one database
transaction holding everything one update changes.
"""

from storage.base import Storage, UnitOfWork
from storage.sqlite import SqliteStorage

__all__ = ["SqliteStorage", "Storage", "UnitOfWork"]
