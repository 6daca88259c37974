"""Migration 007: a step an official was about to type (`official_pending`) is carried
over into their conversation, on both backends, and the old table is gone."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

import storage.postgres
import storage.sqlite
from domain.records import OFFICIAL_TEXT, OfficialRole
from storage import SqliteStorage
from storage.base import CommuneRow, OfficeRow
from storage.migrations import migrations
from tests.conftest import BACKENDS, POSTGRES_DSN, postgres_schema
from tests.contract.support import NOW, insert_before_013

_TABLES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table'",
    "postgres": "SELECT table_name FROM information_schema.tables "
    "WHERE table_schema = current_schema()",
}


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
async def test_a_waiting_step_is_carried_into_the_officials_conversation(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = storage.sqlite if backend == "sqlite" else storage.postgres
    monkeypatch.setattr(module, "migrations", lambda dialect: migrations(dialect)[:6])
    async with _backend(backend, tmp_path) as reopen:
        store = await reopen()  # type: ignore[misc]
        try:
            async with store.transaction() as uow:
                offices = (OfficeRow("VP", "Văn phòng", None),)
                await uow.communes.sync([CommuneRow("CG", "xã Cát Giang", offices)], NOW)
                record_id = await insert_before_013(uow, "CG-2611-AAAAAA")
                lan = await uow.officials.upsert(
                    "CG", "test", "lan", "Lan", "VP", OfficialRole.MEMBER, NOW
                )
                ha = await uow.officials.upsert(
                    "CG", "test", "ha", "Hà", "VP", OfficialRole.HEAD, NOW
                )
                insert = (
                    "INSERT INTO official_pending (official_id, record_id, action, chat_id, "
                    "created_at, version) VALUES (?, ?, ?, ?, ?, ?)"
                )
                await uow._exec(insert, (lan.id, record_id, "transfer", "-100", NOW, 3))
                await uow._exec(insert, (ha.id, record_id, "reply", "ha", NOW, None))
        finally:
            await store.close()
        monkeypatch.undo()
        store = await reopen()  # type: ignore[misc]
        try:
            async with store.transaction() as uow:
                lans = await uow.official_conversations.get(lan.id)
                has = await uow.official_conversations.get(ha.id)
                tables = await uow._all(_TABLES[backend])
            assert {"official_conversations", "conversations"} <= {t[0] for t in tables}
            assert "official_pending" not in {t[0] for t in tables}
        finally:
            await store.close()
    assert lans is not None
    assert (lans.flow, lans.state, lans.nonce, lans.updated_at) == (
        "officials",
        OFFICIAL_TEXT,
        1,
        NOW,
    )
    assert lans.data == {
        "record_id": record_id,
        "action": "transfer",
        "chat_id": "-100",
        "version": 3,
    }
    assert has is not None
    assert has.data == {"record_id": record_id, "action": "reply", "chat_id": "ha", "version": None}
