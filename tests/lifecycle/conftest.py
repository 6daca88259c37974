"""The lifecycle's tests: the fixtures of those that run on a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import load_settings
from domain.communes import CommuneSettings
from domain.records import (
    OfficialRole,
)
from storage import SqliteStorage, Storage
from storage.base import CommuneRow, OfficeRow
from tests.support.lifecycle import NOW


@pytest.fixture
def commune() -> CommuneSettings:
    return load_settings(None).communes[0]


@pytest.fixture
async def storage(tmp_path: Path, commune: CommuneSettings) -> AsyncIterator[Storage]:
    store = await SqliteStorage.open(tmp_path / "l.sqlite3")
    async with store.transaction() as uow:
        await uow.communes.sync(
            [
                CommuneRow(
                    commune.code,
                    commune.name,
                    tuple(OfficeRow(o.code, o.name, None) for o in commune.offices),
                )
            ],
            NOW,
        )
        await uow.officials.upsert("CG", "test", "head", "Lan", "VP", OfficialRole.HEAD, NOW)
    try:
        yield store
    finally:
        await store.close()
