"""Issue 10: Zalo Bot polling keeps each fetched update in storage before its turn (getUpdates
has no offset: a fetched update is gone from Zalo), so a crash between fetching and handling
loses nothing — the next start replays it; an update kept twice is handled once."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.app import App
from bot.channels.zalo_bot.inbound import BadUpdate
from bot.channels.zalo_bot.inbox import PolledInbox, update_key
from bot.config import Settings
from tests.botapi import FakeClock
from tests.support.labels import label
from tests.support.telegram import db_rows, eventually
from tests.support.zalo_bot import ZALO_CITIZEN, ZaloCitizen, running_zalo
from tests.zalobot import ZaloBotStandIn


class Crash(BaseException):
    """The process dying between fetching an update and committing its turn."""


async def test_an_update_fetched_before_a_crash_is_handled_on_the_next_start(
    app: App,
    zalo: ZaloBotStandIn,
    settings: Settings,
    sender_clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handle = app.dispatcher.handle

    async def crash(*_: Any) -> None:
        raise Crash

    monkeypatch.setattr(app.dispatcher, "handle", crash)
    update = zalo.text_update(ZALO_CITIZEN, "/start")

    async def fetched_then_crashed() -> None:
        async with running_zalo(app, zalo, "polling", sender_clock):
            await zalo.push(update)
            await eventually(
                lambda: bool(db_rows(settings, "SELECT 1 FROM zalo_bot_inbox")), "update kept"
            )
            await asyncio.sleep(0.5)  # the poller dies on the turn

    with pytest.raises(Crash):
        await fetched_then_crashed()
    assert zalo.queue.empty()  # Zalo let it go when it was fetched
    kept = db_rows(settings, "SELECT processed_at FROM zalo_bot_inbox")
    assert [tuple(r) for r in kept] == [(None,)]
    assert zalo.to(ZALO_CITIZEN) == []

    monkeypatch.setattr(app.dispatcher, "handle", handle)
    async with running_zalo(app, zalo, "polling", sender_clock):
        citizen = ZaloCitizen(zalo, app)
        await citizen.settled(update_key(update))
        citizen.take()
        assert "[1] " + label("btn.consent_yes") in citizen.text
    done = db_rows(settings, "SELECT body FROM zalo_bot_inbox WHERE processed_at IS NOT NULL")
    assert [tuple(r) for r in done] == [("",)]


async def test_an_update_kept_twice_is_handled_once(
    app: App, zalo: ZaloBotStandIn, settings: Settings
) -> None:
    inbox = PolledInbox(app.storage, app.dispatcher.clock)
    update = zalo.text_update(ZALO_CITIZEN, "xin chào")
    assert await inbox.keep(update) is True
    assert await inbox.keep(update) is False
    seen: list[dict[str, Any]] = []

    async def handle(kept: dict[str, Any]) -> None:
        seen.append(kept)

    assert await inbox.replay(handle) == 1
    assert await inbox.replay(handle) == 0
    assert seen == [update]
    with pytest.raises(BadUpdate):
        update_key({"event_name": "message.text.received", "message": {}})
