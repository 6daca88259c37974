"""Storage: the only place that speaks SQL.

The repositories (`storage.repos`, one per aggregate) are written once in portable SQL and
run on SQLite (`storage.sqlite`, the embedded default) and PostgreSQL (`storage.postgres`,
for several processes), each of which adapts its driver to `storage.base.Db`. A unit of
work (`Storage.transaction()`, a `UnitOfWork`) is one database transaction holding
everything one update changes, with the repositories as attributes (`uow.records`,
`uow.outbox`, …).
"""

from __future__ import annotations

from storage.sqlite import SqliteStorage
from storage.uow import Storage, UnitOfWork

__all__ = ["SqliteStorage", "Storage", "UnitOfWork"]
