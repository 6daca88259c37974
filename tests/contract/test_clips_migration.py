"""Migrations 011 and 019: voice messages and videos are attachments of their own kinds, and
each attachment has a role (the citizen's or a result); the attachments already kept, and
their local copies, survive the change, on both backends."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

import storage.postgres
import storage.sqlite
from storage import SqliteStorage
from storage.base import CommuneRow, OfficeRow
from storage.migrations import migrations
from storage.repos.rows import ts
from tests.conftest import BACKENDS, POSTGRES_DSN, postgres_schema
from tests.contract.support import NOW, insert_before_013


@asynccontextmanager
async def _backend(backend: str, tmp_path: Path) -> AsyncIterator[Callable[[], object]]:
    """A way to open the same database again (a SQLite file, a PostgreSQL schema)."""
    if backend == "sqlite":
        yield lambda: SqliteStorage.open(tmp_path / "m.sqlite3")
        return
    async with postgres_schema() as schema:
        yield lambda: storage.postgres.PostgresStorage.open(
            POSTGRES_DSN, schema=schema, pool_size=1
        )


@pytest.mark.parametrize("backend", BACKENDS)
async def test_clips_are_kept_and_older_attachments_survive(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = storage.sqlite if backend == "sqlite" else storage.postgres
    before = [m for m in migrations(backend) if m[0] < 11]
    monkeypatch.setattr(module, "migrations", lambda dialect: before)
    async with _backend(backend, tmp_path) as reopen:
        store = await reopen()  # type: ignore[misc]
        try:
            async with store.transaction() as uow:
                offices = (OfficeRow("VP", "Văn phòng", None),)
                await uow.communes.sync([CommuneRow("CG", "xã Cát Giang", offices)], NOW)
                record_id = await insert_before_013(uow, "CG-2611-AAAAAA")
                # the columns of that time (the repository writes those of migration 019)
                repo = uow.attachments
                await repo._exec(
                    "INSERT INTO attachments (record_id, kind, ref, created_at) "
                    "VALUES (?, ?, ?, ?)",
                    (record_id, "photo", "file-1", ts(NOW)),
                )
                row = await repo._one("SELECT id FROM attachments")
                assert row is not None
                photo_id = int(row["id"])
                await repo._exec(
                    "INSERT INTO attachment_files (attachment_id, path, size, fetched_at) "
                    "VALUES (?, ?, ?, ?)",
                    (photo_id, "/tmp/a.jpg", 10, ts(NOW)),
                )
        finally:
            await store.close()  # type: ignore[attr-defined]
        monkeypatch.undo()
        store = await reopen()  # type: ignore[misc]
        try:
            async with store.transaction() as uow:
                await uow.attachments.add(record_id, "voice", "voice-1", NOW)
                await uow.attachments.add(record_id, "video", "video-1", NOW)
                kept = await uow.attachments.list_for(record_id)
                assert (kept[0].id, kept[0].kind, kept[0].ref) == (photo_id, "photo", "file-1")
                assert [a.kind for a in kept] == ["photo", "voice", "video"]
                # migration 019: what was kept before is the citizen's, of the record's channel
                assert [(a.role, a.channel) for a in kept] == [("citizen", None)] * 3
                assert await uow.attachments.get_file(photo_id) == ("/tmp/a.jpg", None)
        finally:
            await store.close()  # type: ignore[attr-defined]
