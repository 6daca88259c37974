"""Storage: the only place that speaks SQL.

`SqliteStorage` (aiosqlite) is the embedded default. A unit of work (`transaction()`) is
one database transaction holding everything one update changes.
"""

from storage.sqlite import SqliteStorage as Storage
from storage.sqlite import SqliteUnitOfWork as UnitOfWork

__all__ = ["Storage", "UnitOfWork"]
