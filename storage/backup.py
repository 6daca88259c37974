"""SQLite backup and restore through SQLite's online backup API (`sqlite3.Connection.backup`).

A backup is a consistent copy taken while the bot runs (WAL readers do not block the
writer); it is written beside the target and renamed into place, so a half-written file
never carries the target's name. A restore checks the file (integrity, a danvan schema no
newer than this version's), keeps the current database as `<name>.before-restore-<time>`,
then copies the backup into the database page by page. PostgreSQL is backed up with
`pg_dump` (see the README), not here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from storage.migrations import migrations


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    records: int
    schema: int  # the number of the last migration applied


def backup_sqlite(database: Path, target: Path) -> BackupInfo:
    """Copy the live database at `database` to a new file `target`."""
    if not database.is_file():
        raise BackupError(f"{database}: no database there")
    if target.exists():
        raise BackupError(f"{target}: already exists — choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        with _connect(database) as source, _connect(partial) as copy:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        info = inspect(partial)
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)
    return BackupInfo(target, info.records, info.schema)


def inspect(path: Path) -> BackupInfo:
    """What a backup holds; raises `BackupError` if it is not a sound danvan database."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        with _connect(path, read_only=True) as conn:
            check = conn.execute("PRAGMA integrity_check").fetchone()
            if check is None or check[0] != "ok":
                raise BackupError(f"{path}: the file is damaged (integrity check failed)")
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
            if not {"schema_migrations", "records"} <= tables:
                raise BackupError(f"{path}: not a danvan database")
            schema = conn.execute("SELECT COALESCE(MAX(number), 0) FROM schema_migrations")
            number = int(schema.fetchone()[0])
            records = int(conn.execute("SELECT COUNT(*) FROM records").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path}: not a readable SQLite database ({exc})") from None
    known = max(n for n, _, _ in migrations("sqlite"))
    if number > known:
        raise BackupError(
            f"{path}: made by a newer danvan (schema {number:03d}, this one knows {known:03d})"
        )
    return BackupInfo(path, records, number)


def restore_sqlite(backup: Path, database: Path, now: datetime | None = None) -> Path | None:
    """Replace the database with the backup's content; returns where the previous
    database was kept (None when there was none). Run with the bot stopped."""
    inspect(backup)
    kept = None
    if database.exists():
        stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
        kept = database.with_name(f"{database.name}.before-restore-{stamp}")
        backup_sqlite(database, kept)
    database.parent.mkdir(parents=True, exist_ok=True)
    with _connect(backup, read_only=True) as source, _connect(database) as target:
        source.backup(target)
        target.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return kept


@contextmanager
def _connect(path: Path, *, read_only: bool = False) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection, closed at the end of the block."""
    if read_only:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    else:
        conn = sqlite3.connect(path)
    try:
        yield conn
    finally:
        conn.close()
