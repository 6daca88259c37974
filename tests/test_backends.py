"""Both backends behind the real dispatcher; several processes sharing PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from bot.app import App
from bot.config import Secret, Settings
from domain import tracking_code
from domain.messages import plain_text
from storage.migrations import migrations
from tests.conftest import BACKENDS, POSTGRES_DSN, Chat, Clock, postgres_schema
from tests.support.labels import label


def test_every_migration_exists_for_every_dialect() -> None:
    sqlite = [name for _, name, _ in migrations("sqlite")]
    postgres = [name for _, name, _ in migrations("postgres")]
    assert sqlite == postgres


@asynccontextmanager
async def apps(
    backend: str, settings: Settings, clock: Clock, count: int
) -> AsyncIterator[list[App]]:
    """`count` applications ("processes") sharing one database of `backend`."""
    if backend == "sqlite":
        opened = [await App.open(settings)]
        opened[0].dispatcher.clock = clock
        try:
            yield opened * count
        finally:
            await opened[0].close()
        return
    async with postgres_schema() as schema:
        dsn = f"{POSTGRES_DSN}?options=-csearch_path%3D{schema}"
        storage = replace(settings.storage, backend="postgres", postgres_dsn=Secret(dsn))
        pg_settings = replace(settings, storage=storage)
        opened = [await App.open(pg_settings) for _ in range(count)]
        for app in opened:
            app.dispatcher.clock = clock
        try:
            yield opened
        finally:
            for app in opened:
                await app.close()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_file_and_look_up_on_each_backend(
    backend: str, settings: Settings, clock: Clock, tmp_path: Path
) -> None:
    async with apps(backend, settings, clock, 1) as (app,):
        chat = Chat(app)
        await chat.agree()
        await chat.draft_anonymous_report("Ống nước sạch bị vỡ ở đầu ngõ")
        await chat.press(label("btn.submit"))
        code = next(w for w in plain_text(chat.replies[0].text).split() if w.startswith("CG-"))
        tracking_code.parse_code(code)
        await chat.send(f"/tracuu {code}")
        assert "Diễn biến" in chat.text
        async with app.storage.transaction() as uow:
            record = await uow.records.get_by_code(code)
            assert record is not None
            events = await uow.events.list_for(record.id, visible_only=False)
        assert [e.action for e in events] == ["created"]


@pytest.mark.parametrize("backend", BACKENDS)
async def test_the_same_update_at_two_processes_files_once(
    backend: str, settings: Settings, clock: Clock
) -> None:
    async with apps(backend, settings, clock, 2) as (first, second):
        chat = Chat(first)
        await chat.agree()
        await chat.draft_anonymous_report("Cây đổ chắn ngang đường liên thôn")
        submit = next(b for r in chat.replies for b in r.buttons if b.label == label("btn.submit"))
        inbound = chat.inbound(button=submit.data)
        results = await asyncio.gather(
            first.dispatcher.handle(inbound), second.dispatcher.handle(inbound)
        )
        assert sorted(len(r) > 0 for r in results) == [False, True]
        async with second.storage.transaction() as uow:
            citizen = await uow.citizens.get("test", "u1")
            assert citizen is not None
            assert await uow.records.count_for_citizen(citizen.id) == 1


@pytest.mark.parametrize("backend", BACKENDS)
async def test_one_persons_messages_at_two_processes_do_not_interleave(
    backend: str, settings: Settings, clock: Clock
) -> None:
    async with apps(backend, settings, clock, 2) as (first, second):
        a, b = Chat(first, "same"), Chat(second, "same")
        await a.agree()
        await a.send("/gopy")
        await a.press(label("kind.phan_anh"))
        # Two different messages from one person reach two processes at once.
        await asyncio.gather(
            a.deliver(a.inbound(text="Đường ngập sâu sau mưa")),
            b.deliver(b.inbound(text="/cuatoi")),
        )
        async with first.storage.transaction() as uow:
            citizen = await uow.citizens.get("test", "same")
            assert citizen is not None
            conversation = await uow.conversations.get(citizen.id)
        assert conversation is not None
        # Whichever ran second saw the first one's state: the draft kept its description.
        assert conversation.data.get("draft", {}).get("description") == "Đường ngập sâu sau mưa"
