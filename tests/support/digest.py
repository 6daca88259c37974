"""The weekly digest's test helpers: the week the tests report on, "processes" sharing one
database of a backend, and the digest's outbox rows. Used by tests/digest/."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import App
from bot.config import Secret, Settings
from bot.digest.figures import Digest
from bot.digest.job import make_digest
from bot.digest.render import DigestRenderer
from bot.digest.weeks import IsoWeek
from storage import SqliteStorage, Storage
from tests.conftest import POSTGRES_DSN, postgres_schema

W47 = IsoWeek(2026, 47)

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 08:00 local, after the send time


@asynccontextmanager
async def shared_apps(backend: str, settings: Settings, count: int) -> AsyncIterator[list[App]]:
    """`count` applications ("processes") sharing one database of `backend`."""
    if backend == "postgres":
        stack = postgres_schema()
        schema = await stack.__aenter__()
        dsn = f"{POSTGRES_DSN}?options=-csearch_path%3D{schema}"
        storage = replace(settings.storage, backend="postgres", postgres_dsn=Secret(dsn))
        settings = replace(settings, storage=storage)
    opened = [await App.open(settings) for _ in range(count)]
    try:
        yield opened
    finally:
        for app in opened:
            await app.close()
        if backend == "postgres":
            await stack.__aexit__(None, None, None)


async def digest_of(app: App, renderer: DigestRenderer, week: IsoWeek = W47) -> Digest:
    commune = app.settings.communes[0]
    return await make_digest(app.storage, commune, week, app.settings, renderer, NOW)


async def outbox_rows(storage: Storage) -> list[tuple[str, str, dict[str, object]]]:
    async with storage.transaction() as uow:
        messages = await uow.outbox.pending("telegram", NOW + timedelta(days=30), 100)
    return [(m.chat_id, str(m.payload["text"]), m.payload) for m in messages]


async def outbox_rows_at(path: Path) -> list[tuple[str, str, dict[str, object]]]:
    storage = await SqliteStorage.open(path)
    try:
        return await outbox_rows(storage)
    finally:
        await storage.close()
